/* attention.h: grouped-query causal (or, for encoders, bidirectional) attention of n query rows
 * over a key block, tiled (online softmax, so the work memory does not grow with the context),
 * scoring no key past the last one a query sees. */
#ifndef PAINTERS_ATTENTION_H
#define PAINTERS_ATTENTION_H

#include <stddef.h>

#include "formats/model_config.h"

/* Floats of work memory attention_causal needs (whatever the context): one
 * slice per thread it runs on, so this grows with OpenMP's thread count
 * (omp_set_num_threads); ask again after changing it. */
size_t attention_work_floats(const ModelConfig *c);

/* att (n, H*hd) = softmax(q k^T / sqrt(hd), causal) v for n query rows of
 * q (n, H*hd); query head h reads key/value head h / (H / KV). k and v point
 * at the first key row the queries may see ((ctx0 + n) rows of kvd floats);
 * query t sits after ctx0 + t of them and sees those and itself. work holds
 * attention_work_floats(c) floats. Runs on the OpenMP threads; each row's
 * result is the same whatever their count. */
void attention_causal(const ModelConfig *c, const float *k, const float *v, int kvd, const float *q,
                      float *att, int n, int ctx0, float *work);

/* The same without the causal mask (encoders): att (n, H*hd) =
 * softmax(q k^T / sqrt(hd)) v, every query row over all n key rows of k and
 * v (one sequence; no cached keys before them). */
void attention_bidirectional(const ModelConfig *c, const float *k, const float *v, int kvd,
                             const float *q, float *att, int n, float *work);

/* Floating-point operations attention_causal executes for n query rows
 * after ctx0 keys (its sgemm calls; multiply-adds count 2): the key blocks
 * it skips above the causal diagonal are not counted, the part of a block
 * it scores and then masks is. */
double attention_flops(const ModelConfig *c, int n, int ctx0);

#endif
