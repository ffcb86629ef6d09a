/* machine.c: see machine.h. */
#include "compute/machine.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compute/matmul.h"
#include "base/util.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double median_of(double *x, int n) {
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

double machine_sgemm_gflops(int n, int reps) {
    size_t nn = (size_t)n * n;
    float *a = xalloc_floats(nn), *b = xalloc_floats(nn), *c = xalloc_floats(nn);
    for (size_t i = 0; i < nn; i++)
        a[i] = b[i] = (float)(i % 7) * 0.01f;
    double *rate = xmalloc((size_t)reps * sizeof(double));
    for (int r = -1; r < reps; r++) {
        double t0 = now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double dt = now_seconds() - t0;
        if (r >= 0) rate[r] = 2.0 * n * (double)nn / dt / 1e9;
    }
    double m = median_of(rate, reps);
    free(rate), free(a), free(b), free(c);
    return m;
}

double machine_memcpy_gbps(int mib, int reps) {
    size_t n = (size_t)mib << 20;
    char *src = xmalloc(n), *dst = xmalloc(n);
    memset(src, 1, n);
    memset(dst, 0, n);
    double *rate = xmalloc((size_t)reps * sizeof(double));
    for (int r = -1; r < reps; r++) {
        double t0 = now_seconds();
        memcpy(dst, src, n);
        double dt = now_seconds() - t0;
        if (r >= 0) rate[r] = 2.0 * (double)n / dt / 1e9;
    }
    double m = median_of(rate, reps);
    free(rate), free(src), free(dst);
    return m;
}

int machine_set_threads(int n) {
    if (n > 0) openblas_set_num_threads(n);
    int threads = openblas_get_num_threads();
    matmul_set_threads(threads);
    return threads;
}

int machine_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
