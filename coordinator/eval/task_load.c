/* task_load.c: see task_load.h. */
#include "eval/task_load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/util.h"
#include "eval/glue_read.h"
#include "eval/task_records.h"
#include "eval/task_text.h"

/* Malformed lines reported one by one under skip_bad before a summary. */
#define TASK_SKIP_WARNINGS 10

/* A malformed line: die_input, or with skip_bad count it (and say so on
 * stderr for the first few). */
PAINTERS_PRINTF(3, 4)
static void reject_line(Task *t, int line, const char *fmt, ...) {
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (!t->opts.skip_bad) die_input("%s:%d: %s", t->path, line, why);
    if (t->n_skipped < TASK_SKIP_WARNINGS)
        warn_msg("%s:%d: %s (skipped)", t->path, line, why);
    else if (t->n_skipped == TASK_SKIP_WARNINGS)
        warn_msg("%s: more malformed lines skipped", t->path);
    t->n_skipped++;
}

static int is_blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\v' && *s != '\f') return 0;
    return 1;
}

static int limit_reached(const Task *t) {
    return t->opts.limit > 0 && t->n_items >= t->opts.limit;
}

/* One line of a task file: NUL-terminated in place, without its "\n" or a
 * "\r" before it. */
typedef struct {
    char *text;
    int number;      /* 1-based */
    int has_newline; /* the file had "\n" after it */
} Line;

/* Returns nonzero to stop reading. */
typedef int (*LineFn)(Task *t, const Line *line, void *ctx);

/* Calls fn on each line of the n-byte buffer text (modified in place) that is
 * valid UTF-8 without NUL bytes; any other line is rejected. */
static void for_each_line(Task *t, char *text, size_t n, LineFn fn, void *ctx) {
    Line line = {0};
    for (char *p = text, *end = text + n; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *next = nl ? nl + 1 : end;
        line.number++;
        line.has_newline = nl != NULL;
        if (len > 0 && p[len - 1] == '\r') len--;
        p[len] = '\0';
        line.text = p;
        size_t bad_at;
        if (!utf8_check(p, len, &bad_at))
            reject_line(t, line.number, "%s at byte %zu",
                        p[bad_at] ? "not valid UTF-8" : "a NUL byte", bad_at + 1);
        else if (fn(t, &line, ctx))
            return;
        p = next;
    }
}

static int add_document(Task *t, const Line *line, void *ctx) {
    (void)ctx;
    if (!is_blank(line->text)) task_push_doc(t, xstrdup(line->text));
    return limit_reached(t);
}

/* Chunked mode keeps the text whole: every valid line with its "\n". */
typedef struct {
    char *out; /* as large as the file, plus one */
    size_t len;
} TextBuilder;

static int add_chunk_line(Task *t, const Line *line, void *ctx) {
    (void)t;
    TextBuilder *b = ctx;
    size_t n = strlen(line->text);
    memcpy(b->out + b->len, line->text, n);
    b->len += n;
    if (line->has_newline) b->out[b->len++] = '\n';
    b->out[b->len] = '\0';
    return 0;
}

static int add_record(Task *t, const Line *l, void *ctx) {
    (void)ctx;
    const char *line = l->text;
    int number = l->number;
    if (is_blank(line)) return 0;
    const char *parse_end = NULL;
    cJSON *rec = cJSON_ParseWithOpts(line, &parse_end, 0);
    if (!rec) {
        const char *at = parse_end ? parse_end : cJSON_GetErrorPtr();
        reject_line(t, number, "not valid JSON (at column %d)", at ? (int)(at - line) + 1 : 1);
        return 0;
    }
    while (*parse_end == ' ' || *parse_end == '\t')
        parse_end++;
    char why[384];
    if (*parse_end) {
        reject_line(t, number, "text after the JSON value (at column %d)",
                    (int)(parse_end - line) + 1);
    } else if (!cJSON_IsObject(rec)) {
        reject_line(t, number, "not a JSON object");
    } else if (task_record_parse(t, rec, why, sizeof why) != 0) {
        reject_line(t, number, "%s", why);
    }
    cJSON_Delete(rec);
    return limit_reached(t);
}

Task *task_load(const char *spec, const TaskLoadOptions *opts) {
    const char *colon = strchr(spec, ':');
    if (!colon) die_input("task '%s': expected KIND:FILE, e.g. mc:cloze.jsonl", spec);
    if (!colon[1]) die_input("task '%s': no file after the kind", spec);
    Task *t = task_new(task_kind_parse(spec, (size_t)(colon - spec)), spec, colon + 1, opts);
    if (t->opts.chunk_ctx > 0 && t->kind != TASK_PPL)
        t->opts.chunk_ctx = 0; /* chunks apply to perplexity only */
    if (t->kind == TASK_GLUE) {
        t->glue = glue_task_load(spec, &(GlueLoadOptions){.limit = t->opts.limit,
                                                          .skip_bad = t->opts.skip_bad,
                                                          .dev_only = t->opts.no_train});
        t->n_items = t->glue->dev.n;
        t->n_skipped = t->glue->train.skipped + t->glue->dev.skipped;
        return t;
    }
    size_t n;
    char *text = read_file_text(t->path, &n);
    if (t->kind == TASK_PPL && t->opts.chunk_ctx > 0) {
        TextBuilder b = {xcalloc(n + 1, 1), 0};
        for_each_line(t, text, n, add_chunk_line, &b);
        t->text = b.out;
    } else {
        int documents = t->kind == TASK_PPL || t->kind == TASK_MLM;
        for_each_line(t, text, n, documents ? add_document : add_record, NULL);
    }
    free(text);
    if (t->text ? t->text[0] == '\0' : t->n_items == 0)
        die_input("%s: no items to evaluate%s", t->path,
                  t->n_skipped ? " (every line was malformed and skipped)"
                  : t->kind == TASK_GSM8K && t->n_shots > 0 ? " after the --shots examples"
                                                            : "");
    return t;
}
