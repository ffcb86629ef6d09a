/* hf_json.c: see hf_json.h. */
#include "text/hf_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/json_check.h"

HfPath hf_path_key(const HfPath *parent, const char *key) {
    HfPath p = {parent, key, -1};
    return p;
}

HfPath hf_path_index(const HfPath *parent, int index) {
    HfPath p = {parent, NULL, index};
    return p;
}

static int is_plain_key(const char *k) {
    if (!*k) return 0;
    for (const char *c = k; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return 0;
    return 1;
}

/* Appends one step at *len in buf (cap bytes), cutting long keys. */
static void path_append(char *buf, size_t cap, size_t *len, const HfPath *p) {
    if (!p || (!p->parent && !p->key && p->index < 0)) return;
    path_append(buf, cap, len, p->parent);
    if (*len >= cap) return;
    int wrote;
    if (!p->key)
        wrote = snprintf(buf + *len, cap - *len, "[%d]", p->index);
    else if (is_plain_key(p->key))
        wrote = snprintf(buf + *len, cap - *len, "%s%s", *len ? "." : "", p->key);
    else
        wrote = snprintf(buf + *len, cap - *len, "[\"%.40s%s\"]", p->key,
                         strlen(p->key) > 40 ? "..." : "");
    if (wrote > 0) *len += (size_t)wrote < cap - *len ? (size_t)wrote : cap - *len - 1;
}

char *hf_path_string(const HfPath *path) {
    char where[512] = "";
    size_t len = 0;
    path_append(where, sizeof where, &len, path);
    return xstrdup(len ? where : "(top level)");
}

void hf_json_die(const char *source, const HfPath *path, const char *fmt, ...) {
    char where[512] = "";
    size_t len = 0;
    path_append(where, sizeof where, &len, path);
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    die_input("%s: %s: %s", source, len ? where : "(top level)", reason);
}

const cJSON *hf_json_get(const cJSON *obj, const char *key) {
    return cJSON_IsObject(obj) ? json_member(obj, key) : NULL;
}

const cJSON *hf_json_need(const char *source, const cJSON *obj, const HfPath *path,
                          const char *key) {
    const cJSON *v = hf_json_get(obj, key);
    if (!v) hf_json_die(source, path, "missing \"%s\"", key);
    return v;
}

const cJSON *hf_json_object(const char *source, const cJSON *v, const HfPath *path) {
    if (!cJSON_IsObject(v)) hf_json_die(source, path, "expected an object, got %s", json_kind(v));
    return v;
}

const cJSON *hf_json_array(const char *source, const cJSON *v, const HfPath *path) {
    if (!cJSON_IsArray(v)) hf_json_die(source, path, "expected an array, got %s", json_kind(v));
    return v;
}

const char *hf_json_string(const char *source, const cJSON *v, const HfPath *path) {
    if (!cJSON_IsString(v) || !v->valuestring)
        hf_json_die(source, path, "expected a string, got %s", json_kind(v));
    return v->valuestring;
}

int hf_json_bool(const char *source, const cJSON *v, const HfPath *path) {
    if (!cJSON_IsBool(v)) hf_json_die(source, path, "expected a boolean, got %s", json_kind(v));
    return cJSON_IsTrue(v);
}

int hf_json_int(const char *source, const cJSON *v, const HfPath *path, int lo, int hi) {
    if (!cJSON_IsNumber(v)) hf_json_die(source, path, "expected an integer, got %s", json_kind(v));
    double d = v->valuedouble;
    if (!isfinite(d) || floor(d) != d) hf_json_die(source, path, "expected an integer, got %g", d);
    if (d < lo || d > hi) hf_json_die(source, path, "%.0f is out of range [%d, %d]", d, lo, hi);
    return (int)d;
}

int hf_json_opt_bool(const char *source, const cJSON *obj, const HfPath *path, const char *key,
                     int dflt) {
    const cJSON *v = hf_json_get(obj, key);
    if (!v) return dflt;
    HfPath p = hf_path_key(path, key);
    return hf_json_bool(source, v, &p);
}

const char *hf_json_opt_string(const char *source, const cJSON *obj, const HfPath *path,
                               const char *key, const char *dflt) {
    const cJSON *v = hf_json_get(obj, key);
    if (!v) return dflt;
    HfPath p = hf_path_key(path, key);
    return hf_json_string(source, v, &p);
}

const char *hf_json_type(const char *source, const cJSON *obj, const HfPath *path) {
    const cJSON *v = hf_json_need(source, obj, path, "type");
    HfPath p = hf_path_key(path, "type");
    return hf_json_string(source, v, &p);
}
