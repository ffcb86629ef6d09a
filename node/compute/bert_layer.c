/* bert_layer.c: see bert_layer.h. */
#include "compute/bert_layer.h"

#include <string.h>

#include "base/util.h"
#include "compute/attention.h"
#include "compute/kernels.h"
#include "compute/matmul.h"

/* y (T, rows) = x (T, cols) W^T + b. */
static void dense(float *y, const float *x, const WeightMatrix *w, const float *b, int T) {
    matmul_weights(y, x, w, T, 0.0f);
    add_bias_rows(y, b, T, w->rows);
}

/* s->att (T, D): each sequence's queries over its own keys and values. */
static void bert_attend(const ModelConfig *c, const CanvasShape *shape, LayerScratch *s) {
    int D = c->dim;
    if (shape->n_segs == 0) {
        attention_bidirectional(c, s->kbuf, s->vbuf, D, s->q, s->att, shape->T, s->scores);
        return;
    }
    for (int k = 0; k < shape->n_segs; k++) {
        if (shape->prefix_len && shape->prefix_len[k] > 0)
            die_runtime("packed sequence %d shares a prefix; an encoder's rows depend on the "
                        "whole sequence",
                        k);
        size_t a = (size_t)shape->start[k] * D;
        int n = shape->start[k + 1] - shape->start[k];
        attention_bidirectional(c, s->kbuf + a, s->vbuf + a, D, s->q + a, s->att + a, n, s->scores);
    }
}

void bert_layer_apply(const ModelConfig *c, const LayerWeights *w, float *x,
                      const CanvasShape *shape, LayerScratch *s) {
    int D = c->dim, F = c->hidden_dim, T = shape->T;
    size_t n = (size_t)T * D;
    if (shape->n_segs > 0 && shape->batch)
        die_runtime("a batch canvas on an encoder layer (BERT keeps no KV cache to continue)");
    layer_scratch_reserve(s, c, T);
    layer_scratch_reserve_kv(s, n);

    /* h1 = LN(x + Wo attn(q, k, v) + bo) */
    dense(s->q, x, &w->wq, w->bq, T);
    dense(s->kbuf, x, &w->wk, w->bk, T);
    dense(s->vbuf, x, &w->wv, w->bv, T);
    bert_attend(c, shape, s);
    memcpy(s->xn, x, n * sizeof(float));
    matmul_weights(s->xn, s->att, &w->wo, T, 1.0f);
    add_bias_rows(s->xn, w->bo, T, D);
    layernorm(x, s->xn, w->ln1_w, w->ln1_b, T, D, c->norm_eps);

    /* L = LN(h1 + W2 GELU(W1 h1 + b1) + b2) */
    dense(s->gate, x, &w->w_up, w->b_up, T);
    gelu_erf(s->gate, (size_t)T * F);
    memcpy(s->xn, x, n * sizeof(float));
    matmul_weights(s->xn, s->gate, &w->w_down, T, 1.0f);
    add_bias_rows(s->xn, w->b_down, T, D);
    layernorm(x, s->xn, w->ln2_w, w->ln2_b, T, D, c->norm_eps);
}
