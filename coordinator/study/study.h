/* study.h: the paper's experiment as a sweep: plans (the variants for a range
 * of N, or plan files) x tasks, under whatever ranks the job has. For every
 * cell: the task's metrics, the paper's normalized score
 * (s - s_random) / (s_baseline - s_random), and the plan's measured latency
 * at this rank count and placement (study_latency.h: ms per token in prefill
 * and decode of one sequence, and in decode of many sequences together).
 *
 * OUT/results.csv gets one row per plan x task x metric as each cell ends
 * (so a killed study resumes where it stopped, every cell exactly once);
 * OUT/summary.csv (one row per plan: the median normalized score over tasks
 * and the latency), OUT/results.json and OUT/similarity.csv are rewritten
 * atomically; then the plots and OUT/report.html are drawn.
 *
 * Sharded (study_shard.h: the tasks of a Slurm job array), each process runs
 * its plans' cells into OUT/shards/results-I-of-N.csv and writes nothing
 * else; the shard that finds every shard's cells there (the last to finish)
 * merges them (study_merge.h) into the files above, as a study run in one
 * process would have written them: the same rows in the same order, the
 * normalized scores computed from the merged values. `merge` does only that
 * merge, and refuses (die_input) while cells are missing. */
#ifndef PAINTERS_STUDY_H
#define PAINTERS_STUDY_H

#include "run/runner.h"
#include "study/study_shard.h"

typedef struct {
    const char *spec; /* "KIND:FILE" */
    long limit;       /* first items; 0: all */
} StudyTask;

typedef struct {
    const char *out_dir;
    RunnerOptions run;             /* model, placement, ... (its plan is ignored) */
    const char *tokenizer;         /* NULL: beside the model */
    const char *const *plan_files; /* explicit plans (files or inline JSON); NULL: variants */
    int n_plan_files;
    const char *const *variants; /* paper variants to sweep (baseline always runs first) */
    int n_variants;
    const int *Ns; /* values of N */
    int n_Ns;
    int K, seed; /* looped_parallel repeats, random's seed */
    const StudyTask *tasks;
    int n_tasks;
    int latency_prompt;  /* tokens of the prefill latency test (and each batched prompt) */
    int latency_decode;  /* tokens of the decode latency tests */
    int similarity_seqs; /* sequences for the similarity heat map (0: none) */
    int report;          /* draw plots and report.html */
    StudyShard shard;    /* this process's share of the plans; count 0: all */
    int merge;           /* only merge the shards' results of out_dir */
} StudyOptions;

/* Runs the study; returns 0. Bad options or inputs are die_input. */
int study_run(const StudyOptions *o);

#endif
