/* task_glue.h: a GLUE task on an encoder under a plan (protocol in task_glue.c). */
#ifndef PAINTERS_TASK_GLUE_H
#define PAINTERS_TASK_GLUE_H

#include "eval/task_items.h"
#include "eval/task_result.h"
#include "run/runner.h"
#include "text/tokenizer.h"

void task_evaluate_glue(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                        TaskResult *res);

#endif
