/* wire.h: what every message between ranks shares: the wire version, the
 * message tags (tags.h), and waits bounded by the silence of the ranks they
 * depend on (liveness.h, wire_set_timeout). Canvases: canvas.h. */
#ifndef PAINTERS_WIRE_H
#define PAINTERS_WIRE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/tags.h"

#define WIRE_VERSION 3

/* The version this process speaks: WIRE_VERSION, or PAINTERS_WIRE_VERSION from
 * the environment (used by the tests to play a mismatched build). */
uint32_t wire_version(void);
#define WIRE_HEADER_BYTES 4096 /* a packed canvas header (canvas.h) */
#define WIRE_MAX_SEGMENTS 512  /* sequences in one packed canvas */
#define WIRE_MAX_BATCH 256     /* sequences in one batch canvas (each continuing its own cache) */

/* --timeout: the seconds of silence (liveness.h) after which a waiting rank
 * ends the job; where the heartbeat thread does not run, the seconds any
 * single wait may take (<= 0: forever). */
void wire_set_timeout(double seconds);
double wire_timeout(void);
#define WIRE_DEFAULT_TIMEOUT 600.0 /* seconds: --timeout's default */
/* The silence that ends a wait: the timeout, else (a station before its
 * first setup) the one rank 0 announced in its heartbeats, else the default. */
double wire_silence_bound(void);
/* Ends the job (naming the rank) if a rank this one watches has been silent
 * for longer than wire_silence_bound(); `what` says what this rank waits for. */
void wire_check_silence(const char *what);
/* Waits for req, polling, until it completes or a watched rank has been
 * silent for longer than the timeout (wire_check_silence; without the
 * heartbeat thread: until the wait has taken the timeout, wire_timed_out).
 * `what` says what is awaited ("step 5: waiting for the canvas from rank
 * 1"); rank 0's probe hears it as the answer while the wait lasts. */
void wire_wait(MPI_Request *req, const char *what);
/* The same, bounded only by silence (without the heartbeat thread: forever). */
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
