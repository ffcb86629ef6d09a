/* gemvq_avx512.c: gemvq's AVX-512 row kernel (gemvq_rows.h). Each chunk of
 * 16 values of a block becomes 16 int32 lanes, then float32 times its scale
 * (minus its min for Q4_K/Q5_K): the operations of dequantize_row, so the
 * lanes hold exactly its values. Up to 8 tokens share each dequantized chunk. */
#include "compute/gemvq_rows.h"

#include <immintrin.h>

#include "formats/quant.h"

#define A512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

A512 INLINE __m512i bytes16(const uint8_t *p) {
    return _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p));
}

/* The integers of values [16c, 16c + 16) of block blk, as float32 (quant.h's layouts). */
A512 INLINE __m512 ints512(Dtype d, const uint8_t *blk, int c) {
    const __m512i lo4 = _mm512_set1_epi32(0xF);
    __m512i v;
    switch (d) {
    case DTYPE_Q8_0:
        return _mm512_cvtepi32_ps(
            _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(blk + 2 + 16 * c))));
    case DTYPE_Q4_0:
        v = bytes16(blk + 2);
        v = c ? _mm512_srli_epi32(v, 4) : _mm512_and_si512(v, lo4);
        return _mm512_cvtepi32_ps(_mm512_sub_epi32(v, _mm512_set1_epi32(8)));
    case DTYPE_Q4_K:
    case DTYPE_Q5_K: {
        int g = c >> 2, hi = (c >> 1) & 1, half = c & 1;
        const uint8_t *qs = blk + (d == DTYPE_Q5_K ? 48 : 16);
        v = bytes16(qs + 32 * g + 16 * half);
        v = hi ? _mm512_srli_epi32(v, 4) : _mm512_and_si512(v, lo4);
        if (d == DTYPE_Q5_K) {
            __m512i h = bytes16(blk + 16 + 16 * half);
            h = _mm512_and_si512(_mm512_srlv_epi32(h, _mm512_set1_epi32(2 * g + hi)),
                                 _mm512_set1_epi32(1));
            v = _mm512_add_epi32(v, _mm512_slli_epi32(h, 4));
        }
        return _mm512_cvtepi32_ps(v);
    }
    default: { /* Q6_K: chunk c is half n, quarter k, 16 of its 32 */
        int n = c >> 3, k = (c >> 1) & 3, half = c & 1;
        v = bytes16(blk + 64 * n + 32 * (k & 1) + 16 * half);
        v = k >> 1 ? _mm512_srli_epi32(v, 4) : _mm512_and_si512(v, lo4);
        __m512i h = bytes16(blk + 128 + 32 * n + 16 * half);
        h = _mm512_and_si512(_mm512_srlv_epi32(h, _mm512_set1_epi32(2 * k)), _mm512_set1_epi32(3));
        v = _mm512_or_si512(v, _mm512_slli_epi32(h, 4));
        return _mm512_cvtepi32_ps(_mm512_sub_epi32(v, _mm512_set1_epi32(32)));
    }
    }
}

/* s[0..TB-1] = the dots of one row of W (nb blocks at wr) with TB rows of x (ld in). */
A512 INLINE void dots512(Dtype d, int TB, const uint8_t *wr, const float *x, int in, float *s) {
    const int bv = d == DTYPE_Q8_0 || d == DTYPE_Q4_0 ? 32 : 256, nc = bv / 16;
    const size_t bb = gemvq_block_bytes(d);
    const int has_min = d == DTYPE_Q4_K || d == DTYPE_Q5_K;
    __m512 acc[8][2];
#pragma GCC unroll 8
    for (int j = 0; j < TB; j++)
        acc[j][0] = _mm512_setzero_ps(), acc[j][1] = _mm512_setzero_ps();
    for (int i0 = 0; i0 < in; i0 += bv, wr += bb) {
        float a[16], b[16];
        if (has_min || d == DTYPE_Q6_K)
            quant_block_scales(d, wr, a, b);
        else
            a[0] = a[1] = _cvtsh_ss(gemvq_u16(wr));
#pragma GCC unroll 16
        for (int c = 0; c < nc; c++) {
            __m512 w = _mm512_mul_ps(_mm512_set1_ps(a[c]), ints512(d, wr, c));
            if (has_min) w = _mm512_sub_ps(w, _mm512_set1_ps(b[c]));
#pragma GCC unroll 8
            for (int j = 0; j < TB; j++)
                acc[j][c & 1] = _mm512_fmadd_ps(
                    w, _mm512_loadu_ps(x + (size_t)j * in + i0 + 16 * c), acc[j][c & 1]);
        }
    }
#pragma GCC unroll 8
    for (int j = 0; j < TB; j++)
        s[j] = _mm512_reduce_add_ps(_mm512_add_ps(acc[j][0], acc[j][1]));
}

/* Rows [r0, r1) for format D (a constant once inlined). */
A512 INLINE void rows512(Dtype D, float *y, const float *x, const uint8_t *w, size_t row_bytes,
                         int T, int in, int out, float beta, int r0, int r1) {
    for (int o = r0; o < r1; o++) {
        const uint8_t *wr = w + (size_t)o * row_bytes;
        for (int t = 0; t < T; t += 8) {
            float s[8];
            int TB = T - t < 8 ? T - t : 8;
            const float *xt = x + (size_t)t * in;
            switch (TB) { /* a constant token count for each */
            case 1:
                dots512(D, 1, wr, xt, in, s);
                break;
            case 2:
                dots512(D, 2, wr, xt, in, s);
                break;
            case 3:
                dots512(D, 3, wr, xt, in, s);
                break;
            case 4:
                dots512(D, 4, wr, xt, in, s);
                break;
            case 5:
                dots512(D, 5, wr, xt, in, s);
                break;
            case 6:
                dots512(D, 6, wr, xt, in, s);
                break;
            case 7:
                dots512(D, 7, wr, xt, in, s);
                break;
            case 8:
                dots512(D, 8, wr, xt, in, s);
                break;
            }
            for (int j = 0; j < TB; j++)
                gemvq_store(y + (size_t)(t + j) * out + o, s[j], beta);
        }
    }
}

A512 void gemvq_rows_avx512(Dtype d, float *y, const float *x, const uint8_t *w, size_t row_bytes,
                            int T, int in, int out, float beta, int r0, int r1) {
    switch (d) { /* one specialized copy per format */
    case DTYPE_Q8_0:
        rows512(DTYPE_Q8_0, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    case DTYPE_Q4_0:
        rows512(DTYPE_Q4_0, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    case DTYPE_Q4_K:
        rows512(DTYPE_Q4_K, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    case DTYPE_Q5_K:
        rows512(DTYPE_Q5_K, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    case DTYPE_Q6_K:
        rows512(DTYPE_Q6_K, y, x, w, row_bytes, T, in, out, beta, r0, r1);
        return;
    default:
        return;
    }
}
