/* attention.h: grouped-query causal attention of n query rows over a key
 * block, tiled (online softmax, so the work memory does not grow with the
 * context), scoring no key past the last one a query sees. */
#ifndef PAINTERS_ATTENTION_H
#define PAINTERS_ATTENTION_H

#include <stddef.h>

#include "formats/model_config.h"

/* Floats of work memory attention_causal needs (whatever the context). */
size_t attention_work_floats(const ModelConfig *c);

/* att (n, H*hd) = softmax(q k^T / sqrt(hd), causal) v for n query rows of
 * q (n, H*hd); query head h reads key/value head h / (H / KV). k and v point
 * at the first key row the queries may see ((ctx0 + n) rows of kvd floats);
 * query t sits after ctx0 + t of them and sees those and itself. work holds
 * attention_work_floats(c) floats. */
void attention_causal(const ModelConfig *c, const float *k, const float *v, int kvd, const float *q,
                      float *att, int n, int ctx0, float *work);

#endif
