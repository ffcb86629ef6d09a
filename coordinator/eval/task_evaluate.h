/* task_evaluate.h: scores a loaded task through a Runner, with the scorer of
 * its kind's family (perplexity, choice, generation). */
#ifndef PAINTERS_TASK_EVALUATE_H
#define PAINTERS_TASK_EVALUATE_H

#include "eval/task_items.h"
#include "eval/task_result.h"
#include "run/runner.h"
#include "text/tokenizer.h"

/* Scores every item; fills res (timing and skipped lines included). The
 * runner's KV caches are reset. */
void task_evaluate(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                   TaskResult *res);

#endif
