/* quant_random.h: random blocks and matrices of ggml's block formats
 * (quant.h) for the tests of their kernels. */
#ifndef PAINTERS_QUANT_RANDOM_H
#define PAINTERS_QUANT_RANDOM_H

#include <stdint.h>

#include "formats/dtype.h"

/* A random block of d at b: random bytes, its f16 scales small (|s| <= 0.05)
 * and of either sign. */
void quant_random_block(Dtype d, uint8_t *b);

/* A random (out, in) matrix of d made of quant_random_block blocks, and its
 * values dequantized into wf (out, in). Caller frees the matrix with free. */
uint8_t *quant_random_matrix(Dtype d, int out, int in, float *wf);

#endif
