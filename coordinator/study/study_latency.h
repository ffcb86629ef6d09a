/* study_latency.h: the measured latency of the runner's current program, the
 * three figures of a study plan (ms per token):
 *   prefill: one sequence, `prompt` tokens fed at once;
 *   decode: that sequence, `decode` tokens after it, one at a time;
 *   decode_batch: many sequences decoding together, StudyBatchShape's
 *     sequences spread over its lanes, each prefilled once with the same
 *     prompt (not timed), then runs of `decode` rounds of one new token per
 *     sequence with every lane's canvas in flight before the first is
 *     collected (each run continuing where the last ended); elapsed /
 *     (rounds x sequences), a throughput rather than a latency.
 * Each is the median of 3 runs after a warm-up. */
#ifndef PAINTERS_STUDY_LATENCY_H
#define PAINTERS_STUDY_LATENCY_H

#include "run/runner.h"

/* Sequences per lane of the batched decode test, at most: enough that a
 * canvas reads each weight row for several tokens, few enough that the test
 * stays short. */
#define STUDY_BATCH_PER_LANE 4

typedef struct {
    int lanes;     /* runner_batch_lanes: 1 with one rank */
    int per_lane;  /* sequences in each lane's canvas */
    int sequences; /* lanes x per_lane */
} StudyBatchShape;

typedef struct {
    double prefill_ms, decode_ms, decode_batch_ms;
} StudyLatency;

/* The batch the decode_batch test runs on r: min(runner_batch_sequences /
 * runner_batch_lanes, STUDY_BATCH_PER_LANE) sequences in each lane. */
StudyBatchShape study_batch_shape(const Runner *r);

/* Measures r's current program with a synthetic prompt of `prompt` (>= 1)
 * tokens and `decode` (>= 0) decode tokens; leaves r at a new sequence. */
StudyLatency study_measure_latency(Runner *r, int prompt, int decode);

#endif
