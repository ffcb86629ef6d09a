/* gemvq_rows.h: the versions of gemvq's row kernel (gemvq.h), one per
 * instruction set, for gemvq.c to choose among. Each computes rows [r0, r1)
 * of y (T, out) = x (T, in) W^T + beta y for W of block format d, rows of
 * row_bytes bytes, in the order of sums gemvq.h states. */
#ifndef PAINTERS_GEMVQ_ROWS_H
#define PAINTERS_GEMVQ_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/dtype.h"

typedef void (*GemvqRowsFn)(Dtype d, float *y, const float *x, const uint8_t *w, size_t row_bytes,
                            int T, int in, int out, float beta, int r0, int r1);

void gemvq_rows_avx512(Dtype d, float *y, const float *x, const uint8_t *w, size_t row_bytes, int T,
                       int in, int out, float beta, int r0, int r1);
void gemvq_rows_avx2(Dtype d, float *y, const float *x, const uint8_t *w, size_t row_bytes, int T,
                     int in, int out, float beta, int r0, int r1);

/* The bytes of one block of d (as quant.h's dtype_block_bytes), inline so
 * that a kernel specialized for one format sees a constant. */
static inline size_t gemvq_block_bytes(Dtype d) {
    return d == DTYPE_Q8_0   ? 34
           : d == DTYPE_Q4_0 ? 18
           : d == DTYPE_Q4_K ? 144
           : d == DTYPE_Q5_K ? 176
                             : 210;
}

/* The 16 bits at p (any alignment). */
static inline unsigned short gemvq_u16(const uint8_t *p) {
    unsigned short v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Stores v (+ beta * the old value unless beta is 0) at *dst. */
static inline void gemvq_store(float *dst, float v, float beta) {
    *dst = beta == 0.0f ? v : v + beta * *dst;
}

#endif
