/* gemv16.h: y = x W^T for a 16-bit W (F16 or BF16) and few rows of x
 * (decode), reading the stored rows directly.
 *
 * Each row of W is read from memory once for all T rows of x: a block of
 * rows of W (2) meets a block of rows of x (4 with AVX-512) in registers,
 * and the rows of W are split over the rank's threads in one contiguous
 * slice each. The kernel is chosen at run time: AVX-512 (F, BW, VL; BF16
 * widened by a 16-bit shift, F16 by vcvtph2ps), else AVX2 with FMA and
 * F16C, else scalar.
 *
 * Row independence: every output (o, t) is summed in one fixed order that
 * depends only on the kernel and the length of the rows, so row t of y is
 * bit for bit the same whatever T is, whatever the other rows of x are and
 * however many threads share W. */
#ifndef PAINTERS_GEMV16_H
#define PAINTERS_GEMV16_H

#include <stdint.h>

#include "formats/dtype.h"

/* y (T, out) = x (T, in) @ W^T + beta * y, W (out, in) of dtype d (F16 or
 * BF16); y is not read when beta is 0. `threads` OpenMP threads share the
 * rows of W. */
void gemv16(float *y, const float *x, const uint16_t *w, Dtype d, int T, int in, int out,
            float beta, int threads);

/* The kernel gemv16 uses on this CPU: "avx512", "avx2" or "scalar". */
const char *gemv16_kernel(void);
/* Makes gemv16 use kernel `name` (for tests); 0 when this CPU lacks it. */
int gemv16_use_kernel(const char *name);

#endif
