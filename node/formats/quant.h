/* quant.h: ggml's quantized block formats as painters stores them: block
 * sizes, the bytes of a row, and rows dequantized to float32 bit for bit as
 * ggml's dequantize_row_* give them (the same float operations in the same
 * order), so that products on them stay the exact float32 reference.
 *
 * A row of n values (n a multiple of the block size) is n / block blocks laid
 * end to end, little-endian, no padding:
 *   Q8_0 (32 values, 34 bytes):  f16 d; int8 qs[32]             v = qs[i] * d
 *   Q4_0 (32 values, 18 bytes):  f16 d; u8 qs[16]               v = (nibble - 8) * d
 *       value i < 16 is the low nibble of qs[i], value 16 + i its high nibble
 *   Q4_K (256 values, 144 bytes): f16 d, dmin; u8 scales[12]; u8 qs[128]
 *       8 sub-blocks of 32 with 6-bit scale sc and min m (packed in scales);
 *       v = (d * sc) * nibble - (dmin * m); each 64 values read 32 bytes of
 *       qs, low nibbles first
 *   Q5_K (256 values, 176 bytes): f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]
 *       as Q4_K with a fifth bit: bit s of qh[l] adds 16 to value l of
 *       sub-block s
 *   Q6_K (256 values, 210 bytes): u8 ql[128]; u8 qh[64]; int8 scales[16]; f16 d
 *       16 sub-blocks of 16 with an int8 scale; v = (d * sc) * (q - 32), q
 *       six bits: four from ql, two from qh */
#ifndef PAINTERS_QUANT_H
#define PAINTERS_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/dtype.h"

/* Values per block: 1 for F32, F16, BF16; 32 for Q8_0, Q4_0; 256 for the K formats. */
int dtype_block_values(Dtype d);
/* Bytes per block: 4, 2, 2, 34, 18, 144, 176, 210. */
size_t dtype_block_bytes(Dtype d);
/* Bytes of a row of n values of dtype d. n not a multiple of the block size
 * is die_input (a checkpoint whose row length the format cannot hold). */
size_t dtype_row_bytes(Dtype d, int64_t n);
/* The values held by `bytes` bytes of dtype d (bytes a whole number of
 * blocks, else die_input). */
size_t dtype_values_in_bytes(Dtype d, uint64_t bytes);

/* out[0..n-1] = the n values of the row at `row` (any alignment) as float32,
 * bit for bit ggml's dequantize_row_* for a block format (F32, F16, BF16 as
 * dtype_convert_row_to_f32). n must be a multiple of the block size. */
void dequantize_row(Dtype d, const void *row, float *out, int n);
/* The same for `count` values (a whole tensor, say), count as size_t. */
void dequantize_values(Dtype d, const void *src, size_t count, float *dst);

/* Per 16 values of one K-format or Q6_K block: the scale a[c] and for
 * Q4_K/Q5_K the min b[c] of values [16c, 16c + 16), so that value i is
 * a[c] * q_i - b[c] (b unused elsewhere), each a and b rounded as ggml
 * rounds them. For Q8_0/Q4_0 a[0] = a[1] = d. The kernels (gemvq.h) and
 * dequantize_row share it. a and b hold 16 floats. */
void quant_block_scales(Dtype d, const uint8_t *block, float *a, float *b);

/* The integers of one block (32 or 256 values) before its scales, so that
 * value i is a[i / 16] * q[i] (- b[i / 16]) with quant_block_scales' a, b:
 * Q8_0 -128..127, Q4_0 -8..7, Q4_K 0..15, Q5_K 0..31, Q6_K -32..31. */
void quant_block_ints(Dtype d, const uint8_t *block, int *q);

/* The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block's 12
 * bytes of scales. */
void quant_scale_min_k4(int j, const uint8_t *scales, uint8_t *sc, uint8_t *m);

/* Quantizes n float32 values (n a multiple of 32, else die_input) into
 * n / 32 blocks at out, as ggml's round-to-nearest reference quantizers
 * (quantize_row_q8_0_ref, quantize_row_q4_0_ref) do, the same float
 * operations in the same order:
 *   Q8_0: d = max|x| / 127, q = round(x * (1/d)), stored d = f16(d)
 *   Q4_0: d = m / -8 where m is the value of largest magnitude (its sign
 *         kept), q = min(15, (int8)(x * (1/d) + 8.5)), stored d = f16(d)
 * A block of zeros gets d = 0 and q = 0 (Q8_0) or 8 (Q4_0). out holds
 * dtype_row_bytes(d, n) bytes, any alignment. */
void quantize_row_q8_0(const float *x, void *out, int n);
void quantize_row_q4_0(const float *x, void *out, int n);

/* Quantizes n float32 values (n a multiple of 256, else die_input) into
 * n / 256 K blocks at out (quant_k.c), as ggml's reference quantizers
 * (quantize_row_q4_K_ref, _q5_K_ref, _q6_K_ref) do, the same float
 * operations in the same order, so the bytes are theirs:
 *   Q4_K, Q5_K: per sub-block of 32, the scale and min (x ~ s q - m, q in
 *         [0, 15] or [0, 31], m >= 0) of least weighted squared error
 *         (weights sqrt(mean x^2) + |x|) among candidate steps; the 8 scales
 *         and mins stored as 6-bit multiples of d = max s / 63 and
 *         dmin = max m / 63 (f16); q rounded again against the stored ones
 *   Q6_K: per sub-block of 16, the scale s (x ~ s q, q in [-32, 31]) of
 *         least x^2-weighted squared error among steps near max/32; the 16
 *         scales stored as int8 multiples of d = max|s| / 128 (f16, sign so
 *         that the largest is -128); q rounded against the stored ones
 * A block of zeros is all zero bytes (Q6_K) or d = dmin = 0, q = 0 (Q4_K,
 * Q5_K). out holds dtype_row_bytes(d, n) bytes, any alignment. */
void quantize_row_q4_K(const float *x, void *out, int n);
void quantize_row_q5_K(const float *x, void *out, int n);
void quantize_row_q6_K(const float *x, void *out, int n);

#endif
