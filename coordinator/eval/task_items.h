/* task_items.h: an evaluation task in memory: its kind, the options it was
 * loaded with, and its items (perplexity documents or text, choice items,
 * generation items), with the storage they live in. task_load.h fills one
 * from a file; the scorers read it. */
#ifndef PAINTERS_TASK_ITEMS_H
#define PAINTERS_TASK_ITEMS_H

#include <stddef.h>

#include "eval/glue_task.h"

typedef enum {
    TASK_PPL,
    TASK_MC,
    TASK_GEN,
    TASK_ARC,
    TASK_HELLASWAG,
    TASK_WINOGRANDE,
    TASK_LAMBADA,
    TASK_GSM8K,
    TASK_MLM,  /* an encoder's MLM head on a text file (task_mlm.h) */
    TASK_GLUE, /* a GLUE task on an encoder, "glue-NAME:DIR" (task_glue.h) */
} TaskKind;

#define TASK_GSM8K_DEFAULT_SHOTS 5 /* lm-evaluation-harness gsm8k num_fewshot */

typedef struct {
    long limit;    /* evaluate the first `limit` items (chunks in chunked mode); 0: all */
    int skip_bad;  /* skip and count malformed lines instead of dying */
    int shots;     /* gsm8k: items from the start of the file used as examples */
    int chunk_ctx; /* ppl: > 0 selects chunked mode with chunks of this many tokens */
    int no_train;  /* glue: score the checkpoint's own classifier (validation split only) */
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
    char **docs;         /* ppl and mlm documents: one line each, owned; n_items of them */
    char *text;          /* ppl chunked mode: the whole text (bad lines removed), owned */
    ChoiceItem *choices; /* mc, arc, hellaswag, winogrande, lambada: n_items, owned */
    GenItem *gens;       /* gen, gsm8k: n_items, owned */
    char *shots_text;    /* gsm8k: the formatted examples, owned (NULL for none) */
    int n_shots;         /* gsm8k: examples taken so far */
    GlueTask *glue;      /* glue: both splits, owned; n_items = its validation rows */
    int cap;             /* allocated entries of docs / choices / gens */
} Task;

/* "ppl", "mc", ... */
const char *task_kind_name(TaskKind kind);
/* The kind named by the first n bytes of spec; die_input naming spec for an
 * unknown one. */
TaskKind task_kind_parse(const char *spec, size_t n);

/* A task of the given kind with no items yet; its spec and path are copied.
 * Caller owns the result; task_free() frees it. */
Task *task_new(TaskKind kind, const char *spec, const char *path, const TaskLoadOptions *opts);
void task_free(Task *t); /* accepts NULL */

/* Append an item; t takes ownership of what it points to. */
void task_push_doc(Task *t, char *doc);
void task_push_choice(Task *t, ChoiceItem item);
void task_push_gen(Task *t, GenItem item);
void choice_item_free(ChoiceItem *c); /* frees what it owns */

/* The text item i starts from: a perplexity document, a choice item's
 * context, a generation prompt; NULL in chunked mode or out of range. Owned
 * by the task. */
const char *task_item_text(const Task *t, int i);

/* Items the evaluation will report progress over (chunked mode: 0 until known). */
long task_item_count(const Task *t);

#endif
