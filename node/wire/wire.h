/* wire.h: what every message between ranks shares: the wire version, the
 * message tags, and waits bounded by the job's timeout (wire_set_timeout),
 * during which a station answers rank 0's probe. Canvases: canvas.h. */
#ifndef PAINTERS_WIRE_H
#define PAINTERS_WIRE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 3

/* The version this process speaks: WIRE_VERSION, or PAINTERS_WIRE_VERSION from
 * the environment (used by the tests to play a mismatched build). */
uint32_t wire_version(void);
#define WIRE_HEADER_BYTES 4096 /* a packed canvas header (canvas.h) */
#define WIRE_MAX_SEGMENTS 512  /* sequences in one packed canvas */
#define WIRE_MAX_BATCH 256     /* sequences in one batch canvas (each continuing its own cache) */

enum {
    WIRE_TAG_HEADER = 10,
    WIRE_TAG_PAYLOAD = 11,
    WIRE_TAG_REPORT = 12,
    WIRE_TAG_SETUP = 13,
    WIRE_TAG_PROBE = 14,         /* rank 0 to a station after a timeout: what are you doing? */
    WIRE_TAG_PROBE_ANSWER = 15,  /* the station's answer: what it is waiting for */
    WIRE_TAG_DONE = 17,          /* a station, released, tells rank 0 before MPI_Finalize */
    WIRE_TAG_GROUP_HEADER = 18,  /* a spread step's header, entry(s) to its ranks (canvas.h) */
    WIRE_TAG_GROUP_PAYLOAD = 19, /* its payload, entry(s) to the other participants */
    WIRE_TAG_GROUP_PART = 20     /* a participant's sum of its layers, to entry(s+1) */
};

/* Seconds any single wait may take before the job is ended (<= 0: forever). */
void wire_set_timeout(double seconds);
double wire_timeout(void);
/* Waits for req, polling so that a wait past the timeout ends the job
 * (wire_timed_out). `what` says what is awaited ("step 5: waiting for the
 * canvas from rank 1"). While it waits, a station answers rank 0's probe
 * with `what`. */
void wire_wait(MPI_Request *req, const char *what);
/* The same without the timeout. */
void wire_wait_forever(MPI_Request *req, const char *what);
/* Ends the job after a wait for `what` ran past `timeout` seconds, with a
 * message naming this rank. On rank 0 it first probes the stations for up to
 * 1 s and names the ranks that did not answer (stopped, cut off) and what
 * the others were waiting for. */
_Noreturn void wire_timed_out(const char *what, double timeout);

/* Receives a message of unknown length from src with tag (bounded by the
 * timeout); returns a NUL-terminated buffer the caller frees, *len its bytes. */
char *wire_recv_bytes(int src, int tag, size_t *len, const char *what);

#endif
