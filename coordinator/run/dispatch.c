/* dispatch.c: see dispatch.h and the routing rules in route.h. */
#include "run/dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

Dispatch *dispatch_new(const Route *r, const Program *p, int dim, int n_slots, Trace *trace) {
    Dispatch *d = xcalloc(1, sizeof *d);
    d->route = r;
    d->program = p;
    d->dim = dim;
    d->n_slots = n_slots;
    d->slots = xcalloc((size_t)n_slots, sizeof *d->slots);
    int world = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    for (int i = 0; i < n_slots; i++)
        d->slots[i].req = xmalloc(((size_t)world + 3) * sizeof(MPI_Request));
    d->trace = trace;
    return d;
}

void dispatch_free(Dispatch *d) {
    if (!d) return;
    for (int i = 0; i < d->n_slots; i++) {
        free(d->slots[i].x_out);
        free(d->slots[i].y_in);
        free(d->slots[i].parts);
        free(d->slots[i].req);
    }
    free(d->slots);
    free(d);
}

/* Posts the receive of the program's final canvas into slot s (non-blocking:
 * several requests are in flight). */
static void dispatch_post_result(Dispatch *d, DispatchSlot *sl, size_t n) {
    const Route *r = d->route;
    int last = r->n_steps - 1;
    if (!r->spread[last]) {
        int src = route_step_owner(r, last);
        MPI_Irecv(sl->hdr_in, WIRE_HEADER_BYTES, MPI_BYTE, src, WIRE_TAG_HEADER, MPI_COMM_WORLD,
                  &sl->req[sl->n_req++]);
        if (!sl->meta.stop)
            MPI_Irecv(sl->y_in, (int)n, MPI_FLOAT, src, WIRE_TAG_PAYLOAD, MPI_COMM_WORLD,
                      &sl->req[sl->n_req++]);
        return;
    }
    /* The last step is a spread parallel group: its header comes from its
     * entry, and each participant's part from that participant (the first
     * into y_in, the others into parts, added up in dispatch_collect). */
    CanvasGroup g = route_group(r, last);
    canvas_group_header_recv_start(sl->hdr_in, &g, &sl->req[sl->n_req++]);
    if (sl->meta.stop) return;
    canvas_reserve(&sl->parts, &sl->cap_parts, (size_t)(g.n - 1) * n);
    for (int i = 0; i < g.n; i++)
        canvas_group_part_recv_start(i ? sl->parts + (size_t)(i - 1) * n : sl->y_in, n, &g, i,
                                     &sl->req[sl->n_req++]);
}

static void dispatch_send(Dispatch *d, DispatchSlot *sl, size_t n) {
    int dest = d->route->entry[0];
    canvas_header_pack(&sl->meta, sl->hdr_out);
    MPI_Isend(sl->hdr_out, WIRE_HEADER_BYTES, MPI_BYTE, dest, WIRE_TAG_HEADER, MPI_COMM_WORLD,
              &sl->req[sl->n_req++]);
    if (!sl->meta.stop)
        MPI_Isend(sl->x_out, (int)n, MPI_FLOAT, dest, WIRE_TAG_PAYLOAD, MPI_COMM_WORLD,
                  &sl->req[sl->n_req++]);
    d->bytes_out += WIRE_HEADER_BYTES + sl->meta.payload_bytes;
}

/* Sends x (T, D) with the header fields of m (request id, checksum and
 * sizes filled in here) into slot, which must be free. x is copied. */
static void dispatch_submit_meta(Dispatch *d, int slot, const float *x, int T, CanvasMeta *m) {
    DispatchSlot *sl = &d->slots[slot];
    if (sl->active) die_runtime("dispatch: slot %d is still in flight", slot);
    size_t n = (size_t)T * d->dim;
    if (n > INT32_MAX) die_input("a canvas of %d tokens is too large for one message", T);
    canvas_reserve(&sl->x_out, &sl->cap_x, n);
    canvas_reserve(&sl->y_in, &sl->cap_y, n);
    memcpy(sl->x_out, x, n * sizeof(float));
    m->request_id = d->next_id++;
    m->n_tokens = T;
    m->slot = slot;
    canvas_meta_seal(m, 0, sl->x_out, n);
    sl->meta = *m;
    sl->n_req = 0;
    sl->t_submit = wall_seconds();
    /* The result's receives are posted first: they match the stations'
     * messages in request order. */
    dispatch_post_result(d, sl, n);
    dispatch_send(d, sl, n);
    trace_add(d->trace, TRACE_SEND, sl->meta.request_id, 0, d->route->entry[0], sl->t_submit,
              wall_seconds(), sl->meta.payload_bytes);
    sl->active = 1;
}

void dispatch_submit(Dispatch *d, int slot, const float *x, int T, int pos0, int reset) {
    CanvasMeta m = {.pos0 = pos0, .reset = reset};
    dispatch_submit_meta(d, slot, x, T, &m);
}

void dispatch_submit_packed(Dispatch *d, int slot, const float *x, const CanvasShape *shape) {
    int n = shape->n_segs;
    if (n < 1 || n > WIRE_MAX_SEGMENTS) die_runtime("dispatch: a packed canvas of %d sequences", n);
    CanvasMeta m = {.reset = 1, .n_segs = n, .has_prefixes = shape->prefix_len != NULL};
    memcpy(m.seg_start, shape->start, (size_t)(n + 1) * sizeof(int));
    if (m.has_prefixes) {
        memcpy(m.prefix_row, shape->prefix_row, (size_t)n * sizeof(int));
        memcpy(m.prefix_len, shape->prefix_len, (size_t)n * sizeof(int));
    }
    dispatch_submit_meta(d, slot, x, shape->T, &m);
}

void dispatch_submit_batch(Dispatch *d, int slot, const float *x, const CanvasShape *shape,
                           const int *seq, const int *pos0) {
    int n = shape->n_segs;
    if (n < 1 || n > WIRE_MAX_BATCH) die_runtime("dispatch: a batch canvas of %d sequences", n);
    CanvasMeta m = {.n_segs = n, .batch = 1};
    memcpy(m.seg_start, shape->start, (size_t)(n + 1) * sizeof(int));
    memcpy(m.seg_seq, seq, (size_t)n * sizeof(int));
    memcpy(m.seg_pos0, pos0, (size_t)n * sizeof(int));
    dispatch_submit_meta(d, slot, x, shape->T, &m);
}

static void dispatch_wait(Dispatch *d, DispatchSlot *sl) {
    char what[128];
    int last = d->route->n_steps - 1;
    snprintf(what, sizeof what, "request %llu: waiting for the final canvas from rank %d (step %d)",
             (unsigned long long)sl->meta.request_id,
             d->route->spread[last] ? d->route->entry[last] : route_step_owner(d->route, last),
             last);
    double t0 = wall_seconds();
    for (int i = 0; i < sl->n_req; i++)
        wire_wait(&sl->req[i], what);
    d->wait_s += wall_seconds() - t0;
    sl->active = 0;
}

const float *dispatch_collect(Dispatch *d, int slot) {
    DispatchSlot *sl = &d->slots[slot];
    if (!sl->active) die_runtime("dispatch: slot %d has nothing in flight", slot);
    dispatch_wait(d, sl);
    const Route *r = d->route;
    int last = r->n_steps - 1;
    int from = r->spread[last] ? r->entry[last] : route_step_owner(r, last);
    CanvasMeta got;
    canvas_header_unpack(sl->hdr_in, from, &got);
    if (got.request_id != sl->meta.request_id)
        die_runtime("rank 0: expected request %llu from rank %d, got %llu",
                    (unsigned long long)sl->meta.request_id, from,
                    (unsigned long long)got.request_id);
    canvas_check_shape(&got, d->dim, from);
    if (got.stop || got.n_tokens != sl->meta.n_tokens)
        die_runtime("rank 0: request %llu of %d tokens came back from rank %d as %d tokens%s",
                    (unsigned long long)sl->meta.request_id, sl->meta.n_tokens, from, got.n_tokens,
                    got.stop ? " with stop set" : "");
    size_t n = (size_t)sl->meta.n_tokens * d->dim;
    if (r->spread[last]) {
        CanvasGroup g = route_group(r, last);
        for (int k = 1; k < g.n; k++) {
            const float *part = sl->parts + (size_t)(k - 1) * n;
            for (size_t i = 0; i < n; i++)
                sl->y_in[i] += part[i];
        }
        float inv = 1.0f / (float)d->program->steps[last].n_layers;
        for (size_t i = 0; i < n; i++)
            sl->y_in[i] *= inv;
    } else {
        canvas_check_payload(&got, sl->y_in, from);
    }
    d->bytes_in += WIRE_HEADER_BYTES + n * sizeof(float);
    trace_add(d->trace, TRACE_RECV, sl->meta.request_id, r->n_steps, from, sl->t_submit,
              wall_seconds(), n * sizeof(float));
    return sl->y_in;
}

void dispatch_stop(Dispatch *d) {
    for (int i = 0; i < d->n_slots; i++)
        if (d->slots[i].active) die_runtime("dispatch: stop with slot %d in flight", i);
    DispatchSlot *sl = &d->slots[0];
    sl->meta = (CanvasMeta){.request_id = d->next_id++, .stop = 1};
    canvas_meta_seal(&sl->meta, 0, NULL, 0);
    sl->n_req = 0;
    dispatch_post_result(d, sl, 0);
    dispatch_send(d, sl, 0);
    sl->active = 1;
    dispatch_wait(d, sl);
}
