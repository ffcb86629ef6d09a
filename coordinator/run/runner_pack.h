/* runner_pack.h: many sequences packed into canvases (layer.h CanvasShape),
 * for the Runner's batch scoring (runner.c) and encoding (runner_encode.c). */
#ifndef PAINTERS_RUNNER_PACK_H
#define PAINTERS_RUNNER_PACK_H

#include "compute/layer.h"
#include "wire/wire.h"

/* Sequences [first, first + count) of a batch packed into one canvas of T
 * rows. A sequence whose start matches the canvas's last sequence without a
 * prefix (by at least RUNNER_MIN_SHARED tokens) holds only its own tokens
 * and shares that one's rows for the rest (layer.h CanvasShape). */
typedef struct {
    int first, count, T;
    int start[WIRE_MAX_SEGMENTS + 1];
    int prefix_row[WIRE_MAX_SEGMENTS], prefix_len[WIRE_MAX_SEGMENTS];
} PackedCanvas;

/* Splits n sequences into canvases of at most pack_tokens tokens (a longer
 * sequence goes alone; pack_tokens < 0: one per canvas) and WIRE_MAX_SEGMENTS
 * sequences; share 0: no shared prefixes (encoders, whose rows depend on the
 * whole sequence). Returns the count; *out is malloc'ed, the caller owns it. */
int runner_pack(const int *const *seqs, const int *lens, int n, int pack_tokens, int share,
                PackedCanvas **out);
/* The canvas shape of pc (its segments and shared prefixes). */
CanvasShape runner_packed_shape(const PackedCanvas *pc);

#endif
