/* gemvq8.h: y = x W^T for a W in one of ggml's block formats (quant.h) with
 * x first quantized to 8 bits per block (act_q8.h): integer dot products
 * straight from the stored blocks, as llama.cpp's CPU backend computes its
 * decode. The decode of the q8 compute mode (matmul.h); not the float32
 * reference, which gemvq (gemvq.h) keeps: rounding x to 8 bits moves each
 * output by about 1e-2 of its scale (tests/test_gemvq8 states the bound).
 *
 * Per block of W and row of x the sums are exact integers, kept in lanes as
 * the SIMD registers hold them, and the floats are added in one order in
 * every kernel, so that all kernels give the same bits (qw as
 * quant_block_ints gives them, sc and m a value's sub-block scale and min,
 * S_k the sum of qx over values [16k, 16k + 16)):
 *   Q8_0, Q4_0  8 lanes; lane l of block b: I = sum of qw qx over values
 *               4l..4l+3; acc[l] = fmaf(dw dx, I, acc[l]);
 *   K formats   16 lanes; lane l of block b: I = sum of sc qw' qx over values
 *               64k + 4l + i (k, i < 4), qw' = qw, but qw + 32 for Q6_K,
 *               whose offset then leaves lanes l < 8 as
 *               I -= 32 (sc_2l S_2l + sc_2l+1 S_2l+1);
 *               acc[l] = fmaf(dw dx, I, acc[l]); then for Q4_K and Q5_K, in
 *               lanes l < 8, acc[l] = fmaf(-(dmin dx), m_l (S_2l + S_2l+1), acc[l]);
 *   y = the lanes folded in halves (gemvq8_fold).
 * So rows are independent: row t of y is the same whatever T is, whatever
 * the other rows of x hold and however many threads share W.
 * Kernels: AVX-512 with VNNI (BW, VL), else AVX2 (with FMA, F16C), else
 * scalar. */
#ifndef PAINTERS_GEMVQ8_H
#define PAINTERS_GEMVQ8_H

#include "formats/dtype.h"

/* y (T, out) = q8(x) (T, in) @ W^T + beta * y, W (out, in) of block format
 * d, rows of dtype_row_bytes(d, in) bytes end to end; y is not read when
 * beta is 0. x is quantized once per call into a buffer reused from call to
 * call (a rank runs one product at a time); `threads` OpenMP threads share
 * the rows of W. */
void gemvq8(float *y, const float *x, const void *w, Dtype d, int T, int in, int out, float beta,
            int threads);

/* The kernel gemvq8 uses on this CPU: "avx512", "avx2" or "scalar". */
const char *gemvq8_kernel(void);
/* Makes gemvq8 use kernel `name` (for tests); 0 when this CPU lacks it. */
int gemvq8_use_kernel(const char *name);
/* Whether a SIMD kernel runs here (AVX-512 VNNI or AVX2: where the q8 mode pays). */
int gemvq8_fast(void);

#endif
