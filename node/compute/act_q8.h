/* act_q8.h: activations quantized to 8 bits per block, as llama.cpp's CPU
 * backend quantizes them before its integer dot products with block-format
 * weights (its Q8_0 rows for Q8_0/Q4_0 weights, Q8_K rows for the K
 * formats). gemvq8 (gemvq8.h) multiplies them with the stored blocks.
 *
 * Row t of x (T, in) is cut into blocks of `block` values (32 or 256, the
 * weight format's block); in each block, with a = max |x_i|:
 *   d = a / 127,  q_i = nearest-even(x_i * (127 / a)),  so |q_i| <= 127
 * and x_i is about d * q_i (a block of zeros: d = 0, q = 0). The sums of q
 * over each 16 values are kept beside them, for the formats' offsets
 * (Q4_0's 8, Q6_K's 32, Q8_0 read as unsigned) and mins (Q4_K, Q5_K).
 * The same float operations on every CPU: no kernel of its own. */
#ifndef PAINTERS_ACT_Q8_H
#define PAINTERS_ACT_Q8_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int T, in, block;
    int8_t *q;      /* (T, in) */
    float *d;       /* (T, in / block) */
    int16_t *sum16; /* (T, in / 16): the sum of q over values [16k, 16k + 16) */
    size_t cap;     /* values q holds room for */
} ActQ8;

/* Quantizes x (T, in) into a, in blocks of `block` values (in a multiple of
 * block, block a multiple of 16). a's buffers grow as needed and are reused
 * from call to call; a starts zeroed ({0}). Owner frees with act_q8_free. */
void act_q8_quantize(ActQ8 *a, const float *x, int T, int in, int block);
void act_q8_free(ActQ8 *a);

#endif
