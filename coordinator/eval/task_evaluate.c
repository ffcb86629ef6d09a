/* task_evaluate.c: see task_evaluate.h. */
#include "eval/task_evaluate.h"

#include "eval/task_choice.h"
#include "eval/task_generation.h"
#include "eval/task_glue.h"
#include "eval/task_mlm.h"
#include "eval/task_perplexity.h"
#include "base/util.h"

void task_evaluate(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                   TaskResult *res) {
    *res = (TaskResult){0};
    double t0 = now_seconds();
    switch (t->kind) {
    case TASK_PPL:
        task_evaluate_perplexity(t, r, tok, o, res);
        break;
    case TASK_GEN:
    case TASK_GSM8K:
        task_evaluate_generation(t, r, tok, o, res);
        break;
    case TASK_MLM:
        task_evaluate_mlm(t, r, tok, o, res);
        break;
    case TASK_GLUE:
        task_evaluate_glue(t, r, tok, o, res);
        break;
    default:
        task_evaluate_choice(t, r, tok, o, res);
        break;
    }
    res->seconds = now_seconds() - t0;
    res->skipped = t->n_skipped;
    runner_reset(r);
}
