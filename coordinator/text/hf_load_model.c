/* hf_load_model.c: see hf_load.h (tokenizer.json's "model": BPE with its
 * vocabulary and merges, or WordPiece). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/hf_internal.h"
#include "text/hf_json.h"
#include "text/hf_load.h"

int hf_id_limit(int n_entries) {
    return n_entries > (INT_MAX - 4096) / 4 ? INT_MAX - 1 : 4 * n_entries + 4096;
}

/* model.vocab: {token: id} into t->vocab. */
static void read_vocab(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *vp) {
    hf_json_object(src, v, vp);
    int n = cJSON_GetArraySize(v), max_id = -1, limit = hf_id_limit(n);
    for (const cJSON *e = v->child; e; e = e->next) {
        HfPath ep = hf_path_key(vp, e->string ? e->string : "");
        int id = hf_json_int(src, e, &ep, 0, INT_MAX - 1);
        if (id >= limit)
            hf_json_die(src, &ep, "id %d is far past the %d tokens of the vocabulary", id, n);
        if (id > max_id) max_id = id;
    }
    vocab_init(&t->vocab, max_id + 1);
    for (const cJSON *e = v->child; e; e = e->next) {
        HfPath ep = hf_path_key(vp, e->string ? e->string : "");
        const char *tok = e->string ? e->string : "";
        int r = vocab_set(&t->vocab, e->valueint, tok, strlen(tok));
        if (r == -1)
            hf_json_die(src, &ep, "id %d is already the token \"%s\"", e->valueint,
                        vocab_token(&t->vocab, e->valueint, NULL));
        if (r == -2) hf_json_die(src, &ep, "the token appears twice");
    }
}

/* One merge, "a b" or ["a", "b"]: the two tokens' ids. */
static void merge_parts(const HfTokenizer *t, const char *src, const cJSON *m, const HfPath *mp,
                        int ids[2], TextBuf *joined) {
    const char *part[2];
    size_t len[2];
    if (cJSON_IsString(m)) {
        const char *s = m->valuestring, *sp = strchr(s, ' ');
        if (!sp || strchr(sp + 1, ' '))
            hf_json_die(src, mp, "a merge \"%.60s\" is two tokens separated by one space", s);
        part[0] = s, len[0] = (size_t)(sp - s);
        part[1] = sp + 1, len[1] = strlen(sp + 1);
    } else if (cJSON_IsArray(m) && cJSON_GetArraySize(m) == 2) {
        for (int k = 0; k < 2; k++) {
            HfPath kp = hf_path_index(mp, k);
            part[k] = hf_json_string(src, cJSON_GetArrayItem(m, k), &kp);
            len[k] = strlen(part[k]);
        }
    } else {
        hf_json_die(src, mp, "expected a merge: a string \"a b\" or a pair [\"a\", \"b\"]");
    }
    joined->len = 0;
    for (int k = 0; k < 2; k++) {
        ids[k] = vocab_find(&t->vocab, part[k], len[k]);
        if (ids[k] < 0)
            hf_json_die(src, mp, "the merge's token \"%.*s\" is not in model.vocab",
                        (int)(len[k] > 60 ? 60 : len[k]), part[k]);
        text_buf_append(joined, part[k], len[k]);
    }
}

static void read_merges(HfTokenizer *t, const char *src, const cJSON *merges, const HfPath *mp) {
    hf_json_array(src, merges, mp);
    int n = cJSON_GetArraySize(merges), i = 0;
    hf_merge_map_init(&t->merges, (size_t)n);
    TextBuf joined = {0};
    for (const cJSON *m = merges->child; m; m = m->next, i++) {
        HfPath ip = hf_path_index(mp, i);
        int ids[2];
        merge_parts(t, src, m, &ip, ids, &joined);
        int new_id = vocab_find(&t->vocab, joined.data, joined.len);
        if (new_id < 0)
            hf_json_die(src, &ip, "the merged token \"%.60s\" is not in model.vocab", joined.data);
        hf_merge_map_put(&t->merges, ids[0], ids[1], i, new_id);
    }
    free(joined.data);
}

/* A member that must be null, absent or "": anything else is a feature
 * the encoder does not reproduce. */
static void refuse_affix(const char *src, const cJSON *m, const HfPath *mp, const char *key) {
    const char *v = hf_json_opt_string(src, m, mp, key, "");
    if (*v) {
        HfPath kp = hf_path_key(mp, key);
        hf_json_die(src, &kp, "\"%.40s\": not supported (only null or \"\")", v);
    }
}

static void read_bpe(HfTokenizer *t, const char *src, const cJSON *m, const HfPath *mp) {
    t->model = HF_MODEL_BPE;
    HfPath vp = hf_path_key(mp, "vocab"), rp = hf_path_key(mp, "merges");
    read_vocab(t, src, hf_json_need(src, m, mp, "vocab"), &vp);
    read_merges(t, src, hf_json_need(src, m, mp, "merges"), &rp);
    refuse_affix(src, m, mp, "continuing_subword_prefix");
    refuse_affix(src, m, mp, "end_of_word_suffix");
    if (hf_json_opt_bool(src, m, mp, "byte_fallback", 0)) {
        HfPath bp = hf_path_key(mp, "byte_fallback");
        hf_json_die(src, &bp, "byte fallback is not supported");
    }
    const cJSON *dropout = hf_json_get(m, "dropout");
    if (dropout && !(cJSON_IsNumber(dropout) && dropout->valuedouble == 0)) {
        HfPath dp = hf_path_key(mp, "dropout");
        hf_json_die(src, &dp, "BPE dropout is not supported (only null)");
    }
    t->fuse_unk = hf_json_opt_bool(src, m, mp, "fuse_unk", 0);
    t->ignore_merges = hf_json_opt_bool(src, m, mp, "ignore_merges", 0);
    const char *unk = hf_json_opt_string(src, m, mp, "unk_token", NULL);
    t->unk_id = -1;
    if (unk && (t->unk_id = vocab_find(&t->vocab, unk, strlen(unk))) < 0) {
        HfPath up = hf_path_key(mp, "unk_token");
        hf_json_die(src, &up, "\"%.60s\" is not in model.vocab", unk);
    }
    TextBuf ch = {0};
    for (int b = 0; b < 256; b++) {
        ch.len = 0;
        char byte = (char)b;
        hf_byte_level_map(&byte, 1, &ch);
        t->byte_ids[b] = vocab_find(&t->vocab, ch.data, ch.len);
    }
    free(ch.data);
}

void hf_set_wordpiece(HfTokenizer *t, const char *unk, const char *prefix, int max_chars,
                      const char *src, const HfPath *unk_path) {
    t->model = HF_MODEL_WORDPIECE;
    t->wp_prefix = xstrdup(prefix);
    t->wp.vocab = &t->vocab;
    t->wp.continuing_prefix = t->wp_prefix;
    t->wp.max_input_chars_per_word = max_chars;
    t->wp.unk_id = vocab_find(&t->vocab, unk, strlen(unk));
    t->unk_id = t->wp.unk_id;
    if (t->wp.unk_id < 0) {
        if (unk_path) hf_json_die(src, unk_path, "\"%.60s\" is not in model.vocab", unk);
        die_input("%s: the vocabulary has no unknown token %s", src, unk);
    }
}

static void read_wordpiece(HfTokenizer *t, const char *src, const cJSON *m, const HfPath *mp) {
    HfPath vp = hf_path_key(mp, "vocab"), up = hf_path_key(mp, "unk_token");
    HfPath xp = hf_path_key(mp, "max_input_chars_per_word");
    read_vocab(t, src, hf_json_need(src, m, mp, "vocab"), &vp);
    const char *unk = hf_json_opt_string(src, m, mp, "unk_token", "[UNK]");
    const char *prefix = hf_json_opt_string(src, m, mp, "continuing_subword_prefix", "##");
    const cJSON *max = hf_json_get(m, "max_input_chars_per_word");
    int max_chars = max ? hf_json_int(src, max, &xp, 0, INT_MAX) : 100;
    hf_set_wordpiece(t, unk, prefix, max_chars, src, &up);
}

void hf_read_model(HfTokenizer *t, const char *src, const cJSON *m, const HfPath *mp) {
    hf_json_object(src, m, mp);
    const cJSON *type = hf_json_get(m, "type");
    if (!type) { /* BERT's files: WordPiece by its fields, as the reference's untagged read */
        if (hf_json_get(m, "merges"))
            read_bpe(t, src, m, mp);
        else if (cJSON_IsObject(hf_json_get(m, "vocab")))
            read_wordpiece(t, src, m, mp);
        else
            hf_json_die(src, mp,
                        "no \"type\", and neither BPE (vocab, merges) nor WordPiece "
                        "(vocab)");
        return;
    }
    const char *kind = hf_json_type(src, m, mp);
    if (strcmp(kind, "BPE") == 0) {
        read_bpe(t, src, m, mp);
    } else if (strcmp(kind, "WordPiece") == 0) {
        read_wordpiece(t, src, m, mp);
    } else {
        HfPath tp = hf_path_key(mp, "type");
        hf_json_die(src, &tp, "unknown model type \"%.40s\" (supported: BPE, WordPiece)", kind);
    }
}
