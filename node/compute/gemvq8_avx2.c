/* gemvq8_avx2.c: gemvq8's AVX2 row kernel (gemvq8_rows.h), for CPUs without
 * AVX-512 VNNI. The same lanes as the AVX-512 kernel, so the same bits: its
 * 16 int32 lanes of a K-format block are two 256-bit registers here (values
 * [64k, 64k + 32) of each 64 feed lanes 0-7, [64k + 32, 64k + 64) lanes
 * 8-15), each 32 unsigned weight bytes times 32 bytes of x by vpmaddubsw
 * (pairs into int16), then vpmaddwd with the pairs' int16 scales and an add
 * (AVX-512 VNNI's vpdpwssd). Q8_0 and Q4_0: |w| times x with w's sign by
 * vpmaddubsw, then vpmaddwd with ones (vpdpbusd). Up to 4 tokens share each
 * unpacked block (16 registers). */
#include <immintrin.h>

#include "compute/gemvq8_rows.h"
#include "compute/gemvq_rows.h"

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))
#define TOKENS 4 /* tokens per pass over a row */

AVX2 INLINE float f16_at(const uint8_t *p) {
    return _cvtsh_ss(gemvq_u16(p));
}

AVX2 INLINE __m256i load256(const void *p) {
    return _mm256_loadu_si256((const __m256i *)p);
}

AVX2 INLINE __m256i nibbles_lo(__m256i v) {
    return _mm256_and_si256(v, _mm256_set1_epi8(0x0F));
}
AVX2 INLINE __m256i nibbles_hi(__m256i v) {
    return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
}

/* The 6-bit scales and mins of a Q4_K/Q5_K block (as the AVX-512 kernel's). */
AVX2 INLINE void k4_scales(const uint8_t *p, uint8_t *sc, uint8_t *m) {
    uint32_t u[3], s[2], n[2];
    memcpy(u, p, sizeof u);
    s[0] = u[0] & 0x3F3F3F3Fu, n[0] = u[1] & 0x3F3F3F3Fu;
    s[1] = (u[2] & 0x0F0F0F0Fu) | ((u[0] >> 6 & 0x03030303u) << 4);
    n[1] = (u[2] >> 4 & 0x0F0F0F0Fu) | ((u[1] >> 6 & 0x03030303u) << 4);
    memcpy(sc, s, 8), memcpy(m, n, 8);
}

/* One K-format block: w[h] = values [32h, 32h + 32) as unsigned bytes (qw'),
 * s[h] their pairs' int16 scales, side the int16 weights of the sums of 16
 * (Q4_K/Q5_K: the mins, each twice; Q6_K: the 16 scales). */
AVX2 INLINE void unpack_k(Dtype D, const uint8_t *blk, __m256i *w, __m256i *s, __m256i *side) {
    if (D == DTYPE_Q6_K) {
        const int8_t *sc = (const int8_t *)(blk + 192);
        for (int n = 0; n < 2; n++) {
            __m256i l0 = load256(blk + 64 * n), l1 = load256(blk + 64 * n + 32);
            __m256i qh = load256(blk + 128 + 32 * n), three = _mm256_set1_epi8(3);
            __m256i part[4] = {nibbles_lo(l0), nibbles_lo(l1), nibbles_hi(l0), nibbles_hi(l1)};
            for (int q = 0; q < 4; q++) { /* values 128n + 32q + l: bits 2q, 2q + 1 of qh[l] */
                __m256i h = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * q), three);
                w[4 * n + q] = _mm256_or_si256(part[q], _mm256_slli_epi16(h, 4));
                int c = 8 * n + 2 * q; /* its sub-blocks of 16: c, c + 1 */
                s[4 * n + q] = _mm256_set_m128i(_mm_set1_epi16(sc[c + 1]), _mm_set1_epi16(sc[c]));
            }
        }
        *side = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(blk + 192)));
        return;
    }
    const uint8_t *qs = blk + (D == DTYPE_Q5_K ? 48 : 16);
    uint8_t sc[8], m[8];
    k4_scales(blk + 4, sc, m);
    __m256i qh = D == DTYPE_Q5_K ? load256(blk + 16) : _mm256_setzero_si256();
    for (int g = 0; g < 4; g++) { /* 32 bytes: sub-block 2g low nibbles, 2g + 1 high */
        __m256i v = load256(qs + 32 * g);
        w[2 * g] = nibbles_lo(v), w[2 * g + 1] = nibbles_hi(v);
        for (int h = 2 * g; h <= 2 * g + 1 && D == DTYPE_Q5_K; h++) { /* bit h of qh[l]: +16 */
            __m256i bit = _mm256_set1_epi8((char)(1 << h));
            __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(qh, bit), bit);
            w[h] = _mm256_add_epi8(w[h], _mm256_and_si256(set, _mm256_set1_epi8(16)));
        }
    }
    for (int h = 0; h < 8; h++)
        s[h] = _mm256_set1_epi16(sc[h]);
    __m128i m8 = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)m));
    *side = _mm256_set_m128i(_mm_unpackhi_epi16(m8, m8), _mm_unpacklo_epi16(m8, m8));
}

/* The int32 lanes of 32 weight bytes times 32 bytes of x, times the pairs' scales. */
AVX2 INLINE __m256i dot32(__m256i w, const int8_t *q, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(w, load256(q)), s);
}

AVX2 INLINE void dots_k(Dtype D, int TB, const uint8_t *wr, const ActQ8 *a, int t0, int nb,
                        float *out) {
    __m256 lo[TOKENS], hi[TOKENS]; /* lanes 0-7 and 8-15 of each token */
    for (int j = 0; j < TB; j++)
        lo[j] = hi[j] = _mm256_setzero_ps();
    const size_t bb = gemvq_block_bytes(D);
    for (int b = 0; b < nb; b++, wr += bb) {
        __m256i w[8], s[8], side;
        unpack_k(D, wr, w, s, &side);
        float dw = f16_at(D == DTYPE_Q6_K ? wr + 208 : wr);
        float dmin = D == DTYPE_Q6_K ? 0.0f : f16_at(wr + 2);
        for (int j = 0; j < TB; j++) {
            size_t at = (size_t)(t0 + j) * a->in;
            const int8_t *q = a->q + at + 256 * (size_t)b;
            __m256i il = _mm256_setzero_si256(), ih = _mm256_setzero_si256();
            for (int k = 0; k < 4; k++) {
                il = _mm256_add_epi32(il, dot32(w[2 * k], q + 64 * k, s[2 * k]));
                ih = _mm256_add_epi32(ih, dot32(w[2 * k + 1], q + 64 * k + 32, s[2 * k + 1]));
            }
            __m256i SW = _mm256_madd_epi16(load256(a->sum16 + at / 16 + 16 * (size_t)b), side);
            if (D == DTYPE_Q6_K) il = _mm256_sub_epi32(il, _mm256_slli_epi32(SW, 5));
            float dx = a->d[(size_t)(t0 + j) * nb + b];
            __m256 scale = _mm256_set1_ps(dw * dx);
            lo[j] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(il), lo[j]);
            hi[j] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(ih), hi[j]);
            if (D != DTYPE_Q6_K)
                lo[j] =
                    _mm256_fmadd_ps(_mm256_set1_ps(-(dmin * dx)), _mm256_cvtepi32_ps(SW), lo[j]);
        }
    }
    for (int j = 0; j < TB; j++) {
        float lanes[16];
        _mm256_storeu_ps(lanes, lo[j]);
        _mm256_storeu_ps(lanes + 8, hi[j]);
        out[j] = gemvq8_fold(lanes, 16);
    }
}

/* One Q8_0/Q4_0 block as 32 signed bytes qw. */
AVX2 INLINE __m256i unpack_32(Dtype D, const uint8_t *blk) {
    if (D == DTYPE_Q8_0) return load256(blk + 2);
    __m128i v = _mm_loadu_si128((const __m128i *)(blk + 2)), f = _mm_set1_epi8(0x0F);
    __m256i u = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), f), _mm_and_si128(v, f));
    return _mm256_sub_epi8(u, _mm256_set1_epi8(8));
}

AVX2 INLINE void dots_32(Dtype D, int TB, const uint8_t *wr, const ActQ8 *a, int t0, int nb,
                         float *out) {
    __m256 acc[TOKENS];
    for (int j = 0; j < TB; j++)
        acc[j] = _mm256_setzero_ps();
    const size_t bb = gemvq_block_bytes(D);
    const __m256i ones = _mm256_set1_epi16(1);
    for (int b = 0; b < nb; b++, wr += bb) {
        __m256i w = unpack_32(D, wr), aw = _mm256_abs_epi8(w);
        float dw = f16_at(wr);
        for (int j = 0; j < TB; j++) {
            size_t at = (size_t)(t0 + j) * a->in;
            __m256i q = load256(a->q + at + 32 * (size_t)b);
            __m256i I = _mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(q, w)), ones);
            float dx = a->d[(size_t)(t0 + j) * nb + b];
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(dw * dx), _mm256_cvtepi32_ps(I), acc[j]);
        }
    }
    for (int j = 0; j < TB; j++) {
        float lanes[8];
        _mm256_storeu_ps(lanes, acc[j]);
        out[j] = gemvq8_fold(lanes, 8);
    }
}

AVX2 INLINE void dots(Dtype D, int TB, const uint8_t *wr, const ActQ8 *a, int t0, int nb,
                      float *out) {
    if (D == DTYPE_Q8_0 || D == DTYPE_Q4_0)
        dots_32(D, TB, wr, a, t0, nb, out);
    else
        dots_k(D, TB, wr, a, t0, nb, out);
}

AVX2 INLINE void rows256(Dtype D, float *y, const ActQ8 *a, const uint8_t *w, size_t row_bytes,
                         int out, float beta, int r0, int r1) {
    const int nb = a->in / a->block;
    for (int t = 0; t < a->T; t += TOKENS) {
        int TB = a->T - t < TOKENS ? a->T - t : TOKENS;
        for (int o = r0; o < r1; o++) {
            const uint8_t *wr = w + (size_t)o * row_bytes;
            float s[TOKENS] = {0};
            switch (TB) { /* a constant token count for each */
            case 1:
                dots(D, 1, wr, a, t, nb, s);
                break;
            case 2:
                dots(D, 2, wr, a, t, nb, s);
                break;
            case 3:
                dots(D, 3, wr, a, t, nb, s);
                break;
            default:
                dots(D, 4, wr, a, t, nb, s);
                break;
            }
            for (int j = 0; j < TB; j++)
                gemvq_store(y + (size_t)(t + j) * out + o, s[j], beta);
        }
    }
}

AVX2 void gemvq8_rows_avx2(Dtype d, float *y, const ActQ8 *a, const uint8_t *w, size_t row_bytes,
                           int out, float beta, int r0, int r1) {
    GEMVQ8_FOR_FORMAT(d, rows256, y, a, w, row_bytes, out, beta, r0, r1);
}
