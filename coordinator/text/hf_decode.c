/* hf_decode.c: see hf_tokenizer.h (decode: the tokens of the ids through
 * the decoder, byte-level runs made text as Rust's from_utf8_lossy does,
 * then transformers' clean_up_tokenization when asked). */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/util.h"
#include "text/hf_internal.h"
#include "text/utf8.h"

/* Bytes of the invalid sequence at s (n > 0 left) that one U+FFFD stands
 * for: the longest start of a well-formed character, at least one byte. */
static size_t invalid_run(const unsigned char *s, size_t n) {
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 1;
    }
    size_t i = 1;
    if (i < n && s[i] >= lo && s[i] <= hi) {
        i++;
        while (i <= need && i < n && (s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

/* Appends bytes[0..n) as UTF-8 text, each invalid sequence as U+FFFD. */
static void append_lossy(TextBuf *out, const unsigned char *bytes, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t len = utf8_valid_char_len(bytes + i, n - i);
        if (len) {
            text_buf_append(out, (const char *)bytes + i, len);
            i += len;
        } else {
            text_buf_append(out, "\xef\xbf\xbd", 3);
            i += invalid_run(bytes + i, n - i);
        }
    }
}

/* Appends a model token's bytes: each character's byte in GPT-2's
 * alphabet, or the token as it is when one of its characters has none. */
static void append_token_bytes(TextBuf *bytes, const char *tok, size_t len) {
    size_t start = bytes->len;
    text_buf_reserve(bytes, len);
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)tok + i, (utf8proc_ssize_t)(len - i), &cp);
        int b = k > 0 ? hf_char_byte((uint32_t)cp) : -1;
        if (b < 0) {
            bytes->len = start;
            text_buf_append(bytes, tok, len);
            return;
        }
        bytes->data[bytes->len++] = (char)b;
        i += (size_t)k;
    }
    bytes->data[bytes->len] = '\0';
}

static char *decode_byte_level(const HfTokenizer *t, const int *ids, int n) {
    TextBuf out = {0}, run = {0};
    text_buf_reserve(&out, 0);
    for (int i = 0; i < n; i++) {
        int id = ids[i];
        if (id < 0 || id >= t->n_ids) continue;
        if (t->added_index[id] >= 0) { /* added tokens as they are */
            append_lossy(&out, (const unsigned char *)run.data, run.len);
            run.len = 0;
            const HfAdded *a = &t->added[t->added_index[id]];
            text_buf_append(&out, a->content, a->len);
            continue;
        }
        size_t len;
        const char *tok = vocab_token(&t->vocab, id, &len);
        if (tok) append_token_bytes(&run, tok, len);
    }
    append_lossy(&out, (const unsigned char *)run.data, run.len);
    free(run.data);
    return text_buf_take(&out);
}

/* transformers' clean_up_tokenization: each replacement over the whole text
 * in turn, left to right, as Python's str.replace. */
static char *clean_up(char *text) {
    static const char *const from[] = {" .",   " ?",  " !",  " ,",   " ' ",
                                       " n't", " 'm", " 's", " 've", " 're"};
    static const char *const to[] = {".", "?", "!", ",", "'", "n't", "'m", "'s", "'ve", "'re"};
    for (size_t r = 0; r < sizeof from / sizeof *from; r++) {
        if (!strstr(text, from[r])) continue;
        size_t flen = strlen(from[r]), tlen = strlen(to[r]);
        TextBuf b = {0};
        text_buf_reserve(&b, strlen(text));
        const char *p = text, *hit;
        while ((hit = strstr(p, from[r]))) {
            text_buf_append(&b, p, (size_t)(hit - p));
            text_buf_append(&b, to[r], tlen);
            p = hit + flen;
        }
        text_buf_append(&b, p, strlen(p));
        free(text);
        text = text_buf_take(&b);
    }
    return text;
}

/* The token strings of the ids (added tokens' contents first), ids out of
 * range or without a token left out. Caller frees the array, not the strings. */
static const char **id_tokens(const HfTokenizer *t, const int *ids, int n, int *count) {
    const char **toks = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *toks);
    int k = 0;
    for (int i = 0; i < n; i++) {
        const char *tok = hf_tokenizer_token(t, ids[i]);
        if (tok) toks[k++] = tok;
    }
    *count = k;
    return toks;
}

char *hf_tokenizer_decode(const HfTokenizer *t, const int *ids, int n, int clean) {
    char *text;
    if (t->decoder == HF_DEC_BYTE_LEVEL) {
        text = decode_byte_level(t, ids, n);
    } else {
        int k;
        const char **toks = id_tokens(t, ids, n, &k);
        if (t->decoder == HF_DEC_WORDPIECE) {
            text = wordpiece_decode(toks, k, t->dec_prefix, t->dec_cleanup);
        } else { /* no decoder: the tokens joined by spaces */
            TextBuf b = {0};
            text_buf_reserve(&b, 0);
            for (int i = 0; i < k; i++) {
                if (i) text_buf_append(&b, " ", 1);
                text_buf_append(&b, toks[i], strlen(toks[i]));
            }
            text = text_buf_take(&b);
        }
        free(toks);
    }
    return clean ? clean_up(text) : text;
}
