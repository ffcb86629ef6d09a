/* hf_load.c: see hf_tokenizer.h (loading tokenizer.json and vocab.txt: the
 * top level, the added tokens and their tries; the accessors; freeing). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_check.h"
#include "base/util.h"
#include "text/hf_load.h"

static HfTokenizer *tokenizer_new(const char *source) {
    HfTokenizer *t = xcalloc(1, sizeof *t);
    t->source = xstrdup(source);
    t->unk_id = -1;
    for (int b = 0; b < 256; b++)
        t->byte_ids[b] = -1;
    pthread_mutex_init(&t->cache_lock, NULL);
    return t;
}

/* Sizes the id space (model and added tokens) and the added-token tables. */
static void size_ids(HfTokenizer *t, int n_ids) {
    t->n_ids = n_ids;
    vocab_init(&t->added_vocab, n_ids);
    t->added_index = xmalloc((size_t)(n_ids ? n_ids : 1) * sizeof(int));
    for (int i = 0; i < n_ids; i++)
        t->added_index[i] = -1;
}

/* Registers t->added[i] under its id, dying (at path p) when its id or its
 * content clashes with another token's, or when the reference library would
 * give it another id: it numbers the added tokens that are not in the
 * model's vocabulary in the file's order from the vocabulary's size on
 * (*next_id), whatever ids the file writes. */
static void register_added(HfTokenizer *t, int i, const HfPath *p, int *next_id) {
    const HfAdded *a = &t->added[i];
    int r = vocab_set(&t->added_vocab, a->id, a->content, a->len);
    if (r == -1)
        hf_json_die(t->source, p, "id %d is already the added token \"%.60s\"", a->id,
                    vocab_token(&t->added_vocab, a->id, NULL));
    if (r == -2) hf_json_die(t->source, p, "\"%.60s\" is added twice", a->content);
    int model_id = vocab_find(&t->vocab, a->content, a->len);
    if (model_id >= 0 && model_id != a->id)
        hf_json_die(t->source, p, "\"%.60s\" is id %d in the model's vocabulary, not %d",
                    a->content, model_id, a->id);
    size_t len;
    const char *tok = vocab_token(&t->vocab, a->id, &len);
    if (tok && (len != a->len || memcmp(tok, a->content, len) != 0))
        hf_json_die(t->source, p, "id %d is \"%.60s\" in the model's vocabulary", a->id, tok);
    if (model_id < 0 && a->id != (*next_id)++)
        hf_json_die(t->source, p,
                    "id %d, but the tokens added past the %d of the vocabulary are numbered in "
                    "order from %d: this one is %d",
                    a->id, t->vocab.n_set, t->vocab.n_set, *next_id - 1);
    t->added_index[a->id] = i;
}

static void read_added(HfTokenizer *t, const char *src, const cJSON *arr, const HfPath *ap) {
    int n = 0, max_id = t->vocab.n_ids - 1;
    if (arr) n = cJSON_GetArraySize(hf_json_array(src, arr, ap));
    int limit = hf_id_limit(t->vocab.n_ids + n);
    t->added = xcalloc((size_t)(n ? n : 1), sizeof *t->added);
    int *file_index = xmalloc((size_t)(n ? n : 1) * sizeof(int)); /* of each kept token */
    int i = 0;
    for (const cJSON *e = arr ? arr->child : NULL; e; e = e->next, i++) {
        HfPath ep = hf_path_index(ap, i), ip = hf_path_key(&ep, "id"),
               cp = hf_path_key(&ep, "content");
        hf_json_object(src, e, &ep);
        const char *content = hf_json_string(src, hf_json_need(src, e, &ep, "content"), &cp);
        int id = hf_json_int(src, hf_json_need(src, e, &ep, "id"), &ip, 0, INT_MAX - 1);
        if (id >= limit) hf_json_die(src, &ip, "id %d is far past the tokens of the file", id);
        HfAdded a = {0};
        a.special = hf_json_opt_bool(src, e, &ep, "special", 0);
        a.lstrip = hf_json_opt_bool(src, e, &ep, "lstrip", 0);
        a.rstrip = hf_json_opt_bool(src, e, &ep, "rstrip", 0);
        a.single_word = hf_json_opt_bool(src, e, &ep, "single_word", 0);
        a.normalized = hf_json_opt_bool(src, e, &ep, "normalized", !a.special);
        if (!*content) continue; /* the reference skips empty tokens */
        a.content = xstrdup(content);
        a.len = strlen(content);
        a.id = id;
        file_index[t->n_added] = i;
        t->added[t->n_added++] = a;
        if (id > max_id) max_id = id;
    }
    size_ids(t, max_id + 1);
    int next_id = t->vocab.n_set;
    for (int k = 0; k < t->n_added; k++) {
        HfPath ep = hf_path_index(ap, file_index[k]);
        register_added(t, k, &ep, &next_id);
    }
    free(file_index);
}

/* The tries: tokens with normalized = false by their content; the others by
 * their normalized content (once the normalizers are read). */
static void build_tries(HfTokenizer *t) {
    for (int i = 0; i < t->n_added; i++) {
        const HfAdded *a = &t->added[i];
        if (!a->normalized) {
            hf_trie_add(&t->raw_trie, a->content, a->len, i);
            continue;
        }
        size_t len;
        char *norm = hf_normalize_copy(t, a->content, a->len, &len);
        hf_trie_add(&t->norm_trie, norm, len, i);
        free(norm);
    }
}

HfTokenizer *hf_tokenizer_load_bytes(const char *source, const char *json, size_t n) {
    const char *nul = memchr(json, '\0', n);
    if (nul) die_input("%s: invalid JSON: a NUL byte at offset %zu", source, (size_t)(nul - json));
    char *text = xmalloc(n + 1);
    memcpy(text, json, n);
    text[n] = '\0';
    cJSON *root = json_parse_checked(source, text);
    free(text);
    HfPath rp = HF_PATH_ROOT;
    hf_json_object(source, root, &rp);
    const char *version = hf_json_opt_string(source, root, &rp, "version", "1.0");
    if (strcmp(version, "1.0") != 0) {
        HfPath vp = hf_path_key(&rp, "version");
        hf_json_die(source, &vp, "unknown version \"%.20s\" (only \"1.0\")", version);
    }
    HfTokenizer *t = tokenizer_new(source);
    HfPath mp = hf_path_key(&rp, "model"), ap = hf_path_key(&rp, "added_tokens"),
           np = hf_path_key(&rp, "normalizer"), pp = hf_path_key(&rp, "pre_tokenizer"),
           qp = hf_path_key(&rp, "post_processor"), dp = hf_path_key(&rp, "decoder");
    hf_read_model(t, source, hf_json_need(source, root, &rp, "model"), &mp);
    if (t->model == HF_MODEL_BPE) hf_word_cache_init(&t->cache);
    read_added(t, source, hf_json_get(root, "added_tokens"), &ap);
    hf_read_normalizer(t, source, hf_json_get(root, "normalizer"), &np);
    build_tries(t);
    hf_read_pre_tokenizer(t, source, hf_json_get(root, "pre_tokenizer"), &pp);
    hf_read_post_processor(t, source, hf_json_get(root, "post_processor"), &qp);
    hf_read_decoder(t, source, hf_json_get(root, "decoder"), &dp);
    /* "truncation" and "padding" are left to the caller, as transformers does. */
    cJSON_Delete(root);
    return t;
}

HfTokenizer *hf_tokenizer_load(const char *path) {
    size_t len;
    char *text = read_file_text(path, &len);
    HfTokenizer *t = hf_tokenizer_load_bytes(path, text, len);
    free(text);
    return t;
}

/* BertTokenizer's special tokens, in the order transformers adds them. */
static const char *const BERT_SPECIALS[] = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"};

HfTokenizer *hf_tokenizer_load_vocab_txt(const char *path, int do_lower_case) {
    HfTokenizer *t = tokenizer_new(path);
    wordpiece_read_vocab_txt(path, &t->vocab);
    hf_set_wordpiece(t, "[UNK]", "##", 100, path, NULL);
    size_ids(t, t->vocab.n_ids);
    t->added = xcalloc(5, sizeof *t->added);
    for (int k = 0; k < 5; k++) {
        int id = vocab_find(&t->vocab, BERT_SPECIALS[k], strlen(BERT_SPECIALS[k]));
        if (id < 0) {
            if (k == 2 || k == 4) continue; /* [PAD] and [MASK] only where present */
            die_input("%s: no %s token", path, BERT_SPECIALS[k]);
        }
        HfAdded *a = &t->added[t->n_added];
        a->content = xstrdup(BERT_SPECIALS[k]);
        a->len = strlen(a->content);
        a->id = id;
        a->special = 1;
        t->added_index[id] = t->n_added;
        vocab_set(&t->added_vocab, id, a->content, a->len);
        hf_trie_add(&t->raw_trie, a->content, a->len, t->n_added++);
    }
    HfNorm *n = hf_add_norm(t, HF_NORM_BERT);
    n->bert.clean_text = 1;
    n->bert.handle_chinese_chars = 1;
    n->bert.strip_accents = -1; /* follows lowercase */
    n->bert.lowercase = do_lower_case != 0;
    hf_add_pre(t, HF_PRE_BERT)->where = xstrdup("(BertPreTokenizer)");
    hf_set_bert_template(t, vocab_find(&t->vocab, "[CLS]", 5), vocab_find(&t->vocab, "[SEP]", 5));
    t->decoder = HF_DEC_WORDPIECE;
    t->dec_prefix = xstrdup("##");
    t->dec_cleanup = 1;
    return t;
}

void hf_tokenizer_free(HfTokenizer *t) {
    if (!t) return;
    free(t->source);
    vocab_free(&t->vocab);
    hf_merge_map_free(&t->merges);
    hf_word_cache_free(&t->cache);
    pthread_mutex_destroy(&t->cache_lock);
    free(t->wp_prefix);
    for (int i = 0; i < t->n_added; i++)
        free(t->added[i].content);
    free(t->added);
    vocab_free(&t->added_vocab);
    free(t->added_index);
    hf_trie_free(&t->raw_trie);
    hf_trie_free(&t->norm_trie);
    free(t->norms);
    for (int i = 0; i < t->n_pres; i++) {
        pcre2_code_free(t->pres[i].re);
        free(t->pres[i].where);
    }
    free(t->pres);
    hf_free_post(&t->post);
    free(t->dec_prefix);
    free(t);
}

int hf_tokenizer_vocab_size(const HfTokenizer *t) {
    return t->n_ids;
}

const char *hf_tokenizer_token(const HfTokenizer *t, int id) {
    if (id < 0 || id >= t->n_ids) return NULL;
    if (t->added_index[id] >= 0) return t->added[t->added_index[id]].content;
    return vocab_token(&t->vocab, id, NULL);
}

int hf_tokenizer_token_to_id(const HfTokenizer *t, const char *token) {
    size_t len = strlen(token);
    int id = vocab_find(&t->added_vocab, token, len);
    return id >= 0 ? id : vocab_find(&t->vocab, token, len);
}

int hf_tokenizer_is_special(const HfTokenizer *t, int id) {
    return id >= 0 && id < t->n_ids && t->added_index[id] >= 0 &&
           t->added[t->added_index[id]].special;
}

int hf_tokenizer_first_special(const HfTokenizer *t) {
    if (!t->post.has_template || t->post.n_single == 0) return -1;
    const HfTemplatePiece *p = &t->post.single[0];
    return p->kind == HF_PIECE_SPECIAL && p->n_ids > 0 ? p->ids[0] : -1;
}
