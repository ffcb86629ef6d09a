/* bert_layer.h: one post-LayerNorm BERT encoder layer applied to a canvas,
 * as Hugging Face's BertLayer computes it (no dropout: inference):
 *   h1   = LN(h + Wo Attn(h) + bo)
 *   L(h) = LN(h1 + W2 GELU(W1 h1 + b1) + b2)
 * with q, k, v biases, bidirectional attention (scale 1/sqrt(head_dim)) within
 * each sequence and the exact erf GELU. */
#ifndef PAINTERS_BERT_LAYER_H
#define PAINTERS_BERT_LAYER_H

#include "compute/layer.h"

/* x (T, D) <- L(x). A single sequence (shape->n_segs == 0) attends over all
 * its T rows; a packed canvas's sequences each over their own rows only
 * (block-diagonal). Encoders keep no KV cache: a batch canvas, or a packed
 * sequence sharing a prefix, is die_runtime. */
void bert_layer_apply(const ModelConfig *c, const LayerWeights *w, float *x,
                      const CanvasShape *shape, LayerScratch *s);

#endif
