/* glue_probe.h: the classifier of the frozen protocol, trained on features
 * of the train split and applied to those of the validation split, with
 * fixed regularization (nothing is tuned, so nothing is recorded beside the
 * scores):
 *   - classes: L2-regularized logistic regression (liblinear's L2R_LR, one
 *     model per class against the rest for more than two), C = 1
 *     (GLUE_PROBE_C), stopping tolerance 0.01 (liblinear's default), a bias
 *     feature of 1 (liblinear regularizes its weight like the others);
 *   - STS-B scores: ridge regression, lambda = 1 (GLUE_PROBE_LAMBDA), solved
 *     by LAPACK's dposv (OpenBLAS) on Xc^T Xc + lambda I with the features
 *     and targets centered, so that the bias is not regularized.
 * The caller standardizes the features first (glue_standardize: the train
 * split's mean and standard deviation applied to both splits).
 * Deterministic: the same features in the same order give the same
 * predictions, run to run (liblinear's Newton solver has no random step;
 * its messages are silenced). */
#ifndef PAINTERS_GLUE_PROBE_H
#define PAINTERS_GLUE_PROBE_H

#define GLUE_PROBE_C 1.0
#define GLUE_PROBE_LAMBDA 1.0

/* Standardizes train (n, D) in place by its own column means and standard
 * deviations (population sd; a constant column is only centered), and
 * other (m, D) by the same figures. */
void glue_standardize(float *train, int n, int D, float *other, int m);

/* Trains logistic regression with cost C on x (n, D) and labels y (n, values
 * in [0, num_labels)) and predicts the class of each row of q (m, D) into
 * pred (m). die_runtime if liblinear refuses its parameters. */
void glue_logistic_predict(const float *x, const int *y, int n, int D, int num_labels, double C,
                           const float *q, int m, int *pred);

/* Ridge regression of y (n) on x (n, D) with penalty lambda on the weights,
 * not the bias: w (D) and *bias such that y ~ x w + bias. die_runtime if the
 * system is not positive definite (lambda = 0 with dependent columns). */
void glue_ridge_fit(const float *x, const double *y, int n, int D, double lambda, double *w,
                    double *bias);
/* pred (m) = q (m, D) w + bias. */
void glue_ridge_apply(const float *q, int m, int D, const double *w, double bias, double *pred);

#endif
