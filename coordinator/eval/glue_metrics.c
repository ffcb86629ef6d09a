/* glue_metrics.c: see glue_metrics.h. Sums in double. */
#include "eval/glue_metrics.h"

#include <math.h>
#include <stdlib.h>

#include "base/util.h"

double glue_accuracy(const int *pred, const int *gold, int n) {
    long hit = 0;
    for (int i = 0; i < n; i++)
        hit += pred[i] == gold[i];
    return n > 0 ? (double)hit / n : 0;
}

typedef struct {
    double tp, tn, fp, fn;
} Confusion;

static Confusion confusion(const int *pred, const int *gold, int n) {
    Confusion c = {0};
    for (int i = 0; i < n; i++) {
        if (pred[i] == 1)
            *(gold[i] == 1 ? &c.tp : &c.fp) += 1;
        else
            *(gold[i] == 1 ? &c.fn : &c.tn) += 1;
    }
    return c;
}

double glue_f1(const int *pred, const int *gold, int n) {
    Confusion c = confusion(pred, gold, n);
    double den = 2 * c.tp + c.fp + c.fn;
    return den > 0 ? 2 * c.tp / den : 0;
}

double glue_mcc(const int *pred, const int *gold, int n) {
    Confusion c = confusion(pred, gold, n);
    double den = (c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn);
    return den > 0 ? (c.tp * c.tn - c.fp * c.fn) / sqrt(den) : 0;
}

double glue_pearson(const double *x, const double *y, int n) {
    if (n < 2) return 0;
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx <= 0 || syy <= 0) return 0;
    double r = sxy / sqrt(sxx * syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

typedef struct {
    double value;
    int index;
} Ranked;

static int by_value(const void *a, const void *b) {
    const Ranked *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

void glue_average_ranks(const double *x, int n, double *rank) {
    Ranked *r = xmalloc(mul_size_checked((size_t)(n > 0 ? n : 1), sizeof *r, "ranks"));
    for (int i = 0; i < n; i++)
        r[i] = (Ranked){x[i], i};
    qsort(r, (size_t)n, sizeof *r, by_value);
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && r[j + 1].value == r[i].value)
            j++;
        double mean = (i + j) / 2.0 + 1; /* the ranks i+1 .. j+1 share their mean */
        for (int k = i; k <= j; k++)
            rank[r[k].index] = mean;
        i = j + 1;
    }
    free(r);
}

double glue_spearman(const double *x, const double *y, int n) {
    if (n < 2) return 0;
    double *rx = xmalloc(mul_size_checked((size_t)n, 2 * sizeof(double), "ranks")), *ry = rx + n;
    glue_average_ranks(x, n, rx);
    glue_average_ranks(y, n, ry);
    double r = glue_pearson(rx, ry, n);
    free(rx);
    return r;
}

int glue_majority_class(const int *gold, int n, int num_labels) {
    long count[GLUE_MAX_LABELS] = {0};
    if (num_labels < 1 || num_labels > GLUE_MAX_LABELS)
        die_runtime("glue_majority_class: %d classes", num_labels);
    for (int i = 0; i < n; i++)
        if (gold[i] >= 0 && gold[i] < num_labels) count[gold[i]]++;
    int best = 0;
    for (int k = 1; k < num_labels; k++)
        if (count[k] > count[best]) best = k;
    return best;
}

static void add(GlueScores *s, const char *name, double value, double chance) {
    s->metrics[s->n_metrics++] = (GlueMetric){name, value, chance};
}

GlueScores glue_score_classes(GlueTaskId id, const int *pred, const int *gold, int n) {
    int num_labels = glue_task_num_labels(id);
    if (num_labels < 2)
        die_runtime("glue_score_classes: %s is a regression task", glue_task_name(id));
    int *majority = xmalloc(mul_size_checked((size_t)(n > 0 ? n : 1), sizeof(int), "chance"));
    int m = glue_majority_class(gold, n, num_labels);
    for (int i = 0; i < n; i++)
        majority[i] = m;
    GlueScores s = {0};
    if (id == GLUE_COLA) {
        add(&s, "mcc", glue_mcc(pred, gold, n), 0);
    } else if (id == GLUE_MRPC || id == GLUE_QQP) {
        add(&s, "f1", glue_f1(pred, gold, n), glue_f1(majority, gold, n));
        add(&s, "acc", glue_accuracy(pred, gold, n), glue_accuracy(majority, gold, n));
    } else {
        add(&s, "acc", glue_accuracy(pred, gold, n), glue_accuracy(majority, gold, n));
    }
    free(majority);
    return s;
}

GlueScores glue_score_regression(const double *pred, const double *gold, int n) {
    GlueScores s = {0};
    add(&s, "pearson", glue_pearson(pred, gold, n), 0);
    add(&s, "spearman", glue_spearman(pred, gold, n), 0);
    return s;
}
