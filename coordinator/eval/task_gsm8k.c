/* task_gsm8k.c: gsm8k's answer filters and exact_match normalization, as
 * lm-evaluation-harness's gsm8k task (version 3) applies them. The two regexes
 * are matched by hand, following Python re's leftmost-first, greedy rules. */
#include <stdlib.h>
#include <string.h>

#include "eval/task_text.h"
#include "base/util.h"

static int is_digit_class(char c) {
    return c >= '0' && c <= '9';
}
/* [0-9\.\,] of the strict pattern */
static int in_strict_class(char c) {
    return is_digit_class(c) || c == '.' || c == ',';
}
/* [$0-9.,] of the flexible pattern */
static int in_flexible_class(char c) {
    return in_strict_class(c) || c == '$';
}

static char *copy_span(const char *b, size_t n) {
    char *out = xmalloc(n + 1);
    memcpy(out, b, n);
    out[n] = '\0';
    return out;
}

/* Length of the longest run of characters in the class from s. */
static size_t run_length(const char *s, int (*in_class)(char)) {
    size_t n = 0;
    while (s[n] && in_class(s[n]))
        n++;
    return n;
}

char *gsm8k_extract_strict(const char *text) {
    for (const char *p = strstr(text, "#### "); p; p = strstr(p + 1, "#### ")) {
        const char *g = p + 5;
        int minus = *g == '-';
        size_t n = run_length(g + minus, in_strict_class);
        if (n) return copy_span(g, n + (size_t)minus);
    }
    return NULL;
}

/* Length of a match of (-?[$0-9.,]{2,})|(-?[0-9]+) starting at s, or 0. */
static size_t flexible_match_at(const char *s) {
    int minus = *s == '-';
    size_t n = run_length(s + minus, in_flexible_class);
    if (n >= 2) return n + (size_t)minus;
    n = run_length(s + minus, is_digit_class);
    return n ? n + (size_t)minus : 0;
}

char *gsm8k_extract_flexible(const char *text) {
    const char *last = NULL;
    size_t last_len = 0;
    for (const char *p = text; *p;) {
        size_t n = flexible_match_at(p);
        if (n) {
            last = p, last_len = n;
            p += n;
        } else {
            p++;
        }
    }
    return last ? copy_span(last, last_len) : NULL;
}

char *gsm8k_normalize(const char *text) {
    char *out = xmalloc(strlen(text) + 1), *o = out;
    for (const char *p = text; *p; p++)
        if (*p != ',' && *p != '$') *o++ = *p;
    *o = '\0';
    const char *start = out;
    for (const char *p = strstr(out, "#### "); p; p = strstr(p + 1, "#### "))
        start = p + 5;
    memmove(out, start, strlen(start) + 1);
    size_t n = strlen(out);
    /* "\.$": '$' matches at the end and before a final newline. */
    if (n >= 1 && out[n - 1] == '.')
        out[n - 1] = '\0';
    else if (n >= 2 && out[n - 2] == '.' && out[n - 1] == '\n')
        out[n - 2] = '\n', out[n - 1] = '\0';
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return out;
}
