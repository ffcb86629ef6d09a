/* study_table.h: a study's output folder read back: the plans of
 * summary.csv, the rows of results.csv and the tasks they name, checked
 * (die_input at FILE:LINE) and sorted, with each plan's place on the Pareto
 * fronts of score against latency. study_report.c draws and writes from it. */
#ifndef PAINTERS_STUDY_TABLE_H
#define PAINTERS_STUDY_TABLE_H

#include "study/csv.h"

/* The header lines of results.csv and summary.csv, as painters study writes them. */
#define STUDY_RESULTS_HEADER                                                                       \
    "model,plan,variant,N,K,seed,task,metric,value,normalized,ranks,threads,placement,"            \
    "prefill_ms_per_token,decode_ms_per_token,decode_batch_ms_per_token,seconds,git_revision"
#define STUDY_SUMMARY_HEADER                                                                       \
    "plan,variant,N,K,seed,steps,median_normalized,prefill_ms_per_token,decode_ms_per_token,"      \
    "decode_batch_ms_per_token"

/* Columns of results.csv and summary.csv (study_report.h's headers). */
enum {
    R_MODEL,
    R_PLAN,
    R_VARIANT,
    R_N,
    R_K,
    R_SEED,
    R_TASK,
    R_METRIC,
    R_VALUE,
    R_NORMALIZED,
    R_RANKS,
    R_THREADS,
    R_PLACEMENT,
    R_PREFILL,
    R_DECODE,
    R_DECODE_BATCH,
    R_SECONDS,
    R_GIT
};
enum {
    S_PLAN,
    S_VARIANT,
    S_N,
    S_K,
    S_SEED,
    S_STEPS,
    S_MEDIAN,
    S_PREFILL,
    S_DECODE,
    S_DECODE_BATCH
};

/* One plan of the study: a row of summary.csv, or a plan found only in
 * results.csv (its median then computed from the per-task scores). */
typedef struct {
    const char *plan, *variant; /* borrowed from a CsvTable */
    int N, K, seed, steps;      /* -1 when empty */
    double median;              /* NAN when empty */
    /* ms per token (NAN when empty): prefill and decode of one sequence,
     * decode of many together (study_latency.h) */
    double prefill_ms, decode_ms, decode_batch_ms;
    int on_decode_front, on_prefill_front;
} StudyTablePlan;

/* One row of results.csv. */
typedef struct {
    const char *plan, *task, *metric; /* borrowed */
    double value, normalized;         /* normalized NAN when empty */
} StudyTableResult;

/* A task and its metrics, in the order results.csv first names them. */
typedef struct {
    const char *name;     /* borrowed */
    const char **metrics; /* owned array of borrowed names */
    int n_metrics;
} StudyTableTask;

typedef struct {
    const char *out_dir;
    CsvTable results_csv, summary_csv; /* own every borrowed string */
    StudyTableResult *results;         /* owned, n_results */
    int n_results;
    StudyTablePlan *plans; /* owned, sorted by variant, N, K, seed, name */
    int n_plans;
    StudyTableTask *tasks; /* owned, n_tasks */
    int n_tasks;
} StudyTable;

/* Reads OUT/results.csv and OUT/summary.csv into s (die_input at FILE:LINE).
 * s owns what it reads; free with study_free(). */
void study_read(StudyTable *s, const char *out_dir);
void study_free(StudyTable *s);

/* The result of plan and task for metric, or with metric NULL the first one
 * with a normalized score; NULL when there is none. Owned by s. */
const StudyTableResult *study_find_result(const StudyTable *s, const char *plan, const char *task,
                                          const char *metric);

#endif
