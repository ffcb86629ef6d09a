/* matmul.h: y = x W^T for a weight matrix in any stored form.
 *
 * float32 matrices: cblas_sgemm for many tokens; for few (decode), as sgemm
 * would pack all of W every call, cblas_sgemv for one token and the
 * matrix-vector kernel of gemv.h for 2 or 3.
 * 16-bit (F16, BF16) matrices:
 *   - many tokens (prefill): blocks of rows are converted to float32 and
 *     multiplied with cblas_sgemm, so the work stays at GEMM speed;
 *   - few tokens (decode): a dot-product kernel reads the 16-bit rows
 *     directly (AVX2/F16C where the CPU has them), over the rank's threads,
 *     streaming half the bytes float32 would. */
#ifndef PAINTERS_MATMUL_H
#define PAINTERS_MATMUL_H

#include "compute/weights.h"

/* Below this many rows of x the 16-bit rows of W are read directly (decode). */
#define MATMUL_DIRECT_TOKENS 16

/* y (T, rows) = x (T, cols) @ W^T + beta * y. */
void matmul_weights(float *y, const float *x, const WeightMatrix *w, int T, float beta);

/* Threads of the 16-bit kernels (the BLAS thread count of the rank). */
void matmul_set_threads(int n);

#endif
