/* glue_evaluate.c: see glue_evaluate.h. */
#include "eval/glue_evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "eval/glue_metrics.h"
#include "eval/glue_probe.h"

/* The (s->n, D) outputs of fn over split s, checked finite. Caller frees. */
static float *split_features(const GlueSplit *s, int D, GlueFeaturesFn fn, void *ctx,
                             const char *what) {
    float *out = xmalloc(
        mul_size_checked(mul_size_checked((size_t)s->n, (size_t)D, what), sizeof(float), what));
    for (int i0 = 0; i0 < s->n; i0 += GLUE_FEATURE_BATCH) {
        int rows = s->n - i0 < GLUE_FEATURE_BATCH ? s->n - i0 : GLUE_FEATURE_BATCH;
        float *dst = out + (size_t)i0 * D;
        fn(ctx, rows, s->ex + i0, dst);
        for (size_t k = 0; k < (size_t)rows * D; k++)
            if (!isfinite(dst[k]))
                die_runtime("%s: %s %zu of example %zu (in file order) is %g", s->path, what,
                            k % (size_t)D, i0 + k / (size_t)D + 1, dst[k]);
    }
    return out;
}

static void put_scores(const GlueTask *t, GlueScores sc, TaskResult *res) {
    for (int k = 0; k < sc.n_metrics; k++)
        task_result_add(res, sc.metrics[k].name, sc.metrics[k].value);
    task_result_add(res, "chance", sc.metrics[0].chance);
    res->items = t->dev.n;
    res->skipped = t->train.skipped + t->dev.skipped;
}

static int *split_labels(const GlueSplit *s) {
    int *y = xmalloc((size_t)(s->n > 0 ? s->n : 1) * sizeof *y);
    for (int i = 0; i < s->n; i++)
        y[i] = s->ex[i].label;
    return y;
}

static double *split_scores(const GlueSplit *s) {
    double *y = xmalloc((size_t)(s->n > 0 ? s->n : 1) * sizeof *y);
    for (int i = 0; i < s->n; i++)
        y[i] = s->ex[i].score;
    return y;
}

void glue_evaluate_frozen(const GlueTask *t, int D, GlueFeaturesFn fn, void *ctx, TaskResult *res) {
    double start = now_seconds();
    memset(res, 0, sizeof *res);
    if (t->train.n == 0)
        die_input("glue-%s: the frozen protocol needs the train split (read without dev_only)",
                  t->name);
    if (D < 1) die_runtime("glue_evaluate_frozen: %d features", D);
    float *xtr = split_features(&t->train, D, fn, ctx, "feature");
    float *xva = split_features(&t->dev, D, fn, ctx, "feature");
    glue_standardize(xtr, t->train.n, D, xva, t->dev.n);
    GlueScores sc;
    if (t->num_labels == 1) {
        double *ytr = split_scores(&t->train), *yva = split_scores(&t->dev);
        double *w = xmalloc((size_t)D * sizeof *w), bias, *pred = split_scores(&t->dev);
        glue_ridge_fit(xtr, ytr, t->train.n, D, GLUE_PROBE_LAMBDA, w, &bias);
        glue_ridge_apply(xva, t->dev.n, D, w, bias, pred);
        sc = glue_score_regression(pred, yva, t->dev.n);
        free(pred);
        free(w);
        free(yva);
        free(ytr);
    } else {
        int *ytr = split_labels(&t->train), *yva = split_labels(&t->dev);
        int *pred = split_labels(&t->dev);
        glue_logistic_predict(xtr, ytr, t->train.n, D, t->num_labels, GLUE_PROBE_C, xva, t->dev.n,
                              pred);
        sc = glue_score_classes(t->id, pred, yva, t->dev.n);
        free(pred);
        free(yva);
        free(ytr);
    }
    free(xva);
    free(xtr);
    put_scores(t, sc, res);
    res->seconds = now_seconds() - start;
}

void glue_evaluate_logits(const GlueTask *t, int num_labels, GlueFeaturesFn fn, void *ctx,
                          TaskResult *res) {
    double start = now_seconds();
    memset(res, 0, sizeof *res);
    if (num_labels != t->num_labels)
        die_input("glue-%s: the classifier has %d outputs, the task %d%s", t->name, num_labels,
                  t->num_labels, t->num_labels == 1 ? " (a score)" : " classes");
    float *logits = split_features(&t->dev, num_labels, fn, ctx, "logit");
    GlueScores sc;
    if (num_labels == 1) {
        double *pred = xmalloc((size_t)(t->dev.n > 0 ? t->dev.n : 1) * sizeof *pred);
        double *gold = split_scores(&t->dev);
        for (int i = 0; i < t->dev.n; i++)
            pred[i] = logits[i];
        sc = glue_score_regression(pred, gold, t->dev.n);
        free(gold);
        free(pred);
    } else {
        int *pred = split_labels(&t->dev), *gold = split_labels(&t->dev);
        for (int i = 0; i < t->dev.n; i++) {
            const float *row = logits + (size_t)i * num_labels;
            int best = 0; /* ties: the lower class */
            for (int k = 1; k < num_labels; k++)
                if (row[k] > row[best]) best = k;
            pred[i] = best;
        }
        sc = glue_score_classes(t->id, pred, gold, t->dev.n);
        free(gold);
        free(pred);
    }
    free(logits);
    put_scores(t, sc, res);
    res->seconds = now_seconds() - start;
}
