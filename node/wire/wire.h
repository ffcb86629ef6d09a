/* wire.h: how canvases and control messages travel between ranks.
 *
 * A canvas is a CanvasMeta header, protobuf-packed into a fixed
 * WIRE_HEADER_BYTES buffer (u32 length + message), followed by its T x D
 * float32 payload as a separate raw MPI message. Headers carry the wire
 * version and a CRC-32 of the payload; a mismatch ends the job naming both
 * ranks. Every wait is bounded by the job's timeout (wire_set_timeout). */
#ifndef PAINTERS_WIRE_H
#define PAINTERS_WIRE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 1

/* The version this process speaks: WIRE_VERSION, or PAINTERS_WIRE_VERSION from
 * the environment (used by the tests to play a mismatched build). */
uint32_t wire_version(void);
#define WIRE_HEADER_BYTES 4096
#define WIRE_MAX_SEGMENTS 512 /* sequences in one packed canvas */

enum {
    WIRE_TAG_HEADER = 10,
    WIRE_TAG_PAYLOAD = 11,
    WIRE_TAG_REPORT = 12,
    WIRE_TAG_SETUP = 13,
    WIRE_TAG_PROBE = 14,       /* rank 0 to a station after a timeout: what are you doing? */
    WIRE_TAG_PROBE_ANSWER = 15, /* the station's answer: what it is waiting for */
    WIRE_TAG_ROUTE = 16,        /* the members of a new communicator meet (route.c) */
    WIRE_TAG_DONE = 17          /* a station, released, tells rank 0 before MPI_Finalize */
};

typedef struct {
    uint64_t request_id;
    int step;          /* program step the canvas enters */
    int n_tokens;      /* T */
    int slot;          /* KV cache set on the stations */
    int pos0;          /* position of the first token */
    int reset;         /* new sequence: clear the slot's caches */
    int stop;          /* end of the request stream; no payload */
    uint64_t payload_bytes;
    uint32_t checksum; /* CRC-32 of the payload */
    int sender;
    int n_segs;        /* 0: one sequence; else a packed canvas of n_segs new sequences */
    int seg_start[WIRE_MAX_SEGMENTS + 1]; /* rows where they start, then n_tokens */
    int has_prefixes;  /* packed sequences continue prefixes held by earlier ones */
    int prefix_row[WIRE_MAX_SEGMENTS], prefix_len[WIRE_MAX_SEGMENTS];
} CanvasMeta;

/* Packs meta into buf (WIRE_HEADER_BYTES). */
void canvas_header_pack(const CanvasMeta *m, uint8_t *buf);
/* Unpacks buf received from rank `from`; a version mismatch or garbage ends
 * the job (die_runtime) naming both ranks. */
void canvas_header_unpack(const uint8_t *buf, int from, CanvasMeta *m);
/* Checks that a received header describes a canvas of rows of dim floats:
 * n_tokens >= 1, pos0 >= 0 and payload_bytes = n_tokens * dim * 4 (a stop
 * header passes as it is). Anything else ends the job (die_runtime) naming
 * both ranks, before the payload is sized or read by these fields. */
void canvas_check_shape(const CanvasMeta *m, int dim, int from);
/* Checks payload against m->checksum; a mismatch ends the job naming both ranks. */
void canvas_check_payload(const CanvasMeta *m, const float *x, int from);

uint32_t crc32_bytes(const void *data, size_t n);

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

/* Sends the canvas (header, then payload unless stop) to dest. */
void canvas_send(const CanvasMeta *m, const float *x, int dest);
/* Receives a canvas from src into *x, grown as needed (*cap in floats; the
 * caller owns *x). `timeout`: whether the wait is bounded (a station waiting
 * for the next request is not: the coordinator may be busy elsewhere). */
void canvas_recv(CanvasMeta *m, float **x, size_t *cap, int src, int timeout, const char *what);
/* Receives a message of unknown length from src with tag (bounded by the
 * timeout); returns a NUL-terminated buffer the caller frees, *len its bytes. */
char *wire_recv_bytes(int src, int tag, size_t *len, const char *what);
/* Makes *x hold at least n floats (contents dropped when grown). */
void canvas_reserve(float **x, size_t *cap, size_t n);

#endif
