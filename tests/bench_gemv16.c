/* bench_gemv16.c: the few-row kernels against the machine's read rate and
 * against sgemm, on Llama-2-7B's matrix shapes (a benchmark, not a test).
 *
 *   bench_gemv16 [threads] [reps] [T list, e.g. 1,4,16,64] [methods: 1 direct, 3 +blocked, 7
 * +sgemm32]
 *
 * For each shape, dtype and T: gemv16 ("direct"), the prefill path (blocks
 * of rows converted to float32, then cblas_sgemm: "blocked") and cblas_sgemm
 * on a float32 copy ("sgemm32"), and gemv_f32 on that copy (float32 W's
 * few-row path), run interleaved, median and spread (min to max) of `reps`
 * runs; GB/s counts the bytes of W as read (2 or 4 per element), so over the
 * read rate it is the share of the memory stream reached. The float32
 * methods run once per shape, beside the BF16 ones. */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/gemv.h"
#include "compute/gemv16.h"
#include "compute/machine.h"
#include "formats/dtype_convert.h"

#define BLOCK_FLOATS ((size_t)1 << 25) /* as matmul.c's blocked path */

static float *g_block;

static void blocked(float *y, const float *x, const uint16_t *w, Dtype d, int T, int in, int out,
                    int threads) {
    int block_rows = (int)(BLOCK_FLOATS / (size_t)in);
    if (block_rows > out) block_rows = out;
    for (int r0 = 0; r0 < out; r0 += block_rows) {
        int rb = out - r0 < block_rows ? out - r0 : block_rows;
        int chunk = (rb + threads - 1) / threads;
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int k = 0; k < threads; k++) {
            int a = k * chunk, b = a + chunk < rb ? a + chunk : rb;
            if (a < b)
                dtype_convert_row_to_f32(d, w + (size_t)(r0 + a) * in, (size_t)(b - a) * in,
                                         g_block + (size_t)a * in);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, rb, in, 1.0f, x, in, g_block, in,
                    0.0f, y + r0, out);
    }
}

typedef struct {
    double med, lo, hi;
} Stat;

static Stat stat_of(double *v, int n) {
    Stat s;
    s.med = median_of(v, n); /* sorts */
    s.lo = v[0], s.hi = v[n - 1];
    return s;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    int reps = argc > 2 ? atoi(argv[2]) : 7;
    const char *tlist = argc > 3 ? argv[3] : "1,2,4,8,15,16,24,32,48,64";
    int methods = argc > 4 ? atoi(argv[4]) : 15;
    int Ts[32], nT = 0;
    for (const char *p = tlist; *p && nT < 32;) {
        Ts[nT++] = atoi(p);
        p = strchr(p, ',');
        if (!p) break;
        p++;
    }
    machine_set_threads(threads);
    double read = machine_read_gbps(512, 5);
    printf("# threads %d, kernel %s, read %.1f GB/s, reps %d\n", threads, gemv16_kernel(), read,
           reps);
    printf("shape,dtype,T,method,ms_median,ms_min,ms_max,GBps,pct_read,GFLOPs\n");
    const int shapes[][2] = {{4096, 4096}, {11008, 4096}, {4096, 11008}, {32000, 4096}};
    int first_shape = argc > 5 ? atoi(argv[5]) : 0, last_shape = argc > 6 ? atoi(argv[6]) : 3;
    const Dtype dts[] = {DTYPE_BF16, DTYPE_F16};
    g_block = xalloc_floats(BLOCK_FLOATS);
    for (int s = first_shape; s <= last_shape; s++) {
        int out = shapes[s][0], in = shapes[s][1];
        size_t n = (size_t)out * in;
        uint16_t *w = xmalloc(n * sizeof *w);
        float *wf = xalloc_floats(n);
        for (size_t i = 0; i < n; i++)
            wf[i] = (float)((int)(i % 61) - 30) * 0.001f;
        float *x = xalloc_floats((size_t)64 * in), *y = xalloc_floats((size_t)64 * out);
        for (size_t i = 0; i < (size_t)64 * in; i++)
            x[i] = (float)(i % 13) * 0.01f;
        for (int di = 0; di < 2; di++) {
            Dtype d = dts[di];
            for (size_t i = 0; i < n; i++)
                w[i] = d == DTYPE_BF16 ? f32_to_bf16(wf[i]) : f32_to_f16(wf[i]);
            for (int ti = 0; ti < nT; ti++) {
                int T = Ts[ti];
                double tm[4][64];
                int mask = di == 0 ? methods : methods & 3;
                for (int r = -1; r < reps && r < 64; r++)
                    for (int m = 0; m < 4; m++) {
                        if (!(mask >> m & 1)) continue;
                        double t0 = now_seconds();
                        if (m == 0)
                            gemv16(y, x, w, d, T, in, out, 0.0f, threads);
                        else if (m == 1)
                            blocked(y, x, w, d, T, in, out, threads);
                        else if (m == 2)
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, out, in, 1.0f,
                                        x, in, wf, in, 0.0f, y, out);
                        else
                            gemv_f32(y, x, wf, T, in, out, 0.0f, threads);
                        if (r >= 0) tm[m][r] = now_seconds() - t0;
                    }
                const char *names[] = {"direct", "blocked", "sgemm32", "gemv_f32"};
                for (int m = 0; m < 4; m++) {
                    if (!(mask >> m & 1)) continue;
                    Stat st = stat_of(tm[m], reps);
                    double bytes = (double)n * (m >= 2 ? 4 : 2);
                    printf("%dx%d,%s,%d,%s,%.3f,%.3f,%.3f,%.1f,%.1f,%.1f\n", out, in,
                           m >= 2 ? "F32" : dtype_name(d), T, names[m], st.med * 1e3, st.lo * 1e3,
                           st.hi * 1e3, bytes / st.med / 1e9, 100.0 * bytes / st.med / 1e9 / read,
                           2.0 * T * (double)n / st.med / 1e9);
                }
                fflush(stdout);
            }
        }
        free(w), free(wf), free(x), free(y);
    }
    free(g_block);
    return 0;
}
