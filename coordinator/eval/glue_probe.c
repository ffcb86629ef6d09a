/* glue_probe.c: see glue_probe.h. */
#include "eval/glue_probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <linear.h>

#include "base/util.h"

/* LAPACK's Cholesky solve as OpenBLAS exports it (Fortran calling
 * convention, with the hidden length of the character argument last); Debian's
 * OpenBLAS carries LAPACK but not the LAPACKE wrappers. */
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda, double *b,
            const int *ldb, int *info, size_t uplo_len);

/* Rows of features turned into double at a time for the ridge sums. */
#define GLUE_RIDGE_CHUNK 1024

void glue_standardize(float *train, int n, int D, float *other, int m) {
    double *mean = xcalloc((size_t)D * 2, sizeof(double)), *sd = mean + D;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < D; j++)
            mean[j] += train[(size_t)i * D + j];
    for (int j = 0; j < D; j++)
        mean[j] /= n > 0 ? n : 1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < D; j++) {
            double d = train[(size_t)i * D + j] - mean[j];
            sd[j] += d * d;
        }
    for (int j = 0; j < D; j++) {
        sd[j] = n > 0 ? sqrt(sd[j] / n) : 0;
        if (!(sd[j] > 1e-12)) sd[j] = 1; /* a constant column: centered only */
    }
    for (int pass = 0; pass < 2; pass++) {
        float *x = pass ? other : train;
        int rows = pass ? m : n;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < D; j++)
                x[(size_t)i * D + j] = (float)((x[(size_t)i * D + j] - mean[j]) / sd[j]);
    }
    free(mean);
}

static void print_nothing(const char *s) {
    (void)s;
}

/* Rows of x (rows, D) as liblinear reads them: 1-based indices of the
 * nonzero values, the bias feature D+1 of value 1, then index -1. *nodes
 * gets the storage the rows point into. Caller frees both. */
static struct feature_node **sparse_rows(const float *x, int rows, int D,
                                         struct feature_node **nodes) {
    size_t per_row = (size_t)D + 2;
    struct feature_node *all = xmalloc(mul_size_checked(
        mul_size_checked((size_t)rows, per_row, "liblinear rows"), sizeof *all, "liblinear rows"));
    struct feature_node **row = xmalloc((size_t)(rows > 0 ? rows : 1) * sizeof *row);
    struct feature_node *p = all;
    for (int i = 0; i < rows; i++) {
        row[i] = p;
        for (int j = 0; j < D; j++) {
            float v = x[(size_t)i * D + j];
            if (v != 0) *p++ = (struct feature_node){j + 1, v};
        }
        *p++ = (struct feature_node){D + 1, 1.0};
        *p++ = (struct feature_node){-1, 0};
    }
    *nodes = all;
    return row;
}

void glue_logistic_predict(const float *x, const int *y, int n, int D, int num_labels, double C,
                           const float *q, int m, int *pred) {
    if (n < 1) die_runtime("glue_logistic_predict: no training rows");
    set_print_string_function(print_nothing);
    double *labels = xmalloc((size_t)n * sizeof *labels);
    for (int i = 0; i < n; i++) {
        if (y[i] < 0 || y[i] >= num_labels)
            die_runtime("glue_logistic_predict: label %d of row %d is not in [0, %d)", y[i], i,
                        num_labels);
        labels[i] = y[i];
    }
    struct feature_node *train_nodes, *query_nodes;
    struct feature_node **rows = sparse_rows(x, n, D, &train_nodes);
    struct problem prob = {.l = n, .n = D + 1, .y = labels, .x = rows, .bias = 1};
    struct parameter param = {.solver_type = L2R_LR, .eps = 0.01, .C = C, .p = 0.1};
    const char *bad = check_parameter(&prob, &param);
    if (bad) die_runtime("glue_logistic_predict: liblinear refuses its parameters: %s", bad);
    struct model *model = train(&prob, &param);
    struct feature_node **queries = sparse_rows(q, m, D, &query_nodes);
    for (int i = 0; i < m; i++)
        pred[i] = (int)predict(model, queries[i]);
    free_and_destroy_model(&model);
    free(queries);
    free(query_nodes);
    free(rows);
    free(train_nodes);
    free(labels);
}

void glue_ridge_fit(const float *x, const double *y, int n, int D, double lambda, double *w,
                    double *bias) {
    if (n < 1 || D < 1) die_runtime("glue_ridge_fit: %d rows of %d features", n, D);
    double *mx = xcalloc((size_t)D, sizeof *mx), my = 0;
    for (int i = 0; i < n; i++) {
        my += y[i];
        for (int j = 0; j < D; j++)
            mx[j] += x[(size_t)i * D + j];
    }
    my /= n;
    for (int j = 0; j < D; j++)
        mx[j] /= n;
    /* a (D, D) = Xc^T Xc + lambda I (upper triangle, row-major), w = Xc^T yc */
    double *a = xcalloc(mul_size_checked((size_t)D, (size_t)D, "ridge matrix"), sizeof *a);
    double *chunk = xmalloc(mul_size_checked((size_t)GLUE_RIDGE_CHUNK * D, sizeof *chunk, "ridge"));
    double yc[GLUE_RIDGE_CHUNK];
    memset(w, 0, (size_t)D * sizeof *w);
    for (int i0 = 0; i0 < n; i0 += GLUE_RIDGE_CHUNK) {
        int rows = n - i0 < GLUE_RIDGE_CHUNK ? n - i0 : GLUE_RIDGE_CHUNK;
        for (int i = 0; i < rows; i++) {
            yc[i] = y[i0 + i] - my;
            for (int j = 0; j < D; j++)
                chunk[(size_t)i * D + j] = x[(size_t)(i0 + i) * D + j] - mx[j];
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, D, rows, 1.0, chunk, D, 1.0, a, D);
        cblas_dgemv(CblasRowMajor, CblasTrans, rows, D, 1.0, chunk, D, yc, 1, 1.0, w, 1);
    }
    for (int j = 0; j < D; j++)
        a[(size_t)j * D + j] += lambda;
    /* The row-major upper triangle is the column-major lower one. */
    int order = D, one = 1, info = 0;
    dposv_("L", &order, &one, a, &order, w, &order, &info, 1);
    if (info != 0)
        die_runtime("glue_ridge_fit: X^T X + %g I is not positive definite (LAPACK info %d)",
                    lambda, info);
    double b = my;
    for (int j = 0; j < D; j++)
        b -= mx[j] * w[j];
    *bias = b;
    free(chunk);
    free(a);
    free(mx);
}

void glue_ridge_apply(const float *q, int m, int D, const double *w, double bias, double *pred) {
    for (int i = 0; i < m; i++) {
        double s = bias;
        for (int j = 0; j < D; j++)
            s += (double)q[(size_t)i * D + j] * w[j];
        pred[i] = s;
    }
}
