/* gemvq8.c: see gemvq8.h. The scalar kernel (the reference of the order of
 * sums), the choice among kernels and the split of rows over threads. */
#include "compute/gemvq8.h"

#include <math.h>
#include <omp.h>

#include "base/util.h"
#include "compute/cpu_choice.h"
#include "compute/gemvq8_rows.h"
#include "compute/gemvq_rows.h"
#include "formats/quant.h"

static float f16_at(const uint8_t *p) {
    return f16_to_f32(gemvq_u16(p));
}

/* The dot of one row of W (at wr, `in` values) with one row of a (its
 * values q, block scales dx, sums of 16 S), lane by lane in gemvq8.h's order. */
static float dot_scalar(Dtype d, const uint8_t *wr, int in, const int8_t *q, const float *dx,
                        const int16_t *S) {
    const int bv = dtype_block_values(d), lanes = bv == 32 ? 8 : 16;
    const size_t bb = dtype_block_bytes(d);
    float acc[16] = {0};
    int qw[256], sc[16], m[8];
    for (int b = 0; b < in / bv; b++, wr += bb, q += bv, S += bv / 16) {
        quant_block_ints(d, wr, qw);
        float dw = f16_at(d == DTYPE_Q6_K ? wr + 208 : wr);
        if (d == DTYPE_Q4_K || d == DTYPE_Q5_K)
            for (int j = 0; j < 8; j++) {
                uint8_t s6, m6;
                quant_scale_min_k4(j, wr + 4, &s6, &m6);
                sc[2 * j] = sc[2 * j + 1] = s6, m[j] = m6; /* per 16 values */
            }
        else if (d == DTYPE_Q6_K)
            for (int c = 0; c < 16; c++)
                sc[c] = (int8_t)wr[192 + c];
        for (int l = 0; l < lanes; l++) {
            int I = 0;
            if (lanes == 8)
                for (int i = 4 * l; i < 4 * l + 4; i++)
                    I += qw[i] * q[i];
            else
                for (int k = 0; k < 4; k++)
                    for (int i = 64 * k + 4 * l; i < 64 * k + 4 * l + 4; i++)
                        I += sc[i / 16] * (qw[i] + (d == DTYPE_Q6_K ? 32 : 0)) * q[i];
            if (d == DTYPE_Q6_K && l < 8)
                I -= 32 * (sc[2 * l] * S[2 * l] + sc[2 * l + 1] * S[2 * l + 1]);
            acc[l] = fmaf(dw * dx[b], (float)I, acc[l]);
        }
        if (d == DTYPE_Q4_K || d == DTYPE_Q5_K) {
            float dm = -(f16_at(wr + 2) * dx[b]);
            for (int l = 0; l < 8; l++)
                acc[l] = fmaf(dm, (float)(m[l] * (S[2 * l] + S[2 * l + 1])), acc[l]);
        }
    }
    return gemvq8_fold(acc, lanes);
}

static void rows_scalar(Dtype d, float *y, const ActQ8 *a, const uint8_t *w, size_t row_bytes,
                        int out, float beta, int r0, int r1) {
    const int in = a->in, nb = in / a->block;
    for (int o = r0; o < r1; o++)
        for (int t = 0; t < a->T; t++) {
            size_t at = (size_t)t * in;
            float v = dot_scalar(d, w + (size_t)o * row_bytes, in, a->q + at, a->d + (size_t)t * nb,
                                 a->sum16 + at / 16);
            gemvq_store(y + (size_t)t * out + o, v, beta);
        }
}

/* ---- dispatch ---- */
static int cpu_has_avx512_vnni(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
           __builtin_cpu_supports("f16c") && cpu_has_avx2_fma();
}
static int cpu_has_avx2(void) {
    return cpu_has_avx2_fma() && __builtin_cpu_supports("f16c");
}
static const CpuVersion versions[] = {
    {"avx512", cpu_has_avx512_vnni},
    {"avx2", cpu_has_avx2},
    {"scalar", cpu_has_any},
};
static const Gemvq8RowsFn kernels[] = {gemvq8_rows_avx512, gemvq8_rows_avx2,
                                       rows_scalar}; /* parallel to versions */
static CpuChoice choice = CPU_CHOICE(versions);

const char *gemvq8_kernel(void) {
    return versions[cpu_choice_index(&choice)].name;
}

int gemvq8_use_kernel(const char *name) {
    return cpu_choice_use(&choice, name);
}

int gemvq8_fast(void) {
    return cpu_has_avx512_vnni() || cpu_has_avx2();
}

void gemvq8(float *y, const float *x, const void *w, Dtype d, int T, int in, int out, float beta,
            int threads) {
    static ActQ8 a; /* a rank runs one product at a time */
    if (!dtype_is_quant(d)) die_runtime("gemvq8: %s is not a block format", dtype_name(d));
    size_t row_bytes = dtype_row_bytes(d, in);
    act_q8_quantize(&a, x, T, in, dtype_block_values(d));
    Gemvq8RowsFn rows = kernels[cpu_choice_index(&choice)];
    int n = threads > 0 ? threads : 1;
    if (n > out) n = out;
    if (n <= 1) {
        rows(d, y, &a, w, row_bytes, out, beta, 0, out);
        return;
    }
    int slice = (out + n - 1) / n; /* one contiguous slice of rows per thread */
#pragma omp parallel num_threads(n)
    {
        int k = omp_get_thread_num();
        int r0 = k * slice, r1 = r0 + slice < out ? r0 + slice : out;
        if (r0 < r1) rows(d, y, &a, w, row_bytes, out, beta, r0, r1);
    }
}
