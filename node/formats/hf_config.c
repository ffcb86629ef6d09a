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

/* The first architecture name, or NULL without "architectures". */
static const char *first_architecture(const char *src, const cJSON *root) {
    const cJSON *archs = json_member(root, "architectures");
    if (!archs) return NULL;
    if (!cJSON_IsArray(archs) || cJSON_GetArraySize(archs) == 0 ||
        !cJSON_IsString(cJSON_GetArrayItem(archs, 0)))
        die_input("%s: architectures: expected a list of names, got %s", src, json_kind(archs));
    return cJSON_GetArrayItem(archs, 0)->valuestring;
}

static const Family *find_family(const char *src, const cJSON *root) {
    const Family *by_arch = NULL, *by_type = NULL;
    const char *arch = first_architecture(src, root);
    if (arch) {
        for (int i = 0; i < N_FAMILIES; i++)
            if (!strcmp(arch, FAMILIES[i].architecture)) by_arch = &FAMILIES[i];
        if (!by_arch)
            die_input("%s: unsupported architecture %s (supported: LlamaForCausalLM, "
                      "MistralForCausalLM, Qwen2ForCausalLM, BertModel, BertForMaskedLM, "
                      "BertForSequenceClassification)",
                      src, arch);
    }
    const char *type = get_string(src, root, "model_type");
    if (type) {
        for (int i = 0; i < N_FAMILIES; i++)
            if (!strcmp(type, FAMILIES[i].model_type)) by_type = &FAMILIES[i];
        if (!by_type)
            die_input("%s: unsupported model_type %s (supported: llama, mistral, qwen2, bert)", src,
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

/* BERT architectures (heads the engine can run on top of the encoder). */
static const char *const BERT_ARCHS[] = {"BertModel", "BertForMaskedLM",
                                         "BertForSequenceClassification"};
#define N_BERT_ARCHS ((int)(sizeof BERT_ARCHS / sizeof BERT_ARCHS[0]))

/* 1 when the config describes a BERT encoder (model_type "bert" or an
 * architecture Bert*); an unsupported Bert* architecture is die_input. */
static int is_bert(const char *src, const cJSON *root) {
    const char *arch = first_architecture(src, root);
    const char *type = get_string(src, root, "model_type");
    if (arch && !strncmp(arch, "Bert", 4)) {
        for (int i = 0; i < N_BERT_ARCHS; i++)
            if (!strcmp(arch, BERT_ARCHS[i])) return 1;
        die_input("%s: architectures: unsupported architecture %s (supported BERT ones: "
                  "BertModel, BertForMaskedLM, BertForSequenceClassification)",
                  src, arch);
    }
    return !arch && type && !strcmp(type, "bert");
}

/* Classifier outputs: the size of id2label, else num_labels, else 2. */
static int bert_num_labels(const char *src, const cJSON *root) {
    const cJSON *labels = json_member(root, "id2label");
    if (labels) {
        if (!cJSON_IsObject(labels))
            die_input("%s: id2label: expected an object, got %s", src, json_kind(labels));
        int n = cJSON_GetArraySize(labels);
        if (n < 1) die_input("%s: id2label: empty", src);
        return n;
    }
    return get_int(src, root, "num_labels", 0, 2, 1, HF_MAX_DIM);
}

/* A BERT config.json; anything the encoder does not compute is die_input. */
static void parse_bert(const char *src, const cJSON *root, ModelConfig *cfg) {
    const char *arch = first_architecture(src, root);
    cfg->kind = MODEL_ENCODER_BERT;
    copy_name(cfg->architecture, sizeof cfg->architecture, arch ? arch : "BertModel", src,
              "architectures");
    const char *act = get_string(src, root, "hidden_act");
    if (act && strcmp(act, "gelu") != 0)
        die_input("%s: hidden_act \"%s\" not supported (gelu, the exact erf GELU, is)", src, act);
    const char *pos = get_string(src, root, "position_embedding_type");
    if (pos && strcmp(pos, "absolute") != 0)
        die_input("%s: position_embedding_type \"%s\" not supported (absolute is)", src, pos);
    if (get_bool(src, root, "is_decoder", 0))
        die_input("%s: is_decoder true not supported (BERT runs as an encoder)", src);
    if (get_bool(src, root, "add_cross_attention", 0))
        die_input("%s: add_cross_attention true not supported", src);

    cfg->dim = get_int(src, root, "hidden_size", 1, 0, 1, HF_MAX_DIM);
    cfg->hidden_dim = get_int(src, root, "intermediate_size", 1, 0, 1, HF_MAX_DIM);
    cfg->n_layers = get_int(src, root, "num_hidden_layers", 1, 0, 1, HF_MAX_LAYERS);
    cfg->n_heads = get_int(src, root, "num_attention_heads", 1, 0, 1, HF_MAX_DIM);
    cfg->n_kv_heads = cfg->n_heads;
    cfg->vocab_size = get_int(src, root, "vocab_size", 1, 0, 1, HF_MAX_DIM);
    if (cfg->dim % cfg->n_heads != 0)
        die_input("%s: hidden_size %d is not divisible by num_attention_heads %d", src, cfg->dim,
                  cfg->n_heads);
    cfg->head_dim = cfg->dim / cfg->n_heads;
    cfg->max_seq_len = get_int(src, root, "max_position_embeddings", 0, 512, 1, HF_MAX_POSITIONS);
    cfg->type_vocab_size = get_int(src, root, "type_vocab_size", 0, 2, 1, HF_MAX_DIM);
    cfg->norm_eps = get_float(src, root, "layer_norm_eps", 0, 1e-12f, 0, 1);
    cfg->pad_id = get_token_id(src, root, "pad_token_id", cfg->vocab_size);
    cfg->num_labels = bert_num_labels(src, root);
    cfg->tied_embeddings = get_bool(src, root, "tie_word_embeddings", 1);
    cfg->qkv_bias = 1;
    cfg->rope_theta = 10000.0f; /* unused: positions are embedded */
    cfg->bos_id = get_token_id(src, root, "bos_token_id", cfg->vocab_size);
    cfg->eos_id = get_token_id(src, root, "eos_token_id", cfg->vocab_size);
    const char *dtype = get_string(src, root, "dtype");
    if (!dtype) dtype = get_string(src, root, "torch_dtype");
    if (dtype) copy_name(cfg->dtype, sizeof cfg->dtype, dtype, src, "dtype");
}

void hf_config_parse(const char *src, const char *json_text, ModelConfig *cfg) {
    cJSON *root = json_parse_checked(src, json_text);
    if (!cJSON_IsObject(root))
        die_input("%s: expected a JSON object, got %s", src, json_kind(root));
    memset(cfg, 0, sizeof *cfg);
    if (is_bert(src, root)) {
        parse_bert(src, root, cfg);
        cJSON_Delete(root);
        return;
    }
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
