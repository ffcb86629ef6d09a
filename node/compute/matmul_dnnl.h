/* matmul_dnnl.h: y = x W^T for BF16 weights through oneDNN's matmul, at the
 * CPU's BF16 rate (AVX512_BF16 or AMX-BF16): the prefill products of the
 * BF16 compute mode (matmul.h).
 *
 * W is used as stored, its 16-bit bytes the primitive's weights in place (a
 * transposed view, no copy); x is rounded to BF16 (round to nearest even)
 * into a (T, cols) buffer, the product is accumulated in float32 and written
 * as float32, beta through oneDNN's sum post-op. Primitives are created once
 * per shape (T, rows, cols, beta) and kept in a small table, least recently
 * used out. One rank runs one product at a time (not thread-safe).
 *
 * Without oneDNN at build time (PAINTERS_HAVE_DNNL undefined) or on a CPU
 * where oneDNN's ISA has no BF16 arithmetic, matmul_dnnl_usable() is 0 and
 * the float32 path serves. */
#ifndef PAINTERS_MATMUL_DNNL_H
#define PAINTERS_MATMUL_DNNL_H

#include <stdint.h>

/* 1 when BF16 products run at BF16 rate here (checked once, then cached). */
int matmul_dnnl_usable(void);

/* The ISA oneDNN runs on ("avx512_core_bf16", "avx512_core_amx", ...) or why
 * there is none ("built without oneDNN", "avx2: no BF16 arithmetic"). A
 * static string. */
const char *matmul_dnnl_isa(void);

/* y (T, rows) = x (T, cols) @ W^T + beta * y, W (rows, cols) BF16 row-major,
 * on `threads` OpenMP threads. die_runtime when not usable or when oneDNN
 * fails (naming the call and its status). */
void matmul_dnnl_bf16(float *y, const float *x, const uint16_t *W, int T, int rows, int cols,
                      float beta, int threads);

/* Frees the cached primitives and buffers (they are recreated on need). */
void matmul_dnnl_release(void);

#endif
