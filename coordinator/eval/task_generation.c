/* task_generation.c: items scored by greedy generation (gen, gsm8k).
 *
 * Each item: greedy decoding with the KV cache after P + encode(prompt) (P
 * the prefix token: BOS, else EOS for a model without BOS), at most max_new
 * tokens, until any EOS id or a stop string appears in the decoded
 * text; the text is cut at the first stop string.
 *   gen    stop at "\n"; max_new 6; exact_match: the text stripped equals
 *          the answer stripped
 *   gsm8k  stop at "Question:" or "\n\n"; max_new 256; exact_match with the
 *          strict-match filter and exact_match_flexible with the
 *          flexible-extract filter, both normalized as lm-evaluation-harness
 * A prompt that leaves fewer than max_new positions of the model's context
 * keeps P and its last tokens. */
#include "eval/task_generation.h"

#include <stdlib.h>
#include <string.h>

#include "run/generate_batch.h"
#include "eval/task_text.h"
#include "base/util.h"

static const char *const GEN_STOPS[] = {"\n", NULL};
static const char *const GSM8K_STOPS[] = {"Question:", "\n\n", NULL};

typedef struct {
    const Tokenizer *tok;
    const char *const *stops; /* NULL-terminated */
    Progress *progress;       /* may be NULL */
    int done;                 /* items finished */
} StopTest;

/* The first occurrence in text of any of the stops, or NULL. */
static char *find_stop(char *text, const char *const *stops) {
    char *first = NULL;
    for (int i = 0; stops[i]; i++) {
        char *p = strstr(text, stops[i]);
        if (p && (!first || p < first)) first = p;
    }
    return first;
}

/* GenerateBatchStop: EOS, or a stop string in the text so far. */
static int generation_should_stop(void *ctx, int i, const int *ids, int n) {
    (void)i;
    const StopTest *s = ctx;
    if (tokenizer_is_eos(s->tok, ids[n - 1])) return 1;
    char *text = tokenizer_decode(s->tok, ids, n);
    int stop = find_stop(text, s->stops) != NULL;
    free(text);
    return stop;
}

/* The ids of prompt after P; one that leaves fewer than max_new positions of
 * the model's context keeps P and its last tokens. Returns the count; *ids is
 * the caller's to free. */
static int generation_prompt(const Runner *r, const Tokenizer *tok, const char *prompt, int max_new,
                             int **ids) {
    int np = tokenizer_encode_sequence(tok, prompt, ids);
    int max_len = r->ck->cfg.max_seq_len;
    if (max_len > 0 && np + max_new > max_len) {
        int keep = max_len - max_new; /* P and the last keep - 1 prompt tokens */
        memmove(*ids + 1, *ids + np - (keep - 1), (size_t)(keep - 1) * sizeof(int));
        np = keep;
    }
    return np;
}

/* GenerateBatchDone: one more item finished. */
static void generation_item_done(void *ctx, int i, const int *ids, int n) {
    (void)i, (void)ids, (void)n;
    StopTest *s = ctx;
    s->done++;
    if (s->progress) progress_update(s->progress, s->done);
}

static int exact_match_stripped(const char *text, const char *answer) {
    char *a = str_strip(text), *b = str_strip(answer);
    int same = !strcmp(a, b);
    free(a);
    free(b);
    return same;
}

/* 1 when the filtered prediction (may be NULL: no match) normalizes to the
 * normalized gold answer. */
static int gsm8k_match(char *prediction, const char *gold_normalized) {
    if (!prediction) return 0;
    char *p = gsm8k_normalize(prediction);
    int same = !strcmp(p, gold_normalized);
    free(p);
    free(prediction);
    return same;
}

void task_evaluate_generation(const Task *t, Runner *r, const Tokenizer *tok,
                              const TaskEvalOptions *o, TaskResult *res) {
    int gsm8k = t->kind == TASK_GSM8K;
    int max_new = o->max_new > 0 ? o->max_new
                  : gsm8k        ? TASK_GSM8K_DEFAULT_MAX_NEW
                                 : TASK_GEN_DEFAULT_MAX_NEW;
    int max_len = r->ck->cfg.max_seq_len;
    if (max_len > 0 && max_new > max_len - 2)
        die_input(
            "%s: --max-new %d leaves no room for a prompt in the model's context of %d tokens",
            t->path, max_new, max_len);
    /* Every item's prompt, decoded together (generate_batch.h). */
    int n = t->n_items;
    int **prompts = xmalloc((size_t)n * sizeof *prompts), *lens = xmalloc((size_t)n * sizeof(int));
    int **out = xmalloc((size_t)n * sizeof *out), *n_out = xmalloc((size_t)n * sizeof(int));
    for (int i = 0; i < n; i++) {
        lens[i] = generation_prompt(r, tok, t->gens[i].prompt, max_new, &prompts[i]);
        out[i] = xmalloc((size_t)max_new * sizeof(int));
    }
    StopTest stop = {tok, gsm8k ? GSM8K_STOPS : GEN_STOPS, o->progress, 0};
    GenerateBatchJob job = {.n = n,
                            .prompts = (const int *const *)prompts,
                            .lens = lens,
                            .max_new = max_new,
                            .stop = generation_should_stop,
                            .done = generation_item_done,
                            .ctx = &stop,
                            .out = out,
                            .n_out = n_out};
    generate_batch(r, &job, NULL);
    long correct = 0, correct_flexible = 0;
    for (int i = 0; i < n; i++) {
        const GenItem *item = &t->gens[i];
        res->tokens += n_out[i];
        res->tokens_run += lens[i] + n_out[i] - 1;
        char *text = tokenizer_decode(tok, out[i], n_out[i]);
        char *cut = find_stop(text, stop.stops);
        if (cut) *cut = '\0';
        if (gsm8k) {
            char *gold = gsm8k_normalize(item->answer);
            correct += gsm8k_match(gsm8k_extract_strict(text), gold);
            correct_flexible += gsm8k_match(gsm8k_extract_flexible(text), gold);
            free(gold);
        } else {
            correct += exact_match_stripped(text, item->answer);
        }
        free(text);
        free(prompts[i]);
        free(out[i]);
    }
    free(prompts), free(lens), free(out), free(n_out);
    res->items = t->n_items;
    task_result_add(res, "exact_match", (double)correct / t->n_items);
    if (gsm8k) task_result_add(res, "exact_match_flexible", (double)correct_flexible / t->n_items);
}
