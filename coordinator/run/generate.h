/* generate.h: greedy decoding with the KV cache. */
#ifndef PAINTERS_GENERATE_H
#define PAINTERS_GENERATE_H

#include "run/runner.h"

typedef struct {
    double prefill_seconds; /* the prompt's forward pass */
    double decode_seconds;  /* every later token */
} GenerateStats;

/* Called for each new token; prev is the token before it (-1 for none). */
typedef void (*GenerateEmit)(void *ctx, int prev, int id);

/* Starts a new sequence with prompt (np ids), then appends the argmax token
 * up to max_new times, stopping after any of the n_stop ids in stop_ids
 * (Llama-3's eos_token_id list; n_stop may be 0: only max_new ends it).
 * Each token is fed through the cache (only the new token is computed). out
 * gets the new ids; returns how many. emit may be NULL. */
int generate_greedy_stops(Runner *r, const int *prompt, int np, int max_new, const int *stop_ids,
                          int n_stop, int *out, GenerateEmit emit, void *ctx, GenerateStats *stats);

/* Decides after each new token whether to stop: ids holds the n new ids so
 * far (n >= 1). Returns nonzero to stop there. */
typedef int (*GenerateStop)(void *ctx, const int *ids, int n);

/* Like generate_greedy_stops, with the stop test `stop` (may be NULL: only max_new
 * ends it) asked after each token; the token that stops it is kept in out.
 * Returns how many new ids out got (1..max_new). */
int generate_greedy_until(Runner *r, const int *prompt, int np, int max_new, GenerateStop stop,
                          void *stop_ctx, int *out, GenerateStats *stats);

/* Index of the largest of n values (the first on ties). */
int argmax_floats(const float *x, int n);

#endif
