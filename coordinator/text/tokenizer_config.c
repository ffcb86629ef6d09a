/* tokenizer_config.c: see tokenizer_internal.h (the tokenizer_config.json
 * beside a tokenizer file, as transformers reads it: special tokens as
 * strings or {"content": ...} objects, add_bos_token,
 * clean_up_tokenization_spaces, do_lower_case). */
#include "text/tokenizer_internal.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/json_check.h"
#include "base/util.h"

/* The folder of path joined with name. Caller frees. */
static char *sibling_path(const char *path, const char *name) {
    const char *slash = strrchr(path, '/');
    if (!slash) return xstrdup(name);
    size_t n = (size_t)(slash - path);
    char *dir = xmalloc(n + 2);
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (n == 0) strcpy(dir, "/");
    char *out = path_join(dir, name);
    free(dir);
    return out;
}

/* -1 when absent or null, else 0/1; anything but a boolean is die_input. */
static int read_bool(const char *src, const cJSON *root, const char *key) {
    const cJSON *v = json_member(root, key);
    if (!v) return -1;
    if (!cJSON_IsBool(v))
        die_input("%s: %s: expected true or false, got %s", src, key, json_kind(v));
    return cJSON_IsTrue(v) ? 1 : 0;
}

/* A special token: a string, an object with a "content" string (an
 * AddedToken), or null. *given is set when the key is there (null too). */
static char *read_token(const char *src, const cJSON *root, const char *key, int *given) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    *given = v != NULL;
    if (!v || cJSON_IsNull(v)) return NULL;
    if (cJSON_IsString(v)) return xstrdup(v->valuestring);
    if (cJSON_IsObject(v)) {
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(v, "content");
        if (cJSON_IsString(content)) return xstrdup(content->valuestring);
        die_input("%s: %s.content: expected a string, got %s", src, key,
                  content ? json_kind(content) : "nothing");
    }
    die_input("%s: %s: expected a string, an object with \"content\" or null, got %s", src, key,
              json_kind(v));
}

void tokenizer_config_read(const char *tokenizer_path, TokenizerConfig *c) {
    memset(c, 0, sizeof *c);
    c->do_lower_case = c->clean_up = c->add_bos = -1;
    char *path = sibling_path(tokenizer_path, "tokenizer_config.json");
    if (!file_exists(path)) {
        free(path);
        return;
    }
    char *text = read_file_text(path, NULL);
    cJSON *root = json_parse_checked(path, text);
    free(text);
    if (!cJSON_IsObject(root))
        die_input("%s: expected a JSON object, got %s", path, json_kind(root));
    c->path = path;
    c->do_lower_case = read_bool(path, root, "do_lower_case");
    c->clean_up = read_bool(path, root, "clean_up_tokenization_spaces");
    c->add_bos = read_bool(path, root, "add_bos_token");
    c->bos = read_token(path, root, "bos_token", &c->bos_given);
    c->eos = read_token(path, root, "eos_token", &c->eos_given);
    c->pad = read_token(path, root, "pad_token", &c->pad_given);
    cJSON_Delete(root);
}

void tokenizer_config_free(TokenizerConfig *c) {
    free(c->path);
    free(c->bos);
    free(c->eos);
    free(c->pad);
    memset(c, 0, sizeof *c);
}

/* The id the config's token text names, or -1 for null. */
static void apply_special(Tokenizer *t, const TokenizerConfig *c, const char *key, const char *text,
                          int given, TokenizerSpecial *out) {
    if (!given) return;
    out->given = 1;
    out->id = -1;
    if (!text) return;
    out->id = tokenizer_piece_to_id(t, text);
    if (out->id < 0) die_input("%s: %s: '%s' is not a token of %s", c->path, key, text, t->path);
}

void tokenizer_config_apply(Tokenizer *t, const TokenizerConfig *c) {
    if (!c->path) return;
    apply_special(t, c, "bos_token", c->bos, c->bos_given, &t->bos);
    apply_special(t, c, "eos_token", c->eos, c->eos_given, &t->eos);
    apply_special(t, c, "pad_token", c->pad, c->pad_given, &t->pad);
    if (c->add_bos >= 0) t->add_bos = c->add_bos;
    if (c->clean_up >= 0) t->clean_up = c->clean_up;
}
