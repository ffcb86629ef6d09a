/* kernels.h: the numeric building blocks of a Llama layer, over all T tokens
 * of a canvas at once. Row-major everywhere; shapes in the comments. */
#ifndef PAINTERS_KERNELS_H
#define PAINTERS_KERNELS_H

#include <stddef.h>

#include "formats/model_config.h"

/* y (T, out) = x (T, in) @ W^T + beta * y, W (out, in) as stored by HF. */
void matmul_xwt(float *y, const float *x, const float *w, int T, int in, int out, float beta);

/* out (T, D) = x / sqrt(mean(x^2) + eps) * weight (D), row by row. out may be x. */
void rmsnorm(float *out, const float *x, const float *weight, int T, int D, float eps);

/* out (T, D) = (x - mean) / sqrt(var + eps) * weight + bias (D), row by row,
 * mean and (biased) variance of the row summed in double. out may be x. */
void layernorm(float *out, const float *x, const float *weight, const float *bias, int T, int D,
               float eps);

/* x (n) <- GELU(x) = 0.5 x (1 + erf(x / sqrt 2)), the exact form (erff). */
void gelu_erf(float *x, size_t n);

/* Adds bias (n) to each of the T rows of x (T, n). */
void add_bias_rows(float *x, const float *bias, int T, int n);

/* g (T, F) = silu(g) * u = g / (1 + e^-g) * u, computed as g sigmoid(g) u
 * with e^-|g| (no overflow). With AVX-512F, else AVX2 + FMA, e^x is a
 * polynomial (kernels.c): the two agree bit for bit, and every result is
 * within 3 ulp of silu(g) u in exact arithmetic for g >= -87 (below, where
 * e^g is subnormal in float32, within 2^-140); test_kernels checks every
 * 64th float32. Scalar (libm's expf) without those. */
void silu_mul(float *g, const float *u, size_t n);
/* Makes silu_mul use kernel "avx512", "avx2" or "scalar" (for tests and
 * benchmarks); 0 when this CPU lacks it. */
int silu_mul_use_kernel(const char *name);

/* Numerically stable in-place softmax of n values. */
void softmax_inplace(float *x, int n);

/* log_softmax of logits (V) evaluated at one index (the log-prob of token
 * `index`), accumulated and returned in double. */
double log_softmax_at(const float *logits, int V, int index);

/* Rotary position embedding tables: cos/sin (n_pos, head_dim/2), computed as
 * Hugging Face does in float32 (inv_freq with Llama-3 scaling when configured,
 * angle = float(pos) * inv_freq). Grown on demand; owns its buffers. */
typedef struct {
    int half;         /* head_dim / 2 */
    int n_pos;        /* positions tabulated */
    float *inv_freq;  /* (half) */
    float *cos, *sin; /* (n_pos, half) */
    RopeLayout layout;
} RopeTable;

void rope_table_init(RopeTable *r, const ModelConfig *c);
void rope_table_free(RopeTable *r);
/* Ensures positions [0, n_pos) are tabulated. */
void rope_table_reserve(RopeTable *r, int n_pos);
/* Rotates the n_heads heads of x (T, n_heads * head_dim) in place; token t is
 * at position pos[t]. */
void rope_apply(const RopeTable *r, float *x, int T, int n_heads, const int *pos);

#endif
