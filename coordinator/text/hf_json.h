/* hf_json.h: typed reads from a tokenizer.json's cJSON tree that know the
 * JSON path of each value, so that every refusal is one die_input line
 * "FILE: model.merges[17]: reason". A path is a chain of stack frames:
 *
 *   HfPath root = HF_PATH_ROOT, model = hf_path_key(&root, "model");
 *   const cJSON *m = hf_json_object(src, hf_json_need(src, top, &root, "model"), &model);
 *   HfPath vp = hf_path_key(&model, "vocab");
 *   int id = hf_json_int(src, v, &vp, 0, INT_MAX);     // or die naming "model.vocab"
 */
#ifndef PAINTERS_HF_JSON_H
#define PAINTERS_HF_JSON_H

#include <cjson/cJSON.h>

#include "base/util.h"

/* One step of a JSON path: a member key or an array index. */
typedef struct HfPath {
    const struct HfPath *parent; /* NULL at the root */
    const char *key;             /* member name, or NULL for an index */
    int index;
} HfPath;

#define HF_PATH_ROOT                                                                               \
    { NULL, NULL, -1 }

HfPath hf_path_key(const HfPath *parent, const char *key);
HfPath hf_path_index(const HfPath *parent, int index);

/* The path as messages write it ("model.merges[17]"). Caller frees. */
char *hf_path_string(const HfPath *path);

/* die_input("SOURCE: PATH: reason"); the root path prints as "(top level)". */
_Noreturn void hf_json_die(const char *source, const HfPath *path, const char *fmt, ...)
    PAINTERS_PRINTF(3, 4);

/* The member key of object obj (path: obj's path), NULL when absent or null. */
const cJSON *hf_json_get(const cJSON *obj, const char *key);
/* The same, dying "missing KEY" when absent or null. */
const cJSON *hf_json_need(const char *source, const cJSON *obj, const HfPath *path,
                          const char *key);

/* v itself, dying unless it has the kind named (path: v's path). */
const cJSON *hf_json_object(const char *source, const cJSON *v, const HfPath *path);
const cJSON *hf_json_array(const char *source, const cJSON *v, const HfPath *path);
const char *hf_json_string(const char *source, const cJSON *v, const HfPath *path);
int hf_json_bool(const char *source, const cJSON *v, const HfPath *path);
/* An exact integer in [lo, hi]. */
int hf_json_int(const char *source, const cJSON *v, const HfPath *path, int lo, int hi);

/* Member key of obj read as a boolean / string, or dflt when absent or null. */
int hf_json_opt_bool(const char *source, const cJSON *obj, const HfPath *path, const char *key,
                     int dflt);
const char *hf_json_opt_string(const char *source, const cJSON *obj, const HfPath *path,
                               const char *key, const char *dflt);
/* The "type" member of obj, dying when it is absent or not a string. */
const char *hf_json_type(const char *source, const cJSON *obj, const HfPath *path);

#endif
