/* runner_batch.c: batches of sequences that each continue their own KV
 * cache set, one canvas per batch (runner.h runner_batch_*). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "run/model_ends.h"
#include "run/runner_internal.h"

int runner_batch_lanes(const Runner *r) {
    return r->n_lanes;
}

int runner_batch_sequences(const Runner *r) {
    return r->n_seqs;
}

void runner_batch_open(Runner *r) {
    int batch = r->opts.batch > 0 ? r->opts.batch : RUNNER_BATCH;
    if (batch > WIRE_MAX_BATCH)
        die_input("--batch %d: at most %d sequences in one canvas", batch, WIRE_MAX_BATCH);
    r->n_lanes = r->world > 1 ? r->n_slots : 1;
    r->n_seqs = r->n_lanes * batch;
    if (r->n_seqs < r->n_slots) r->n_seqs = r->n_slots;
    r->lanes = xcalloc((size_t)r->n_lanes, sizeof *r->lanes);
    if (r->world == 1) r->seq_kv = xcalloc((size_t)r->n_seqs, sizeof *r->seq_kv);
}

void runner_batch_forget(Runner *r) {
    if (!r->seq_kv) return;
    for (int i = 0; i < r->n_seqs; i++) {
        program_kv_free(r->seq_kv[i]);
        r->seq_kv[i] = NULL;
    }
}

void runner_batch_close(Runner *r) {
    runner_batch_forget(r);
    free(r->seq_kv);
    for (int i = 0; i < r->n_lanes; i++)
        free(r->lanes[i].y);
    free(r->lanes);
}

/* One rank: KV cache set id, made on first use. */
static ProgramKV *runner_seq_kv(Runner *r, int id) {
    if (!r->seq_kv[id]) r->seq_kv[id] = program_kv_new(r->program, &r->ck->cfg);
    return r->seq_kv[id];
}

/* Checks b against the runner's lanes and sets. */
static void runner_batch_check(const Runner *r, int lane, const RunnerBatch *b) {
    if (lane < 0 || lane >= r->n_lanes) die_runtime("batch lane %d of %d", lane, r->n_lanes);
    if (r->lanes[lane].busy) die_runtime("batch lane %d is still in flight", lane);
    if (b->n < 1 || b->n > WIRE_MAX_BATCH) die_runtime("a batch of %d sequences", b->n);
    if (b->start[0] != 0) die_runtime("a batch's first sequence starts at row %d", b->start[0]);
    for (int k = 0; k < b->n; k++) {
        if (b->seq[k] < 0 || b->seq[k] >= r->n_seqs)
            die_runtime("batch sequence %d names KV cache set %d of %d", k, b->seq[k], r->n_seqs);
        if (b->start[k + 1] <= b->start[k] || b->pos0[k] < 0)
            die_runtime("batch sequence %d: rows [%d, %d) after %d cached", k, b->start[k],
                        b->start[k + 1], b->pos0[k]);
    }
}

void runner_batch_submit(Runner *r, int lane, const RunnerBatch *b, const int *tokens) {
    const ModelConfig *c = &r->ck->cfg;
    runner_batch_check(r, lane, b);
    RunnerBatchLane *ln = &r->lanes[lane];
    int T = b->start[b->n];
    ln->b = *b;
    ln->busy = 1;
    r->n_past = 0; /* runner_feed's sequence may share a set: it starts again */
    if (r->kv) program_kv_reset(r->kv);
    CanvasShape shape = {.T = T, .n_segs = b->n, .start = ln->b.start, .batch = 1};
    double t0 = now_seconds();
    if (r->world > 1) {
        runner_reserve(r, T);
        embed_tokens(c, r->head, tokens, T, r->x);
        dispatch_submit_batch(r->dispatch, lane, r->x, &shape, b->seq, b->pos0);
    } else {
        if ((size_t)T > ln->cap) {
            free(ln->y);
            ln->y = xalloc_floats((size_t)T * c->dim);
            ln->cap = (size_t)T;
        }
        ProgramKV *kv[WIRE_MAX_BATCH];
        for (int k = 0; k < b->n; k++) {
            kv[k] = runner_seq_kv(r, b->seq[k]);
            if (b->pos0[k] == 0) program_kv_reset(kv[k]);
            int len = program_kv_len(kv[k]);
            if (len != b->pos0[k])
                die_runtime("batch sequence %d: KV cache set %d holds %d positions, not %d", k,
                            b->seq[k], len, b->pos0[k]);
        }
        embed_tokens(c, r->head, tokens, T, ln->y);
        for (int s = 0; s < r->program->n_steps; s++)
            station_apply_step(r->station, r->program, s, kv, ln->y, &shape);
    }
    r->seconds_layers += now_seconds() - t0;
}

void runner_batch_collect(Runner *r, int lane, float *logits) {
    const ModelConfig *c = &r->ck->cfg;
    if (lane < 0 || lane >= r->n_lanes || !r->lanes[lane].busy)
        die_runtime("batch lane %d has nothing in flight", lane);
    RunnerBatchLane *ln = &r->lanes[lane];
    const RunnerBatch *b = &ln->b;
    double t0 = now_seconds();
    const float *y = r->world > 1 ? dispatch_collect(r->dispatch, lane) : ln->y;
    double t1 = now_seconds();
    /* The last row of each sequence, gathered: (n, D). */
    runner_reserve(r, b->n);
    size_t D = (size_t)c->dim;
    for (int k = 0; k < b->n; k++)
        memcpy(r->x + (size_t)k * D, y + (size_t)(b->start[k + 1] - 1) * D, D * sizeof(float));
    head_logits(c, r->head, r->x, b->n, r->normed, logits);
    ln->busy = 0;
    r->seconds_layers += t1 - t0;
    r->seconds_head += now_seconds() - t1;
}
