/* glue_read.c: see glue_read.h. The files are read line by line as
 * task_load reads task files: a line ends at "\n" (a "\r" before it is
 * dropped), must be valid UTF-8 without NUL bytes, and blank lines are
 * passed over. A UTF-8 byte order mark at the start of a file is dropped
 * (GLUE's MRPC files begin with one, copied from Microsoft's release). */
#include "eval/glue_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/json_line.h"
#include "eval/glue_rows.h"
#include "text/utf8.h"

/* Malformed rows reported one by one under skip_bad before a summary. */
#define GLUE_SKIP_WARNINGS 10
/* Most tab-separated columns of a row (MNLI's dev files have 16). */
#define GLUE_MAX_COLUMNS 64

/* Reading one file into one split. */
typedef struct {
    GlueTaskId id;
    const GlueLoadOptions *opts;
    GlueSplit *split;
    int jsonl;
    int have_columns; /* TSV: the columns are known (header read, or CoLA) */
    GlueTsvColumns cols;
} FileReader;

PAINTERS_PRINTF(3, 4)
static void reject_row(FileReader *r, int line, const char *fmt, ...) {
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    GlueSplit *s = r->split;
    if (!r->opts->skip_bad) die_input("%s:%d: %s", s->path, line, why);
    if (s->skipped < GLUE_SKIP_WARNINGS)
        warn_msg("%s:%d: %s (skipped)", s->path, line, why);
    else if (s->skipped == GLUE_SKIP_WARNINGS)
        warn_msg("%s: more malformed rows skipped", s->path);
    s->skipped++;
}

static void split_push(GlueSplit *s, GlueExample ex) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->ex = xrealloc(s->ex, mul_size_checked((size_t)s->cap, sizeof *s->ex, "GLUE examples"));
    }
    s->ex[s->n++] = ex;
}

static int is_blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\v' && *s != '\f') return 0;
    return 1;
}

/* Splits line at every tab, in place. Returns the field count, or -1 past
 * GLUE_MAX_COLUMNS. */
static int split_tabs(char *line, char **fields) {
    int n = 0;
    for (char *p = line;; p++) {
        if (n == GLUE_MAX_COLUMNS) return -1;
        fields[n++] = p;
        p = strchr(p, '\t');
        if (!p) return n;
        *p = '\0';
    }
}

static void read_tsv_line(FileReader *r, char *line, int number) {
    char *fields[GLUE_MAX_COLUMNS], why[384];
    int n = split_tabs(line, fields);
    if (!r->have_columns) {
        /* The header describes the file: a broken one is never skipped. */
        if (n < 0)
            die_input("%s:%d: header has over %d columns", r->split->path, number,
                      GLUE_MAX_COLUMNS);
        if (glue_tsv_header_columns(r->id, fields, n, &r->cols, why, sizeof why))
            die_input("%s:%d: %s (not a GLUE %s file?)", r->split->path, number, why,
                      glue_task_name(r->id));
        r->have_columns = 1;
        return;
    }
    GlueExample ex;
    if (n < 0)
        reject_row(r, number, "over %d tab-separated columns", GLUE_MAX_COLUMNS);
    else if (glue_tsv_row(r->id, &r->cols, fields, n, &ex, why, sizeof why))
        reject_row(r, number, "%s", why);
    else
        split_push(r->split, ex);
}

static void read_json_line(FileReader *r, const char *line, size_t len, int number) {
    const char *what;
    if (json_line_has_nul(line, len)) {
        reject_row(r, number, "a string holds U+0000");
        return;
    }
    cJSON *rec = json_line_parse(line, len, &what);
    char why[384];
    GlueExample ex;
    if (!rec)
        reject_row(r, number, "%s", what);
    else if (!cJSON_IsObject(rec))
        reject_row(r, number, "not a JSON object");
    else if (glue_json_row(r->id, rec, &ex, why, sizeof why))
        reject_row(r, number, "%s", why);
    else
        split_push(r->split, ex);
    cJSON_Delete(rec);
}

/* Reads path into split s (which takes a copy of the path). */
static void read_split(GlueTaskId id, const char *path, int jsonl, const GlueLoadOptions *opts,
                       GlueSplit *s) {
    s->path = xstrdup(path);
    FileReader r = {id, opts, s, jsonl, 0, {0}};
    if (!jsonl && !glue_tsv_has_header(id)) {
        r.cols = glue_tsv_fixed_columns(id);
        r.have_columns = 1;
    }
    size_t n;
    char *text = read_file_text(path, &n);
    char *p = text, *end = text + n;
    if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) p += 3;
    for (int number = 1; p < end && !(opts->limit > 0 && s->n >= opts->limit); number++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *next = nl ? nl + 1 : end;
        if (len > 0 && p[len - 1] == '\r') len--;
        p[len] = '\0';
        size_t bad_at;
        if (!utf8_check(p, len, &bad_at))
            reject_row(&r, number, "%s at byte %zu", p[bad_at] ? "not valid UTF-8" : "a NUL byte",
                       bad_at + 1);
        else if (!is_blank(p)) {
            if (jsonl)
                read_json_line(&r, p, len, number);
            else
                read_tsv_line(&r, p, number);
        }
        p = next;
    }
    free(text);
    if (!jsonl && !r.have_columns) die_input("%s: empty file, no header", path);
    if (s->n == 0)
        die_input("%s: no examples%s", path,
                  s->skipped ? " (every row was malformed and skipped)" : "");
}

GlueTask *glue_task_read(GlueTaskId id, const char *dir, const GlueLoadOptions *opts) {
    const GlueTaskInfo *info = glue_task_info(id);
    static const GlueLoadOptions defaults = {0};
    if (!opts) opts = &defaults;
    if (!dir_exists(dir)) die_input("glue-%s: no folder %s", info->name, dir);
    char *dev_tsv = path_join(dir, info->dev_tsv), *dev_jsonl = path_join(dir, info->dev_jsonl);
    int jsonl = !file_exists(dev_tsv);
    if (jsonl && !file_exists(dev_jsonl))
        die_input("glue-%s: %s has neither %s (GLUE's TSV files) nor %s (Hugging Face "
                  "nyu-mll/glue as JSON lines)",
                  info->name, dir, info->dev_tsv, info->dev_jsonl);
    char *train = path_join(dir, jsonl ? "train.jsonl" : "train.tsv");
    if (!opts->dev_only && !file_exists(train))
        die_input("glue-%s: %s has %s but no %s to train the classifier on", info->name, dir,
                  jsonl ? info->dev_jsonl : info->dev_tsv, jsonl ? "train.jsonl" : "train.tsv");
    GlueTask *t = xcalloc(1, sizeof *t);
    t->id = id;
    t->name = info->name;
    t->num_labels = info->num_labels;
    t->is_jsonl = jsonl;
    if (!opts->dev_only) read_split(id, train, jsonl, opts, &t->train);
    free(train);
    read_split(id, jsonl ? dev_jsonl : dev_tsv, jsonl, opts, &t->dev);
    free(dev_tsv);
    free(dev_jsonl);
    return t;
}

GlueTask *glue_task_load(const char *spec, const GlueLoadOptions *opts) {
    const char *colon = strchr(spec, ':');
    if (strncmp(spec, "glue-", 5) || !colon)
        die_input("task '%s': expected glue-NAME:DIR, e.g. glue-rte:data/RTE", spec);
    GlueTaskId id;
    if (glue_task_parse_name(spec + 5, (int)(colon - spec - 5), &id))
        die_input("task '%s': unknown GLUE task '%.*s' (cola, sst2, mrpc, stsb, qqp, mnli, "
                  "mnli-mm, qnli, rte, wnli)",
                  spec, (int)(colon - spec - 5), spec + 5);
    if (!colon[1]) die_input("task '%s': no folder after the task name", spec);
    return glue_task_read(id, colon + 1, opts);
}
