/* study_tasks.h: what the study reads off each task: its primary metric and
 * the score of guessing at random on it (the s_random of the normalized
 * score, before study_transform). */
#ifndef PAINTERS_STUDY_TASKS_H
#define PAINTERS_STUDY_TASKS_H

#include "eval/task.h"

/* The primary metric's name (static) and, in *chance, its value for a
 * random guess over a vocabulary of `vocab`:
 *   ppl            perplexity, chance = vocab (a uniform guess)
 *   gen, gsm8k     exact_match, chance 0
 *   mc, arc, ...   acc, chance = 1/choices averaged over items (lambada: 0)
 *   mlm            mlm_acc, chance = 1/vocab
 *   glue-NAME      acc where the task has it (MRPC and QQP too, beside f1),
 *                  else its first metric (CoLA mcc, STS-B pearson); chance as
 *                  glue_metrics.h defines it (the validation split's majority
 *                  class, or 0 for correlations) */
const char *study_task_primary(const Task *t, int vocab, double *chance);

#endif
