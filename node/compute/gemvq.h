/* gemvq.h: y = x W^T for a W in one of ggml's quantized block formats
 * (quant.h), straight from its stored blocks; x and y stay float32.
 *
 * Few rows of x (decode): gemvq reads each row of W once for all T rows of
 * x. Each block is dequantized in registers (16 values at a time with
 * AVX-512, 8 with AVX2), exactly as dequantize_row gives them, and
 * multiplied with float32 x by FMA; the rows of W are split over the rank's
 * threads in one contiguous slice each. The kernel is chosen at run time:
 * AVX-512 (F, BW, VL), else AVX2 with FMA and F16C, else scalar.
 * Many rows (prefill): gemvq_panels dequantizes W a panel of rows at a time
 * into one reused float32 buffer and multiplies it with cblas_sgemm; the
 * whole matrix is never held as float32. In the BF16 compute mode,
 * gemvq_panels_bf16 dequantizes to BF16 and multiplies with oneDNN.
 *
 * Order of each sum (o, t) in gemvq, which keeps rows independent bit for
 * bit (row t of y the same whatever T is, whatever the other rows of x and
 * however many threads share W):
 *   avx512: two accumulators of 16 lanes, value chunks [16c, 16c + 16) of the
 *           row to the first for even c and the second for odd c, then
 *           _mm512_reduce_add_ps of their sum;
 *   avx2:   the same with chunks of 8 and 8 lanes, then a fixed tree;
 *   scalar: one float, value by value. */
#ifndef PAINTERS_GEMVQ_H
#define PAINTERS_GEMVQ_H

#include <stdint.h>

#include "formats/dtype.h"

/* y (T, out) = x (T, in) @ W^T + beta * y, W (out, in) of the block format
 * d, its rows of dtype_row_bytes(d, in) bytes end to end (in a multiple of
 * the block size); y is not read when beta is 0. `threads` OpenMP threads
 * share the rows of W. */
void gemvq(float *y, const float *x, const void *w, Dtype d, int T, int in, int out, float beta,
           int threads);

/* The same by panels of panel_rows rows of W (<= 0: a default of about 16
 * MiB of float32), each dequantized by `threads` threads into a buffer
 * reused from call to call (a rank runs one product at a time) and
 * multiplied by cblas_sgemm. */
void gemvq_panels(float *y, const float *x, const void *w, Dtype d, int T, int in, int out,
                  float beta, int threads, int panel_rows);

/* The same in the BF16 compute mode (matmul.h): panels of panel_rows rows
 * (<= 0: a default of about 16 MiB of BF16) dequantized and rounded to BF16
 * (nearest even), x rounded to BF16 once, each panel multiplied by
 * oneDNN's BF16 matmul (matmul_dnnl.h) with float32 accumulation. Only
 * where matmul_dnnl_usable(); in a multiple of 16. */
void gemvq_panels_bf16(float *y, const float *x, const void *w, Dtype d, int T, int in, int out,
                       float beta, int threads, int panel_rows);

/* The kernel gemvq uses on this CPU: "avx512", "avx2" or "scalar". */
const char *gemvq_kernel(void);
/* Makes gemvq use kernel `name` (for tests); 0 when this CPU lacks it. */
int gemvq_use_kernel(const char *name);

#endif
