/* glue_read.h: the GLUE benchmark's tasks read from a folder, in either of
 * the two layouts it is distributed in:
 *   - GLUE's own TSV files: DIR/train.tsv and DIR/dev.tsv (MNLI:
 *     dev_matched.tsv, dev_mismatched.tsv), with their real column layouts
 *     (CoLA without a header; the others read by header names), tab-separated
 *     without quoting (a '"' is an ordinary character);
 *   - the JSON lines of Hugging Face's nyu-mll/glue configs: DIR/train.jsonl
 *     and DIR/validation.jsonl (MNLI: validation_matched.jsonl,
 *     validation_mismatched.jsonl).
 * The TSV layout is used when its validation file exists, else the JSONL one.
 *
 *   GlueTask *t = glue_task_load("glue-rte:data/RTE", &(GlueLoadOptions){.limit = 1000});
 *   for (int i = 0; i < t->dev.n; i++) use(t->dev.ex[i].text_a, t->dev.ex[i].label);
 *   glue_task_free(t);
 *
 * A malformed row (wrong column count, missing field, unknown label, invalid
 * UTF-8, a line that is not one JSON object, an unlabeled test row) is
 * die_input naming FILE:LINE and the reason, or with skip_bad is skipped and
 * counted. */
#ifndef PAINTERS_GLUE_READ_H
#define PAINTERS_GLUE_READ_H

#include "eval/glue_task.h"

/* Reads task `id` from folder dir. die_input for a missing folder, a folder
 * without the task's files, a file without the columns it needs (never
 * skipped), a split with no examples, or (without skip_bad) a malformed row.
 * Caller owns the result; free with glue_task_free(). */
GlueTask *glue_task_read(GlueTaskId id, const char *dir, const GlueLoadOptions *opts);
/* Reads spec "glue-NAME:DIR" (e.g. glue-mnli-mm:data/MNLI) as glue_task_read.
 * die_input for a spec of another form or an unknown NAME. Caller owns the
 * result; free with glue_task_free(). */
GlueTask *glue_task_load(const char *spec, const GlueLoadOptions *opts);

#endif
