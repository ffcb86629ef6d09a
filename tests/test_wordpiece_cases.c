/* test_wordpiece_cases.c: the bert-base-uncased cases of
 * fixtures/hf_tokenizer_cases.json (those without an added token written in
 * the text, and not pairs: added tokens and post-processing are
 * hf_tokenizer's) through BERT's pipeline as tokenizer.json configures it:
 * bert_normalize (clean_text, handle_chinese_chars, strip_accents null,
 * lowercase) -> bert_pre_tokenize -> wordpiece_encode_word on each word,
 * against "ids"; then wordpiece_decode (cleanup, as the decoder is set) and
 * transformers' clean_up_tokenization (meta.conventions: BertTokenizer's
 * default clean_up_tokenization_spaces is true) against "decoded". Also the
 * vocab.txt reader against tokenizer.json's model.vocab, and the pipeline's
 * speed (printed, not checked). */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "test_wordpiece.h"
#include "testhelp.h"
#include "text/wordpiece.h"

static const BertNormalizerOptions k_bert_uncased = {1, 1, -1, 1};

/* The ids of text through normalizer, pre-tokenizer and model. */
static void encode_text(const WordPieceModel *m, const char *text, size_t n, IdBuf *out) {
    size_t len;
    char *norm = bert_normalize(text, n, &k_bert_uncased, &len);
    TextSpan *w;
    int nw = bert_pre_tokenize(norm, len, &w);
    for (int i = 0; i < nw; i++)
        wordpiece_encode_word(m, norm + w[i].start, w[i].len, out);
    free(w);
    free(norm);
}

/* transformers' clean_up_tokenization, on the whole decoded text (the
 * WordPiece decoder's own clean-up works token by token and also has
 * " do not" -> " don't"; this one has not), in place. */
static void transformers_cleanup(char *s) {
    static const char *const pairs[][2] = {
        {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
        {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        size_t fl = strlen(pairs[k][0]), tl = strlen(pairs[k][1]), w = 0, n = strlen(s);
        for (size_t r = 0; r < n;) {
            if (n - r >= fl && memcmp(s + r, pairs[k][0], fl) == 0) {
                memcpy(s + w, pairs[k][1], tl);
                w += tl, r += fl;
            } else {
                s[w++] = s[r++];
            }
        }
        s[w] = '\0';
    }
}

static int has_added_token(const char *text) {
    static const char *const added[] = {"[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"};
    for (size_t i = 0; i < sizeof added / sizeof added[0]; i++)
        if (strstr(text, added[i])) return 1;
    return 0;
}

static void print_ids(const char *label, const int *ids, size_t n) {
    printf("    %s (%zu):", label, n);
    for (size_t i = 0; i < n; i++)
        printf(" %d", ids[i]);
    printf("\n");
}

/* One case: ids, then decoded text. Returns whether both match. */
static int check_case(const WordPieceModel *m, const cJSON *c) {
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
    const char *decoded = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "decoded"));
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "ids");
    if (!text || !decoded || !cJSON_IsArray(want)) {
        printf("    malformed fixture case\n");
        return 0;
    }
    IdBuf got = {0};
    encode_text(m, text, strlen(text), &got);
    size_t n_want = (size_t)cJSON_GetArraySize(want);
    int *want_ids = xmalloc((n_want + 1) * sizeof *want_ids);
    for (size_t i = 0; i < n_want; i++)
        want_ids[i] = cJSON_GetArrayItem(want, (int)i)->valueint;
    int ids_ok =
        got.n == n_want && (n_want == 0 || !memcmp(got.ids, want_ids, n_want * sizeof(int)));

    const char **tokens = xmalloc((got.n + 1) * sizeof *tokens);
    for (size_t i = 0; i < got.n; i++)
        tokens[i] = vocab_token(m->vocab, got.ids[i], NULL);
    char *text_out = wordpiece_decode(tokens, (int)got.n, "##", 1);
    transformers_cleanup(text_out);
    int dec_ok = strcmp(text_out, decoded) == 0;
    if (!ids_ok || !dec_ok) {
        printf("    case \"%s\":\n", text);
        if (!ids_ok) print_ids("want", want_ids, n_want), print_ids("got ", got.ids, got.n);
        if (!dec_ok) printf("    decoded \"%s\", want \"%s\"\n", text_out, decoded);
    }
    free(text_out);
    free(tokens);
    free(want_ids);
    id_buf_free(&got);
    return ids_ok && dec_ok;
}

/* vocab.txt and tokenizer.json's model.vocab agree on every id. */
static void check_vocab_agrees(const Vocab *v, const char *json_path) {
    char *text = read_file_text(json_path, NULL);
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *vocab =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "model"), "vocab");
    int same = cJSON_IsObject(vocab) && cJSON_GetArraySize(vocab) == v->n_ids;
    for (const cJSON *e = vocab ? vocab->child : NULL; same && e; e = e->next)
        same = cJSON_IsNumber(e) && vocab_find(v, e->string, strlen(e->string)) == e->valueint;
    TEST_CHECK("vocab.txt and tokenizer.json's model.vocab agree on every id", same);
    cJSON_Delete(root);
}

/* The pipeline's speed on the cases' texts, repeated to about 4 MB. */
static void print_speed(const WordPieceModel *m, const cJSON *cases) {
    size_t total = 0, cap = 4u << 20;
    char *text = xmalloc(cap + 4096);
    while (total < cap) {
        const cJSON *c;
        cJSON_ArrayForEach(c, cases) {
            const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
            size_t len = t ? strlen(t) : 0;
            if (total + len + 1 > cap + 4096) break;
            memcpy(text + total, t, len);
            total += len;
            text[total++] = '\n';
        }
    }
    IdBuf ids = {0};
    double t0 = now_seconds();
    encode_text(m, text, total, &ids);
    double dt = now_seconds() - t0;
    printf("    speed: %.1f MB of the cases' texts, %zu tokens in %.3f s: %.1f MB/s, %.0f "
           "tokens/s\n",
           total / 1e6, ids.n, dt, total / 1e6 / (dt > 0 ? dt : 1e-9),
           ids.n / (dt > 0 ? dt : 1e-9));
    TEST_CHECK("speed run gives tokens", ids.n > total / 16);
    id_buf_free(&ids);
    free(text);
}

int test_wordpiece_cases(void) {
    const char *shared = test_shared_dir();
    if (!shared) return test_shared_missing("test_wordpiece: the bert-base-uncased cases");
    char *vocab_path = path_join(shared, "tokenizers/bert-base-uncased/vocab.txt");
    char *json_path = path_join(shared, "tokenizers/bert-base-uncased/tokenizer.json");
    char *fixture_path = path_join(shared, "fixtures/hf_tokenizer_cases.json");
    Vocab v;
    int n_ids = wordpiece_read_vocab_txt(vocab_path, &v);
    TEST_CHECK("bert-base-uncased vocab.txt: 30522 ids", n_ids == 30522);
    check_vocab_agrees(&v, json_path);
    WordPieceModel m = {&v, vocab_find(&v, "[UNK]", 5), "##", 100};
    TEST_CHECK("[UNK] is id 100", m.unk_id == 100);

    char *text = read_file_text(fixture_path, NULL);
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "bert-base-uncased");
    TEST_CHECK("fixture has bert-base-uncased cases", cJSON_IsArray(cases));
    int total = 0, run = 0, matched = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        total++;
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
        if (!cJSON_GetObjectItemCaseSensitive(c, "ids") || !t || has_added_token(t)) continue;
        run++;
        int ok = check_case(&m, c);
        matched += ok;
        TEST_CHECK("bert-base-uncased case: ids and decoded", ok);
    }
    printf("    bert-base-uncased: %d of %d cases matched (ids and decoded); %d of the %d cases "
           "left to hf_tokenizer (pairs, added tokens in the text)\n",
           matched, run, total - run, total);
    TEST_CHECK("the cases without added tokens: 89", run == 89);
    if (cJSON_IsArray(cases)) print_speed(&m, cases);
    cJSON_Delete(root);
    vocab_free(&v);
    free(vocab_path);
    free(json_path);
    free(fixture_path);
    return 0;
}
