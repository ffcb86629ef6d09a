/* runner.h: runs a program over a sequence: embed, route the canvas through
 * the program's steps, head. Keeps the sequence's KV caches, so a later call
 * continues the same sequence (cached decoding).
 *
 *   Runner *r = runner_open(&(RunnerOptions){.model = "models/x", .plan = NULL});
 *   runner_feed(r, tokens, T, logits, RUNNER_ALL_LOGITS);  // prefill: logits (T, V)
 *   runner_feed(r, &next, 1, logits, RUNNER_LAST_LOGITS);  // one more token
 *   runner_close(r);
 */
#ifndef PAINTERS_RUNNER_H
#define PAINTERS_RUNNER_H

#include "checkpoint.h"
#include "plan.h"
#include "station.h"
#include "weights.h"

typedef struct {
    const char *model; /* checkpoint path (directory, .safetensors or llama2.c .bin) */
    const char *plan;  /* plan file, inline JSON, or NULL for the baseline */
} RunnerOptions;

typedef enum { RUNNER_LAST_LOGITS, RUNNER_ALL_LOGITS } RunnerLogits;

typedef struct {
    Checkpoint *ck;
    HeadWeights *head;
    Station *station; /* the layers this process hosts (all of them with one rank) */
    Program *program;
    ProgramKV *kv;
    int n_past;       /* tokens of the sequence so far */
    float *x, *normed;/* (cap, D) canvas and head work buffer */
    size_t cap;
    double seconds_layers, seconds_head;
} Runner;

/* Opens the model and plan. Caller owns; runner_close() frees. */
Runner *runner_open(const RunnerOptions *o);
void runner_close(Runner *r); /* accepts NULL */

/* Feeds T new tokens of the current sequence. logits receives (T, V) for
 * RUNNER_ALL_LOGITS or (V) for the last token with RUNNER_LAST_LOGITS. */
void runner_feed(Runner *r, const int *tokens, int T, float *logits, RunnerLogits which);
/* Receives the logits (T, V) of sequence i of a batch; valid only during the call. */
typedef void (*RunnerScoreFn)(void *ctx, int i, const float *logits, int T);

/* Runs n independent sequences, each from an empty cache, and calls fn for
 * each with all its logits, in order i = 0..n-1. With stations, several
 * sequences are in flight at once so that every station has work. */
void runner_score_batch(Runner *r, int n, const int *const *seqs, const int *lens,
                        RunnerScoreFn fn, void *ctx);

/* Starts a new sequence (forgets the KV caches). */
void runner_reset(Runner *r);
/* Replaces the program (the runner takes ownership of p) and starts a new
 * sequence; the weights stay loaded. */
void runner_set_program(Runner *r, Program *p);

#endif
