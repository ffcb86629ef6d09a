/* gemv.c: see gemv.h. */
#include "compute/gemv.h"

#include <immintrin.h>
#include <omp.h>
#include <stddef.h>

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

/* The fastest dot product this CPU runs, asked once. */
static DotFn dot_for_cpu(const char **name) {
    static DotFn fn;
    static const char *fn_name;
    if (!fn) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f"))
            fn = dot_avx512, fn_name = "avx512";
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            fn = dot_avx2, fn_name = "avx2";
        else
            fn = dot_scalar, fn_name = "scalar";
    }
    if (name) *name = fn_name;
    return fn;
}

const char *gemv_f32_kernel(void) {
    const char *name;
    dot_for_cpu(&name);
    return name;
}

void gemv_f32(float *y, const float *x, const float *w, int T, int in, int out, float beta,
              int threads) {
    DotFn dot = dot_for_cpu(NULL);
    /* Row o of W stays in cache while the T rows of x use it. */
#pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(static)
    for (int o = 0; o < out; o++)
        for (int t = 0; t < T; t++) {
            float v = dot(w + (size_t)o * in, x + (size_t)t * in, in);
            float *dst = y + (size_t)t * out + o;
            *dst = beta == 0.0f ? v : v + beta * *dst;
        }
}
