/* test_tokenizer_gguf.c: tokenizers from GGUF metadata (tokenizer_load() of
 * a .gguf file):
 *   - the SentencePiece tokenizer inside fixtures/gguf/tiny-llama-f32.gguf
 *     against fixtures/gguf/tiny-spm320.model, the model it was converted
 *     from, on every text of fixtures/tokenizer_cases.json and on upper
 *     case / non-ASCII strings (byte fallback): ids, ids with BOS, decoding;
 *   - byte-level BPE: metadata-only GGUF files written here from the
 *     Qwen2.5 (pre qwen2) and Llama-3.2 (pre llama-bpe) tokenizer.json,
 *     against the ids of fixtures/hf_tokenizer_cases.json;
 *   - malformed metadata (missing tokens, scores of the wrong length, a
 *     merge naming an unknown token, an unknown pre): exit 2 naming the key.
 * Needs ../shared. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "testhelp.h"
#include "text/tokenizer.h"

/* ---- a small GGUF (v3) writer: metadata only, 0 tensors ---- */

typedef struct {
    unsigned char *b; /* (cap) owned */
    size_t n, cap;
    uint64_t n_kv;
} GgufOut;

static void put(GgufOut *o, const void *p, size_t n) {
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 64;
        o->b = xrealloc(o->b, o->cap);
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void put_u32(GgufOut *o, uint32_t v) {
    put(o, &v, 4); /* the test machines are little-endian, as GGUF is */
}
static void put_u64(GgufOut *o, uint64_t v) {
    put(o, &v, 8);
}
static void put_str(GgufOut *o, const char *s) {
    put_u64(o, strlen(s));
    put(o, s, strlen(s));
}
static void kv_head(GgufOut *o, const char *key, uint32_t type) {
    put_str(o, key);
    put_u32(o, type);
    o->n_kv++;
}
static void kv_string(GgufOut *o, const char *key, const char *v) {
    kv_head(o, key, 8);
    put_str(o, v);
}
static void kv_u32(GgufOut *o, const char *key, uint32_t v) {
    kv_head(o, key, 4);
    put_u32(o, v);
}
static void kv_bool(GgufOut *o, const char *key, int v) {
    kv_head(o, key, 7);
    unsigned char c = (unsigned char)(v != 0);
    put(o, &c, 1);
}
static void kv_strings(GgufOut *o, const char *key, const char *const *v, int n) {
    kv_head(o, key, 9);
    put_u32(o, 8);
    put_u64(o, (uint64_t)n);
    for (int i = 0; i < n; i++)
        put_str(o, v[i]);
}
static void kv_i32s(GgufOut *o, const char *key, const int *v, int n) {
    kv_head(o, key, 9);
    put_u32(o, 5);
    put_u64(o, (uint64_t)n);
    put(o, v, (size_t)n * 4);
}
static void kv_f32s(GgufOut *o, const char *key, const float *v, int n) {
    kv_head(o, key, 9);
    put_u32(o, 6);
    put_u64(o, (uint64_t)n);
    put(o, v, (size_t)n * 4);
}

/* Writes the header and o's key/values to path; frees o's buffer. */
static void gguf_write(GgufOut *o, const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f) die_runtime("%s: cannot write", path);
    uint32_t version = 3;
    uint64_t n_tensors = 0;
    fwrite("GGUF", 1, 4, f);
    fwrite(&version, 4, 1, f);
    fwrite(&n_tensors, 8, 1, f);
    fwrite(&o->n_kv, 8, 1, f);
    fwrite(o->b, 1, o->n, f);
    fclose(f);
    free(o->b);
    memset(o, 0, sizeof *o);
}

/* ---- helpers ---- */

static cJSON *read_json(const char *path) {
    size_t len;
    char *text = read_file_text(path, &len);
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!j) die_runtime("%s: does not parse", path);
    return j;
}

static int same_ids(const int *a, int na, const int *b, int nb) {
    return na == nb && (na == 0 || memcmp(a, b, (size_t)na * sizeof(int)) == 0);
}

static int json_ids_equal(const cJSON *arr, const int *ids, int n) {
    if (cJSON_GetArraySize(arr) != n) return 0;
    for (int i = 0; i < n; i++)
        if (cJSON_GetArrayItem(arr, i)->valueint != ids[i]) return 0;
    return 1;
}

/* Both tokenizers give the same ids (with and without BOS) and decoding. */
static int same_encoding(const Tokenizer *a, const Tokenizer *b, const char *text) {
    int ok = 1;
    for (int special = 0; special <= 1; special++) {
        int *ia, *ib;
        int na = tokenizer_encode(a, text, special, &ia),
            nb = tokenizer_encode(b, text, special, &ib);
        ok &= same_ids(ia, na, ib, nb);
        char *da = tokenizer_decode(a, ia, na), *db = tokenizer_decode(b, ib, nb);
        ok &= !strcmp(da, db);
        free(ia), free(ib), free(da), free(db);
    }
    return ok;
}

/* ---- 1: SentencePiece ---- */

static const char *const EXTRA_TEXTS[] = {
    "Hello World",
    "THE QUICK BROWN FOX",
    "caf\xc3\xa9 na\xc3\xafve",
    "\xe4\xbd\xa0\xe5\xa5\xbd",
    "I \xf0\x9f\x98\x80 emoji",
    "  two  spaces  ",
    "tab\tand\nnewline",
    "",
    " ",
    "12345 digits 3.14",
};

static void test_spm(const char *shared) {
    char *gguf = path_join(shared, "fixtures/gguf/tiny-llama-f32.gguf");
    char *model = path_join(shared, "fixtures/gguf/tiny-spm320.model");
    char *cases_path = path_join(shared, "fixtures/tokenizer_cases.json");
    Tokenizer *g = tokenizer_load(gguf), *m = tokenizer_load(model);
    TEST_CHECK("spm: kind sentencepiece", tokenizer_kind(g) == TOKENIZER_SENTENCEPIECE);
    TEST_CHECK("spm: 320 tokens", tokenizer_vocab_size(g) == 320 && tokenizer_vocab_size(m) == 320);
    TEST_CHECK("spm: bos, eos", tokenizer_bos(g) == tokenizer_bos(m) && tokenizer_bos(g) == 1 &&
                                    tokenizer_eos(g) == tokenizer_eos(m) && tokenizer_eos(g) == 2);
    int same_pieces = 1;
    for (int i = 0; i < 320; i++)
        same_pieces &= !strcmp(tokenizer_piece(g, i), tokenizer_piece(m, i));
    TEST_CHECK("spm: the same pieces", same_pieces);
    cJSON *cases = read_json(cases_path);
    int n_texts = 0, n_same = 0, n_bytes = 0;
    for (const cJSON *set = cases->child; set; set = set->next)
        for (const cJSON *c = set->child; c; c = c->next) {
            const cJSON *text = cJSON_GetObjectItemCaseSensitive(c, "text");
            if (!cJSON_IsString(text)) continue;
            n_texts++;
            n_same += same_encoding(g, m, text->valuestring);
        }
    for (size_t i = 0; i < sizeof EXTRA_TEXTS / sizeof *EXTRA_TEXTS; i++) {
        n_texts++;
        n_same += same_encoding(g, m, EXTRA_TEXTS[i]);
    }
    /* Upper case really goes through byte pieces (ids 3..258). */
    int *ids;
    int n = tokenizer_encode(g, "Hello World", 0, &ids);
    for (int i = 0; i < n; i++)
        n_bytes += ids[i] >= 3 && ids[i] < 259;
    free(ids);
    printf("spm: %d of %d texts the same\n", n_same, n_texts);
    TEST_CHECK("spm: every text the same as tiny-spm320.model", n_texts > 20 && n_same == n_texts);
    TEST_CHECK("spm: byte fallback used", n_bytes >= 2);
    cJSON_Delete(cases);
    tokenizer_free(g), tokenizer_free(m);
    free(gguf), free(model), free(cases_path);
}

/* ---- 2: byte-level BPE ---- */

/* A metadata-only GGUF of the tokenizer.json at json_path. */
static void write_bpe_gguf(const char *json_path, const char *pre, int bos, int eos, int add_bos,
                           const char *out) {
    cJSON *j = read_json(json_path);
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(j, "model");
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(j, "added_tokens");
    int n = 0;
    for (const cJSON *e = vocab->child; e; e = e->next)
        if (e->valueint + 1 > n) n = e->valueint + 1;
    for (const cJSON *a = added->child; a; a = a->next) {
        int id = cJSON_GetObjectItemCaseSensitive(a, "id")->valueint;
        if (id + 1 > n) n = id + 1;
    }
    const char **tokens = xcalloc((size_t)n, sizeof *tokens);
    int *types = xmalloc((size_t)n * sizeof *types);
    for (const cJSON *e = vocab->child; e; e = e->next) {
        tokens[e->valueint] = e->string;
        types[e->valueint] = 1;
    }
    for (const cJSON *a = added->child; a; a = a->next) {
        int id = cJSON_GetObjectItemCaseSensitive(a, "id")->valueint;
        tokens[id] = cJSON_GetObjectItemCaseSensitive(a, "content")->valuestring;
        types[id] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "special")) ? 3 : 4;
    }
    int n_merges = cJSON_GetArraySize(merges), k = 0;
    char **m = xmalloc((size_t)n_merges * sizeof *m);
    for (const cJSON *e = merges->child; e; e = e->next, k++) {
        if (cJSON_IsString(e)) {
            m[k] = xstrdup(e->valuestring);
        } else {
            const char *a = cJSON_GetArrayItem(e, 0)->valuestring;
            const char *b = cJSON_GetArrayItem(e, 1)->valuestring;
            m[k] = xmalloc(strlen(a) + strlen(b) + 2);
            sprintf(m[k], "%s %s", a, b);
        }
    }
    GgufOut o = {0};
    kv_string(&o, "general.architecture", "llama");
    kv_string(&o, "tokenizer.ggml.model", "gpt2");
    kv_string(&o, "tokenizer.ggml.pre", pre);
    kv_strings(&o, "tokenizer.ggml.tokens", tokens, n);
    kv_i32s(&o, "tokenizer.ggml.token_type", types, n);
    kv_strings(&o, "tokenizer.ggml.merges", (const char *const *)m, n_merges);
    if (bos >= 0) kv_u32(&o, "tokenizer.ggml.bos_token_id", (uint32_t)bos);
    kv_u32(&o, "tokenizer.ggml.eos_token_id", (uint32_t)eos);
    kv_bool(&o, "tokenizer.ggml.add_bos_token", add_bos);
    gguf_write(&o, out);
    for (int i = 0; i < n_merges; i++)
        free(m[i]);
    free(m), free(tokens), free(types);
    cJSON_Delete(j);
}

static void test_bpe(const char *shared, const char *dir, const char *name, const char *pre,
                     int bos, int eos, int add_bos) {
    char rel[128], label[160];
    snprintf(rel, sizeof rel, "tokenizers/%s/tokenizer.json", name);
    char *json = path_join(shared, rel);
    snprintf(rel, sizeof rel, "%s.gguf", name);
    char *gguf = path_join(dir, rel);
    write_bpe_gguf(json, pre, bos, eos, add_bos, gguf);
    Tokenizer *t = tokenizer_load(gguf);
    Tokenizer *ref = tokenizer_load(json);
    snprintf(label, sizeof label, "%s: kind bpe, vocab size", name);
    TEST_CHECK(label, tokenizer_kind(t) == TOKENIZER_BPE &&
                          tokenizer_vocab_size(t) == tokenizer_vocab_size(ref));
    char *cases_path = path_join(shared, "fixtures/hf_tokenizer_cases.json");
    cJSON *all = read_json(cases_path);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(all, name);
    int n_cases = 0, n_ids = 0, n_special = 0, n_ref = 0;
    for (const cJSON *c = cases->child; c; c = c->next) {
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(c, "text");
        if (!cJSON_IsString(text)) continue;
        n_cases++;
        int *ids, *ref_ids;
        int n = tokenizer_encode(t, text->valuestring, 0, &ids);
        int nr = tokenizer_encode(ref, text->valuestring, 0, &ref_ids);
        n_ids += json_ids_equal(cJSON_GetObjectItemCaseSensitive(c, "ids"), ids, n);
        n_ref += same_ids(ids, n, ref_ids, nr);
        free(ids), free(ref_ids);
        n = tokenizer_encode(t, text->valuestring, 1, &ids);
        n_special += json_ids_equal(cJSON_GetObjectItemCaseSensitive(c, "ids_special"), ids, n);
        free(ids);
    }
    printf("%s: %d cases: ids %d, ids_special %d, same as tokenizer.json %d\n", name, n_cases,
           n_ids, n_special, n_ref);
    snprintf(label, sizeof label, "%s: every case's ids", name);
    TEST_CHECK(label, n_cases > 50 && n_ids == n_cases && n_ref == n_cases);
    snprintf(label, sizeof label, "%s: every case's ids with special tokens", name);
    TEST_CHECK(label, n_special == n_cases);
    snprintf(label, sizeof label, "%s: eos", name);
    TEST_CHECK(label, tokenizer_eos(t) == eos && tokenizer_is_eos(t, eos));
    cJSON_Delete(all);
    tokenizer_free(t), tokenizer_free(ref);
    unlink(gguf);
    free(json), free(gguf), free(cases_path);
}

/* ---- 3: malformed metadata ---- */

static void load_only(const void *arg) {
    tokenizer_free(tokenizer_load(arg));
}

static const char *const TINY_TOKENS[] = {"<unk>", "a", "b", "ab"};
static const int TINY_TYPES[] = {2, 1, 1, 1};
static const float TINY_SCORES[] = {0, -1, -2, -3};

/* Which tiny GGUF: 0 llama without tokens, 1 scores of the wrong length,
 * 2 gpt2 with a merge naming an unknown token, 3 gpt2 with an unknown pre,
 * 4 gpt2 that is fine. */
static void write_tiny(int which, const char *path) {
    GgufOut o = {0};
    int spm = which <= 1;
    kv_string(&o, "tokenizer.ggml.model", spm ? "llama" : "gpt2");
    if (which != 0) kv_strings(&o, "tokenizer.ggml.tokens", TINY_TOKENS, 4);
    kv_i32s(&o, "tokenizer.ggml.token_type", TINY_TYPES, which == 0 ? 0 : 4);
    if (spm) kv_f32s(&o, "tokenizer.ggml.scores", TINY_SCORES, which == 1 ? 3 : 4);
    if (!spm) {
        const char *merges[] = {which == 2 ? "a c" : "a b"};
        kv_strings(&o, "tokenizer.ggml.merges", merges, 1);
        kv_string(&o, "tokenizer.ggml.pre", which == 3 ? "no-such-pre" : "qwen2");
    }
    gguf_write(&o, path);
}

static void test_malformed(const char *dir) {
    static const char *const KEYS[] = {"tokenizer.ggml.tokens", "tokenizer.ggml.scores",
                                       "tokenizer.ggml.merges", "tokenizer.ggml.pre"};
    char *path = path_join(dir, "bad.gguf");
    for (int which = 0; which < 4; which++) {
        write_tiny(which, path);
        char msg[1024], label[160];
        int st = test_run_child(load_only, path, 0, msg, sizeof msg);
        snprintf(label, sizeof label, "malformed %s: exit 2 naming it", KEYS[which]);
        TEST_CHECK(label, st == 2 && strstr(msg, KEYS[which]) && strstr(msg, path));
        if (st != 2 || !strstr(msg, KEYS[which])) printf("  got %d: %s\n", st, msg);
    }
    write_tiny(4, path);
    Tokenizer *t = tokenizer_load(path);
    int *ids;
    int n = tokenizer_encode(t, "abab", 0, &ids);
    TEST_CHECK("tiny gpt2: merges a b", n == 2 && ids[0] == 3 && ids[1] == 3);
    free(ids);
    tokenizer_free(t);
    unlink(path);
    free(path);
}

int main(void) {
    const char *shared = test_shared_dir();
    if (!shared) return test_shared_missing("test_tokenizer_gguf");
    char dir[] = "/tmp/painters_gtok_XXXXXX";
    if (!mkdtemp(dir)) die_runtime("mkdtemp failed");
    test_spm(shared);
    test_bpe(shared, dir, "qwen2.5", "qwen2", -1, 151643, 0);
    test_bpe(shared, dir, "llama-3.2", "llama-bpe", 128000, 128001, 1);
    test_malformed(dir);
    rmdir(dir);
    return test_report("test_tokenizer_gguf");
}
