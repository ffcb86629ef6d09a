/* quant_random.c: see quant_random.h. */
#include "quant_random.h"

#include <stdlib.h>

#include "base/util.h"
#include "formats/quant.h"
#include "testhelp.h"

static void put_f16(uint8_t *p, float v) {
    uint16_t h = f32_to_f16(v);
    p[0] = (uint8_t)h, p[1] = (uint8_t)(h >> 8);
}

/* A random block of d: random bytes, its f16 scales small and of either sign. */
void quant_random_block(Dtype d, uint8_t *b) {
    size_t n = dtype_block_bytes(d);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(rand() & 0xFF);
    float s = test_rand_unit() * 0.05f, s2 = test_rand_unit() * 0.05f;
    if (d == DTYPE_Q6_K)
        put_f16(b + 208, s);
    else
        put_f16(b, s);
    if (d == DTYPE_Q4_K || d == DTYPE_Q5_K) put_f16(b + 2, s2);
}

/* A random (out, in) matrix of d: its rows of blocks and their values. */
uint8_t *quant_random_matrix(Dtype d, int out, int in, float *wf) {
    size_t rb = dtype_row_bytes(d, in), bb = dtype_block_bytes(d);
    uint8_t *w = malloc(rb * out);
    for (size_t k = 0; k < rb * out / bb; k++)
        quant_random_block(d, w + k * bb);
    for (int o = 0; o < out; o++)
        dequantize_row(d, w + rb * o, wf + (size_t)o * in, in);
    return w;
}
