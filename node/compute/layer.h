/* layer.h: one Llama decoder layer applied to a canvas.
 *   L(h) = u + MLP(RMSNorm(u)),  u = h + Attn(RMSNorm(h))
 * with RoPE, grouped-query causal attention and a SwiGLU MLP. A BERT
 * encoder's layer is bert_layer.h's (the station picks by ModelConfig.kind);
 * layer_flops counts either. */
#ifndef PAINTERS_LAYER_H
#define PAINTERS_LAYER_H

#include <stddef.h>

#include "compute/kernels.h"
#include "compute/kv_cache.h"
#include "formats/model_config.h"
#include "compute/weights.h"

/* Work buffers reused across calls; grown on demand, owned by the struct. */
typedef struct {
    size_t cap_tokens, cap_scores;
    float *xn;          /* (T, D) normed input */
    float *q;           /* (T, H*hd) */
    float *att;         /* (T, H*hd) attention output before o_proj */
    float *scores;      /* attention work: attention_work_floats(c) */
    float *gate;        /* (T, F) */
    float *up;          /* (T, F) */
    int *pos;           /* (T) positions */
    float *kbuf, *vbuf; /* (ctx, KV*hd) keys and values of a sequence with a shared prefix,
                           or a batch's new keys and values (T, KV*hd) */
    size_t cap_kv;
} LayerScratch;

void layer_scratch_free(LayerScratch *s); /* frees buffers, not s */
/* Grows the token buffers to T rows and the attention work for c. */
void layer_scratch_reserve(LayerScratch *s, const ModelConfig *c, int T);
/* Makes kbuf and vbuf hold at least n floats each. */
void layer_scratch_reserve_kv(LayerScratch *s, size_t n);

/* How the T rows of a canvas split into sequences.
 *   n_segs == 0: one sequence, its T tokens following the kv->len cached ones;
 *   n_segs  > 0: a packed canvas of n_segs new sequences back to back, rows
 *                [start[k], start[k+1]) (start[0] = 0, start[n_segs] = T), each
 *                at positions from 0 and attending only within itself. */
typedef struct {
    int T;
    int n_segs;
    const int *start; /* (n_segs + 1) */
    /* Optional (NULL: none). Sequence k may continue a prefix held by an
     * earlier sequence of the canvas that has no prefix itself: its first
     * prefix_len[k] tokens are that sequence's rows from prefix_row[k] on, and
     * its own rows hold positions prefix_len[k] onwards. The choices of one
     * multiple-choice item share their context this way. */
    const int *prefix_row; /* (n_segs) */
    const int *prefix_len; /* (n_segs) 0: none */
    /* batch != 0 (n_segs > 0, no prefixes): not new sequences but a batch,
     * sequence k continuing its own cache seg_kv[k], its rows following the
     * seg_kv[k]->len cached positions and appended to it (many sequences
     * decoding together). The kv argument of layer_apply is not used. */
    int batch;
    KVCache *const *seg_kv; /* (n_segs) */
} CanvasShape;

/* x (T, D) <- L(x) for a canvas of the given shape. A single sequence's keys
 * and values are appended to kv and each token attends to every cached
 * position up to its own (causal). A packed canvas needs an empty kv, uses it
 * as scratch and leaves it empty. A batch appends to each sequence's own
 * cache (shape->seg_kv). */
void layer_apply(const ModelConfig *c, const RopeTable *rope, const LayerWeights *w, KVCache *kv,
                 float *x, const CanvasShape *shape, LayerScratch *s);

/* Floating-point operations layer_apply executes on a canvas of this shape
 * (multiply-adds count 2): the projections of its T rows, and attention as
 * attention_flops counts it, per sequence for a packed canvas (over its own
 * rows after its shared prefix) or a batch (after its cached positions, as
 * they are before the call); one sequence follows ctx0 cached positions. */
double layer_flops(const ModelConfig *c, const CanvasShape *shape, int ctx0);

#endif
