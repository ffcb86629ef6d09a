/* dtype_avx2.h: eight F16 or BF16 values to float32 in an AVX2 register, for
 * the row conversion (dtype_convert.c) and the 16-bit dot products (matmul.c).
 *
 * Callers check dtype_cpu_has_avx2() before they call anything compiled with
 * the avx2,fma,f16c target. */
#ifndef PAINTERS_DTYPE_AVX2_H
#define PAINTERS_DTYPE_AVX2_H

#include <immintrin.h>

#include "formats/dtype.h"

/* Whether this CPU has AVX2, FMA and F16C (asked once). */
int dtype_cpu_has_avx2(void);

/* The 8 values of dtype d (F16 or BF16) at src (any alignment) as float32.
 * Exact, except that a signalling F16 NaN comes back quiet (bit 22 set), as
 * F16C converts it; arithmetic quiets it anyway. */
__attribute__((target("avx2,fma,f16c"))) static inline __m256 dtype_load8_avx2(Dtype d,
                                                                               const void *src) {
    __m128i h = _mm_loadu_si128((const __m128i *)src);
    if (d == DTYPE_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

#endif
