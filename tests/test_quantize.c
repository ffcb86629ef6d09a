/* test_quantize.c: the Q8_0 and Q4_0 quantizers (quant.h) on hand-computed
 * blocks, and quantize -> dequantize_row within the rounding bound; the K
 * quantizers (Q4_K, Q5_K, Q6_K) on their round trip, zero blocks, one large
 * value, determinism and rows that are not whole blocks. Their bytes were
 * checked once against ggml's quantize_row_q*_K_ref outside the suite.
 *
 * Hand-computed blocks (bytes written out here, not recomputed):
 *   Q8_0 with max|x| = 127 (d = 1, f16 0x3C00): q = round(x);
 *   Q8_0 of zeros: d = 0, q = 0;
 *   Q4_0 with the largest magnitude negative (-8: d = 1) and positive
 *   (4: d = -0.5, f16 0xB800), values clamped at 15, low/high nibbles;
 *   Q4_0 of zeros: d = 0 / -8 = -0 (f16 0x8000), every nibble 8.
 * Round trip on random rows: Q8_0 |x - x'| <= d/2 + max|x| 2^-11 (the f16
 * rounding of d times |q| <= 127); Q4_0 <= |d| (the clamp at 15 loses up to
 * one step on the side opposite the max) + 8 |d| 2^-10.
 *
 * K round trip, per block of 256 with M = max|x| of the block: a value is off
 * by at most one step of its sub-block's grid (half a step of rounding, and
 * up to half a step more from the least-squares fit of scale and min and
 * their 6-bit rounding, which may clamp at the grid's end). The coarsest
 * candidate grid of Q4_K spans the sub-block's range, <= 2M, in nmax + rmin =
 * 14 steps, Q5_K in 30.5, so the bounds M/7 and 2M/30.5. Q6_K's grid is
 * symmetric, step <= M/31.1 (32 - 0.9 steps at the coarsest), and its 8-bit
 * sub-scales can round a small sub-block's step down so that its largest
 * value clamps at 31 steps, up to one step more: 2M/31.1. Measured over
 * 20000 blocks of each of six distributions: M/9.6, M/17.0, M/28.2.
 * Plus 2^-13 absolute: below 2^-14 the f16 super-scale d is subnormal, a
 * multiple of 2^-24 (off by up to 2^-25), and a value is d times at most
 * 4096 integers (|sc q| <= 128 * 32, or 63 * 31 + 63); a block with M below
 * about 2^-13 gets d = 0 and comes back as zeros (so does ggml's). */
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

/* The K quantizer of d. */
static void quantize_k(Dtype d, const float *x, void *out, int n) {
    if (d == DTYPE_Q4_K)
        quantize_row_q4_K(x, out, n);
    else if (d == DTYPE_Q5_K)
        quantize_row_q5_K(x, out, n);
    else
        quantize_row_q6_K(x, out, n);
}

/* The round-trip bound of a block of max|x| = M (see the top). */
static double k_bound(Dtype d, double M) {
    double steps = d == DTYPE_Q4_K ? M / 7 : d == DTYPE_Q5_K ? 2 * M / 30.5 : 2 * M / 31.1;
    return steps + 0x1p-13;
}

enum { KB = 256, KBLOCKS = 24, KMAX_BYTES = 210 };

/* Whether each block of back is within k_bound of x; prints the first miss. */
static int k_within(Dtype d, const float *x, const float *back, int n, const char *what) {
    for (int b = 0; b < n / KB; b++) {
        double M = 0;
        for (int j = 0; j < KB; j++)
            M = fmax(M, fabs((double)x[KB * b + j]));
        for (int j = 0; j < KB; j++) {
            double err = fabs((double)x[KB * b + j] - back[KB * b + j]);
            if (!(err <= k_bound(d, M))) {
                printf("  %s %s block %d value %d: %g back as %g (bound %g)\n", dtype_name(d), what,
                       b, j, (double)x[KB * b + j], (double)back[KB * b + j], k_bound(d, M));
                return 0;
            }
        }
    }
    return 1;
}

/* Random rows: uniform, cubed (heavy tails), one-signed, blocks of growing
 * scale from 1e-4 to 1e4, and sub-blocks of very different sizes. */
static void test_k_round_trip(Dtype d) {
    static float x[KB * KBLOCKS], back[KB * KBLOCKS];
    static uint8_t row[KMAX_BYTES * KBLOCKS];
    srand(11);
    for (int i = 0; i < KB * KBLOCKS; i++) {
        int b = i / KB, kind = b % 4;
        float u = test_rand_unit(), v = kind == 0   ? u
                                        : kind == 1 ? 8 * u * u * u
                                        : kind == 2 ? u + 0.5f
                                                    : u * (float)(1 + (i % KB) / 32 * 10);
        x[i] = v * powf(10.0f, -4.0f + 8.0f * (float)b / (KBLOCKS - 1));
    }
    quantize_k(d, x, row, KB * KBLOCKS);
    dequantize_row(d, row, back, KB * KBLOCKS);
    char name[64];
    snprintf(name, sizeof name, "%s round trip", dtype_name(d));
    TEST_CHECK(name, k_within(d, x, back, KB * KBLOCKS, "round trip"));
}

/* A zero block between two random ones: all its bytes 0, back as exact zeros. */
static void test_k_zero_block(Dtype d) {
    float x[3 * KB] = {0}, back[3 * KB];
    uint8_t row[3 * KMAX_BYTES];
    srand(12);
    for (int i = 0; i < KB; i++)
        x[i] = test_rand_unit(), x[2 * KB + i] = test_rand_unit();
    memset(row, 0xAA, sizeof row);
    quantize_k(d, x, row, 3 * KB);
    size_t bb = dtype_block_bytes(d);
    int zero_bytes = 1, zero_back = 1;
    for (size_t i = 0; i < bb; i++)
        zero_bytes &= row[bb + i] == 0;
    dequantize_row(d, row, back, 3 * KB);
    for (int i = 0; i < KB; i++)
        zero_back &= back[KB + i] == 0.0f;
    char name[64];
    snprintf(name, sizeof name, "%s zero block: bytes 0", dtype_name(d));
    TEST_CHECK(name, zero_bytes);
    snprintf(name, sizeof name, "%s zero block: back as 0", dtype_name(d));
    TEST_CHECK(name, zero_back);
    snprintf(name, sizeof name, "%s zero block: neighbours", dtype_name(d));
    TEST_CHECK(name, k_within(d, x, back, 3 * KB, "beside a zero block"));
}

/* One value of +-1000 among zeros, or among noise of 1e-3: the large value
 * comes back within 2^-8 of itself (the f16 rounding of d, 2^-11, and of the
 * 6-bit or 8-bit scale that holds it exactly at its maximum), the others
 * within the bound. Q6_K with one power of two among zeros: exact (scale
 * -X/32 for the integer -32, stored as d = X/4096, f16-exact, times -128). */
static void test_k_one_large(Dtype d) {
    float x[KB], back[KB];
    uint8_t row[KMAX_BYTES];
    int ok_large = 1, ok_rest = 1;
    srand(13);
    for (int c = 0; c < 4; c++) {
        int at = 37 + 61 * c;
        float big = c % 2 ? -1000.0f : 1000.0f;
        for (int i = 0; i < KB; i++)
            x[i] = c < 2 ? 0.0f : 1e-3f * test_rand_unit();
        x[at] = big;
        quantize_k(d, x, row, KB);
        dequantize_row(d, row, back, KB);
        if (!(fabsf(back[at] - big) <= 1000.0f * 0x1p-8f)) {
            printf("  %s case %d: %g back as %g\n", dtype_name(d), c, (double)big,
                   (double)back[at]);
            ok_large = 0;
        }
        ok_rest &= k_within(d, x, back, KB, "one large value");
    }
    char name[64];
    snprintf(name, sizeof name, "%s one large value", dtype_name(d));
    TEST_CHECK(name, ok_large);
    snprintf(name, sizeof name, "%s one large value: the rest", dtype_name(d));
    TEST_CHECK(name, ok_rest);
    if (d == DTYPE_Q6_K) {
        memset(x, 0, sizeof x);
        x[100] = 1024.0f;
        quantize_k(d, x, row, KB);
        dequantize_row(d, row, back, KB);
        int exact = back[100] == 1024.0f;
        for (int i = 0; i < KB; i++)
            exact &= i == 100 || back[i] == 0.0f;
        TEST_CHECK("q6_k one power of two among zeros: exact", exact);
    }
}

/* The same row twice gives the same bytes, and a row is its blocks
 * quantized one by one (no state carried from block to block). */
static void test_k_deterministic(Dtype d) {
    enum { NB = 5 };
    float x[NB * KB];
    uint8_t a[NB * KMAX_BYTES], b[NB * KMAX_BYTES], c[NB * KMAX_BYTES];
    srand(14);
    for (int i = 0; i < NB * KB; i++)
        x[i] = test_rand_unit() * (float)(1 + i / KB);
    memset(a, 0x11, sizeof a), memset(b, 0x22, sizeof b), memset(c, 0x33, sizeof c);
    quantize_k(d, x, a, NB * KB);
    quantize_k(d, x, b, NB * KB);
    size_t bb = dtype_block_bytes(d);
    for (int k = 0; k < NB; k++)
        quantize_k(d, x + KB * k, c + bb * (size_t)k, KB);
    char name[64];
    snprintf(name, sizeof name, "%s deterministic", dtype_name(d));
    TEST_CHECK(name, memcmp(a, b, NB * bb) == 0);
    snprintf(name, sizeof name, "%s row = its blocks", dtype_name(d));
    TEST_CHECK(name, memcmp(a, c, NB * bb) == 0);
}

static void quantize_k_row_of_300(const void *arg) {
    static float x[300];
    static uint8_t out[2 * KMAX_BYTES];
    quantize_k(*(const Dtype *)arg, x, out, 300);
}

/* n = 300 (not whole blocks of 256): die_input, exit 2, saying why. */
static void test_k_partial_block(Dtype d) {
    char err[512];
    int status = test_run_child(quantize_k_row_of_300, &d, 0, err, sizeof err);
    char name[64];
    snprintf(name, sizeof name, "%s n = 300: exit 2", dtype_name(d));
    TEST_CHECK(name, status == 2);
    snprintf(name, sizeof name, "%s n = 300: says why", dtype_name(d));
    TEST_CHECK(name, strstr(err, "300") && strstr(err, "256"));
}

int main(void) {
    test_q8_0_blocks();
    test_q4_0_blocks();
    test_round_trip(DTYPE_Q8_0);
    test_round_trip(DTYPE_Q4_0);
    const Dtype ks[] = {DTYPE_Q4_K, DTYPE_Q5_K, DTYPE_Q6_K};
    for (int i = 0; i < 3; i++) {
        test_k_round_trip(ks[i]);
        test_k_zero_block(ks[i]);
        test_k_one_large(ks[i]);
        test_k_deterministic(ks[i]);
        test_k_partial_block(ks[i]);
    }
    return test_report("test_quantize");
}
