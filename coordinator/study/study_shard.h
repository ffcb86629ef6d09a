/* study_shard.h: a study split over several processes (the tasks of a Slurm
 * job array), all writing into one output folder.
 *
 * Shard I of N runs the cells of the plans whose index in the study's plan
 * list is I modulo N (a plan's latency is measured once, by its shard), and
 * appends their rows to OUT/shards/results-I-of-N.csv as each cell ends, so a
 * killed or requeued shard resumes where it stopped. While it runs it holds
 * an exclusive lock on OUT/shards/shard-I-of-N.lock: a second process of the
 * same shard is refused, so every cell is computed exactly once. Each run of
 * a shard is recorded in OUT/shards/run-I-of-N.json (Slurm's job, array task
 * and restart count). The merge (study.c) reads every shard's file under the
 * lock OUT/shards/merge.lock. */
#ifndef PAINTERS_STUDY_SHARD_H
#define PAINTERS_STUDY_SHARD_H

typedef struct {
    int index, count; /* count 0: not sharded */
} StudyShard;

/* "I/N" with 0 <= I < N; anything else is die_input naming `what`. */
StudyShard study_shard_parse(const char *text, const char *what);
/* The shard of this Slurm array task: I = (SLURM_ARRAY_TASK_ID -
 * SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP (step 1 when unset), N =
 * SLURM_ARRAY_TASK_COUNT; {0, 0} outside an array. Values that do not make
 * 0 <= I < N are die_input naming the variables. */
StudyShard study_shard_from_env(void);
/* 1 when plan number `plan` (0 = the baseline) is shard s's. */
int study_shard_owns(StudyShard s, int plan);

/* OUT/shards/KIND-I-of-N.EXT; the caller frees it. */
char *study_shard_path(const char *out, StudyShard s, const char *kind, const char *ext);
/* Creates OUT/shards and takes shard s's lock for the life of the process;
 * die_input when another process holds it. */
void study_shard_claim(const char *out, StudyShard s);
/* The N of the shard results files in OUT/shards (0: none); files of
 * different N are die_input. */
int study_shards_count(const char *out);
/* Waits for and takes the merge lock; returns the descriptor to pass to
 * study_shard_unlock. */
int study_shard_lock_merge(const char *out);
void study_shard_unlock(int fd);

/* Records the start of a run of shard s in OUT/shards/run-I-of-N.json:
 * Slurm's job id, array job and task, SLURM_RESTART_COUNT (null where
 * unset), the host, ranks and the cells already done and still to do. */
void study_shard_record_start(const char *out, StudyShard s, int ranks, int cells_done,
                              int cells_to_go);
/* Marks the last recorded run of shard s finished. */
void study_shard_record_end(const char *out, StudyShard s);

#endif
