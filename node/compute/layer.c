/* layer.c: see layer.h. */
#include "compute/layer.h"

#include "compute/attention.h"
#include "compute/matmul.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void layer_scratch_reserve(LayerScratch *s, const ModelConfig *c, int T) {
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

void layer_scratch_reserve_kv(LayerScratch *s, size_t n) {
    if (n <= s->cap_kv) return;
    free(s->kbuf), free(s->vbuf);
    s->kbuf = xalloc_floats(n);
    s->vbuf = xalloc_floats(n);
    s->cap_kv = n;
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
        layer_scratch_reserve_kv(s, (size_t)(np + n) * kvd);
        size_t p = (size_t)shape->prefix_row[k];
        memcpy(s->kbuf, kv->k + p * kvd, (size_t)np * kvd * sizeof(float));
        memcpy(s->vbuf, kv->v + p * kvd, (size_t)np * kvd * sizeof(float));
        memcpy(s->kbuf + (size_t)np * kvd, kk, (size_t)n * kvd * sizeof(float));
        memcpy(s->vbuf + (size_t)np * kvd, vv, (size_t)n * kvd * sizeof(float));
        kk = s->kbuf, vv = s->vbuf;
    }
    attention_causal(c, kk, vv, kvd, s->q + a * qd, s->att + a * qd, n, np, s->scores);
}

/* Attention of batch sequence k: its new keys and values (rows of kbuf and
 * vbuf) appended to its own cache, its queries over all of that cache. */
static void attend_batch_segment(const ModelConfig *c, const CanvasShape *shape, int k,
                                 LayerScratch *s) {
    int qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;
    KVCache *cache = shape->seg_kv[k];
    size_t a = (size_t)shape->start[k];
    int n = shape->start[k + 1] - shape->start[k], ctx0 = cache->len;
    kv_cache_reserve(cache, ctx0 + n);
    memcpy(cache->k + (size_t)ctx0 * kvd, s->kbuf + a * kvd, (size_t)n * kvd * sizeof(float));
    memcpy(cache->v + (size_t)ctx0 * kvd, s->vbuf + a * kvd, (size_t)n * kvd * sizeof(float));
    cache->len = ctx0 + n;
    attention_causal(c, cache->k, cache->v, kvd, s->q + a * qd, s->att + a * qd, n, ctx0,
                     s->scores);
}

/* s->pos (T): each row's position in its sequence. */
static void canvas_positions(const CanvasShape *shape, const KVCache *kv, LayerScratch *s) {
    if (shape->n_segs == 0) {
        for (int t = 0; t < shape->T; t++)
            s->pos[t] = kv->len + t;
        return;
    }
    for (int k = 0; k < shape->n_segs; k++) {
        int p0 = shape->batch ? shape->seg_kv[k]->len : segment_prefix(shape, k);
        for (int t = shape->start[k]; t < shape->start[k + 1]; t++)
            s->pos[t] = p0 + t - shape->start[k];
    }
}

void layer_apply(const ModelConfig *c, const RopeTable *rope, const LayerWeights *w, KVCache *kv,
                 float *x, const CanvasShape *shape, LayerScratch *s) {
    int D = c->dim, F = c->hidden_dim, T = shape->T;
    int qd = c->n_heads * c->head_dim, kvd = c->n_kv_heads * c->head_dim;
    int batch = shape->n_segs > 0 && shape->batch;
    int packed = shape->n_segs > 0 && !batch;
    if (batch && !shape->seg_kv) die_runtime("a batch canvas without its KV caches");
    if (packed && kv->len != 0)
        die_runtime("a packed canvas needs an empty KV cache (it holds %d)", kv->len);
    layer_scratch_reserve(s, c, T);
    canvas_positions(shape, kv, s);
    float *knew, *vnew; /* (T, kvd) the canvas's rotated keys and values */
    if (batch) {
        layer_scratch_reserve_kv(s, (size_t)T * kvd);
        knew = s->kbuf, vnew = s->vbuf;
    } else {
        kv_cache_reserve(kv, kv->len + T);
        knew = kv->k + (size_t)kv->len * kvd, vnew = kv->v + (size_t)kv->len * kvd;
    }

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
    if (batch) {
        for (int k = 0; k < shape->n_segs; k++)
            attend_batch_segment(c, shape, k, s);
    } else if (packed) {
        for (int k = 0; k < shape->n_segs; k++)
            attend_segment(c, shape, k, kv, s);
    } else {
        int ctx0 = kv->len;
        kv->len = ctx0 + T;
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

double layer_flops(const ModelConfig *c, const CanvasShape *shape, int ctx0) {
    double D = c->dim, F = c->hidden_dim, T = shape->T;
    if (c->kind == MODEL_ENCODER_BERT) {
        /* projections, then scores and weighted sums over each sequence's own rows */
        double flops = 2.0 * T * (4 * D * D + 2 * D * F);
        if (shape->n_segs == 0) return flops + 4.0 * T * T * D;
        for (int k = 0; k < shape->n_segs; k++) {
            double n = shape->start[k + 1] - shape->start[k];
            flops += 4.0 * n * n * D;
        }
        return flops;
    }
    double qd = (double)c->n_heads * c->head_dim, kvd = (double)c->n_kv_heads * c->head_dim;
    double flops = 2.0 * T * (D * qd + 2 * D * kvd + qd * D + 3 * D * F);
    if (shape->n_segs == 0) return flops + attention_flops(c, shape->T, ctx0);
    for (int k = 0; k < shape->n_segs; k++) {
        int rows = shape->start[k + 1] - shape->start[k];
        int before = shape->batch ? shape->seg_kv[k]->len : segment_prefix(shape, k);
        flops += attention_flops(c, rows, before);
    }
    return flops;
}
