/* json_line.h: files of one JSON value a line (JSON lines), as the commands
 * read them (`tokenize --input`, `generate --prompts`): the lines, and each
 * line's value.
 *
 *   size_t pos = 0, n;
 *   const char *line, *why;
 *   while (json_line_next(text, len, &pos, &line, &n)) {
 *       cJSON *v = json_line_parse(line, n, &why);   // NULL: why says what it is
 *       ...
 *   } */
#ifndef PAINTERS_JSON_LINE_H
#define PAINTERS_JSON_LINE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* The next line of text[0..len) at *pos, which moves past it and its "\n":
 * *line and its *n bytes (no "\n"). Returns 0 when no line is left. */
int json_line_next(const char *text, size_t len, size_t *pos, const char **line, size_t *n);
/* Whether the JSON text s[0..n) writes U+0000 (\u0000 outside another escape). */
int json_line_has_nul(const char *s, size_t n);
/* The one JSON value of line (n bytes), blanks around it allowed. Returns it
 * (the caller cJSON_Deletes it), or NULL with *why "not JSON" or "more than
 * one JSON value". */
cJSON *json_line_parse(const char *line, size_t n, const char **why);
/* The string field `key` of a record, or NULL with the reason in why (n
 * bytes): "missing field "key"" or "field "key" must be a string". */
const char *json_line_string_field(const cJSON *rec, const char *key, char *why, size_t n);

#endif
