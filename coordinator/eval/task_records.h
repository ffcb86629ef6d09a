/* task_records.h: one JSONL record of a task file into an item of the task,
 * in the formats of each kind (task.h lists them). */
#ifndef PAINTERS_TASK_RECORDS_H
#define PAINTERS_TASK_RECORDS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "eval/task_items.h"

/* Parses one JSONL record of t's kind and appends its item to t (or, for the
 * first gsm8k records, its example). Returns 0, or -1 with the reason in why
 * (nothing appended). die_runtime for a kind that has no JSONL records (ppl). */
int task_record_parse(Task *t, const cJSON *rec, char *why, size_t why_len);

#endif
