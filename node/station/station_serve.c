/* station_serve.c: see station_serve.h and the routing rules in route.h. */
#include "station/station_serve.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "wire/canvas.h"

typedef struct {
    Station *st;
    const Program *p;
    const Route *r;
    ProgramKV **kv; /* (n_slots) KV cache sets, each made on first use */
    int n_slots;
    ProgramKV **canvas_kv; /* (WIRE_MAX_BATCH) the sets the current canvas uses */
    float *x;              /* (T, D) the canvas */
    float *sum;            /* (T, D) this rank's part of a spread step */
    float *part;           /* (T, D) another participant's part, received */
    size_t cap_x, cap_sum, cap_part;
    CanvasGroupSends sends; /* a spread step's canvas, sent while this rank computes */
    CanvasMeta meta;        /* of the request being served */
    int have;               /* x holds the input of the current step */
    int started;            /* the request's first header has arrived */
    Trace *trace;
    StationStats *stats;
} Serve;

static size_t canvas_floats(const Serve *sv) {
    return (size_t)sv->meta.n_tokens * sv->st->cfg.dim;
}

static CanvasShape canvas_shape(const Serve *sv) {
    return (CanvasShape){.T = sv->meta.n_tokens,
                         .n_segs = sv->meta.n_segs,
                         .start = sv->meta.seg_start,
                         .prefix_row = sv->meta.has_prefixes ? sv->meta.prefix_row : NULL,
                         .prefix_len = sv->meta.has_prefixes ? sv->meta.prefix_len : NULL,
                         .batch = sv->meta.batch};
}

/* KV cache set `id` named by request `what`, made on first use. */
static ProgramKV *serve_kv_set(Serve *sv, int id) {
    if (id < 0 || id >= sv->n_slots)
        die_runtime("rank %d: request %llu names KV cache set %d of %d", util_rank(),
                    (unsigned long long)sv->meta.request_id, id, sv->n_slots);
    if (!sv->kv[id]) sv->kv[id] = program_kv_new(sv->p, &sv->st->cfg);
    return sv->kv[id];
}

/* The first header of a request: check it, find its KV cache sets and clear
 * those of new sequences. */
static void serve_begin_request(Serve *sv) {
    if (sv->started) return;
    sv->started = 1;
    if (sv->meta.stop) return;
    const CanvasMeta *m = &sv->meta;
    if (m->batch) {
        for (int k = 0; k < m->n_segs; k++) {
            sv->canvas_kv[k] = serve_kv_set(sv, m->seg_seq[k]);
            for (int j = 0; j < k; j++)
                if (m->seg_seq[j] == m->seg_seq[k])
                    die_runtime("rank %d: request %llu names KV cache set %d twice", util_rank(),
                                (unsigned long long)m->request_id, m->seg_seq[k]);
            if (m->seg_pos0[k] == 0) program_kv_reset(sv->canvas_kv[k]);
        }
    } else if (m->n_segs == 0) {
        sv->canvas_kv[0] = serve_kv_set(sv, m->slot);
        if (m->reset) program_kv_reset(sv->canvas_kv[0]);
    }
    sv->stats->requests++;
}

/* Receives the input canvas of step s (point to point from whoever ran s-1). */
static void serve_receive(Serve *sv, int s) {
    int src = s == 0 ? 0 : route_step_owner(sv->r, s - 1);
    char what[96];
    snprintf(what, sizeof what, "step %d: waiting for the canvas from rank %d", s, src);
    double t0 = wall_seconds();
    canvas_recv(&sv->meta, &sv->x, &sv->cap_x, src, sv->started, what);
    canvas_check_shape(&sv->meta, sv->st->cfg.dim, src);
    double t1 = wall_seconds();
    sv->stats->wait_s += t1 - t0;
    sv->stats->bytes_in += WIRE_HEADER_BYTES + (sv->meta.stop ? 0 : sv->meta.payload_bytes);
    trace_add(sv->trace, TRACE_RECV, sv->meta.request_id, s, src, t0, t1, sv->meta.payload_bytes);
    serve_begin_request(sv);
    sv->have = 1;
}

/* Sends the canvas (the input of step s) to dest. */
static void serve_send(Serve *sv, int s, int dest) {
    canvas_meta_seal(&sv->meta, s, sv->x, canvas_floats(sv));
    double t0 = wall_seconds();
    canvas_send(&sv->meta, sv->x, dest);
    double t1 = wall_seconds();
    sv->stats->send_s += t1 - t0;
    sv->stats->bytes_out += WIRE_HEADER_BYTES + sv->meta.payload_bytes;
    trace_add(sv->trace, TRACE_SEND, sv->meta.request_id, s, dest, t0, t1, sv->meta.payload_bytes);
    sv->have = 0;
}

/* Every cache this rank uses in step s must hold exactly the positions before the canvas. */
static void serve_check_positions(const Serve *sv, int s) {
    const CanvasMeta *m = &sv->meta;
    if (m->n_segs > 0 && !m->batch) return; /* packed canvases start new sequences */
    int n = m->batch ? m->n_segs : 1;
    for (int k = 0; k < n; k++) {
        const ProgramKV *kv = sv->canvas_kv[k];
        int pos0 = m->batch ? m->seg_pos0[k] : m->pos0;
        for (int j = 0; j < sv->p->steps[s].n_layers; j++) {
            if (!station_hosts(sv->st, sv->p->steps[s].layers[j])) continue;
            int len = kv->caches[kv->first[s] + j].len;
            if (len != pos0)
                die_runtime("rank %d: step %d: KV cache holds %d positions but request %llu starts "
                            "a sequence at position %d",
                            util_rank(), s, len, (unsigned long long)m->request_id, pos0);
        }
    }
}

/* A step that runs wholly on this rank. */
static void serve_local_step(Serve *sv, int s) {
    if (!sv->have) serve_receive(sv, s);
    if (!sv->meta.stop) {
        serve_check_positions(sv, s);
        double f0 = sv->st->flops, t0 = wall_seconds();
        CanvasShape shape = canvas_shape(sv);
        station_apply_step(sv->st, sv->p, s, sv->canvas_kv, sv->x, &shape);
        double t1 = wall_seconds();
        sv->stats->compute_s += t1 - t0;
        sv->stats->flops += sv->st->flops - f0;
        sv->stats->steps++;
        sv->stats->layers += (uint64_t)sv->p->steps[s].n_layers;
        trace_add(sv->trace, TRACE_APPLY, sv->meta.request_id, s, -1, t0, t1, 0);
    }
    int next = sv->r->entry[s + 1];
    if (next != util_rank()) serve_send(sv, s + 1, next);
}

/* A parallel group spread over several ranks: header and canvas sent from
 * entry(s) to the others (while it computes its own part), each participant
 * adds up its layers, the parts added up on entry(s+1), which divides by the
 * group size. */
static void serve_spread_step(Serve *sv, int s) {
    const Route *r = sv->r;
    CanvasGroup g = route_group(r, s);
    int me = util_rank();
    if (r->entry[s] == me && !sv->have) serve_receive(sv, s);
    if (r->entry[s] == me) canvas_meta_seal(&sv->meta, s, sv->x, canvas_floats(sv));
    char what[96];
    snprintf(what, sizeof what, "step %d: waiting for the group's canvas from rank %d", s,
             r->entry[s]);
    double t0 = wall_seconds();
    canvas_bcast(&sv->meta, &sv->x, &sv->cap_x, sv->st->cfg.dim, &g, sv->started, &sv->sends, what);
    serve_begin_request(sv);
    int receiver = r->entry[s + 1] == me;
    char sending[96];
    snprintf(sending, sizeof sending, "step %d: sending the group's canvas", s);
    if (sv->meta.stop) {
        canvas_group_sends_wait(&sv->sends, sending);
        sv->have = receiver;
        return;
    }
    size_t n = canvas_floats(sv);
    canvas_reserve(&sv->sum, &sv->cap_sum, n);
    int participant = canvas_group_has(&g, me);
    if (participant) {
        if (r->entry[s] != me) sv->stats->bytes_in += n * sizeof(float);
        double t1 = wall_seconds();
        trace_add(sv->trace, TRACE_BCAST, sv->meta.request_id, s, r->entry[s], t0, t1,
                  n * sizeof(float));
        sv->stats->wait_s += t1 - t0;
        serve_check_positions(sv, s);
        double f0 = sv->st->flops;
        CanvasShape shape = canvas_shape(sv);
        int applied =
            station_sum_group_part(sv->st, sv->p, s, sv->canvas_kv, sv->x, sv->sum, &shape);
        double t2 = wall_seconds();
        sv->stats->compute_s += t2 - t1;
        sv->stats->flops += sv->st->flops - f0;
        sv->stats->steps++;
        sv->stats->layers += (uint64_t)applied;
        trace_add(sv->trace, TRACE_APPLY, sv->meta.request_id, s, -1, t1, t2, 0);
    }
    double t3 = wall_seconds();
    canvas_group_sends_wait(&sv->sends, sending);
    snprintf(what, sizeof what, "step %d: adding up the group's parts on rank %d", s,
             r->entry[s + 1]);
    canvas_reduce_to(participant ? sv->sum : NULL, receiver ? sv->x : NULL, n, &g, &sv->part,
                     &sv->cap_part, what);
    double t4 = wall_seconds();
    trace_add(sv->trace, TRACE_REDUCE, sv->meta.request_id, s, r->entry[s + 1], t3, t4,
              n * sizeof(float));
    sv->stats->send_s += t4 - t3;
    if (receiver) {
        float inv = 1.0f / (float)sv->p->steps[s].n_layers;
        for (size_t i = 0; i < n; i++)
            sv->x[i] *= inv;
    } else {
        sv->stats->bytes_out += n * sizeof(float);
    }
    sv->have = receiver;
}

/* Serves one request (or the stop); returns 1 after the stop. */
static int serve_request(Serve *sv) {
    sv->have = 0;
    sv->started = 0;
    for (int s = 0; s < sv->p->n_steps; s++) {
        if (!route_involved(sv->r, s)) continue;
        if (sv->r->spread[s])
            serve_spread_step(sv, s);
        else
            serve_local_step(sv, s);
    }
    return sv->meta.stop;
}

void station_serve(Station *st, const Program *p, const Route *r, int n_slots, Trace *trace,
                   StationStats *stats) {
    int involved = 0;
    for (int s = 0; s < p->n_steps; s++)
        involved |= route_involved(r, s);
    if (!involved) return;
    Serve sv = {.st = st, .p = p, .r = r, .n_slots = n_slots, .trace = trace, .stats = stats};
    sv.kv = xcalloc((size_t)n_slots, sizeof *sv.kv);
    sv.canvas_kv = xcalloc(WIRE_MAX_BATCH, sizeof *sv.canvas_kv);
    while (!serve_request(&sv)) {
    }
    for (int i = 0; i < n_slots; i++)
        program_kv_free(sv.kv[i]);
    free(sv.kv);
    free(sv.canvas_kv);
    free(sv.x);
    free(sv.sum);
    free(sv.part);
    canvas_group_sends_free(&sv.sends);
}
