/* json_line.c: see json_line.h. */
#include "cli/json_line.h"

#include <stdio.h>
#include <string.h>

int json_line_next(const char *text, size_t len, size_t *pos, const char **line, size_t *n) {
    if (*pos >= len) return 0;
    *line = text + *pos;
    const char *nl = memchr(*line, '\n', len - *pos);
    *n = nl ? (size_t)(nl - *line) : len - *pos;
    *pos += *n + (nl != NULL);
    return 1;
}

int json_line_has_nul(const char *s, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\\') continue;
        if (s[i + 1] == 'u' && i + 5 < n && !memcmp(s + i + 2, "0000", 4)) return 1;
        i++; /* the escaped character */
    }
    return 0;
}

cJSON *json_line_parse(const char *line, size_t n, const char **why) {
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(line, n, &end, 0);
    if (!v) {
        *why = "not JSON";
        return NULL;
    }
    for (const char *p = end; end && p < line + n; p++)
        if (!(*p == ' ' || *p == '\t' || *p == '\r')) {
            cJSON_Delete(v);
            *why = "more than one JSON value";
            return NULL;
        }
    return v;
}

const char *json_line_string_field(const cJSON *rec, const char *key, char *why, size_t n) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
    if (v && cJSON_IsString(v)) return v->valuestring;
    snprintf(why, n, v ? "field \"%s\" must be a string" : "missing field \"%s\"", key);
    return NULL;
}
