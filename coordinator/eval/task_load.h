/* task_load.h: an evaluation task from its spec "KIND:FILE": the file read
 * line by line (text for ppl, JSONL records for the other kinds) into the
 * task's items. */
#ifndef PAINTERS_TASK_LOAD_H
#define PAINTERS_TASK_LOAD_H

#include "eval/task_items.h"

/* Loads the items of spec "KIND:FILE". die_input for an unknown kind, a
 * missing file, or (without skip_bad) a malformed line. Caller owns the
 * result; task_free() frees it. */
Task *task_load(const char *spec, const TaskLoadOptions *opts);

#endif
