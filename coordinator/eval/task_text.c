/* task_text.c: see task_text.h (strings, hellaswag's preprocess). */
#include "eval/task_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

char *str_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) die_runtime("str_printf: bad format '%s'", fmt);
    char *out = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

static int is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char *str_strip(const char *text) {
    const char *b = text, *e = text + strlen(text);
    while (b < e && is_ascii_space(*b))
        b++;
    while (e > b && is_ascii_space(e[-1]))
        e--;
    char *out = xmalloc((size_t)(e - b) + 1);
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return out;
}

/* Every occurrence of `from` replaced by `to`, left to right without overlap
 * (Python's str.replace). Caller frees. */
static char *str_replace_all(const char *s, const char *from, const char *to) {
    size_t lf = strlen(from), lt = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + lf, from))
        n++;
    size_t len = strlen(s) + n * lt + 1;
    char *out = xmalloc(len), *o = out;
    const char *p = s, *q;
    while ((q = strstr(p, from))) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, lt);
        o += lt;
        p = q + lf;
    }
    strcpy(o, p);
    return out;
}

/* s without the matches of the regex \[.*?\] ('.' does not match '\n'). */
static char *remove_bracketed(const char *s) {
    char *out = xmalloc(strlen(s) + 1), *o = out;
    for (const char *p = s; *p;) {
        if (*p == '[') {
            const char *q = p + 1;
            while (*q && *q != ']' && *q != '\n')
                q++;
            if (*q == ']') {
                p = q + 1;
                continue;
            }
        }
        *o++ = *p++;
    }
    *o = '\0';
    return out;
}

char *hellaswag_preprocess(const char *text) {
    char *a = str_strip(text);
    char *b = str_replace_all(a, " [title]", ". ");
    char *c = remove_bracketed(b);
    char *d = str_replace_all(c, "  ", " ");
    free(a);
    free(b);
    free(c);
    return d;
}

char *ascii_capitalize(const char *text) {
    char *out = xstrdup(text);
    for (char *p = out; *p; p++) {
        if (p == out && *p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        else if (p != out && *p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return out;
}
