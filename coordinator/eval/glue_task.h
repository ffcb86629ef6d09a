/* glue_task.h: a GLUE task in memory (its examples of the train and
 * validation splits) and what each task is: its name, its classes, the files
 * and fields its rows come in (GlueTaskInfo). glue_read.h fills one from a
 * folder.
 *
 * Labels are the class indices of the Hugging Face configs, whichever layout
 * a file has (glue_label_name gives the names):
 *   cola  0 unacceptable, 1 acceptable      sst2  0 negative, 1 positive
 *   mrpc  0 not_equivalent, 1 equivalent    qqp   0 not_duplicate, 1 duplicate
 *   mnli  0 entailment, 1 neutral, 2 contradiction
 *   qnli, rte  0 entailment, 1 not_entailment
 *   wnli  0 not_entailment, 1 entailment
 *   stsb  no classes: `score`, a similarity in [0, 5]
 */
#ifndef PAINTERS_GLUE_TASK_H
#define PAINTERS_GLUE_TASK_H

typedef enum {
    GLUE_COLA,
    GLUE_SST2,
    GLUE_MRPC,
    GLUE_STSB,
    GLUE_QQP,
    GLUE_MNLI,    /* validation: the matched genres */
    GLUE_MNLI_MM, /* validation: the mismatched genres */
    GLUE_QNLI,
    GLUE_RTE,
    GLUE_WNLI,
} GlueTaskId;

#define GLUE_TASK_COUNT 10
#define GLUE_MAX_LABELS 3

typedef struct {
    char *text_a; /* owned */
    char *text_b; /* owned; NULL for single-sentence tasks (CoLA, SST-2) */
    int label;    /* class index; -1 for STS-B */
    float score;  /* STS-B similarity in [0, 5]; 0 for the classification tasks */
} GlueExample;

typedef struct {
    char *path;      /* the file it was read from, owned */
    GlueExample *ex; /* n of them, owned */
    int n, cap;
    int skipped; /* malformed rows skipped (skip_bad) */
} GlueSplit;

typedef struct {
    GlueTaskId id;
    const char *name; /* "rte", "mnli-mm", ... (static) */
    int num_labels;   /* classes; 1 for STS-B (one regression output) */
    int is_jsonl;     /* read from the JSONL layout */
    GlueSplit train;  /* empty with dev_only */
    GlueSplit dev;    /* the validation split that is scored */
} GlueTask;

typedef struct {
    long limit;   /* the first `limit` examples of each split; 0: all */
    int skip_bad; /* skip and count malformed rows instead of dying */
    int dev_only; /* read only the validation split (scoring a fine-tuned model) */
} GlueLoadOptions;

/* What a task's files are called and what their rows hold (static). */
typedef struct {
    const char *name;
    int num_labels;                        /* 1 for STS-B */
    const char *labels[3];                 /* class names of the Hugging Face config */
    const char *tsv_spell[3];              /* how the TSV label column writes each class */
    const char *tsv_a, *tsv_b, *tsv_label; /* header names; tsv_b NULL: one sentence */
    const char *json_a, *json_b;           /* JSON fields; json_b NULL: one sentence */
    const char *dev_tsv, *dev_jsonl;       /* the validation files */
} GlueTaskInfo;

/* The facts of task id; die_runtime for an id out of range. */
const GlueTaskInfo *glue_task_info(GlueTaskId id);
/* Parses "NAME" (cola, sst2, mrpc, stsb, qqp, mnli, mnli-mm, qnli, rte, wnli)
 * of n bytes. Returns 0 and sets *id, or -1 for an unknown name. */
int glue_task_parse_name(const char *name, int n, GlueTaskId *id);
/* The task's name ("mnli-mm" for GLUE_MNLI_MM); static. */
const char *glue_task_name(GlueTaskId id);
/* Classes of the task (1 for STS-B: one regression output). */
int glue_task_num_labels(GlueTaskId id);
/* The name of class `label` of the task ("entailment", ...), static; NULL
 * when out of range or for STS-B. */
const char *glue_label_name(GlueTaskId id, int label);

/* Frees t and everything it owns; NULL is allowed. */
void glue_task_free(GlueTask *t);

#endif
