/* matmul.h: y = x W^T for a weight matrix in any stored form.
 *
 * Few tokens (T < MATMUL_DIRECT_TOKENS, decode): painters' own kernels read
 * each row of W once for all T tokens, over the rank's threads (sgemm would
 * pack all of W every call): gemv.h for float32 W, gemv16.h for F16/BF16 W
 * read as stored (half the bytes of float32).
 * Many tokens (prefill): cblas_sgemm; a 16-bit W is converted to float32 by
 * blocks of rows first (or its float32 copy is used), so the work stays at
 * GEMM speed.
 *
 * Row independence: below MATMUL_DIRECT_TOKENS, row t of y is bit for bit
 * the same whatever T is and whatever the other rows of x hold (each output
 * is summed in one fixed order). So a batch of B sequences decoded together
 * in one canvas gives exactly the tokens of decoding them one at a time only
 * while B < MATMUL_DIRECT_TOKENS; at and above it sgemm's blocking, which
 * depends on T, decides the order of the sums. */
#ifndef PAINTERS_MATMUL_H
#define PAINTERS_MATMUL_H

#include "compute/weights.h"

/* Fewer tokens than this take the row-independent kernels. Measured on the
 * 2-core development machine (tests/bench_gemv16, Llama-2-7B's shapes,
 * cluster/results/dev-2core/decode_kernels.csv): for 16-bit W, gemv16 is
 * faster than the blocked sgemm path at every T up to 64 (1.3x at 64, 2x
 * at 32, 3x and more at 16) and about even with sgemm on a float32 copy at
 * 64; for float32 W, gemv_f32 is faster than sgemm at 16 (1.5x) and slower
 * above (about 1.2x at 32, 1.6x at 64), the price of bit-identical batches
 * there. */
#define MATMUL_DIRECT_TOKENS 64

/* y (T, rows) = x (T, cols) @ W^T + beta * y. */
void matmul_weights(float *y, const float *x, const WeightMatrix *w, int T, float beta);

/* Threads of the 16-bit kernels (the BLAS thread count of the rank). */
void matmul_set_threads(int n);

#endif
