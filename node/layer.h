/* layer.h: one Llama decoder layer applied to a canvas.
 *   L(h) = u + MLP(RMSNorm(u)),  u = h + Attn(RMSNorm(h))
 * with RoPE, grouped-query causal attention and a SwiGLU MLP. */
#ifndef PAINTERS_LAYER_H
#define PAINTERS_LAYER_H

#include <stddef.h>

#include "kernels.h"
#include "kv_cache.h"
#include "model_config.h"
#include "weights.h"

/* Work buffers reused across calls; grown on demand, owned by the struct. */
typedef struct {
    size_t cap_tokens, cap_scores;
    float *xn;     /* (T, D) normed input */
    float *q;      /* (T, H*hd) */
    float *att;    /* (T, H*hd) attention output before o_proj */
    float *scores; /* (T, ctx) one head's attention weights */
    float *gate;   /* (T, F) */
    float *up;     /* (T, F) */
    int *pos;      /* (T) positions */
} LayerScratch;

void layer_scratch_free(LayerScratch *s); /* frees buffers, not s */

/* x (T, D) <- L(x). The T tokens are at positions kv->len .. kv->len+T-1 of
 * one sequence; their keys and values are appended to kv, and each token
 * attends to every cached position up to its own (causal). */
void layer_apply(const ModelConfig *c, const RopeTable *rope, const LayerWeights *w, KVCache *kv,
                 float *x, int T, LayerScratch *s);

/* Floating-point operations of layer_apply for T new tokens after ctx0 cached
 * ones (multiply-adds count 2). */
double layer_flops(const ModelConfig *c, int T, int ctx0);

#endif
