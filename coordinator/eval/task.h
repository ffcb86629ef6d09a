/* task.h: evaluation tasks (DESIGN.md "Evaluation").
 *
 * A Task is loaded from a spec "KIND:FILE", holds its items in memory, and is
 * scored through a Runner:
 *
 *   Task *t = task_load("mc:tasks/painters-demo/cloze.jsonl", &(TaskLoadOptions){.limit = 200});
 *   TaskResult res;
 *   task_evaluate(t, runner, tokenizer, &(TaskEvalOptions){0}, &res);
 *   task_free(t);
 *
 * Kinds (the protocol of each is in README.md "Evaluation"):
 *   ppl        text file, one document per non-blank line; perplexity. With
 *              chunk_ctx N: the whole file as llama-perplexity scores it
 *   mc         JSONL {context, choices, gold}; acc, acc_norm
 *   gen        JSONL {prompt, answer}; greedy decoding, exact_match
 *   arc        Hugging Face ARC rows {question, choices{text,label}, answerKey}
 *   hellaswag  HF rows {activity_label, ctx_a, ctx_b | ctx, endings, label}
 *   winogrande HF rows {sentence with "_", option1, option2, answer}
 *   lambada    HF rows {text}; acc (greedy target) and perplexity
 *   gsm8k      HF rows {question, answer "... #### n"}; exact_match
 *              (strict-match) and exact_match_flexible (flexible-extract)
 *
 * Scoring of choices and documents goes through runner_score_batch, many
 * sequences per call; generation runs one item at a time with the KV cache.
 *
 * Malformed input (a bad JSON line, a missing or wrong-typed field, a gold
 * index out of range, text that is not UTF-8, ...) is die_input naming
 * FILE:LINE and the reason; with skip_bad such lines are skipped and counted. */
#ifndef PAINTERS_TASK_H
#define PAINTERS_TASK_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "run/progress.h"
#include "run/runner.h"
#include "text/tokenizer.h"

typedef enum {
    TASK_PPL,
    TASK_MC,
    TASK_GEN,
    TASK_ARC,
    TASK_HELLASWAG,
    TASK_WINOGRANDE,
    TASK_LAMBADA,
    TASK_GSM8K,
} TaskKind;

#define TASK_GEN_DEFAULT_MAX_NEW   6   /* the demo arithmetic protocol */
#define TASK_GSM8K_DEFAULT_MAX_NEW 256 /* lm-evaluation-harness max_gen_toks */
#define TASK_GSM8K_DEFAULT_SHOTS   5   /* lm-evaluation-harness gsm8k num_fewshot */
#define TASK_BATCH_ITEMS           64  /* items whose sequences go in one runner_score_batch */

typedef struct {
    long limit;    /* evaluate the first `limit` items (chunks in chunked mode); 0: all */
    int skip_bad;  /* skip and count malformed lines instead of dying */
    int shots;     /* gsm8k: items from the start of the file used as examples */
    int chunk_ctx; /* ppl: > 0 selects chunked mode with chunks of this many tokens */
} TaskLoadOptions;

/* One way to continue an item: the log-prob of `continuation` after `context`. */
typedef struct {
    char *context;      /* owned */
    char *continuation; /* owned */
    int norm_chars;     /* characters (code points) acc_norm divides the score by */
} ChoiceOption;

/* An item scored by log-likelihood: mc, arc, hellaswag, winogrande (several
 * options, one gold) and lambada (one option, gold 0). */
typedef struct {
    int n_options;
    ChoiceOption *options; /* owned, n_options */
    int gold;
} ChoiceItem;

/* An item scored by greedy generation: gen, gsm8k. */
typedef struct {
    char *prompt; /* owned; for gsm8k the examples and "Question: ...\nAnswer:" */
    char *answer; /* owned; the gold text as the file gives it */
} GenItem;

typedef struct {
    TaskKind kind;
    char *spec; /* owned: "KIND:FILE" as given */
    char *path; /* owned: FILE */
    TaskLoadOptions opts;
    int n_items;
    int n_skipped;       /* malformed lines skipped (skip_bad) */
    char **docs;         /* ppl documents: one line each, owned; n_items of them */
    char *text;          /* ppl chunked mode: the whole text (bad lines removed), owned */
    ChoiceItem *choices; /* mc, arc, hellaswag, winogrande, lambada: n_items, owned */
    GenItem *gens;       /* gen, gsm8k: n_items, owned */
    char *shots_text;    /* gsm8k: the formatted examples, owned (NULL for none) */
    int n_shots;         /* gsm8k: examples taken so far */
    int cap;             /* allocated entries of docs / choices / gens */
} Task;

#define TASK_MAX_METRICS 4

typedef struct {
    const char *name; /* "perplexity", "acc", "acc_norm", "exact_match", ... (static) */
    double value;
} TaskMetric;

typedef struct {
    TaskMetric metrics[TASK_MAX_METRICS];
    int n_metrics;
    long items;      /* items scored (chunks in chunked mode) */
    long skipped;    /* malformed lines skipped */
    long tokens;     /* tokens scored (perplexity, choices) or generated (generation) */
    long tokens_run; /* tokens fed through the model */
    double seconds;
} TaskResult;

typedef struct {
    int max_new;        /* generation: most new tokens; 0: the kind's default */
    Progress *progress; /* reports items done; may be NULL */
} TaskEvalOptions;

/* Loads the items of spec "KIND:FILE". die_input for an unknown kind, a
 * missing file, or (without skip_bad) a malformed line. Caller owns the
 * result; task_free() frees it. */
Task *task_load(const char *spec, const TaskLoadOptions *opts);
void task_free(Task *t); /* accepts NULL */

/* "ppl", "mc", ... */
const char *task_kind_name(TaskKind kind);
/* The text item i starts from: a perplexity document, a choice item's
 * context, a generation prompt; NULL in chunked mode or out of range. Owned
 * by the task. */
const char *task_item_text(const Task *t, int i);

/* Items the evaluation will report progress over (chunked mode: 0 until known). */
long task_item_count(const Task *t);

/* Scores every item; fills res. The runner's KV caches are reset. */
void task_evaluate(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                   TaskResult *res);

/* Family scorers behind task_evaluate. */
void task_evaluate_perplexity(const Task *t, Runner *r, const Tokenizer *tok,
                              const TaskEvalOptions *o, TaskResult *res);
void task_evaluate_choice(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                          TaskResult *res);
void task_evaluate_generation(const Task *t, Runner *r, const Tokenizer *tok,
                              const TaskEvalOptions *o, TaskResult *res);

/* Adds a metric to res. */
void task_result_add(TaskResult *res, const char *name, double value);

/* Loading internals shared by task_load.c and task_records.c. */
/* Parses one JSONL record of t's kind and appends its item to t (or, for the
 * first gsm8k records, its example). Returns 0, or -1 with the reason in why
 * (nothing appended). */
int task_record_parse(Task *t, const cJSON *rec, char *why, size_t why_len);
/* Append an item; t takes ownership of what it points to. */
void task_push_choice(Task *t, ChoiceItem item);
void task_push_gen(Task *t, GenItem item);
void choice_item_free(ChoiceItem *c); /* frees what it owns */

#endif
