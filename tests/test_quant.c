/* test_quant.c: ggml's block formats (quant.h) and the kernels on them
 * (gemvq.h).
 *
 * Dequantization: rows of several random blocks of each format (random
 * bytes, scales as f16 of either sign) dequantize bit for bit to the values
 * this test computes element by element from the format's formula, and
 * within float32 rounding of the same formula in double; hand-written Q8_0,
 * Q4_0 and Q6_K blocks give their known values; row bytes, and a row length
 * that is not whole blocks is exit status 2.
 *
 * Kernels: every kernel this CPU runs (AVX-512, AVX2, scalar) against the
 * dequantized W and a double-precision product, relative to the sum of
 * |products| (bound 8 * 2^-24 * (in + 1), as test_gemv16), for T = 1..8,
 * out = 1, 5, 13 (not multiples of the thread split), 1 to 3 threads, beta
 * 0 and 1, rows of 1 to 5 blocks. Rows independent bit for bit through
 * matmul_weights (T = 1 against T = 13 and 40). The prefill path (panels of
 * 3 rows and the default, and matmul_weights at T = 70) against the same
 * double product and the decode path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/gemvq.h"
#include "compute/matmul.h"
#include "compute/matmul_dnnl.h"
#include "formats/quant.h"
#include "quant_random.h"
#include "testhelp.h"

static const Dtype formats[] = {DTYPE_Q8_0, DTYPE_Q4_0, DTYPE_Q4_K, DTYPE_Q5_K, DTYPE_Q6_K};
#define N_FORMATS 5

static float f16_at(const uint8_t *p) {
    return f16_to_f32((uint16_t)(p[0] | p[1] << 8));
}

static void put_f16(uint8_t *p, float v) {
    uint16_t h = f32_to_f16(v);
    p[0] = (uint8_t)h, p[1] = (uint8_t)(h >> 8);
}

/* The 6-bit scale (want_min 0) or min (1) of sub-block j of a K block's 12
 * scale bytes, read bit by bit: sub-blocks 0-3 hold theirs in the low 6 bits
 * of bytes j and j + 4; 4-7 in the nibbles of byte j + 4 plus the top 2 bits
 * of bytes j - 4 (scale) and j (min). */
static int k_scale(const uint8_t *sc, int j, int want_min) {
    if (j < 4) return sc[j + 4 * want_min] % 64;
    int low4 = want_min ? sc[j + 4] / 16 : sc[j + 4] % 16;
    int top2 = sc[want_min ? j : j - 4] / 64;
    return low4 + 16 * top2;
}

/* Value i of block b, from the format's formula, in float (*exact: in double). */
static float formula(Dtype d, const uint8_t *b, int i, double *exact) {
    switch (d) {
    case DTYPE_Q8_0: {
        float dd = f16_at(b);
        int q = (int8_t)b[2 + i];
        *exact = (double)dd * q;
        return (float)q * dd;
    }
    case DTYPE_Q4_0: {
        float dd = f16_at(b);
        int q = (i < 16 ? b[2 + i] % 16 : b[2 + i - 16] / 16) - 8;
        *exact = (double)dd * q;
        return (float)q * dd;
    }
    case DTYPE_Q4_K:
    case DTYPE_Q5_K: {
        float dd = f16_at(b), dmin = f16_at(b + 2);
        int g = i / 64, r = i % 64, l = r % 32, s = 2 * g + r / 32;
        const uint8_t *qs = b + (d == DTYPE_Q5_K ? 48 : 16);
        int q = r < 32 ? qs[32 * g + l] % 16 : qs[32 * g + l] / 16;
        if (d == DTYPE_Q5_K) q += 16 * ((b[16 + l] >> s) & 1);
        int sc = k_scale(b + 4, s, 0), m = k_scale(b + 4, s, 1);
        *exact = (double)dd * sc * q - (double)dmin * m;
        float ds = dd * (float)sc, ms = dmin * (float)m;
        return ds * (float)q - ms;
    }
    default: { /* Q6_K */
        float dd = f16_at(b + 208);
        int n = i / 128, r = i % 128, k = r / 32, l = r % 32;
        uint8_t lbyte = b[64 * n + l + 32 * (k % 2)];
        int low = k < 2 ? lbyte % 16 : lbyte / 16;
        int high = (b[128 + 32 * n + l] >> (2 * k)) & 3;
        int q = low + 16 * high - 32;
        int sc = (int8_t)b[192 + 8 * n + l / 16 + 2 * k];
        *exact = (double)dd * sc * q;
        return dd * (float)sc * (float)q;
    }
    }
}

static void check_dequantize(Dtype d) {
    int bv = dtype_block_values(d), nb = 5;
    size_t bb = dtype_block_bytes(d);
    uint8_t *row = malloc(bb * nb);
    float *got = malloc(sizeof(float) * bv * nb), *want = malloc(sizeof(float) * bv * nb);
    for (int rep = 0; rep < 20; rep++) {
        for (int k = 0; k < nb; k++)
            quant_random_block(d, row + bb * k);
        dequantize_row(d, row, got, bv * nb);
        double worst = 0;
        for (int k = 0; k < nb; k++)
            for (int i = 0; i < bv; i++) {
                double exact;
                want[k * bv + i] = formula(d, row + bb * k, i, &exact);
                double err = fabs(got[k * bv + i] - exact) / (fabs(exact) + 1e-30);
                if (exact != 0 || got[k * bv + i] != 0) worst = test_max_error(worst, err);
            }
        char name[96];
        snprintf(name, sizeof name, "%s: dequantize_row = the formula, bit for bit (rep %d)",
                 dtype_name(d), rep);
        TEST_CHECK(name, !memcmp(got, want, sizeof(float) * bv * nb));
        snprintf(name, sizeof name, "%s: within float32 rounding of the exact values (rep %d)",
                 dtype_name(d), rep);
        /* two roundings, or the subtraction's cancellation for K mins */
        TEST_CHECK(name, worst <= (d == DTYPE_Q4_K || d == DTYPE_Q5_K ? 1e-4 : 2.5 * 0x1p-24));
    }
    free(row), free(got), free(want);
}

static void check_hand_written(void) {
    uint8_t b[210] = {0};
    float v[256];
    put_f16(b, 1.0f); /* Q8_0: d = 1, qs = i - 16 */
    for (int i = 0; i < 32; i++)
        b[2 + i] = (uint8_t)(int8_t)(i - 16);
    dequantize_row(DTYPE_Q8_0, b, v, 32);
    int ok = 1;
    for (int i = 0; i < 32; i++)
        ok &= v[i] == (float)(i - 16);
    TEST_CHECK("Q8_0 hand-written block", ok);
    put_f16(b, -0.5f); /* Q4_0: d = -0.5, byte i = low i, high 15 - i */
    for (int i = 0; i < 16; i++)
        b[2 + i] = (uint8_t)(i | (15 - i) << 4);
    dequantize_row(DTYPE_Q4_0, b, v, 32);
    ok = 1;
    for (int i = 0; i < 16; i++)
        ok &= v[i] == -0.5f * (i - 8) && v[16 + i] == -0.5f * (7 - i);
    TEST_CHECK("Q4_0 hand-written block", ok);
    memset(b, 0, sizeof b); /* Q6_K: all q = 0 - 32, scale c = c + 1, d = 0.25 */
    for (int c = 0; c < 16; c++)
        b[192 + c] = (uint8_t)(c + 1);
    put_f16(b + 208, 0.25f);
    dequantize_row(DTYPE_Q6_K, b, v, 256);
    ok = 1;
    for (int i = 0; i < 256; i++)
        ok &= v[i] == 0.25f * (i / 16 + 1) * -32.0f;
    TEST_CHECK("Q6_K hand-written block", ok);
    memset(b, 0, sizeof b); /* Q4_K: d = 1, dmin = 2, sub-block 0 scale 3 min 1, q = 5 */
    put_f16(b, 1.0f), put_f16(b + 2, 2.0f);
    b[4] = 3, b[8] = 1, b[16] = 5;
    dequantize_row(DTYPE_Q4_K, b, v, 256);
    TEST_CHECK("Q4_K hand-written value", v[0] == 13.0f && v[1] == -2.0f && v[32] == 0.0f);
}

static void row_bytes_case(const void *arg) {
    (void)arg;
    dtype_row_bytes(DTYPE_Q4_K, 100);
}

static void check_sizes(void) {
    TEST_CHECK("row bytes Q8_0", dtype_row_bytes(DTYPE_Q8_0, 64) == 68);
    TEST_CHECK("row bytes Q4_0", dtype_row_bytes(DTYPE_Q4_0, 160) == 90);
    TEST_CHECK("row bytes Q4_K", dtype_row_bytes(DTYPE_Q4_K, 512) == 288);
    TEST_CHECK("row bytes Q5_K", dtype_row_bytes(DTYPE_Q5_K, 256) == 176);
    TEST_CHECK("row bytes Q6_K", dtype_row_bytes(DTYPE_Q6_K, 768) == 630);
    TEST_CHECK("row bytes F16", dtype_row_bytes(DTYPE_F16, 5) == 10);
    TEST_CHECK("values in bytes", dtype_values_in_bytes(DTYPE_Q6_K, 420) == 512);
    TEST_CHECK("names", !strcmp(dtype_name(DTYPE_Q5_K), "Q5_K") && dtype_is_quant(DTYPE_Q8_0) &&
                            !dtype_is_quant(DTYPE_BF16));
    char out[512];
    int st = test_run_child(row_bytes_case, NULL, 0, out, sizeof out);
    TEST_CHECK("a row of 100 Q4_K values is exit 2", st == 2 && strstr(out, "Q4_K"));
}

static void check_kernel(const char *kernel, Dtype d) {
    int bv = dtype_block_values(d);
    const int nbs[] = {1, 2, 5}, outs[] = {1, 5, 13};
    double worst = 0;
    int fails = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            int in = nbs[a] * bv, out = outs[b];
            float *wf = malloc(sizeof(float) * out * in);
            uint8_t *w = quant_random_matrix(d, out, in, wf);
            float *x = malloc(sizeof(float) * 8 * in), *y = malloc(sizeof(float) * 8 * out),
                  *y0 = malloc(sizeof(float) * 8 * out);
            for (int T = 1; T <= 8; T++)
                for (int threads = 1; threads <= 3; threads++)
                    for (int beta = 0; beta <= 1; beta++) {
                        for (int i = 0; i < T * in; i++)
                            x[i] = test_rand_unit();
                        for (int i = 0; i < T * out; i++)
                            y0[i] = beta ? test_rand_unit() : NAN, y[i] = y0[i];
                        gemvq(y, x, w, d, T, in, out, (float)beta, threads);
                        double err = test_product_error(y, y0, x, wf, T, in, out, (float)beta);
                        worst = test_max_error(worst, err / (in + 1));
                        if (!(err <= 8.0 * 0x1p-24 * (in + 1))) fails++;
                    }
            free(wf), free(w), free(x), free(y), free(y0);
        }
    char name[96];
    snprintf(name, sizeof name, "%s %s: within 8 * 2^-24 * (in + 1) (worst %.3g ulp per term)",
             kernel, dtype_name(d), worst / 0x1p-24);
    TEST_CHECK(name, fails == 0);
}

/* Rows independent bit for bit, and the prefill path, through matmul_weights. */
/* The BF16 compute mode's prefill (gemvq_panels_bf16): x and W rounded to
 * BF16 (each within 2^-9), so each sum within 2^-8 of the sum of |products|
 * plus float32 accumulation; through matmul_weights (default panels), by
 * panels of 3, and by panels of 5 with beta = 0.5 on a filled y. */
static void check_prefill_bf16(const WeightMatrix *m, const float *x, const float *wf, int T,
                               int in, int out, int threads) {
    float *y = malloc(sizeof(float) * T * out), *y0 = malloc(sizeof(float) * T * out);
    for (int i = 0; i < T * out; i++)
        y0[i] = test_rand_unit();
    double bound = 0x1p-8 + 8.0 * 0x1p-24 * (in + 1), e[3];
    matmul_weights(y, x, m, T, 0.0f); /* AUTO: BF16 where oneDNN has it */
    e[0] = test_product_error(y, y0, x, wf, T, in, out, 0.0f);
    gemvq_panels_bf16(y, x, m->data, m->dtype, T, in, out, 0.0f, threads, 3);
    e[1] = test_product_error(y, y0, x, wf, T, in, out, 0.0f);
    memcpy(y, y0, sizeof(float) * T * out);
    gemvq_panels_bf16(y, x, m->data, m->dtype, T, in, out, 0.5f, threads, 5);
    e[2] = test_product_error(y, y0, x, wf, T, in, out, 0.5f);
    char name[128];
    snprintf(name, sizeof name,
             "prefill bf16 %s threads=%d: %.3g, panels of 3 %.3g, of 5 beta %.3g",
             dtype_name(m->dtype), threads, e[0], e[1], e[2]);
    TEST_CHECK(name, e[0] <= bound && e[1] <= bound && e[2] <= bound);
    free(y), free(y0);
}

static void check_matmul(const char *kernel, Dtype d) {
    int in = 3 * dtype_block_values(d), out = 37, T_max = 70;
    float *wf = malloc(sizeof(float) * out * in);
    WeightMatrix m = {.dtype = d, .rows = out, .cols = in};
    m.data = quant_random_matrix(d, out, in, wf);
    float *x = malloc(sizeof(float) * T_max * in), *y = malloc(sizeof(float) * T_max * out),
          *y1 = malloc(sizeof(float) * T_max * out), *y0 = calloc((size_t)T_max * out, 4);
    for (int i = 0; i < T_max * in; i++)
        x[i] = test_rand_unit() * (float)(1 + i % 7);
    char name[128];
    for (int threads = 1; threads <= 2; threads++) {
        matmul_set_threads(threads);
        const int Ts[] = {13, 40};
        for (int k = 0; k < 2; k++) {
            matmul_weights(y, x, &m, Ts[k], 0.0f);
            int same = 1;
            for (int t = 0; t < Ts[k]; t++) {
                matmul_weights(y1, x + (size_t)t * in, &m, 1, 0.0f);
                same &= !memcmp(y1, y + (size_t)t * out, sizeof(float) * out);
            }
            snprintf(name, sizeof name, "rows independent: %s %s T=%d threads=%d", kernel,
                     dtype_name(d), Ts[k], threads);
            TEST_CHECK(name, same);
        }
        /* prefill: T = 70 through matmul_weights (default panels) and by panels of 3 */
        matmul_set_compute(MATMUL_COMPUTE_F32);
        matmul_weights(y, x, &m, T_max, 0.0f);
        matmul_set_compute(MATMUL_COMPUTE_AUTO);
        double e1 = test_product_error(y, y0, x, wf, T_max, in, out, 0.0f);
        gemvq_panels(y1, x, m.data, d, T_max, in, out, 0.0f, threads, 3);
        double e2 = test_product_error(y1, y0, x, wf, T_max, in, out, 0.0f);
        for (int t = 0; t < T_max; t++) /* the decode path, a token at a time */
            gemvq(y1 + (size_t)t * out, x + (size_t)t * in, m.data, d, 1, in, out, 0.0f, threads);
        double diff = 0, top = 0; /* of the largest |y| */
        for (int i = 0; i < T_max * out; i++)
            diff = test_max_error(diff, fabs(y[i] - y1[i])), top = fmax(top, fabs(y1[i]));
        diff /= top;
        double bound = 8.0 * 0x1p-24 * (in + 1);
        snprintf(name, sizeof name,
                 "prefill %s %s threads=%d: %.3g, panels of 3 %.3g, vs decode %.3g", kernel,
                 dtype_name(d), threads, e1, e2, diff);
        TEST_CHECK(name, e1 <= bound && e2 <= bound && diff <= 1e-5);
        if (matmul_dnnl_usable()) check_prefill_bf16(&m, x, wf, T_max, in, out, threads);
    }
    matmul_set_threads(1);
    free(wf), free(m.data), free(x), free(y), free(y1), free(y0);
}

int main(void) {
    srand(14);
    check_sizes();
    check_hand_written();
    for (int f = 0; f < N_FORMATS; f++)
        check_dequantize(formats[f]);
    TEST_CHECK("the scalar kernel is always there", gemvq_use_kernel("scalar"));
    TEST_CHECK("no such kernel", !gemvq_use_kernel("none"));
    const char *kernels[] = {"avx512", "avx2", "scalar"};
    for (int k = 0; k < 3; k++) {
        if (!gemvq_use_kernel(kernels[k])) {
            printf("skipping kernel %s: this CPU lacks it\n", kernels[k]);
            continue;
        }
        for (int f = 0; f < N_FORMATS; f++) {
            check_kernel(kernels[k], formats[f]);
            check_matmul(kernels[k], formats[f]);
        }
    }
    return test_report("quant");
}
