/* test_gemv16.c: the few-row kernels of matmul_weights.
 *
 * gemv16 (F16 and BF16 W) against a double-precision x W^T, with every
 * kernel this CPU runs (AVX-512, AVX2, scalar), over lengths that leave every
 * tail of the vector loops (1 to 100 columns), 1 to 9 rows of x (every
 * token block and its rest), odd and even row counts, one and two threads,
 * and beta 0 (y not read: it starts as NaN) and 1 (added to).
 *
 * Row independence, bit for bit, through matmul_weights for float32, BF16
 * and F16 W and every kernel: row t of x alone (T = 1) gives the same row of
 * y as inside T = 5, 13 and 40 beside other rows, with 1 and 2 threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/gemv.h"
#include "compute/gemv16.h"
#include "base/util.h"
#include "compute/matmul.h"
#include "testhelp.h"

/* v (finite) rounded to dtype d (F16 or BF16), as its 16 bits. */
static uint16_t to_half(Dtype d, float v) {
    return d == DTYPE_BF16 ? f32_to_bf16(v) : f32_to_f16(v);
}

/* A random (out, in) matrix of dtype d: its 16 bits and its exact values. */
static void rand_half_matrix(Dtype d, uint16_t *h, float *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h[i] = to_half(d, test_rand_unit());
        f[i] = dtype_half_to_f32(d, h[i]);
    }
}

static void check_accuracy(const char *kernel, Dtype d) {
    for (int in = 1; in <= 100; in++)
        for (int out = 5; out <= 6; out++)
            for (int T = 1; T <= 9; T++) {
                uint16_t *h = malloc(sizeof(uint16_t) * (size_t)out * in);
                float *w = malloc(sizeof(float) * (size_t)out * in);
                float *x = malloc(sizeof(float) * (size_t)T * in);
                float *y = malloc(sizeof(float) * (size_t)T * out);
                float *y0 = malloc(sizeof(float) * (size_t)T * out);
                rand_half_matrix(d, h, w, (size_t)out * in);
                for (int i = 0; i < T * in; i++)
                    x[i] = test_rand_unit();
                for (int beta = 0; beta <= 1; beta++)
                    for (int threads = 1; threads <= 2; threads++) {
                        for (int i = 0; i < T * out; i++)
                            y0[i] = beta ? test_rand_unit() : NAN, y[i] = y0[i];
                        gemv16(y, x, h, d, T, in, out, (float)beta, threads);
                        double err = test_product_error(y, y0, x, w, T, in, out, (float)beta);
                        char name[128];
                        snprintf(name, sizeof name, "%s %s in=%d out=%d T=%d beta=%d threads=%d",
                                 kernel, dtype_name(d), in, out, T, beta, threads);
                        TEST_CHECK(name, err <= 8.0 * 0x1p-24 * (in + 1));
                    }
                free(h), free(w), free(x), free(y), free(y0);
            }
}

/* Row t of x W^T through matmul_weights alone, then inside T = 5, 13, 40. */
static void check_rows_independent(const char *kernel, Dtype d, int in, int threads) {
    const int out = 67, T_max = 40;
    WeightMatrix m = {.dtype = d, .rows = out, .cols = in};
    size_t n = (size_t)out * in;
    float *wf = malloc(sizeof(float) * n);
    uint16_t *wh = malloc(sizeof(uint16_t) * n);
    if (d == DTYPE_F32) {
        for (size_t i = 0; i < n; i++)
            wf[i] = test_rand_unit();
        m.data = wf;
    } else {
        rand_half_matrix(d, wh, wf, n);
        m.data = wh;
    }
    float *x = malloc(sizeof(float) * (size_t)T_max * in);
    float *y1 = malloc(sizeof(float) * out);
    float *y = malloc(sizeof(float) * (size_t)T_max * out);
    matmul_set_threads(threads);
    const int Ts[] = {5, 13, 40};
    for (int k = 0; k < 3; k++) {
        int T = Ts[k];
        for (int i = 0; i < T * in; i++)
            x[i] = test_rand_unit() * (float)(1 + i % 7); /* rows unlike one another */
        matmul_weights(y, x, &m, T, 0.0f);
        int same = 1;
        for (int t = 0; t < T; t++) {
            matmul_weights(y1, x + (size_t)t * in, &m, 1, 0.0f);
            same &= !memcmp(y1, y + (size_t)t * out, sizeof(float) * out);
        }
        char name[128];
        snprintf(name, sizeof name, "rows independent: %s %s in=%d T=%d threads=%d", kernel,
                 dtype_name(d), in, T, threads);
        TEST_CHECK(name, same);
    }
    matmul_set_threads(1);
    free(wf), free(wh), free(x), free(y1), free(y);
}

int main(void) {
    srand(11);
    TEST_CHECK("the scalar kernel is always there", gemv16_use_kernel("scalar"));
    TEST_CHECK("no such kernel", !gemv16_use_kernel("none"));
    TEST_CHECK("below the threshold T = 40 is few rows", 40 < MATMUL_DIRECT_TOKENS);
    const char *kernels[] = {"avx512", "avx2", "scalar"};
    const Dtype halves[] = {DTYPE_BF16, DTYPE_F16};
    const int lengths[] = {1, 45, 4096 + 29};
    for (int k = 0; k < 3; k++) {
        int has16 = gemv16_use_kernel(kernels[k]), has32 = gemv_f32_use_kernel(kernels[k]);
        if (!has16 || !has32) {
            printf("skipping kernel %s: this CPU lacks it\n", kernels[k]);
            continue;
        }
        for (int h = 0; h < 2; h++)
            check_accuracy(kernels[k], halves[h]);
        for (int l = 0; l < 3; l++)
            for (int threads = 1; threads <= 2; threads++) {
                check_rows_independent(kernels[k], DTYPE_F32, lengths[l], threads);
                for (int h = 0; h < 2; h++)
                    check_rows_independent(kernels[k], halves[h], lengths[l], threads);
            }
    }
    return test_report("gemv16");
}
