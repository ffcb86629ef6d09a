/* task_mlm.c: the frozen MLM head of an encoder under a plan, on a text
 * file (one document per non-blank line), without any training.
 *
 * Each document is [CLS] encode(line) [SEP] (the tokenizer's own special
 * tokens), cut to the model's positions. A fixed 15% of its text tokens
 * (at least one) is masked: token j of document i is masked when
 * mask_draw(seed, i, j) < 0.15, a hash of the three, so that the mask is the
 * same at any rank count, batch size or run. Every masked token becomes
 * [MASK] (no 80/10/10 at evaluation). Metrics over all masked tokens:
 *   mlm_acc           the MLM head's argmax is the original token
 *   pseudo_perplexity exp(-mean log p(original token | the masked document))
 * The documents go through runner_encode_batch, packed and pipelined; the
 * MLM head runs on rank 0 on the masked rows only. */
#include "eval/task_mlm.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/kernels.h"
#include "run/generate.h"

#define MLM_MASK_RATE 0.15
#define MLM_SEED 1234u

/* A uniform draw in [0, 1) from (seed, document, position): splitmix64. */
static double mask_draw(uint64_t seed, uint64_t doc, uint64_t pos) {
    uint64_t z = seed * 0x9E3779B97F4A7C15ull ^ (doc + 1) * 0xBF58476D1CE4E5B9ull ^
                 (pos + 1) * 0x94D049BB133111EBull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

/* One masked document and its masked positions. */
typedef struct {
    int *ids; /* owned: (len) with [MASK] at the masked positions */
    int len;
    int *pos;  /* owned: (n_masked) masked positions, ascending */
    int *orig; /* owned: (n_masked) the tokens they held */
    int n_masked;
} MaskedDoc;

typedef struct {
    Runner *r;
    MaskedDoc *docs;
    int V, D;
    float *rows;   /* (max masked, D) gathered hidden rows */
    float *logits; /* (max masked, V) */
    double loglik;
    long masked, correct;
} MlmScore;

/* RunnerEncodeFn: the MLM head on document i's masked rows. */
static void mlm_score_document(void *ctx, int i, const float *hidden, int len) {
    MlmScore *s = ctx;
    const MaskedDoc *d = &s->docs[i];
    if (len != d->len) die_runtime("mlm: document %d came back with %d of %d rows", i, len, d->len);
    for (int k = 0; k < d->n_masked; k++)
        memcpy(s->rows + (size_t)k * s->D, hidden + (size_t)d->pos[k] * s->D,
               (size_t)s->D * sizeof(float));
    runner_bert_mlm_logits(s->r, s->rows, d->n_masked, s->logits);
    for (int k = 0; k < d->n_masked; k++) {
        const float *row = s->logits + (size_t)k * s->V;
        s->loglik += log_softmax_at(row, s->V, d->orig[k]);
        s->correct += argmax_floats(row, s->V) == d->orig[k];
    }
    s->masked += d->n_masked;
}

/* Document `index`: its ids (special tokens added, cut to max_len) with the
 * fixed mask applied. */
static void mask_document(const Tokenizer *tok, const char *text, int index, int max_len,
                          int mask_id, MaskedDoc *d) {
    d->len = tokenizer_encode(tok, text, 1, &d->ids);
    if (max_len > 2 && d->len > max_len) {
        d->ids[max_len - 1] = d->ids[d->len - 1]; /* keep [SEP] last */
        d->len = max_len;
    }
    d->pos = xmalloc((size_t)(d->len > 0 ? d->len : 1) * sizeof(int));
    d->orig = xmalloc((size_t)(d->len > 0 ? d->len : 1) * sizeof(int));
    d->n_masked = 0;
    /* Positions 1 .. len-2: the text between [CLS] and [SEP]. */
    for (int j = 1; j + 1 < d->len; j++)
        if (mask_draw(MLM_SEED, (uint64_t)index, (uint64_t)j) < MLM_MASK_RATE)
            d->pos[d->n_masked++] = j;
    if (d->n_masked == 0 && d->len > 2) {
        /* At least one: the position with the smallest draw. */
        int best = 1;
        for (int j = 2; j + 1 < d->len; j++)
            if (mask_draw(MLM_SEED, (uint64_t)index, (uint64_t)j) <
                mask_draw(MLM_SEED, (uint64_t)index, (uint64_t)best))
                best = j;
        d->pos[d->n_masked++] = best;
    }
    for (int k = 0; k < d->n_masked; k++) {
        d->orig[k] = d->ids[d->pos[k]];
        d->ids[d->pos[k]] = mask_id;
    }
}

void task_evaluate_mlm(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                       TaskResult *res) {
    if (!runner_is_encoder(r))
        die_input("task %s: mlm needs an encoder with an MLM head (BERT), not a decoder", t->spec);
    int mask_id = tokenizer_piece_to_id(tok, "[MASK]");
    if (mask_id < 0) die_input("task %s: the tokenizer has no [MASK] token", t->spec);
    const ModelConfig *c = &r->ck->cfg;
    MlmScore s = {.r = r, .V = c->vocab_size, .D = c->dim};
    int max_len = c->max_seq_len, longest = 1;
    for (int b = 0; b < t->n_items; b += TASK_BATCH_ITEMS) {
        int n = t->n_items - b < TASK_BATCH_ITEMS ? t->n_items - b : TASK_BATCH_ITEMS;
        s.docs = xcalloc((size_t)n, sizeof *s.docs);
        const int **seqs = xmalloc((size_t)n * sizeof *seqs);
        int *lens = xmalloc((size_t)n * sizeof *lens);
        for (int i = 0; i < n; i++) {
            mask_document(tok, t->docs[b + i], b + i, max_len, mask_id, &s.docs[i]);
            seqs[i] = s.docs[i].ids;
            lens[i] = s.docs[i].len;
            res->tokens_run += lens[i];
            res->tokens += s.docs[i].n_masked;
            if (s.docs[i].n_masked > longest) {
                longest = s.docs[i].n_masked;
                free(s.rows), free(s.logits);
                s.rows = NULL, s.logits = NULL;
            }
        }
        if (!s.rows) {
            s.rows = xalloc_floats((size_t)longest * s.D);
            s.logits = xalloc_floats((size_t)longest * s.V);
        }
        runner_encode_batch(r, n, seqs, NULL, lens, mlm_score_document, &s);
        for (int i = 0; i < n; i++)
            free(s.docs[i].ids), free(s.docs[i].pos), free(s.docs[i].orig);
        free(s.docs);
        free(seqs);
        free(lens);
        if (o->progress) progress_update(o->progress, b + n);
    }
    free(s.rows);
    free(s.logits);
    res->items = t->n_items;
    if (s.masked == 0) die_input("task %s: no token to mask (every document is empty)", t->spec);
    task_result_add(res, "mlm_acc", (double)s.correct / (double)s.masked);
    task_result_add(res, "pseudo_perplexity", exp(-s.loglik / (double)s.masked));
}
