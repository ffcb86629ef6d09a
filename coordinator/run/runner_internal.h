/* runner_internal.h: what runner.c shares with runner_batch.c. */
#ifndef PAINTERS_RUNNER_INTERNAL_H
#define PAINTERS_RUNNER_INTERNAL_H

#include "run/runner.h"

/* Makes r->x and r->normed hold at least T rows (contents dropped when grown). */
void runner_reserve(Runner *r, int T);

/* Sets up the batch lanes and KV cache sets of a new runner. */
void runner_batch_open(Runner *r);
/* Frees them; runner_batch_forget only the sets of one rank (a new program). */
void runner_batch_close(Runner *r);
void runner_batch_forget(Runner *r);

#endif
