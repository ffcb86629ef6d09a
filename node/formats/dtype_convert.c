/* dtype_convert.c: see dtype_convert.h. */
#include "formats/dtype_convert.h"

#include <string.h>

#include "formats/dtype_avx2.h"

/* f: the 8 F16 values at src as F16C converted them. Inf and NaN lanes get
 * the bits f16_to_f32() gives (sign, all-ones exponent, the mantissa shifted
 * as it is), so a signalling NaN stays signalling. */
__attribute__((target("avx2,fma,f16c"))) static __m256 keep_nan_bits_avx2(__m256 f,
                                                                          const void *src) {
    __m256i h = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)src));
    __m256i exp_ones = _mm256_set1_epi32(0x7c00);
    __m256i special = _mm256_cmpeq_epi32(_mm256_and_si256(h, exp_ones), exp_ones);
    __m256i sign = _mm256_slli_epi32(_mm256_and_si256(h, _mm256_set1_epi32(0x8000)), 16);
    __m256i mant = _mm256_slli_epi32(_mm256_and_si256(h, _mm256_set1_epi32(0x3ff)), 13);
    __m256i bits = _mm256_or_si256(_mm256_or_si256(sign, mant), _mm256_set1_epi32(0x7f800000));
    return _mm256_blendv_ps(f, _mm256_castsi256_ps(bits), _mm256_castsi256_ps(special));
}

static uint16_t load_u16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

__attribute__((target("avx2,fma,f16c"))) static void convert_half_avx2(Dtype d, const uint8_t *src,
                                                                       size_t count, float *dst) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 f = dtype_load8_avx2(d, src + 2 * i);
        if (d == DTYPE_F16) f = keep_nan_bits_avx2(f, src + 2 * i);
        _mm256_storeu_ps(dst + i, f);
    }
    for (; i < count; i++)
        dst[i] = dtype_half_to_f32(d, load_u16(src + 2 * i));
}

void dtype_convert_row_to_f32(Dtype d, const void *src, size_t count, float *dst) {
    const uint8_t *s = src;
    if (d == DTYPE_F32) {
        memcpy(dst, s, count * sizeof(float));
    } else if (dtype_cpu_has_avx2()) {
        convert_half_avx2(d, s, count, dst);
    } else {
        for (size_t i = 0; i < count; i++)
            dst[i] = dtype_half_to_f32(d, load_u16(s + 2 * i));
    }
}
