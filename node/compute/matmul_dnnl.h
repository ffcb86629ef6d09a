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

#include <stddef.h>
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

/* x (n) rounded to BF16 (nearest even) into the module's buffer, on
 * `threads` threads. The buffer is the module's (valid until the next call
 * here or matmul_dnnl_release); die_runtime when not usable. */
const uint16_t *matmul_dnnl_round_x(const float *x, size_t n, int threads);

/* y (T, rows; rows ldy floats apart) = xb (T, cols) @ W^T + beta * y, xb
 * already BF16 (matmul_dnnl_round_x), W (rows, cols) BF16 row-major: one
 * panel of a larger W writing its columns of y. */
void matmul_dnnl_bf16_ld(float *y, int ldy, const uint16_t *xb, const uint16_t *W, int T, int rows,
                         int cols, float beta, int threads);

/* Frees the cached primitives and buffers (they are recreated on need). */
void matmul_dnnl_release(void);

#endif
