/* gemvq8_avx512.c: gemvq8's AVX-512 VNNI row kernel (gemvq8_rows.h).
 *
 * K formats: a block's 256 values become four registers of 64 unsigned
 * bytes in the values' order (Q4_K/Q5_K nibbles, plus the fifth bit; Q6_K's
 * six bits), each multiplied with 64 bytes of x by vpmaddubsw (pairs into
 * int16) and vpdpwssd (times the int16 scale of each pair, into 16 int32
 * lanes). Q8_0 and Q4_0: one block of 32 in a 256-bit register, signed
 * times signed by vpdpbusd on |w| and x with w's sign. Up to 8 tokens share
 * each unpacked block. The lanes and their order are gemvq8.h's. */
#include <immintrin.h>

#include "compute/gemvq8_rows.h"
#include "compute/gemvq_rows.h"

#define A512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))
#define TOKENS 8 /* tokens per pass over a row */

A512 INLINE float f16_at(const uint8_t *p) {
    return _cvtsh_ss(gemvq_u16(p));
}

A512 INLINE __m512i nibbles_lo(__m512i v) {
    return _mm512_and_si512(v, _mm512_set1_epi8(0x0F));
}
A512 INLINE __m512i nibbles_hi(__m512i v) {
    return _mm512_and_si512(_mm512_srli_epi16(v, 4), _mm512_set1_epi8(0x0F));
}

/* Where token j's rows of a start. */
typedef struct {
    const int8_t *q[TOKENS];
    const float *dx[TOKENS];
    const int16_t *S[TOKENS];
} TokenRows;

A512 INLINE TokenRows token_rows(const ActQ8 *a, int t0, int TB) {
    TokenRows r;
    int nb = a->in / a->block;
    for (int j = 0; j < TB; j++) {
        size_t at = (size_t)(t0 + j) * a->in;
        r.q[j] = a->q + at, r.dx[j] = a->d + (size_t)(t0 + j) * nb, r.S[j] = a->sum16 + at / 16;
    }
    return r;
}

/* The 6-bit scales and mins of a Q4_K/Q5_K block's 12 bytes, 8 bytes each
 * (quant_scale_min_k4 for all j at once). */
A512 INLINE void k4_scales(const uint8_t *p, uint64_t *sc, uint64_t *m) {
    uint32_t u[3];
    memcpy(u, p, sizeof u);
    uint32_t sc_lo = u[0] & 0x3F3F3F3Fu, m_lo = u[1] & 0x3F3F3F3Fu;
    uint32_t sc_hi = (u[2] & 0x0F0F0F0Fu) | ((u[0] >> 6 & 0x03030303u) << 4);
    uint32_t m_hi = (u[2] >> 4 & 0x0F0F0F0Fu) | ((u[1] >> 6 & 0x03030303u) << 4);
    *sc = sc_lo | (uint64_t)sc_hi << 32;
    *m = m_lo | (uint64_t)m_hi << 32;
}

/* One K-format block at blk: w[k] = values [64k, 64k + 64) as unsigned
 * bytes (qw'), s[k] the int16 scale of each byte pair (idx[k] picks them),
 * and `side` the 16 int16 weights of the sums S_0..S_15 (Q4_K/Q5_K: the 8
 * mins, each twice; Q6_K: the 16 scales). */
A512 INLINE void unpack_k(Dtype D, const uint8_t *blk, const __m512i *idx, __m512i *w, __m512i *s,
                          __m256i *side) {
    __m512i scales;
    if (D == DTYPE_Q6_K) {
        for (int n = 0; n < 2; n++) {
            __m512i v = _mm512_loadu_si512(blk + 64 * n);
            __m512i h =
                _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * n)));
            const __m512i three = _mm512_set1_epi8(3);
            __m512i h01 = _mm512_and_si512(
                _mm512_srlv_epi64(h, _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0)), three);
            __m512i h23 = _mm512_and_si512(
                _mm512_srlv_epi64(h, _mm512_set_epi64(6, 6, 6, 6, 4, 4, 4, 4)), three);
            w[2 * n] = _mm512_or_si512(nibbles_lo(v), _mm512_slli_epi16(h01, 4));
            w[2 * n + 1] = _mm512_or_si512(nibbles_hi(v), _mm512_slli_epi16(h23, 4));
        }
        *side = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 192)));
        scales = _mm512_castsi256_si512(*side);
    } else {
        const uint8_t *qs = blk + (D == DTYPE_Q5_K ? 48 : 16);
        __m512i v0 = _mm512_loadu_si512(qs), v1 = _mm512_loadu_si512(qs + 64);
        __m512i l0 = nibbles_lo(v0), h0 = nibbles_hi(v0), l1 = nibbles_lo(v1), h1 = nibbles_hi(v1);
        w[0] = _mm512_shuffle_i64x2(l0, h0, 0x44); /* sub-blocks 0, 1 */
        w[1] = _mm512_shuffle_i64x2(l0, h0, 0xEE); /* 2, 3 */
        w[2] = _mm512_shuffle_i64x2(l1, h1, 0x44);
        w[3] = _mm512_shuffle_i64x2(l1, h1, 0xEE);
        if (D == DTYPE_Q5_K) {
            __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk + 16)));
            for (int k = 0; k < 4; k++) { /* bit 2k (first 32 values), 2k + 1 (next 32) */
                __m512i bit = _mm512_mask_blend_epi8(0xFFFFFFFF00000000ull,
                                                     _mm512_set1_epi8((char)(1 << (2 * k))),
                                                     _mm512_set1_epi8((char)(1 << (2 * k + 1))));
                __mmask64 set = _mm512_test_epi8_mask(qh, bit);
                w[k] = _mm512_mask_add_epi8(w[k], set, w[k], _mm512_set1_epi8(16));
            }
        }
        uint64_t sc, m;
        k4_scales(blk + 4, &sc, &m);
        scales = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)sc)));
        __m128i m8 = _mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)m));
        *side = _mm256_set_m128i(_mm_unpackhi_epi16(m8, m8), _mm_unpacklo_epi16(m8, m8));
    }
    for (int k = 0; k < 4; k++)
        s[k] = _mm512_permutexvar_epi16(idx[k], scales);
}

/* s[0..TB-1] = the dots of one row of W (K format D, at wr) with TB tokens. */
A512 INLINE void dots_k(Dtype D, int TB, const uint8_t *wr, const TokenRows *r, int nb,
                        const __m512i *idx, float *out) {
    __m512 acc[TOKENS];
    for (int j = 0; j < TB; j++)
        acc[j] = _mm512_setzero_ps();
    const size_t bb = gemvq_block_bytes(D);
    for (int b = 0; b < nb; b++, wr += bb) {
        __m512i w[4], s[4];
        __m256i side;
        unpack_k(D, wr, idx, w, s, &side);
        float dw = f16_at(D == DTYPE_Q6_K ? wr + 208 : wr);
        float dmin = D == DTYPE_Q6_K ? 0.0f : f16_at(wr + 2);
        for (int j = 0; j < TB; j++) {
            const int8_t *q = r->q[j] + 256 * b;
            __m512i I = _mm512_setzero_si512();
            for (int k = 0; k < 4; k++)
                I = _mm512_dpwssd_epi32(
                    I, _mm512_maddubs_epi16(w[k], _mm512_loadu_si512(q + 64 * k)), s[k]);
            __m256i S = _mm256_loadu_si256((const __m256i *)(r->S[j] + 16 * b));
            float dx = r->dx[j][b];
            __m256i SW = _mm256_madd_epi16(S, side); /* lane l: S_2l, S_2l+1 weighted */
            if (D == DTYPE_Q6_K) /* lanes l < 8: -32 (sc_2l S_2l + sc_2l+1 S_2l+1) */
                I = _mm512_sub_epi32(I, _mm512_zextsi256_si512(_mm256_slli_epi32(SW, 5)));
            acc[j] = _mm512_fmadd_ps(_mm512_set1_ps(dw * dx), _mm512_cvtepi32_ps(I), acc[j]);
            if (D != DTYPE_Q6_K) {
                __m512 M = _mm512_cvtepi32_ps(_mm512_zextsi256_si512(SW));
                acc[j] = _mm512_mask3_fmadd_ps(M, _mm512_set1_ps(-(dmin * dx)), acc[j], 0x00FF);
            }
        }
    }
    for (int j = 0; j < TB; j++) {
        float lanes[16];
        _mm512_storeu_ps(lanes, acc[j]);
        out[j] = gemvq8_fold(lanes, 16);
    }
}

/* One Q8_0/Q4_0 block at blk as 32 signed bytes qw. */
A512 INLINE __m256i unpack_32(Dtype D, const uint8_t *blk) {
    if (D == DTYPE_Q8_0) return _mm256_loadu_si256((const __m256i *)(blk + 2));
    __m128i v = _mm_loadu_si128((const __m128i *)(blk + 2)), f = _mm_set1_epi8(0x0F);
    __m256i u = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), f), _mm_and_si128(v, f));
    return _mm256_sub_epi8(u, _mm256_set1_epi8(8));
}

/* out[0..TB-1] = the dots of one row of W (Q8_0 or Q4_0 D, at wr) with TB tokens. */
A512 INLINE void dots_32(Dtype D, int TB, const uint8_t *wr, const TokenRows *r, int nb,
                         float *out) {
    __m256 acc[TOKENS];
    for (int j = 0; j < TB; j++)
        acc[j] = _mm256_setzero_ps();
    const size_t bb = gemvq_block_bytes(D);
    for (int b = 0; b < nb; b++, wr += bb) {
        __m256i w = unpack_32(D, wr), aw = _mm256_abs_epi8(w);
        float dw = f16_at(wr);
        for (int j = 0; j < TB; j++) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(r->q[j] + 32 * b));
            __m256i I = _mm256_dpbusd_epi32(_mm256_setzero_si256(), aw, _mm256_sign_epi8(q, w));
            acc[j] =
                _mm256_fmadd_ps(_mm256_set1_ps(dw * r->dx[j][b]), _mm256_cvtepi32_ps(I), acc[j]);
        }
    }
    for (int j = 0; j < TB; j++) {
        float lanes[8];
        _mm256_storeu_ps(lanes, acc[j]);
        out[j] = gemvq8_fold(lanes, 8);
    }
}

A512 INLINE void dots(Dtype D, int TB, const uint8_t *wr, const TokenRows *r, int nb,
                      const __m512i *idx, float *out) {
    if (D == DTYPE_Q8_0 || D == DTYPE_Q4_0)
        dots_32(D, TB, wr, r, nb, out);
    else
        dots_k(D, TB, wr, r, nb, idx, out);
}

/* Rows [r0, r1) for format D (a constant once inlined). */
A512 INLINE void rows512(Dtype D, float *y, const ActQ8 *a, const uint8_t *w, size_t row_bytes,
                         int out, float beta, int r0, int r1) {
    const int nb = a->in / a->block;
    __m512i idx[4]; /* scale lane of each int16 lane of register k */
    __m512i lane = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                                    15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (int k = 0; k < 4; k++)
        idx[k] =
            D == DTYPE_Q6_K /* 16 values per scale: 8 lanes; else 32: 16 lanes */
                ? _mm512_add_epi16(_mm512_srli_epi16(lane, 3), _mm512_set1_epi16((short)(4 * k)))
                : _mm512_add_epi16(_mm512_srli_epi16(lane, 4), _mm512_set1_epi16((short)(2 * k)));
    for (int t = 0; t < a->T; t += TOKENS) {
        int TB = a->T - t < TOKENS ? a->T - t : TOKENS;
        TokenRows r = token_rows(a, t, TB);
        for (int o = r0; o < r1; o++) {
            const uint8_t *wr = w + (size_t)o * row_bytes;
            float s[TOKENS] = {0};
            switch (TB) { /* a constant token count for each */
            case 1:
                dots(D, 1, wr, &r, nb, idx, s);
                break;
            case 2:
                dots(D, 2, wr, &r, nb, idx, s);
                break;
            case 3:
                dots(D, 3, wr, &r, nb, idx, s);
                break;
            case 4:
                dots(D, 4, wr, &r, nb, idx, s);
                break;
            case 5:
                dots(D, 5, wr, &r, nb, idx, s);
                break;
            case 6:
                dots(D, 6, wr, &r, nb, idx, s);
                break;
            case 7:
                dots(D, 7, wr, &r, nb, idx, s);
                break;
            default:
                dots(D, 8, wr, &r, nb, idx, s);
                break;
            }
            for (int j = 0; j < TB; j++)
                gemvq_store(y + (size_t)(t + j) * out + o, s[j], beta);
        }
    }
}

A512 void gemvq8_rows_avx512(Dtype d, float *y, const ActQ8 *a, const uint8_t *w, size_t row_bytes,
                             int out, float beta, int r0, int r1) {
    GEMVQ8_FOR_FORMAT(d, rows512, y, a, w, row_bytes, out, beta, r0, r1);
}
