/* task_choice.h: items scored by log-likelihood: mc, arc, hellaswag,
 * winogrande, lambada (the protocol is in task_choice.c). */
#ifndef PAINTERS_TASK_CHOICE_H
#define PAINTERS_TASK_CHOICE_H

#include "eval/task_items.h"
#include "eval/task_result.h"
#include "run/runner.h"
#include "text/tokenizer.h"

/* Scores every item of t; adds its metrics and counts to res. */
void task_evaluate_choice(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                          TaskResult *res);

#endif
