/* study_rows.h: the rows of a study's results file (one per plan x task x
 * metric), kept in memory in the order they were computed, written as CSV
 * lines (STUDY_RESULTS_HEADER), appended durably as each cell ends, rewritten
 * atomically, and read back. Both OUT/results.csv and a shard's
 * OUT/shards/results-I-of-N.csv hold such rows.
 *
 * A row's value is stored as written (study_value_as_written), so a score
 * computed from rows in memory equals one computed from rows read back: a
 * resumed or merged study gives the same normalized scores as a run in one
 * go. */
#ifndef PAINTERS_STUDY_ROWS_H
#define PAINTERS_STUDY_ROWS_H

#include <stddef.h>

#include "study/study_latency.h"

/* One row: a metric of one plan x task cell, measured by a run at `ranks`
 * ranks of `threads` threads under `placement`. */
typedef struct {
    char *plan, *variant, *task, *metric, *placement, *revision; /* owned */
    int N, K, seed;                                              /* N: -1 for a plan file */
    int ranks, threads;
    double value, normalized; /* normalized: NAN when not the primary metric */
    StudyLatency ms;          /* the plan's, per token */
    double seconds;
} StudyRow;

typedef struct {
    StudyRow *rows; /* owned, with their strings */
    int n, cap;
} StudyRows;

/* Appends row, taking ownership of its strings. */
void study_rows_push(StudyRows *l, StudyRow row);
/* Frees the rows and their strings; the list is left empty. */
void study_rows_free(StudyRows *l);
/* The first row of plan x task with that metric (NULL: any metric), or NULL. */
const StudyRow *study_rows_find(const StudyRows *l, const char *plan, const char *task,
                                const char *metric);
/* v rounded as the CSV writes it (%.10g), so that it reads back the same. */
double study_value_as_written(double v);

/* v as results.csv writes it (%.10g) into buf (n bytes), or "" for NaN. */
void study_format_number(char *buf, size_t n, double v);
/* A time in ms with 6 decimals into buf (32 bytes), or "" for NaN. */
void study_format_ms(char *buf, double v);

/* Appends rows [from, n) to path and syncs them before returning;
 * die_runtime on an I/O error. */
void study_rows_append(const char *path, const char *model, const StudyRows *l, int from);
/* Rewrites path (header and rows) atomically. */
void study_rows_write(const char *path, const char *model, const StudyRows *l);
/* Reads the rows of path (which must exist) into l, without changing the
 * file. A last line cut short (by a kill) is left out and 1 returned, else
 * 0. Another header, a malformed line or another model is die_input naming
 * path:line. */
int study_rows_load(const char *path, const char *model, StudyRows *l);

#endif
