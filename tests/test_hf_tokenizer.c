/* test_hf_tokenizer.c: the Hugging Face tokenizer (text/hf_tokenizer.h)
 * against every case of fixtures/hf_tokenizer_cases.json for llama-3.2,
 * qwen2.5 and bert-base-uncased (ids, ids with special tokens, decoded text,
 * BERT pairs with type ids; the "dropped" cases' reference ids too), BERT
 * again from its vocab.txt, the accessors, lossy decoding, and invalid UTF-8
 * refused. The malformed tokenizer.json files are in test_hf_broken.c. Needs
 * ../shared (the real tokenizer files, never copied into the project). */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "test_hf_tokenizer.h"
#include "testhelp.h"
#include "text/hf_tokenizer.h"

static void print_ids(const char *label, const int *ids, int n) {
    printf("      %s (%d):", label, n);
    for (int i = 0; i < n && i < 40; i++)
        printf(" %d", ids[i]);
    printf("%s\n", n > 40 ? " ..." : "");
}

/* Whether got[0..n) equals the JSON array want; prints both when not. */
static int ids_match(const char *label, const int *got, int n, const cJSON *want) {
    int nw = cJSON_GetArraySize(want), ok = nw == n;
    for (int i = 0; ok && i < n; i++)
        ok = cJSON_GetArrayItem(want, i)->valueint == got[i];
    if (!ok) {
        int *w = xmalloc((size_t)(nw ? nw : 1) * sizeof(int));
        for (int i = 0; i < nw; i++)
            w[i] = cJSON_GetArrayItem(want, i)->valueint;
        print_ids(label, w, nw);
        print_ids("got", got, n);
        free(w);
    }
    return ok;
}

/* One case: ids, ids_special, decoded; or, for a pair, ids_special and
 * type_ids. Returns whether all of it matched. */
static int check_case(const HfTokenizer *t, const cJSON *c, int clean_up) {
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
    const char *pair = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text_pair"));
    const cJSON *want_ids = cJSON_GetObjectItemCaseSensitive(c, "ids");
    const cJSON *want_special = cJSON_GetObjectItemCaseSensitive(c, "ids_special");
    if (!text) return 0;
    int ok = 1, *ids, n;
    if (pair) {
        int *types;
        n = hf_tokenizer_encode_pair(t, text, pair, &ids, &types);
        ok &= ids_match("want ids_special", ids, n, want_special);
        ok &= ids_match("want type_ids", types, n, cJSON_GetObjectItemCaseSensitive(c, "type_ids"));
        free(ids);
        free(types);
        return ok;
    }
    n = hf_tokenizer_encode(t, text, strlen(text), 0, &ids);
    ok &= ids_match("want ids", ids, n, want_ids);
    char *decoded = hf_tokenizer_decode(t, ids, n, clean_up);
    const char *want_text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "decoded"));
    if (!want_text || strcmp(decoded, want_text) != 0) {
        printf("      decoded \"%s\", want \"%s\"\n", decoded, want_text ? want_text : "?");
        ok = 0;
    }
    free(decoded);
    free(ids);
    n = hf_tokenizer_encode(t, text, strlen(text), 1, &ids);
    ok &= ids_match("want ids_special", ids, n, want_special);
    free(ids);
    return ok;
}

/* Every case of one tokenizer; prints and returns the count that matched. */
static int check_cases(const HfTokenizer *t, const char *name, const cJSON *cases, int clean_up,
                       int pairs) {
    int matched = 0, total = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        int is_pair = cJSON_GetObjectItemCaseSensitive(c, "text_pair") != NULL;
        if (pairs >= 0 && is_pair != pairs) continue;
        total++;
        int ok = check_case(t, c, clean_up);
        if (!ok)
            printf("    FAIL %s case %d: \"%.80s\"\n", name, total,
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text")));
        matched += ok;
    }
    printf("  %s: %d of %d cases match\n", name, matched, total);
    char label[128];
    snprintf(label, sizeof label, "%s: every fixture case matches", name);
    TEST_CHECK(label, matched == total && total > 0);
    return matched;
}

/* The reference ids of the cases dropped for other implementations'
 * disagreement (JavaScript's \s): ours must agree with the reference. */
static void check_dropped(const HfTokenizer *t, const char *name, const cJSON *dropped) {
    const cJSON *d;
    cJSON_ArrayForEach(d, dropped) {
        const char *tok = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "tokenizer"));
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "text"));
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(d, "ids");
        if (!tok || strcmp(tok, name) != 0 || !text || !want) continue;
        int *ids, n = hf_tokenizer_encode(t, text, strlen(text), 0, &ids);
        char label[256];
        snprintf(label, sizeof label, "%s: dropped case \"%.60s\" has the reference's ids", name,
                 text);
        TEST_CHECK(label, ids_match("want ids", ids, n, want));
        free(ids);
    }
}

static HfTokenizer *load_timed(const char *path) {
    double t0 = now_seconds();
    HfTokenizer *t = hf_tokenizer_load(path);
    printf("  loaded %s in %.0f ms (%d ids)\n", path, 1e3 * (now_seconds() - t0),
           hf_tokenizer_vocab_size(t));
    return t;
}

static void test_llama(const char *dir, const cJSON *fx) {
    char *path = path_join(dir, "tokenizers/llama-3.2/tokenizer.json");
    HfTokenizer *t = load_timed(path);
    check_cases(t, "llama-3.2", cJSON_GetObjectItemCaseSensitive(fx, "llama-3.2"), 1, -1);
    check_dropped(t, "llama-3.2", cJSON_GetObjectItemCaseSensitive(fx, "dropped"));
    TEST_CHECK("llama-3.2: 128256 ids", hf_tokenizer_vocab_size(t) == 128256);
    TEST_CHECK("llama-3.2: <|begin_of_text|> first", hf_tokenizer_first_special(t) == 128000);
    TEST_CHECK("llama-3.2: <|eot_id|> is 128009, special",
               hf_tokenizer_token_to_id(t, "<|eot_id|>") == 128009 &&
                   hf_tokenizer_is_special(t, 128009) && !hf_tokenizer_is_special(t, 9906));
    TEST_CHECK("llama-3.2: token strings in the byte-level alphabet",
               strcmp(hf_tokenizer_token(t, 1917), "\xc4\xa0world") == 0 &&
                   hf_tokenizer_token_to_id(t, "\xc4\xa0world") == 1917 &&
                   !hf_tokenizer_token(t, 128256) && !hf_tokenizer_token(t, -1));
    /* The first byte of a three-byte character alone, between whole words,
     * decodes to U+FFFD; ids out of range are skipped. */
    int part[4] = {9906, hf_tokenizer_token_to_id(t, "\xc3\xa6"), -5, 1917};
    char *text = hf_tokenizer_decode(t, part, 4, 0);
    TEST_CHECK("llama-3.2: a cut character decodes to U+FFFD",
               strcmp(text, "Hello\xef\xbf\xbd world") == 0);
    free(text);
    hf_tokenizer_free(t);
    free(path);
}

static void test_qwen(const char *dir, const cJSON *fx) {
    char *path = path_join(dir, "tokenizers/qwen2.5/tokenizer.json");
    HfTokenizer *t = load_timed(path);
    check_cases(t, "qwen2.5", cJSON_GetObjectItemCaseSensitive(fx, "qwen2.5"), 0, -1);
    check_dropped(t, "qwen2.5", cJSON_GetObjectItemCaseSensitive(fx, "dropped"));
    TEST_CHECK("qwen2.5: no special token first", hf_tokenizer_first_special(t) == -1);
    TEST_CHECK("qwen2.5: <|im_start|> is 151644",
               hf_tokenizer_token_to_id(t, "<|im_start|>") == 151644);
    TEST_CHECK("qwen2.5: <tool_call> is added, not special",
               !hf_tokenizer_is_special(t, 151657) && hf_tokenizer_is_special(t, 151643));
    hf_tokenizer_free(t);
    free(path);
}

/* tokenizer_config.json's do_lower_case. */
static int bert_lower_case(const char *dir) {
    char *path = path_join(dir, "tokenizers/bert-base-uncased/tokenizer_config.json");
    char *text = read_file_text(path, NULL);
    cJSON *cfg = cJSON_Parse(text);
    int lower = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "do_lower_case"));
    cJSON_Delete(cfg);
    free(text);
    free(path);
    return lower;
}

static void test_bert(const char *dir, const cJSON *fx) {
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(fx, "bert-base-uncased");
    char *path = path_join(dir, "tokenizers/bert-base-uncased/tokenizer.json");
    HfTokenizer *t = load_timed(path);
    check_cases(t, "bert-base-uncased", cases, 1, -1);
    TEST_CHECK("bert: [CLS] first", hf_tokenizer_first_special(t) == 101);
    hf_tokenizer_free(t);
    free(path);

    int lower = bert_lower_case(dir);
    TEST_CHECK("bert: tokenizer_config.json says do_lower_case", lower);
    path = path_join(dir, "tokenizers/bert-base-uncased/vocab.txt");
    t = hf_tokenizer_load_vocab_txt(path, lower);
    check_cases(t, "bert-base-uncased from vocab.txt", cases, 1, -1);
    TEST_CHECK("bert vocab.txt: 30522 ids, [SEP] special",
               hf_tokenizer_vocab_size(t) == 30522 && hf_tokenizer_is_special(t, 102) &&
                   hf_tokenizer_first_special(t) == 101);
    hf_tokenizer_free(t);
    free(path);
}

int main(void) {
    const char *dir = test_shared_dir();
    if (!dir) return test_shared_missing("test_hf_tokenizer");
    char *fx_path = path_join(dir, "fixtures/hf_tokenizer_cases.json");
    char *fx_text = read_file_text(fx_path, NULL);
    cJSON *fx = cJSON_Parse(fx_text);
    if (!fx) die_runtime("%s does not parse", fx_path);
    test_llama(dir, fx);
    test_qwen(dir, fx);
    test_bert(dir, fx);
    cJSON_Delete(fx);
    free(fx_text);
    free(fx_path);
    test_hf_broken(dir);
    return test_report("test_hf_tokenizer");
}
