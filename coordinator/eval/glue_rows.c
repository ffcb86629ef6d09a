/* glue_rows.c: see glue_rows.h. */
#include "eval/glue_rows.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/json_line.h"

PAINTERS_PRINTF(3, 4)
static int fail(char *why, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

int glue_tsv_has_header(GlueTaskId id) {
    return id != GLUE_COLA;
}

GlueTsvColumns glue_tsv_fixed_columns(GlueTaskId id) {
    if (id != GLUE_COLA)
        die_runtime("glue_tsv_fixed_columns: %s files have a header", glue_task_name(id));
    return (GlueTsvColumns){.text_a = 3, .text_b = -1, .label = 1, .n_columns = 4};
}

/* The index of the one field called name, or -1 with the reason. */
static int find_column(char *const *fields, int n, const char *name, char *why, size_t why_len) {
    int at = -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(fields[i], name)) continue;
        if (at >= 0) return fail(why, why_len, "column \"%s\" appears twice in the header", name);
        at = i;
    }
    if (at < 0) return fail(why, why_len, "the header has no column \"%s\"", name);
    return at;
}

int glue_tsv_header_columns(GlueTaskId id, char *const *fields, int n, GlueTsvColumns *cols,
                            char *why, size_t why_len) {
    const GlueTaskInfo *t = glue_task_info(id);
    GlueTsvColumns c = {.text_b = -1, .n_columns = n};
    if ((c.text_a = find_column(fields, n, t->tsv_a, why, why_len)) < 0) return -1;
    if (t->tsv_b && (c.text_b = find_column(fields, n, t->tsv_b, why, why_len)) < 0) return -1;
    if ((c.label = find_column(fields, n, t->tsv_label, why, why_len)) < 0) return -1;
    *cols = c;
    return 0;
}

/* An STS-B score: a decimal number in [0, 5]. */
static int parse_score(const char *s, float *out, char *why, size_t why_len) {
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v))
        return fail(why, why_len, "score \"%.40s\" is not a number", s);
    if (v < 0 || v > 5) return fail(why, why_len, "score %g is outside [0, 5]", v);
    *out = (float)v;
    return 0;
}

static void set_texts(GlueExample *ex, const char *a, const char *b) {
    ex->text_a = xstrdup(a);
    ex->text_b = b ? xstrdup(b) : NULL;
}

int glue_tsv_row(GlueTaskId id, const GlueTsvColumns *cols, char *const *fields, int n,
                 GlueExample *ex, char *why, size_t why_len) {
    const GlueTaskInfo *t = glue_task_info(id);
    if (n != cols->n_columns)
        return fail(why, why_len, "%d tab-separated columns, expected %d", n, cols->n_columns);
    GlueExample e = {.label = -1};
    const char *label = fields[cols->label];
    if (t->num_labels == 1) {
        if (parse_score(label, &e.score, why, why_len)) return -1;
    } else {
        for (int k = 0; k < t->num_labels; k++)
            if (!strcmp(label, t->tsv_spell[k])) e.label = k;
        if (e.label < 0) {
            char known[96] = "";
            for (int k = 0; k < t->num_labels; k++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s\"%s\"",
                         k ? ", " : "", t->tsv_spell[k]);
            return fail(why, why_len, "unknown label \"%.40s\" (%s has %s)", label, t->name, known);
        }
    }
    set_texts(&e, fields[cols->text_a], cols->text_b >= 0 ? fields[cols->text_b] : NULL);
    *ex = e;
    return 0;
}

int glue_json_row(GlueTaskId id, const cJSON *rec, GlueExample *ex, char *why, size_t why_len) {
    const GlueTaskInfo *t = glue_task_info(id);
    const char *a = json_line_string_field(rec, t->json_a, why, why_len), *b = NULL;
    if (!a || (t->json_b && !(b = json_line_string_field(rec, t->json_b, why, why_len)))) return -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, "label");
    if (!v) return fail(why, why_len, "missing field \"label\"");
    if (!cJSON_IsNumber(v)) return fail(why, why_len, "field \"label\" must be a number");
    double d = v->valuedouble;
    if (d == -1)
        return fail(why, why_len,
                    "label -1 marks an unlabeled test row; train and validation rows need labels");
    GlueExample e = {.label = -1};
    if (t->num_labels == 1) {
        if (!isfinite(d) || d < 0 || d > 5)
            return fail(why, why_len, "label %g is not a score in [0, 5]", d);
        e.score = (float)d;
    } else {
        if (d != floor(d) || d < 0 || d >= t->num_labels)
            return fail(why, why_len, "unknown label %g (%s has classes 0 to %d)", d, t->name,
                        t->num_labels - 1);
        e.label = (int)d;
    }
    set_texts(&e, a, b);
    *ex = e;
    return 0;
}
