/* gemv16.c: see gemv16.h.
 *
 * The order of each sum (o, t), which is what keeps rows independent:
 *   avx512: two accumulators of 16 lanes; of each whole 32 elements
 *           [32k, 32k + 32), F16 sends the first 16 to the first and the
 *           next 16 to the second, BF16 the 16 even ones to the first and
 *           the 16 odd ones to the second (so one 512-bit load widens by a
 *           shift and a mask, no shuffle; x is split alike once per call);
 *           then a whole 16 left goes to the first and the rest (masked) to
 *           the second; the result is _mm512_reduce_add_ps of their sum.
 *   avx2:   the same with 8 lanes (steps of 16, zero-padded tail).
 *   scalar: one float, element by element.
 * Blocking over rows of W and of x changes which sums run side by side, never
 * the order inside one. */
#include "compute/gemv16.h"

#include <immintrin.h>
#include <omp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#include "formats/dtype_avx2.h"
#include "compute/cpu_choice.h"

/* Rows [r0, r1) of y (T, out) = x W^T + beta y (x as the kernel's prep gave it). */
typedef void (*RowsFn)(Dtype d, float *y, const float *x, const uint16_t *w, int T, int in, int out,
                       float beta, int r0, int r1);

/* Writes the (RB, TB) sums s at rows o.. of tokens t.. of y (T, out). */
static inline void store_block(float *y, const float *s, int RB, int TB, int o, int t, int out,
                               float beta) {
    for (int j = 0; j < TB; j++)
        for (int r = 0; r < RB; r++) {
            float *dst = y + (size_t)(t + j) * out + o + r;
            float v = s[r * TB + j];
            *dst = beta == 0.0f ? v : v + beta * *dst;
        }
}

/* ---- AVX-512 ---- */

/* The longest row of x (floats) that stays in a 32 KiB L1 beside its row of W. */
#define GEMV16_L1_FLOATS 4096

#define A512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline))

/* 16 values (BF16, or F16 when f16) at p as float32. */
A512 INLINE __m512 load16_512(int f16, const uint16_t *p) {
    __m256i h = _mm256_loadu_si256((const __m256i *)p);
    if (f16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/* The first lanes of m of the same; the others 0. */
A512 INLINE __m512 load16_512_mask(int f16, const uint16_t *p, __mmask16 m) {
    __m256i h = _mm256_maskz_loadu_epi16(m, p);
    if (f16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/* s (RB, TB) = the dots of RB rows of w (ld in) with TB rows of x (ld in). */
A512 INLINE void block512(int f16, int RB, int TB, const uint16_t *w, const float *x, int in,
                          float *s) {
    __m512 a0[2][4], a1[2][4];
#pragma GCC unroll 8
    for (int r = 0; r < RB; r++)
#pragma GCC unroll 8
        for (int j = 0; j < TB; j++)
            a0[r][j] = _mm512_setzero_ps(), a1[r][j] = _mm512_setzero_ps();
    int i = 0;
    for (; i + 32 <= in; i += 32) {
        __m512 w0[2], w1[2];
#pragma GCC unroll 8
        for (int r = 0; r < RB; r++) {
            if (f16) {
                w0[r] = load16_512(f16, w + (size_t)r * in + i);
                w1[r] = load16_512(f16, w + (size_t)r * in + i + 16);
            } else { /* even elements to w0, odd to w1: x comes split alike */
                __m512i v = _mm512_loadu_si512(w + (size_t)r * in + i);
                w0[r] = _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
                w1[r] = _mm512_castsi512_ps(_mm512_and_si512(v, _mm512_set1_epi32(-65536)));
            }
        }
#pragma GCC unroll 8
        for (int j = 0; j < TB; j++) {
            __m512 x0 = _mm512_loadu_ps(x + (size_t)j * in + i);
            __m512 x1 = _mm512_loadu_ps(x + (size_t)j * in + i + 16);
#pragma GCC unroll 8
            for (int r = 0; r < RB; r++) {
                a0[r][j] = _mm512_fmadd_ps(w0[r], x0, a0[r][j]);
                a1[r][j] = _mm512_fmadd_ps(w1[r], x1, a1[r][j]);
            }
        }
    }
    if (i + 16 <= in) {
#pragma GCC unroll 8
        for (int r = 0; r < RB; r++) {
            __m512 wv = load16_512(f16, w + (size_t)r * in + i);
#pragma GCC unroll 8
            for (int j = 0; j < TB; j++)
                a0[r][j] = _mm512_fmadd_ps(wv, _mm512_loadu_ps(x + (size_t)j * in + i), a0[r][j]);
        }
        i += 16;
    }
    if (i < in) {
        __mmask16 m = (__mmask16)((1u << (in - i)) - 1u);
#pragma GCC unroll 8
        for (int r = 0; r < RB; r++) {
            __m512 wv = load16_512_mask(f16, w + (size_t)r * in + i, m);
#pragma GCC unroll 8
            for (int j = 0; j < TB; j++)
                a1[r][j] =
                    _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(m, x + (size_t)j * in + i), a1[r][j]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < RB; r++)
#pragma GCC unroll 8
        for (int j = 0; j < TB; j++)
            s[r * TB + j] = _mm512_reduce_add_ps(_mm512_add_ps(a0[r][j], a1[r][j]));
}

/* One block of RB rows from o and TB tokens from t, stored into y. */
#define BLOCK512(RB, TB)                                                                           \
    do {                                                                                           \
        float s_[8];                                                                               \
        block512(f16, RB, TB, w + (size_t)o * in, x + (size_t)t * in, in, s_);                     \
        store_block(y, s_, RB, TB, o, t, out, beta);                                               \
    } while (0)

/* Rows o.. (RB of them) for every token: blocks of 4 tokens, then the rest. */
#define ROWS512(RB)                                                                                \
    do {                                                                                           \
        int t = 0;                                                                                 \
        for (; t + 4 <= T; t += 4)                                                                 \
            BLOCK512(RB, 4);                                                                       \
        if (T - t == 3)                                                                            \
            BLOCK512(RB, 3);                                                                       \
        else if (T - t == 2)                                                                       \
            BLOCK512(RB, 2);                                                                       \
        else if (T - t == 1)                                                                       \
            BLOCK512(RB, 1);                                                                       \
    } while (0)

A512 INLINE void rows512(int f16, float *y, const float *x, const uint16_t *w, int T, int in,
                         int out, float beta, int r0, int r1) {
    int o = r0;
    /* More than one token, or rows longer than L1 holds x for (4096
     * floats): two rows share each load of x. One token of short rows: one
     * row at a time (one memory stream per thread measured faster). On the
     * 2-core machine, 4096 x 11008 BF16 at T = 1 streamed 15.5 GB/s a row at
     * a time and 25 GB/s two at a time; the other shapes within noise or a
     * little slower two at a time. */
    if (T > 1 || in > GEMV16_L1_FLOATS)
        for (; o + 2 <= r1; o += 2)
            ROWS512(2);
    for (; o < r1; o++)
        ROWS512(1);
}

/* x (T, in) with each whole 32 of a row split as the BF16 main loop reads W:
 * its 16 even elements, then its 16 odd ones; the tail as it is. The buffer
 * is the calling thread's, reused by its next call. */
static const float *split_even_odd(const float *x, int T, int in) {
    static _Thread_local float *buf;
    static _Thread_local size_t cap;
    size_t need = (size_t)T * in;
    if (need > cap) {
        free(buf);
        buf = xalloc_floats(need);
        cap = need;
    }
    int whole = in - in % 32;
    for (int t = 0; t < T; t++) {
        const float *src = x + (size_t)t * in;
        float *dst = buf + (size_t)t * in;
        for (int i = 0; i < whole; i += 32)
            for (int j = 0; j < 16; j++)
                dst[i + j] = src[i + 2 * j], dst[i + 16 + j] = src[i + 2 * j + 1];
        memcpy(dst + whole, src + whole, (size_t)(in - whole) * sizeof *dst);
    }
    return buf;
}

A512 static void rows_avx512(Dtype d, float *y, const float *x, const uint16_t *w, int T, int in,
                             int out, float beta, int r0, int r1) {
    if (d == DTYPE_F16)
        rows512(1, y, x, w, T, in, out, beta, r0, r1);
    else
        rows512(0, y, x, w, T, in, out, beta, r0, r1);
}

/* ---- AVX2 + FMA + F16C ---- */
#define A256 __attribute__((target("avx2,fma,f16c")))

/* The first n (< 8) values at p as float32, the others 0. */
A256 INLINE __m256 load8_256_part(Dtype d, const uint16_t *p, int n) {
    uint16_t tmp[8] = {0};
    memcpy(tmp, p, (size_t)n * sizeof *p);
    return dtype_load8_avx2(d, tmp);
}
A256 INLINE __m256 loadf8_part(const float *p, int n) {
    float tmp[8] = {0};
    memcpy(tmp, p, (size_t)n * sizeof *p);
    return _mm256_loadu_ps(tmp);
}

A256 INLINE float hsum256(__m256 a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* s (RB, TB) as block512, 8 lanes. */
A256 INLINE void block256(Dtype d, int RB, int TB, const uint16_t *w, const float *x, int in,
                          float *s) {
    __m256 a0[2][2], a1[2][2];
#pragma GCC unroll 4
    for (int r = 0; r < RB; r++)
#pragma GCC unroll 4
        for (int j = 0; j < TB; j++)
            a0[r][j] = _mm256_setzero_ps(), a1[r][j] = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= in; i += 16) {
        __m256 w0[2], w1[2];
#pragma GCC unroll 4
        for (int r = 0; r < RB; r++) {
            w0[r] = dtype_load8_avx2(d, w + (size_t)r * in + i);
            w1[r] = dtype_load8_avx2(d, w + (size_t)r * in + i + 8);
        }
#pragma GCC unroll 4
        for (int j = 0; j < TB; j++) {
            __m256 x0 = _mm256_loadu_ps(x + (size_t)j * in + i);
            __m256 x1 = _mm256_loadu_ps(x + (size_t)j * in + i + 8);
#pragma GCC unroll 4
            for (int r = 0; r < RB; r++) {
                a0[r][j] = _mm256_fmadd_ps(w0[r], x0, a0[r][j]);
                a1[r][j] = _mm256_fmadd_ps(w1[r], x1, a1[r][j]);
            }
        }
    }
    if (i + 8 <= in) {
#pragma GCC unroll 4
        for (int r = 0; r < RB; r++) {
            __m256 wv = dtype_load8_avx2(d, w + (size_t)r * in + i);
#pragma GCC unroll 4
            for (int j = 0; j < TB; j++)
                a0[r][j] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x + (size_t)j * in + i), a0[r][j]);
        }
        i += 8;
    }
    if (i < in) {
#pragma GCC unroll 4
        for (int r = 0; r < RB; r++) {
            __m256 wv = load8_256_part(d, w + (size_t)r * in + i, in - i);
#pragma GCC unroll 4
            for (int j = 0; j < TB; j++)
                a1[r][j] =
                    _mm256_fmadd_ps(wv, loadf8_part(x + (size_t)j * in + i, in - i), a1[r][j]);
        }
    }
#pragma GCC unroll 4
    for (int r = 0; r < RB; r++)
#pragma GCC unroll 4
        for (int j = 0; j < TB; j++)
            s[r * TB + j] = hsum256(_mm256_add_ps(a0[r][j], a1[r][j]));
}

#define BLOCK256(RB, TB)                                                                           \
    do {                                                                                           \
        float s_[4];                                                                               \
        block256(d, RB, TB, w + (size_t)o * in, x + (size_t)t * in, in, s_);                       \
        store_block(y, s_, RB, TB, o, t, out, beta);                                               \
    } while (0)

#define ROWS256(RB)                                                                                \
    do {                                                                                           \
        int t = 0;                                                                                 \
        for (; t + 2 <= T; t += 2)                                                                 \
            BLOCK256(RB, 2);                                                                       \
        if (t < T) BLOCK256(RB, 1);                                                                \
    } while (0)

A256 INLINE void rows256(Dtype d, float *y, const float *x, const uint16_t *w, int T, int in,
                         int out, float beta, int r0, int r1) {
    int o = r0;
    for (; o + 2 <= r1; o += 2)
        ROWS256(2);
    if (o < r1) ROWS256(1);
}

A256 static void rows_avx2(Dtype d, float *y, const float *x, const uint16_t *w, int T, int in,
                           int out, float beta, int r0, int r1) {
    if (d == DTYPE_F16)
        rows256(DTYPE_F16, y, x, w, T, in, out, beta, r0, r1);
    else
        rows256(DTYPE_BF16, y, x, w, T, in, out, beta, r0, r1);
}

/* ---- scalar ---- */
static void rows_scalar(Dtype d, float *y, const float *x, const uint16_t *w, int T, int in,
                        int out, float beta, int r0, int r1) {
    for (int o = r0; o < r1; o++)
        for (int t = 0; t < T; t++) {
            const uint16_t *wr = w + (size_t)o * in;
            const float *xr = x + (size_t)t * in;
            float v = 0.0f;
            for (int i = 0; i < in; i++)
                v += dtype_half_to_f32(d, wr[i]) * xr[i];
            store_block(y, &v, 1, 1, o, t, out, beta);
        }
}

/* ---- dispatch ---- */
static int cpu_has_avx512(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && dtype_cpu_has_avx2();
}
static const CpuVersion versions[] = {
    {"avx512", cpu_has_avx512},
    {"avx2", dtype_cpu_has_avx2},
    {"scalar", cpu_has_any},
};
static const RowsFn kernels[] = {rows_avx512, rows_avx2, rows_scalar}; /* parallel to versions */
static CpuChoice choice = CPU_CHOICE(versions);

const char *gemv16_kernel(void) {
    return versions[cpu_choice_index(&choice)].name;
}

int gemv16_use_kernel(const char *name) {
    return cpu_choice_use(&choice, name);
}

void gemv16(float *y, const float *x, const uint16_t *w, Dtype d, int T, int in, int out,
            float beta, int threads) {
    RowsFn rows = kernels[cpu_choice_index(&choice)];
    /* The AVX-512 kernel reads BF16 rows even and odd elements apart. */
    if (d == DTYPE_BF16 && rows == rows_avx512) x = split_even_odd(x, T, in);
    int n = threads > 0 ? threads : 1;
    if (n > (out + 1) / 2) n = (out + 1) / 2;
    if (n < 1) n = 1;
    /* One contiguous slice of rows per thread, an even count but the last. */
    int slice = ((out + n - 1) / n + 1) & ~1;
    if (n == 1) {
        rows(d, y, x, w, T, in, out, beta, 0, out);
        return;
    }
#pragma omp parallel num_threads(n)
    {
        int k = omp_get_thread_num();
        int r0 = k * slice, r1 = r0 + slice < out ? r0 + slice : out;
        if (r0 < r1) rows(d, y, x, w, T, in, out, beta, r0, r1);
    }
}
