/* test_gguf_broken.c: the malformed GGUF files of test_gguf, each made in
 * memory from tiny-llama-f32.gguf's bytes (or q8_0's) by truncating it or
 * patching one field found by a walk of its layout, then parsed and checked
 * as checkpoint_open() does in a forked child that must exit 2 with the
 * reason on stderr. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "formats/checkpoint.h"
#include "formats/gguf.h"
#include "testhelp.h"

/* Where the fields of a GGUF file lie (absolute byte offsets). */
#define WALK_MAX 128
typedef struct {
    uint64_t kv_key[WALK_MAX], kv_type[WALK_MAX], kv_value[WALK_MAX];
    char *kv_name[WALK_MAX];
    int n_kv;
    uint64_t t_name[WALK_MAX], t_ndims[WALK_MAX], t_ne[WALK_MAX], t_type[WALK_MAX],
        t_offset[WALK_MAX];
    char *t_gguf_name[WALK_MAX];
    int n_tensors;
    uint64_t infos_end;
} Walk;

static uint64_t le(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_le(uint8_t *p, int n, uint64_t v) {
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t skip_value(const uint8_t *b, uint64_t at, uint32_t type) {
    static const int size[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    if (type == GGUF_TYPE_STRING) return at + 8 + le(b + at, 8);
    if (type == GGUF_TYPE_ARRAY) {
        uint32_t it = (uint32_t)le(b + at, 4);
        uint64_t n = le(b + at + 4, 8);
        at += 12;
        for (uint64_t i = 0; i < n; i++)
            at = skip_value(b, at, it);
        return at;
    }
    return at + (uint64_t)size[type];
}

static void walk(const uint8_t *b, Walk *w) {
    memset(w, 0, sizeof *w);
    uint64_t nt = le(b + 8, 8), nkv = le(b + 16, 8), at = 24;
    for (uint64_t i = 0; i < nkv && i < WALK_MAX; i++) {
        w->kv_key[i] = at;
        uint64_t len = le(b + at, 8);
        w->kv_name[i] = xmalloc((size_t)len + 1);
        memcpy(w->kv_name[i], b + at + 8, (size_t)len);
        w->kv_name[i][len] = 0;
        at += 8 + len;
        w->kv_type[i] = at;
        uint32_t type = (uint32_t)le(b + at, 4);
        w->kv_value[i] = at + 4;
        at = skip_value(b, at + 4, type);
        w->n_kv++;
    }
    for (uint64_t i = 0; i < nt && i < WALK_MAX; i++) {
        w->t_name[i] = at;
        uint64_t len = le(b + at, 8);
        w->t_gguf_name[i] = xmalloc((size_t)len + 1);
        memcpy(w->t_gguf_name[i], b + at + 8, (size_t)len);
        w->t_gguf_name[i][len] = 0;
        at += 8 + len;
        w->t_ndims[i] = at;
        uint32_t nd = (uint32_t)le(b + at, 4);
        w->t_ne[i] = at + 4;
        at += 4 + 8 * (uint64_t)nd;
        w->t_type[i] = at;
        w->t_offset[i] = at + 4;
        at += 12;
        w->n_tensors++;
    }
    w->infos_end = at;
}

static int kv_index(const Walk *w, const char *key) {
    for (int i = 0; i < w->n_kv; i++)
        if (!strcmp(w->kv_name[i], key)) return i;
    die_runtime("test_gguf_broken: no metadata key %s in the fixture", key);
}

static int tensor_index(const Walk *w, const char *name) {
    for (int i = 0; i < w->n_tensors; i++)
        if (!strcmp(w->t_gguf_name[i], name)) return i;
    die_runtime("test_gguf_broken: no tensor %s in the fixture", name);
}

typedef struct {
    const uint8_t *buf;
    uint64_t len;
} Bytes;

/* What checkpoint_open() does with a GGUF file, on bytes in memory. */
static void open_bytes(const void *arg) {
    const Bytes *b = arg;
    Checkpoint *ck = xcalloc(1, sizeof *ck);
    ck->path = xstrdup("broken.gguf");
    ck->weights_path = xstrdup("broken.gguf");
    gguf_parse("broken.gguf", b->buf, b->len, ck);
    checkpoint_sort_tensors(ck);
    checkpoint_check_llama_tensors(ck);
    checkpoint_close(ck);
}

static int g_cases;

/* buf[0..len) must be refused: exit 2 with reason on stderr. */
static void expect_refused(const char *what, const uint8_t *buf, uint64_t len, const char *reason) {
    char msg[8192];
    Bytes b = {buf, len};
    int status = test_run_child(open_bytes, &b, 0, msg, sizeof msg);
    int ok = status == PAINTERS_EXIT_INPUT && strstr(msg, "broken.gguf") && strstr(msg, reason);
    TEST_CHECK(what, ok);
    if (!ok || getenv("PAINTERS_TEST_VERBOSE"))
        printf("  %s: status %d, stderr: %s", what, status, msg[0] ? msg : "(empty)\n");
    g_cases++;
}

typedef struct {
    const uint8_t *orig;
    uint64_t len;
    uint8_t *copy;
} Fixture;

static uint8_t *fresh(Fixture *f) {
    memcpy(f->copy, f->orig, (size_t)f->len);
    return f->copy;
}

static void truncations(Fixture *f, const Walk *w) {
    uint64_t cut[] = {0,
                      3,
                      6,
                      12,
                      20,
                      w->kv_key[0] + 4,
                      w->kv_key[0] + 10,
                      w->kv_type[1] + 2,
                      w->kv_value[kv_index(w, "tokenizer.ggml.tokens")] + 100,
                      w->kv_value[kv_index(w, "tokenizer.ggml.scores")] + 20,
                      w->t_name[0] + 4,
                      w->t_ne[3] + 3,
                      w->t_type[5] + 1,
                      w->t_offset[w->n_tensors - 1] + 4,
                      w->infos_end + 1,
                      (w->infos_end + f->len) / 2,
                      f->len - 1};
    /* A count is refused as soon as what is left cannot hold it. */
    const char *reason[] = {"needs 4 bytes",
                            "needs 4 bytes",
                            "needs 4 bytes",
                            "needs 8 bytes",
                            "needs 8 bytes",
                            "key/values cannot fit",
                            "key/values cannot fit",
                            "key/values cannot fit",
                            "tokenizer.ggml.tokens",
                            "tokenizer.ggml.scores",
                            "tensors cannot fit",
                            "tensors cannot fit",
                            "tensors cannot fit",
                            "a tensor offset needs 8 bytes",
                            "starts past the end",
                            "run past",
                            "run past"};
    for (size_t i = 0; i < sizeof cut / sizeof *cut; i++) {
        char what[96];
        snprintf(what, sizeof what, "truncated at byte %llu", (unsigned long long)cut[i]);
        expect_refused(what, fresh(f), cut[i], reason[i]);
    }
}

static void patch_u32(Fixture *f, uint64_t at, uint32_t v, const char *what, const char *reason) {
    uint8_t *b = fresh(f);
    put_le(b + at, 4, v);
    expect_refused(what, b, f->len, reason);
}

static void patch_u64(Fixture *f, uint64_t at, uint64_t v, const char *what, const char *reason) {
    uint8_t *b = fresh(f);
    put_le(b + at, 8, v);
    expect_refused(what, b, f->len, reason);
}

/* Replaces the bytes of a string (its length kept) at `at` + 8 + pos. */
static void patch_text(Fixture *f, uint64_t at, size_t pos, const char *text, const char *what,
                       const char *reason) {
    uint8_t *b = fresh(f);
    memcpy(b + at + 8 + pos, text, strlen(text));
    expect_refused(what, b, f->len, reason);
}

static void header_cases(Fixture *f, const Walk *w) {
    patch_u32(f, 0, 0x46554748u, "bad magic", "not a GGUF file");
    patch_u32(f, 4, 1, "version 1", "version 1 not supported");
    patch_u32(f, 4, 4, "version 4", "version 4 not supported");
    patch_u64(f, 8, 1ull << 40, "tensor count past the end", "tensors cannot fit");
    patch_u64(f, 16, 1ull << 40, "metadata count past the end", "key/values cannot fit");
    patch_u64(f, 16, (uint64_t)w->n_kv + 1, "one key/value too many", "runs past the end");
    patch_u32(f, w->kv_type[0], 13, "unknown metadata type", "unknown value type 13");
    patch_u64(f, w->kv_key[2], 1ull << 50, "key length past the end", "runs past the end");
    int tok = kv_index(w, "tokenizer.ggml.tokens");
    patch_u32(f, w->kv_value[tok], 99, "unknown array item type", "unknown value type 99");
    patch_u64(f, w->kv_value[tok] + 4, 1ull << 60, "array count past the end", "cannot fit in the");
    patch_u64(f, w->kv_value[tok] + 12, 1ull << 33, "token string length past the end",
              "string length");
    uint8_t *b = fresh(f);
    b[w->kv_key[1] + 8 + 3] = 0;
    expect_refused("metadata key holding a NUL", b, f->len, "holds a NUL");
    int eos = kv_index(w, "tokenizer.ggml.eos_token_id");
    patch_text(f, w->kv_key[eos], strlen("tokenizer.ggml."), "bos", "metadata key given twice",
               "given twice");
}

static void tensor_cases(Fixture *f, const Walk *w) {
    patch_u32(f, w->t_ndims[1], 5, "n_dims 5", "n_dims 5");
    patch_u32(f, w->t_ndims[1], 0, "n_dims 0", "n_dims 0");
    patch_u32(f, w->t_type[2], 99, "unknown tensor type", "unknown tensor type 99");
    patch_u32(f, w->t_type[2], 4, "retired tensor type 4 (Q4_2)", "unknown tensor type 4");
    patch_u64(f, w->t_ne[3], 0, "a zero dimension", "is zero or overflows");
    patch_u64(f, w->t_ne[3], 1ull << 63, "a dimension past int64", "is zero or overflows");
    patch_u64(f, w->t_offset[4], 1ull << 40, "offset outside the data", "run past its end");
    uint8_t *b = fresh(f);
    put_le(b + w->t_offset[4], 8, le(b + w->t_offset[4], 8) + 4);
    expect_refused("misaligned offset", b, f->len, "not a multiple of the alignment 32");
    b = fresh(f);
    put_le(b + w->t_offset[6], 8, le(b + w->t_offset[5], 8));
    expect_refused("overlapping tensors", b, f->len, "overlap");
    int q = tensor_index(w, "blk.0.attn_q.weight");
    patch_text(f, w->t_name[q], strlen("blk.0.attn_"), "k", "duplicate tensor", "given twice");
    patch_text(f, w->t_name[q], strlen("blk.0.attn_"), "x", "unknown tensor name",
               "not a tensor painters knows");
    patch_u64(f, w->t_name[q], 1000, "tensor name over the limit", "over the limit");
    patch_u64(f, w->t_ne[q] + 8, 32, "attn_q rows disagree with the metadata",
              "shape [32, 64] but the config implies [64, 64]");
    patch_u64(f, w->t_ne[q], 32, "attn_q columns disagree with the metadata",
              "shape [64, 32] but the config implies [64, 64]");
    int up = tensor_index(w, "blk.7.ffn_up.weight");
    patch_text(f, w->t_name[up], strlen("blk."), "9", "a missing tensor",
               "model.layers.7.mlp.up_proj.weight: missing");
    int en = tensor_index(w, "token_embd.weight");
    patch_u32(f, w->t_ndims[en], 1, "embedding with one dimension", "token_embd");
}

static void metadata_cases(Fixture *f, const Walk *w) {
    int bc = kv_index(w, "llama.block_count");
    patch_u32(f, w->kv_type[bc], GGUF_TYPE_F32, "block_count of type f32",
              "llama.block_count: expected an unsigned integer, got f32");
    patch_u32(f, w->kv_value[bc], 7, "block count below the tensors'",
              "layer 7 but the config has 7 layers");
    patch_u32(f, w->kv_value[bc], 9, "block count above the tensors'",
              "model.layers.8.input_layernorm.weight: missing");
    patch_u32(f, w->kv_value[bc], 0, "block count 0", "llama.block_count: 0 out of range");
    /* "llama.block_count" and "general.alignment" are both 17 bytes. */
    uint8_t *b = fresh(f);
    memcpy(b + w->kv_key[bc] + 8, "general.alignment", 17);
    put_le(b + w->kv_value[bc], 4, 24);
    expect_refused("alignment 24", b, f->len, "general.alignment: 24 is not a power of two");
    put_le(b + w->kv_value[bc], 4, 0);
    expect_refused("alignment 0", b, f->len, "general.alignment: 0 is not a power of two");
    int arch = kv_index(w, "general.architecture");
    patch_text(f, w->kv_value[arch], 0, "llamb", "architecture llamb", "\"llamb\" not supported");
    patch_u32(f, w->kv_type[kv_index(w, "tokenizer.ggml.bos_token_id")], GGUF_TYPE_F32,
              "bos id of type f32", "bos_token_id: expected an unsigned integer, got f32");
    int kv = kv_index(w, "llama.attention.head_count_kv");
    patch_u32(f, w->kv_value[kv], 3, "head_count_kv 3", "not a multiple of head_count_kv 3");
    int eps = kv_index(w, "llama.attention.layer_norm_rms_epsilon");
    patch_u32(f, w->kv_type[eps], GGUF_TYPE_U32, "epsilon of type u32",
              "layer_norm_rms_epsilon: expected f32, got u32");
    patch_u32(f, w->kv_value[kv_index(w, "llama.attention.value_length")], 4, "value_length 4",
              "value_length 4 differs");
    patch_u32(f, w->kv_value[kv_index(w, "llama.rope.dimension_count")], 4,
              "rope.dimension_count 4", "partial rotary");
    patch_u32(f, w->kv_value[kv_index(w, "llama.vocab_size")], 321, "vocab_size 321",
              "tokenizer.ggml.tokens has 320 tokens");
    patch_u32(f, w->kv_value[kv_index(w, "tokenizer.ggml.bos_token_id")], 1000, "bos id 1000",
              "is not a token id");
    patch_u32(f, w->kv_type[kv_index(w, "tokenizer.ggml.scores")] + 4, GGUF_TYPE_ARRAY,
              "scores as an array of arrays", "");
}

/* The fixture with one more tensor, rope_freqs.weight of ggml type `type`
 * and shape (ne0) or (ne1, ne0) when ne1 > 0, its nbytes bytes `data` put
 * after the fixture's data (alignment 32). The tensor info goes last, so the
 * data section moves but every other offset, relative to it, stays. Caller
 * owns; *out_len is the new length. */
static uint8_t *with_rope_freqs(const Fixture *f, const Walk *w, uint32_t type, uint64_t ne0,
                                uint64_t ne1, const void *data, size_t nbytes, uint64_t *out_len) {
    const char *name = GGUF_ROPE_FREQS_NAME;
    uint64_t name_len = strlen(name), nd = ne1 ? 2 : 1;
    uint64_t old_data = (w->infos_end + 31) / 32 * 32, data_len = f->len - old_data;
    uint64_t info_len = 8 + name_len + 4 + 8 * nd + 4 + 8;
    uint64_t infos_end = w->infos_end + info_len, new_data = (infos_end + 31) / 32 * 32;
    uint64_t rel = (data_len + 31) / 32 * 32;
    *out_len = new_data + rel + nbytes;
    uint8_t *b = xcalloc((size_t)*out_len, 1);
    memcpy(b, f->orig, (size_t)w->infos_end);
    put_le(b + 8, 8, le(b + 8, 8) + 1);
    uint8_t *p = b + w->infos_end;
    put_le(p, 8, name_len), memcpy(p + 8, name, (size_t)name_len), p += 8 + name_len;
    put_le(p, 4, nd), put_le(p + 4, 8, ne0), p += 12;
    if (ne1) put_le(p, 8, ne1), p += 8;
    put_le(p, 4, type), put_le(p + 4, 8, rel);
    memcpy(b + new_data, f->orig + old_data, (size_t)data_len);
    memcpy(b + new_data + rel, data, nbytes);
    return b;
}

/* rope_freqs.weight (llama.cpp's Llama-3 factors; head_dim 8 here, so 4):
 * accepted as F32 of 4 positive values and kept out of the tensor table;
 * refused as another type, another length or shape, or a factor that is 0,
 * negative, NaN or infinite. */
static void rope_freqs_cases(const Fixture *f, const Walk *w) {
    const float good[4] = {1.0f, 1.5f, 8.0f, 8.0f};
    uint64_t len;
    uint8_t *b = with_rope_freqs(f, w, 0, 4, 0, good, sizeof good, &len);
    Checkpoint *ck = xcalloc(1, sizeof *ck);
    ck->path = xstrdup("rope.gguf");
    ck->weights_path = xstrdup("rope.gguf");
    gguf_parse("rope.gguf", b, len, ck);
    TEST_CHECK("rope_freqs: read into the config",
               ck->cfg.n_rope_freqs == 4 && !memcmp(ck->cfg.rope_freqs, good, sizeof good));
    TEST_CHECK("rope_freqs: not in the tensor table", ck->n_tensors == w->n_tensors);
    checkpoint_close(ck);
    Bytes whole = {b, len};
    char msg[4096];
    TEST_CHECK("rope_freqs: the file passes the tensor checks",
               test_run_child(open_bytes, &whole, 0, msg, sizeof msg) == 0);
    free(b);
    const struct {
        const char *what;
        uint32_t type;
        uint64_t ne0, ne1;
        float v[8];
        size_t nbytes;
        const char *reason;
    } cases[] = {
        {"rope_freqs of 3 values", 0, 3, 0, {1, 1, 1}, 12, "1 dimension(s) of 3 values"},
        {"rope_freqs of 8 values",
         0,
         8,
         0,
         {1, 1, 1, 1, 1, 1, 1, 1},
         32,
         "1 dimension(s) of 8 values"},
        {"rope_freqs of shape (1, 4)", 0, 4, 1, {1, 1, 1, 1}, 16, "2 dimension(s) of 4 values"},
        {"rope_freqs of type F16", 1, 4, 0, {1, 1}, 8, "type F16, expected F32"},
        {"rope_freqs with a zero factor", 0, 4, 0, {1, 0, 8, 8}, 16, "factor 1 is 0"},
        {"rope_freqs with a negative factor", 0, 4, 0, {1, 1, -8, 8}, 16, "factor 2 is -8"},
        {"rope_freqs with a NaN factor", 0, 4, 0, {1, 1, 8, NAN}, 16, "factor 3 is nan"},
        {"rope_freqs with an infinite factor", 0, 4, 0, {INFINITY, 1, 8, 8}, 16, "factor 0 is inf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        b = with_rope_freqs(f, w, cases[i].type, cases[i].ne0, cases[i].ne1, cases[i].v,
                            cases[i].nbytes, &len);
        char reason[160];
        snprintf(reason, sizeof reason, "tensor rope_freqs.weight: %s", cases[i].reason);
        expect_refused(cases[i].what, b, len, reason);
        free(b);
    }
}

/* ne[0] of a Q8_0 tensor that is not a multiple of its 32-element blocks. */
static void quantized_cases(const char *dir) {
    char *path = path_join(dir, "tiny-llama-q8_0.gguf");
    size_t len;
    uint8_t *orig = (uint8_t *)read_file_text(path, &len);
    Walk w;
    walk(orig, &w);
    Fixture f = {orig, len, xmalloc(len)};
    int q = tensor_index(&w, "blk.0.attn_q.weight");
    patch_u64(&f, w.t_ne[q], 48, "Q8_0 row of 48", "is not a multiple of Q8_0's block of 32");
    free(f.copy), free(orig), free(path);
    for (int i = 0; i < w.n_kv; i++)
        free(w.kv_name[i]);
    for (int i = 0; i < w.n_tensors; i++)
        free(w.t_gguf_name[i]);
}

int test_gguf_broken(const char *dir) {
    char *path = path_join(dir, "tiny-llama-f32.gguf");
    size_t len;
    uint8_t *orig = (uint8_t *)read_file_text(path, &len);
    Walk w;
    walk(orig, &w);
    TEST_CHECK("walk found the tensors", w.n_tensors == 75);
    Fixture f = {orig, len, xmalloc(len)};
    char msg[4096];
    Bytes whole = {fresh(&f), len};
    TEST_CHECK("the unpatched copy is accepted (control)",
               test_run_child(open_bytes, &whole, 0, msg, sizeof msg) == 0);
    truncations(&f, &w);
    header_cases(&f, &w);
    tensor_cases(&f, &w);
    metadata_cases(&f, &w);
    rope_freqs_cases(&f, &w);
    quantized_cases(dir);
    free(f.copy), free(orig), free(path);
    for (int i = 0; i < w.n_kv; i++)
        free(w.kv_name[i]);
    for (int i = 0; i < w.n_tensors; i++)
        free(w.t_gguf_name[i]);
    return g_cases;
}
