/* study_latency.c: see study_latency.h. */
#include "study/study_latency.h"

#include <math.h>
#include <stdlib.h>

#include "base/util.h"
#include "compute/machine.h"

StudyBatchShape study_batch_shape(const Runner *r) {
    StudyBatchShape s = {.lanes = runner_batch_lanes(r)};
    s.per_lane = runner_batch_sequences(r) / s.lanes;
    if (s.per_lane > STUDY_BATCH_PER_LANE) s.per_lane = STUDY_BATCH_PER_LANE;
    if (s.per_lane < 1)
        die_runtime("study: %d lanes for %d KV cache sets", s.lanes, runner_batch_sequences(r));
    s.sequences = s.lanes * s.per_lane;
    return s;
}

/* (n) the synthetic token ids of the latency tests. Caller frees. */
static int *synthetic_tokens(int n, int vocab) {
    int *tokens = xmalloc((size_t)n * sizeof(int));
    for (int i = 0; i < n; i++)
        tokens[i] = 3 + (int)((i * 2654435761u) % (unsigned)(vocab - 3));
    return tokens;
}

/* One sequence: *prefill_ms and *decode_ms per token of one run. */
static void single_run(Runner *r, const int *tokens, int P, int D, float *logits,
                       double *prefill_ms, double *decode_ms) {
    runner_reset(r);
    double t0 = now_seconds();
    runner_feed(r, tokens, P, logits, RUNNER_LAST_LOGITS);
    double t1 = now_seconds();
    for (int i = 0; i < D; i++)
        runner_feed(r, &tokens[P + i], 1, logits, RUNNER_LAST_LOGITS);
    double t2 = now_seconds();
    *prefill_ms = (t1 - t0) * 1e3 / P;
    *decode_ms = D > 0 ? (t2 - t1) * 1e3 / D : 0.0;
}

/* The sequences of the batched decode test and its buffers. */
typedef struct {
    Runner *r;
    StudyBatchShape shape;
    int B;         /* KV cache sets per lane: lane l names sets [l * B, l * B + per_lane) */
    int *tokens;   /* (per_lane * prompt) a canvas's token ids */
    float *logits; /* (per_lane, V) */
} BatchRun;

/* Every lane's sequences, each given `rows` of `ids` after pos0 cached
 * tokens, in flight together; then collected in order. With a prefill
 * (pos0 0) a lane's canvas takes as many sequences as `budget` rows allow. */
static void batch_round(BatchRun *br, const int *ids, int rows, int pos0, int budget) {
    int per_canvas = rows >= budget ? 1 : budget / rows;
    if (per_canvas > br->shape.per_lane) per_canvas = br->shape.per_lane;
    for (int first = 0; first < br->shape.per_lane; first += per_canvas) {
        int n = br->shape.per_lane - first < per_canvas ? br->shape.per_lane - first : per_canvas;
        for (int l = 0; l < br->shape.lanes; l++) {
            RunnerBatch b = {.n = n};
            for (int k = 0; k < n; k++) {
                b.seq[k] = l * br->B + first + k;
                b.pos0[k] = pos0;
                b.start[k + 1] = b.start[k] + rows;
                for (int t = 0; t < rows; t++)
                    br->tokens[b.start[k] + t] = ids[t];
            }
            runner_batch_submit(br->r, l, &b, br->tokens);
        }
        for (int l = 0; l < br->shape.lanes; l++)
            runner_batch_collect(br->r, l, br->logits);
    }
}

/* The batched decode test: every sequence prefilled once with the P prompt
 * tokens (not timed), then runs of D rounds each, one after the other
 * (run k decodes positions P + k D onwards): ms per token of each run. */
static void batch_runs(BatchRun *br, const int *tokens, int P, int D, int runs, double *ms) {
    int budget = br->r->opts.pack_tokens > 0 ? br->r->opts.pack_tokens : RUNNER_PACK_TOKENS;
    batch_round(br, tokens, P, 0, budget);
    for (int k = 0; k < runs; k++) {
        int pos = P + k * D;
        double t0 = now_seconds();
        for (int i = 0; i < D; i++)
            batch_round(br, &tokens[pos + i], 1, pos + i, budget);
        double t1 = now_seconds();
        ms[k] = D > 0 ? (t1 - t0) * 1e3 / ((double)D * br->shape.sequences) : 0.0;
    }
}

/* RunnerEncodeFn: nothing to keep. */
static void encoded_drop(void *ctx, int i, const float *hidden, int len) {
    (void)ctx, (void)i, (void)hidden, (void)len;
}

/* An encoder has no decoding: the prefill figure alone (one sequence of P
 * tokens through runner_encode_batch), the decode figures NaN. */
static StudyLatency encoder_latency(Runner *r, const int *tokens, int P) {
    double pre[4];
    for (int rep = 0; rep < 4; rep++) {
        double t0 = now_seconds();
        runner_encode_batch(r, 1, &tokens, NULL, &P, encoded_drop, NULL);
        pre[rep] = (now_seconds() - t0) * 1e3 / P;
    }
    runner_reset(r);
    return (StudyLatency){median_of(pre + 1, 3), NAN, NAN};
}

StudyLatency study_measure_latency(Runner *r, int prompt, int decode) {
    int P = prompt, D = decode, V = r->ck->cfg.vocab_size;
    if (P < 1 || D < 0) die_runtime("study: latency test of %d + %d tokens", P, D);
    if (runner_is_encoder(r)) {
        int *tokens = synthetic_tokens(P, V);
        StudyLatency out = encoder_latency(r, tokens, P);
        free(tokens);
        return out;
    }
    int *tokens = synthetic_tokens(P + 4 * D, V);
    BatchRun br = {.r = r, .shape = study_batch_shape(r)};
    br.B = runner_batch_sequences(r) / br.shape.lanes;
    br.tokens = xmalloc((size_t)br.shape.per_lane * P * sizeof(int));
    br.logits = xalloc_floats((size_t)br.shape.per_lane * V);
    double pre[4], dec[4], bat[4];
    /* The single sequence first: a batch forgets runner_feed's sequence. */
    for (int rep = 0; rep < 4; rep++)
        single_run(r, tokens, P, D, br.logits, &pre[rep], &dec[rep]);
    batch_runs(&br, tokens, P, D, 4, bat);
    runner_reset(r);
    /* Run 0 is the warm-up of each. */
    StudyLatency out = {median_of(pre + 1, 3), median_of(dec + 1, 3), median_of(bat + 1, 3)};
    free(br.logits);
    free(br.tokens);
    free(tokens);
    return out;
}
