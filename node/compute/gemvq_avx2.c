/* gemvq_avx2.c: gemvq's AVX2 row kernel (gemvq_rows.h): as the AVX-512 one
 * with chunks of 8 values (exactly dequantize_row's values) and up to 4
 * tokens sharing each. */
#include "compute/gemvq_rows.h"

#include <immintrin.h>

#include "formats/quant.h"

#define A256 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

A256 INLINE __m256i bytes8(const uint8_t *p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
}

/* The integers of values [8e, 8e + 8) of block blk as float32; e = 2c + half
 * where c is the 16-value chunk of gemvq_avx512.c. */
A256 INLINE __m256 ints256(Dtype d, const uint8_t *blk, int e) {
    const __m256i lo4 = _mm256_set1_epi32(0xF);
    int c = e >> 1, off = 8 * (e & 1);
    __m256i v;
    switch (d) {
    case DTYPE_Q8_0:
        return _mm256_cvtepi32_ps(
            _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(blk + 2 + 8 * e))));
    case DTYPE_Q4_0:
        v = bytes8(blk + 2 + off);
        v = c ? _mm256_srli_epi32(v, 4) : _mm256_and_si256(v, lo4);
        return _mm256_cvtepi32_ps(_mm256_sub_epi32(v, _mm256_set1_epi32(8)));
    case DTYPE_Q4_K:
    case DTYPE_Q5_K: {
        int g = c >> 2, hi = (c >> 1) & 1, half = c & 1;
        const uint8_t *qs = blk + (d == DTYPE_Q5_K ? 48 : 16);
        v = bytes8(qs + 32 * g + 16 * half + off);
        v = hi ? _mm256_srli_epi32(v, 4) : _mm256_and_si256(v, lo4);
        if (d == DTYPE_Q5_K) {
            __m256i h = bytes8(blk + 16 + 16 * half + off);
            h = _mm256_and_si256(_mm256_srlv_epi32(h, _mm256_set1_epi32(2 * g + hi)),
                                 _mm256_set1_epi32(1));
            v = _mm256_add_epi32(v, _mm256_slli_epi32(h, 4));
        }
        return _mm256_cvtepi32_ps(v);
    }
    default: { /* Q6_K */
        int n = c >> 3, k = (c >> 1) & 3, half = c & 1;
        v = bytes8(blk + 64 * n + 32 * (k & 1) + 16 * half + off);
        v = k >> 1 ? _mm256_srli_epi32(v, 4) : _mm256_and_si256(v, lo4);
        __m256i h = bytes8(blk + 128 + 32 * n + 16 * half + off);
        h = _mm256_and_si256(_mm256_srlv_epi32(h, _mm256_set1_epi32(2 * k)), _mm256_set1_epi32(3));
        v = _mm256_or_si256(v, _mm256_slli_epi32(h, 4));
        return _mm256_cvtepi32_ps(_mm256_sub_epi32(v, _mm256_set1_epi32(32)));
    }
    }
}

A256 INLINE float hsum256(__m256 a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* s[0..TB-1] = the dots of one row of W (at wr) with TB rows of x (ld in). */
A256 INLINE void dots256(Dtype d, int TB, const uint8_t *wr, const float *x, int in, float *s) {
    const int bv = d == DTYPE_Q8_0 || d == DTYPE_Q4_0 ? 32 : 256, ne = bv / 8;
    const size_t bb = gemvq_block_bytes(d);
    const int has_min = d == DTYPE_Q4_K || d == DTYPE_Q5_K;
    __m256 acc[4][2];
#pragma GCC unroll 4
    for (int j = 0; j < TB; j++)
        acc[j][0] = _mm256_setzero_ps(), acc[j][1] = _mm256_setzero_ps();
    for (int i0 = 0; i0 < in; i0 += bv, wr += bb) {
        float a[16], b[16];
        if (has_min || d == DTYPE_Q6_K)
            quant_block_scales(d, wr, a, b);
        else
            a[0] = a[1] = _cvtsh_ss(gemvq_u16(wr));
#pragma GCC unroll 32
        for (int e = 0; e < ne; e++) {
            __m256 w = _mm256_mul_ps(_mm256_set1_ps(a[e >> 1]), ints256(d, wr, e));
            if (has_min) w = _mm256_sub_ps(w, _mm256_set1_ps(b[e >> 1]));
#pragma GCC unroll 4
            for (int j = 0; j < TB; j++)
                acc[j][e & 1] = _mm256_fmadd_ps(w, _mm256_loadu_ps(x + (size_t)j * in + i0 + 8 * e),
                                                acc[j][e & 1]);
        }
    }
#pragma GCC unroll 4
    for (int j = 0; j < TB; j++)
        s[j] = hsum256(_mm256_add_ps(acc[j][0], acc[j][1]));
}

A256 INLINE void rows256(Dtype D, float *y, const float *x, const uint8_t *w, size_t row_bytes,
                         int T, int in, int out, float beta, int r0, int r1) {
    for (int o = r0; o < r1; o++) {
        const uint8_t *wr = w + (size_t)o * row_bytes;
        for (int t = 0; t < T; t += 4) {
            float s[4];
            int TB = T - t < 4 ? T - t : 4;
            const float *xt = x + (size_t)t * in;
            switch (TB) { /* a constant token count for each */
            case 1:
                dots256(D, 1, wr, xt, in, s);
                break;
            case 2:
                dots256(D, 2, wr, xt, in, s);
                break;
            case 3:
                dots256(D, 3, wr, xt, in, s);
                break;
            case 4:
                dots256(D, 4, wr, xt, in, s);
                break;
            }
            for (int j = 0; j < TB; j++)
                gemvq_store(y + (size_t)(t + j) * out + o, s[j], beta);
        }
    }
}

A256 void gemvq_rows_avx2(Dtype d, float *y, const float *x, const uint8_t *w, size_t row_bytes,
                          int T, int in, int out, float beta, int r0, int r1) {
    switch (d) { /* one specialized copy per format */
    case DTYPE_Q8_0:
        rows256(DTYPE_Q8_0, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    case DTYPE_Q4_0:
        rows256(DTYPE_Q4_0, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    case DTYPE_Q4_K:
        rows256(DTYPE_Q4_K, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    case DTYPE_Q5_K:
        rows256(DTYPE_Q5_K, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    case DTYPE_Q6_K:
        rows256(DTYPE_Q6_K, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    default:
        return;
    }
}
