/* runner.c: see runner.h. */
#include "run/runner.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/model_ends.h"
#include "run/runner_pack.h"
#include "painters_wire.pb-c.h"
#include "program/setup.h"
#include "base/util.h"
#include "wire/wire.h"

static void runner_batch_open(Runner *r);
static void runner_batch_close(Runner *r);
static void runner_batch_forget(Runner *r);

/* Llama-only calls on an encoder end here. */
static void runner_need_decoder(const Runner *r, const char *what) {
    if (r->ck->cfg.kind == MODEL_ENCODER_BERT)
        die_input("%s is an encoder (BERT): %s needs a decoder", r->opts.model, what);
}

static int world_size(void) {
    int inited = 0, n = 1;
    MPI_Initialized(&inited);
    if (inited) MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

/* Prints each station's layers and weight memory (from the config alone). */
static void runner_print_memory(const Runner *r) {
    double per_layer = (double)layer_weights_count(&r->ck->cfg) * sizeof(float) / 1048576.0;
    printf("# placement %s over %d ranks: station memory (float32 weights)\n", r->placement->name,
           r->world);
    printf("# %-5s %-8s %12s  %s\n", "rank", "layers", "MiB", "layer ids");
    for (int rank = 1; rank < r->world; rank++) {
        int n = 0;
        char ids[256] = "";
        size_t len = 0;
        for (int l = 0; l < r->ck->cfg.n_layers; l++)
            if (placement_hosts(r->placement, l, rank)) {
                n++;
                if (len + 8 < sizeof ids)
                    len += (size_t)snprintf(ids + len, sizeof ids - len, "%s%d", len ? "," : "", l);
            }
        printf("  %-5d %-8d %12.2f  %s\n", rank, n, n * per_layer, ids);
    }
    fflush(stdout);
}

/* Sends the setup for the current program and builds its route. */
static void runner_begin_run(Runner *r) {
    placement_check_program(r->placement, r->program);
    JobSetup s = {.model_path = (char *)r->opts.model,
                  .program = r->program,
                  .placement = r->placement,
                  .n_layers = r->ck->cfg.n_layers,
                  .inflight = r->n_seqs,
                  .timeout_s = r->opts.timeout_s,
                  .trace = r->opts.trace != NULL,
                  .compute = (int)r->opts.compute};
    setup_broadcast(&s);
    r->route = route_build(r->program, r->placement, 0);
    r->dispatch = dispatch_new(r->route, r->program, r->ck->cfg.dim, r->n_slots, &r->trace);
}

/* Stops the stations' run and collects their figures and trace events. */
static void runner_end_run(Runner *r) {
    dispatch_stop(r->dispatch);
    memset(r->figures, 0, (size_t)r->world * sizeof *r->figures);
    for (int rank = 1; rank < r->world; rank++) {
        size_t len;
        char *buf = wire_recv_bytes(rank, WIRE_TAG_REPORT, &len, "collecting station reports");
        Painters__StationReport *m = painters__station_report__unpack(NULL, len, (uint8_t *)buf);
        free(buf);
        if (!m) die_runtime("rank 0: unreadable report from rank %d", rank);
        StationFigures *f = &r->figures[rank];
        *f = (StationFigures){.rank = rank,
                              .compute_ms = m->compute_ms,
                              .wait_ms = m->wait_ms,
                              .send_ms = m->send_ms,
                              .bytes_in = m->bytes_in,
                              .bytes_out = m->bytes_out,
                              .steps = m->steps_applied,
                              .layers = m->layers_applied,
                              .gflop = m->gflop,
                              .weight_bytes = m->weight_bytes};
        for (int l = 0; l < r->ck->cfg.n_layers; l++)
            f->n_layers += placement_hosts(r->placement, l, rank);
        painters__station_report__free_unpacked(m, NULL);
        char *text = wire_recv_bytes(rank, WIRE_TAG_REPORT, &len, "collecting station traces");
        r->trace_text = xrealloc(r->trace_text, r->trace_len + len + 1);
        memcpy(r->trace_text + r->trace_len, text, len + 1);
        r->trace_len += len;
        free(text);
    }
    dispatch_free(r->dispatch);
    route_free(r->route);
    r->dispatch = NULL;
    r->route = NULL;
}

Runner *runner_open(const RunnerOptions *o) {
    Runner *r = xcalloc(1, sizeof *r);
    r->opts = *o;
    if (r->opts.timeout_s <= 0) r->opts.timeout_s = WIRE_DEFAULT_TIMEOUT;
    if (r->opts.pack_tokens == 0) r->opts.pack_tokens = RUNNER_PACK_TOKENS;
    wire_set_timeout(r->opts.timeout_s);
    matmul_set_compute(o->compute);
    r->ck = checkpoint_open(o->model);
    r->program = plan_load(o->plan, r->ck->cfg.n_layers);
    r->world = world_size();
    r->placement = placement_make(o->placement, r->ck->cfg.n_layers, r->world);
    placement_check_program(r->placement, r->program);
    r->head = head_weights_load(r->ck);
    r->trace.enabled = o->trace != NULL;
    if (r->world == 1) {
        r->station = station_open(r->ck, NULL);
        r->kv = program_kv_new(r->program, &r->ck->cfg);
        runner_batch_open(r);
        return r;
    }
    r->n_slots = o->inflight > 0 ? o->inflight : 2 * (r->world - 1);
    runner_batch_open(r);
    r->figures = xcalloc((size_t)r->world, sizeof *r->figures);
    if (o->verbose) runner_print_memory(r);
    runner_begin_run(r);
    return r;
}

static void runner_write_trace(Runner *r) {
    if (!r->opts.trace) return;
    FILE *f = fopen(r->opts.trace, "w");
    if (!f) die_input("%s: cannot write the trace", r->opts.trace);
    char *mine = trace_to_jsonl(&r->trace, 0);
    fputs(mine, f);
    free(mine);
    if (r->trace_text) fputs(r->trace_text, f);
    if (fclose(f) != 0) die_runtime("%s: write error", r->opts.trace);
}

void runner_close(Runner *r) {
    if (!r) return;
    if (r->world > 1) {
        runner_end_run(r);
        if (r->opts.verbose) runner_print_stations(r, stdout);
    }
    runner_write_trace(r);
    trace_free(&r->trace);
    free(r->trace_text);
    free(r->figures);
    placement_free(r->placement);
    program_kv_free(r->kv);
    runner_batch_close(r);
    station_free(r->station);
    head_weights_free(r->head);
    program_free(r->program);
    checkpoint_close(r->ck);
    free(r->x);
    free(r->normed);
    free(r->gather);
    free(r);
}

void runner_reset(Runner *r) {
    if (r->kv) program_kv_reset(r->kv);
    r->n_past = 0;
}

void runner_set_program(Runner *r, Program *p) {
    if (r->world > 1) runner_end_run(r);
    program_kv_free(r->kv);
    runner_batch_forget(r);
    program_free(r->program);
    r->program = p;
    r->kv = r->world == 1 ? program_kv_new(p, &r->ck->cfg) : NULL;
    r->n_past = 0;
    if (r->world > 1) runner_begin_run(r);
}

void runner_collect_figures(Runner *r) {
    if (r->world == 1) return;
    runner_end_run(r);
    runner_begin_run(r);
}

void runner_reserve(Runner *r, int T) {
    if ((size_t)T <= r->cap) return;
    free(r->x);
    free(r->normed);
    r->x = xalloc_floats((size_t)T * r->ck->cfg.dim);
    r->normed = xalloc_floats((size_t)T * r->ck->cfg.dim);
    r->cap = (size_t)T;
}

/* x (T, D) <- the program applied to x, for the current sequence. */
static void runner_run_program(Runner *r, float *x, int T) {
    if (r->world == 1) {
        CanvasShape shape = {.T = T};
        for (int s = 0; s < r->program->n_steps; s++)
            station_apply_step(r->station, r->program, s, &r->kv, x, &shape);
        return;
    }
    dispatch_submit(r->dispatch, 0, x, T, r->n_past, r->n_past == 0);
    const float *y = dispatch_collect(r->dispatch, 0);
    memcpy(x, y, (size_t)T * r->ck->cfg.dim * sizeof(float));
}

void runner_run_canvas(Runner *r, float *x, int T) {
    runner_reset(r);
    runner_run_program(r, x, T);
    runner_reset(r);
}

void runner_feed(Runner *r, const int *tokens, int T, float *logits, RunnerLogits which) {
    const ModelConfig *c = &r->ck->cfg;
    runner_need_decoder(r, "next-token logits (generate, forward with logits)");
    if (T <= 0) die_input("no tokens to run");
    runner_reserve(r, T);
    embed_tokens(c, r->head, tokens, T, r->x);
    double t0 = now_seconds();
    runner_run_program(r, r->x, T);
    double t1 = now_seconds();
    if (which == RUNNER_ALL_LOGITS)
        head_logits(c, r->head, r->x, T, r->normed, logits);
    else
        head_logits(c, r->head, r->x + (size_t)(T - 1) * c->dim, 1, r->normed, logits);
    r->seconds_layers += t1 - t0;
    r->seconds_head += now_seconds() - t1;
    r->n_past += T;
}

/* Embeds the canvas's own rows into r->x. */
static void runner_embed_packed(Runner *r, const PackedCanvas *pc, const int *const *seqs) {
    const ModelConfig *c = &r->ck->cfg;
    runner_reserve(r, pc->T);
    for (int k = 0; k < pc->count; k++)
        embed_tokens(c, r->head, seqs[pc->first + k] + pc->prefix_len[k],
                     pc->start[k + 1] - pc->start[k], r->x + (size_t)pc->start[k] * c->dim);
}

/* Hands each sequence of a finished canvas y (T, D) its logits (its shared
 * prefix's rows gathered in front of its own). */
static void runner_deliver_packed(Runner *r, const PackedCanvas *pc, const float *y,
                                  const int *lens, const int *from, float *logits, RunnerScoreFn fn,
                                  void *ctx) {
    const ModelConfig *c = &r->ck->cfg;
    size_t D = (size_t)c->dim;
    for (int k = 0; k < pc->count; k++) {
        int len = lens[pc->first + k], np = pc->prefix_len[k];
        const float *h = y + (size_t)pc->start[k] * D;
        if (np > 0) {
            if ((size_t)len > r->cap_gather) {
                free(r->gather);
                r->gather = xalloc_floats((size_t)len * D);
                r->cap_gather = (size_t)len;
            }
            memcpy(r->gather, y + (size_t)pc->prefix_row[k] * D, (size_t)np * D * sizeof(float));
            memcpy(r->gather + (size_t)np * D, h, (size_t)(len - np) * D * sizeof(float));
            h = r->gather;
        }
        /* Only the rows asked for; len <= the canvas's rows, which r->normed
         * holds (y may be r->x). */
        int f = from && from[pc->first + k] > 0 ? from[pc->first + k] : 0;
        if (f > len - 1) f = len - 1;
        head_logits(c, r->head, h + (size_t)f * D, len - f, r->normed,
                    logits + (size_t)f * c->vocab_size);
        fn(ctx, pc->first + k, logits, len);
    }
}

/* Packed canvases: many short sequences per canvas, so every layer runs at
 * GEMM speed; with stations, up to n_slots canvases in flight. */
static void runner_score_packed(Runner *r, int n, const int *const *seqs, const int *lens,
                                const int *from, RunnerScoreFn fn, void *ctx, float *logits) {
    PackedCanvas *pcs;
    int nc = runner_pack(seqs, lens, n, r->opts.pack_tokens, 1, &pcs);
    runner_reset(r);
    if (r->world == 1) {
        for (int i = 0; i < nc; i++) {
            runner_embed_packed(r, &pcs[i], seqs);
            CanvasShape shape = runner_packed_shape(&pcs[i]);
            for (int s = 0; s < r->program->n_steps; s++)
                station_apply_step(r->station, r->program, s, NULL, r->x, &shape);
            runner_deliver_packed(r, &pcs[i], r->x, lens, from, logits, fn, ctx);
        }
    } else {
        int sent = 0;
        for (int done = 0; done < nc; done++) {
            while (sent < nc && sent - done < r->n_slots) {
                runner_embed_packed(r, &pcs[sent], seqs);
                CanvasShape shape = runner_packed_shape(&pcs[sent]);
                dispatch_submit_packed(r->dispatch, sent % r->n_slots, r->x, &shape);
                sent++;
            }
            const float *y = dispatch_collect(r->dispatch, done % r->n_slots);
            runner_deliver_packed(r, &pcs[done], y, lens, from, logits, fn, ctx);
        }
    }
    free(pcs);
}

void runner_score_batch(Runner *r, int n, const int *const *seqs, const int *lens, const int *from,
                        RunnerScoreFn fn, void *ctx) {
    const ModelConfig *c = &r->ck->cfg;
    runner_need_decoder(r, "scoring sequences by their logits");
    int V = c->vocab_size, max_len = 0;
    for (int i = 0; i < n; i++)
        max_len = lens[i] > max_len ? lens[i] : max_len;
    float *logits = xalloc_floats((size_t)max_len * V);
    if (r->opts.pack_tokens > 0) {
        runner_score_packed(r, n, seqs, lens, from, fn, ctx, logits);
    } else if (r->world == 1) {
        /* One sequence per forward pass, every token computed. */
        for (int i = 0; i < n; i++) {
            runner_reset(r);
            runner_feed(r, seqs[i], lens[i], logits, RUNNER_ALL_LOGITS);
            fn(ctx, i, logits, lens[i]);
        }
    } else {
        /* One sequence per canvas, up to n_slots in flight; sequence i uses slot i % n_slots. */
        runner_reserve(r, max_len);
        int sent = 0;
        for (int done = 0; done < n; done++) {
            while (sent < n && sent - done < r->n_slots) {
                if (lens[sent] <= 0) die_input("sequence %d of a batch is empty", sent);
                embed_tokens(c, r->head, seqs[sent], lens[sent], r->x);
                dispatch_submit(r->dispatch, sent % r->n_slots, r->x, lens[sent], 0, 1);
                sent++;
            }
            const float *y = dispatch_collect(r->dispatch, done % r->n_slots);
            head_logits(c, r->head, y, lens[done], r->normed, logits);
            fn(ctx, done, logits, lens[done]);
        }
    }
    free(logits);
    runner_reset(r);
}

void runner_print_stations(const Runner *r, FILE *f) {
    if (r->world == 1) return;
    fprintf(f, "# %-5s %6s %8s %12s %10s %10s %12s %12s %10s\n", "rank", "layers", "steps",
            "compute_ms", "wait_ms", "send_ms", "bytes_in", "bytes_out", "GFLOP/s");
    for (int rank = 1; rank < r->world; rank++) {
        const StationFigures *s = &r->figures[rank];
        fprintf(f, "  %-5d %6d %8llu %12.2f %10.2f %10.2f %12llu %12llu %10.2f\n", rank,
                s->n_layers, (unsigned long long)s->steps, s->compute_ms, s->wait_ms, s->send_ms,
                (unsigned long long)s->bytes_in, (unsigned long long)s->bytes_out,
                s->compute_ms > 0 ? s->gflop / (s->compute_ms / 1e3) : 0.0);
    }
}

/* Batches (runner_batch_*): sequences that each continue their own KV cache
 * set, one canvas per batch. */

static void runner_batch_open(Runner *r) {
    int batch = r->opts.batch > 0 ? r->opts.batch : RUNNER_BATCH;
    if (batch > WIRE_MAX_BATCH)
        die_input("--batch %d: at most %d sequences in one canvas", batch, WIRE_MAX_BATCH);
    r->n_lanes = r->world > 1 ? r->n_slots : 1;
    r->n_seqs = r->n_lanes * batch;
    if (r->n_seqs < r->n_slots) r->n_seqs = r->n_slots;
    r->lanes = xcalloc((size_t)r->n_lanes, sizeof *r->lanes);
    if (r->world == 1) r->seq_kv = xcalloc((size_t)r->n_seqs, sizeof *r->seq_kv);
}

static void runner_batch_forget(Runner *r) {
    if (!r->seq_kv) return;
    for (int i = 0; i < r->n_seqs; i++) {
        program_kv_free(r->seq_kv[i]);
        r->seq_kv[i] = NULL;
    }
}

static void runner_batch_close(Runner *r) {
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
    runner_need_decoder(r, "batched decoding");
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
        canvas_reserve(&ln->y, &ln->cap, (size_t)T * c->dim);
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

int runner_batch_lanes(const Runner *r) {
    return r->n_lanes;
}

int runner_batch_sequences(const Runner *r) {
    return r->n_seqs;
}
