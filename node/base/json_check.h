/* json_check.h: cJSON parsing with error messages that say where.
 *
 * Shared by the readers of config.json, model.safetensors.index.json and
 * safetensors headers. Every failure is die_input() naming the source. */
#ifndef PAINTERS_JSON_CHECK_H
#define PAINTERS_JSON_CHECK_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* Parses NUL-terminated text; bad JSON is die_input("SOURCE: invalid JSON at
 * line L, column C"). Caller owns the tree; free with cJSON_Delete(). */
cJSON *json_parse_checked(const char *source, const char *text);

/* "an object", "a string", ... for "expected X, got Y" messages. */
const char *json_kind(const cJSON *item);

/* The member called key (case-sensitive), or NULL when absent or null. */
const cJSON *json_member(const cJSON *obj, const char *key);

/* 1 and *out set when item is a number holding an exact integer in
 * [0, 2^53]; 0 otherwise. */
int json_exact_u64(const cJSON *item, uint64_t *out);

#endif
