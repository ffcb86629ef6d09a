/* test_wordpiece.c: BERT's pipeline (text/wordpiece.h) piece by piece:
 * BertNormalizer (control characters, whitespace, CJK, accents, lowercase),
 * BertPreTokenizer (whitespace, punctuation), the WordPiece model (long
 * words, unmatchable pieces, characters not bytes), the WordPiece decoder
 * (with and without its clean-up) and the vocab.txt reader (refused files
 * exit 2 naming file:line). The bert-base-uncased cases of
 * fixtures/hf_tokenizer_cases.json are in test_wordpiece_cases.c (they need
 * ../shared; the unit cases here do not). */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "test_wordpiece.h"
#include "testhelp.h"
#include "text/utf8.h"
#include "text/wordpiece.h"

/* bert_normalize(text) with the options equals want (NUL-terminated). */
static int normalizes_to(const char *text, size_t n, int clean, int cjk, int strip, int lower,
                         const char *want) {
    BertNormalizerOptions o = {clean, cjk, strip, lower};
    size_t len;
    char *got = bert_normalize(text, n, &o, &len);
    int ok = len == strlen(want) && memcmp(got, want, len) == 0 && got[len] == '\0';
    if (!ok) printf("    normalized \"%s\" to \"%s\", want \"%s\"\n", text, got, want);
    free(got);
    return ok;
}

#define NORM(text, clean, cjk, strip, lower, want)                                                 \
    normalizes_to((text), sizeof(text) - 1, (clean), (cjk), (strip), (lower), (want))

static void test_normalize(void) {
    /* clean_text: NUL, U+FFFD and Cc/Cf/Co go; \t \n \r and Unicode spaces
     * become ' '; U+000B, U+000C and U+0085 are controls, so they go. */
    TEST_CHECK("clean: NUL, U+FFFD, BEL, DEL dropped", NORM("a\0b\xEF\xBF\xBD"
                                                            "c\x07"
                                                            "d\x7F"
                                                            "e",
                                                            1, 0, 0, 0, "abcde"));
    TEST_CHECK("clean: tab, newline, return to spaces", NORM("a\tb\nc\rd", 1, 0, 0, 0, "a b c d"));
    TEST_CHECK("clean: VT, FF, NEL dropped", NORM("a\x0b"
                                                  "b\x0c"
                                                  "c\xC2\x85"
                                                  "d",
                                                  1, 0, 0, 0, "abcd"));
    TEST_CHECK("clean: format characters dropped (ZWSP, ZWJ, soft hyphen, BOM)",
               NORM("a\xE2\x80\x8B"
                    "b\xE2\x80\x8D"
                    "c\xC2\xAD"
                    "d\xEF\xBB\xBF"
                    "e",
                    1, 0, 0, 0, "abcde"));
    TEST_CHECK("clean: private use dropped", NORM("a\xEE\x80\x81"
                                                  "b",
                                                  1, 0, 0, 0, "ab"));
    TEST_CHECK("clean: NBSP, ideographic space, line separator to spaces",
               NORM("a\xC2\xA0"
                    "b\xE3\x80\x80"
                    "c\xE2\x80\xA8"
                    "d",
                    1, 0, 0, 0, "a b c d"));
    TEST_CHECK("clean: an unassigned code point stays", NORM("a\xCD\xB8"
                                                             "b",
                                                             1, 0, 0, 0,
                                                             "a\xCD\xB8"
                                                             "b"));
    TEST_CHECK("clean: a byte that is no UTF-8 reads as U+FFFD and goes", NORM("a\xFF"
                                                                               "b\xC3",
                                                                               1, 0, 0, 0, "ab"));
    TEST_CHECK("no clean: controls stay", NORM("a\x07\tb", 0, 0, 0, 0, "a\x07\tb"));

    /* handle_chinese_chars: spaces around the library's CJK ranges only. */
    TEST_CHECK("cjk: ideographs spaced out", NORM("ab\xE4\xB8\xAD\xE6\x96\x87"
                                                  "cd",
                                                  1, 1, 0, 0, "ab \xE4\xB8\xAD  \xE6\x96\x87 cd"));
    TEST_CHECK("cjk: kana and hangul are not",
               NORM("\xE3\x81\xB2\xEA\xB0\x80", 1, 1, 0, 0, "\xE3\x81\xB2\xEA\xB0\x80"));
    TEST_CHECK("cjk: extension A and compatibility ideographs",
               NORM("\xE3\x90\x80\xEF\xA4\x80", 1, 1, 0, 0, " \xE3\x90\x80  \xEF\xA4\x80 "));
    TEST_CHECK("cjk: U+20000 spaced, U+2B820 not (the ranges skip it), U+2B920 spaced",
               NORM("\xF0\xA0\x80\x80\xF0\xAB\xA0\xA0\xF0\xAB\xA4\xA0", 1, 1, 0, 0,
                    " \xF0\xA0\x80\x80 \xF0\xAB\xA0\xA0 \xF0\xAB\xA4\xA0 "));
    TEST_CHECK("no cjk: ideographs kept as they are", NORM("a\xE4\xB8\xAD"
                                                           "b",
                                                           1, 0, 0, 0,
                                                           "a\xE4\xB8\xAD"
                                                           "b"));

    /* strip_accents (null follows lowercase) and lowercase. */
    TEST_CHECK("strip, no lowercase", NORM("Cr\xC3\xA8me", 1, 1, 1, 0, "Creme"));
    TEST_CHECK("strip null follows lowercase on", NORM("Cr\xC3\xA8me", 1, 1, -1, 1, "creme"));
    TEST_CHECK("strip null follows lowercase off",
               NORM("Cr\xC3\xA8me", 1, 1, -1, 0, "Cr\xC3\xA8me"));
    TEST_CHECK("lowercase without strip keeps accents",
               NORM("CR\xC3\x88ME", 1, 1, 0, 1, "cr\xC3\xA8me"));
    TEST_CHECK("strip: combining marks after the letter dropped",
               NORM("e\xCC\x81 n\xCC\x83o\xCC\x82\xCC\xA3", 1, 1, 1, 0, "e no"));
    TEST_CHECK("strip: hangul syllable decomposed to jamo",
               NORM("\xED\x95\x9C", 1, 1, 1, 0, "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"));
    TEST_CHECK(
        "strip: spacing marks kept, in canonical order",
        NORM("x\xF0\x9D\x85\xAD\xF0\x9D\x85\xA5", 1, 1, 1, 0, "x\xF0\x9D\x85\xA5\xF0\x9D\x85\xAD"));
    TEST_CHECK("strip: ligature is no canonical decomposition",
               NORM("\xEF\xAC\x81", 1, 1, 1, 0, "\xEF\xAC\x81"));
    TEST_CHECK("dotted capital I: stripped then lowercased", NORM("\xC4\xB0", 1, 1, -1, 1, "i"));
    TEST_CHECK("dotted capital I: lowercase alone gives i + U+0307",
               NORM("\xC4\xB0x", 1, 1, 0, 1, "i\xCC\x87x"));
    TEST_CHECK("sigma lowercased per character (no final form)",
               NORM("\xCE\x9F\xCE\xA3", 1, 1, 0, 1, "\xCE\xBF\xCF\x83"));
    TEST_CHECK("sharp s and capital sharp s",
               NORM("\xC3\x9F\xE1\xBA\x9E", 1, 1, 0, 1, "\xC3\x9F\xC3\x9F"));
    TEST_CHECK("the order: accents stripped before lowercase (U+0130 with NFD)",
               NORM("\xC4\xB0stanbul", 1, 1, 1, 1, "istanbul"));
    TEST_CHECK("nothing asked: text unchanged",
               NORM("A\x07\xE4\xB8\xAD\xC3\xA9", 0, 0, 0, 0, "A\x07\xE4\xB8\xAD\xC3\xA9"));
    TEST_CHECK("empty text", NORM("", 1, 1, 1, 1, ""));
}

/* bert_pre_tokenize(text) gives the words of want, separated by '|'. */
static int splits_to(const char *text, const char *want) {
    TextSpan *w;
    int n = bert_pre_tokenize(text, strlen(text), &w);
    char got[1024];
    size_t len = 0;
    for (int i = 0; i < n && len + w[i].len + 2 < sizeof got; i++) {
        if (i) got[len++] = '|';
        memcpy(got + len, text + w[i].start, w[i].len);
        len += w[i].len;
    }
    got[len] = '\0';
    free(w);
    int ok = strcmp(got, want) == 0;
    if (!ok) printf("    split \"%s\" into \"%s\", want \"%s\"\n", text, got, want);
    return ok;
}

static void test_pre_tokenize(void) {
    TEST_CHECK("whitespace and punctuation",
               splits_to("Hey friend!     How are you?!?", "Hey|friend|!|How|are|you|?|!|?"));
    TEST_CHECK("ASCII symbols are punctuation",
               splits_to("$5+x=<y>^`|~", "$|5|+|x|=|<|y|>|^|`|||~"));
    TEST_CHECK("tabs, newlines, VT, FF", splits_to("a\tb\nc\x0b"
                                                   "d\x0c"
                                                   "e\r\n",
                                                   "a|b|c|d|e"));
    TEST_CHECK("Unicode spaces (NBSP, U+3000, NEL)", splits_to("a\xC2\xA0"
                                                               "b\xE3\x80\x80"
                                                               "c\xC2\x85"
                                                               "d",
                                                               "a|b|c|d"));
    TEST_CHECK("Unicode punctuation (quotes, guillemets, inverted ?)",
               splits_to("\xC2\xAB"
                         "x\xC2\xBB \xE2\x80\x9Cy\xE2\x80\x9D \xC2\xBFz",
                         "\xC2\xAB|x|\xC2\xBB|\xE2\x80\x9C|y|\xE2\x80\x9D|\xC2\xBF|z"));
    TEST_CHECK("symbols that are not punctuation stay in the word", splits_to("a\xE2\x82\xAC"
                                                                              "b\xC2\xB0"
                                                                              "c",
                                                                              "a\xE2\x82\xAC"
                                                                              "b\xC2\xB0"
                                                                              "c"));
    TEST_CHECK("ideographic full stop and fullwidth comma",
               splits_to("\xE4\xB8\xAD\xE3\x80\x82\xEF\xBC\x8C",
                         "\xE4\xB8\xAD|\xE3\x80\x82|\xEF\xBC\x8C"));
    TEST_CHECK("contractions", splits_to("don't", "don|'|t"));
    TEST_CHECK("only spaces", splits_to("   \t ", ""));
    TEST_CHECK("empty", splits_to("", ""));
}

/* A tiny vocabulary for the model's cases. */
static void tiny_vocab(Vocab *v) {
    static const char *const tokens[] = {"[UNK]",  "ba",       "##na",       "un", "##aff",
                                         "##able", "\xC3\xA9", "##\xC3\xA9", "a",  "##a",
                                         "\xC3",   "@@na",     "##b",        "b",  "##\xA8"};
    int n = (int)(sizeof tokens / sizeof tokens[0]);
    vocab_init(v, n);
    for (int i = 0; i < n; i++)
        if (vocab_set(v, i, tokens[i], strlen(tokens[i])) != i) die_runtime("tiny vocab");
}

/* wordpiece_encode_word(word) appends exactly want[0..n_want) after an id
 * already in the buffer (which must stay). */
static int encodes_to(const WordPieceModel *m, const char *word, const int *want, int n_want) {
    IdBuf b = {0};
    id_buf_push(&b, 99);
    wordpiece_encode_word(m, word, strlen(word), &b);
    int ok = b.n == (size_t)n_want + 1 && b.ids[0] == 99;
    for (int i = 0; ok && i < n_want; i++)
        ok = b.ids[i + 1] == want[i];
    if (!ok) {
        printf("    \"%s\":", word);
        for (size_t i = 1; i < b.n; i++)
            printf(" %d", b.ids[i]);
        printf("\n");
    }
    id_buf_free(&b);
    return ok;
}

#define ENC(m, word, ...)                                                                          \
    encodes_to((m), (word), (const int[]){__VA_ARGS__},                                            \
               (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int)))

static jmp_buf g_jump;

/* Whether encoding word ends in die_input (caught by the error jump). */
static int dies_input(const WordPieceModel *m, const char *word) {
    static IdBuf b; /* static: kept across the jump */
    b = (IdBuf){0};
    int got = setjmp(g_jump);
    if (got == 0) {
        util_set_error_jump(&g_jump);
        wordpiece_encode_word(m, word, strlen(word), &b);
    }
    util_set_error_jump(NULL);
    id_buf_free(&b);
    return got == PAINTERS_EXIT_INPUT;
}

static void test_model(void) {
    Vocab v;
    tiny_vocab(&v);
    WordPieceModel m = {&v, 0, "##", 100};
    TEST_CHECK("pieces with continuations", ENC(&m, "banana", 1, 2, 2));
    TEST_CHECK("longest match first", ENC(&m, "unaffable", 3, 4, 5));
    TEST_CHECK("a first piece must not take the prefix", ENC(&m, "nanana", 0));
    TEST_CHECK("an unmatchable piece in the middle makes the word [UNK]", ENC(&m, "baxna", 0));
    TEST_CHECK("an unmatchable last piece makes the word [UNK]", ENC(&m, "banax", 0));
    TEST_CHECK("characters, not bytes", ENC(&m, "\xC3\xA9\xC3\xA9\xC3\xA9", 6, 7, 7));
    TEST_CHECK("pieces never split a character (\\xC3 and ##\\xA8 are tokens)",
               ENC(&m, "\xC3\xA8", 0));
    TEST_CHECK("whole word in the vocabulary", ENC(&m, "a", 8));
    TEST_CHECK("prefix token as a word", ENC(&m, "b", 13));
    TEST_CHECK("continuation after a one-letter piece", ENC(&m, "ab", 8, 12));
    IdBuf b = {0};
    wordpiece_encode_word(&m, "", 0, &b);
    TEST_CHECK("empty word gives nothing", b.n == 0);
    id_buf_free(&b);

    char word[128];
    memset(word, 'a', sizeof word);
    WordPieceModel m5 = {&v, 0, "##", 5};
    word[5] = '\0';
    TEST_CHECK("max_input_chars_per_word characters: encoded", ENC(&m5, word, 8, 9, 9, 9, 9));
    word[5] = 'a', word[6] = '\0';
    TEST_CHECK("one character more: [UNK]", ENC(&m5, word, 0));
    WordPieceModel m2 = {&v, 0, "##", 2};
    TEST_CHECK("the limit counts characters (2 of 4 bytes)", ENC(&m2, "\xC3\xA9\xC3\xA9", 6, 7));
    TEST_CHECK("the limit counts characters (3 of 6 bytes)",
               ENC(&m2, "\xC3\xA9\xC3\xA9\xC3\xA9", 0));
    memset(word, 'a', sizeof word);
    word[100] = '\0';
    int want100[100];
    want100[0] = 8;
    for (int i = 1; i < 100; i++)
        want100[i] = 9;
    TEST_CHECK("100 characters: encoded", encodes_to(&m, word, want100, 100));
    word[100] = 'a', word[101] = '\0';
    TEST_CHECK("101 characters: [UNK]", ENC(&m, word, 0));
    WordPieceModel at = {&v, 0, "@@", 100};
    TEST_CHECK("another prefix", ENC(&at, "bana", 1, 11));
    TEST_CHECK("another prefix: ## pieces are not continuations", ENC(&at, "banana", 1, 11, 11));
    WordPieceModel no_unk = {&v, -1, "##", 100};
    TEST_CHECK("no unknown token: a word with pieces still encodes",
               ENC(&no_unk, "banana", 1, 2, 2));
    TEST_CHECK("no unknown token: an unmatchable word is die_input", dies_input(&no_unk, "xyz"));
    vocab_free(&v);
}

/* wordpiece_decode(tokens) equals want. */
static int decodes_to(const char *const *tokens, int n, int cleanup, const char *want) {
    char *got = wordpiece_decode(tokens, n, "##", cleanup);
    int ok = strcmp(got, want) == 0;
    if (!ok) printf("    decoded \"%s\", want \"%s\"\n", got, want);
    free(got);
    return ok;
}

#define DEC(cleanup, want, ...)                                                                    \
    decodes_to((const char *const[]){__VA_ARGS__},                                                 \
               (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *)), (cleanup),      \
               (want))

static void test_decode(void) {
    TEST_CHECK("continuations glued", DEC(0, "unaffable world", "un", "##aff", "##able", "world"));
    TEST_CHECK("a first token keeps its prefix", DEC(0, "##uelo Ara\xC3\xBAjo Noguera", "##uelo",
                                                     "Ara", "##\xC3\xBAj", "##o", "No", "##guera"));
    TEST_CHECK(
        "no cleanup: spaces before punctuation stay",
        DEC(0, "hello , world ! ok ? yes .", "hello", ",", "world", "!", "ok", "?", "yes", "."));
    TEST_CHECK("cleanup: spaces before . ? ! , go",
               DEC(1, "hello, world! ok? yes.", "hello", ",", "world", "!", "ok", "?", "yes", "."));
    TEST_CHECK("cleanup works token by token: \" ' \" never spans tokens",
               DEC(1, "don ' t", "don", "'", "t"));
    TEST_CHECK("cleanup token by token: 's as one token", DEC(1, "it's", "it", "'s"));
    TEST_CHECK("cleanup token by token: \"do\" \"not\" stay", DEC(1, "do not", "do", "not"));
    TEST_CHECK("cleanup: the decoder's own \" do not\" rule within a token",
               DEC(1, "i don't", "i", "do not"));
    TEST_CHECK("cleanup: a continuation is not spaced, so nothing to clean",
               DEC(1, "a##.", "a", "####."));
    TEST_CHECK("one token", DEC(1, "[CLS]", "[CLS]"));
    char *empty = wordpiece_decode(NULL, 0, "##", 1);
    TEST_CHECK("no tokens: empty string", empty && empty[0] == '\0');
    free(empty);
}

/* Random bytes (valid UTF-8 or not, NUL-free) through every option of the
 * normalizer, the pre-tokenizer, the model and the decoder: the normalized
 * text is always valid UTF-8, the words lie inside it, none is empty or holds
 * whitespace, and nothing reads or writes out of bounds (ASan twin). */
static void test_random_bytes(void) {
    static const char pool[] = "aAb ,.'\t\n\xC3\xA9\xC3\x89\xCC\x81\xE4\xB8\xAD\xC4\xB0\xE2\x80\x8B"
                               "\xEF\xBF\xBD\xF0\x9F\x98\x80\xED\x95\x9C\xFF\x80";
    Vocab v;
    tiny_vocab(&v);
    WordPieceModel m = {&v, 0, "##", 8};
    unsigned seed = 1;
    int utf8_ok = 1, words_ok = 1;
    for (int round = 0; round < 4000; round++) {
        char text[64];
        size_t n = (size_t)(round % 60);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            text[i] = (r & 3) ? pool[r % (sizeof pool - 1)] : (char)(1 + (r >> 2) % 255);
        }
        BertNormalizerOptions o = {round & 1, (round >> 1) & 1, (round >> 2) % 3 - 1,
                                   (round >> 4) & 1};
        size_t len;
        char *norm = bert_normalize(text, n, &o, &len);
        utf8_ok &= strlen(norm) == len && utf8_check(norm, len, NULL);
        TextSpan *w;
        int nw = bert_pre_tokenize(norm, len, &w);
        IdBuf ids = {0};
        for (int i = 0; i < nw; i++) {
            words_ok &= w[i].len > 0 && w[i].start + w[i].len <= len &&
                        !memchr(norm + w[i].start, ' ', w[i].len);
            wordpiece_encode_word(&m, norm + w[i].start, w[i].len, &ids);
        }
        const char *tokens[64];
        int nt = 0;
        for (size_t i = 0; i < ids.n && nt < 64; i++)
            tokens[nt++] = vocab_token(&v, ids.ids[i], NULL);
        free(wordpiece_decode(tokens, nt, "##", round & 1));
        id_buf_free(&ids);
        free(w);
        free(norm);
    }
    TEST_CHECK("random bytes: normalized text is valid UTF-8", utf8_ok);
    TEST_CHECK("random bytes: words are non-empty, inside the text, without spaces", words_ok);
    vocab_free(&v);
}

static char g_tmpdir[4096];

static char *tmp_file(const char *name, const char *bytes, size_t n) {
    char *path = path_join(g_tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, n, f) != n || fclose(f) != 0) die_runtime("cannot write %s", path);
    return path;
}

static void read_vocab(const void *path) {
    Vocab v;
    wordpiece_read_vocab_txt(path, &v);
    vocab_free(&v);
}

/* Runs wordpiece_read_vocab_txt(path) in a child; its exit status (-1 when
 * it did not exit) and its stderr in msg. */
static int read_exit_status(const char *path, char *msg, size_t cap) {
    return test_run_child(read_vocab, path, 0, msg, cap);
}

static void check_refused(const char *what, const char *name, const char *bytes, size_t n,
                          const char *where) {
    char *path = tmp_file(name, bytes, n);
    char msg[4096], place[4096 + 32], label[256];
    snprintf(place, sizeof place, "%s%s", path, where);
    int status = read_exit_status(path, msg, sizeof msg);
    int ok = status == 2 && strstr(msg, place) != NULL;
    if (!ok) printf("    exit status %d, message: %s", status, msg);
    snprintf(label, sizeof label, "vocab.txt: %s refused (exit 2, names %s)", what,
             where[0] ? where + 1 : "the file");
    TEST_CHECK(label, ok);
    unlink(path);
    free(path);
}

static void test_vocab_txt(void) {
    snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/test_wordpiece.XXXXXX");
    if (!mkdtemp(g_tmpdir)) die_runtime("mkdtemp failed");
    Vocab v;
    static const char crlf[] = "[PAD]\r\n[UNK]\r\nhello\r\n##lo\r\nlast";
    char *path = tmp_file("crlf.txt", crlf, sizeof crlf - 1);
    int n = wordpiece_read_vocab_txt(path, &v);
    TEST_CHECK("vocab.txt: \\r\\n lines, last line without newline", n == 5 && v.n_ids == 5);
    TEST_CHECK("vocab.txt: id = line number", vocab_find(&v, "hello", 5) == 2 &&
                                                  vocab_find(&v, "##lo", 4) == 3 &&
                                                  vocab_find(&v, "last", 4) == 4);
    TEST_CHECK("vocab.txt: \\r stripped", vocab_find(&v, "[UNK]\r", 6) < 0);
    vocab_free(&v);
    unlink(path);
    free(path);
    static const char lf[] = "a\n\xC3\xA9\n\n";
    path = tmp_file("lf.txt", lf, sizeof lf - 1);
    n = wordpiece_read_vocab_txt(path, &v);
    TEST_CHECK("vocab.txt: a final newline ends the last line, an empty line is a token",
               n == 3 && vocab_find(&v, "\xC3\xA9", 2) == 1 && vocab_find(&v, "", 0) == 2);
    vocab_free(&v);
    unlink(path);
    free(path);

    check_refused("an empty file", "empty.txt", "", 0, ": empty");
    check_refused("a duplicate token", "dup.txt", "a\nb\nc\nb\n", 8, ":4:");
    check_refused("a duplicate after \\r is stripped", "dup_cr.txt", "a\r\na\n", 5, ":2:");
    check_refused("invalid UTF-8", "bad.txt", "a\nb\xFF\n", 5, ":2:");
    char missing[4096 + 16];
    snprintf(missing, sizeof missing, "%s/none.txt", g_tmpdir);
    char msg[4096];
    TEST_CHECK("vocab.txt: a missing file is exit 2",
               read_exit_status(missing, msg, sizeof msg) == 2 && strstr(msg, missing));
    rmdir(g_tmpdir);
}

int main(void) {
    test_normalize();
    test_pre_tokenize();
    test_model();
    test_decode();
    test_random_bytes();
    test_vocab_txt();
    int status = test_wordpiece_cases();
    if (status == 77 && test_failed == 0) {
        test_report("test_wordpiece (unit cases only)");
        return 77;
    }
    int rc = test_report("test_wordpiece");
    return rc ? rc : status;
}
