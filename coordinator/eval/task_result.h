/* task_result.h: what scoring a task takes besides the task and the model
 * (TaskEvalOptions) and what it gives (TaskResult: named metrics and counts),
 * shared by task_evaluate and the family scorers behind it. */
#ifndef PAINTERS_TASK_RESULT_H
#define PAINTERS_TASK_RESULT_H

#include "run/progress.h"

#define TASK_BATCH_ITEMS 64 /* items whose sequences go in one runner_score_batch */
#define TASK_MAX_METRICS 4

typedef struct {
    int max_new;        /* generation: most new tokens; 0: the kind's default */
    Progress *progress; /* reports items done; may be NULL */
} TaskEvalOptions;

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

/* Adds a metric to res; die_runtime past TASK_MAX_METRICS. */
void task_result_add(TaskResult *res, const char *name, double value);

#endif
