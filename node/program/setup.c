/* setup.c: see setup.h. */
#include "program/setup.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "painters_wire.pb-c.h"
#include "base/util.h"
#include "wire/wire.h"

void setup_broadcast(const JobSetup *s) {
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
                if (placement_hosts(s->placement, l, r)) stations[r].layers[stations[r].n_layers++] = l;
            station_ptrs[r] = &stations[r];
        }
        m.n_stations = (size_t)W;
        m.stations = station_ptrs;
    }
    uint64_t len = painters__wire_setup__get_packed_size(&m);
    uint8_t *buf = xmalloc(len ? len : 1);
    painters__wire_setup__pack(&m, buf);
    /* Non-blocking on every rank: blocking and non-blocking collectives do not match. */
    MPI_Request req;
    MPI_Ibcast(&len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &req);
    wire_wait(&req, "sending the job setup");
    MPI_Ibcast(buf, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD, &req);
    wire_wait(&req, "sending the job setup");
    free(buf);
    free(steps), free(step_ptrs), free(stations), free(station_ptrs), free(station_layers);
}

JobSetup *setup_receive(void) {
    uint64_t len = 0;
    MPI_Request req;
    MPI_Ibcast(&len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &req);
    wire_wait_forever(&req, "waiting for the next job setup from rank 0");
    if (len > (1u << 30)) die_runtime("rank %d: setup of %llu bytes from rank 0", util_rank(),
                                      (unsigned long long)len);
    uint8_t *buf = xmalloc(len ? len : 1);
    MPI_Ibcast(buf, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD, &req);
    wire_wait_forever(&req, "waiting for the next job setup from rank 0");
    Painters__WireSetup *m = painters__wire_setup__unpack(NULL, len, buf);
    free(buf);
    if (!m) die_runtime("rank %d: unreadable setup from rank 0 (a different painters binary?)",
                        util_rank());
    if (m->wire_version != wire_version())
        die_runtime("rank %d: rank 0 speaks wire version %u, this binary %u: run the same "
                    "painters build on every node", util_rank(), m->wire_version, wire_version());
    JobSetup *s = xcalloc(1, sizeof *s);
    if (!m->model_path || !*m->model_path) {
        s->quit = 1;
        painters__wire_setup__free_unpacked(m, NULL);
        return s;
    }
    s->model_path = xstrdup(m->model_path);
    s->n_layers = (int)m->n_layers;
    s->inflight = (int)m->inflight;
    s->timeout_s = m->timeout_s;
    s->trace = m->trace_path && *m->trace_path;
    int S = (int)m->n_steps, total = 0;
    int *sizes = xmalloc(((size_t)S + 1) * sizeof(int));
    for (int i = 0; i < S; i++) total += sizes[i] = (int)m->steps[i]->n_layers;
    int *layers = xmalloc(((size_t)total + 1) * sizeof(int));
    for (int i = 0, at = 0; i < S; i++)
        for (size_t j = 0; j < m->steps[i]->n_layers; j++) layers[at++] = m->steps[i]->layers[j];
    s->program = program_from_steps(m->plan_name, "wire", S, sizes, layers);
    free(sizes), free(layers);
    int world = (int)m->n_stations, L = s->n_layers;
    int *n_hosts = xcalloc((size_t)L + 1, sizeof(int));
    int **hosts = xcalloc((size_t)L + 1, sizeof(int *));
    for (int l = 0; l < L; l++) hosts[l] = xmalloc((size_t)world * sizeof(int));
    for (int r = 0; r < world; r++)
        for (size_t k = 0; k < m->stations[r]->n_layers; k++) {
            int l = m->stations[r]->layers[k];
            if (l < 0 || l >= L) die_runtime("rank %d: setup names layer %d", util_rank(), l);
            hosts[l][n_hosts[l]++] = m->stations[r]->rank;
        }
    s->placement = placement_from_hosts("wire", L, world, n_hosts, (const int *const *)hosts);
    for (int l = 0; l < L; l++) free(hosts[l]);
    free(hosts), free(n_hosts);
    painters__wire_setup__free_unpacked(m, NULL);
    return s;
}

void setup_free(JobSetup *s) {
    if (!s) return;
    free(s->model_path);
    program_free(s->program);
    placement_free(s->placement);
    free(s);
}
