/* test_model_files.c: the tokenizer beside a model and the special tokens of
 * its files (model_files.h, tokenizer_config.json): which file is chosen,
 * BOS/EOS/pad as strings, {content} objects or null, add_bos_token, the
 * stop ids of generation_config.json and config.json (lists too), the
 * prefix token, the vocabulary check against the model, and each malformed
 * file refused with exit status 2 naming it. The demo model's
 * tokenizer.model is the project's; the tokenizer.json and vocab.txt parts
 * need ../shared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "testhelp.h"
#include "text/model_files.h"
#include "text/tokenizer.h"

#define DEMO_TOKENIZER PAINTERS_SOURCE_DIR "/models/painters-demo-16L/tokenizer.model"

static char g_dir[4096];

static char *tmp_path(const char *name) {
    return path_join(g_dir, name);
}

static void write_file(const char *name, const char *text) {
    char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) die_runtime("cannot write %s", path);
    free(path);
}

static void copy_file(const char *from, const char *name) {
    size_t n;
    char *data = read_file_text(from, &n);
    char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) die_runtime("cannot write %s", path);
    free(path), free(data);
}

static void remove_file(const char *name) {
    char *path = tmp_path(name);
    unlink(path);
    free(path);
}

static void open_and_check(const void *arg) {
    int model_vocab = *(const int *)arg;
    Tokenizer *t = model_open_tokenizer(g_dir, NULL, "the test");
    if (model_vocab > 0) model_check_tokenizer(t, model_vocab, g_dir);
    tokenizer_free(t);
}

/* Opens the tokenizer of the temp folder in a child; returns its exit
 * status and its stderr in msg. With model_vocab > 0 also checks it
 * against a model of that vocabulary. */
static int open_status(int model_vocab, char *msg, size_t cap) {
    return test_run_child(open_and_check, &model_vocab, 0, msg, cap);
}

/* The folder's tokenizer must be refused (exit 2) with a message naming
 * `file` and saying `reason`. */
static void check_refused(const char *what, const char *file, const char *reason) {
    char msg[4096], name[256];
    int status = open_status(0, msg, sizeof msg);
    int ok = status == 2 && strstr(msg, file) && strstr(msg, reason);
    if (!ok) printf("    exit status %d, message: %s", status, msg);
    snprintf(name, sizeof name, "refused with exit 2: %s", what);
    TEST_CHECK(name, ok);
}

static int eos_ids_are(const Tokenizer *t, const int *want, int n_want) {
    int n;
    const int *ids = tokenizer_eos_ids(t, &n);
    if (n != n_want) return 0;
    for (int i = 0; i < n; i++)
        if (ids[i] != want[i]) return 0;
    return 1;
}

static void test_sentencepiece_folder(void) {
    copy_file(DEMO_TOKENIZER, "tokenizer.model");
    Tokenizer *t = model_open_tokenizer(g_dir, NULL, NULL);
    TEST_CHECK("tokenizer.model alone", t && tokenizer_kind(t) == TOKENIZER_SENTENCEPIECE &&
                                            tokenizer_bos(t) == 1 && tokenizer_eos(t) == 2 &&
                                            tokenizer_prefix(t) == 1 &&
                                            eos_ids_are(t, (int[]){2}, 1));
    tokenizer_free(t);

    write_file("config.json", "{\"bos_token_id\": 1, \"eos_token_id\": [2, 3]}");
    t = model_open_tokenizer(g_dir, NULL, NULL);
    TEST_CHECK("config.json eos_token_id list: stop at any", eos_ids_are(t, (int[]){2, 3}, 2));
    tokenizer_free(t);
    write_file("generation_config.json", "{\"eos_token_id\": [7, 2, 5]}");
    t = model_open_tokenizer(g_dir, NULL, NULL);
    TEST_CHECK("generation_config.json's list over config.json's",
               eos_ids_are(t, (int[]){2, 7, 5}, 3) && !tokenizer_is_eos(t, 3) &&
                   tokenizer_is_eos(t, 5));
    tokenizer_free(t);
    remove_file("generation_config.json");
    remove_file("config.json");

    write_file("tokenizer_config.json", "{\"bos_token\": {\"content\": \"<s>\", \"lstrip\": false},"
                                        " \"eos_token\": \"</s>\", \"add_bos_token\": false}");
    t = model_open_tokenizer(g_dir, NULL, NULL);
    int *ids, *seq;
    int n = tokenizer_encode(t, "Hello", 1, &ids),
        n_seq = tokenizer_encode_sequence(t, "Hello", &seq);
    TEST_CHECK("add_bos_token false: no BOS from encode, the prefix still first",
               tokenizer_bos(t) == 1 && n >= 1 && ids[0] != 1 && n_seq == n + 1 && seq[0] == 1);
    free(ids), free(seq);
    tokenizer_free(t);

    write_file("tokenizer_config.json", "{\"bos_token\": null, \"eos_token\": \"</s>\"}");
    write_file("config.json", "{\"bos_token_id\": 1}");
    t = model_open_tokenizer(g_dir, NULL, NULL);
    n_seq = tokenizer_encode_sequence(t, "Hello", &seq);
    TEST_CHECK("bos_token null (config.json does not bring it back): EOS is the prefix",
               tokenizer_bos(t) == -1 && tokenizer_prefix(t) == 2 && n_seq > 1 && seq[0] == 2);
    free(seq);
    tokenizer_free(t);
    remove_file("config.json");

    write_file("tokenizer_config.json", "{\"bos_token\": 5}");
    check_refused("bos_token a number", "tokenizer_config.json", "bos_token");
    write_file("tokenizer_config.json", "{\"eos_token\": \"<no such token>\"}");
    check_refused("eos_token not a token", "tokenizer_config.json", "is not a token");
    write_file("tokenizer_config.json", "{\"bos_token\": {\"lstrip\": true}}");
    check_refused("bos_token object without content", "tokenizer_config.json", "content");
    write_file("tokenizer_config.json", "{\"clean_up_tokenization_spaces\": \"yes\"}");
    check_refused("clean_up_tokenization_spaces a string", "tokenizer_config.json",
                  "clean_up_tokenization_spaces");
    write_file("tokenizer_config.json", "{\"bos_token\": ");
    check_refused("truncated tokenizer_config.json", "tokenizer_config.json", "invalid JSON");
    remove_file("tokenizer_config.json");
    write_file("generation_config.json", "{\"eos_token_id\": [2, 999999]}");
    check_refused("eos_token_id past the vocabulary", "generation_config.json", "eos_token_id[1]");
    write_file("generation_config.json", "{\"eos_token_id\": \"2\"}");
    check_refused("eos_token_id a string", "generation_config.json", "integer token id");
    remove_file("generation_config.json");

    char msg[4096];
    int status = open_status(100, msg, sizeof msg);
    TEST_CHECK("a tokenizer larger than the model's vocabulary: exit 2 naming both sizes",
               status == 2 && strstr(msg, "4096") && strstr(msg, "100"));
    if (status != 2) printf("    exit status %d, message: %s", status, msg);
    TEST_CHECK("a tokenizer that fits the model", open_status(4096, msg, sizeof msg) == 0);
    remove_file("tokenizer.model");
    TEST_CHECK("no tokenizer and none needed: NULL",
               model_open_tokenizer(g_dir, NULL, NULL) == NULL);
    check_refused("no tokenizer when one is needed", g_dir, "no tokenizer beside the model");
}

/* A tokenizer.json of n tokens "t0" .. "tN-1" and no merges. */
static void write_plain_tokenizer_json(int n) {
    size_t cap = 256 + (size_t)n * 24, len = 0;
    char *s = xmalloc(cap);
    len += (size_t)snprintf(s + len, cap - len,
                            "{\"version\": \"1.0\", \"added_tokens\": [], \"normalizer\": null, "
                            "\"pre_tokenizer\": null, \"post_processor\": null, \"decoder\": null, "
                            "\"model\": {\"type\": \"BPE\", \"vocab\": {");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s\"t%d\": %d", i ? ", " : "", i, i);
    snprintf(s + len, cap - len, "}, \"merges\": []}}");
    write_file("tokenizer.json", s);
    free(s);
}

static void test_hf_folders(const char *shared) {
    copy_file(DEMO_TOKENIZER, "tokenizer.model");
    write_plain_tokenizer_json(4096);
    Tokenizer *t = model_open_tokenizer(g_dir, NULL, NULL);
    TEST_CHECK("tokenizer.model and a tokenizer.json of the same size: tokenizer.model",
               tokenizer_kind(t) == TOKENIZER_SENTENCEPIECE);
    tokenizer_free(t);
    write_plain_tokenizer_json(4000);
    t = model_open_tokenizer(g_dir, NULL, NULL);
    TEST_CHECK("sizes differ: tokenizer.json, as transformers loads it",
               tokenizer_kind(t) == TOKENIZER_BPE && tokenizer_vocab_size(t) == 4000);
    tokenizer_free(t);
    remove_file("tokenizer.model");
    remove_file("tokenizer.json");

    char *vocab = path_join(shared, "tokenizers/bert-base-uncased/vocab.txt");
    copy_file(vocab, "vocab.txt");
    free(vocab);
    t = model_open_tokenizer(g_dir, NULL, NULL);
    int *lower, *cased;
    int n_lower = tokenizer_encode(t, "Hello", 0, &lower);
    TEST_CHECK("vocab.txt alone: WordPiece, lower case by default",
               tokenizer_kind(t) == TOKENIZER_WORDPIECE && n_lower == 1 && lower[0] == 7592);
    tokenizer_free(t);
    write_file("tokenizer_config.json", "{\"do_lower_case\": false}");
    t = model_open_tokenizer(g_dir, NULL, NULL);
    int n_cased = tokenizer_encode(t, "Hello", 0, &cased);
    TEST_CHECK("vocab.txt with do_lower_case false keeps the case",
               !(n_cased == n_lower && cased[0] == lower[0]));
    free(lower), free(cased);
    tokenizer_free(t);
    remove_file("tokenizer_config.json");
    remove_file("vocab.txt");

    /* Llama-3.2: tokenizer.json + its tokenizer_config.json + a model's lists */
    char *json = path_join(shared, "tokenizers/llama-3.2/tokenizer.json");
    char *config = path_join(shared, "tokenizers/llama-3.2/tokenizer_config.json");
    copy_file(json, "tokenizer.json");
    copy_file(config, "tokenizer_config.json");
    write_file("generation_config.json",
               "{\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128008, 128009]}");
    t = model_open_tokenizer(g_dir, NULL, NULL);
    TEST_CHECK("llama-3.2 folder: BOS, EOS <|eot_id|>, stops at the three",
               tokenizer_bos(t) == 128000 && tokenizer_eos(t) == 128009 &&
                   eos_ids_are(t, (int[]){128009, 128001, 128008}, 3));
    tokenizer_free(t);
    remove_file("tokenizer_config.json");
    t = model_open_tokenizer(g_dir, NULL, NULL);
    TEST_CHECK("tokenizer.json without tokenizer_config.json: BOS and EOS from the model's files",
               tokenizer_bos(t) == 128000 && tokenizer_eos(t) == 128001 &&
                   tokenizer_prefix(t) == 128000 && tokenizer_clean_up(t) == 0);
    tokenizer_free(t);
    remove_file("generation_config.json");
    remove_file("tokenizer.json");
    free(json), free(config);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/painters-test-model-files-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) die_runtime("cannot create a temporary directory");
    test_sentencepiece_folder();
    const char *shared = test_shared_dir();
    int rc_missing = 0;
    if (shared)
        test_hf_folders(shared);
    else
        rc_missing = test_shared_missing("test_model_files (tokenizer.json and vocab.txt parts)");
    rmdir(g_dir);
    int rc = test_report("test_model_files");
    return rc ? rc : rc_missing;
}
