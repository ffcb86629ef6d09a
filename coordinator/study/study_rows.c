/* study_rows.c: see study_rows.h. */
#include "study/study_rows.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "study/study_table.h"
#include "base/atomic_file.h"
#include "base/util.h"

#define STUDY_CSV_FIELDS 18

void study_rows_push(StudyRows *l, StudyRow row) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->rows = xrealloc(l->rows, (size_t)l->cap * sizeof *l->rows);
    }
    l->rows[l->n++] = row;
}

void study_rows_free(StudyRows *l) {
    for (int i = 0; i < l->n; i++) {
        StudyRow *w = &l->rows[i];
        free(w->plan), free(w->variant), free(w->task), free(w->metric);
        free(w->placement), free(w->revision);
    }
    free(l->rows);
    *l = (StudyRows){0};
}

const StudyRow *study_rows_find(const StudyRows *l, const char *plan, const char *task,
                                const char *metric) {
    for (int i = 0; i < l->n; i++) {
        const StudyRow *w = &l->rows[i];
        if (!strcmp(w->plan, plan) && !strcmp(w->task, task) &&
            (!metric || !strcmp(w->metric, metric)))
            return w;
    }
    return NULL;
}

double study_value_as_written(double v) {
    if (!isfinite(v)) return v;
    char buf[32];
    snprintf(buf, sizeof buf, "%.10g", v);
    return strtod(buf, NULL);
}

void study_format_number(char *buf, size_t n, double v) {
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, n, "%.10g", v);
}

void study_format_ms(char *buf, double v) {
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, 32, "%.6f", v);
}

/* The row as one CSV line with its newline; the caller frees it. */
static char *row_csv_line(const StudyRow *w, const char *model) {
    char norm[32], nbuf[16];
    study_format_number(norm, sizeof norm, w->normalized);
    if (w->N >= 0)
        snprintf(nbuf, sizeof nbuf, "%d", w->N);
    else
        nbuf[0] = '\0';
    char ms[3][32]; /* empty where not measured (an encoder's decode) */
    study_format_ms(ms[0], w->ms.prefill_ms), study_format_ms(ms[1], w->ms.decode_ms);
    study_format_ms(ms[2], w->ms.decode_batch_ms);
    size_t cap = 512 + strlen(w->plan) + strlen(w->task) + strlen(model) + strlen(w->placement) +
                 strlen(w->revision);
    char *line = xmalloc(cap);
    snprintf(line, cap, "%s,%s,%s,%s,%d,%d,%s,%s,%.10g,%s,%d,%d,%s,%s,%s,%s,%.3f,%s\n", model,
             w->plan, w->variant, nbuf, w->K, w->seed, w->task, w->metric, w->value, norm, w->ranks,
             w->threads, w->placement, ms[0], ms[1], ms[2], w->seconds, w->revision);
    return line;
}

void study_rows_append(const char *path, const char *model, const StudyRows *l, int from) {
    FILE *f = fopen(path, "a");
    if (!f) die_runtime("%s: cannot append: %s", path, strerror(errno));
    for (int i = from; i < l->n; i++) {
        char *line = row_csv_line(&l->rows[i], model);
        fputs(line, f);
        free(line);
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0)
        die_runtime("%s: write failed: %s", path, strerror(errno));
}

void study_rows_write(const char *path, const char *model, const StudyRows *l) {
    size_t cap = 4096, len = 0;
    char *text = xmalloc(cap);
    len += (size_t)snprintf(text, cap, "%s\n", STUDY_RESULTS_HEADER);
    for (int i = 0; i < l->n; i++) {
        char *line = row_csv_line(&l->rows[i], model);
        size_t n = strlen(line);
        if (len + n + 1 > cap) text = xrealloc(text, cap = 2 * (len + n + 1));
        memcpy(text + len, line, n + 1);
        len += n;
        free(line);
    }
    write_text_atomic(path, text);
    free(text);
}

static double parse_double_field(const char *s, const char *path, int line) {
    if (!*s) return NAN;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end) die_input("%s:%d: '%s' is not a number", path, line, s);
    return v;
}

int study_rows_load(const char *path, const char *model, StudyRows *l) {
    size_t len;
    char *text = read_file_text(path, &len);
    int cut = len > 0 && text[len - 1] != '\n';
    if (cut) {
        char *last = strrchr(text, '\n');
        if (last)
            last[1] = '\0';
        else
            text[0] = '\0';
    }
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    int lineno = 1;
    if (!line || strcmp(line, STUDY_RESULTS_HEADER))
        die_input(
            "%s:1: not a painters study results file (header differs); use another output folder",
            path);
    while ((line = strtok_r(NULL, "\n", &save))) {
        lineno++;
        char *f[STUDY_CSV_FIELDS];
        int nf = 0;
        for (char *p = line; nf < STUDY_CSV_FIELDS; nf++) {
            f[nf] = p;
            char *comma = strchr(p, ',');
            if (!comma) {
                nf++;
                break;
            }
            *comma = '\0';
            p = comma + 1;
        }
        if (nf != STUDY_CSV_FIELDS)
            die_input("%s:%d: expected %d fields, found %d", path, lineno, STUDY_CSV_FIELDS, nf);
        if (strcmp(f[R_MODEL], model))
            die_input("%s:%d: results of model %s, not %s; use another output folder", path, lineno,
                      f[R_MODEL], model);
        StudyRow w = {.plan = xstrdup(f[R_PLAN]),
                      .variant = xstrdup(f[R_VARIANT]),
                      .task = xstrdup(f[R_TASK]),
                      .metric = xstrdup(f[R_METRIC]),
                      .placement = xstrdup(f[R_PLACEMENT]),
                      .revision = xstrdup(f[R_GIT])};
        w.N = *f[R_N] ? atoi(f[R_N]) : -1;
        w.K = atoi(f[R_K]);
        w.seed = atoi(f[R_SEED]);
        w.ranks = atoi(f[R_RANKS]);
        w.threads = atoi(f[R_THREADS]);
        w.value = parse_double_field(f[R_VALUE], path, lineno);
        w.normalized = parse_double_field(f[R_NORMALIZED], path, lineno);
        w.ms.prefill_ms = parse_double_field(f[R_PREFILL], path, lineno);
        w.ms.decode_ms = parse_double_field(f[R_DECODE], path, lineno);
        w.ms.decode_batch_ms = parse_double_field(f[R_DECODE_BATCH], path, lineno);
        w.seconds = parse_double_field(f[R_SECONDS], path, lineno);
        study_rows_push(l, w);
    }
    free(text);
    return cut;
}
