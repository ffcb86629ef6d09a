/* test_tokenizer.c: the tokenizer against ids, pieces and decoded text that
 * sentencepiece produced for the demo and Llama-2 tokenizers
 * (fixtures/tokenizer_cases.json), plus byte-fallback decoding, streaming,
 * long texts, model flags and refused model files. Needs ../shared. */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentencepiece_model.pb-c.h"
#include "testhelp.h"
#include "text/tokenizer.h"
#include "base/util.h"

static char g_tmpdir[4096];

static void print_ids(const char *label, const int *ids, int n) {
    printf("    %s (%d):", label, n);
    for (int i = 0; i < n; i++)
        printf(" %d", ids[i]);
    printf("\n");
}

static int ids_equal(const int *a, int na, const int *b, int nb) {
    return na == nb && (na == 0 || memcmp(a, b, (size_t)na * sizeof(int)) == 0);
}

/* Encodes text and checks it gives exactly want[0..n_want). */
static int encodes_to(const Tokenizer *t, const char *text, const int *want, int n_want) {
    int *ids = NULL;
    int n = tokenizer_encode(t, text, 0, &ids);
    int ok = ids_equal(ids, n, want, n_want);
    if (!ok) {
        print_ids("want", want, n_want);
        print_ids("got ", ids, n);
    }
    free(ids);
    return ok;
}

/* Checks one fixture case: ids, pieces and decode(ids); prints what differs. */
static int check_fixture_case(const Tokenizer *t, const cJSON *c) {
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
    const char *decoded = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "decoded"));
    const cJSON *want_ids = cJSON_GetObjectItemCaseSensitive(c, "ids");
    const cJSON *want_pieces = cJSON_GetObjectItemCaseSensitive(c, "pieces");
    if (!text || !decoded || !cJSON_IsArray(want_ids) || !cJSON_IsArray(want_pieces)) {
        printf("    malformed fixture case\n");
        return 0;
    }
    int n_want = cJSON_GetArraySize(want_ids);
    int *want = xmalloc((size_t)(n_want ? n_want : 1) * sizeof(int));
    for (int i = 0; i < n_want; i++)
        want[i] = cJSON_GetArrayItem(want_ids, i)->valueint;

    int *ids = NULL;
    int n = tokenizer_encode(t, text, 0, &ids);
    int ok = 1;
    if (!ids_equal(ids, n, want, n_want)) {
        print_ids("want ids", want, n_want);
        print_ids("got ids ", ids, n);
        ok = 0;
    }
    if (cJSON_GetArraySize(want_pieces) != n_want) ok = 0;
    for (int i = 0; i < n && i < cJSON_GetArraySize(want_pieces); i++) {
        const char *want_piece = cJSON_GetStringValue(cJSON_GetArrayItem(want_pieces, i));
        const char *got_piece = tokenizer_piece(t, ids[i]);
        if (!want_piece || !got_piece || strcmp(want_piece, got_piece) != 0) {
            printf("    piece %d: want '%s' got '%s'\n", i, want_piece ? want_piece : "(null)",
                   got_piece ? got_piece : "(null)");
            ok = 0;
        }
    }
    char *text_back = tokenizer_decode(t, want, n_want);
    if (strcmp(text_back, decoded) != 0) {
        printf("    decode: want '%s' got '%s'\n", decoded, text_back);
        ok = 0;
    }
    free(text_back);
    free(ids);
    free(want);
    return ok;
}

static void test_fixture_cases(const char *label, const Tokenizer *t, const cJSON *cases) {
    if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0) {
        TEST_CHECK("fixture has cases", 0);
        return;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        char name[512];
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
        snprintf(name, sizeof name, "%s: fixture '%s'", label, text ? text : "(no text)");
        TEST_CHECK(name, check_fixture_case(t, c));
    }
}

static int piece_id(const Tokenizer *t, const char *piece) {
    int id = tokenizer_piece_to_id(t, piece);
    if (id < 0) printf("    no piece '%s'\n", piece);
    return id;
}

static int decodes_to(const Tokenizer *t, const int *ids, int n, const char *want) {
    char *got = tokenizer_decode(t, ids, n);
    int ok = strcmp(got, want) == 0;
    if (!ok) printf("    decode: want '%s' got '%s'\n", want, got);
    free(got);
    return ok;
}

static void test_byte_fallback_decode(const Tokenizer *t) {
    int e2 = piece_id(t, "<0xE2>"), x41 = piece_id(t, "<0x41>"), x80 = piece_id(t, "<0x80>");
    int nl = piece_id(t, "<0x0A>"), h = piece_id(t, "\xe2\x96\x81H");
    int emoji[] = {piece_id(t, "<0xF0>"), piece_id(t, "<0x9F>"), piece_id(t, "<0x98>"),
                   piece_id(t, "<0x80>")};
    TEST_CHECK("byte pieces join into one character", decodes_to(t, emoji, 4, "\xf0\x9f\x98\x80"));
    int cut[] = {e2, x41};
    TEST_CHECK("cut-off sequence gives U+FFFD then the next byte", decodes_to(t, cut, 2,
                                                                              "\xef\xbf\xbd"
                                                                              "A"));
    int stray[] = {x80, x80};
    TEST_CHECK("stray continuation bytes give one U+FFFD each",
               decodes_to(t, stray, 2, "\xef\xbf\xbd\xef\xbf\xbd"));
    int byte_then_word[] = {x41, h};
    TEST_CHECK("space kept after leading byte pieces", decodes_to(t, byte_then_word, 2, "A H"));
    int word_then_byte[] = {h, nl, h};
    TEST_CHECK("byte pieces between words", decodes_to(t, word_then_byte, 3, "H\n H"));
}

static void test_special_ids(const Tokenizer *t) {
    int bos = tokenizer_bos(t), eos = tokenizer_eos(t), h = piece_id(t, "\xe2\x96\x81H");
    TEST_CHECK("bos is 1, eos is 2", bos == 1 && eos == 2);
    int with_controls[] = {bos, h, eos};
    TEST_CHECK("control pieces decode to nothing", decodes_to(t, with_controls, 3, "H"));
    int unknown[] = {0, tokenizer_vocab_size(t), -5};
    TEST_CHECK("unk and out-of-range ids decode as U+2047",
               decodes_to(t, unknown, 3, " \xe2\x81\x87  \xe2\x81\x87  \xe2\x81\x87 "));
    int *ids = NULL;
    int n = tokenizer_encode(t, "Hello world", 1, &ids);
    int *plain = NULL;
    int n_plain = tokenizer_encode(t, "Hello world", 0, &plain);
    TEST_CHECK("add_bos puts BOS first",
               n == n_plain + 1 && ids[0] == bos && ids_equal(ids + 1, n - 1, plain, n_plain));
    free(ids);
    free(plain);
    TEST_CHECK("piece lookup", tokenizer_piece(t, bos) &&
                                   strcmp(tokenizer_piece(t, bos), "<s>") == 0 &&
                                   tokenizer_piece(t, -1) == NULL &&
                                   tokenizer_piece(t, tokenizer_vocab_size(t)) == NULL &&
                                   tokenizer_piece_to_id(t, "no such piece") == -1);
}

static int decode_piece_is(const Tokenizer *t, int prev, int id, const char *want) {
    char *got = tokenizer_decode_piece(t, prev, id);
    int ok = strcmp(got, want) == 0;
    if (!ok) printf("    decode_piece(%d, %d): want '%s' got '%s'\n", prev, id, want, got);
    free(got);
    return ok;
}

static void test_decode_piece(const Tokenizer *t) {
    int h = piece_id(t, "\xe2\x96\x81H"), ell = piece_id(t, "ell"), bos = tokenizer_bos(t);
    TEST_CHECK("decode_piece drops the space at the start", decode_piece_is(t, -1, h, "H"));
    TEST_CHECK("decode_piece drops the space after BOS", decode_piece_is(t, bos, h, "H"));
    TEST_CHECK("decode_piece keeps the space later", decode_piece_is(t, ell, h, " H"));
    TEST_CHECK("decode_piece of BOS is empty", decode_piece_is(t, -1, bos, ""));
    TEST_CHECK("decode_piece of a byte piece is the byte",
               decode_piece_is(t, h, piece_id(t, "<0x41>"), "A"));
}

/* Streams ids through decode_piece and checks the result equals decode(). */
static int streams_like_decode(const Tokenizer *t, const int *ids, int n) {
    char *whole = tokenizer_decode(t, ids, n);
    size_t len = strlen(whole), pos = 0;
    int ok = 1, prev = -1;
    for (int i = 0; i < n && ok; i++) {
        char *part = tokenizer_decode_piece(t, prev, ids[i]);
        size_t part_len = strlen(part);
        ok = pos + part_len <= len && memcmp(whole + pos, part, part_len) == 0;
        pos += part_len;
        prev = ids[i];
        free(part);
    }
    ok = ok && pos == len;
    if (!ok) printf("    streamed text differs from decode() near byte %zu\n", pos);
    free(whole);
    return ok;
}

/* Encodes text, decodes it back and checks it is unchanged. */
static int round_trips(const Tokenizer *t, const char *text, int *n_ids, double *seconds) {
    double t0 = now_seconds();
    int *ids = NULL;
    int n = tokenizer_encode(t, text, 1, &ids);
    *seconds = now_seconds() - t0;
    *n_ids = n;
    char *back = tokenizer_decode(t, ids, n);
    int ok = strcmp(back, text) == 0;
    if (!ok) printf("    round trip differs (%zu bytes in, %zu out)\n", strlen(text), strlen(back));
    ok = ok && streams_like_decode(t, ids, n);
    free(back);
    free(ids);
    return ok;
}

static char *repeated(const char *unit, size_t times) {
    size_t n = strlen(unit);
    char *s = xmalloc(n * times + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

static void test_long_texts(const char *label, const Tokenizer *t, const char *shared) {
    char name[256];
    char *path = path_join(shared, "tasks/painters-demo/heldout.txt");
    char *heldout = read_file_text(path, NULL);
    int n_ids;
    double seconds;
    snprintf(name, sizeof name, "%s: heldout.txt round trip", label);
    TEST_CHECK(name, round_trips(t, heldout, &n_ids, &seconds));
    printf("  %s: heldout.txt, %zu bytes -> %d ids in %.3f s\n", label, strlen(heldout), n_ids,
           seconds);

    const char *units[] = {"a", " ", "ab ", "\xf0\x9f\x98\x80", "1"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        char *text = repeated(units[i], 100000);
        snprintf(name, sizeof name, "%s: 100000 x '%s' round trip", label, units[i]);
        TEST_CHECK(name, round_trips(t, text, &n_ids, &seconds));
        printf("  %s: 100000 x '%s' -> %d ids in %.3f s\n", label, units[i], n_ids, seconds);
        free(text);
    }
    free(heldout);
    free(path);
}

static void test_invalid_utf8(const Tokenizer *t) {
    int *ids = NULL;
    int n = tokenizer_encode(t,
                             "a\xff"
                             "b\xe2\x82",
                             0, &ids);
    char *back = tokenizer_decode(t, ids, n);
    TEST_CHECK("invalid UTF-8 bytes encode as U+FFFD",
               strcmp(back, "a\xef\xbf\xbd"
                            "b\xef\xbf\xbd\xef\xbf\xbd") == 0);
    free(back);
    free(ids);
}

static char *temp_path(const char *name) {
    return path_join(g_tmpdir, name);
}

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) die_runtime("cannot write %s", path);
}

static void load_tokenizer(const void *path) {
    tokenizer_free(tokenizer_load(path));
}

/* Runs tokenizer_load(path) in a child; returns its exit status (-1 when it
 * did not exit) and its stderr in msg. */
static int load_exit_status(const char *path, char *msg, size_t msg_cap) {
    return test_run_child(load_tokenizer, path, 0, msg, msg_cap);
}

static void check_refused(const char *what, const char *path, const char *reason) {
    char msg[4096], name[256];
    int status = load_exit_status(path, msg, sizeof msg);
    int ok = status == 2 && strstr(msg, path) && strstr(msg, reason);
    if (!ok) printf("    exit status %d, message: %s", status, msg);
    snprintf(name, sizeof name, "refuses %s with exit 2", what);
    TEST_CHECK(name, ok);
}

/* Writes the model at src_path with edit() applied to it; caller frees. */
static char *write_edited_model(const char *src_path, const char *name,
                                void (*edit)(Sentencepiece__ModelProto *)) {
    size_t len;
    char *bytes = read_file_text(src_path, &len);
    Sentencepiece__ModelProto *m =
        sentencepiece__model_proto__unpack(NULL, len, (const uint8_t *)bytes);
    if (!m) die_runtime("%s does not parse", src_path);
    edit(m);
    size_t packed_len = sentencepiece__model_proto__get_packed_size(m);
    uint8_t *packed = xmalloc(packed_len);
    sentencepiece__model_proto__pack(m, packed);
    char *path = temp_path(name);
    write_bytes(path, packed, packed_len);
    free(packed);
    sentencepiece__model_proto__free_unpacked(m, NULL);
    free(bytes);
    return path;
}

static void make_unigram(Sentencepiece__ModelProto *m) {
    m->trainer_spec->has_model_type = 1;
    m->trainer_spec->model_type = SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__UNIGRAM;
}

static void drop_byte_fallback(Sentencepiece__ModelProto *m) {
    m->trainer_spec->has_byte_fallback = 1;
    m->trainer_spec->byte_fallback = 0;
}

static void remove_extra_whitespaces(Sentencepiece__ModelProto *m) {
    m->normalizer_spec->has_remove_extra_whitespaces = 1;
    m->normalizer_spec->remove_extra_whitespaces = 1;
}

static void no_dummy_prefix(Sentencepiece__ModelProto *m) {
    m->normalizer_spec->has_add_dummy_prefix = 1;
    m->normalizer_spec->add_dummy_prefix = 0;
}

/* Appends a user-defined piece "<tag>" to the vocabulary. The message frees
 * what it holds with free(), so the new piece is malloc'ed. */
static void add_user_defined_tag(Sentencepiece__ModelProto *m) {
    Sentencepiece__ModelProto__SentencePiece *tag = xmalloc(sizeof *tag);
    sentencepiece__model_proto__sentence_piece__init(tag);
    tag->piece = xstrdup("<tag>");
    tag->has_type = 1;
    tag->type = SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__TYPE__USER_DEFINED;
    m->pieces = xrealloc(m->pieces, (m->n_pieces + 1) * sizeof *m->pieces);
    m->pieces[m->n_pieces++] = tag;
}

/* Marks the piece "\u2581wor" unused. */
static void mark_wor_unused(Sentencepiece__ModelProto *m) {
    for (size_t i = 0; i < m->n_pieces; i++)
        if (strcmp(m->pieces[i]->piece, "\xe2\x96\x81wor") == 0) {
            m->pieces[i]->has_type = 1;
            m->pieces[i]->type = SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__TYPE__UNUSED;
        }
}

static void test_user_defined_piece(const char *demo_model) {
    char *path = write_edited_model(demo_model, "user-defined.model", add_user_defined_tag);
    Tokenizer *t = tokenizer_load(path);
    int want[] = {piece_id(t, "\xe2\x96\x81"
                              "a"),
                  piece_id(t, "<tag>"), piece_id(t, "b")};
    TEST_CHECK("user-defined pieces are matched whole and never merged",
               encodes_to(t, "a<tag>b", want, 3));
    tokenizer_free(t);
    unlink(path);
    free(path);
}

static void test_unused_piece(const char *demo_model) {
    char *path = write_edited_model(demo_model, "unused.model", mark_wor_unused);
    Tokenizer *t = tokenizer_load(path);
    int unused = piece_id(t, "\xe2\x96\x81wor");
    int *ids = NULL;
    int n = tokenizer_encode(t, "Hello world", 0, &ids);
    int ok = n > 5 && decodes_to(t, ids, n, "Hello world");
    for (int i = 0; i < n; i++)
        ok = ok && ids[i] != unused;
    if (!ok) print_ids("got", ids, n);
    TEST_CHECK("unused pieces are split back into the pieces that formed them", ok);
    free(ids);
    tokenizer_free(t);
    unlink(path);
    free(path);
}

static void test_refused_models(const char *demo_model) {
    char *missing = temp_path("missing.model");
    check_refused("a missing file", missing, "cannot open");
    char *empty = temp_path("empty.model");
    write_bytes(empty, "", 0);
    check_refused("an empty file", empty, "not a SentencePiece model");
    char *garbage = temp_path("garbage.model");
    unsigned char junk[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)((x = x * 1103515245 + 12345) >> 16);
    write_bytes(garbage, junk, sizeof junk);
    check_refused("a garbage file", garbage, "not a");

    size_t len;
    char *bytes = read_file_text(demo_model, &len);
    char *truncated = temp_path("truncated.model");
    write_bytes(truncated, bytes, len / 2);
    check_refused("a file cut in half", truncated, "SentencePiece model");
    char *cut_short = temp_path("cut-short.model");
    write_bytes(cut_short, bytes, len - 3);
    check_refused("a file missing its last bytes", cut_short, "SentencePiece model");
    free(bytes);

    char *unigram = write_edited_model(demo_model, "unigram.model", make_unigram);
    check_refused("a unigram model", unigram, "unigram");
    char *no_fallback = write_edited_model(demo_model, "no-fallback.model", drop_byte_fallback);
    check_refused("byte pieces without byte_fallback", no_fallback, "byte_fallback");

    char *paths[] = {missing, empty, garbage, truncated, cut_short, unigram, no_fallback};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        unlink(paths[i]);
        free(paths[i]);
    }
}

static void test_normalizer_flags(const char *demo_model) {
    char *path = write_edited_model(demo_model, "squeeze.model", remove_extra_whitespaces);
    Tokenizer *t = tokenizer_load(path);
    int *want = NULL;
    int n_want = tokenizer_encode(t, "a b", 0, &want);
    TEST_CHECK("remove_extra_whitespaces squeezes spaces",
               encodes_to(t, "   a    b  ", want, n_want));
    TEST_CHECK("remove_extra_whitespaces: only spaces give no ids", encodes_to(t, "   ", NULL, 0));
    free(want);
    tokenizer_free(t);
    unlink(path);
    free(path);

    path = write_edited_model(demo_model, "no-prefix.model", no_dummy_prefix);
    t = tokenizer_load(path);
    int *ids = NULL;
    int n = tokenizer_encode(t, "Hello world", 0, &ids);
    const char *first = n > 0 ? tokenizer_piece(t, ids[0]) : "";
    TEST_CHECK("without add_dummy_prefix the first piece has no space",
               n > 0 && strncmp(first, "\xe2\x96\x81", 3) != 0);
    TEST_CHECK("without add_dummy_prefix decode keeps a leading space",
               decodes_to(t, (int[]){piece_id(t, "\xe2\x96\x81H")}, 1, " H"));
    char *back = tokenizer_decode(t, ids, n);
    TEST_CHECK("without add_dummy_prefix round trip", strcmp(back, "Hello world") == 0);
    free(back);
    free(ids);
    tokenizer_free(t);
    unlink(path);
    free(path);
}

static cJSON *read_fixture(const char *shared) {
    char *path = path_join(shared, "fixtures/tokenizer_cases.json");
    char *text = read_file_text(path, NULL);
    cJSON *root = cJSON_Parse(text);
    if (!root) die_runtime("%s: not valid JSON", path);
    free(text);
    free(path);
    return root;
}

static void test_tokenizer_against_fixture(const char *label, const char *model_path,
                                           const cJSON *cases, int vocab_size, const char *shared) {
    Tokenizer *t = tokenizer_load(model_path);
    char name[256];
    snprintf(name, sizeof name, "%s: vocab size %d", label, vocab_size);
    TEST_CHECK(name, tokenizer_vocab_size(t) == vocab_size);
    test_fixture_cases(label, t, cases);
    test_long_texts(label, t, shared);
    tokenizer_free(t);
}

int main(void) {
    const char *shared = test_shared_dir();
    if (!shared) return test_shared_missing("test_tokenizer");
    const char *tmp = getenv("TMPDIR");
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/painters-test-tokenizer-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_tmpdir)) die_runtime("cannot create a temporary directory");

    cJSON *fixture = read_fixture(shared);
    char *demo_model = path_join(shared, "models/painters-demo-16L/tokenizer.model");
    char *llama_model = path_join(shared, "tokenizers/llama2-tokenizer.model");
    test_tokenizer_against_fixture("painters-demo-16L", demo_model,
                                   cJSON_GetObjectItemCaseSensitive(fixture, "painters-demo-16L"),
                                   4096, shared);
    test_tokenizer_against_fixture(
        "llama2", llama_model, cJSON_GetObjectItemCaseSensitive(fixture, "llama2"), 32000, shared);

    Tokenizer *demo = tokenizer_load(demo_model);
    test_byte_fallback_decode(demo);
    test_special_ids(demo);
    test_decode_piece(demo);
    test_invalid_utf8(demo);
    tokenizer_free(demo);
    test_normalizer_flags(demo_model);
    test_user_defined_piece(demo_model);
    test_unused_piece(demo_model);
    test_refused_models(demo_model);

    rmdir(g_tmpdir);
    free(demo_model);
    free(llama_model);
    cJSON_Delete(fixture);
    return test_report("test_tokenizer");
}
