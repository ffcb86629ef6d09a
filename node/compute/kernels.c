/* kernels.c: see kernels.h. Matrix products go through cblas_sgemm. */
#include "compute/kernels.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void matmul_xwt(float *y, const float *x, const float *w, int T, int in, int out, float beta) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, out, in, 1.0f, x, in, w, in, beta, y,
                out);
}

void rmsnorm(float *out, const float *x, const float *weight, int T, int D, float eps) {
    for (int t = 0; t < T; t++) {
        const float *xr = x + (size_t)t * D;
        float *orow = out + (size_t)t * D;
        double ss = 0.0;
        for (int i = 0; i < D; i++)
            ss += (double)xr[i] * xr[i];
        float inv = 1.0f / sqrtf((float)(ss / D) + eps);
        for (int i = 0; i < D; i++)
            orow[i] = weight[i] * (xr[i] * inv);
    }
}

void add_bias_rows(float *x, const float *bias, int T, int n) {
    for (int t = 0; t < T; t++)
        for (int i = 0; i < n; i++)
            x[(size_t)t * n + i] += bias[i];
}

void silu_mul(float *g, const float *u, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = g[i];
        g[i] = v / (1.0f + expf(-v)) * u[i];
    }
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
    r->inv_freq = xalloc_floats((size_t)r->half);
    for (int i = 0; i < r->half; i++) {
        float expo = (float)(2 * i) / (float)c->head_dim;
        float f = 1.0f / powf(c->rope_theta, expo);
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

void rope_apply(const RopeTable *r, float *x, int T, int n_heads, const int *pos) {
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
