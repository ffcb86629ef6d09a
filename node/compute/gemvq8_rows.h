/* gemvq8_rows.h: the versions of gemvq8's row kernel (gemvq8.h), for
 * gemvq8.c to choose among. Each computes rows [r0, r1) of y (a->T, out) =
 * a W^T + beta y for W of block format d, rows of row_bytes bytes, in the
 * order of sums gemvq8.h states. */
#ifndef PAINTERS_GEMVQ8_ROWS_H
#define PAINTERS_GEMVQ8_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "compute/act_q8.h"
#include "formats/dtype.h"

typedef void (*Gemvq8RowsFn)(Dtype d, float *y, const ActQ8 *a, const uint8_t *w, size_t row_bytes,
                             int out, float beta, int r0, int r1);

void gemvq8_rows_avx512(Dtype d, float *y, const ActQ8 *a, const uint8_t *w, size_t row_bytes,
                        int out, float beta, int r0, int r1);
void gemvq8_rows_avx2(Dtype d, float *y, const ActQ8 *a, const uint8_t *w, size_t row_bytes,
                      int out, float beta, int r0, int r1);

/* Calls ROWS(D, ...) with D the block format d as a constant, so that each
 * format gets a copy of the kernel specialized for it; formats that are not
 * block formats call nothing. */
#define GEMVQ8_FOR_FORMAT(d, ROWS, ...)                                                            \
    do {                                                                                           \
        switch (d) {                                                                               \
        case DTYPE_Q8_0:                                                                           \
            ROWS(DTYPE_Q8_0, __VA_ARGS__);                                                         \
            break;                                                                                 \
        case DTYPE_Q4_0:                                                                           \
            ROWS(DTYPE_Q4_0, __VA_ARGS__);                                                         \
            break;                                                                                 \
        case DTYPE_Q4_K:                                                                           \
            ROWS(DTYPE_Q4_K, __VA_ARGS__);                                                         \
            break;                                                                                 \
        case DTYPE_Q5_K:                                                                           \
            ROWS(DTYPE_Q5_K, __VA_ARGS__);                                                         \
            break;                                                                                 \
        case DTYPE_Q6_K:                                                                           \
            ROWS(DTYPE_Q6_K, __VA_ARGS__);                                                         \
            break;                                                                                 \
        default:                                                                                   \
            break;                                                                                 \
        }                                                                                          \
    } while (0)

/* The sum of n lanes (n = 8 or 16) folded in halves, as SIMD adds them:
 * lane l += lane l + n/2, then the same on the first half, down to one. */
static inline float gemvq8_fold(float *acc, int n) {
    for (int h = n / 2; h >= 1; h /= 2)
        for (int l = 0; l < h; l++)
            acc[l] += acc[l + h];
    return acc[0];
}

#endif
