/* model_ends.c: see model_ends.h. */
#include "run/model_ends.h"

#include <string.h>

#include "compute/kernels.h"
#include "compute/matmul.h"
#include "base/util.h"
#include "formats/quant.h"

void embed_tokens(const ModelConfig *c, const HeadWeights *w, const int *tokens, int T, float *x) {
    for (int t = 0; t < T; t++) {
        if (tokens[t] < 0 || tokens[t] >= c->vocab_size)
            die_input("token %d at position %d is outside the vocabulary [0, %d)", tokens[t], t,
                      c->vocab_size);
        float *row = x + (size_t)t * c->dim;
        if (w->tok_embed)
            memcpy(row, w->tok_embed + (size_t)tokens[t] * c->dim, (size_t)c->dim * sizeof(float));
        else /* a block format's row, dequantized as stored */
            dequantize_row(w->embed.dtype,
                           (const uint8_t *)w->embed.data +
                               (size_t)tokens[t] * dtype_row_bytes(w->embed.dtype, c->dim),
                           row, c->dim);
    }
}

void head_logits(const ModelConfig *c, const HeadWeights *w, const float *x, int T, float *normed,
                 float *logits) {
    rmsnorm(normed, x, w->final_norm, T, c->dim, c->norm_eps);
    matmul_weights(logits, normed, &w->lm_head, T, 0.0f);
}
