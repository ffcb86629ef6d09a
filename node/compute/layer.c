/* layer.c: see layer.h. */
#include "compute/layer.h"

#include "compute/attention.h"
#include "compute/matmul.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static void scratch_reserve(LayerScratch *s, const ModelConfig *c, int T) {
    size_t qd = (size_t)c->n_heads * c->head_dim;
    if ((size_t)T > s->cap_tokens) {
        size_t cap = s->cap_tokens ? s->cap_tokens : 16;
        while (cap < (size_t)T)
            cap *= 2;
        free(s->xn), free(s->q), free(s->att), free(s->gate), free(s->up), free(s->pos);
        s->xn = xalloc_floats(cap * c->dim);
        s->q = xalloc_floats(cap * qd);
        s->att = xalloc_floats(cap * qd);
        s->gate = xalloc_floats(cap * c->hidden_dim);
        s->up = xalloc_floats(cap * c->hidden_dim);
        s->pos = xmalloc(cap * sizeof(int));
        s->cap_tokens = cap;
    }
    size_t need = attention_work_floats(c);
    if (need > s->cap_scores) {
        free(s->scores);
        s->scores = xalloc_floats(need);
        s->cap_scores = need;
    }
}

void layer_scratch_free(LayerScratch *s) {
    if (!s) return;
    free(s->xn), free(s->q), free(s->att), free(s->scores), free(s->gate), free(s->up),
        free(s->pos);
    free(s->kbuf), free(s->vbuf);
    memset(s, 0, sizeof *s);
}

static int segment_prefix(const CanvasShape *shape, int k) {
    return shape->prefix_len ? shape->prefix_len[k] : 0;
}

/* Attention of packed sequence k: over its own rows, after the rows of the
 * prefix it shares with an earlier sequence (gathered into one key block). */
static void attend_segment(const ModelConfig *c, const CanvasShape *shape, int k, const KVCache *kv,
                           LayerScratch *s) {
    int qd = c->n_heads * c->head_dim, kvd = kv->kv_dim;
    size_t a = (size_t)shape->start[k];
    int n = shape->start[k + 1] - shape->start[k], np = segment_prefix(shape, k);
    const float *kk = kv->k + a * kvd, *vv = kv->v + a * kvd;
    if (np > 0) {
        size_t need = (size_t)(np + n) * kvd;
        if (need > s->cap_kv) {
            free(s->kbuf), free(s->vbuf);
            s->kbuf = xalloc_floats(need);
            s->vbuf = xalloc_floats(need);
            s->cap_kv = need;
        }
        size_t p = (size_t)shape->prefix_row[k];
        memcpy(s->kbuf, kv->k + p * kvd, (size_t)np * kvd * sizeof(float));
        memcpy(s->vbuf, kv->v + p * kvd, (size_t)np * kvd * sizeof(float));
        memcpy(s->kbuf + (size_t)np * kvd, kk, (size_t)n * kvd * sizeof(float));
        memcpy(s->vbuf + (size_t)np * kvd, vv, (size_t)n * kvd * sizeof(float));
        kk = s->kbuf, vv = s->vbuf;
    }
    attention_causal(c, kk, vv, kvd, s->q + a * qd, s->att + a * qd, n, np, s->scores);
}

void layer_apply(const ModelConfig *c, const RopeTable *rope, const LayerWeights *w, KVCache *kv,
                 float *x, const CanvasShape *shape, LayerScratch *s) {
    int D = c->dim, F = c->hidden_dim, T = shape->T;
    int qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;
    int packed = shape->n_segs > 0;
    int ctx0 = kv->len, ctx = ctx0 + T;
    if (packed && ctx0 != 0)
        die_runtime("a packed canvas needs an empty KV cache (it holds %d)", ctx0);
    scratch_reserve(s, c, T);
    kv_cache_reserve(kv, ctx);
    if (packed) {
        for (int k = 0; k < shape->n_segs; k++)
            for (int t = shape->start[k]; t < shape->start[k + 1]; t++)
                s->pos[t] = segment_prefix(shape, k) + t - shape->start[k];
    } else {
        for (int t = 0; t < T; t++)
            s->pos[t] = ctx0 + t;
    }
    float *knew = kv->k + (size_t)ctx0 * kvd, *vnew = kv->v + (size_t)ctx0 * kvd;

    /* Attention block: x += o_proj(attn(rope(q), rope(k), v)) */
    rmsnorm(s->xn, x, w->attn_norm, T, D, c->norm_eps);
    matmul_weights(s->q, s->xn, &w->wq, T, 0.0f);
    matmul_weights(knew, s->xn, &w->wk, T, 0.0f);
    matmul_weights(vnew, s->xn, &w->wv, T, 0.0f);
    if (w->bq) {
        add_bias_rows(s->q, w->bq, T, qd);
        add_bias_rows(knew, w->bk, T, kvd);
        add_bias_rows(vnew, w->bv, T, kvd);
    }
    rope_apply(rope, s->q, T, c->n_heads, s->pos);
    rope_apply(rope, knew, T, c->n_kv_heads, s->pos);
    if (packed) {
        for (int k = 0; k < shape->n_segs; k++)
            attend_segment(c, shape, k, kv, s);
        kv->len = 0;
    } else {
        kv->len = ctx;
        attention_causal(c, kv->k, kv->v, kvd, s->q, s->att, T, ctx0, s->scores);
    }
    matmul_weights(x, s->att, &w->wo, T, 1.0f);

    /* MLP block: x += down(silu(gate(xn)) * up(xn)) */
    rmsnorm(s->xn, x, w->mlp_norm, T, D, c->norm_eps);
    matmul_weights(s->gate, s->xn, &w->w_gate, T, 0.0f);
    matmul_weights(s->up, s->xn, &w->w_up, T, 0.0f);
    silu_mul(s->gate, s->up, (size_t)T * F);
    matmul_weights(x, s->gate, &w->w_down, T, 1.0f);
}

double layer_flops(const ModelConfig *c, int T, int ctx0) {
    /* (for a packed canvas this counts attention as one sequence: an upper bound) */
    double D = c->dim, F = c->hidden_dim;
    double qd = (double)c->n_heads * c->head_dim, kvd = (double)c->n_kv_heads * c->head_dim;
    double proj = 2.0 * T * (D * qd + 2 * D * kvd + qd * D + 3 * D * F);
    /* scores and weighted sum over the full (ctx0 + T) keys per query */
    double attn = 2.0 * 2.0 * T * (ctx0 + T) * qd;
    return proj + attn;
}
