/* task_text.c: see task_text.h (UTF-8, strings, hellaswag's preprocess). */
#include "eval/task_text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int utf8_char_count(const char *s) {
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* Length of the valid UTF-8 character at s (n bytes left), or 0. */
static size_t utf8_char_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80) return c != 0;
    if ((c & 0xE0) == 0xC0)
        len = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

int utf8_check(const char *s, size_t n, size_t *bad_at) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_char_len(u + i, n - i);
        if (!len) {
            if (bad_at) *bad_at = i;
            return 0;
        }
        i += len;
    }
    return 1;
}

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
    while (b < e && is_ascii_space(*b)) b++;
    while (e > b && is_ascii_space(e[-1])) e--;
    char *out = xmalloc((size_t)(e - b) + 1);
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return out;
}

/* Every occurrence of `from` replaced by `to`, left to right without overlap
 * (Python's str.replace). Caller frees. */
static char *str_replace_all(const char *s, const char *from, const char *to) {
    size_t lf = strlen(from), lt = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + lf, from)) n++;
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
            while (*q && *q != ']' && *q != '\n') q++;
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
