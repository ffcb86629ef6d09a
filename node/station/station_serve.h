/* station_serve.h: a station rank's work: receive a canvas, apply its steps,
 * pass the canvas on, for one request after another until the stop canvas. */
#ifndef PAINTERS_STATION_SERVE_H
#define PAINTERS_STATION_SERVE_H

#include <stdint.h>

#include "program/plan.h"
#include "program/route.h"
#include "station/station.h"
#include "base/trace.h"

typedef struct {
    double compute_s; /* applying layers */
    double wait_s;    /* waiting for canvases (receives, broadcasts, reductions) */
    double send_s;    /* sending canvases */
    uint64_t bytes_in, bytes_out;
    uint64_t requests, steps, layers;
    double flops;
} StationStats;

/* Serves the requests of one setup. st hosts this rank's layers; n_slots KV
 * cache sets (one per request in flight). Returns when the stop canvas has
 * passed through this rank (at once when the rank has no part in the program). */
void station_serve(Station *st, const Program *p, const Route *r, int n_slots, Trace *trace,
                   StationStats *stats);

/* A station rank's main loop: waits for setups from rank 0 and serves each,
 * sending its report (and trace) to rank 0 after each, until the quit setup. */
void station_main(void);

#endif
