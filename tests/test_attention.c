/* test_attention.c: attention_causal against a plain full-matrix softmax, for
 * GQA groups, decode and prefill splits, cached contexts crossing several key
 * blocks; attention_bidirectional (encoders) likewise, every query over every
 * key; the same bits on 1 to 4 OpenMP threads; the executed FLOP count. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/attention.h"
#include "testhelp.h"

/* att (n, H*hd): every score of query t over keys [0, ctx0 + t] (causal 0:
 * over all ctx0 + n keys) in double. */
static void attention_reference(const ModelConfig *c, const float *k, const float *v, int kvd,
                                const float *q, float *att, int n, int ctx0, int causal) {
    int H = c->n_heads, hd = c->head_dim, group = H / c->n_kv_heads, qd = H * hd;
    double *w = malloc((size_t)(ctx0 + n) * sizeof(double));
    for (int t = 0; t < n; t++)
        for (int h = 0; h < H; h++) {
            const float *qr = q + (size_t)t * qd + (size_t)h * hd;
            int kvh = h / group, vis = causal ? ctx0 + t + 1 : ctx0 + n;
            double mx = -INFINITY, sum = 0.0;
            for (int j = 0; j < vis; j++) {
                double s = 0.0;
                for (int d = 0; d < hd; d++)
                    s += (double)qr[d] * k[(size_t)j * kvd + (size_t)kvh * hd + d];
                w[j] = s / sqrt((double)hd);
                mx = w[j] > mx ? w[j] : mx;
            }
            for (int j = 0; j < vis; j++)
                sum += (w[j] = exp(w[j] - mx));
            for (int d = 0; d < hd; d++) {
                double o = 0.0;
                for (int j = 0; j < vis; j++)
                    o += w[j] * v[(size_t)j * kvd + (size_t)kvh * hd + d];
                att[(size_t)t * qd + (size_t)h * hd + d] = (float)(o / sum);
            }
        }
    free(w);
}

static float *random_floats(size_t n, float amp) {
    float *x = xalloc_floats(n);
    for (size_t i = 0; i < n; i++)
        x[i] = amp * ((float)rand() / (float)RAND_MAX - 0.5f);
    return x;
}

/* Largest |got - want| relative to the largest |want|. */
static double relative_error(const float *got, const float *want, size_t n) {
    double worst = 0.0, scale = 1e-30;
    for (size_t i = 0; i < n; i++) {
        worst = test_max_error(worst, fabs((double)got[i] - want[i]));
        scale = fabs((double)want[i]) > scale ? fabs((double)want[i]) : scale;
    }
    return worst / scale;
}

/* The attention of c over k and v: causal after ctx0 keys, or bidirectional. */
static void run_attention(const ModelConfig *c, const float *k, const float *v, int kvd,
                          const float *q, float *att, int n, int ctx0, int causal, float *work) {
    if (causal)
        attention_causal(c, k, v, kvd, q, att, n, ctx0, work);
    else
        attention_bidirectional(c, k, v, kvd, q, att, n, work);
}

static void check_case_mode(int H, int KV, int hd, int n, int ctx0, int causal) {
    ModelConfig c = {0};
    c.n_heads = H, c.n_kv_heads = KV, c.head_dim = hd;
    int qd = H * hd, kvd = KV * hd, ctx = ctx0 + n;
    float *q = random_floats((size_t)n * qd, 4.0f);
    float *k = random_floats((size_t)ctx * kvd, 4.0f), *v = random_floats((size_t)ctx * kvd, 2.0f);
    float *want = xalloc_floats((size_t)n * qd), *got = xalloc_floats((size_t)n * qd);
    attention_reference(&c, k, v, kvd, q, want, n, ctx0, causal);
    omp_set_num_threads(1);
    float *work = xalloc_floats(attention_work_floats(&c));
    run_attention(&c, k, v, kvd, q, got, n, ctx0, causal, work);
    free(work);
    char name[128];
    snprintf(name, sizeof name, "%s H %d KV %d hd %d n %d ctx0 %d",
             causal ? "causal" : "bidirectional", H, KV, hd, n, ctx0);
    TEST_CHECK(name, test_all_finite(got, (size_t)n * qd));
    TEST_CHECK(name, relative_error(got, want, (size_t)n * qd) < 1e-5);
    /* Every row the same bits on more threads (work sized for them). */
    float *par = xalloc_floats((size_t)n * qd);
    for (int threads = 2; threads <= 4; threads++) {
        omp_set_num_threads(threads);
        work = xalloc_floats(attention_work_floats(&c));
        memset(par, 0xff, (size_t)n * qd * sizeof(float));
        run_attention(&c, k, v, kvd, q, par, n, ctx0, causal, work);
        free(work);
        char tname[200];
        snprintf(tname, sizeof tname, "%s: %d threads give the 1-thread bits", name, threads);
        TEST_CHECK(tname, memcmp(par, got, (size_t)n * qd * sizeof(float)) == 0);
    }
    omp_set_num_threads(1);
    free(par);
    free(q), free(k), free(v), free(want), free(got);
}

static void check_case(int H, int KV, int hd, int n, int ctx0) {
    check_case_mode(H, KV, hd, n, ctx0, 1);
}

/* attention_flops: what the tiles score, between the causal triangle and the
 * full square of keys. */
static void check_flops(void) {
    ModelConfig c = {0};
    c.n_heads = 2, c.n_kv_heads = 2, c.head_dim = 8;
    /* decode: 4 flops per key and dim, for each head */
    TEST_CHECK("flops: one token after 9 keys", attention_flops(&c, 1, 9) == 4.0 * 10 * 8 * 2);
    /* 600 rows in tiles of 128: tile t0 scores t0 + rows keys */
    double want = 0;
    for (int t0 = 0; t0 < 600; t0 += 128) {
        int rows = 600 - t0 < 128 ? 600 - t0 : 128;
        want += 4.0 * rows * (t0 + rows) * 8 * 2;
    }
    double got = attention_flops(&c, 600, 0);
    TEST_CHECK("flops: 600-token prefill as tiled", got == want);
    TEST_CHECK("flops: above the triangle", got > 4.0 * 600 * 601 / 2 * 8 * 2);
    TEST_CHECK("flops: below the square", got < 4.0 * 600 * 600 * 8 * 2);
}

int main(void) {
    srand(12);
    check_case(4, 4, 16, 1, 0);           /* one token, nothing cached */
    check_case(8, 2, 32, 1, 600);         /* GQA decode over three key blocks */
    check_case(8, 2, 32, 3, 300);         /* a few tokens: one pass per group */
    check_case(6, 3, 16, 5, 0);           /* more tokens than a group: per head */
    check_case(4, 1, 64, 200, 0);         /* prefill, query tiles */
    check_case(4, 2, 16, 130, 400);       /* prefill after a cache, block edges */
    check_case(2, 2, 8, 600, 0);          /* long prefill: tiles past several key blocks */
    check_case(1, 1, 32, 300, 0);         /* one head: fewer tiles than threads */
    check_case(1, 1, 32, 100, 0);         /* one task only */
    check_case_mode(4, 4, 16, 1, 0, 0);   /* encoder: one token */
    check_case_mode(4, 4, 16, 5, 0, 0);   /* a short sequence, the first row sees the last */
    check_case_mode(2, 2, 8, 600, 0, 0);  /* every tile over several key blocks */
    check_case_mode(1, 1, 32, 300, 0, 0); /* one head */
    check_flops();
    return test_report("test_attention");
}
