/* model_ends.h: the coordinator's two ends of the model: token embedding
 * (tokens -> canvas) and the head (final RMSNorm + LM head: canvas -> logits). */
#ifndef PAINTERS_MODEL_ENDS_H
#define PAINTERS_MODEL_ENDS_H

#include "formats/model_config.h"
#include "compute/weights.h"

/* x (T, D) = embedding rows of tokens; a token outside [0, V) is die_input. */
void embed_tokens(const ModelConfig *c, const HeadWeights *w, const int *tokens, int T, float *x);

/* logits (T, V) = lm_head(rmsnorm(x)) for the T rows of x (T, D); x is not
 * changed. `normed` is a (T, D) work buffer. */
void head_logits(const ModelConfig *c, const HeadWeights *w, const float *x, int T, float *normed,
                 float *logits);

#endif
