/* gemv.c: see gemv.h. */
#include "compute/gemv.h"
#include "compute/cpu_choice.h"

#include <immintrin.h>
#include <omp.h>
#include <stddef.h>
#include <string.h>

/* A dot product of n floats: w (n) . x (n). */
typedef float (*DotFn)(const float *w, const float *x, int n);

__attribute__((target("avx512f"))) static float dot_avx512(const float *w, const float *x, int n) {
    /* Four accumulators keep four FMA chains in flight while rows stream in. */
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    __m512 a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i), _mm512_loadu_ps(x + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i + 16), _mm512_loadu_ps(x + i + 16), a1);
        a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i + 32), _mm512_loadu_ps(x + i + 32), a2);
        a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i + 48), _mm512_loadu_ps(x + i + 48), a3);
    }
    for (; i + 16 <= n; i += 16)
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i), _mm512_loadu_ps(x + i), a0);
    if (i < n) { /* the last n - i < 16 floats, masked */
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + i), _mm512_maskz_loadu_ps(m, x + i), a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

/* dot_avx512 for TB rows of x (ld n) at once, each summed in exactly
 * dot_avx512's order (so the same bits): one load of w serves TB tokens. */
__attribute__((target("avx512f"))) static inline __attribute__((always_inline)) void
dots_avx512(const float *w, const float *x, int n, int TB, float *s) {
    __m512 a[4][4];
#pragma GCC unroll 4
    for (int j = 0; j < TB; j++)
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++)
            a[j][k] = _mm512_setzero_ps();
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512 w0 = _mm512_loadu_ps(w + i), w1 = _mm512_loadu_ps(w + i + 16);
        __m512 w2 = _mm512_loadu_ps(w + i + 32), w3 = _mm512_loadu_ps(w + i + 48);
#pragma GCC unroll 4
        for (int j = 0; j < TB; j++) {
            const float *xj = x + (size_t)j * n + i;
            a[j][0] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(xj), a[j][0]);
            a[j][1] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(xj + 16), a[j][1]);
            a[j][2] = _mm512_fmadd_ps(w2, _mm512_loadu_ps(xj + 32), a[j][2]);
            a[j][3] = _mm512_fmadd_ps(w3, _mm512_loadu_ps(xj + 48), a[j][3]);
        }
    }
    for (; i + 16 <= n; i += 16) {
        __m512 wv = _mm512_loadu_ps(w + i);
#pragma GCC unroll 4
        for (int j = 0; j < TB; j++)
            a[j][0] = _mm512_fmadd_ps(wv, _mm512_loadu_ps(x + (size_t)j * n + i), a[j][0]);
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        __m512 wv = _mm512_maskz_loadu_ps(m, w + i);
#pragma GCC unroll 4
        for (int j = 0; j < TB; j++)
            a[j][1] = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(m, x + (size_t)j * n + i), a[j][1]);
    }
#pragma GCC unroll 4
    for (int j = 0; j < TB; j++)
        s[j] = _mm512_reduce_add_ps(
            _mm512_add_ps(_mm512_add_ps(a[j][0], a[j][1]), _mm512_add_ps(a[j][2], a[j][3])));
}

/* Row o of W against all T rows of x, 4 at a time, into y (T, out). */
__attribute__((target("avx512f"))) static void
row_avx512(float *y, const float *x, const float *wr, int T, int in, int out, int o, float beta) {
    float s[4];
    int t = 0, tb = 0;
    for (; t < T; t += tb) {
        tb = T - t >= 4 ? 4 : T - t;
        const float *xt = x + (size_t)t * in;
        if (tb == 4)
            dots_avx512(wr, xt, in, 4, s);
        else if (tb == 3)
            dots_avx512(wr, xt, in, 3, s);
        else if (tb == 2)
            dots_avx512(wr, xt, in, 2, s);
        else
            dots_avx512(wr, xt, in, 1, s);
        for (int j = 0; j < tb; j++) {
            float *dst = y + (size_t)(t + j) * out + o;
            *dst = beta == 0.0f ? s[j] : s[j] + beta * *dst;
        }
    }
}

__attribute__((target("avx2,fma"))) static float dot_avx2(const float *w, const float *x, int n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8)
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
    __m256 a = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    float r = _mm_cvtss_f32(s);
    for (; i < n; i++)
        r += w[i] * x[i];
    return r;
}

static float dot_scalar(const float *w, const float *x, int n) {
    float r = 0.0f;
    for (int i = 0; i < n; i++)
        r += w[i] * x[i];
    return r;
}

/* The kernels, fastest first, with what the CPU needs for each. */
static const CpuVersion versions[] = {
    {"avx512", cpu_has_avx512f},
    {"avx2", cpu_has_avx2_fma},
    {"scalar", cpu_has_any},
};
static const DotFn dots[] = {dot_avx512, dot_avx2, dot_scalar}; /* parallel to versions */
static CpuChoice choice = CPU_CHOICE(versions);

const char *gemv_f32_kernel(void) {
    return versions[cpu_choice_index(&choice)].name;
}

int gemv_f32_use_kernel(const char *name) {
    return cpu_choice_use(&choice, name);
}

void gemv_f32(float *y, const float *x, const float *w, int T, int in, int out, float beta,
              int threads) {
    DotFn dot = dots[cpu_choice_index(&choice)];
    if (dot == dot_avx512) { /* one load of W for 4 tokens, dot_avx512's order */
#pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(static)
        for (int o = 0; o < out; o++)
            row_avx512(y, x, w + (size_t)o * in, T, in, out, o, beta);
        return;
    }
    /* Row o of W stays in cache while the T rows of x use it. */
#pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(static)
    for (int o = 0; o < out; o++)
        for (int t = 0; t < T; t++) {
            float v = dot(w + (size_t)o * in, x + (size_t)t * in, in);
            float *dst = y + (size_t)t * out + o;
            *dst = beta == 0.0f ? v : v + beta * *dst;
        }
}
