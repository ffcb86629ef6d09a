/* model_files.c: see model_files.h. */
#include "text/model_files.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/json_check.h"
#include "base/util.h"
#include "formats/gguf.h"

/* The folder of the model: model_path itself, or the folder of the file.
 * Caller frees. */
static char *model_dir(const char *model_path) {
    char *dir = xstrdup(model_path);
    if (dir_exists(model_path)) return dir;
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    return dir;
}

/* dir/name when that file exists, else NULL. Caller frees. */
static char *existing(const char *dir, const char *name) {
    char *path = path_join(dir, name);
    if (file_exists(path)) return path;
    free(path);
    return NULL;
}

/* tokenizer.model and tokenizer.json both there: the SentencePiece one when
 * the sizes agree. */
static Tokenizer *choose_tokenizer(const char *spm_path, const char *json_path) {
    Tokenizer *spm = tokenizer_load(spm_path);
    Tokenizer *hf = tokenizer_load(json_path);
    int n_spm = tokenizer_vocab_size(spm), n_hf = tokenizer_vocab_size(hf);
    if (n_spm == n_hf) {
        tokenizer_free(hf);
        return spm;
    }
    warn_msg("%s has %d pieces but %s has %d tokens: using %s, as transformers does", spm_path,
             n_spm, json_path, n_hf, json_path);
    tokenizer_free(spm);
    return hf;
}

/* The token ids of key in a config file: an integer, a list of integers or
 * null. Returns the count (at most cap); each must be a token of t. */
static int read_ids(const char *src, const cJSON *root, const char *key, const Tokenizer *t,
                    int *ids, int cap) {
    const cJSON *v = json_member(root, key);
    if (!v) return 0;
    int n = 0, list = cJSON_IsArray(v);
    const cJSON *item = list ? v->child : v;
    for (int i = 0; item && n < cap; item = list ? item->next : NULL, i++) {
        char where[96];
        snprintf(where, sizeof where, list ? "%s[%d]" : "%s", key, i);
        if (!cJSON_IsNumber(item) || floor(item->valuedouble) != item->valuedouble)
            die_input("%s: %s: expected an integer token id or a list of them, got %s", src, where,
                      json_kind(item));
        if (item->valuedouble < 0 || item->valuedouble >= tokenizer_vocab_size(t))
            die_input("%s: %s = %.0f is not a token of %s (%d tokens)", src, where,
                      item->valuedouble, tokenizer_path(t), tokenizer_vocab_size(t));
        ids[n++] = (int)item->valuedouble;
    }
    return n;
}

#define MAX_CONFIG_IDS 64

/* What one of the model's config files says; returns whether it gave an
 * eos_token_id. */
static int apply_model_config(Tokenizer *t, const char *dir, const char *name, int add_eos) {
    char *path = existing(dir, name);
    if (!path) return 0;
    char *text = read_file_text(path, NULL);
    cJSON *root = json_parse_checked(path, text);
    free(text);
    if (!cJSON_IsObject(root))
        die_input("%s: expected a JSON object, got %s", path, json_kind(root));
    int bos[MAX_CONFIG_IDS], eos[MAX_CONFIG_IDS], pad[MAX_CONFIG_IDS];
    int n_bos = read_ids(path, root, "bos_token_id", t, bos, MAX_CONFIG_IDS);
    int n_eos = read_ids(path, root, "eos_token_id", t, eos, MAX_CONFIG_IDS);
    int n_pad = read_ids(path, root, "pad_token_id", t, pad, MAX_CONFIG_IDS);
    tokenizer_set_default_specials(t, n_bos ? bos[0] : -1, n_eos ? eos[0] : -1,
                                   n_pad ? pad[0] : -1);
    if (add_eos)
        for (int i = 0; i < n_eos; i++)
            tokenizer_add_eos_id(t, eos[i]);
    cJSON_Delete(root);
    free(path);
    return n_eos > 0;
}

Tokenizer *model_open_tokenizer(const char *model_path, const char *explicit_path,
                                const char *needed_for) {
    if (explicit_path && !file_exists(explicit_path))
        die_input("%s: tokenizer file not found (--tokenizer)", explicit_path);
    char *dir = model_dir(model_path);
    Tokenizer *t = NULL;
    if (explicit_path) {
        t = tokenizer_load(explicit_path);
    } else if (!dir_exists(model_path) && file_exists(model_path) && gguf_has_magic(model_path)) {
        free(dir);
        return tokenizer_load(model_path); /* a GGUF file holds its own tokenizer */
    } else {
        char *spm = existing(dir, "tokenizer.model"), *json = existing(dir, "tokenizer.json");
        char *vocab = existing(dir, "vocab.txt");
        if (spm && json)
            t = choose_tokenizer(spm, json);
        else if (spm || json || vocab)
            t = tokenizer_load(spm ? spm : json ? json : vocab);
        free(spm), free(json), free(vocab);
    }
    if (!t) {
        free(dir);
        if (needed_for)
            die_input("%s: no tokenizer beside the model (tokenizer.model, tokenizer.json or "
                      "vocab.txt), needed for %s; give --tokenizer FILE",
                      model_path, needed_for);
        return NULL;
    }
    int gave_eos = apply_model_config(t, dir, "generation_config.json", 1);
    apply_model_config(t, dir, "config.json", !gave_eos);
    free(dir);
    return t;
}

void model_check_tokenizer(const Tokenizer *t, int model_vocab, const char *model_path) {
    if (tokenizer_vocab_size(t) > model_vocab)
        die_input("%s: the tokenizer %s has %d tokens but the model's vocabulary has %d "
                  "(vocab_size): they do not belong together (give --tokenizer FILE)",
                  model_path, tokenizer_path(t), tokenizer_vocab_size(t), model_vocab);
}
