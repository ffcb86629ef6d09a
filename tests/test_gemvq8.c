/* test_gemvq8.c: activations quantized to 8 bits (act_q8.h) and the
 * integer kernels on block-format weights (gemvq8.h).
 *
 * Activations: every q within [-127, 127], |x - d q| <= d / 2 (rounding to
 * nearest), the max of each block maps to +-127, sums of 16 right, a block
 * of zeros all zero.
 * Kernels, for every format, random rows of 1, 2 and 5 blocks, out = 1, 5
 * and 13, T = 1..11 (past the 8 tokens of a pass), 1 to 3 threads, beta 0
 * and 1:
 *  - every kernel this CPU runs gives the same bits (gemvq8.h's order);
 *  - against the dequantized W times the dequantized activations (d q) in
 *    double: within 8 * 2^-24 * (blocks + 1) of the sum of |products|
 *    (the integer sums are exact, only the float sums of blocks round);
 *  - against the float32 x (what the q8 mode gives up): within the bound
 *    sum_i |w_i| d_i / 2 of x's rounding, plus float rounding;
 *  - rows independent: row t of a T-token call equals a 1-token call, bit
 *    for bit, whatever the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/act_q8.h"
#include "compute/gemvq8.h"
#include "formats/quant.h"
#include "quant_random.h"
#include "testhelp.h"

static const Dtype formats[] = {DTYPE_Q8_0, DTYPE_Q4_0, DTYPE_Q4_K, DTYPE_Q5_K, DTYPE_Q6_K};

static void check_activations(void) {
    enum { T = 3, IN = 512 };
    float x[T * IN];
    for (int i = 0; i < T * IN; i++)
        x[i] = test_rand_unit() * (i % 97 == 0 ? 40.0f : 1.0f);
    for (int i = 256; i < 512; i++)
        x[i] = 0.0f; /* row 0's second block of 256: zeros */
    ActQ8 a = {0};
    int fails = 0;
    for (int block = 32; block <= 256; block *= 8) {
        act_q8_quantize(&a, x, T, IN, block);
        for (int b = 0; b < T * IN / block; b++) {
            float d = a.d[b], amax = 0;
            int qmax = 0;
            for (int i = b * block; i < (b + 1) * block; i++) {
                int q = a.q[i];
                amax = fmaxf(amax, fabsf(x[i]));
                qmax = abs(q) > qmax ? abs(q) : qmax;
                if (q < -127 || q > 127) fails++;
                if (!(fabsf(x[i] - d * (float)q) <= d * 0.5f * (1 + 1e-6f) + 1e-30f)) fails++;
            }
            if (amax > 0 && (qmax != 127 || d != amax / 127.0f)) fails++;
            if (amax == 0 && d != 0) fails++;
        }
        for (int k = 0; k < T * IN / 16; k++) {
            int s = 0;
            for (int i = 16 * k; i < 16 * k + 16; i++)
                s += a.q[i];
            if (a.sum16[k] != s) fails++;
        }
    }
    act_q8_free(&a);
    TEST_CHECK("activations: range, rounding to nearest, max at 127, zeros, sums of 16",
               fails == 0);
}

/* y (T, out) against double products of W's values wf with xs (T, in). */
static double worst_error(const float *y, const float *y0, const float *xs, const float *wf, int T,
                          int in, int out, float beta) {
    double worst = 0;
    for (int t = 0; t < T; t++)
        for (int o = 0; o < out; o++) {
            double s = 0, mag = 0;
            for (int i = 0; i < in; i++) {
                double p = (double)wf[(size_t)o * in + i] * xs[(size_t)t * in + i];
                s += p, mag += fabs(p);
            }
            double want = s + (beta != 0 ? (double)beta * y0[t * out + o] : 0);
            mag += beta != 0 ? fabs((double)y0[t * out + o]) : 0;
            double e = fabs(y[t * out + o] - want) / (mag > 0 ? mag : 1);
            worst = e > worst ? e : worst;
        }
    return worst;
}

/* How many outputs of y are off the float32 x's product by more than the
 * rounding bound of the q8 mode, sum_i |w_i| d_i / 2 (d_i the scale of x_i's
 * block), relative to the sum of |products| as worst_error. */
static int over_rounding_bound(const float *y, const float *y0, const ActQ8 *q, const float *x,
                               const float *wf, int T, int in, int out, float beta) {
    int over = 0;
    for (int t = 0; t < T; t++)
        for (int o = 0; o < out; o++) {
            double want = 0, mag = 0, bound = 0;
            for (int i = 0; i < in; i++) {
                double wv = wf[(size_t)o * in + i], xv = x[(size_t)t * in + i];
                want += wv * xv, mag += fabs(wv * xv);
                bound += fabs(wv) * q->d[((size_t)t * in + i) / q->block] * 0.5;
            }
            if (beta != 0) want += y0[t * out + o], mag += fabs(y0[t * out + o]);
            if (!(fabs(y[t * out + o] - want) <= bound * 1.001 + 1e-5 * mag)) over++;
        }
    return over;
}

static void check_format(Dtype d) {
    const char *kernels[] = {"avx512", "avx2", "scalar"};
    int bv = dtype_block_values(d), nbs[] = {1, 2, 5}, outs[] = {1, 5, 13}, max_t = 11;
    int mismatch = 0, over_exact = 0, over_rounding = 0, dependent = 0, ran = 0;
    double worst_exact = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            int in = nbs[a] * bv, out = outs[b];
            float *wf = malloc(sizeof(float) * out * in);
            uint8_t *w = quant_random_matrix(d, out, in, wf);
            float *x = malloc(sizeof(float) * max_t * in), *xs = malloc(sizeof(float) * max_t * in);
            float *y0 = malloc(sizeof(float) * max_t * out),
                  *y = malloc(sizeof(float) * max_t * out);
            float *ref = malloc(sizeof(float) * max_t * out), *one = malloc(sizeof(float) * out);
            for (int T = 1; T <= max_t; T += 2)
                for (int threads = 1; threads <= 3; threads++)
                    for (int beta = 0; beta <= 1; beta++) {
                        for (int i = 0; i < T * in; i++)
                            x[i] = test_rand_unit();
                        ActQ8 q = {0};
                        act_q8_quantize(&q, x, T, in, bv);
                        for (int i = 0; i < T * in; i++)
                            xs[i] = q.d[i / bv] * (float)q.q[i];
                        for (int i = 0; i < T * out; i++)
                            y0[i] = beta ? test_rand_unit() : NAN;
                        int have_ref = 0;
                        for (int k = 0; k < 3; k++) {
                            if (!gemvq8_use_kernel(kernels[k])) continue;
                            memcpy(y, y0, sizeof(float) * T * out);
                            gemvq8(y, x, w, d, T, in, out, (float)beta, threads);
                            ran++;
                            if (!have_ref)
                                memcpy(ref, y, sizeof(float) * T * out), have_ref = 1;
                            else if (memcmp(ref, y, sizeof(float) * T * out))
                                mismatch++;
                            double e = worst_error(y, y0, xs, wf, T, in, out, (float)beta);
                            worst_exact = e > worst_exact ? e : worst_exact;
                            if (!(e <= 8.0 * 0x1p-24 * (in / bv + 1))) over_exact++;
                            over_rounding +=
                                over_rounding_bound(y, y0, &q, x, wf, T, in, out, (float)beta);
                            for (int t = 0; t < T; t++) { /* row t alone, one thread */
                                memcpy(one, y0 + t * out, sizeof(float) * out);
                                gemvq8(one, x + (size_t)t * in, w, d, 1, in, out, (float)beta, 1);
                                if (memcmp(one, y + t * out, sizeof(float) * out)) dependent++;
                            }
                        }
                        act_q8_free(&q);
                    }
            free(wf), free(w), free(x), free(xs), free(y0), free(y), free(ref), free(one);
        }
    if (!gemvq8_use_kernel("avx512") && !gemvq8_use_kernel("avx2")) gemvq8_use_kernel("scalar");
    char name[128];
    snprintf(name, sizeof name, "%s: every kernel the same bits (%d runs)", dtype_name(d), ran);
    TEST_CHECK(name, mismatch == 0 && ran > 0);
    snprintf(name, sizeof name, "%s: exact on the rounded activations (worst %.3g)", dtype_name(d),
             worst_exact);
    TEST_CHECK(name, over_exact == 0);
    snprintf(name, sizeof name, "%s: within the rounding bound of x", dtype_name(d));
    TEST_CHECK(name, over_rounding == 0);
    snprintf(name, sizeof name, "%s: rows independent bit for bit", dtype_name(d));
    TEST_CHECK(name, dependent == 0);
}

int main(void) {
    srand(7);
    printf("gemvq8 kernel: %s\n", gemvq8_kernel());
    check_activations();
    for (int f = 0; f < 5; f++)
        check_format(formats[f]);
    return test_report("test_gemvq8");
}
