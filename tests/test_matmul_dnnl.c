/* test_matmul_dnnl.c: the BF16 prefill product (oneDNN) against x W^T in
 * double precision, on shapes that are multiples of nothing (T from 16 to
 * 131, rows and cols from 1 to 300), beta 0 (y starts as NaN: not read),
 * 1 and 0.5, one and two threads, and more shapes than the primitive table
 * holds (so that entries are evicted and recreated).
 *
 * Bounds, per entry, relative to S = sum |w_i x_i| (+ |beta y0|):
 *   against x rounded to BF16 (what oneDNN multiplies): cols float32 unit
 *   roundoffs (cols * 2^-24), any summation order's bound;
 *   against x itself: that plus 2^-8, the unit roundoff of BF16's 8
 *   significant bits (each x_i rounded once, moving the sum by at most
 *   2^-8 S).
 * Then the dispatch of matmul_weights: f32 mode gives the float32 path's
 * numbers bit for bit, bf16 mode the oneDNN ones, F16 weights stay float32.
 * On a CPU without BF16 arithmetic (or DNNL_MAX_CPU_ISA below it) the oneDNN
 * checks are skipped with a message, and it checks instead that auto falls
 * back to float32 and that --compute bf16 is refused (exit status 2). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/matmul.h"
#include "compute/matmul_dnnl.h"
#include "testhelp.h"

/* Worst error of y (T, rows) against x W^T + beta y0 over S (see above);
 * x_bf16: x rounded to BF16 first. */
static double product_error(const float *y, const float *y0, const float *x, const uint16_t *w,
                            int T, int rows, int cols, float beta, int x_bf16, double *bound) {
    double worst = 0.0;
    for (int t = 0; t < T; t++)
        for (int o = 0; o < rows; o++) {
            double ref = beta == 0.0f ? 0.0 : (double)beta * y0[(size_t)t * rows + o];
            double mag = fabs(ref);
            for (int i = 0; i < cols; i++) {
                float xi = x[(size_t)t * cols + i];
                if (x_bf16) xi = bf16_to_f32(f32_to_bf16(xi));
                double p = (double)bf16_to_f32(w[(size_t)o * cols + i]) * xi;
                ref += p, mag += fabs(p);
            }
            double err = fabs(y[(size_t)t * rows + o] - ref) / (mag > 0.0 ? mag : 1.0);
            worst = test_max_error(worst, err);
        }
    *bound = (cols + 2) * 0x1p-24 + (x_bf16 ? 0.0 : 0x1p-8);
    return worst;
}

static void check_shape(int T, int rows, int cols, float beta, int threads) {
    float *x = xalloc_floats((size_t)T * cols), *y = xalloc_floats((size_t)T * rows);
    float *y0 = xalloc_floats((size_t)T * rows);
    uint16_t *w = xmalloc((size_t)rows * cols * sizeof *w);
    for (size_t i = 0; i < (size_t)T * cols; i++)
        x[i] = test_rand_unit() * 4.0f;
    for (size_t i = 0; i < (size_t)rows * cols; i++)
        w[i] = f32_to_bf16(test_rand_unit());
    for (size_t i = 0; i < (size_t)T * rows; i++)
        y[i] = y0[i] = beta == 0.0f ? NAN : test_rand_unit();
    matmul_dnnl_bf16(y, x, w, T, rows, cols, beta, threads);
    char name[160];
    double bound;
    snprintf(name, sizeof name, "T=%d rows=%d cols=%d beta=%g threads=%d", T, rows, cols, beta,
             threads);
    TEST_CHECK(name, test_all_finite(y, (size_t)T * rows));
    double e = product_error(y, y0, x, w, T, rows, cols, beta, 1, &bound);
    TEST_CHECK(name, e <= bound);
    if (e > bound) printf("  %s: error %.3g over x in BF16, bound %.3g\n", name, e, bound);
    e = product_error(y, y0, x, w, T, rows, cols, beta, 0, &bound);
    TEST_CHECK(name, e <= bound);
    if (e > bound) printf("  %s: error %.3g over x, bound %.3g\n", name, e, bound);
    free(x), free(y), free(y0), free(w);
}

/* matmul_weights of a BF16 and an F16 matrix in each mode. */
static void check_dispatch(int usable) {
    int T = MATMUL_DIRECT_TOKENS + 24, rows = 70, cols = 90; /* past the few-row kernels */
    float *x = xalloc_floats((size_t)T * cols), *a = xalloc_floats((size_t)T * rows);
    float *b = xalloc_floats((size_t)T * rows), *c = xalloc_floats((size_t)T * rows);
    uint16_t *w = xmalloc((size_t)rows * cols * sizeof *w);
    for (size_t i = 0; i < (size_t)T * cols; i++)
        x[i] = test_rand_unit();
    for (size_t i = 0; i < (size_t)rows * cols; i++)
        w[i] = f32_to_bf16(test_rand_unit());
    WeightMatrix m = {.dtype = DTYPE_BF16, .rows = rows, .cols = cols, .data = w};
    size_t bytes = (size_t)T * rows * sizeof *a;

    matmul_set_compute(MATMUL_COMPUTE_F32);
    TEST_CHECK("f32 mode: BF16 weights take f32",
               matmul_compute_for(DTYPE_BF16) == MATMUL_COMPUTE_F32);
    matmul_weights(a, x, &m, T, 0.0f);
    matmul_set_compute(MATMUL_COMPUTE_AUTO);
    matmul_weights(b, x, &m, T, 0.0f);
    if (usable) {
        TEST_CHECK("auto: BF16 weights take bf16",
                   matmul_compute_for(DTYPE_BF16) == MATMUL_COMPUTE_BF16);
        matmul_dnnl_bf16(c, x, w, T, rows, cols, 0.0f, 1);
        TEST_CHECK("auto gives the oneDNN product", !memcmp(b, c, bytes));
        TEST_CHECK("bf16 differs from f32 (x was rounded)", memcmp(a, b, bytes) != 0);
        matmul_set_compute(MATMUL_COMPUTE_BF16);
        TEST_CHECK("bf16 mode: F16 weights take f32",
                   matmul_compute_for(DTYPE_F16) == MATMUL_COMPUTE_F32);
        TEST_CHECK("bf16 mode: F32 weights take f32",
                   matmul_compute_for(DTYPE_F32) == MATMUL_COMPUTE_F32);
    } else {
        TEST_CHECK("auto without BF16: f32", matmul_compute_for(DTYPE_BF16) == MATMUL_COMPUTE_F32);
        TEST_CHECK("auto without BF16 gives the f32 numbers", !memcmp(a, b, bytes));
    }
    matmul_set_compute(MATMUL_COMPUTE_F32);
    matmul_weights(c, x, &m, T, 0.0f);
    TEST_CHECK("f32 mode is repeatable bit for bit", !memcmp(a, c, bytes));
    matmul_set_compute(MATMUL_COMPUTE_AUTO);
    free(x), free(a), free(b), free(c), free(w);
}

static void ask_bf16(const void *arg) {
    (void)arg;
    matmul_set_compute(MATMUL_COMPUTE_BF16);
}

int main(void) {
    srand(7);
    TEST_CHECK("parse f32", matmul_compute_parse("f32") == MATMUL_COMPUTE_F32);
    TEST_CHECK("parse bf16", matmul_compute_parse("bf16") == MATMUL_COMPUTE_BF16);
    TEST_CHECK("parse auto", matmul_compute_parse("auto") == MATMUL_COMPUTE_AUTO);
    TEST_CHECK("parse bad", matmul_compute_parse("fp8") == -1);
    int usable = matmul_dnnl_usable();
    printf("oneDNN ISA: %s\n", matmul_dnnl_isa());
    check_dispatch(usable);
    if (!usable) {
        char out[512];
        int rc = test_run_child(ask_bf16, NULL, 0, out, sizeof out);
        TEST_CHECK("--compute bf16 refused without BF16 arithmetic (exit 2)", rc == 2);
        TEST_CHECK("the refusal names --compute", strstr(out, "--compute bf16") != NULL);
        printf("skipping the oneDNN products: no BF16 arithmetic here (%s)\n", matmul_dnnl_isa());
        return test_report("test_matmul_dnnl");
    }
    static const int Ts[] = {16, 17, 37, 64, 131};
    static const int dims[] = {1, 7, 33, 64, 130, 300};
    static const float betas[] = {0.0f, 1.0f, 0.5f};
    int n = 0;
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 6; b++)
            for (int c = 0; c < 6; c += 1 + (a + b) % 2)
                check_shape(Ts[a], dims[b], dims[c], betas[n % 3], 1 + n % 2), n++;
    printf("%d shapes checked\n", n);
    /* The same shapes again: cached primitives (or recreated ones) agree. */
    srand(7);
    check_shape(37, 130, 300, 1.0f, 2);
    matmul_dnnl_release();
    check_shape(37, 130, 300, 1.0f, 2);
    matmul_dnnl_release();
    return test_report("test_matmul_dnnl");
}
