/* task_perplexity.h: perplexity of a text file, per document or in chunks
 * (the protocol is in task_perplexity.c). */
#ifndef PAINTERS_TASK_PERPLEXITY_H
#define PAINTERS_TASK_PERPLEXITY_H

#include "eval/task_items.h"
#include "eval/task_result.h"
#include "run/runner.h"
#include "text/tokenizer.h"

/* Scores every item of t; adds its metrics and counts to res. */
void task_evaluate_perplexity(const Task *t, Runner *r, const Tokenizer *tok,
                              const TaskEvalOptions *o, TaskResult *res);

#endif
