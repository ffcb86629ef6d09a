/* dispatch.h: the coordinator's side of the stations: it sends each request's
 * canvas to the rank running the program's first step and collects the final
 * canvas from the last, with up to `slots` requests in flight (one KV cache
 * set per slot on every station), results in request order.
 *
 *   dispatch_submit(d, slot, x, T, pos0, reset);   // x (T, D) embedded tokens
 *   ...
 *   const float *y = dispatch_collect(d, slot);      // (T, D) after the program
 */
#ifndef PAINTERS_DISPATCH_H
#define PAINTERS_DISPATCH_H

#include <stdint.h>

#include "compute/layer.h"
#include "program/route.h"
#include "base/trace.h"
#include "wire/canvas.h"

typedef struct {
    int active;
    CanvasMeta meta;
    float *x_out; /* (T, D) sent */
    float *y_in;  /* (T, D) received */
    float *parts; /* (participants - 1, T, D) a spread last step's other parts */
    size_t cap_x, cap_y, cap_parts;
    uint8_t hdr_out[WIRE_HEADER_BYTES], hdr_in[WIRE_HEADER_BYTES];
    MPI_Request *req; /* (n_req) in flight: 2 out, then the header and the parts in */
    int n_req;
    double t_submit;
} DispatchSlot;

typedef struct {
    const Route *route;
    const Program *program;
    int dim;
    int n_slots;
    DispatchSlot *slots; /* (n_slots) */
    uint64_t next_id;
    uint64_t bytes_out, bytes_in;
    double wait_s;
    Trace *trace;
} Dispatch;

/* Caller owns; dispatch_free(). */
Dispatch *dispatch_new(const Route *r, const Program *p, int dim, int n_slots, Trace *trace);
void dispatch_free(Dispatch *d); /* accepts NULL */

/* Sends canvas x (T, D) of a sequence whose first token sits at pos0 (reset:
 * a new sequence) into slot, which must be free. x is copied. */
void dispatch_submit(Dispatch *d, int slot, const float *x, int T, int pos0, int reset);
/* The same for a packed canvas (layer.h CanvasShape: its sequences, and the
 * prefixes they share, or NULL prefix arrays). */
void dispatch_submit_packed(Dispatch *d, int slot, const float *x, const CanvasShape *shape);
/* The same for a batch (shape->batch): sequence k continues KV cache set
 * seq[k] on the stations from position pos0[k] (0: a new sequence). */
void dispatch_submit_batch(Dispatch *d, int slot, const float *x, const CanvasShape *shape,
                           const int *seq, const int *pos0);
/* Waits for the slot's result (bounded by the timeout); returns (T, D), owned
 * by the dispatch and valid until the slot is submitted again. */
const float *dispatch_collect(Dispatch *d, int slot);
/* Sends the stop canvas through the program and waits for it to come back. */
void dispatch_stop(Dispatch *d);

#endif
