/* bench_gemvq.c: gemvq's kernels on one matrix shape per block format (a
 * benchmark, not a test; keep it short on a shared machine).
 *
 *   bench_gemvq [threads] [reps] [T] [out] [in]     defaults 1 5 1 4096 4096
 *
 * For each format and each kernel this CPU runs: the median of `reps` runs
 * of y (T, out) = x W^T in milliseconds, and GB/s counting W's stored bytes
 * as read once: gemvq's kernels (float32 x) and gemvq8's ("q8-" kernels,
 * x rounded to 8 bits). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/gemvq.h"
#include "compute/gemvq8.h"
#include "formats/quant.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1, reps = argc > 2 ? atoi(argv[2]) : 5;
    int T = argc > 3 ? atoi(argv[3]) : 1, out = argc > 4 ? atoi(argv[4]) : 4096;
    int in = argc > 5 ? atoi(argv[5]) : 4096;
    if (reps < 1 || reps > 1000 || T < 1 || out < 1 || in < 256 || in % 256)
        die_input("bench_gemvq: reps 1..1000, T >= 1, out >= 1, in a multiple of 256");
    const Dtype formats[] = {DTYPE_Q8_0, DTYPE_Q4_0, DTYPE_Q4_K, DTYPE_Q5_K, DTYPE_Q6_K};
    const char *kernels[] = {"avx512", "avx2", "scalar"},
               *kernels8[] = {"avx512", "avx2", "scalar"};
    const char *names8[] = {"q8-avx512", "q8-avx2", "q8-scalar"};
    float *x = xalloc_floats((size_t)T * in), *y = xalloc_floats((size_t)T * out);
    for (size_t i = 0; i < (size_t)T * in; i++)
        x[i] = (float)(i % 17) * 0.01f;
    double *t = xcalloc((size_t)reps, sizeof *t);
    printf("format,kernel,T,out,in,threads,median_ms,GB_per_s\n");
    for (int f = 0; f < 5; f++) {
        Dtype d = formats[f];
        size_t bytes = dtype_row_bytes(d, in) * (size_t)out;
        unsigned char *w = xmalloc(bytes);
        for (size_t i = 0; i < bytes; i++)
            w[i] = (unsigned char)(i * 2654435761u >> 13);
        size_t bb = dtype_block_bytes(d); /* sane f16 scales: 0x2000 is about 0.0078 */
        for (size_t k = 0; k < bytes / bb; k++) {
            unsigned char *b = w + k * bb + (d == DTYPE_Q6_K ? 208 : 0);
            b[0] = 0, b[1] = 0x20;
            if (d == DTYPE_Q4_K || d == DTYPE_Q5_K) b[2] = 0, b[3] = 0x20;
        }
        for (int k = 0; k < 6; k++) {
            int q8 = k >= 3;
            if (q8 ? !gemvq8_use_kernel(kernels8[k - 3]) : !gemvq_use_kernel(kernels[k])) continue;
            for (int r = 0; r < reps; r++) {
                double t0 = now_seconds();
                if (q8)
                    gemvq8(y, x, w, d, T, in, out, 0.0f, threads);
                else
                    gemvq(y, x, w, d, T, in, out, 0.0f, threads);
                t[r] = now_seconds() - t0;
            }
            qsort(t, (size_t)reps, sizeof *t, cmp_double);
            double med = t[reps / 2];
            printf("%s,%s,%d,%d,%d,%d,%.3f,%.2f\n", dtype_name(d), q8 ? names8[k - 3] : kernels[k],
                   T, out, in, threads, med * 1e3, (double)bytes / med / 1e9);
        }
        free(w);
    }
    free(x), free(y), free(t);
    return 0;
}
