/* matmul.h: y = x W^T for a weight matrix in any stored form.
 *
 * Few tokens (T < MATMUL_DIRECT_TOKENS, decode): painters' own kernels read
 * each row of W once for all T tokens, over the rank's threads (sgemm would
 * pack all of W every call): gemv.h for float32 W, gemv16.h for F16/BF16 W
 * read as stored (half the bytes of float32).
 * Many tokens (prefill), compute mode f32: cblas_sgemm; a 16-bit W is
 * converted to float32 by blocks of rows first (or its float32 copy is used),
 * so the work stays at GEMM speed (the exact reference path).
 * Many tokens, compute mode bf16 (BF16 weights on a CPU with BF16
 * arithmetic): oneDNN's matmul on the stored bytes with x rounded to BF16
 * (matmul_dnnl.h), about twice the float32 rate. Block-format weights
 * (quant.h) take the same mode: gemvq_panels_bf16 dequantizes panels of
 * rows to BF16 for oneDNN (gemvq_panels to float32 for sgemm in f32 mode).
 * Compute mode q8 is bf16 plus, for block-format weights, a decode with x
 * rounded to 8 bits per block and integer dot products (gemvq8.h), as
 * llama.cpp decodes; in f32 and bf16 their decode keeps x in float32
 * (gemvq.h).
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

/* How products round their inputs (--compute): F32 rounds nothing (the
 * exact reference); BF16 rounds prefill's x (and block-format W) to BF16;
 * Q8 is BF16 and rounds decode's x to 8 bits on block-format weights. AUTO
 * is BF16 where it runs at speed, else F32, and for block-format weights Q8
 * where its integer kernel runs (gemvq8_fast). F16 weights always take the
 * float32 path (oneDNN 2.6 has no fast F16 matmul on AVX512_BF16 CPUs). */
typedef enum {
    MATMUL_COMPUTE_AUTO,
    MATMUL_COMPUTE_F32,
    MATMUL_COMPUTE_BF16,
    MATMUL_COMPUTE_Q8
} MatmulCompute;

/* "auto", "f32", "bf16" or "q8" as a MatmulCompute; -1 for anything else. */
int matmul_compute_parse(const char *s);
const char *matmul_compute_name(MatmulCompute c); /* static string */
/* Sets the process-wide mode; BF16 where oneDNN has no BF16 arithmetic
 * (matmul_dnnl_usable) is die_input naming the rank and the ISA. */
void matmul_set_compute(MatmulCompute c);
MatmulCompute matmul_compute(void); /* as set (AUTO by default) */
/* The mode prefill products on weights of dtype d take now: F32 or BF16
 * (BF16 for BF16 and block-format weights where oneDNN has it). */
MatmulCompute matmul_compute_for(Dtype d);
/* Whether decode products on weights of dtype d round x to 8 bits now
 * (gemvq8.h): block formats in mode Q8, or AUTO where gemvq8_fast(). */
int matmul_decode_q8(Dtype d);

#endif
