/* task_result.c: see task_result.h. */
#include "eval/task_result.h"

#include "base/util.h"

void task_result_add(TaskResult *res, const char *name, double value) {
    if (res->n_metrics == TASK_MAX_METRICS) die_runtime("task_result_add: too many metrics");
    res->metrics[res->n_metrics++] = (TaskMetric){name, value};
}
