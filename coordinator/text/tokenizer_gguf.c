/* tokenizer_gguf.c: see tokenizer_internal.h (a tokenizer from a GGUF
 * file's tokenizer.ggml.* metadata). The metadata is turned into what the
 * other readers take, so the encoders are the same code:
 *   model "llama": a SentencePiece ModelProto, packed and handed to
 *                  spm_load_bytes() as if it were a tokenizer.model;
 *   model "gpt2":  a tokenizer.json (byte-level BPE with the Split pattern
 *                  that tokenizer.ggml.pre names) handed to
 *                  hf_tokenizer_load_bytes(). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/util.h"
#include "formats/gguf.h"
#include "text/tokenizer_internal.h"
#include "text/vocab.h"

/* GGUF token types (llama.cpp's), the same numbers as the SentencePiece
 * piece types. */
enum { GGUF_TOKEN_NORMAL = 1, GGUF_TOKEN_CONTROL = 3, GGUF_TOKEN_USER_DEFINED = 4 };

/* The Split patterns of the Llama-3 and Qwen2 tokenizer.json files. */
static const char LLAMA3_SPLIT[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char QWEN2_SPLIT[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/* What every tokenizer.ggml model has: its tokens and their types. */
typedef struct {
    const GgufValue *tokens; /* (n) strings */
    const GgufValue *types;  /* (n) integers, or NULL: all normal */
    int n;
} GgufTokens;

static const char *token_text(const GgufTokens *tk, int i) {
    return tk->tokens->arr.items[i].str.s;
}

static int token_type(const GgufTokens *tk, int i) {
    if (!tk->types) return GGUF_TOKEN_NORMAL;
    const GgufValue *v = &tk->types->arr.items[i];
    return v->type == GGUF_TYPE_I32 || v->type == GGUF_TYPE_I8 || v->type == GGUF_TYPE_I16 ||
                   v->type == GGUF_TYPE_I64
               ? (int)v->i
               : (int)v->u;
}

static void read_tokens(const Gguf *g, GgufTokens *tk) {
    tk->tokens = gguf_get_array(g, "tokenizer.ggml.tokens", GGUF_TYPE_STRING);
    if (!tk->tokens)
        die_input("%s: metadata tokenizer.ggml.tokens: missing (the file has no tokenizer)",
                  g->path);
    if (tk->tokens->arr.n == 0 || tk->tokens->arr.n > (1u << 24))
        die_input("%s: metadata tokenizer.ggml.tokens: %llu tokens (1 to %u expected)", g->path,
                  (unsigned long long)tk->tokens->arr.n, 1u << 24);
    tk->n = (int)tk->tokens->arr.n;
    for (int i = 0; i < tk->n; i++)
        if (strlen(token_text(tk, i)) != tk->tokens->arr.items[i].str.len)
            die_input("%s: metadata tokenizer.ggml.tokens: token %d holds a NUL byte", g->path, i);
    tk->types = gguf_find(g, "tokenizer.ggml.token_type");
    if (!tk->types) return;
    if (tk->types->type != GGUF_TYPE_ARRAY || tk->types->arr.type == GGUF_TYPE_STRING ||
        tk->types->arr.type == GGUF_TYPE_ARRAY || tk->types->arr.type == GGUF_TYPE_F32 ||
        tk->types->arr.type == GGUF_TYPE_F64)
        die_input("%s: metadata tokenizer.ggml.token_type: expected an array of integers", g->path);
    if (tk->types->arr.n != (uint64_t)tk->n)
        die_input("%s: metadata tokenizer.ggml.token_type: %llu types for %d tokens", g->path,
                  (unsigned long long)tk->types->arr.n, tk->n);
    for (int i = 0; i < tk->n; i++) {
        int t = token_type(tk, i);
        if (t < 1 || t > 6)
            die_input("%s: metadata tokenizer.ggml.token_type: token %d has type %d (1 to 6)",
                      g->path, i, t);
    }
}

/* A token id key (bos_token_id, ...): -1 when absent; out of range is
 * die_input naming it. */
static int special_id(const Gguf *g, const char *key, int n) {
    uint32_t id;
    if (!gguf_get_u32(g, key, &id)) return -1;
    if (id >= (uint32_t)n)
        die_input("%s: metadata %s: id %u but the vocabulary has %d tokens", g->path, key, id, n);
    return (int)id;
}

static int flag(const Gguf *g, const char *key, int dflt) {
    const GgufValue *v = gguf_find(g, key);
    if (!v) return dflt;
    if (v->type != GGUF_TYPE_BOOL)
        die_input("%s: metadata %s: expected bool, got %s", g->path, key,
                  gguf_value_type_name(v->type));
    return v->u != 0;
}

/* ---- model "llama": SentencePiece ---- */

static SpmModel *spm_from_gguf(const Gguf *g, const GgufTokens *tk, int bos, int eos) {
    const GgufValue *scores = gguf_get_array(g, "tokenizer.ggml.scores", GGUF_TYPE_F32);
    if (scores && scores->arr.n != (uint64_t)tk->n)
        die_input("%s: metadata tokenizer.ggml.scores: %llu scores for %d tokens", g->path,
                  (unsigned long long)scores->arr.n, tk->n);
    Sentencepiece__ModelProto proto = SENTENCEPIECE__MODEL_PROTO__INIT;
    Sentencepiece__TrainerSpec ts = SENTENCEPIECE__TRAINER_SPEC__INIT;
    Sentencepiece__NormalizerSpec ns = SENTENCEPIECE__NORMALIZER_SPEC__INIT;
    Sentencepiece__ModelProto__SentencePiece *pieces = xcalloc((size_t)tk->n, sizeof *pieces);
    Sentencepiece__ModelProto__SentencePiece **ptrs = xcalloc((size_t)tk->n, sizeof *ptrs);
    int any_byte = 0;
    for (int i = 0; i < tk->n; i++) {
        Sentencepiece__ModelProto__SentencePiece p =
            SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__INIT;
        p.piece = (char *)token_text(tk, i);
        p.has_score = 1;
        p.score = scores ? (float)scores->arr.items[i].f : 0.0f;
        p.has_type = 1;
        p.type = (Sentencepiece__ModelProto__SentencePiece__Type)token_type(tk, i);
        any_byte |= token_type(tk, i) == PIECE_BYTE;
        pieces[i] = p;
        ptrs[i] = &pieces[i];
    }
    proto.n_pieces = (size_t)tk->n;
    proto.pieces = ptrs;
    ts.has_model_type = 1;
    ts.model_type = SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__BPE;
    ts.has_byte_fallback = 1;
    ts.byte_fallback = any_byte;
    ts.bos_piece = bos >= 0 ? (char *)token_text(tk, bos) : "";
    ts.eos_piece = eos >= 0 ? (char *)token_text(tk, eos) : "";
    ns.name = "identity";
    ns.has_add_dummy_prefix = 1;
    ns.add_dummy_prefix = flag(g, "tokenizer.ggml.add_space_prefix", 1);
    ns.has_remove_extra_whitespaces = 1;
    ns.remove_extra_whitespaces = 0;
    ns.has_escape_whitespaces = 1;
    ns.escape_whitespaces = 1;
    proto.trainer_spec = &ts;
    proto.normalizer_spec = &ns;
    size_t len = sentencepiece__model_proto__get_packed_size(&proto);
    uint8_t *buf = xmalloc(len ? len : 1);
    sentencepiece__model_proto__pack(&proto, buf);
    free(pieces);
    free(ptrs);
    SpmModel *spm = spm_load_bytes(g->path, buf, len);
    free(buf);
    return spm;
}

/* ---- model "gpt2": byte-level BPE ---- */

static cJSON *byte_level(int add_prefix_space, int use_regex) {
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "type", "ByteLevel");
    cJSON_AddBoolToObject(b, "add_prefix_space", add_prefix_space);
    cJSON_AddBoolToObject(b, "trim_offsets", 0);
    cJSON_AddBoolToObject(b, "use_regex", use_regex);
    return b;
}

static cJSON *pre_tokenizer(const char *pattern) {
    cJSON *split = cJSON_CreateObject();
    cJSON_AddStringToObject(split, "type", "Split");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(split, "pattern"), "Regex", pattern);
    cJSON_AddStringToObject(split, "behavior", "Isolated");
    cJSON_AddBoolToObject(split, "invert", 0);
    cJSON *seq = cJSON_CreateObject();
    cJSON_AddStringToObject(seq, "type", "Sequence");
    cJSON *steps = cJSON_AddArrayToObject(seq, "pretokenizers");
    cJSON_AddItemToArray(steps, split);
    cJSON_AddItemToArray(steps, byte_level(0, 0));
    return seq;
}

/* TemplateProcessing that puts token `bos` (text s) before sequence A. */
static cJSON *bos_template(const char *s, int bos) {
    cJSON *post = cJSON_CreateObject();
    cJSON_AddStringToObject(post, "type", "TemplateProcessing");
    const char *names[2] = {"single", "pair"};
    for (int k = 0; k < 2; k++) {
        cJSON *arr = cJSON_AddArrayToObject(post, names[k]);
        for (int part = 0; part <= k; part++) {
            cJSON *sp = cJSON_CreateObject(), *sq = cJSON_CreateObject();
            cJSON *spi = cJSON_AddObjectToObject(sp, "SpecialToken");
            cJSON_AddStringToObject(spi, "id", s);
            cJSON_AddNumberToObject(spi, "type_id", part);
            cJSON *sqi = cJSON_AddObjectToObject(sq, "Sequence");
            cJSON_AddStringToObject(sqi, "id", part ? "B" : "A");
            cJSON_AddNumberToObject(sqi, "type_id", part);
            cJSON_AddItemToArray(arr, sp);
            cJSON_AddItemToArray(arr, sq);
        }
    }
    cJSON *st = cJSON_AddObjectToObject(cJSON_AddObjectToObject(post, "special_tokens"), s);
    cJSON_AddStringToObject(st, "id", s);
    cJSON_AddItemToObject(st, "ids", cJSON_CreateIntArray(&bos, 1));
    cJSON_AddItemToObject(st, "tokens", cJSON_CreateStringArray(&s, 1));
    return post;
}

/* Every merge names two tokens of the vocabulary. */
static void check_merges(const Gguf *g, const GgufTokens *tk, const GgufValue *merges) {
    Vocab v = {0};
    vocab_init(&v, tk->n);
    for (int i = 0; i < tk->n; i++)
        vocab_set(&v, i, token_text(tk, i), strlen(token_text(tk, i)));
    for (uint64_t m = 0; m < merges->arr.n; m++) {
        const char *s = merges->arr.items[m].str.s, *sp = strchr(s, ' ');
        if (!sp || strchr(sp + 1, ' '))
            die_input("%s: metadata tokenizer.ggml.merges: merge %llu \"%.60s\" is not two tokens "
                      "separated by one space",
                      g->path, (unsigned long long)m, s);
        if (vocab_find(&v, s, (size_t)(sp - s)) < 0 || vocab_find(&v, sp + 1, strlen(sp + 1)) < 0)
            die_input("%s: metadata tokenizer.ggml.merges: merge %llu \"%.60s\" names a token "
                      "that is not in tokenizer.ggml.tokens",
                      g->path, (unsigned long long)m, s);
    }
    vocab_free(&v);
}

static HfTokenizer *bpe_from_gguf(const Gguf *g, const GgufTokens *tk, int bos, int add_bos) {
    const char *pre = gguf_get_string(g, "tokenizer.ggml.pre");
    if (!pre) pre = "default";
    int llama3 = !strcmp(pre, "llama-bpe") || !strcmp(pre, "llama3");
    int qwen2 = !strcmp(pre, "qwen2");
    if (!llama3 && !qwen2)
        die_input("%s: metadata tokenizer.ggml.pre: pre-tokenizer \"%.60s\" is not supported "
                  "(llama-bpe, llama3 and qwen2 are)",
                  g->path, pre);
    const GgufValue *merges = gguf_get_array(g, "tokenizer.ggml.merges", GGUF_TYPE_STRING);
    if (!merges) die_input("%s: metadata tokenizer.ggml.merges: missing", g->path);
    check_merges(g, tk, merges);

    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "version", "1.0");
    cJSON *model = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(model, "type", "BPE");
    cJSON_AddBoolToObject(model, "ignore_merges", llama3);
    cJSON *vocab = cJSON_AddObjectToObject(model, "vocab");
    cJSON *added = cJSON_AddArrayToObject(root, "added_tokens");
    for (int i = 0; i < tk->n; i++) {
        /* Every token is in the model's vocabulary, so the ids stay as the
         * file gives them; control and user-defined ones are added tokens
         * too, matched in the text before the pre-tokenizer. */
        cJSON_AddNumberToObject(vocab, token_text(tk, i), i);
        int type = token_type(tk, i);
        if (type != GGUF_TOKEN_CONTROL && type != GGUF_TOKEN_USER_DEFINED) continue;
        cJSON *a = cJSON_CreateObject();
        cJSON_AddNumberToObject(a, "id", i);
        cJSON_AddStringToObject(a, "content", token_text(tk, i));
        cJSON_AddBoolToObject(a, "special", type == GGUF_TOKEN_CONTROL);
        cJSON_AddBoolToObject(a, "normalized", 0);
        cJSON_AddItemToArray(added, a);
    }
    cJSON *mr = cJSON_AddArrayToObject(model, "merges");
    for (uint64_t m = 0; m < merges->arr.n; m++)
        cJSON_AddItemToArray(mr, cJSON_CreateString(merges->arr.items[m].str.s));
    if (qwen2) cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "normalizer"), "type", "NFC");
    cJSON_AddItemToObject(root, "pre_tokenizer",
                          pre_tokenizer(llama3 ? LLAMA3_SPLIT : QWEN2_SPLIT));
    if (add_bos && bos >= 0)
        cJSON_AddItemToObject(root, "post_processor", bos_template(token_text(tk, bos), bos));
    cJSON_AddItemToObject(root, "decoder", byte_level(1, 1));
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json) die_runtime("%s: out of memory writing the tokenizer", g->path);
    HfTokenizer *hf = hf_tokenizer_load_bytes(g->path, json, strlen(json));
    free(json);
    return hf;
}

Tokenizer *tokenizer_load_gguf(const char *path) {
    Gguf *g = gguf_read_metadata(path);
    const char *model = gguf_get_string(g, "tokenizer.ggml.model");
    if (!model) die_input("%s: metadata tokenizer.ggml.model: missing (no tokenizer)", path);
    int spm = !strcmp(model, "llama"), bpe = !strcmp(model, "gpt2");
    if (!spm && !bpe)
        die_input("%s: metadata tokenizer.ggml.model: \"%.60s\" is not supported (llama and gpt2 "
                  "are)",
                  path, model);
    GgufTokens tk;
    read_tokens(g, &tk);
    int bos = special_id(g, "tokenizer.ggml.bos_token_id", tk.n);
    int eos = special_id(g, "tokenizer.ggml.eos_token_id", tk.n);
    int pad = special_id(g, "tokenizer.ggml.padding_token_id", tk.n);
    special_id(g, "tokenizer.ggml.unknown_token_id", tk.n);
    Tokenizer *t = xcalloc(1, sizeof *t);
    t->path = xstrdup(path);
    if (spm) {
        t->kind = TOKENIZER_SENTENCEPIECE;
        t->spm = spm_from_gguf(g, &tk, bos, eos);
        t->add_bos = flag(g, "tokenizer.ggml.add_bos_token", 1);
    } else {
        /* llama.cpp's default: BOS for Llama-3, none for Qwen2. */
        const char *pre = gguf_get_string(g, "tokenizer.ggml.pre");
        int dflt = pre && (!strcmp(pre, "llama-bpe") || !strcmp(pre, "llama3"));
        t->add_bos = flag(g, "tokenizer.ggml.add_bos_token", dflt);
        t->kind = TOKENIZER_BPE;
        t->hf = bpe_from_gguf(g, &tk, bos, t->add_bos);
    }
    t->bos.id = bos, t->eos.id = eos, t->pad.id = pad;
    t->bos.given = t->eos.given = t->pad.given = 1;
    t->clean_up = 0;
    if (eos >= 0) tokenizer_add_eos_id(t, eos);
    gguf_free(g);
    return t;
}
