/* task_choice.c: items scored by log-likelihood (mc, arc, hellaswag,
 * winogrande, lambada).
 *
 * The score of an option (context, continuation) is the sum of the log-probs
 * of the tokens of P + encode(context + continuation) that come after
 * their longest common prefix with P + encode(context), P the prefix token
 * (BOS, else EOS for a model without BOS, as lm-evaluation-harness's
 * prefix_token_id). A sequence longer than the model's context loses its
 * oldest tokens after P.
 *
 *   acc       argmax of the scores is the gold option (the first on ties)
 *   acc_norm  argmax of score / characters of the option's text
 *   lambada   acc: every target token is the argmax; perplexity =
 *             exp(-mean over items of the target's log-likelihood), as
 *             lm-evaluation-harness aggregates it
 *
 * Sequences of up to TASK_BATCH_ITEMS items go through one
 * runner_score_batch call. */
#include "eval/task_choice.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/kernels.h"
#include "run/generate.h"
#include "run/token_seq.h"
#include "eval/task_text.h"
#include "base/util.h"

/* One option's sequence and what came of it. */
typedef struct {
    int *tokens; /* owned: P + encode(context + continuation), perhaps cut */
    int len;
    int start; /* first scored position */
    double logprob;
    int greedy; /* every scored token was the argmax */
} OptionScore;

typedef struct {
    int V;
    OptionScore *scores; /* the batch's options, in sequence order */
} ChoiceBatch;

/* RunnerScoreFn: the log-prob of sequence i's tokens from start on. */
static void task_score_option(void *ctx, int i, const float *logits, int T) {
    ChoiceBatch *b = ctx;
    OptionScore *s = &b->scores[i];
    s->logprob = 0.0;
    s->greedy = 1;
    for (int p = s->start; p < T; p++) {
        const float *row = logits + (size_t)(p - 1) * b->V;
        s->logprob += log_softmax_at(row, b->V, s->tokens[p]);
        if (argmax_floats(row, b->V) != s->tokens[p]) s->greedy = 0;
    }
}

/* Tokenizes one option into s; max_len > 0 bounds the sequence. */
static void option_sequence(const ChoiceOption *o, const Tokenizer *tok, int max_len,
                            OptionScore *s) {
    char *whole = str_printf("%s%s", o->context, o->continuation);
    int *ctx_ids;
    int n_ctx = tokenizer_encode_sequence(tok, o->context, &ctx_ids);
    s->len = tokenizer_encode_sequence(tok, whole, &s->tokens);
    s->start = token_seq_common_prefix(ctx_ids, n_ctx, s->tokens, s->len);
    if (s->start < 1) s->start = 1;
    if (max_len > 1 && s->len > max_len) {
        int cut = s->len - max_len;
        memmove(s->tokens + 1, s->tokens + 1 + cut, (size_t)(max_len - 1) * sizeof(int));
        s->len = max_len;
        s->start = s->start - cut > 1 ? s->start - cut : 1;
    }
    free(ctx_ids);
    free(whole);
}

/* Index of the best score of n (the first on ties); with norm, each score is
 * divided by its option's characters (an empty option never wins). */
static int best_option(const ChoiceItem *item, const OptionScore *s, int norm) {
    int best = 0;
    double best_v = -INFINITY;
    for (int k = 0; k < item->n_options; k++) {
        double v = s[k].logprob;
        if (norm) v = item->options[k].norm_chars > 0 ? v / item->options[k].norm_chars : -INFINITY;
        if (k == 0 || v > best_v) best = k, best_v = v;
    }
    return best;
}

void task_evaluate_choice(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                          TaskResult *res) {
    int max_len = r->ck->cfg.max_seq_len;
    long correct = 0, correct_norm = 0;
    double loglik = 0.0;
    for (int b = 0; b < t->n_items; b += TASK_BATCH_ITEMS) {
        int n_items = t->n_items - b < TASK_BATCH_ITEMS ? t->n_items - b : TASK_BATCH_ITEMS;
        int n_seq = 0;
        for (int i = 0; i < n_items; i++)
            n_seq += t->choices[b + i].n_options;
        ChoiceBatch batch = {r->ck->cfg.vocab_size, xcalloc((size_t)n_seq, sizeof(OptionScore))};
        const int **seqs = xmalloc((size_t)n_seq * sizeof *seqs);
        int *lens = xmalloc((size_t)n_seq * sizeof *lens);
        int *from = xmalloc((size_t)n_seq * sizeof *from);
        int k = 0;
        for (int i = 0; i < n_items; i++) {
            const ChoiceItem *item = &t->choices[b + i];
            for (int j = 0; j < item->n_options; j++, k++) {
                option_sequence(&item->options[j], tok, max_len, &batch.scores[k]);
                seqs[k] = batch.scores[k].tokens;
                lens[k] = batch.scores[k].len;
                from[k] = batch.scores[k].start - 1; /* the row predicting the first scored token */
                res->tokens_run += lens[k];
                res->tokens += lens[k] - batch.scores[k].start;
            }
        }
        runner_score_batch(r, n_seq, seqs, lens, from, task_score_option, &batch);
        k = 0;
        for (int i = 0; i < n_items; i++) {
            const ChoiceItem *item = &t->choices[b + i];
            const OptionScore *s = &batch.scores[k];
            if (t->kind == TASK_LAMBADA) {
                correct += s[0].greedy;
                loglik += s[0].logprob;
            } else {
                correct += best_option(item, s, 0) == item->gold;
                correct_norm += best_option(item, s, 1) == item->gold;
            }
            k += item->n_options;
        }
        for (k = 0; k < n_seq; k++)
            free(batch.scores[k].tokens);
        free(batch.scores);
        free(seqs);
        free(lens);
        free(from);
        if (o->progress) progress_update(o->progress, b + n_items);
    }
    res->items = t->n_items;
    task_result_add(res, "acc", (double)correct / t->n_items);
    if (t->kind == TASK_LAMBADA)
        task_result_add(res, "perplexity", exp(-loglik / t->n_items));
    else if (t->kind != TASK_WINOGRANDE)
        task_result_add(res, "acc_norm", (double)correct_norm / t->n_items);
}
