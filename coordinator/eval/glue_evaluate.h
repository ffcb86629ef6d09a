/* glue_evaluate.h: a GLUE task scored through a callback that turns examples
 * into vectors (the encoder under a plan, supplied by the caller):
 *   - the frozen protocol (glue_evaluate_frozen): features (pooled outputs)
 *     of both splits, standardized by the train split's figures, the probe
 *     of glue_probe.h trained on train, scored on validation;
 *   - a fine-tuned classifier scored as is (glue_evaluate_logits): the
 *     callback gives its logits, argmax is the prediction (STS-B: the one
 *     output is the score).
 * Results go into a TaskResult: the task's metrics (glue_metrics.h, primary
 * first), then "chance", the chance level of the primary metric; items = the
 * validation rows scored, skipped = the malformed rows skipped in both
 * splits, seconds = the whole evaluation. */
#ifndef PAINTERS_GLUE_EVALUATE_H
#define PAINTERS_GLUE_EVALUATE_H

#include "eval/glue_read.h"
#include "eval/task_result.h"

/* Examples handed to the callback at a time (the last call may get fewer). */
#define GLUE_FEATURE_BATCH 64

/* Writes the D values of each of the n examples into out (n, D). */
typedef void (*GlueFeaturesFn)(void *ctx, int n, const GlueExample *ex, float *out);

/* Runs the frozen protocol with D features per example into res (cleared
 * first). die_input for a task read with dev_only (no train split);
 * die_runtime for a feature that is not finite. */
void glue_evaluate_frozen(const GlueTask *t, int D, GlueFeaturesFn fn, void *ctx, TaskResult *res);
/* Scores the validation split from fn's (n, num_labels) logits into res
 * (cleared first). die_input when num_labels is not the task's class count
 * (1 for STS-B); die_runtime for a logit that is not finite. */
void glue_evaluate_logits(const GlueTask *t, int num_labels, GlueFeaturesFn fn, void *ctx,
                          TaskResult *res);

#endif
