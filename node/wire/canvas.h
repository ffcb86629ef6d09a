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

/* The communicators of a spread step (a parallel group over several ranks,
 * route.h), as this rank sees them. */
typedef struct {
    MPI_Comm join;     /* participants + the receiver, entry(s+1): header and sum */
    int join_entry;    /* entry(s) as a rank of join */
    int join_receiver; /* entry(s+1) as a rank of join */
    MPI_Comm group;    /* participants, payload; MPI_COMM_NULL on a receiver outside them */
    int group_entry;   /* entry(s) as a rank of group */
    int entry;         /* entry(s) in the world: the rank the canvas comes from */
} CanvasGroup;

/* Starts the broadcast of a packed header hb (WIRE_HEADER_BYTES) over
 * g->join from the entry; the caller waits for *req. */
void canvas_bcast_header_start(uint8_t *hb, const CanvasGroup *g, MPI_Request *req);
/* The canvas of a spread step, from its entry to every rank of g: the header
 * over g->join, then the payload over g->group (on its ranks). On the entry,
 * m (sealed) and *x are the canvas sent; elsewhere they receive it: the header
 * is unpacked and checked for rows of dim floats (canvas_check_shape), *x
 * grown to hold the canvas (*cap in floats; the caller owns *x) and, on the
 * ranks of g->group, the payload checked against its checksum. A stop header
 * travels alone. `bounded`: whether the header's wait is bounded by the
 * timeout (the payload's always is); `what` names the waits. */
void canvas_bcast(CanvasMeta *m, float **x, size_t *cap, int dim, const CanvasGroup *g, int bounded,
                  const char *what);
/* Starts the reduce (MPI_SUM over g->join) of each rank's part (n floats)
 * into sum on the receiver (sum NULL elsewhere; part NULL on the receiver:
 * its own part is already in sum). The caller waits for *req. */
void canvas_reduce_start(const float *part, float *sum, size_t n, const CanvasGroup *g,
                         MPI_Request *req);
/* The same, waited for (bounded; `what` names the wait). */
void canvas_reduce_to(const float *part, float *sum, size_t n, const CanvasGroup *g,
                      const char *what);

#endif
