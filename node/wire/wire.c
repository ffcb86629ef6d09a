/* wire.c: see wire.h. */
#include "wire/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "wire/liveness.h"

static double g_timeout = 0.0;

enum { PROBE_ANSWER_BYTES = WIRE_PROBE_ANSWER_BYTES };

/* What a rank's probe answer says between waits (computing, most often). */
#define WIRE_NOT_WAITING "working, not waiting for a message"

uint32_t wire_version(void) {
    const char *v = getenv("PAINTERS_WIRE_VERSION");
    return v && *v ? (uint32_t)strtoul(v, NULL, 10) : WIRE_VERSION;
}

void wire_set_timeout(double seconds) {
    g_timeout = seconds;
    liveness_set_timeout(seconds);
}
double wire_timeout(void) {
    return g_timeout;
}

/* Without the heartbeat thread (liveness.h), which answers it otherwise,
 * stations answer rank 0's probe (wire_probe_stations) from inside any wait,
 * with what they are waiting for. */
static void wire_answer_probe(const char *what) {
    if (util_rank() == 0) return;
    int flag = 0;
    MPI_Iprobe(0, WIRE_TAG_PROBE, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    if (!flag) return;
    int probe;
    MPI_Recv(&probe, 1, MPI_INT, 0, WIRE_TAG_PROBE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    static char answer[PROBE_ANSWER_BYTES]; /* read by MPI after this returns */
    snprintf(answer, sizeof answer, "%s", what && *what ? what : "waiting");
    MPI_Request req;
    MPI_Isend(answer, (int)strlen(answer) + 1, MPI_CHAR, 0, WIRE_TAG_PROBE_ANSWER, MPI_COMM_WORLD,
              &req);
    MPI_Request_free(&req);
}

/* Rank 0, after a wait timed out: asks every station what it is doing and
 * writes into out the ranks that do not answer within `grace` seconds (a
 * stopped process, a cut link; also one computing all that time) and the
 * answers of the others. The probes are never completed: the job ends next. */
static void wire_probe_stations(double grace, char *out, size_t cap) {
    int world = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    static int probe = 1;
    char *answered = xcalloc((size_t)world, 1);
    char *answers = xcalloc((size_t)world, PROBE_ANSWER_BYTES);
    for (int r = 1; r < world; r++) {
        MPI_Request req;
        MPI_Isend(&probe, 1, MPI_INT, r, WIRE_TAG_PROBE, MPI_COMM_WORLD, &req);
        MPI_Request_free(&req);
    }
    int n_answered = 0;
    double start = now_seconds();
    while (n_answered < world - 1 && now_seconds() - start < grace) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, WIRE_TAG_PROBE_ANSWER, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            continue;
        }
        char *a = answers + (size_t)st.MPI_SOURCE * PROBE_ANSWER_BYTES;
        MPI_Recv(a, PROBE_ANSWER_BYTES, MPI_CHAR, st.MPI_SOURCE, WIRE_TAG_PROBE_ANSWER,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        a[PROBE_ANSWER_BYTES - 1] = '\0';
        if (!answered[st.MPI_SOURCE]) n_answered++;
        answered[st.MPI_SOURCE] = 1;
    }
    size_t len = 0;
    if (n_answered == world - 1) {
        len = (size_t)snprintf(out, cap, "every station answered within %.0f s", grace);
    } else {
        len = (size_t)snprintf(out, cap, "no answer within %.0f s from rank", grace);
        const char *sep = " ";
        for (int r = 1; r < world && len < cap; r++)
            if (!answered[r])
                len += (size_t)snprintf(out + len, cap - len, "%s%d", sep, r), sep = ", ";
    }
    for (int r = 1; r < world && len < cap; r++)
        if (answered[r])
            len += (size_t)snprintf(out + len, cap - len, "; rank %d: %s", r,
                                    answers + (size_t)r * PROBE_ANSWER_BYTES);
    free(answered);
    free(answers);
}

_Noreturn void wire_timed_out(const char *what, double timeout) {
    int world = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    if (util_rank() != 0 || world == 1)
        die_runtime("rank %d: %s: nothing after %.0f s (--timeout); ending the job", util_rank(),
                    what, timeout);
    char probe[1536];
    wire_probe_stations(1.0, probe, sizeof probe);
    die_runtime("rank 0: %s: nothing after %.0f s (--timeout); %s; ending the job", what, timeout,
                probe);
}

/* Ends the job after a watched rank (liveness.h) has been silent for
 * `bound` seconds while this rank waited for `what`, naming it; rank 0 first
 * probes the stations as wire_timed_out does. */
static _Noreturn void wire_silent(const char *what, int who, double bound) {
    if (util_rank() != 0)
        die_runtime("rank %d: %s: no sign of life from rank %d for %.0f s (--timeout: no "
                    "heartbeat; stopped or cut off); ending the job",
                    util_rank(), what, who, bound);
    char probe[1536];
    wire_probe_stations(1.0, probe, sizeof probe);
    die_runtime("rank 0: %s: no sign of life from rank %d for %.0f s (--timeout: no heartbeat); "
                "%s; ending the job",
                what, who, bound, probe);
}

double wire_silence_bound(void) {
    if (g_timeout > 0) return g_timeout;
    double announced = liveness_announced_timeout();
    return announced > 0 ? announced : WIRE_DEFAULT_TIMEOUT;
}

void wire_check_silence(const char *what) {
    double bound = wire_silence_bound();
    int who = -1;
    if (bound > 0 && liveness_longest_silence(&who) > bound) wire_silent(what, who, bound);
}

/* The bound of a wait for `what` begun at `start`: with the heartbeat
 * thread, the silence of the ranks this one watches (the wait itself may
 * last as long as the work upstream); without it, `timeout` seconds of
 * waiting (<= 0: none). */
static void wire_check_wait(double start, double timeout, const char *what) {
    if (liveness_running())
        wire_check_silence(what);
    else if (timeout > 0 && now_seconds() - start > timeout)
        wire_timed_out(what, timeout);
}

static void wire_wait_for(MPI_Request *req, double timeout, const char *what) {
#ifdef PAINTERS_SMPI
    /* The simulator charges time for every failed MPI_Test: wait blocking. */
    (void)timeout, (void)what;
    MPI_Wait(req, MPI_STATUS_IGNORE);
    return;
#endif
    int done = 0;
    double start = now_seconds();
    long spins = 0, nap_ns = 20000;
    liveness_doing(what);
    while (!done) {
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done) break;
        if (++spins > 1000) {
            /* Past a short spin, yield the core with naps growing to 1 ms: ranks
             * may share cores, and an idle station must not slow a busy one. */
            struct timespec ts = {0, nap_ns};
            nanosleep(&ts, NULL);
            if (nap_ns < 1000000) nap_ns += nap_ns / 4;
            if (!liveness_running()) wire_answer_probe(what);
        }
        wire_check_wait(start, timeout, what);
    }
    liveness_doing(WIRE_NOT_WAITING);
}

void wire_wait(MPI_Request *req, const char *what) {
    wire_wait_for(req, g_timeout, what);
}

void wire_wait_forever(MPI_Request *req, const char *what) {
    wire_wait_for(req, 0.0, what);
}

char *wire_recv_bytes(int src, int tag, size_t *len, const char *what) {
    int flag = 0;
    MPI_Status st;
#ifdef PAINTERS_SMPI
    /* The simulator charges time for every failed MPI_Iprobe: probe blocking. */
    MPI_Probe(src, tag, MPI_COMM_WORLD, &st);
    flag = 1;
#endif
    double start = now_seconds();
    char from[160];
    snprintf(from, sizeof from, "%s from rank %d", what, src);
    liveness_doing(from);
    while (!flag) {
        MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, &st);
        if (flag) break;
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
        wire_check_wait(start, g_timeout, from);
    }
    liveness_doing(WIRE_NOT_WAITING);
    int count;
    MPI_Get_count(&st, MPI_BYTE, &count);
    char *buf = xmalloc((size_t)count + 1);
    MPI_Recv(buf, count, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    buf[count] = '\0';
    *len = (size_t)count;
    return buf;
}
