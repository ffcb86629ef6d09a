/* study_tasks.c: see study_tasks.h. */
#include "study/study_tasks.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "eval/glue_metrics.h"

/* A GLUE task's primary metric and its chance level, as glue_metrics.h
 * scores the validation split. */
static const char *glue_primary(const GlueTask *g, double *chance) {
    const GlueSplit *dev = &g->dev;
    GlueScores sc;
    if (g->id == GLUE_STSB) {
        double *gold = xmalloc((size_t)(dev->n ? dev->n : 1) * sizeof(double));
        for (int i = 0; i < dev->n; i++)
            gold[i] = dev->ex[i].score;
        sc = glue_score_regression(gold, gold, dev->n);
        free(gold);
    } else {
        int *gold = xmalloc((size_t)(dev->n ? dev->n : 1) * sizeof(int));
        for (int i = 0; i < dev->n; i++)
            gold[i] = dev->ex[i].label;
        sc = glue_score_classes(g->id, gold, gold, dev->n);
        free(gold);
    }
    /* Accuracy where the task has it (MRPC, QQP: beside F1), whose chance
     * level, the majority class, is meaningful; F1's is 0 or 2p/(1+p). */
    for (int m = 0; m < sc.n_metrics; m++)
        if (!strcmp(sc.metrics[m].name, "acc")) {
            *chance = sc.metrics[m].chance;
            return "acc";
        }
    *chance = sc.metrics[0].chance;
    return sc.metrics[0].name;
}

/* 1/choices averaged over the items. */
static double choice_chance(const Task *t) {
    if (!t->choices || t->n_items == 0) return 0.0;
    double s = 0;
    for (int i = 0; i < t->n_items; i++)
        s += 1.0 / t->choices[i].n_options;
    return s / t->n_items;
}

const char *study_task_primary(const Task *t, int vocab, double *chance) {
    *chance = 0.0;
    switch (t->kind) {
    case TASK_PPL:
        *chance = vocab;
        return "perplexity";
    case TASK_GEN:
    case TASK_GSM8K:
        return "exact_match";
    case TASK_MLM:
        *chance = 1.0 / vocab;
        return "mlm_acc";
    case TASK_GLUE:
        return glue_primary(t->glue, chance);
    case TASK_LAMBADA:
        return "acc";
    default:
        *chance = choice_chance(t);
        return "acc";
    }
}
