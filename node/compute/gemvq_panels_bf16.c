/* gemvq_panels_bf16.c: see gemvq.h. Prefill on block-format weights in the
 * BF16 compute mode: panels of rows dequantized straight to BF16 and
 * multiplied by oneDNN's BF16 matmul (matmul_dnnl.h). */
#include <immintrin.h>
#include <omp.h>
#include <stdlib.h>

#include "base/util.h"
#include "compute/gemvq.h"
#include "compute/matmul_dnnl.h"
#include "formats/quant.h"

/* BF16 values of one panel by default (16 MiB): it stays in the 32 MiB L3
 * of the development machine while oneDNN walks it (a BF16 x of 512 tokens
 * of 4096 is 4 MiB more). Smaller panels were slower there (a 4096 x 4096
 * Q8_0 product, T = 512, 2 threads: 32 rows 7 GFLOP/s, 256 rows 25-45, 512
 * rows 29-70, the whole matrix 79; a loaded machine, so wide ranges): each
 * oneDNN call has a fixed cost of a few milliseconds. */
#define GEMVQ_PANEL_BF16 ((size_t)1 << 23)

/* dst (n) = src (n) rounded to BF16, nearest even (n a multiple of 16, as
 * every block format's row is). Only called where matmul_dnnl_usable(),
 * so the CPU has AVX512_BF16. */
__attribute__((target("avx512f,avx512bf16"))) static void round_row(uint16_t *dst, const float *src,
                                                                    int n) {
    for (int i = 0; i < n; i += 16) {
        __m256bh b = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + i));
        _mm256_storeu_si256((__m256i *)(dst + i), (__m256i)b);
    }
}

void gemvq_panels_bf16(float *y, const float *x, const void *w, Dtype d, int T, int in, int out,
                       float beta, int threads, int panel_rows) {
    static uint16_t *panel; /* (panel_rows, in): a rank runs one product at a time */
    static size_t cap;
    static float *rowbuf; /* (threads, in): one float32 row per thread */
    static size_t rowcap;
    if (!dtype_is_quant(d))
        die_runtime("gemvq_panels_bf16: %s is not a block format", dtype_name(d));
    if (in % 16) die_runtime("gemvq_panels_bf16: in = %d is not a multiple of 16", in);
    size_t row_bytes = dtype_row_bytes(d, in);
    int pr = panel_rows > 0 ? panel_rows : (int)(GEMVQ_PANEL_BF16 / (size_t)(in > 0 ? in : 1));
    int n = threads > 0 ? threads : 1;
    if (pr < 1) pr = 1;
    if (pr > out) pr = out;
    size_t need = (size_t)pr * (size_t)in;
    if (need > cap) {
        free(panel);
        panel = xmalloc(need * sizeof *panel);
        cap = need;
    }
    if ((size_t)n * in > rowcap) {
        free(rowbuf);
        rowbuf = xalloc_floats((size_t)n * in);
        rowcap = (size_t)n * in;
    }
    const uint16_t *xb = matmul_dnnl_round_x(x, (size_t)T * in, n);
    const uint8_t *W = w;
    for (int r0 = 0; r0 < out; r0 += pr) {
        int rb = out - r0 < pr ? out - r0 : pr;
#pragma omp parallel num_threads(n)
        {
            float *row = rowbuf + (size_t)omp_get_thread_num() * in;
#pragma omp for schedule(static)
            for (int r = 0; r < rb; r++) {
                dequantize_row(d, W + (size_t)(r0 + r) * row_bytes, row, in);
                round_row(panel + (size_t)r * in, row, in);
            }
        }
        matmul_dnnl_bf16_ld(y + r0, out, xb, panel, T, rb, in, beta, n);
    }
}
