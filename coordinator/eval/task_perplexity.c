/* task_perplexity.c: perplexity of a text file, per document or in chunks.
 *
 * Every sequence starts with the prefix token P: BOS, else EOS for a model
 * without BOS (lm-evaluation-harness's prefix_token_id).
 *
 * Documents: each non-blank line is P + encode(line), truncated to the
 * model's context (max_seq_len); tokens 1..n-1 are predicted. perplexity =
 * exp(total NLL / predicted tokens).
 *
 * Chunks (chunk_ctx N), as llama.cpp's llama-perplexity computes it: the
 * whole text is P + encode(text), cut into floor(n / N) chunks of N tokens
 * (the rest dropped); each chunk's first token is replaced by P and only
 * the predictions of its tokens N/2+1 .. N-1 (the second half, each with at
 * least N/2 tokens of context) are scored. */
#include "eval/task_perplexity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/kernels.h"
#include "base/util.h"

typedef struct {
    int V;
    const int *const *seqs; /* the batch's sequences */
    int first;              /* predictions from position first on are scored */
    double nll;             /* summed over the task */
    long predicted;
} PerplexityScore;

/* RunnerScoreFn: adds the NLL of sequence i's tokens first+1 .. T-1. */
static void perplexity_add_sequence(void *ctx, int i, const float *logits, int T) {
    PerplexityScore *s = ctx;
    const int *seq = s->seqs[i];
    for (int p = s->first; p + 1 < T; p++)
        s->nll -= log_softmax_at(logits + (size_t)p * s->V, s->V, seq[p + 1]);
    if (T > s->first + 1) s->predicted += T - 1 - s->first;
}

static void perplexity_documents(const Task *t, Runner *r, const Tokenizer *tok,
                                 const TaskEvalOptions *o, TaskResult *res) {
    int max_len = r->ck->cfg.max_seq_len;
    PerplexityScore score = {.V = r->ck->cfg.vocab_size, .first = 0};
    int **seqs = xmalloc(TASK_BATCH_ITEMS * sizeof *seqs);
    int *lens = xmalloc(TASK_BATCH_ITEMS * sizeof *lens);
    for (int b = 0; b < t->n_items; b += TASK_BATCH_ITEMS) {
        int n = t->n_items - b < TASK_BATCH_ITEMS ? t->n_items - b : TASK_BATCH_ITEMS;
        for (int i = 0; i < n; i++) {
            lens[i] = tokenizer_encode_sequence(tok, t->docs[b + i], &seqs[i]);
            if (max_len > 0 && lens[i] > max_len) lens[i] = max_len;
            res->tokens_run += lens[i];
        }
        score.seqs = (const int *const *)seqs;
        runner_score_batch(r, n, score.seqs, lens, NULL, perplexity_add_sequence, &score);
        for (int i = 0; i < n; i++)
            free(seqs[i]);
        if (o->progress) progress_update(o->progress, b + n);
    }
    free(seqs);
    free(lens);
    res->items = t->n_items;
    res->tokens = score.predicted;
    task_result_add(res, "perplexity", exp(score.nll / (double)score.predicted));
}

static void perplexity_chunks(const Task *t, Runner *r, const Tokenizer *tok,
                              const TaskEvalOptions *o, TaskResult *res) {
    int N = t->opts.chunk_ctx, max_len = r->ck->cfg.max_seq_len;
    if (max_len > 0 && N > max_len)
        die_input("%s: --ctx %d is longer than the model's context of %d tokens", t->path, N,
                  max_len);
    int *ids;
    int n_tokens = tokenizer_encode_sequence(tok, t->text, &ids);
    if (n_tokens < 2 * N)
        die_input("%s: %d tokens; chunked perplexity with --ctx %d needs at least %d "
                  "(as llama-perplexity)",
                  t->path, n_tokens, N, 2 * N);
    long n_chunks = n_tokens / N;
    if (t->opts.limit > 0 && t->opts.limit < n_chunks) n_chunks = t->opts.limit;
    if (o->progress) progress_set_total(o->progress, n_chunks);
    PerplexityScore score = {.V = r->ck->cfg.vocab_size, .first = N / 2};
    int **seqs = xmalloc(TASK_BATCH_ITEMS * sizeof *seqs);
    int *lens = xmalloc(TASK_BATCH_ITEMS * sizeof *lens);
    for (long b = 0; b < n_chunks; b += TASK_BATCH_ITEMS) {
        int n = n_chunks - b < TASK_BATCH_ITEMS ? (int)(n_chunks - b) : TASK_BATCH_ITEMS;
        for (int i = 0; i < n; i++) {
            seqs[i] = xmalloc((size_t)N * sizeof(int));
            memcpy(seqs[i], ids + (size_t)(b + i) * N, (size_t)N * sizeof(int));
            seqs[i][0] = tokenizer_prefix(tok);
            lens[i] = N;
            res->tokens_run += N;
        }
        score.seqs = (const int *const *)seqs;
        runner_score_batch(r, n, score.seqs, lens, NULL, perplexity_add_sequence, &score);
        for (int i = 0; i < n; i++)
            free(seqs[i]);
        if (o->progress) progress_update(o->progress, b + n);
    }
    free(seqs);
    free(lens);
    free(ids);
    res->items = n_chunks;
    res->tokens = score.predicted;
    task_result_add(res, "perplexity", exp(score.nll / (double)score.predicted));
}

void task_evaluate_perplexity(const Task *t, Runner *r, const Tokenizer *tok,
                              const TaskEvalOptions *o, TaskResult *res) {
    if (t->text)
        perplexity_chunks(t, r, tok, o, res);
    else
        perplexity_documents(t, r, tok, o, res);
}
