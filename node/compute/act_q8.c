/* act_q8.c: see act_q8.h. */
#include "compute/act_q8.h"

#include <math.h>
#include <stdlib.h>

#include "base/util.h"

/* One block of n values: q[0..n-1], *d, and sum16[0..n/16-1]. */
static void quantize_block(const float *x, int n, int8_t *q, float *d, int16_t *sum16) {
    float a = 0.0f;
    for (int i = 0; i < n; i++)
        a = fmaxf(a, fabsf(x[i]));
    float id = a > 0.0f ? 127.0f / a : 0.0f;
    *d = a / 127.0f;
    for (int i = 0; i < n; i++)
        q[i] = (int8_t)(int)nearbyintf(x[i] * id); /* |x * id| <= 127 */
    for (int k = 0; k < n / 16; k++) {
        int s = 0;
        for (int i = 0; i < 16; i++)
            s += q[16 * k + i];
        sum16[k] = (int16_t)s;
    }
}

void act_q8_quantize(ActQ8 *a, const float *x, int T, int in, int block) {
    if (T < 0 || in < 0 || block < 16 || block % 16 || in % block)
        die_runtime("act_q8_quantize: %d values in blocks of %d", in, block);
    size_t n = (size_t)T * (size_t)in;
    if (n > a->cap) {
        free(a->q);
        free(a->d);
        free(a->sum16);
        a->q = xmalloc(n);
        a->d = xalloc_floats(n / 16); /* room for the smallest block */
        a->sum16 = xmalloc(n / 16 * sizeof *a->sum16);
        a->cap = n;
    }
    a->T = T, a->in = in, a->block = block;
    size_t blocks = n / (size_t)block;
    for (size_t b = 0; b < blocks; b++) {
        size_t at = b * (size_t)block;
        quantize_block(x + at, block, a->q + at, a->d + b, a->sum16 + at / 16);
    }
}

void act_q8_free(ActQ8 *a) {
    free(a->q);
    free(a->d);
    free(a->sum16);
    *a = (ActQ8){0};
}
