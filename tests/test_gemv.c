/* test_gemv.c: gemv_f32 against a double-precision x W^T, with every kernel
 * this CPU runs (AVX-512, AVX2, scalar), over lengths that leave every tail
 * of the vector loops (1 to 130 columns), 1 to 3 rows of x, one and two
 * threads, and beta 0 (y not read: it starts as NaN) and 1 (added to). */
#include <math.h>
#include <stdlib.h>

#include "compute/gemv.h"
#include "testhelp.h"

/* One kernel over every shape; 8 unit roundoffs of float32 per entry is ample. */
static void check_kernel(const char *kernel) {
    if (!gemv_f32_use_kernel(kernel)) {
        printf("skipping kernel %s: this CPU lacks it\n", kernel);
        return;
    }
    const int out = 37;
    for (int in = 1; in <= 130; in++)
        for (int T = 1; T <= 3; T++) {
            float *w = malloc(sizeof(float) * (size_t)out * in);
            float *x = malloc(sizeof(float) * (size_t)T * in);
            float *y = malloc(sizeof(float) * (size_t)T * out);
            float *y0 = malloc(sizeof(float) * (size_t)T * out);
            for (int i = 0; i < out * in; i++)
                w[i] = test_rand_unit();
            for (int i = 0; i < T * in; i++)
                x[i] = test_rand_unit();
            for (int beta = 0; beta <= 1; beta++)
                for (int threads = 1; threads <= 2; threads++) {
                    for (int i = 0; i < T * out; i++)
                        y0[i] = beta ? test_rand_unit() : NAN, y[i] = y0[i];
                    gemv_f32(y, x, w, T, in, out, (float)beta, threads);
                    double err = test_product_error(y, y0, x, w, T, in, out, (float)beta);
                    char name[96];
                    snprintf(name, sizeof name, "%s in=%d T=%d beta=%d threads=%d", kernel, in, T,
                             beta, threads);
                    TEST_CHECK(name, err <= 8.0 * 0x1p-24 * (in + 1));
                }
            free(w), free(x), free(y), free(y0);
        }
}

int main(void) {
    srand(7);
    TEST_CHECK("the scalar kernel is always there", gemv_f32_use_kernel("scalar"));
    TEST_CHECK("no such kernel", !gemv_f32_use_kernel("none"));
    check_kernel("avx512");
    check_kernel("avx2");
    check_kernel("scalar");
    return test_report("gemv");
}
