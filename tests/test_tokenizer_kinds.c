/* test_tokenizer_kinds.c: the one tokenizer API (tokenizer.h) over every
 * kind: the cases of fixtures/hf_tokenizer_cases.json through
 * tokenizer_load() of the Llama-3.2 and Qwen2.5 tokenizer.json and of BERT's
 * tokenizer.json and vocab.txt (ids, ids with special tokens, decoded text
 * with the clean-up their tokenizer_config.json asks for, pairs with type
 * ids), the special tokens and prefix token each one's files give, the
 * sequences scorers start with, and streaming in whole characters. Needs
 * ../shared. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "testhelp.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

/* The ints of a JSON array. Caller frees. */
static int json_ids(const cJSON *a, int **ids) {
    int n = cJSON_GetArraySize(a);
    *ids = xmalloc(((size_t)n + 1) * sizeof(int));
    for (int i = 0; i < n; i++)
        (*ids)[i] = cJSON_GetArrayItem(a, i)->valueint;
    return n;
}

static int ids_equal(const int *a, int na, const int *b, int nb) {
    return na == nb && (na == 0 || memcmp(a, b, (size_t)na * sizeof(int)) == 0);
}

/* Streams ids through a TokenizerStream: every chunk valid UTF-8 (for text
 * that was valid), and returns the concatenation. Caller frees. */
static char *stream_all(const Tokenizer *t, const int *ids, int n, int *chunks_valid) {
    TokenizerStream *s = tokenizer_stream_new(t, -1);
    size_t cap = 64, len = 0;
    char *all = xmalloc(cap);
    all[0] = '\0';
    *chunks_valid = 1;
    for (int i = 0; i <= n; i++) {
        char *part = i < n ? tokenizer_stream_push(s, ids[i]) : tokenizer_stream_finish(s);
        size_t m = strlen(part), bad;
        if (m && !utf8_check(part, m, &bad)) *chunks_valid = 0;
        while (len + m + 1 > cap)
            all = xrealloc(all, cap *= 2);
        memcpy(all + len, part, m + 1);
        len += m;
        free(part);
    }
    return all;
}

typedef struct {
    int ids, special, decoded, pairs, sequences, streamed;
} CaseCounts;

/* One case of the fixture; returns whether everything matched. */
static int check_case(const char *label, const Tokenizer *t, const cJSON *c, CaseCounts *k) {
    const char *text = cJSON_GetObjectItemCaseSensitive(c, "text")->valuestring;
    const cJSON *pair = cJSON_GetObjectItemCaseSensitive(c, "text_pair");
    int ok = 1, *want, *got, n_want, n_got;
    if (pair) {
        int *types, *want_types;
        n_want = json_ids(cJSON_GetObjectItemCaseSensitive(c, "ids_special"), &want);
        json_ids(cJSON_GetObjectItemCaseSensitive(c, "type_ids"), &want_types);
        n_got = tokenizer_encode_pair(t, text, pair->valuestring, &got, &types);
        int same =
            ids_equal(got, n_got, want, n_want) && ids_equal(types, n_got, want_types, n_want);
        k->pairs += same;
        ok &= same;
        free(want), free(want_types), free(got), free(types);
        if (!ok) printf("    %s: pair case '%s' + '%s' differs\n", label, text, pair->valuestring);
        return ok;
    }
    n_want = json_ids(cJSON_GetObjectItemCaseSensitive(c, "ids"), &want);
    n_got = tokenizer_encode(t, text, 0, &got);
    int same = ids_equal(got, n_got, want, n_want);
    k->ids += same, ok &= same;
    free(got);

    /* the sequence a scorer starts: the prefix token, then the ids */
    n_got = tokenizer_encode_sequence(t, text, &got);
    int prefix = tokenizer_prefix(t), off = prefix >= 0;
    same = n_got == n_want + off && (!off || got[0] == prefix) &&
           ids_equal(got + off, n_got - off, want, n_want);
    k->sequences += same, ok &= same;
    free(got);

    const cJSON *decoded = cJSON_GetObjectItemCaseSensitive(c, "decoded");
    if (decoded) {
        char *back = tokenizer_decode(t, want, n_want);
        same = strcmp(back, decoded->valuestring) == 0;
        if (!same) printf("    %s: decoded '%s', want '%s'\n", label, back, decoded->valuestring);
        k->decoded += same, ok &= same;
        free(back);
        if (!tokenizer_clean_up(t)) { /* the stream gives decode() without clean-up */
            int valid;
            char *streamed = stream_all(t, want, n_want, &valid);
            same = strcmp(streamed, decoded->valuestring) == 0 && valid;
            k->streamed += same, ok &= same;
            free(streamed);
        }
    }
    int *want_special;
    int n_special = json_ids(cJSON_GetObjectItemCaseSensitive(c, "ids_special"), &want_special);
    n_got = tokenizer_encode(t, text, 1, &got);
    same = ids_equal(got, n_got, want_special, n_special);
    k->special += same, ok &= same;
    free(got), free(want_special), free(want);
    if (!ok) printf("    %s: case '%s' differs\n", label, text);
    return ok;
}

static void test_cases(const char *label, const Tokenizer *t, const cJSON *cases) {
    CaseCounts k = {0};
    int n = cJSON_GetArraySize(cases), matched = 0;
    for (int i = 0; i < n; i++)
        matched += check_case(label, t, cJSON_GetArrayItem(cases, i), &k);
    printf("%s (%s): %d/%d cases match (ids %d, ids_special %d, decoded %d, sequences %d, "
           "streamed %d, pairs %d)\n",
           label, tokenizer_kind_name(t), matched, n, k.ids, k.special, k.decoded, k.sequences,
           k.streamed, k.pairs);
    char name[128];
    snprintf(name, sizeof name, "%s: every fixture case", label);
    TEST_CHECK(name, n > 0 && matched == n);
}

/* A multi-byte character spelled by several byte-level tokens streams once
 * whole: nothing while it is incomplete. */
static void test_stream_split_character(const Tokenizer *t) {
    int *ids;
    int n = tokenizer_encode(t, "\xf0\x9f\x8e\xa8", 0, &ids); /* U+1F3A8: 4 bytes */
    TokenizerStream *s = tokenizer_stream_new(t, -1);
    int ok = n > 1, empty_before_last = 1;
    char *last = NULL;
    for (int i = 0; i < n; i++) {
        char *part = tokenizer_stream_push(s, ids[i]);
        if (i + 1 < n) empty_before_last &= part[0] == '\0';
        if (i + 1 < n)
            free(part);
        else
            last = part;
    }
    char *rest = tokenizer_stream_finish(s);
    ok = ok && empty_before_last && last && !strcmp(last, "\xf0\x9f\x8e\xa8") && !rest[0];
    TEST_CHECK("stream: a character split over tokens comes out whole", ok);
    free(last), free(rest), free(ids);
    /* after a prompt token the stream gives only the new text */
    int prompt = tokenizer_piece_to_id(t, "Hello"),
        world = tokenizer_piece_to_id(t, "\xc4\xa0world");
    s = tokenizer_stream_new(t, prompt);
    char *part = tokenizer_stream_push(s, world);
    rest = tokenizer_stream_finish(s);
    TEST_CHECK("stream after a prompt token",
               prompt >= 0 && world >= 0 && !strcmp(part, " world") && !rest[0]);
    free(part), free(rest);
}

static void test_specials(const char *label, const Tokenizer *t, int bos, int eos, int pad,
                          int prefix, int clean_up) {
    char name[160];
    snprintf(name, sizeof name, "%s: bos %d, eos %d, pad %d, prefix %d, clean_up %d", label, bos,
             eos, pad, prefix, clean_up);
    int n_eos;
    const int *eos_ids = tokenizer_eos_ids(t, &n_eos);
    TEST_CHECK(name, tokenizer_bos(t) == bos && tokenizer_eos(t) == eos &&
                         tokenizer_pad(t) == pad && tokenizer_prefix(t) == prefix &&
                         tokenizer_clean_up(t) == clean_up &&
                         (eos < 0 ? n_eos == 0 : n_eos == 1 && eos_ids[0] == eos));
}

static cJSON *read_cases(const char *shared) {
    char *path = path_join(shared, "fixtures/hf_tokenizer_cases.json");
    char *text = read_file_text(path, NULL);
    cJSON *root = cJSON_Parse(text);
    if (!root) die_runtime("%s: not valid JSON", path);
    free(text), free(path);
    return root;
}

static Tokenizer *load_shared(const char *shared, const char *name) {
    char *path = path_join(shared, name);
    double t0 = now_seconds();
    Tokenizer *t = tokenizer_load(path);
    printf("%s: loaded in %.3f s, %d tokens\n", name, now_seconds() - t0, tokenizer_vocab_size(t));
    free(path);
    return t;
}

int main(void) {
    const char *shared = test_shared_dir();
    if (!shared) return test_shared_missing("test_tokenizer_kinds");
    cJSON *cases = read_cases(shared);

    Tokenizer *llama = load_shared(shared, "tokenizers/llama-3.2/tokenizer.json");
    TEST_CHECK("llama-3.2: kind bpe, 128256 ids",
               tokenizer_kind(llama) == TOKENIZER_BPE && tokenizer_vocab_size(llama) == 128256);
    test_specials("llama-3.2", llama, 128000, 128009, -1, 128000, 1);
    test_cases("llama-3.2", llama, cJSON_GetObjectItemCaseSensitive(cases, "llama-3.2"));
    test_stream_split_character(llama);
    tokenizer_free(llama);

    Tokenizer *qwen = load_shared(shared, "tokenizers/qwen2.5/tokenizer.json");
    TEST_CHECK("qwen2.5: kind bpe", tokenizer_kind(qwen) == TOKENIZER_BPE);
    test_specials("qwen2.5", qwen, -1, 151645, 151643, 151645, 0);
    test_cases("qwen2.5", qwen, cJSON_GetObjectItemCaseSensitive(cases, "qwen2.5"));
    tokenizer_free(qwen);

    const cJSON *bert_cases = cJSON_GetObjectItemCaseSensitive(cases, "bert-base-uncased");
    const char *bert_files[] = {"tokenizers/bert-base-uncased/tokenizer.json",
                                "tokenizers/bert-base-uncased/vocab.txt"};
    for (int i = 0; i < 2; i++) {
        Tokenizer *bert = load_shared(shared, bert_files[i]);
        const char *label = i ? "bert vocab.txt" : "bert tokenizer.json";
        char name[96];
        snprintf(name, sizeof name, "%s: kind wordpiece, 30522 ids", label);
        TEST_CHECK(name, tokenizer_kind(bert) == TOKENIZER_WORDPIECE &&
                             tokenizer_vocab_size(bert) == 30522);
        test_specials(label, bert, -1, -1, -1, -1, 1);
        test_cases(label, bert, bert_cases);
        tokenizer_free(bert);
    }
    cJSON_Delete(cases);
    return test_report("test_tokenizer_kinds");
}
