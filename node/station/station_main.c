/* station_main.c: the life of a station rank (see station_serve.h). */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "compute/matmul.h"
#include "formats/checkpoint.h"
#include "painters_wire.pb-c.h"
#include "program/route.h"
#include "program/setup.h"
#include "station/station_serve.h"
#include "base/util.h"
#include "wire/wire.h"

/* The loaded layers, kept across setups while model and hosted set stay. */
typedef struct {
    char *model;
    int *hosted;
    int n_layers;
    Station *st;
} StationCache;

static Station *station_cache_get(StationCache *c, const char *model, const int *hosted, int L) {
    if (c->st && !strcmp(c->model, model) && c->n_layers == L &&
        !memcmp(c->hosted, hosted, (size_t)L * sizeof(int)))
        return c->st;
    station_free(c->st);
    free(c->model);
    free(c->hosted);
    Checkpoint *ck = checkpoint_open(model);
    if (ck->cfg.n_layers != L)
        die_input(
            "%s: rank %d reads %d layers where rank 0 read %d (different files on this node?)",
            model, util_rank(), ck->cfg.n_layers, L);
    c->st = station_open(ck, hosted);
    checkpoint_close(ck);
    c->model = xstrdup(model);
    c->hosted = xmalloc((size_t)L * sizeof(int));
    memcpy(c->hosted, hosted, (size_t)L * sizeof(int));
    c->n_layers = L;
    return c->st;
}

/* Sends this rank's figures and trace to rank 0. */
static void station_send_report(const Station *st, const StationStats *s, const Trace *trace) {
    Painters__StationReport m = PAINTERS__STATION_REPORT__INIT;
    m.rank = util_rank();
    m.compute_ms = s->compute_s * 1e3;
    m.wait_ms = s->wait_s * 1e3;
    m.send_ms = s->send_s * 1e3;
    m.bytes_in = s->bytes_in;
    m.bytes_out = s->bytes_out;
    m.steps_applied = s->steps;
    m.layers_applied = s->layers;
    m.gflop = s->flops / 1e9;
    uint64_t weights = 0;
    for (int l = 0; st && l < st->cfg.n_layers; l++)
        if (st->layers[l]) weights += st->layers[l]->bytes;
    m.weight_bytes = weights;
    size_t n = painters__station_report__get_packed_size(&m);
    uint8_t *buf = xmalloc(n + 1);
    painters__station_report__pack(&m, buf);
    MPI_Send(buf, (int)n, MPI_BYTE, 0, WIRE_TAG_REPORT, MPI_COMM_WORLD);
    free(buf);
    char *text = trace_to_jsonl(trace, util_rank());
    MPI_Send(text, (int)strlen(text), MPI_CHAR, 0, WIRE_TAG_REPORT, MPI_COMM_WORLD);
    free(text);
}

void station_main(void) {
    StationCache cache = {0};
    Trace trace = {0};
    for (;;) {
        JobSetup *s = setup_receive();
        if (s->quit) {
            setup_free(s);
            break;
        }
        wire_set_timeout(s->timeout_s);
        matmul_set_compute((MatmulCompute)s->compute);
        int *hosted = placement_layers_of(s->placement, util_rank());
        int any = 0;
        for (int l = 0; l < s->n_layers; l++)
            any |= hosted[l];
        Station *st = any ? station_cache_get(&cache, s->model_path, hosted, s->n_layers) : NULL;
        Route *r = route_build(s->program, s->placement, util_rank());
        StationStats stats = {0};
        trace.enabled = s->trace;
        trace_clear(&trace);
        if (st) station_serve(st, s->program, r, s->inflight, &trace, &stats);
        station_send_report(st, &stats, &trace);
        route_free(r);
        free(hosted);
        setup_free(s);
    }
    trace_free(&trace);
    station_free(cache.st);
    free(cache.model);
    free(cache.hosted);
}
