/* gguf_config.c: a GGUF file's ModelConfig from its metadata, and its tensor
 * names in Hugging Face terms; see gguf.h. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "formats/gguf.h"

#define GGUF_MAX_DIM (1 << 20)
#define GGUF_MAX_LAYERS 4096
#define GGUF_MAX_CONTEXT (1 << 24)

typedef struct {
    const char *gguf, *hf;
} NamePair;

static const NamePair TOP_NAMES[] = {
    {"token_embd.weight", "model.embed_tokens.weight"},
    {"output_norm.weight", "model.norm.weight"},
    {"output.weight", "lm_head.weight"},
};

static const NamePair LAYER_NAMES[] = {
    {"attn_norm.weight", "input_layernorm.weight"},
    {"attn_q.weight", "self_attn.q_proj.weight"},
    {"attn_k.weight", "self_attn.k_proj.weight"},
    {"attn_v.weight", "self_attn.v_proj.weight"},
    {"attn_q.bias", "self_attn.q_proj.bias"},
    {"attn_k.bias", "self_attn.k_proj.bias"},
    {"attn_v.bias", "self_attn.v_proj.bias"},
    {"attn_output.weight", "self_attn.o_proj.weight"},
    {"ffn_norm.weight", "post_attention_layernorm.weight"},
    {"ffn_gate.weight", "mlp.gate_proj.weight"},
    {"ffn_up.weight", "mlp.up_proj.weight"},
    {"ffn_down.weight", "mlp.down_proj.weight"},
};

const char *gguf_hf_name(const char *name, char *buf, size_t cap) {
    for (size_t i = 0; i < sizeof TOP_NAMES / sizeof *TOP_NAMES; i++)
        if (!strcmp(name, TOP_NAMES[i].gguf)) {
            snprintf(buf, cap, "%s", TOP_NAMES[i].hf);
            return buf;
        }
    if (strncmp(name, "blk.", 4) != 0 || name[4] < '0' || name[4] > '9') return NULL;
    char *end;
    long layer = strtol(name + 4, &end, 10);
    if (*end != '.' || layer > GGUF_MAX_LAYERS || (name[4] == '0' && end != name + 5)) return NULL;
    for (size_t i = 0; i < sizeof LAYER_NAMES / sizeof *LAYER_NAMES; i++)
        if (!strcmp(end + 1, LAYER_NAMES[i].gguf)) {
            snprintf(buf, cap, "model.layers.%ld.%s", layer, LAYER_NAMES[i].hf);
            return buf;
        }
    return NULL;
}

/* ARCH.suffix as an integer in [lo, hi]; required, else def. */
static int get_int(const Gguf *g, const char *arch, const char *suffix, int required, int def,
                   int lo, int hi) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    uint32_t v;
    if (!gguf_get_u32(g, key, &v)) {
        if (required) die_input("%s: metadata %s: missing (the model needs it)", g->path, key);
        return def;
    }
    if (v < (uint32_t)lo || v > (uint32_t)hi)
        die_input("%s: metadata %s: %" PRIu32 " out of range [%d, %d]", g->path, key, v, lo, hi);
    return (int)v;
}

static float get_float(const Gguf *g, const char *arch, const char *suffix, int required, float def,
                       float lo, float hi) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    float v;
    if (!gguf_get_f32(g, key, &v)) {
        if (required) die_input("%s: metadata %s: missing (the model needs it)", g->path, key);
        return def;
    }
    if (!(v > lo && v <= hi))
        die_input("%s: metadata %s: %g out of range (%g, %g]", g->path, key, (double)v, (double)lo,
                  (double)hi);
    return v;
}

/* rope.scaling.type: none, or refused (ModelConfig has Llama-3 scaling only,
 * which GGUF stores as a rope_freqs tensor instead: gguf_read_rope_freqs()). */
static void check_rope_scaling(const Gguf *g, const char *arch) {
    char key[160];
    snprintf(key, sizeof key, "%s.rope.scaling.type", arch);
    const char *type = gguf_get_string(g, key);
    if (type && strcmp(type, "none") != 0)
        die_input("%s: metadata %s: rope scaling \"%s\" not supported (only none is for GGUF "
                  "files)",
                  g->path, key, type);
}

static int token_id(const Gguf *g, const char *key, int vocab) {
    uint32_t v;
    if (!gguf_get_u32(g, key, &v)) return -1;
    if (v >= (uint32_t)vocab)
        die_input("%s: metadata %s: %" PRIu32 " is not a token id (vocabulary of %d)", g->path, key,
                  v, vocab);
    return (int)v;
}

static const char *file_type_name(uint32_t ft) {
    switch (ft) {
    case 0:
        return "float32";
    case 1:
        return "float16";
    case 32:
        return "bfloat16";
    default:
        return "quantized";
    }
}

void gguf_read_config(const Gguf *g, int has_output, ModelConfig *cfg) {
    const char *arch = gguf_get_string(g, "general.architecture");
    if (!arch) die_input("%s: metadata general.architecture: missing", g->path);
    int qwen2 = !strcmp(arch, "qwen2");
    if (!qwen2 && strcmp(arch, "llama") != 0)
        die_input("%s: metadata general.architecture: \"%s\" not supported (llama and qwen2 are)",
                  g->path, arch);
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = MODEL_DECODER_LLAMA;
    snprintf(cfg->architecture, sizeof cfg->architecture, "gguf %s", arch);
    cfg->n_layers = get_int(g, arch, "block_count", 1, 0, 1, GGUF_MAX_LAYERS);
    cfg->dim = get_int(g, arch, "embedding_length", 1, 0, 1, GGUF_MAX_DIM);
    cfg->hidden_dim = get_int(g, arch, "feed_forward_length", 1, 0, 1, GGUF_MAX_DIM);
    cfg->n_heads = get_int(g, arch, "attention.head_count", 1, 0, 1, GGUF_MAX_DIM);
    cfg->n_kv_heads = get_int(g, arch, "attention.head_count_kv", 0, cfg->n_heads, 1, GGUF_MAX_DIM);
    if (cfg->n_heads % cfg->n_kv_heads != 0)
        die_input("%s: metadata %s.attention.head_count %d is not a multiple of head_count_kv %d",
                  g->path, arch, cfg->n_heads, cfg->n_kv_heads);
    int def_hd = cfg->dim % cfg->n_heads == 0 ? cfg->dim / cfg->n_heads : 0;
    cfg->head_dim = get_int(g, arch, "attention.key_length", def_hd == 0, def_hd, 1, GGUF_MAX_DIM);
    int vlen = get_int(g, arch, "attention.value_length", 0, cfg->head_dim, 1, GGUF_MAX_DIM);
    if (vlen != cfg->head_dim)
        die_input("%s: metadata %s.attention.value_length %d differs from key_length %d (not "
                  "supported)",
                  g->path, arch, vlen, cfg->head_dim);
    if (cfg->head_dim % 2 != 0)
        die_input("%s: metadata %s.attention.key_length %d is odd (rotary embeddings need pairs)",
                  g->path, arch, cfg->head_dim);
    int rope_dims = get_int(g, arch, "rope.dimension_count", 0, cfg->head_dim, 1, GGUF_MAX_DIM);
    if (rope_dims != cfg->head_dim)
        die_input("%s: metadata %s.rope.dimension_count %d differs from the head dimension %d "
                  "(partial rotary embeddings are not supported)",
                  g->path, arch, rope_dims, cfg->head_dim);
    cfg->rope_theta = get_float(g, arch, "rope.freq_base", 0, 10000.0f, 0, 1e12f);
    check_rope_scaling(g, arch);
    cfg->norm_eps = get_float(g, arch, "attention.layer_norm_rms_epsilon", 1, 0, 0, 1);
    cfg->max_seq_len = get_int(g, arch, "context_length", 0, 2048, 1, GGUF_MAX_CONTEXT);
    const GgufValue *tokens = gguf_find(g, "tokenizer.ggml.tokens");
    if (tokens) tokens = gguf_get_array(g, "tokenizer.ggml.tokens", GGUF_TYPE_STRING);
    int n_tokens = tokens && tokens->arr.n <= GGUF_MAX_DIM ? (int)tokens->arr.n : 0;
    cfg->vocab_size = get_int(g, arch, "vocab_size", n_tokens == 0, n_tokens, 1, GGUF_MAX_DIM);
    if (n_tokens && n_tokens != cfg->vocab_size)
        die_input("%s: metadata %s.vocab_size %d but tokenizer.ggml.tokens has %d tokens", g->path,
                  arch, cfg->vocab_size, n_tokens);
    /* llama: the converter permuted Q/K rows into adjacent pairs; qwen2: HF order. */
    cfg->rope_layout = qwen2 ? ROPE_ROTATE_HALF : ROPE_ADJACENT_PAIRS;
    cfg->qkv_bias = qwen2;
    cfg->tied_embeddings = !has_output;
    cfg->bos_id = token_id(g, "tokenizer.ggml.bos_token_id", cfg->vocab_size);
    cfg->eos_id = token_id(g, "tokenizer.ggml.eos_token_id", cfg->vocab_size);
    cfg->pad_id = -1;
    uint32_t ft = 0;
    int has_ft = gguf_get_u32(g, "general.file_type", &ft);
    snprintf(cfg->dtype, sizeof cfg->dtype, "%s", has_ft ? file_type_name(ft) : "");
}

void gguf_read_rope_freqs(const Gguf *g, const GgufRopeFreqs *rf, ModelConfig *cfg) {
    const char *t = GGUF_ROPE_FREQS_NAME;
    int half = cfg->head_dim / 2;
    if (strcmp(gguf_get_string(g, "general.architecture"), "llama") != 0)
        die_input("%s: tensor %s: only llama files use frequency factors (this one is %s)", g->path,
                  t, cfg->architecture);
    if (rf->ggml_type != 0)
        die_input("%s: tensor %s: type %s, expected F32 (llama.cpp's converter writes F32)",
                  g->path, t, gguf_tensor_type_name(rf->ggml_type));
    if (rf->n_dims != 1 || rf->n_values != (uint64_t)half)
        die_input("%s: tensor %s: %d dimension(s) of %" PRIu64
                  " values, expected one of head_dim/2 = %d",
                  g->path, t, rf->n_dims, rf->n_values, half);
    if (half > MODEL_MAX_ROPE_FREQS)
        die_input("%s: tensor %s: %d factors, more than the %d painters holds", g->path, t, half,
                  MODEL_MAX_ROPE_FREQS);
    for (int i = 0; i < half; i++) {
        float f;
        memcpy(&f, rf->data + 4 * (size_t)i, sizeof f);
        if (!(isfinite(f) && f > 0.0f))
            die_input("%s: tensor %s: factor %d is %g (each must be finite and > 0)", g->path, t, i,
                      (double)f);
        cfg->rope_freqs[i] = f;
    }
    cfg->n_rope_freqs = half;
}
