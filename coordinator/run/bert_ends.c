/* bert_ends.c: see bert_ends.h. */
#include "run/bert_ends.h"

#include <math.h>
#include <string.h>

#include "base/util.h"
#include "compute/kernels.h"
#include "compute/matmul.h"

void bert_embed(const ModelConfig *c, const HeadWeights *w, const int *tokens, const int *types,
                int T, float *x) {
    int D = c->dim;
    if (T > c->max_seq_len)
        die_input("a sequence of %d tokens is longer than max_position_embeddings %d", T,
                  c->max_seq_len);
    for (int t = 0; t < T; t++) {
        int ty = types ? types[t] : 0;
        if (tokens[t] < 0 || tokens[t] >= c->vocab_size)
            die_input("token %d at position %d is outside the vocabulary [0, %d)", tokens[t], t,
                      c->vocab_size);
        if (ty < 0 || ty >= c->type_vocab_size)
            die_input("token type %d at position %d is outside [0, %d) (type_vocab_size)", ty, t,
                      c->type_vocab_size);
        const float *word = w->tok_embed + (size_t)tokens[t] * D;
        const float *pos = w->pos_embed + (size_t)t * D, *type = w->type_embed + (size_t)ty * D;
        float *row = x + (size_t)t * D;
        for (int i = 0; i < D; i++)
            row[i] = word[i] + type[i] + pos[i];
    }
    layernorm(x, x, w->embed_ln_w, w->embed_ln_b, T, D, c->norm_eps);
}

void bert_pooled(const ModelConfig *c, const HeadWeights *w, const float *hidden, float *pooled) {
    if (!c->has_pooler) {
        memcpy(pooled, hidden, (size_t)c->dim * sizeof(float));
        return;
    }
    matmul_weights(pooled, hidden, &w->pooler, 1, 0.0f);
    for (int i = 0; i < c->dim; i++)
        pooled[i] = tanhf(pooled[i] + w->pooler_b[i]);
}

void bert_mlm_logits(const ModelConfig *c, const HeadWeights *w, const float *hidden, int T,
                     float *work, float *logits) {
    if (!c->has_mlm_head) die_runtime("bert_mlm_logits: the checkpoint has no MLM head");
    int D = c->dim;
    matmul_weights(work, hidden, &w->mlm_dense, T, 0.0f);
    add_bias_rows(work, w->mlm_dense_b, T, D);
    gelu_erf(work, (size_t)T * D);
    layernorm(work, work, w->mlm_ln_w, w->mlm_ln_b, T, D, c->norm_eps);
    matmul_weights(logits, work, &w->mlm_decoder, T, 0.0f);
    add_bias_rows(logits, w->mlm_bias, T, c->vocab_size);
}

void bert_classify(const ModelConfig *c, const HeadWeights *w, const float *pooled, float *logits) {
    if (!c->has_classifier) die_runtime("bert_classify: the checkpoint has no classifier");
    matmul_weights(logits, pooled, &w->classifier, 1, 0.0f);
    for (int i = 0; i < c->num_labels; i++)
        logits[i] += w->classifier_b[i];
}
