/* weights.h: float32 weights of one layer, and of the coordinator's ends of
 * the model (embedding, final norm, LM head), read from a Checkpoint.
 * Each struct owns one arena; the tensor pointers are carved from it. */
#ifndef PAINTERS_WEIGHTS_H
#define PAINTERS_WEIGHTS_H

#include <stddef.h>

#include "checkpoint.h"

typedef struct {
    int layer;          /* layer id in the model */
    float *attn_norm;   /* (D) */
    float *wq;          /* (H*hd, D) */
    float *wk;          /* (KV*hd, D) */
    float *wv;          /* (KV*hd, D) */
    float *bq, *bk, *bv;/* (H*hd), (KV*hd), (KV*hd), or NULL without qkv bias */
    float *wo;          /* (D, H*hd) */
    float *mlp_norm;    /* (D) */
    float *w_gate;      /* (F, D) */
    float *w_up;        /* (F, D) */
    float *w_down;      /* (D, F) */
    float *arena;       /* owns every tensor above */
    size_t n_floats;
} LayerWeights;

typedef struct {
    float *tok_embed;   /* (V, D) */
    float *final_norm;  /* (D) */
    float *lm_head;     /* (V, D); points at tok_embed when tied */
    float *arena;
    size_t n_floats;
} HeadWeights;

/* Reads layer `layer` (checked against the config's shapes). Caller owns the
 * result; free with layer_weights_free(). */
LayerWeights *layer_weights_load(const Checkpoint *ck, int layer);
void layer_weights_free(LayerWeights *w); /* accepts NULL */
/* Floats one layer holds, from the config alone (for memory reports). */
size_t layer_weights_count(const ModelConfig *c);

/* Reads embedding, final norm and LM head. Caller owns; head_weights_free(). */
HeadWeights *head_weights_load(const Checkpoint *ck);
void head_weights_free(HeadWeights *w); /* accepts NULL */

#endif
