/* canvas.h: how a canvas (the hidden state, T x D floats) travels between
 * ranks.
 *
 * A canvas is a CanvasMeta header, protobuf-packed into a fixed
 * WIRE_HEADER_BYTES buffer (u32 length + message), followed by its T x D
 * float32 payload as a separate raw MPI message. Headers carry the wire
 * version and a CRC-32 of the payload; a mismatch ends the job naming both
 * ranks. Every wait is bounded by the job's timeout (wire.h). */
#ifndef PAINTERS_CANVAS_H
#define PAINTERS_CANVAS_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

typedef struct {
    uint64_t request_id;
    int step;     /* program step the canvas enters */
    int n_tokens; /* T */
    int slot;     /* KV cache set on the stations */
    int pos0;     /* position of the first token */
    int reset;    /* new sequence: clear the slot's caches */
    int stop;     /* end of the request stream; no payload */
    uint64_t payload_bytes;
    uint32_t checksum; /* CRC-32 of the payload */
    int sender;
    int n_segs; /* 0: one sequence; else a packed canvas of n_segs new sequences */
    int seg_start[WIRE_MAX_SEGMENTS + 1]; /* rows where they start, then n_tokens */
    int has_prefixes; /* packed sequences continue prefixes held by earlier ones */
    int prefix_row[WIRE_MAX_SEGMENTS], prefix_len[WIRE_MAX_SEGMENTS];
    /* A batch (n_segs <= WIRE_MAX_BATCH): sequence k continues KV cache set
     * seg_seq[k] from position seg_pos0[k] (0: a new sequence, its set reset). */
    int batch;
    int seg_seq[WIRE_MAX_BATCH], seg_pos0[WIRE_MAX_BATCH];
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

/* Fills in the header fields that describe the canvas x of `floats` floats
 * entering `step` as this rank sends it: step, sender, payload_bytes and
 * checksum (both 0 for a stop canvas, whose x is not read). */
void canvas_meta_seal(CanvasMeta *m, int step, const float *x, size_t floats);

/* Sends the canvas (header, then payload unless stop) to dest. */
void canvas_send(const CanvasMeta *m, const float *x, int dest);
/* Receives a canvas from src into *x, grown as needed (*cap in floats; the
 * caller owns *x). `timeout`: whether the wait is bounded (a station waiting
 * for the next request is not: the coordinator may be busy elsewhere). */
void canvas_recv(CanvasMeta *m, float **x, size_t *cap, int src, int timeout, const char *what);
/* Makes *x hold at least n floats (contents dropped when grown). */
void canvas_reserve(float **x, size_t *cap, size_t n);

/* The ranks of a spread step (a parallel group over several ranks, route.h). */
typedef struct {
    int entry;        /* entry(s): the rank the canvas comes from, the lowest participant */
    int receiver;     /* entry(s+1): receives the header and the sum of the parts */
    int n;            /* participants */
    const int *ranks; /* (n) the participants, ascending world ranks */
} CanvasGroup;

/* The entry's sends of a spread step's canvas, in flight while it computes
 * its own part (which only reads the canvas). Zero-initialized; the owner
 * calls canvas_group_sends_free. */
typedef struct {
    uint8_t hb[WIRE_HEADER_BYTES];
    MPI_Request *req;
    int *dest; /* (n_req) the rank each send goes to */
    int n_req, cap_req;
} CanvasGroupSends;

/* 1 when rank applies layers of the group's step. */
int canvas_group_has(const CanvasGroup *g, int rank);
/* The canvas of a spread step, from its entry to every other participant
 * (header and payload) and to the receiver (header only), point to point. On
 * the entry, m (sealed) and *x are the canvas sent; elsewhere they receive it:
 * the header is unpacked and checked for rows of dim floats
 * (canvas_check_shape), *x grown to hold the canvas (*cap in floats; the
 * caller owns *x) and, on participants, the payload checked against its
 * checksum. A stop header travels alone. `bounded`: whether the header's wait
 * is bounded by the timeout (the payload's always is); `what` names the waits.
 * On the entry the sends are only started, into *sends: *x must stay as it is
 * until canvas_group_sends_wait(sends). */
void canvas_bcast(CanvasMeta *m, float **x, size_t *cap, int dim, const CanvasGroup *g, int bounded,
                  CanvasGroupSends *sends, const char *what);
/* Waits (bounded) for the sends canvas_bcast started; `what` names them
 * ("step 4: sending the group's canvas"), each wait adds " to rank R". */
void canvas_group_sends_wait(CanvasGroupSends *sends, const char *what);
void canvas_group_sends_free(CanvasGroupSends *sends);
/* The sum of the participants' parts (n floats each) into sum on the
 * receiver, added in ascending rank order (the same bits on every run):
 * each participant passes its part; the receiver passes sum (and its own
 * part if it is a participant, else NULL) and a scratch buffer *tmp (*tmp_cap
 * floats, grown as needed; the caller owns it). Bounded; `what` names the wait. */
void canvas_reduce_to(const float *part, float *sum, size_t n, const CanvasGroup *g, float **tmp,
                      size_t *tmp_cap, const char *what);
/* For a receiver that waits for several canvases at once (rank 0): starts
 * the receive of the group's header into hb (WIRE_HEADER_BYTES), and of the
 * part of participant g->ranks[i] into part (n floats). The caller waits for
 * *req, then adds the parts in the order of g->ranks. */
void canvas_group_header_recv_start(uint8_t *hb, const CanvasGroup *g, MPI_Request *req);
void canvas_group_part_recv_start(float *part, size_t n, const CanvasGroup *g, int i,
                                  MPI_Request *req);

#endif
