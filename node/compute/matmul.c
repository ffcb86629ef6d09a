/* matmul.c: see matmul.h. */
#include "compute/matmul.h"

#include <cblas.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/gemv.h"
#include "compute/kernels.h"
#include "compute/matmul_dnnl.h"
#include "formats/dtype_avx2.h"
#include "formats/dtype_convert.h"

/* Below this many tokens float32 rows are not multiplied by sgemm, which
 * packs all of W on every call: one token goes to cblas_sgemv (measured a
 * little faster than gemv_f32 on 2 cores while attention's sgemm calls keep
 * OpenBLAS's own threads awake), 2 or 3 to gemv_f32, which reads W once for
 * all of them where sgemv would read it once per token. */
#define MATMUL_GEMV_TOKENS 4
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
    return -1;
}

const char *matmul_compute_name(MatmulCompute c) {
    return c == MATMUL_COMPUTE_BF16 ? "bf16" : c == MATMUL_COMPUTE_F32 ? "f32" : "auto";
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
    if (d != DTYPE_BF16 || g_compute == MATMUL_COMPUTE_F32) return MATMUL_COMPUTE_F32;
    return matmul_dnnl_usable() ? MATMUL_COMPUTE_BF16 : MATMUL_COMPUTE_F32;
}

__attribute__((target("avx2,fma,f16c"))) static float dot16_avx2(Dtype d, const uint16_t *w,
                                                                 const float *x, int n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(dtype_load8_avx2(d, w + i), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(dtype_load8_avx2(d, w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
    }
    a0 = _mm256_add_ps(a0, a1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a0), _mm256_extractf128_ps(a0, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    float r = _mm_cvtss_f32(s);
    for (; i < n; i++)
        r += dtype_half_to_f32(d, w[i]) * x[i];
    return r;
}

static float dot16_scalar(Dtype d, const uint16_t *w, const float *x, int n) {
    float r = 0.0f;
    for (int i = 0; i < n; i++)
        r += dtype_half_to_f32(d, w[i]) * x[i];
    return r;
}

/* y (T, rows) = x W^T + beta y, reading each 16-bit row once for all T tokens. */
static void matmul16_direct(float *y, const float *x, const WeightMatrix *w, int T, float beta) {
    const uint16_t *W = w->data;
    int rows = w->rows, cols = w->cols;
    /* The kernel is chosen once per call: a row's dot product is short. */
    float (*dot16)(Dtype, const uint16_t *, const float *, int) =
        dtype_cpu_has_avx2() ? dot16_avx2 : dot16_scalar;
#pragma omp parallel for num_threads(g_threads) schedule(static)
    for (int o = 0; o < rows; o++)
        for (int t = 0; t < T; t++) {
            float v = dot16(w->dtype, W + (size_t)o * cols, x + (size_t)t * cols, cols);
            float *dst = y + (size_t)t * rows + o;
            *dst = beta == 0.0f ? v : v + beta * *dst;
        }
}

/* The same by blocks of rows converted to float32 and multiplied by sgemm. */
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

/* y (T, rows) = x W^T + beta y for a float32 W (out = rows, in = cols). */
static void matmul32(float *y, const float *x, const float *W, int T, int cols, int rows,
                     float beta) {
    if (T == 1) { /* y (rows) = W (rows, cols) x (cols) + beta y */
        /* Zeroed first: not every BLAS leaves a NaN in y out when beta is 0. */
        if (beta == 0.0f) memset(y, 0, (size_t)rows * sizeof *y);
        cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, cols, 1.0f, W, cols, x, 1, beta, y, 1);
    } else if (T < MATMUL_GEMV_TOKENS)
        gemv_f32(y, x, W, T, cols, rows, beta, g_threads);
    else
        matmul_xwt(y, x, W, T, cols, rows, beta);
}

void matmul_weights(float *y, const float *x, const WeightMatrix *w, int T, float beta) {
    if (w->dtype == DTYPE_F32)
        matmul32(y, x, w->data, T, w->cols, w->rows, beta);
    else if (T < MATMUL_DIRECT_TOKENS)
        matmul16_direct(y, x, w, T, beta);
    else if (matmul_compute_for(w->dtype) == MATMUL_COMPUTE_BF16)
        matmul_dnnl_bf16(y, x, w->data, T, w->rows, w->cols, beta, g_threads);
    else if (w->f32)
        matmul_xwt(y, x, w->f32, T, w->cols, w->rows, beta);
    else
        matmul16_blocked(y, x, w, T, beta);
}
