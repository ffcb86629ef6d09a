/* matmul.c: see matmul.h. */
#include "compute/matmul.h"

#include <cblas.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/gemv.h"
#include "compute/gemv16.h"
#include "compute/gemvq.h"
#include "compute/gemvq8.h"
#include "compute/kernels.h"
#include "compute/matmul_dnnl.h"
#include "formats/dtype_convert.h"

/* Floats converted per sgemm call in the blocked path (128 MiB): large, as
 * every call packs x again, small enough not to double a station's memory. */
#define MATMUL_BLOCK_FLOATS ((size_t)1 << 25)

static int g_threads = 1;

void matmul_set_threads(int n) {
    g_threads = n > 0 ? n : 1;
}

static MatmulCompute g_compute = MATMUL_COMPUTE_AUTO;

int matmul_compute_parse(const char *s) {
    if (!strcmp(s, "auto")) return MATMUL_COMPUTE_AUTO;
    if (!strcmp(s, "f32")) return MATMUL_COMPUTE_F32;
    if (!strcmp(s, "bf16")) return MATMUL_COMPUTE_BF16;
    if (!strcmp(s, "q8")) return MATMUL_COMPUTE_Q8;
    return -1;
}

const char *matmul_compute_name(MatmulCompute c) {
    return c == MATMUL_COMPUTE_BF16  ? "bf16"
           : c == MATMUL_COMPUTE_F32 ? "f32"
           : c == MATMUL_COMPUTE_Q8  ? "q8"
                                     : "auto";
}

void matmul_set_compute(MatmulCompute c) {
    if (c == MATMUL_COMPUTE_BF16 && !matmul_dnnl_usable())
        die_input("--compute bf16: rank %d cannot multiply in BF16 at speed (oneDNN: %s); "
                  "use --compute f32",
                  util_rank(), matmul_dnnl_isa());
    g_compute = c;
}

MatmulCompute matmul_compute(void) {
    return g_compute;
}

MatmulCompute matmul_compute_for(Dtype d) {
    if ((d != DTYPE_BF16 && !dtype_is_quant(d)) || g_compute == MATMUL_COMPUTE_F32)
        return MATMUL_COMPUTE_F32;
    return matmul_dnnl_usable() ? MATMUL_COMPUTE_BF16 : MATMUL_COMPUTE_F32;
}

int matmul_decode_q8(Dtype d) {
    return dtype_is_quant(d) &&
           (g_compute == MATMUL_COMPUTE_Q8 || (g_compute == MATMUL_COMPUTE_AUTO && gemvq8_fast()));
}

/* y (T, rows) = x W^T + beta y for a 16-bit W, by blocks of rows converted to
 * float32 and multiplied by sgemm. */
static void matmul16_blocked(float *y, const float *x, const WeightMatrix *w, int T, float beta) {
    static float *block; /* (block_rows, cols): a rank runs one matmul at a time */
    static size_t cap;
    int rows = w->rows, cols = w->cols;
    int block_rows = (int)(MATMUL_BLOCK_FLOATS / (size_t)cols);
    if (block_rows < 1) block_rows = 1;
    if (block_rows > rows) block_rows = rows;
    size_t need = (size_t)block_rows * cols;
    if (need > cap) {
        free(block);
        block = xalloc_floats(need);
        cap = need;
    }
    const uint16_t *W = w->data;
    for (int r0 = 0; r0 < rows; r0 += block_rows) {
        int rb = rows - r0 < block_rows ? rows - r0 : block_rows;
        int chunk = (rb + g_threads - 1) / g_threads;
#pragma omp parallel for num_threads(g_threads) schedule(static)
        for (int k = 0; k < g_threads; k++) {
            int a = k * chunk, b = a + chunk < rb ? a + chunk : rb;
            if (a < b)
                dtype_convert_row_to_f32(w->dtype, W + (size_t)(r0 + a) * cols,
                                         (size_t)(b - a) * cols, block + (size_t)a * cols);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, rb, cols, 1.0f, x, cols, block,
                    cols, beta, y + r0, rows);
    }
}

void matmul_weights(float *y, const float *x, const WeightMatrix *w, int T, float beta) {
    if (dtype_is_quant(w->dtype)) { /* block formats: gemvq8.h, gemvq.h, panels */
        if (T < MATMUL_DIRECT_TOKENS && matmul_decode_q8(w->dtype))
            gemvq8(y, x, w->data, w->dtype, T, w->cols, w->rows, beta, g_threads);
        else if (T < MATMUL_DIRECT_TOKENS)
            gemvq(y, x, w->data, w->dtype, T, w->cols, w->rows, beta, g_threads);
        else if (w->f32)
            matmul_xwt(y, x, w->f32, T, w->cols, w->rows, beta);
        else if (matmul_compute_for(w->dtype) == MATMUL_COMPUTE_BF16)
            gemvq_panels_bf16(y, x, w->data, w->dtype, T, w->cols, w->rows, beta, g_threads, 0);
        else
            gemvq_panels(y, x, w->data, w->dtype, T, w->cols, w->rows, beta, g_threads, 0);
        return;
    }
    if (T < MATMUL_DIRECT_TOKENS) { /* few rows: row-independent kernels */
        if (w->dtype == DTYPE_F32)
            gemv_f32(y, x, w->data, T, w->cols, w->rows, beta, g_threads);
        else
            gemv16(y, x, w->data, w->dtype, T, w->cols, w->rows, beta, g_threads);
    } else if (w->dtype == DTYPE_F32)
        matmul_xwt(y, x, w->data, T, w->cols, w->rows, beta);
    else if (matmul_compute_for(w->dtype) == MATMUL_COMPUTE_BF16)
        matmul_dnnl_bf16(y, x, w->data, T, w->rows, w->cols, beta, g_threads);
    else if (w->f32)
        matmul_xwt(y, x, w->f32, T, w->cols, w->rows, beta);
    else
        matmul16_blocked(y, x, w, T, beta);
}
