/* glue_metrics.h: the GLUE benchmark's metrics, as GLUE (and scikit-learn,
 * SciPy, which its reference code calls) define them, and each task's
 * metrics with their chance levels:
 *   CoLA       mcc (Matthews correlation)
 *   MRPC, QQP  f1 (of class 1: equivalent / duplicate), acc
 *   STS-B      pearson, spearman
 *   the others acc
 * The first named is the task's primary metric (the GLUE paper lists F1
 * before accuracy and Pearson before Spearman).
 *
 * Chance levels (the s_random of the paper's normalized score): for acc and
 * f1, the score of predicting the validation split's majority class for
 * every row (ties: the lower class); f1 is then 0 unless class 1 is the
 * majority. For mcc, pearson and spearman: 0.
 *
 * Degenerate inputs follow scikit-learn where it has an answer: f1 with no
 * positive prediction or label is 0, mcc with a zero denominator (one class
 * predicted, or one present) is 0; pearson and spearman of a constant
 * series are 0 here (SciPy gives NaN), so that results stay numbers. */
#ifndef PAINTERS_GLUE_METRICS_H
#define PAINTERS_GLUE_METRICS_H

#include "eval/glue_task.h"

/* Fraction of the n rows where pred equals gold; 0 for n = 0. */
double glue_accuracy(const int *pred, const int *gold, int n);
/* F1 of class 1 (2 tp / (2 tp + fp + fn)), labels 0 and 1. */
double glue_f1(const int *pred, const int *gold, int n);
/* Matthews correlation of two-class predictions (labels 0 and 1). */
double glue_mcc(const int *pred, const int *gold, int n);
/* Pearson correlation of x and y (n values each). */
double glue_pearson(const double *x, const double *y, int n);
/* Spearman correlation: Pearson of the ranks, tied values sharing the mean of
 * their ranks. */
double glue_spearman(const double *x, const double *y, int n);
/* The ranks (1-based, ties averaged) of x into rank (n values). */
void glue_average_ranks(const double *x, int n, double *rank);

#define GLUE_MAX_METRICS 2

typedef struct {
    const char *name; /* "acc", "f1", "mcc", "pearson", "spearman" (static) */
    double value;
    double chance;
} GlueMetric;

/* A task's metrics on its validation split; metrics[0] is the primary. */
typedef struct {
    GlueMetric metrics[GLUE_MAX_METRICS];
    int n_metrics;
} GlueScores;

/* The metrics of classification task id from predicted and gold classes. */
GlueScores glue_score_classes(GlueTaskId id, const int *pred, const int *gold, int n);
/* STS-B's metrics from predicted and gold scores. */
GlueScores glue_score_regression(const double *pred, const double *gold, int n);
/* The majority class of the n labels (ties: the lower class). */
int glue_majority_class(const int *gold, int n, int num_labels);

#endif
