/* matmul.h: y = x W^T for a weight matrix in any stored form.
 *
 * float32 matrices: cblas_sgemm for many tokens; for few (decode), as sgemm
 * would pack all of W every call, cblas_sgemv for one token and the
 * matrix-vector kernel of gemv.h for 2 or 3.
 * 16-bit (F16, BF16) matrices:
 *   - many tokens (prefill), compute mode f32: blocks of rows are converted
 *     to float32 and multiplied with cblas_sgemm, so the work stays at GEMM
 *     speed (the exact reference path);
 *   - many tokens, compute mode bf16 (BF16 weights on a CPU with BF16
 *     arithmetic): oneDNN's matmul on the stored bytes with x rounded to
 *     BF16 (matmul_dnnl.h), about twice the float32 rate;
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

/* How prefill multiplies 16-bit weights (--compute): AUTO is BF16 where it
 * runs at speed, else F32. F16 weights always take the float32 path (oneDNN
 * 2.6 has no fast F16 matmul on AVX512_BF16 CPUs). */
typedef enum { MATMUL_COMPUTE_AUTO, MATMUL_COMPUTE_F32, MATMUL_COMPUTE_BF16 } MatmulCompute;

/* "auto", "f32" or "bf16" as a MatmulCompute; -1 for anything else. */
int matmul_compute_parse(const char *s);
const char *matmul_compute_name(MatmulCompute c); /* static string */
/* Sets the process-wide mode; BF16 where oneDNN has no BF16 arithmetic
 * (matmul_dnnl_usable) is die_input naming the rank and the ISA. */
void matmul_set_compute(MatmulCompute c);
MatmulCompute matmul_compute(void); /* as set (AUTO by default) */
/* The mode prefill products on weights of dtype d take now: F32 or BF16. */
MatmulCompute matmul_compute_for(Dtype d);

#endif
