/* test_hf_broken.c: a small hand-made tokenizer.json that works (byte-level
 * BPE, an added token, template, decoder), then broken copies of it
 * (truncated, wrong types, merges naming unknown tokens, unknown model,
 * normalizer, pre-tokenizer, post-processor and decoder types, regexes PCRE2
 * rejects, clashing ids) and invalid UTF-8 to encode: each must exit 2 with
 * the file, the JSON path and the reason. Part of test_hf_tokenizer. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "test_hf_tokenizer.h"
#include "testhelp.h"
#include "text/hf_tokenizer.h"

/* "Ġ" is the byte-level form of a space. */
static const char BASE[] =
    "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null,\n"
    " \"added_tokens\": [{\"id\": 7, \"content\": \"<s>\", \"single_word\": false, "
    "\"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}],\n"
    " \"normalizer\": {\"type\": \"NFC\"},\n"
    " \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [\n"
    "   {\"type\": \"Split\", \"pattern\": {\"Regex\": \" ?\\\\p{L}+|\\\\s+(?!\\\\S)|\\\\s+|.\"}, "
    "\"behavior\": \"Isolated\", \"invert\": false},\n"
    "   {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": false}]},\n"
    " \"post_processor\": {\"type\": \"TemplateProcessing\",\n"
    "   \"single\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}}, "
    "{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],\n"
    "   \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
    "{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],\n"
    "   \"special_tokens\": {\"<s>\": {\"id\": \"<s>\", \"ids\": [7], \"tokens\": [\"<s>\"]}}},\n"
    " \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true},\n"
    " \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, "
    "\"ignore_merges\": false,\n"
    "   \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2, \"\\u0120\": 3, \"\\u0120ab\": 4, \"c\": 5, "
    "\"!\": 6},\n"
    "   \"merges\": [\"a b\", [\"\\u0120\", \"ab\"]]}}\n";

static char g_dir[64];

/* BASE with the first occurrence of from replaced by to, written to a file
 * named name; caller frees the path. */
static char *write_variant(const char *name, const char *from, const char *to) {
    const char *at = from ? strstr(BASE, from) : NULL;
    if (from && !at) die_runtime("test_hf_broken: \"%s\" is not in the base file", from);
    char *path = path_join(g_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) die_runtime("cannot write %s", path);
    if (at) {
        fwrite(BASE, 1, (size_t)(at - BASE), f);
        fputs(to, f);
        fputs(at + strlen(from), f);
    } else {
        fwrite(BASE, 1, to ? (size_t)atoi(to) : strlen(BASE), f);
    }
    if (fclose(f) != 0) die_runtime("cannot write %s", path);
    return path;
}

typedef struct {
    const char *path, *text; /* text NULL: load only */
    size_t n;
} LoadCase;

static void load_and_encode(const void *arg) {
    const LoadCase *c = arg;
    HfTokenizer *t = hf_tokenizer_load(c->path);
    if (c->text) {
        int *ids;
        hf_tokenizer_encode(t, c->text, c->n, 0, &ids);
        free(ids);
    }
    hf_tokenizer_free(t);
}

/* Loads path in a child (then encodes text when not NULL); returns the exit
 * status (-1 when it did not exit) and its stderr in msg. */
static int child_status(const char *path, const char *text, size_t n, char *msg, size_t cap) {
    LoadCase c = {path, text, n};
    return test_run_child(load_and_encode, &c, 0, msg, cap);
}

/* The variant must exit 2 with a message naming the file, where and why. */
static void refused(const char *what, const char *from, const char *to, const char *where,
                    const char *reason) {
    char *path = write_variant("tokenizer.json", from, to);
    char msg[4096], label[256];
    int status = child_status(path, NULL, 0, msg, sizeof msg);
    int ok = status == 2 && strstr(msg, path) && strstr(msg, where) && strstr(msg, reason);
    if (!ok) printf("    %s: exit status %d, message: %s", what, status, msg);
    snprintf(label, sizeof label, "refuses %s (exit 2, file, %s, reason)", what, where);
    TEST_CHECK(label, ok);
    unlink(path);
    free(path);
}

static void test_base_works(void) {
    char *path = write_variant("base.json", NULL, NULL);
    HfTokenizer *t = hf_tokenizer_load(path);
    int *ids, n = hf_tokenizer_encode(t, "ab ab!<s>c", 10, 1, &ids);
    static const int want[] = {7, 2, 4, 6, 7, 5};
    TEST_CHECK("base file: encodes with its template and added token",
               n == 6 && memcmp(ids, want, sizeof want) == 0);
    char *text = hf_tokenizer_decode(t, ids, n, 0);
    TEST_CHECK("base file: decodes back", strcmp(text, "<s>ab ab!<s>c") == 0);
    free(text);
    free(ids);
    int *types;
    n = hf_tokenizer_encode_pair(t, "ab", "c", &ids, &types);
    TEST_CHECK("base file: pair template with type ids",
               n == 2 && ids[0] == 2 && ids[1] == 5 && types[0] == 0 && types[1] == 1);
    free(ids);
    free(types);
    hf_tokenizer_free(t);

    /* A literal pattern (PCRE2_LITERAL) splitting each "b" off. */
    char *lit =
        write_variant("literal.json", "{\"Regex\": \" ?\\\\p{L}+|\\\\s+(?!\\\\S)|\\\\s+|.\"}",
                      "{\"String\": \"b\"}");
    t = hf_tokenizer_load(lit);
    n = hf_tokenizer_encode(t, "ab ab!c", 7, 0, &ids);
    static const int want_lit[] = {0, 1, 3, 0, 1, 6, 5};
    TEST_CHECK("a String pattern splits literally",
               n == 7 && memcmp(ids, want_lit, sizeof want_lit) == 0);
    free(ids);
    hf_tokenizer_free(t);
    unlink(lit);
    free(lit);

    char msg[4096];
    int status = child_status(path, "ab\xc3(", 4, msg, sizeof msg);
    TEST_CHECK("invalid UTF-8 to encode: exit 2 naming the byte offset",
               status == 2 && strstr(msg, "invalid UTF-8 at byte offset 2"));
    if (status != 2) printf("    exit status %d, message: %s", status, msg);
    unlink(path);
    free(path);
}

void test_hf_broken(const char *shared_dir) {
    (void)shared_dir;
    snprintf(g_dir, sizeof g_dir, "/tmp/test_hf_broken.XXXXXX");
    if (!mkdtemp(g_dir)) die_runtime("cannot create a temporary directory");
    test_base_works();
    char cut[32];
    snprintf(cut, sizeof cut, "%zu", strlen(BASE) / 2);
    refused("a truncated file", NULL, cut, "invalid JSON", "line 8");
    refused("an empty file", NULL, "0", "invalid JSON", "unexpected end");
    refused("merges that are not an array", "\"merges\": [\"a b\", [\"\\u0120\", \"ab\"]]",
            "\"merges\": 5", "model.merges", "expected an array, got a number");
    refused("a vocabulary id that is a string", "\"b\": 1", "\"b\": \"1\"", "model.vocab.b",
            "expected an integer, got a string");
    refused("an added token id that is not an integer", "\"id\": 7", "\"id\": 7.5",
            "added_tokens[0].id", "expected an integer");
    refused("a flag that is not a boolean", "\"invert\": false", "\"invert\": 0",
            "pre_tokenizer.pretokenizers[0].invert", "expected a boolean");
    refused("a merge naming an unknown token", "\"a b\"", "\"a x\"", "model.merges[0]",
            "the merge's token \"x\" is not in model.vocab");
    refused("a pair merge naming an unknown token", "[\"\\u0120\", \"ab\"]", "[\"\\u0120\", \"q\"]",
            "model.merges[1]", "\"q\" is not in model.vocab");
    refused("a merge whose result is not in the vocabulary", "\"a b\"", "\"b c\"",
            "model.merges[0]", "the merged token \"bc\" is not in model.vocab");
    refused("a merge with two spaces", "\"a b\"", "\"a b c\"", "model.merges[0]",
            "two tokens separated by one space");
    refused("an unknown model type", "\"type\": \"BPE\"", "\"type\": \"Unigram\"", "model.type",
            "unknown model type \"Unigram\"");
    refused("no model", "\"model\"", "\"modell\"", "(top level)", "missing \"model\"");
    refused("an unknown pre-tokenizer type", "\"type\": \"Split\"", "\"type\": \"Whitespace\"",
            "pre_tokenizer.pretokenizers[0].type", "unknown pre-tokenizer type \"Whitespace\"");
    refused("a regex PCRE2 rejects", "\"Regex\": \" ?", "\"Regex\": \"(?i:x",
            "pre_tokenizer.pretokenizers[0].pattern.Regex",
            "PCRE2 rejects the regex at offset 27: missing closing parenthesis");
    refused("an unknown split behavior", "\"Isolated\"", "\"Sideways\"",
            "pre_tokenizer.pretokenizers[0].behavior", "unknown behavior \"Sideways\"");
    refused("an unknown normalizer type", "\"NFC\"", "\"Precompiled\"", "normalizer.type",
            "unknown normalizer type \"Precompiled\"");
    refused("an unknown decoder type", "\"type\": \"ByteLevel\", \"add_prefix_space\": true",
            "\"type\": \"Fuse\"", "decoder.type", "unknown decoder type \"Fuse\"");
    refused("an unknown post-processor type", "\"TemplateProcessing\"", "\"Sorcery\"",
            "post_processor.type", "unknown post-processor type \"Sorcery\"");
    refused("a template token missing from special_tokens", "{\"<s>\": {", "{\"<t>\": {",
            "post_processor.single[0].SpecialToken.id",
            "\"<s>\" is not in post_processor.special_tokens");
    refused("a special token id out of range", "\"ids\": [7]", "\"ids\": [99]",
            "post_processor.special_tokens[\"<s>\"].ids[0]", "out of range");
    refused("two tokens with one id", "\"b\": 1", "\"b\": 0", "model.vocab.b",
            "id 0 is already the token \"a\"");
    refused("an added token clashing with the vocabulary", "\"content\": \"<s>\"",
            "\"content\": \"ab\"", "added_tokens[0]", "\"ab\" is id 2 in the model's vocabulary");
    refused("an added token numbered otherwise than the reference would", "\"id\": 7", "\"id\": 9",
            "added_tokens[0]", "numbered in order from 7: this one is 7");
    refused("an unknown version", "\"1.0\"", "\"2.0\"", "version", "unknown version");
    refused("byte fallback", "\"dropout\": null", "\"byte_fallback\": true", "model.byte_fallback",
            "not supported");
    rmdir(g_dir);
}
