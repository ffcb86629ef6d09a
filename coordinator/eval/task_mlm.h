/* task_mlm.h: masked-token accuracy and pseudo-perplexity of an encoder's
 * frozen MLM head under a plan (`mlm:FILE`; protocol in task_mlm.c). */
#ifndef PAINTERS_TASK_MLM_H
#define PAINTERS_TASK_MLM_H

#include "eval/task_items.h"
#include "eval/task_result.h"
#include "run/runner.h"
#include "text/tokenizer.h"

void task_evaluate_mlm(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                       TaskResult *res);

#endif
