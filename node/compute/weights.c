/* weights.c: see weights.h. */
#include "compute/weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/util.h"
#include "formats/quant.h"

/* Tensors of one struct, laid out in one arena: first sized, then carved. */
typedef struct {
    const Checkpoint *ck;
    char *base; /* NULL while sizing */
    size_t used;
    int keep_16bit;
    int copy_f32; /* also a float32 copy of 16-bit matrices */
} Arena;

static size_t align64(size_t n) {
    return (n + 63) & ~(size_t)63;
}

/* float32 tensor name of shape (d0) or (d0, d1). */
static float *arena_f32(Arena *a, const char *name, int64_t d0, int64_t d1) {
    size_t n = (size_t)d0 * (d1 > 0 ? (size_t)d1 : 1);
    float *p = a->base ? (float *)(a->base + a->used) : NULL;
    a->used += align64(mul_size_checked(n, sizeof(float), name));
    if (p) {
        int64_t shape[2] = {d0, d1};
        checkpoint_read_f32(a->ck, name, d1 > 0 ? 2 : 1, shape, p);
    }
    return p;
}

/* A matrix in its stored 16-bit or block form when it has one (and keep_16bit). */
static WeightMatrix arena_matrix(Arena *a, const char *name, int64_t rows, int64_t cols) {
    const TensorInfo *t = checkpoint_find(a->ck, name);
    Dtype d = t && a->keep_16bit && t->dtype != DTYPE_F32 ? t->dtype : DTYPE_F32;
    WeightMatrix m = {.dtype = d, .rows = (int)rows, .cols = (int)cols};
    size_t n = mul_size_checked((size_t)rows, (size_t)cols, name);
    m.data = a->base ? a->base + a->used : NULL;
    /* A block format (quant.h) keeps its blocks: rows of whole blocks. */
    a->used += align64(mul_size_checked((size_t)rows, dtype_row_bytes(d, cols), name));
    if (m.data) {
        int64_t shape[2] = {rows, cols};
        checkpoint_read_as(a->ck, name, 2, shape, d, m.data);
    }
    if (d != DTYPE_F32 && a->copy_f32) {
        m.f32 = a->base ? (float *)(a->base + a->used) : NULL;
        a->used += align64(mul_size_checked(n, sizeof(float), name));
        if (m.f32) {
            int64_t shape[2] = {rows, cols};
            checkpoint_read_f32(a->ck, name, 2, shape, m.f32);
        }
    }
    return m;
}

/* The PAINTERS_WEIGHTS policy (weights.h) as an arena for ck. */
static Arena arena_for(const Checkpoint *ck) {
    const char *v = getenv("PAINTERS_WEIGHTS");
    if (v && *v && strcmp(v, "f32") && strcmp(v, "stored") && strcmp(v, "both"))
        die_input("PAINTERS_WEIGHTS=%s: expected stored, f32 or both", v);
    int f32 = v && !strcmp(v, "f32"), both = v && !strcmp(v, "both");
    return (Arena){.ck = ck, .keep_16bit = !f32, .copy_f32 = both};
}

#define HUGE_PAGE_BYTES ((size_t)2 << 20)

/* An arena of at least `bytes`. One of 2 MiB or more is aligned to 2 MiB and
 * asks for transparent huge pages (where the kernel gives them only on
 * madvise): decoding streams every weight once per token, and with 4 KiB
 * pages the hardware prefetchers stop at each page and the TLB misses every
 * 4 KiB. */
static void *arena_alloc(size_t bytes) {
    size_t n = align64(bytes ? bytes : 1), align = 64;
    if (n >= HUGE_PAGE_BYTES) {
        align = HUGE_PAGE_BYTES;
        n = (n + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
    }
    void *p = aligned_alloc(align, n);
    if (!p) die_runtime("out of memory allocating %zu bytes of weights", bytes);
    if (align == HUGE_PAGE_BYTES) madvise(p, n, MADV_HUGEPAGE); /* a hint: failure is harmless */
    return p;
}

size_t layer_weights_count(const ModelConfig *c) {
    size_t D = (size_t)c->dim, F = (size_t)c->hidden_dim;
    if (c->kind == MODEL_ENCODER_BERT) return 4 * D * D + 2 * F * D + 9 * D + F;
    size_t qd = (size_t)c->n_heads * c->head_dim, kvd = (size_t)c->n_kv_heads * c->head_dim;
    size_t n = 2 * D + qd * D + 2 * kvd * D + D * qd + 3 * F * D;
    if (c->qkv_bias) n += qd + 2 * kvd;
    return n;
}

/* BERT's layer: sizes (a->base NULL) or fills its tensors. */
static void bert_layer_carve(Arena *a, LayerWeights *w, int layer) {
    const ModelConfig *c = &a->ck->cfg;
    int64_t D = c->dim, F = c->hidden_dim;
    char name[256];
#define NAME(suffix) checkpoint_bert_layer_name(name, sizeof name, layer, suffix)
    w->wq = arena_matrix(a, NAME("attention.self.query.weight"), D, D);
    w->bq = arena_f32(a, NAME("attention.self.query.bias"), D, 0);
    w->wk = arena_matrix(a, NAME("attention.self.key.weight"), D, D);
    w->bk = arena_f32(a, NAME("attention.self.key.bias"), D, 0);
    w->wv = arena_matrix(a, NAME("attention.self.value.weight"), D, D);
    w->bv = arena_f32(a, NAME("attention.self.value.bias"), D, 0);
    w->wo = arena_matrix(a, NAME("attention.output.dense.weight"), D, D);
    w->bo = arena_f32(a, NAME("attention.output.dense.bias"), D, 0);
    w->ln1_w = arena_f32(a, NAME("attention.output.LayerNorm.weight"), D, 0);
    w->ln1_b = arena_f32(a, NAME("attention.output.LayerNorm.bias"), D, 0);
    w->w_up = arena_matrix(a, NAME("intermediate.dense.weight"), F, D);
    w->b_up = arena_f32(a, NAME("intermediate.dense.bias"), F, 0);
    w->w_down = arena_matrix(a, NAME("output.dense.weight"), D, F);
    w->b_down = arena_f32(a, NAME("output.dense.bias"), D, 0);
    w->ln2_w = arena_f32(a, NAME("output.LayerNorm.weight"), D, 0);
    w->ln2_b = arena_f32(a, NAME("output.LayerNorm.bias"), D, 0);
#undef NAME
}

/* Sizes (a->base NULL) or fills the layer's tensors. */
static void layer_carve(Arena *a, LayerWeights *w, int layer) {
    const ModelConfig *c = &a->ck->cfg;
    if (c->kind == MODEL_ENCODER_BERT) {
        bert_layer_carve(a, w, layer);
        return;
    }
    int64_t D = c->dim, F = c->hidden_dim;
    int64_t qd = (int64_t)c->n_heads * c->head_dim, kvd = (int64_t)c->n_kv_heads * c->head_dim;
    char name[256];
#define NAME(suffix) (snprintf(name, sizeof name, "model.layers.%d.%s", layer, suffix), name)
    w->attn_norm = arena_f32(a, NAME("input_layernorm.weight"), D, 0);
    w->wq = arena_matrix(a, NAME("self_attn.q_proj.weight"), qd, D);
    w->wk = arena_matrix(a, NAME("self_attn.k_proj.weight"), kvd, D);
    w->wv = arena_matrix(a, NAME("self_attn.v_proj.weight"), kvd, D);
    if (c->qkv_bias) {
        w->bq = arena_f32(a, NAME("self_attn.q_proj.bias"), qd, 0);
        w->bk = arena_f32(a, NAME("self_attn.k_proj.bias"), kvd, 0);
        w->bv = arena_f32(a, NAME("self_attn.v_proj.bias"), kvd, 0);
    }
    w->wo = arena_matrix(a, NAME("self_attn.o_proj.weight"), D, qd);
    w->mlp_norm = arena_f32(a, NAME("post_attention_layernorm.weight"), D, 0);
    w->w_gate = arena_matrix(a, NAME("mlp.gate_proj.weight"), F, D);
    w->w_up = arena_matrix(a, NAME("mlp.up_proj.weight"), F, D);
    w->w_down = arena_matrix(a, NAME("mlp.down_proj.weight"), D, F);
#undef NAME
}

LayerWeights *layer_weights_load(const Checkpoint *ck, int layer) {
    if (layer < 0 || layer >= ck->cfg.n_layers)
        die_input("%s: layer %d out of range (model has %d layers)", ck->path, layer,
                  ck->cfg.n_layers);
    LayerWeights *w = xcalloc(1, sizeof *w);
    w->layer = layer;
    Arena a = arena_for(ck);
    layer_carve(&a, w, layer);
    w->bytes = a.used;
    w->arena = a.base = arena_alloc(a.used);
    a.used = 0;
    layer_carve(&a, w, layer);
    return w;
}

void layer_weights_free(LayerWeights *w) {
    if (!w) return;
    free(w->arena);
    free(w);
}

/* BERT's ends: embeddings and whichever heads the checkpoint has. */
static void bert_head_carve(Arena *a, HeadWeights *w) {
    const ModelConfig *c = &a->ck->cfg;
    int64_t V = c->vocab_size, D = c->dim;
    w->tok_embed = arena_f32(a, "embeddings.word_embeddings.weight", V, D);
    w->pos_embed = arena_f32(a, "embeddings.position_embeddings.weight", c->max_seq_len, D);
    w->type_embed = arena_f32(a, "embeddings.token_type_embeddings.weight", c->type_vocab_size, D);
    w->embed_ln_w = arena_f32(a, "embeddings.LayerNorm.weight", D, 0);
    w->embed_ln_b = arena_f32(a, "embeddings.LayerNorm.bias", D, 0);
    if (c->has_pooler) {
        w->pooler = arena_matrix(a, "pooler.dense.weight", D, D);
        w->pooler_b = arena_f32(a, "pooler.dense.bias", D, 0);
    }
    if (c->has_mlm_head) {
        w->mlm_dense = arena_matrix(a, "cls.predictions.transform.dense.weight", D, D);
        w->mlm_dense_b = arena_f32(a, "cls.predictions.transform.dense.bias", D, 0);
        w->mlm_ln_w = arena_f32(a, "cls.predictions.transform.LayerNorm.weight", D, 0);
        w->mlm_ln_b = arena_f32(a, "cls.predictions.transform.LayerNorm.bias", D, 0);
        w->mlm_bias = arena_f32(a, "cls.predictions.bias", V, 0);
        if (checkpoint_find(a->ck, "cls.predictions.decoder.weight"))
            w->mlm_decoder = arena_matrix(a, "cls.predictions.decoder.weight", V, D);
        else
            w->mlm_decoder = (WeightMatrix){
                .dtype = DTYPE_F32, .rows = (int)V, .cols = (int)D, .data = w->tok_embed};
    }
    if (c->has_classifier) {
        w->classifier = arena_matrix(a, "classifier.weight", c->num_labels, D);
        w->classifier_b = arena_f32(a, "classifier.bias", c->num_labels, 0);
    }
}

static void head_carve(Arena *a, HeadWeights *w) {
    const ModelConfig *c = &a->ck->cfg;
    if (c->kind == MODEL_ENCODER_BERT) {
        bert_head_carve(a, w);
        return;
    }
    int64_t V = c->vocab_size, D = c->dim;
    const TensorInfo *e = checkpoint_find(a->ck, "model.embed_tokens.weight");
    if (e && dtype_is_quant(e->dtype) && a->keep_16bit) { /* GGUF: blocks, not float32 */
        w->embed = arena_matrix(a, "model.embed_tokens.weight", V, D);
        w->tok_embed = NULL;
    } else {
        w->tok_embed = arena_f32(a, "model.embed_tokens.weight", V, D);
        w->embed = (WeightMatrix){
            .dtype = DTYPE_F32, .rows = (int)V, .cols = (int)D, .data = w->tok_embed};
    }
    w->final_norm = arena_f32(a, "model.norm.weight", D, 0);
    if (c->tied_embeddings)
        w->lm_head = w->embed;
    else
        w->lm_head = arena_matrix(a, "lm_head.weight", V, D);
}

HeadWeights *head_weights_load(const Checkpoint *ck) {
    HeadWeights *w = xcalloc(1, sizeof *w);
    Arena a = arena_for(ck);
    head_carve(&a, w);
    w->bytes = a.used;
    w->arena = a.base = arena_alloc(a.used);
    a.used = 0;
    head_carve(&a, w);
    return w;
}

void head_weights_free(HeadWeights *w) {
    if (!w) return;
    free(w->arena);
    free(w);
}
