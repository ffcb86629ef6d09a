/* dtype.c: see dtype.h. */
#include "formats/dtype.h"

#include <cpuid.h>
#include <string.h>

#include "base/util.h"
#include "formats/dtype_avx2.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoint data is little-endian; dtype.c converts it as it lies in memory"
#endif

const char *dtype_name(Dtype d) {
    switch (d) {
    case DTYPE_F32:
        return "F32";
    case DTYPE_F16:
        return "F16";
    case DTYPE_BF16:
        return "BF16";
    }
    return "?";
}

int dtype_size(Dtype d) {
    return d == DTYPE_F32 ? 4 : 2;
}

float dtype_half_to_f32(Dtype d, uint16_t v) {
    return d == DTYPE_BF16 ? bf16_to_f32(v) : f16_to_f32(v);
}

/* F16C from CPUID leaf 1 (clang's __builtin_cpu_supports does not know it). */
static int cpu_has_f16c(void) {
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}

int dtype_cpu_has_avx2(void) {
    static int known = -1;
    if (known < 0)
        known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
    return known;
}

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
