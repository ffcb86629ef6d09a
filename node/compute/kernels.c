/* kernels.c: see kernels.h. Matrix products go through cblas_sgemm. */
#include "compute/kernels.h"

#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/cpu_choice.h"

void matmul_xwt(float *y, const float *x, const float *w, int T, int in, int out, float beta) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, out, in, 1.0f, x, in, w, in, beta, y,
                out);
}

/* The plain C of rmsnorm, compiled once per instruction set below: the sum
 * of squares in 8 double partial sums (lane j takes elements 8k + j, then
 * the partial sums in order, then the tail), which the compiler turns into
 * vector lanes without reordering anything, so every build and every CPU
 * gives the same bits. */
static inline __attribute__((always_inline)) void
rmsnorm_body(float *out, const float *x, const float *weight, int T, int D, float eps) {
    for (int t = 0; t < T; t++) {
        const float *xr = x + (size_t)t * D;
        float *orow = out + (size_t)t * D;
        double part[8] = {0};
        int i = 0;
        for (; i + 8 <= D; i += 8)
            for (int j = 0; j < 8; j++)
                part[j] += (double)xr[i + j] * xr[i + j];
        double ss = 0.0;
        for (int j = 0; j < 8; j++)
            ss += part[j];
        for (; i < D; i++)
            ss += (double)xr[i] * xr[i];
        float inv = 1.0f / sqrtf((float)(ss / D) + eps);
        for (int k = 0; k < D; k++)
            orow[k] = weight[k] * (xr[k] * inv);
    }
}

__attribute__((target("avx512f"))) static void
rmsnorm_avx512(float *out, const float *x, const float *weight, int T, int D, float eps) {
    rmsnorm_body(out, x, weight, T, D, eps);
}
__attribute__((target("avx2"))) static void
rmsnorm_avx2(float *out, const float *x, const float *weight, int T, int D, float eps) {
    rmsnorm_body(out, x, weight, T, D, eps);
}
static void rmsnorm_base(float *out, const float *x, const float *weight, int T, int D, float eps) {
    rmsnorm_body(out, x, weight, T, D, eps);
}

void rmsnorm(float *out, const float *x, const float *weight, int T, int D, float eps) {
    if (__builtin_cpu_supports("avx512f"))
        rmsnorm_avx512(out, x, weight, T, D, eps);
    else if (__builtin_cpu_supports("avx2"))
        rmsnorm_avx2(out, x, weight, T, D, eps);
    else
        rmsnorm_base(out, x, weight, T, D, eps);
}

void layernorm(float *out, const float *x, const float *weight, const float *bias, int T, int D,
               float eps) {
    for (int t = 0; t < T; t++) {
        const float *row = x + (size_t)t * D;
        float *o = out + (size_t)t * D;
        double sum = 0.0, sq = 0.0;
        for (int i = 0; i < D; i++)
            sum += row[i];
        double mean = sum / D;
        for (int i = 0; i < D; i++) {
            double d = row[i] - mean;
            sq += d * d;
        }
        float inv = (float)(1.0 / sqrt(sq / D + (double)eps)), m = (float)mean;
        for (int i = 0; i < D; i++)
            o[i] = (row[i] - m) * inv * weight[i] + bias[i];
    }
}

void gelu_erf(float *x, size_t n) {
    const float inv_sqrt2 = 0.70710678118654752f;
    for (size_t i = 0; i < n; i++)
        x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * inv_sqrt2));
}

void add_bias_rows(float *x, const float *bias, int T, int n) {
    for (int t = 0; t < T; t++)
        for (int i = 0; i < n; i++)
            x[(size_t)t * n + i] += bias[i];
}

/* silu_mul's exp for x <= 0: e^x = 2^n e^r, n = round(x / ln 2), r = x - n ln 2
 * (in two parts, Cody-Waite), e^r by Cephes' degree-7 polynomial of expf; x
 * clamped below at -104.5, where n = -151 and e^x rounds to 0 as it should. */
#define EXP_LO -104.5f
#define EXP_POLY(FMA, SET, r)                                                                      \
    FMA(FMA(FMA(FMA(FMA(FMA(SET(1.9875691500e-4f), r, SET(1.3981999507e-3f)), r,                   \
                        SET(8.3334519073e-3f)),                                                    \
                    r, SET(4.1665795894e-2f)),                                                     \
                r, SET(1.6666665459e-1f)),                                                         \
            r, SET(5.0000001201e-1f)),                                                             \
        r, SET(1.0f))

__attribute__((target("avx512f"))) static inline __m512 exp_avx512(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(EXP_LO));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504089f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = EXP_POLY(_mm512_fmadd_ps, _mm512_set1_ps, r);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f)); /* 1 + r (1 + r/2 + ...) */
    return _mm512_scalef_ps(p, n);                   /* p 2^n, subnormal or 0 below */
}

/* The same, 8 lanes; 2^n (n in [-151, 0]) as the product of two normal
 * powers of 2, so that subnormal results round once. */
__attribute__((target("avx2,fma"))) static inline __m256 exp_avx2(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(EXP_LO));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504089f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = EXP_POLY(_mm256_fmadd_ps, _mm256_set1_ps, r);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    __m256 s1 =
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, _mm256_set1_epi32(127)), 23));
    __m256 s2 =
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

/* silu(g) u = g sigmoid(g) u, with s = e^-|g| (never overflows): sigmoid(g)
 * is 1 / (1 + s) for g >= 0, s / (1 + s) below. 16 lanes; the tail masked,
 * so every element takes the same arithmetic wherever it falls. */
__attribute__((target("avx512f"))) static void silu_mul_avx512(float *g, const float *u, size_t n) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1u);
        __m512 v = _mm512_maskz_loadu_ps(m, g + i);
        __m512 a = _mm512_castsi512_ps(
            _mm512_or_si512(_mm512_castps_si512(v), _mm512_set1_epi32((int)0x80000000u)));
        __m512 e = exp_avx512(a); /* a = -|v| */
        __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
        __m512 sig = _mm512_div_ps(_mm512_mask_blend_ps(neg, one, e), _mm512_add_ps(one, e));
        __m512 r = _mm512_mul_ps(_mm512_mul_ps(v, sig), _mm512_maskz_loadu_ps(m, u + i));
        _mm512_mask_storeu_ps(g + i, m, r);
    }
}

/* The same, 8 lanes; the tail through a zero-padded copy. */
__attribute__((target("avx2,fma"))) static void silu_mul_avx2(float *g, const float *u, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (size_t i = 0; i < n; i += 8) {
        float gt[8] = {0}, ut[8] = {0};
        size_t k = n - i >= 8 ? 8 : n - i;
        float *gp = g + i;
        const float *up = u + i;
        if (k < 8) {
            memcpy(gt, gp, k * sizeof *gt), memcpy(ut, up, k * sizeof *ut);
            gp = gt, up = ut;
        }
        __m256 v = _mm256_loadu_ps(gp);
        __m256 e = exp_avx2(_mm256_or_ps(v, _mm256_set1_ps(-0.0f))); /* e^-|v| */
        __m256 neg = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
        __m256 sig = _mm256_div_ps(_mm256_blendv_ps(one, e, neg), _mm256_add_ps(one, e));
        _mm256_storeu_ps(gp, _mm256_mul_ps(_mm256_mul_ps(v, sig), _mm256_loadu_ps(up)));
        if (k < 8) memcpy(g + i, gt, k * sizeof *gt);
    }
}

/* The same with libm's expf. */
static void silu_mul_scalar(float *g, const float *u, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = g[i], e = expf(-fabsf(v));
        g[i] = v * ((v < 0.0f ? e : 1.0f) / (1.0f + e)) * u[i];
    }
}

/* silu_mul's kernels, fastest first, with what the CPU needs for each. */
static const CpuVersion silu_versions[] = {
    {"avx512", cpu_has_avx512f},
    {"avx2", cpu_has_avx2_fma},
    {"scalar", cpu_has_any},
};
static void (*const silu_kernels[])(float *g, const float *u, size_t n) = {
    silu_mul_avx512, silu_mul_avx2, silu_mul_scalar}; /* parallel to silu_versions */
static CpuChoice silu_choice = CPU_CHOICE(silu_versions);

int silu_mul_use_kernel(const char *name) {
    return cpu_choice_use(&silu_choice, name);
}

void silu_mul(float *g, const float *u, size_t n) {
    silu_kernels[cpu_choice_index(&silu_choice)](g, u, n);
}

void softmax_inplace(float *x, int n) {
    float m = -INFINITY;
    for (int i = 0; i < n; i++)
        m = x[i] > m ? x[i] : m;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - m);
        sum += x[i];
    }
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < n; i++)
        x[i] *= inv;
}

double log_softmax_at(const float *logits, int V, int index) {
    float m = -INFINITY;
    for (int i = 0; i < V; i++)
        m = logits[i] > m ? logits[i] : m;
    double sum = 0.0;
    for (int i = 0; i < V; i++)
        sum += exp((double)logits[i] - m);
    return (double)logits[index] - m - log(sum);
}

/* Llama-3 frequency scaling, as Hugging Face's "llama3" rope type. */
static float rope_llama3_scale(const ModelConfig *c, float inv_freq) {
    const double pi = 3.14159265358979323846;
    float factor = c->rope_scaling_factor;
    float old_ctx = (float)c->rope_original_max_pos;
    float low_wavelen = old_ctx / c->rope_low_freq_factor;
    float high_wavelen = old_ctx / c->rope_high_freq_factor;
    float wavelen = (float)(2.0 * pi) / inv_freq;
    if (wavelen > low_wavelen) return inv_freq / factor;
    if (wavelen < high_wavelen) return inv_freq;
    float smooth = (old_ctx / wavelen - c->rope_low_freq_factor) /
                   (c->rope_high_freq_factor - c->rope_low_freq_factor);
    return (1.0f - smooth) * inv_freq / factor + smooth * inv_freq;
}

void rope_table_init(RopeTable *r, const ModelConfig *c) {
    memset(r, 0, sizeof *r);
    r->half = c->head_dim / 2;
    r->layout = c->rope_layout;
    if (c->n_rope_freqs != 0 && c->n_rope_freqs != r->half)
        die_runtime("rope table: %d frequency factors for a head of %d", c->n_rope_freqs,
                    c->head_dim);
    r->inv_freq = xalloc_floats((size_t)r->half);
    for (int i = 0; i < r->half; i++) {
        float expo = (float)(2 * i) / (float)c->head_dim;
        float f = 1.0f / powf(c->rope_theta, expo);
        if (c->n_rope_freqs > 0)
            r->inv_freq[i] = f / c->rope_freqs[i]; /* GGUF rope_freqs, as llama.cpp divides */
        else
            r->inv_freq[i] = c->rope_scaling_factor > 0.0f ? rope_llama3_scale(c, f) : f;
    }
}

void rope_table_free(RopeTable *r) {
    if (!r) return;
    free(r->inv_freq);
    free(r->cos);
    free(r->sin);
    memset(r, 0, sizeof *r);
}

void rope_table_reserve(RopeTable *r, int n_pos) {
    if (n_pos <= r->n_pos) return;
    int cap = r->n_pos ? r->n_pos : 64;
    while (cap < n_pos)
        cap *= 2;
    size_t n = mul_size_checked((size_t)cap, (size_t)r->half, "rope table");
    r->cos = xrealloc(r->cos, n * sizeof(float));
    r->sin = xrealloc(r->sin, n * sizeof(float));
    for (int p = r->n_pos; p < cap; p++)
        for (int i = 0; i < r->half; i++) {
            float angle = (float)p * r->inv_freq[i];
            r->cos[(size_t)p * r->half + i] = cosf(angle);
            r->sin[(size_t)p * r->half + i] = sinf(angle);
        }
    r->n_pos = cap;
}

/* The plain C of rope_apply, compiled once per instruction set below (its
 * loops are elementwise: the vector lanes do exactly what the scalar code
 * does). */
static inline __attribute__((always_inline)) void rope_body(const RopeTable *r, float *x, int T,
                                                            int n_heads, const int *pos) {
    int half = r->half, hd = 2 * half;
    for (int t = 0; t < T; t++) {
        const float *cs = r->cos + (size_t)pos[t] * half;
        const float *sn = r->sin + (size_t)pos[t] * half;
        for (int h = 0; h < n_heads; h++) {
            float *v = x + ((size_t)t * n_heads + h) * hd;
            if (r->layout == ROPE_ROTATE_HALF) {
                for (int i = 0; i < half; i++) {
                    float a = v[i], b = v[i + half];
                    v[i] = a * cs[i] - b * sn[i];
                    v[i + half] = b * cs[i] + a * sn[i];
                }
            } else {
                for (int i = 0; i < half; i++) {
                    float a = v[2 * i], b = v[2 * i + 1];
                    v[2 * i] = a * cs[i] - b * sn[i];
                    v[2 * i + 1] = a * sn[i] + b * cs[i];
                }
            }
        }
    }
}

__attribute__((target("avx512f"))) static void rope_avx512(const RopeTable *r, float *x, int T,
                                                           int n_heads, const int *pos) {
    rope_body(r, x, T, n_heads, pos);
}
__attribute__((target("avx2"))) static void rope_avx2(const RopeTable *r, float *x, int T,
                                                      int n_heads, const int *pos) {
    rope_body(r, x, T, n_heads, pos);
}
static void rope_base(const RopeTable *r, float *x, int T, int n_heads, const int *pos) {
    rope_body(r, x, T, n_heads, pos);
}

void rope_apply(const RopeTable *r, float *x, int T, int n_heads, const int *pos) {
    if (__builtin_cpu_supports("avx512f"))
        rope_avx512(r, x, T, n_heads, pos);
    else if (__builtin_cpu_supports("avx2"))
        rope_avx2(r, x, T, n_heads, pos);
    else
        rope_base(r, x, T, n_heads, pos);
}
