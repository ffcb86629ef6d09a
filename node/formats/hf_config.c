/* hf_config.c: config.json -> ModelConfig; see hf_config.h. */
#include "formats/hf_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_check.h"
#include "base/util.h"

#define HF_MAX_DIM (1 << 20)
#define HF_MAX_LAYERS 4096
#define HF_MAX_POSITIONS (1 << 24)

typedef struct {
    const char *architecture; /* "architectures"[0] */
    const char *model_type;
    int qkv_bias;      /* the family always has q/k/v biases */
    int max_positions; /* transformers' default max_position_embeddings */
} Family;

static const Family FAMILIES[] = {
    {"LlamaForCausalLM", "llama", 0, 2048},
    {"MistralForCausalLM", "mistral", 0, 4096 * 32},
    {"Qwen2ForCausalLM", "qwen2", 1, 32768},
};
#define N_FAMILIES ((int)(sizeof FAMILIES / sizeof FAMILIES[0]))

/* An integer member in [lo, hi]; def when absent or null and not required. */
static int get_int(const char *src, const cJSON *obj, const char *key, int required, int def,
                   int lo, int hi) {
    const cJSON *v = json_member(obj, key);
    if (!v) {
        if (required) die_input("%s: missing required key \"%s\"", src, key);
        return def;
    }
    if (!cJSON_IsNumber(v))
        die_input("%s: %s: expected an integer, got %s", src, key, json_kind(v));
    double d = v->valuedouble;
    if (floor(d) != d) die_input("%s: %s: expected an integer, got %g", src, key, d);
    if (d < lo || d > hi) die_input("%s: %s = %.0f out of range [%d, %d]", src, key, d, lo, hi);
    return (int)d;
}

/* A number member in (lo, hi]; def when absent or null. */
static float get_float(const char *src, const cJSON *obj, const char *key, int required, float def,
                       double lo, double hi) {
    const cJSON *v = json_member(obj, key);
    if (!v) {
        if (required) die_input("%s: missing required key \"%s\"", src, key);
        return def;
    }
    if (!cJSON_IsNumber(v)) die_input("%s: %s: expected a number, got %s", src, key, json_kind(v));
    double d = v->valuedouble;
    if (!(d > lo && d <= hi)) die_input("%s: %s = %g out of range (%g, %g]", src, key, d, lo, hi);
    return (float)d;
}

static int get_bool(const char *src, const cJSON *obj, const char *key, int def) {
    const cJSON *v = json_member(obj, key);
    if (!v) return def;
    if (!cJSON_IsBool(v)) die_input("%s: %s: expected a boolean, got %s", src, key, json_kind(v));
    return cJSON_IsTrue(v);
}

/* A string member, or NULL when absent or null. */
static const char *get_string(const char *src, const cJSON *obj, const char *key) {
    const cJSON *v = json_member(obj, key);
    if (!v) return NULL;
    if (!cJSON_IsString(v)) die_input("%s: %s: expected a string, got %s", src, key, json_kind(v));
    return v->valuestring;
}

/* A token id: an integer, null (-1), or a list whose first entry is used. */
static int get_token_id(const char *src, const cJSON *obj, const char *key, int vocab) {
    const cJSON *v = json_member(obj, key);
    if (v && cJSON_IsArray(v)) {
        if (cJSON_GetArraySize(v) == 0) return -1;
        v = cJSON_GetArrayItem(v, 0);
    }
    if (!v || cJSON_IsNull(v)) return -1;
    if (!cJSON_IsNumber(v) || floor(v->valuedouble) != v->valuedouble)
        die_input("%s: %s: expected an integer token id, got %s", src, key, json_kind(v));
    if (v->valuedouble < 0 || v->valuedouble >= vocab)
        die_input("%s: %s = %.0f out of range for vocab_size %d", src, key, v->valuedouble, vocab);
    return (int)v->valuedouble;
}

static const Family *find_family(const char *src, const cJSON *root) {
    const Family *by_arch = NULL, *by_type = NULL;
    const cJSON *archs = json_member(root, "architectures");
    const char *arch = NULL;
    if (archs) {
        if (!cJSON_IsArray(archs) || cJSON_GetArraySize(archs) == 0 ||
            !cJSON_IsString(cJSON_GetArrayItem(archs, 0)))
            die_input("%s: architectures: expected a list of names, got %s", src, json_kind(archs));
        arch = cJSON_GetArrayItem(archs, 0)->valuestring;
        for (int i = 0; i < N_FAMILIES; i++)
            if (!strcmp(arch, FAMILIES[i].architecture)) by_arch = &FAMILIES[i];
        if (!by_arch)
            die_input("%s: unsupported architecture %s (supported: LlamaForCausalLM, "
                      "MistralForCausalLM, Qwen2ForCausalLM)",
                      src, arch);
    }
    const char *type = get_string(src, root, "model_type");
    if (type) {
        for (int i = 0; i < N_FAMILIES; i++)
            if (!strcmp(type, FAMILIES[i].model_type)) by_type = &FAMILIES[i];
        if (!by_type)
            die_input("%s: unsupported model_type %s (supported: llama, mistral, qwen2)", src,
                      type);
    }
    if (!by_arch && !by_type)
        die_input("%s: missing required key \"architectures\" (or \"model_type\")", src);
    return by_arch ? by_arch : by_type;
}

/* Llama-3 frequency scaling from rope_scaling (transformers 4) or
 * rope_parameters (transformers 5); only "default" and "llama3" are known. */
static void parse_rope_scaling(const char *src, const cJSON *root, ModelConfig *cfg) {
    const cJSON *rs = json_member(root, "rope_scaling");
    const char *key = "rope_scaling";
    if (!rs) {
        rs = json_member(root, "rope_parameters");
        key = "rope_parameters";
    }
    if (!rs) return;
    if (!cJSON_IsObject(rs))
        die_input("%s: %s: expected an object, got %s", src, key, json_kind(rs));
    const char *type = get_string(src, rs, "rope_type");
    if (!type) type = get_string(src, rs, "type");
    if (!type || !strcmp(type, "default")) return;
    if (strcmp(type, "llama3") != 0)
        die_input("%s: %s: rope type \"%s\" not supported (default and llama3 are)", src, key,
                  type);
    char where[4300];
    snprintf(where, sizeof where, "%s: %s", src, key);
    cfg->rope_scaling_factor = get_float(where, rs, "factor", 1, 0, 0, 1e6);
    cfg->rope_low_freq_factor = get_float(where, rs, "low_freq_factor", 1, 0, 0, 1e6);
    cfg->rope_high_freq_factor = get_float(where, rs, "high_freq_factor", 1, 0, 0, 1e6);
    cfg->rope_original_max_pos =
        get_int(where, rs, "original_max_position_embeddings", 1, 0, 1, HF_MAX_POSITIONS);
    if (cfg->rope_high_freq_factor <= cfg->rope_low_freq_factor)
        die_input("%s: high_freq_factor %g must exceed low_freq_factor %g", where,
                  cfg->rope_high_freq_factor, cfg->rope_low_freq_factor);
}

static void parse_rope_theta(const char *src, const cJSON *root, ModelConfig *cfg) {
    cfg->rope_theta = 10000.0f;
    if (json_member(root, "rope_theta")) {
        cfg->rope_theta = get_float(src, root, "rope_theta", 1, 0, 0, 1e12);
        return;
    }
    const cJSON *rp = json_member(root, "rope_parameters");
    if (rp && cJSON_IsObject(rp) && json_member(rp, "rope_theta")) {
        char where[4300];
        snprintf(where, sizeof where, "%s: rope_parameters", src);
        cfg->rope_theta = get_float(where, rp, "rope_theta", 1, 0, 0, 1e12);
    }
}

static void copy_name(char *dst, size_t cap, const char *s, const char *src, const char *key) {
    if (strlen(s) >= cap) die_input("%s: %s: \"%s\" is too long", src, key, s);
    memcpy(dst, s, strlen(s) + 1);
}

void hf_config_parse(const char *src, const char *json_text, ModelConfig *cfg) {
    cJSON *root = json_parse_checked(src, json_text);
    if (!cJSON_IsObject(root))
        die_input("%s: expected a JSON object, got %s", src, json_kind(root));
    memset(cfg, 0, sizeof *cfg);
    const Family *fam = find_family(src, root);
    copy_name(cfg->architecture, sizeof cfg->architecture, fam->architecture, src, "architectures");

    const char *act = get_string(src, root, "hidden_act");
    if (act && strcmp(act, "silu") != 0)
        die_input("%s: hidden_act \"%s\" not supported (silu is)", src, act);
    if (get_bool(src, root, "mlp_bias", 0)) die_input("%s: mlp_bias true not supported", src);

    cfg->dim = get_int(src, root, "hidden_size", 1, 0, 1, HF_MAX_DIM);
    cfg->hidden_dim = get_int(src, root, "intermediate_size", 1, 0, 1, HF_MAX_DIM);
    cfg->n_layers = get_int(src, root, "num_hidden_layers", 1, 0, 1, HF_MAX_LAYERS);
    cfg->n_heads = get_int(src, root, "num_attention_heads", 1, 0, 1, HF_MAX_DIM);
    cfg->n_kv_heads = get_int(src, root, "num_key_value_heads", 0, cfg->n_heads, 1, HF_MAX_DIM);
    cfg->vocab_size = get_int(src, root, "vocab_size", 1, 0, 1, HF_MAX_DIM);
    if (!json_member(root, "head_dim") && cfg->dim % cfg->n_heads != 0)
        die_input("%s: hidden_size %d is not divisible by num_attention_heads %d", src, cfg->dim,
                  cfg->n_heads);
    cfg->head_dim = get_int(src, root, "head_dim", 0, cfg->dim / cfg->n_heads, 1, HF_MAX_DIM);
    if (cfg->head_dim % 2 != 0)
        die_input("%s: head_dim %d is odd (rotary embeddings need pairs)", src, cfg->head_dim);
    if ((long long)cfg->n_heads * cfg->head_dim > HF_MAX_DIM)
        die_input("%s: num_attention_heads %d x head_dim %d is too large", src, cfg->n_heads,
                  cfg->head_dim);
    if (cfg->n_heads % cfg->n_kv_heads != 0)
        die_input("%s: num_attention_heads %d is not a multiple of num_key_value_heads %d", src,
                  cfg->n_heads, cfg->n_kv_heads);
    cfg->max_seq_len =
        get_int(src, root, "max_position_embeddings", 0, fam->max_positions, 1, HF_MAX_POSITIONS);
    cfg->norm_eps = get_float(src, root, "rms_norm_eps", 0, 1e-6f, 0, 1);
    parse_rope_theta(src, root, cfg);
    parse_rope_scaling(src, root, cfg);
    cfg->rope_layout = ROPE_ROTATE_HALF;
    cfg->tied_embeddings = get_bool(src, root, "tie_word_embeddings", 0);
    cfg->qkv_bias = fam->qkv_bias || get_bool(src, root, "attention_bias", 0);
    cfg->bos_id = get_token_id(src, root, "bos_token_id", cfg->vocab_size);
    cfg->eos_id = get_token_id(src, root, "eos_token_id", cfg->vocab_size);
    const char *dtype = get_string(src, root, "dtype");
    if (!dtype) dtype = get_string(src, root, "torch_dtype");
    if (dtype) copy_name(cfg->dtype, sizeof cfg->dtype, dtype, src, "dtype");
    cJSON_Delete(root);
}

void hf_config_load(const char *path, ModelConfig *cfg) {
    char *text = read_file_text(path, NULL);
    hf_config_parse(path, text, cfg);
    free(text);
}
