/* csv.c: see csv.h. */
#include "study/csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim_blanks(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int is_blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r') return 0;
    return 1;
}

static int count_fields(const char *line) {
    int n = 1;
    for (; *line; line++)
        n += *line == ',';
    return n;
}

/* Splits a line in place at its commas into n fields (trimmed). */
static void split_fields(char *line, char **fields, int n) {
    for (int i = 0; i < n; i++) {
        char *comma = strchr(line, ',');
        if (comma) *comma = '\0';
        fields[i] = trim_blanks(line);
        line = comma ? comma + 1 : line + strlen(line);
    }
}

/* die_input at the line of the first NUL byte, if the file holds one. */
static void reject_nul_bytes(const char *path, const char *text, size_t len) {
    const char *nul = memchr(text, '\0', len);
    if (!nul) return;
    int line = 1;
    for (const char *p = text; p < nul; p++)
        line += *p == '\n';
    die_input("%s:%d: a NUL byte: not a text CSV file", path, line);
}

CsvTable csv_read(const char *path) {
    if (!file_exists(path)) die_input("%s: missing (not a regular file)", path);
    CsvTable t = {0};
    size_t len = 0;
    t.path = xstrdup(path);
    t.text = read_file_text(path, &len);
    reject_nul_bytes(path, t.text, len);
    int cap = 16, line = 0;
    t.rows = xmalloc((size_t)cap * sizeof *t.rows);
    for (char *p = t.text; *p;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        line++;
        char *cur = p;
        p = nl ? nl + 1 : p + strlen(p);
        if (is_blank(cur)) continue;
        int n = count_fields(cur);
        if (!t.header) {
            t.n_cols = n;
            t.header_line = line;
            t.header = xmalloc((size_t)n * sizeof *t.header);
            split_fields(cur, t.header, n);
            continue;
        }
        if (n != t.n_cols)
            die_input("%s:%d: %d fields, the header has %d", path, line, n, t.n_cols);
        if (t.n_rows == cap) t.rows = xrealloc(t.rows, (size_t)(cap *= 2) * sizeof *t.rows);
        CsvRow *row = &t.rows[t.n_rows++];
        row->line = line;
        row->fields = xmalloc((size_t)n * sizeof *row->fields);
        split_fields(cur, row->fields, n);
    }
    if (!t.header) die_input("%s:1: empty file (no header)", path);
    return t;
}

void csv_free(CsvTable *t) {
    if (!t) return;
    for (int r = 0; r < t->n_rows; r++)
        free(t->rows[r].fields);
    free(t->rows);
    free(t->header);
    free(t->text);
    free(t->path);
    *t = (CsvTable){0};
}

void csv_expect_header(const CsvTable *t, const char *columns) {
    char *want = xstrdup(columns);
    int n = count_fields(want);
    char **names = xmalloc((size_t)n * sizeof *names);
    split_fields(want, names, n);
    int ok = n == t->n_cols;
    for (int i = 0; ok && i < n; i++)
        ok = !strcmp(names[i], t->header[i]);
    free(names);
    free(want);
    if (!ok) die_input("%s:%d: the header is not '%s'", t->path, t->header_line, columns);
}

void csv_fail(const CsvTable *t, int r, int c, const char *fmt, ...) {
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    die_input("%s:%d: column %s: %s", t->path, t->rows[r].line, t->header[c], reason);
}

const char *csv_text(const CsvTable *t, int r, int c) {
    return t->rows[r].fields[c];
}

const char *csv_name(const CsvTable *t, int r, int c) {
    const char *s = csv_text(t, r, c);
    if (!*s) csv_fail(t, r, c, "empty");
    return s;
}

double csv_number(const CsvTable *t, int r, int c, CsvPresence presence) {
    const char *s = csv_text(t, r, c);
    if (!*s) {
        if (presence == CSV_OPTIONAL) return NAN;
        csv_fail(t, r, c, "empty, a number is needed");
    }
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end) csv_fail(t, r, c, "'%s' is not a number", s);
    return x;
}

int csv_int(const CsvTable *t, int r, int c, int lo, int hi, CsvPresence presence) {
    const char *s = csv_text(t, r, c);
    if (!*s) {
        if (presence == CSV_OPTIONAL) return -1;
        csv_fail(t, r, c, "empty, an integer is needed");
    }
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || *end || errno || x < lo || x > hi)
        csv_fail(t, r, c, "'%s' is not an integer in [%d, %d]", s, lo, hi);
    return (int)x;
}
