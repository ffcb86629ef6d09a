/* task_generation.h: items scored by greedy generation: gen, gsm8k (the
 * protocol is in task_generation.c). */
#ifndef PAINTERS_TASK_GENERATION_H
#define PAINTERS_TASK_GENERATION_H

#include "eval/task_items.h"
#include "eval/task_result.h"
#include "run/runner.h"
#include "text/tokenizer.h"

#define TASK_GEN_DEFAULT_MAX_NEW 6     /* the demo arithmetic protocol */
#define TASK_GSM8K_DEFAULT_MAX_NEW 256 /* lm-evaluation-harness max_gen_toks */

/* Scores every item of t; adds its metrics and counts to res. */
void task_evaluate_generation(const Task *t, Runner *r, const Tokenizer *tok,
                              const TaskEvalOptions *o, TaskResult *res);

#endif
