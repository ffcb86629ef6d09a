/* liveness.c: see liveness.h. */
#include "wire/liveness.h"

#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "wire/tags.h"

enum { LIVENESS_NAP_NS = 10000000 }; /* the thread's nap between rounds: 10 ms */
/* A round that comes this many seconds after the one before means that this
 * process did not run meanwhile (stopped and continued, as a suspended job
 * is): its own pause is no one else's silence, so the count starts again. */
#define LIVENESS_GAP_S 1.0

typedef struct {
    pthread_t thread;
    int world, rank;
    atomic_int running, stop;
    _Atomic double timeout;   /* this rank's --timeout, carried by its heartbeats */
    _Atomic double announced; /* rank 0's --timeout, from its heartbeats (stations) */
    _Atomic double longest;   /* the longest silence of a watched rank */
    atomic_int silent_rank;   /* that rank */
    _Atomic double listened;  /* when the thread last heard every heartbeat that had come */
    _Atomic double *heard;    /* (world) when each watched rank was last heard */
    /* The thread's own. */
    double *beat;                         /* (world) what each heartbeat in flight carries */
    MPI_Request *beat_req;                /* (world) each watched rank's heartbeat in flight */
    char answer[WIRE_PROBE_ANSWER_BYTES]; /* the probe answer in flight */
    MPI_Request answer_req;
    /* Written by the main thread, read by the thread's probe answers. */
    pthread_mutex_t doing_lock;
    char doing[WIRE_PROBE_ANSWER_BYTES];
} Liveness;

static Liveness g_live = {.doing_lock = PTHREAD_MUTEX_INITIALIZER, .silent_rank = -1};

/* Rank 0 watches every station; a station watches rank 0. */
static int liveness_watches(int r) {
    return g_live.rank == 0 ? r != 0 : r == 0;
}

/* Seconds between heartbeats: a quarter of the timeout, at most 1 s. */
static double liveness_period(void) {
    double t = atomic_load(&g_live.timeout);
    return t > 0 && t / 4 < 1.0 ? t / 4 : 1.0;
}

/* Receives every heartbeat that has arrived; their senders were heard at t. */
static void liveness_hear(double t) {
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, WIRE_TAG_HEARTBEAT, MPI_COMM_WORLD, &flag, &st);
        if (!flag) return;
        double announced = 0;
        MPI_Recv(&announced, 1, MPI_DOUBLE, st.MPI_SOURCE, WIRE_TAG_HEARTBEAT, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        g_live.heard[st.MPI_SOURCE] = t;
        if (st.MPI_SOURCE == 0) atomic_store(&g_live.announced, announced);
    }
}

/* A station answers rank 0's probe (wire.c) with what its main thread is
 * doing; while an earlier answer is still in flight, rank 0 has that one. */
static void liveness_answer_probe(void) {
    int flag = 0;
    MPI_Iprobe(0, WIRE_TAG_PROBE, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    if (!flag) return;
    int probe;
    MPI_Recv(&probe, 1, MPI_INT, 0, WIRE_TAG_PROBE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (g_live.answer_req != MPI_REQUEST_NULL) {
        MPI_Test(&g_live.answer_req, &flag, MPI_STATUS_IGNORE);
        if (!flag) return;
    }
    pthread_mutex_lock(&g_live.doing_lock);
    snprintf(g_live.answer, sizeof g_live.answer, "%s", g_live.doing[0] ? g_live.doing : "busy");
    pthread_mutex_unlock(&g_live.doing_lock);
    MPI_Isend(g_live.answer, (int)strlen(g_live.answer) + 1, MPI_CHAR, 0, WIRE_TAG_PROBE_ANSWER,
              MPI_COMM_WORLD, &g_live.answer_req);
}

/* Sends a heartbeat to every watched rank whose previous one has left (a
 * stopped rank does not pile them up). */
static void liveness_beat(void) {
    for (int r = 0; r < g_live.world; r++) {
        if (!liveness_watches(r)) continue;
        if (g_live.beat_req[r] != MPI_REQUEST_NULL) {
            int done = 0;
            MPI_Test(&g_live.beat_req[r], &done, MPI_STATUS_IGNORE);
            if (!done) continue;
        }
        g_live.beat[r] = atomic_load(&g_live.timeout);
        MPI_Isend(&g_live.beat[r], 1, MPI_DOUBLE, r, WIRE_TAG_HEARTBEAT, MPI_COMM_WORLD,
                  &g_live.beat_req[r]);
    }
}

/* The longest silence at t, when every heartbeat that had arrived was heard. */
static void liveness_measure(double t) {
    double longest = 0;
    int who = -1;
    for (int r = 0; r < g_live.world; r++)
        if (liveness_watches(r) && t - g_live.heard[r] > longest) {
            longest = t - g_live.heard[r];
            who = r;
        }
    atomic_store(&g_live.silent_rank, who);
    atomic_store(&g_live.longest, longest);
    atomic_store(&g_live.listened, t);
}

static void *liveness_main(void *unused) {
    (void)unused;
    double next_beat = 0, last = now_seconds();
    while (!atomic_load(&g_live.stop)) {
        double t = now_seconds();
        if (t - last > LIVENESS_GAP_S)
            for (int r = 0; r < g_live.world; r++)
                g_live.heard[r] = t;
        last = t;
        liveness_hear(t);
        if (g_live.rank != 0) liveness_answer_probe();
        liveness_measure(t);
        if (t >= next_beat) {
            liveness_beat();
            next_beat = t + liveness_period();
        }
        struct timespec nap = {0, LIVENESS_NAP_NS};
        nanosleep(&nap, NULL);
    }
    return NULL;
}

int liveness_start(int provided) {
#ifdef PAINTERS_SMPI
    /* Under SimGrid's SMPI every rank is a thread of one simulated process
     * and the waits block: no thread of our own, nothing to watch. */
    (void)provided;
    return 0;
#endif
    if (atomic_load(&g_live.running)) return 1;
    MPI_Comm_size(MPI_COMM_WORLD, &g_live.world);
    MPI_Comm_rank(MPI_COMM_WORLD, &g_live.rank);
    if (g_live.world < 2 || provided < MPI_THREAD_MULTIPLE) return 0;
    g_live.heard = xmalloc((size_t)g_live.world * sizeof *g_live.heard);
    g_live.beat = xcalloc((size_t)g_live.world, sizeof *g_live.beat);
    g_live.beat_req = xmalloc((size_t)g_live.world * sizeof *g_live.beat_req);
    double t = now_seconds();
    atomic_store(&g_live.listened, t);
    for (int r = 0; r < g_live.world; r++) {
        g_live.heard[r] = t;
        g_live.beat_req[r] = MPI_REQUEST_NULL;
    }
    g_live.answer_req = MPI_REQUEST_NULL;
    atomic_store(&g_live.stop, 0);
    if (pthread_create(&g_live.thread, NULL, liveness_main, NULL) != 0)
        die_runtime("rank %d: cannot start the heartbeat thread", g_live.rank);
    atomic_store(&g_live.running, 1);
    return 1;
}

void liveness_stop(void) {
    if (!atomic_load(&g_live.running)) return;
    atomic_store(&g_live.stop, 1);
    pthread_join(g_live.thread, NULL);
    atomic_store(&g_live.running, 0);
    /* Sends still in flight complete on their own; MPI_Finalize sees to them. */
    for (int r = 0; r < g_live.world; r++)
        if (g_live.beat_req[r] != MPI_REQUEST_NULL) MPI_Request_free(&g_live.beat_req[r]);
    if (g_live.answer_req != MPI_REQUEST_NULL) MPI_Request_free(&g_live.answer_req);
    free((void *)g_live.heard);
    free(g_live.beat);
    free(g_live.beat_req);
    g_live.heard = NULL;
    g_live.beat = NULL;
    g_live.beat_req = NULL;
    atomic_store(&g_live.silent_rank, -1);
    atomic_store(&g_live.longest, 0.0);
}

int liveness_running(void) {
    return atomic_load(&g_live.running);
}

void liveness_set_timeout(double seconds) {
    atomic_store(&g_live.timeout, seconds);
}

double liveness_announced_timeout(void) {
    return atomic_load(&g_live.announced);
}

void liveness_doing(const char *what) {
    if (!atomic_load(&g_live.running)) return;
    pthread_mutex_lock(&g_live.doing_lock);
    snprintf(g_live.doing, sizeof g_live.doing, "%s", what ? what : "");
    pthread_mutex_unlock(&g_live.doing_lock);
}

double liveness_longest_silence(int *rank) {
    if (rank) *rank = atomic_load(&g_live.silent_rank);
    return atomic_load(&g_live.longest);
}

double liveness_silence(int rank) {
    if (!atomic_load(&g_live.running) || rank < 0 || rank >= g_live.world ||
        !liveness_watches(rank))
        return 0;
    double s = atomic_load(&g_live.listened) - g_live.heard[rank];
    return s > 0 ? s : 0;
}
