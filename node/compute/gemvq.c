/* gemvq.c: see gemvq.h. The scalar kernel, the choice among kernels, the
 * split of rows over threads, and the panel path for many rows. */
#include "compute/gemvq.h"

#include <cblas.h>
#include <omp.h>
#include <stdlib.h>

#include "base/util.h"
#include "compute/cpu_choice.h"
#include "compute/gemvq_rows.h"
#include "formats/quant.h"

/* Floats of one dequantized panel by default (16 MiB). */
#define GEMVQ_PANEL_FLOATS ((size_t)1 << 22)

/* ---- scalar: the row dequantized, then one float sum value by value ---- */
static void rows_scalar(Dtype d, float *y, const float *x, const uint8_t *w, size_t row_bytes,
                        int T, int in, int out, float beta, int r0, int r1) {
    float *row = xalloc_floats((size_t)in); /* (in): this call's, freed below */
    for (int o = r0; o < r1; o++) {
        dequantize_row(d, w + (size_t)o * row_bytes, row, in);
        for (int t = 0; t < T; t++) {
            const float *xr = x + (size_t)t * in;
            float v = 0.0f;
            for (int i = 0; i < in; i++)
                v += row[i] * xr[i];
            gemvq_store(y + (size_t)t * out + o, v, beta);
        }
    }
    free(row);
}

/* ---- dispatch ---- */
static int cpu_has_avx512(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("f16c") &&
           cpu_has_avx2_fma();
}
static int cpu_has_avx2(void) {
    return cpu_has_avx2_fma() && __builtin_cpu_supports("f16c");
}
static const CpuVersion versions[] = {
    {"avx512", cpu_has_avx512},
    {"avx2", cpu_has_avx2},
    {"scalar", cpu_has_any},
};
static const GemvqRowsFn kernels[] = {gemvq_rows_avx512, gemvq_rows_avx2,
                                      rows_scalar}; /* parallel to versions */
static CpuChoice choice = CPU_CHOICE(versions);

const char *gemvq_kernel(void) {
    return versions[cpu_choice_index(&choice)].name;
}

int gemvq_use_kernel(const char *name) {
    return cpu_choice_use(&choice, name);
}

static void require_quant(Dtype d, const char *what) {
    if (!dtype_is_quant(d)) die_runtime("%s: %s is not a block format", what, dtype_name(d));
}

void gemvq(float *y, const float *x, const void *w, Dtype d, int T, int in, int out, float beta,
           int threads) {
    require_quant(d, "gemvq");
    size_t row_bytes = dtype_row_bytes(d, in);
    GemvqRowsFn rows = kernels[cpu_choice_index(&choice)];
    int n = threads > 0 ? threads : 1;
    if (n > out) n = out;
    if (n <= 1) {
        rows(d, y, x, w, row_bytes, T, in, out, beta, 0, out);
        return;
    }
    int slice = (out + n - 1) / n; /* one contiguous slice of rows per thread */
#pragma omp parallel num_threads(n)
    {
        int k = omp_get_thread_num();
        int r0 = k * slice, r1 = r0 + slice < out ? r0 + slice : out;
        if (r0 < r1) rows(d, y, x, w, row_bytes, T, in, out, beta, r0, r1);
    }
}

void gemvq_panels(float *y, const float *x, const void *w, Dtype d, int T, int in, int out,
                  float beta, int threads, int panel_rows) {
    static float *panel; /* (panel_rows, in): a rank runs one product at a time */
    static size_t cap;
    require_quant(d, "gemvq_panels");
    size_t row_bytes = dtype_row_bytes(d, in);
    int pr = panel_rows > 0 ? panel_rows : (int)(GEMVQ_PANEL_FLOATS / (size_t)(in > 0 ? in : 1));
    if (pr < 1) pr = 1;
    if (pr > out) pr = out;
    size_t need = (size_t)pr * (size_t)in;
    if (need > cap) {
        free(panel);
        panel = xalloc_floats(need);
        cap = need;
    }
    int n = threads > 0 ? threads : 1;
    const uint8_t *W = w;
    for (int r0 = 0; r0 < out; r0 += pr) {
        int rb = out - r0 < pr ? out - r0 : pr;
#pragma omp parallel for num_threads(n) schedule(static)
        for (int r = 0; r < rb; r++)
            dequantize_row(d, W + (size_t)(r0 + r) * row_bytes, panel + (size_t)r * in, in);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, rb, in, 1.0f, x, in, panel, in,
                    beta, y + r0, out);
    }
}
