/* glue_rows.h: one row of a GLUE file into an example: each task's columns
 * (TSV header names, or CoLA's fixed columns), JSON fields and label
 * spellings. glue_read.c walks the files and reports the reasons these give. */
#ifndef PAINTERS_GLUE_ROWS_H
#define PAINTERS_GLUE_ROWS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "eval/glue_task.h"

/* Where a TSV file's fields are: column indices (0-based) and the count every
 * row must have. */
typedef struct {
    int text_a, text_b, label; /* text_b -1: one sentence */
    int n_columns;
} GlueTsvColumns;

/* Whether the task's TSV files start with a header (all but CoLA). */
int glue_tsv_has_header(GlueTaskId id);
/* The columns of a file without a header (CoLA: source, label, original
 * mark, sentence). */
GlueTsvColumns glue_tsv_fixed_columns(GlueTaskId id);
/* The columns named by a header of n fields. Returns 0, or -1 with the
 * reason in why (a needed column missing or named twice). */
int glue_tsv_header_columns(GlueTaskId id, char *const *fields, int n, GlueTsvColumns *cols,
                            char *why, size_t why_len);
/* One TSV row of n fields into *ex (its texts newly allocated: the caller
 * owns them). Returns 0, or -1 with the reason in why (nothing allocated). */
int glue_tsv_row(GlueTaskId id, const GlueTsvColumns *cols, char *const *fields, int n,
                 GlueExample *ex, char *why, size_t why_len);
/* One JSON object of the Hugging Face config into *ex (texts owned by the
 * caller). Returns 0, or -1 with the reason in why (nothing allocated). */
int glue_json_row(GlueTaskId id, const cJSON *rec, GlueExample *ex, char *why, size_t why_len);

#endif
