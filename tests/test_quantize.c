/* test_quantize.c: the Q8_0 and Q4_0 quantizers (quant.h) on hand-computed
 * blocks, and quantize -> dequantize_row within the rounding bound.
 *
 * Hand-computed blocks (bytes written out here, not recomputed):
 *   Q8_0 with max|x| = 127 (d = 1, f16 0x3C00): q = round(x);
 *   Q8_0 of zeros: d = 0, q = 0;
 *   Q4_0 with the largest magnitude negative (-8: d = 1) and positive
 *   (4: d = -0.5, f16 0xB800), values clamped at 15, low/high nibbles;
 *   Q4_0 of zeros: d = 0 / -8 = -0 (f16 0x8000), every nibble 8.
 * Round trip on random rows: Q8_0 |x - x'| <= d/2 + max|x| 2^-11 (the f16
 * rounding of d times |q| <= 127); Q4_0 <= |d| (the clamp at 15 loses up to
 * one step on the side opposite the max) + 8 |d| 2^-10. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/quant.h"
#include "testhelp.h"

static void check_bytes(const char *name, const uint8_t *got, const uint8_t *want, size_t n) {
    int same = memcmp(got, want, n) == 0;
    TEST_CHECK(name, same);
    if (!same)
        for (size_t i = 0; i < n; i++)
            if (got[i] != want[i])
                printf("  byte %zu: got 0x%02x, want 0x%02x\n", i, got[i], want[i]);
}

static void test_q8_0_blocks(void) {
    float x[64] = {0};
    x[0] = -127.0f, x[1] = 2.4f, x[2] = -2.6f, x[3] = 0.49f, x[4] = 100.51f, x[31] = 126.7f;
    uint8_t want[68] = {0x00, 0x3C}; /* d = 1; the second block is all zeros */
    const int8_t q[32] = {-127, 2, -3, 0, 101, [31] = 127};
    memcpy(want + 2, q, 32);
    uint8_t got[68];
    memset(got, 0xAA, sizeof got);
    quantize_row_q8_0(x, got, 64);
    check_bytes("q8_0 hand blocks", got, want, sizeof want);
}

static void test_q4_0_blocks(void) {
    float x[96] = {0};
    /* block 0: max magnitude -8 -> d = 1, q = min(15, (int)(x + 8.5)) */
    x[0] = -8.0f, x[1] = 7.0f, x[2] = 7.9f, x[4] = -3.2f, x[5] = 2.6f, x[16] = 1.0f, x[17] = -1.0f;
    /* block 1: max magnitude +4 -> d = -0.5, q = min(15, (int)(-2x + 8.5)) */
    float *y = x + 32;
    y[0] = 4.0f, y[1] = -4.0f, y[2] = 1.0f, y[16] = -1.0f;
    uint8_t want[54];
    memset(want, 0x88, sizeof want);
    want[0] = 0x00, want[1] = 0x3C;
    want[2 + 0] = 0x90; /* lo q(-8) = 0, hi q(1) = 9 */
    want[2 + 1] = 0x7F; /* lo q(7) = 15, hi q(-1) = 7 */
    want[2 + 2] = 0x8F; /* lo q(7.9) = 16 clamped to 15 */
    want[2 + 4] = 0x85; /* q(-3.2) = 5 */
    want[2 + 5] = 0x8B; /* q(2.6) = 11 */
    want[18] = 0x00, want[19] = 0xB8;
    want[20 + 0] = 0xA0;              /* lo q(4) = 0, hi q(-1) = 10 */
    want[20 + 1] = 0x8F;              /* q(-4) = 16 clamped to 15 */
    want[20 + 2] = 0x86;              /* q(1) = 6 */
    want[36] = 0x00, want[37] = 0x80; /* block 2 zeros: d = 0 / -8 = -0, nibbles 8 */
    uint8_t got[54];
    memset(got, 0xAA, sizeof got);
    quantize_row_q4_0(x, got, 96);
    check_bytes("q4_0 hand blocks", got, want, sizeof want);
}

static void test_round_trip(Dtype d) {
    enum { N = 32 * 40 };
    float x[N], back[N];
    uint8_t row[40 * 34];
    srand(7);
    for (int i = 0; i < N; i++)
        x[i] = test_rand_unit() * (float)(1 + i / 32); /* blocks of growing scale */
    if (d == DTYPE_Q8_0)
        quantize_row_q8_0(x, row, N);
    else
        quantize_row_q4_0(x, row, N);
    dequantize_row(d, row, back, N);
    int ok = 1;
    for (int b = 0; b < N / 32; b++) {
        float amax = 0;
        for (int j = 0; j < 32; j++)
            amax = fmaxf(amax, fabsf(x[32 * b + j]));
        double bound =
            d == DTYPE_Q8_0 ? amax / 127.0 / 2 + amax * 0x1p-11 : amax / 8.0 + amax * 0x1p-10;
        for (int j = 0; j < 32; j++)
            if (!(fabs((double)x[32 * b + j] - back[32 * b + j]) <= bound)) {
                if (ok)
                    printf("  %s block %d value %d: %g back as %g (bound %g)\n", dtype_name(d), b,
                           j, (double)x[32 * b + j], (double)back[32 * b + j], bound);
                ok = 0;
            }
    }
    TEST_CHECK(d == DTYPE_Q8_0 ? "q8_0 round trip" : "q4_0 round trip", ok);
}

int main(void) {
    test_q8_0_blocks();
    test_q4_0_blocks();
    test_round_trip(DTYPE_Q8_0);
    test_round_trip(DTYPE_Q4_0);
    return test_report("test_quantize");
}
