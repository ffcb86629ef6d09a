/* generate_batch.h: greedy decoding of many prompts together, continuously.
 *
 * Each prompt gets a KV cache set of its own; the sequences decoding in a
 * lane share one canvas per step (one new token each, so every weight row is
 * read once for all of them), and a finished sequence's set takes the next
 * prompt at once. With stations the runner's lanes are in flight together,
 * so that every station has a canvas to work on while rank 0 computes the
 * head of another (pipelined micro-batches).
 *
 * A canvas takes new prompts (their whole prompt, prefilled there) while it
 * stays within RunnerOptions.pack_tokens rows. The tokens are those of one
 * prompt at a time (generate.h) wherever the argmax is not a near-tie: a row
 * computed among others may go through another kernel (matmul.h) and differ
 * in the last bits; test_fixtures checks every reference greedy case both
 * ways. */
#ifndef PAINTERS_GENERATE_BATCH_H
#define PAINTERS_GENERATE_BATCH_H

#include "run/runner.h"

/* After each new token of prompt i: its n new ids so far; nonzero stops it. */
typedef int (*GenerateBatchStop)(void *ctx, int i, const int *ids, int n);
/* Once per prompt, as it finishes (in any order): its n new ids. */
typedef void (*GenerateBatchDone)(void *ctx, int i, const int *ids, int n);

typedef struct {
    int n;                     /* prompts */
    const int *const *prompts; /* (n) token ids, each at least one */
    const int *lens;           /* (n) */
    int max_new;               /* most new tokens of each (>= 1) */
    GenerateBatchStop stop;    /* may be NULL: only max_new ends a sequence */
    GenerateBatchDone done;    /* may be NULL */
    void *ctx;                 /* for stop and done */
    int **out;                 /* (n) the caller's buffers of max_new ids each */
    int *n_out;                /* (n) how many ids each got */
} GenerateBatchJob;

typedef struct {
    double seconds;
    long new_tokens;    /* tokens generated */
    long prompt_tokens; /* prompt tokens prefilled */
    long canvases;      /* canvases run */
    long rows;          /* their rows in all */
} GenerateBatchStats;

/* Runs job on r (its lanes and RunnerOptions.batch sequences per canvas);
 * stats may be NULL. Leaves r at a new sequence (runner_reset). */
void generate_batch(Runner *r, const GenerateBatchJob *job, GenerateBatchStats *stats);

#endif
