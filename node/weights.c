/* weights.c: see weights.h. */
#include "weights.h"

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

/* Carves n floats from the arena cursor. */
static float *carve(float **cursor, size_t n) {
    float *p = *cursor;
    *cursor += n;
    return p;
}

static void read_into(const Checkpoint *ck, const char *name, int64_t d0, int64_t d1, float *dst) {
    int64_t shape[2] = {d0, d1};
    checkpoint_read_f32(ck, name, d1 > 0 ? 2 : 1, shape, dst);
}

size_t layer_weights_count(const ModelConfig *c) {
    size_t D = (size_t)c->dim, F = (size_t)c->hidden_dim;
    size_t qd = (size_t)c->n_heads * c->head_dim, kvd = (size_t)c->n_kv_heads * c->head_dim;
    size_t n = 2 * D + qd * D + 2 * kvd * D + D * qd + 3 * F * D;
    if (c->qkv_bias) n += qd + 2 * kvd;
    return n;
}

LayerWeights *layer_weights_load(const Checkpoint *ck, int layer) {
    const ModelConfig *c = &ck->cfg;
    if (layer < 0 || layer >= c->n_layers)
        die_input("%s: layer %d out of range (model has %d layers)", ck->path, layer, c->n_layers);
    int64_t D = c->dim, F = c->hidden_dim;
    int64_t qd = (int64_t)c->n_heads * c->head_dim, kvd = (int64_t)c->n_kv_heads * c->head_dim;
    LayerWeights *w = xcalloc(1, sizeof *w);
    w->layer = layer;
    w->n_floats = layer_weights_count(c);
    w->arena = xalloc_floats(w->n_floats);
    float *cur = w->arena;
    char name[256];
#define LAYER_TENSOR(field, suffix, d0, d1)                                    \
    do {                                                                       \
        w->field = carve(&cur, (size_t)(d0) * ((d1) > 0 ? (size_t)(d1) : 1)); \
        snprintf(name, sizeof name, "model.layers.%d.%s", layer, suffix);      \
        read_into(ck, name, d0, d1, w->field);                                 \
    } while (0)
    LAYER_TENSOR(attn_norm, "input_layernorm.weight", D, 0);
    LAYER_TENSOR(wq, "self_attn.q_proj.weight", qd, D);
    LAYER_TENSOR(wk, "self_attn.k_proj.weight", kvd, D);
    LAYER_TENSOR(wv, "self_attn.v_proj.weight", kvd, D);
    if (c->qkv_bias) {
        LAYER_TENSOR(bq, "self_attn.q_proj.bias", qd, 0);
        LAYER_TENSOR(bk, "self_attn.k_proj.bias", kvd, 0);
        LAYER_TENSOR(bv, "self_attn.v_proj.bias", kvd, 0);
    }
    LAYER_TENSOR(wo, "self_attn.o_proj.weight", D, qd);
    LAYER_TENSOR(mlp_norm, "post_attention_layernorm.weight", D, 0);
    LAYER_TENSOR(w_gate, "mlp.gate_proj.weight", F, D);
    LAYER_TENSOR(w_up, "mlp.up_proj.weight", F, D);
    LAYER_TENSOR(w_down, "mlp.down_proj.weight", D, F);
#undef LAYER_TENSOR
    return w;
}

void layer_weights_free(LayerWeights *w) {
    if (!w) return;
    free(w->arena);
    free(w);
}

HeadWeights *head_weights_load(const Checkpoint *ck) {
    const ModelConfig *c = &ck->cfg;
    size_t V = (size_t)c->vocab_size, D = (size_t)c->dim;
    HeadWeights *w = xcalloc(1, sizeof *w);
    size_t vd = mul_size_checked(V, D, "embedding");
    w->n_floats = vd + D + (c->tied_embeddings ? 0 : vd);
    w->arena = xalloc_floats(w->n_floats);
    float *cur = w->arena;
    w->tok_embed = carve(&cur, vd);
    read_into(ck, "model.embed_tokens.weight", (int64_t)V, (int64_t)D, w->tok_embed);
    w->final_norm = carve(&cur, D);
    read_into(ck, "model.norm.weight", (int64_t)D, 0, w->final_norm);
    if (c->tied_embeddings) {
        w->lm_head = w->tok_embed;
    } else {
        w->lm_head = carve(&cur, vd);
        read_into(ck, "lm_head.weight", (int64_t)V, (int64_t)D, w->lm_head);
    }
    return w;
}

void head_weights_free(HeadWeights *w) {
    if (!w) return;
    free(w->arena);
    free(w);
}
