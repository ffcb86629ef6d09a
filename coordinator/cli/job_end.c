/* job_end.c: see job_end.h. */
#include "cli/job_end.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/util.h"
#include "wire/liveness.h"
#include "wire/wire.h"

/* Whether station r, not done yet, has been quiet too long: silent for
 * longer than the timeout (liveness.h), or without the heartbeat thread,
 * `waited` seconds past the timeout. */
static int station_overdue(int r, double waited, double timeout) {
    if (timeout <= 0) return 0;
    return liveness_running() ? liveness_silence(r) > timeout : waited > timeout;
}

/* Ends the job naming the stations whose requests are still open. */
static _Noreturn void stations_did_not_finish(const MPI_Request *req, int world, double timeout) {
    char missing[512];
    size_t len = 0;
    for (int r = 1; r < world && len < sizeof missing; r++)
        if (req[r] != MPI_REQUEST_NULL)
            len +=
                (size_t)snprintf(missing + len, sizeof missing - len, "%s%d", len ? ", " : "", r);
    die_runtime("rank 0: releasing the stations: rank %s did not finish within %.0f s "
                "(--timeout%s); ending the job",
                missing, timeout, liveness_running() ? " of silence" : "");
}

/* Rank 0: every station's "done", each wait bounded by its silence. */
static void hear_stations_done(int world) {
    int *done = xcalloc((size_t)world, sizeof(int));
    MPI_Request *req = xmalloc((size_t)world * sizeof *req);
    for (int r = 1; r < world; r++)
        MPI_Irecv(&done[r], 1, MPI_INT, r, WIRE_TAG_DONE, MPI_COMM_WORLD, &req[r]);
#ifdef PAINTERS_SMPI
    /* The simulator charges time for every failed MPI_Test: wait blocking. */
    MPI_Waitall(world - 1, req + 1, MPI_STATUSES_IGNORE);
    free(done);
    free(req);
    return;
#endif
    double start = now_seconds(), timeout = wire_timeout();
    for (int left = world - 1; left > 0;) {
        for (int r = 1; r < world; r++) {
            if (req[r] == MPI_REQUEST_NULL) continue;
            int flag = 0;
            MPI_Test(&req[r], &flag, MPI_STATUS_IGNORE);
            left -= flag;
        }
        if (left == 0) break;
        for (int r = 1; r < world; r++)
            if (req[r] != MPI_REQUEST_NULL && station_overdue(r, now_seconds() - start, timeout))
                stations_did_not_finish(req, world, timeout);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    free(done);
    free(req);
}

void job_end_hear_stations(int world) {
    hear_stations_done(world);
    /* Every station is alive and waiting: the word to finalize. */
    static int go = 1; /* read by MPI after the sends start */
    MPI_Request *req = xmalloc((size_t)world * sizeof *req);
    for (int r = 1; r < world; r++)
        MPI_Isend(&go, 1, MPI_INT, r, WIRE_TAG_DONE, MPI_COMM_WORLD, &req[r]);
    for (int r = 1; r < world; r++) {
        char what[96];
        snprintf(what, sizeof what, "releasing the stations: telling rank %d to finalize", r);
        wire_wait(&req[r], what);
    }
    free(req);
}

void job_end_station_check_out(void) {
    int done = 1, go = 0;
    MPI_Request req;
    MPI_Isend(&done, 1, MPI_INT, 0, WIRE_TAG_DONE, MPI_COMM_WORLD, &req);
    wire_wait_forever(&req, "released: telling rank 0 this station is done");
    MPI_Irecv(&go, 1, MPI_INT, 0, WIRE_TAG_DONE, MPI_COMM_WORLD, &req);
    wire_wait_forever(&req, "released: waiting for rank 0's word to finalize");
}
