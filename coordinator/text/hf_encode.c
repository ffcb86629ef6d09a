/* hf_encode.c: see hf_tokenizer.h (encode and encode_pair: added tokens on
 * the raw text, each stretch between them normalized, its added tokens with
 * normalized = true split out, pre-tokenized and run through the model;
 * then the post-processor's template). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/hf_internal.h"
#include "text/utf8.h"

/* Dies naming the first byte of text[0..n) that is not UTF-8 (NUL is). */
static void check_utf8(const char *what, const char *text, size_t n) {
    const unsigned char *u = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_valid_char_len(u + i, n - i);
        if (!len) die_input("%s: invalid UTF-8 at byte offset %zu (byte 0x%02x)", what, i, u[i]);
        i += len;
    }
}

/* A normalized stretch: its tokens with normalized = true, and the rest. */
static void encode_normalized(const HfTokenizer *t, HfScratch *s, const char *text, size_t n,
                              IdBuf *out) {
    if (!t->norm_trie.n) {
        hf_tokenize_stretch(t, s, text, n, out);
        return;
    }
    HfSegment *segs = NULL;
    size_t n_segs = 0, cap = 0;
    hf_added_split(t, &t->norm_trie, text, n, &segs, &n_segs, &cap);
    for (size_t i = 0; i < n_segs; i++) {
        if (segs[i].added >= 0)
            id_buf_push(out, t->added[segs[i].added].id);
        else
            hf_tokenize_stretch(t, s, text + segs[i].start, segs[i].len, out);
    }
    free(segs);
}

/* The ids of one sequence, no special tokens. */
static void encode_sequence(const HfTokenizer *t, const char *what, const char *text, size_t n,
                            IdBuf *out) {
    check_utf8(what, text, n);
    HfScratch *s = hf_scratch_new(t);
    HfSegment *segs = NULL;
    size_t n_segs = 0, cap = 0;
    hf_added_split(t, &t->raw_trie, text, n, &segs, &n_segs, &cap);
    for (size_t i = 0; i < n_segs; i++) {
        if (segs[i].added >= 0) {
            id_buf_push(out, t->added[segs[i].added].id);
            continue;
        }
        char *owned;
        size_t len;
        const char *norm = hf_normalize_text(t, text + segs[i].start, segs[i].len, &owned, &len);
        encode_normalized(t, s, norm, len, out);
        free(owned);
    }
    free(segs);
    hf_scratch_free(s);
}

/* The post-processor: the template's pieces in order (special tokens only
 * when add_special), or the sequences as they are with type ids 0 then 1. */
static void post_process(const HfTokenizer *t, const IdBuf *a, const IdBuf *b, int add_special,
                         IdBuf *ids, IdBuf *types) {
    const HfTemplatePiece *tpl = b ? t->post.pair : t->post.single;
    int n_tpl = b ? t->post.n_pair : t->post.n_single;
    if (!t->post.has_template) {
        static const HfTemplatePiece plain[2] = {{HF_PIECE_A, 0, NULL, 0},
                                                 {HF_PIECE_B, 1, NULL, 0}};
        tpl = plain;
        n_tpl = b ? 2 : 1;
    }
    for (int i = 0; i < n_tpl; i++) {
        const HfTemplatePiece *p = &tpl[i];
        const int *src = p->ids;
        size_t n = (size_t)p->n_ids;
        if (p->kind == HF_PIECE_SPECIAL) {
            if (!add_special) continue;
        } else {
            const IdBuf *seq = p->kind == HF_PIECE_A ? a : b;
            if (!seq) continue;
            src = seq->ids;
            n = seq->n;
        }
        id_buf_append(ids, src, n);
        if (types)
            for (size_t k = 0; k < n; k++)
                id_buf_push(types, p->type_id);
    }
}

int hf_tokenizer_encode(const HfTokenizer *t, const char *text, size_t n, int add_special,
                        int **ids) {
    IdBuf a = {0}, out = {0};
    encode_sequence(t, "text to encode", text, n, &a);
    post_process(t, &a, NULL, add_special, &out, NULL);
    id_buf_free(&a);
    int count;
    *ids = id_buf_take(&out, &count);
    return count;
}

int hf_tokenizer_encode_pair(const HfTokenizer *t, const char *a, const char *b, int **ids,
                             int **type_ids) {
    IdBuf ea = {0}, eb = {0}, out = {0}, types = {0};
    encode_sequence(t, "first text of the pair", a, strlen(a), &ea);
    encode_sequence(t, "second text of the pair", b, strlen(b), &eb);
    post_process(t, &ea, &eb, 1, &out, &types);
    id_buf_free(&ea);
    id_buf_free(&eb);
    int count, n_types;
    *ids = id_buf_take(&out, &count);
    *type_ids = id_buf_take(&types, &n_types);
    return count;
}
