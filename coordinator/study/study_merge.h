/* study_merge.h: the rows of a sharded study (study_shard.h) gathered from
 * OUT/shards/results-I-of-N.csv into one list, in the order a study run in
 * one process computes them, with every cell checked to be there once. */
#ifndef PAINTERS_STUDY_MERGE_H
#define PAINTERS_STUDY_MERGE_H

#include "study/study_rows.h"

/* Fills rows (empty on entry; the caller frees it with study_rows_free) with
 * the rows of the n_shards shard files of out, plan by plan (in the order of
 * plans), task by task (in the order of tasks), each cell's metrics as
 * written. Returns the number of plan x task cells missing (a shard file
 * absent, or a shard not finished), each named on stdout with its shard
 * (the first 20). A row of a plan or task not in the lists (the merge was
 * given other arguments than the shards), in the file of a shard it is not
 * for, or written twice is die_input naming the file. Does not change the
 * shard files. */
int study_merge_shards(const char *out, const char *model, int n_shards, const char *const *plans,
                       int n_plans, const char *const *tasks, int n_tasks, StudyRows *rows);

#endif
