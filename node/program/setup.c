/* setup.c: see setup.h. */
#include "program/setup.h"

#include <limits.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "painters_wire.pb-c.h"
#include "base/util.h"
#include "compute/matmul.h"
#include "wire/wire.h"

uint8_t *setup_pack(const JobSetup *s, size_t *len) {
    Painters__WireSetup m = PAINTERS__WIRE_SETUP__INIT;
    m.wire_version = wire_version();
    Painters__WireStep *steps = NULL, **step_ptrs = NULL;
    Painters__WireStation *stations = NULL, **station_ptrs = NULL;
    int32_t *station_layers = NULL;
    if (!s->quit) {
        m.model_path = s->model_path;
        m.plan_name = s->program->name;
        m.n_layers = (uint32_t)s->n_layers;
        m.inflight = (uint32_t)s->inflight;
        m.timeout_s = s->timeout_s;
        m.trace_path = s->trace ? "on" : "";
        m.compute = (uint32_t)s->compute;
        int S = s->program->n_steps, W = s->placement->world, L = s->n_layers;
        steps = xcalloc((size_t)S + 1, sizeof *steps);
        step_ptrs = xcalloc((size_t)S + 1, sizeof *step_ptrs);
        for (int i = 0; i < S; i++) {
            painters__wire_step__init(&steps[i]);
            steps[i].n_layers = (size_t)s->program->steps[i].n_layers;
            steps[i].layers = s->program->steps[i].layers;
            step_ptrs[i] = &steps[i];
        }
        m.n_steps = (size_t)S;
        m.steps = step_ptrs;
        stations = xcalloc((size_t)W, sizeof *stations);
        station_ptrs = xcalloc((size_t)W, sizeof *station_ptrs);
        station_layers = xmalloc((size_t)W * (size_t)(L ? L : 1) * sizeof(int32_t));
        for (int r = 0; r < W; r++) {
            painters__wire_station__init(&stations[r]);
            stations[r].rank = r;
            stations[r].layers = station_layers + (size_t)r * L;
            for (int l = 0; l < L; l++)
                if (placement_hosts(s->placement, l, r))
                    stations[r].layers[stations[r].n_layers++] = l;
            station_ptrs[r] = &stations[r];
        }
        m.n_stations = (size_t)W;
        m.stations = station_ptrs;
    }
    *len = painters__wire_setup__get_packed_size(&m);
    uint8_t *buf = xmalloc(*len ? *len : 1);
    painters__wire_setup__pack(&m, buf);
    free(steps), free(step_ptrs), free(stations), free(station_ptrs), free(station_layers);
    return buf;
}

void setup_broadcast(const JobSetup *s) {
    size_t n;
    uint8_t *buf = setup_pack(s, &n);
    uint64_t len = n;
    /* Non-blocking on every rank: blocking and non-blocking collectives do not match. */
    MPI_Request req;
    MPI_Ibcast(&len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &req);
    wire_wait(&req, "sending the job setup");
    MPI_Ibcast(buf, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD, &req);
    wire_wait(&req, "sending the job setup");
    free(buf);
}

/* Ends the job: the setup from rank 0 cannot be run, for the reason given. */
static _Noreturn PAINTERS_PRINTF(1, 2) void setup_refuse(const char *fmt, ...) {
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    die_runtime("rank %d: setup from rank 0: %s", util_rank(), reason);
}

/* The program of m's steps, each layer id checked against the L layers.
 * Caller owns. */
static Program *setup_unpack_program(const Painters__WireSetup *m, int L) {
    if (m->n_steps > INT_MAX) setup_refuse("%zu steps", m->n_steps);
    int S = (int)m->n_steps;
    size_t total = 0;
    int *sizes = xmalloc(((size_t)S + 1) * sizeof(int));
    for (int i = 0; i < S; i++) {
        if (m->steps[i]->n_layers > INT_MAX)
            setup_refuse("step %d has %zu layers", i, m->steps[i]->n_layers);
        sizes[i] = (int)m->steps[i]->n_layers;
        total += m->steps[i]->n_layers;
    }
    int *layers = xmalloc((total + 1) * sizeof(int));
    size_t at = 0;
    for (int i = 0; i < S; i++)
        for (size_t j = 0; j < m->steps[i]->n_layers; j++) {
            int l = m->steps[i]->layers[j];
            if (l < 0 || l >= L)
                setup_refuse("step %d names layer %d, outside the model's %d layers", i, l, L);
            layers[at++] = l;
        }
    Program *p = program_from_steps(m->plan_name, "wire", S, sizes, layers);
    free(sizes), free(layers);
    return p;
}

/* The placement of m's stations over the world's ranks, checked: one entry
 * per rank of the job, ranks within it, layer ids within the L layers and no
 * layer with more hosts than ranks. Caller owns. */
static Placement *setup_unpack_placement(const Painters__WireSetup *m, int L, int world) {
    if (m->n_stations != (size_t)world)
        setup_refuse("it describes %zu ranks, the job has %d", m->n_stations, world);
    int *n_hosts = xcalloc((size_t)L + 1, sizeof(int));
    int **hosts = xcalloc((size_t)L + 1, sizeof(int *));
    for (int l = 0; l < L; l++)
        hosts[l] = xmalloc((size_t)world * sizeof(int));
    for (int r = 0; r < world; r++) {
        const Painters__WireStation *st = m->stations[r];
        if (st->rank < 0 || st->rank >= world)
            setup_refuse("station %d has rank %d, outside the job's %d ranks", r, st->rank, world);
        for (size_t k = 0; k < st->n_layers; k++) {
            int l = st->layers[k];
            if (l < 0 || l >= L)
                setup_refuse("rank %d hosts layer %d, outside the model's %d layers", st->rank, l,
                             L);
            if (n_hosts[l] == world)
                setup_refuse("layer %d has more hosts than the job's %d ranks", l, world);
            hosts[l][n_hosts[l]++] = st->rank;
        }
    }
    Placement *pl = placement_from_hosts("wire", L, world, n_hosts, (const int *const *)hosts);
    for (int l = 0; l < L; l++)
        free(hosts[l]);
    free(hosts), free(n_hosts);
    return pl;
}

JobSetup *setup_unpack(const uint8_t *buf, size_t len, int world) {
    Painters__WireSetup *m = painters__wire_setup__unpack(NULL, len, buf);
    if (!m)
        die_runtime("rank %d: unreadable setup from rank 0 (a different painters binary?)",
                    util_rank());
    if (m->wire_version != wire_version())
        die_runtime("rank %d: rank 0 speaks wire version %u, this binary %u: run the same "
                    "painters build on every node",
                    util_rank(), m->wire_version, wire_version());
    JobSetup *s = xcalloc(1, sizeof *s);
    if (!m->model_path || !*m->model_path) {
        s->quit = 1;
        painters__wire_setup__free_unpacked(m, NULL);
        return s;
    }
    if (m->n_layers < 1 || m->n_layers > INT_MAX) setup_refuse("a model of %u layers", m->n_layers);
    s->model_path = xstrdup(m->model_path);
    s->n_layers = (int)m->n_layers;
    if (m->inflight < 1 || m->inflight > SETUP_MAX_SEQUENCES)
        setup_refuse("%u KV cache sets per station (1 to %d)", m->inflight, SETUP_MAX_SEQUENCES);
    s->inflight = (int)m->inflight;
    s->timeout_s = m->timeout_s;
    s->trace = m->trace_path && *m->trace_path;
    if (m->compute > MATMUL_COMPUTE_Q8) setup_refuse("compute mode %u", m->compute);
    s->compute = (int)m->compute;
    s->program = setup_unpack_program(m, s->n_layers);
    s->placement = setup_unpack_placement(m, s->n_layers, world);
    painters__wire_setup__free_unpacked(m, NULL);
    return s;
}

JobSetup *setup_receive(void) {
    uint64_t len = 0;
    MPI_Request req;
    MPI_Ibcast(&len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &req);
    wire_wait_forever(&req, "waiting for the next job setup from rank 0");
    if (len > (1u << 30))
        die_runtime("rank %d: setup of %llu bytes from rank 0", util_rank(),
                    (unsigned long long)len);
    uint8_t *buf = xmalloc(len ? len : 1);
    MPI_Ibcast(buf, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD, &req);
    wire_wait_forever(&req, "waiting for the next job setup from rank 0");
    int world = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    JobSetup *s = setup_unpack(buf, (size_t)len, world);
    free(buf);
    return s;
}

void setup_free(JobSetup *s) {
    if (!s) return;
    free(s->model_path);
    program_free(s->program);
    placement_free(s->placement);
    free(s);
}
