/* hf_pipeline.c: see hf_internal.h (the normalizers, the pre-tokenizers as
 * a chain of steps over pieces of text, and the model run on each piece). */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/util.h"
#include "text/hf_internal.h"
#include "text/utf8.h"

int hf_is_white_space(int32_t cp) {
    if ((cp >= 9 && cp <= 13) || cp == 0x85) return 1;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

int hf_is_word_char(int32_t cp) {
    if (cp == 0x200C || cp == 0x200D) return 1;
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ND) || c == UTF8PROC_CATEGORY_NL ||
           c == UTF8PROC_CATEGORY_PC;
}

/* ---- normalizers ---- */

/* Characters below a bound are their own normal form and start a new
 * stretch that nothing before them can change: below U+0300 for NFC (what
 * composes with a character before it is a mark or a jamo, all above),
 * U+00C0 for NFD, U+0080 for NFKC and NFKD. As UTF-8 lead bytes: */
static const unsigned char STABLE_BELOW[] = {0xCC, 0xC3, 0x80, 0x80};

static size_t map_unicode(const char *s, size_t n, HfNormKind kind, TextBuf *out) {
    utf8proc_option_t opt = UTF8PROC_STABLE;
    opt |= (kind == HF_NORM_NFC || kind == HF_NORM_NFKC) ? UTF8PROC_COMPOSE : UTF8PROC_DECOMPOSE;
    if (kind == HF_NORM_NFKC || kind == HF_NORM_NFKD) opt |= UTF8PROC_COMPAT;
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t len =
        utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst, opt);
    if (len < 0) die_runtime("Unicode normalization failed: %s", utf8proc_errmsg(len));
    text_buf_append(out, (const char *)dst, (size_t)len);
    free(dst);
    return (size_t)len;
}

/* NFC, NFD, NFKC or NFKD: stable characters copied, each run of others
 * (with the character before it, which may compose with it) through
 * utf8proc. NULL when nothing is to normalize. */
static char *unicode_normalize(const char *s, size_t n, HfNormKind kind, size_t *out_len) {
    unsigned char bound = STABLE_BELOW[kind - HF_NORM_NFC];
    size_t i = 0;
    while (i < n && (unsigned char)s[i] < bound)
        i++;
    if (i == n) return NULL;
    TextBuf out = {0};
    text_buf_reserve(&out, n + n / 4);
    size_t done = 0; /* s before done is in out */
    while (i < n) {
        /* i: the lead byte of an unstable character; its run starts at the
         * character before it. */
        size_t start = i;
        if (start > done) {
            do
                start--;
            while (start > done && ((unsigned char)s[start] & 0xC0) == 0x80);
        }
        size_t end = i;
        while (end < n &&
               ((unsigned char)s[end] >= bound || ((unsigned char)s[end] & 0xC0) == 0x80))
            end++;
        text_buf_append(&out, s + done, start - done);
        map_unicode(s + start, end - start, kind, &out);
        done = i = end;
        while (i < n && (unsigned char)s[i] < bound)
            i++;
    }
    text_buf_append(&out, s + done, n - done);
    *out_len = out.len;
    return text_buf_take(&out);
}

/* Lowercase as the reference does it, character by character with Unicode's
 * full mapping (U+0130 is the one letter whose lowercase is two). */
static char *lowercase(const char *s, size_t n, size_t *out_len) {
    TextBuf b = {0};
    text_buf_reserve(&b, n);
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) die_runtime("lowercase: invalid UTF-8 at byte %zu", i);
        i += (size_t)len;
        utf8proc_uint8_t enc[8];
        if (cp == 0x130) {
            text_buf_append(&b, "i\xcc\x87", 3);
        } else {
            utf8proc_ssize_t k = utf8proc_encode_char(utf8proc_tolower(cp), enc);
            text_buf_append(&b, (const char *)enc, (size_t)k);
        }
    }
    *out_len = b.len;
    return text_buf_take(&b);
}

/* One normalizer on s[0..n): a new string, or NULL when s is unchanged. */
static char *normalize_step(const HfNorm *nm, const char *s, size_t n, size_t *out_len) {
    switch (nm->kind) {
    case HF_NORM_LOWERCASE:
        return lowercase(s, n, out_len);
    case HF_NORM_BERT:
        return bert_normalize(s, n, &nm->bert, out_len);
    default:
        return unicode_normalize(s, n, nm->kind, out_len);
    }
}

const char *hf_normalize_text(const HfTokenizer *t, const char *text, size_t n, char **owned,
                              size_t *out_len) {
    *owned = NULL;
    const char *cur = text;
    size_t len = n;
    for (int i = 0; i < t->n_norms; i++) {
        if (t->norms[i].kind == HF_NORM_LOWERCASE) {
            int ascii_upper = 0;
            for (size_t j = 0; j < len && !ascii_upper; j++)
                ascii_upper = (unsigned char)cur[j] >= 0x80 || (cur[j] >= 'A' && cur[j] <= 'Z');
            if (!ascii_upper) continue;
        }
        size_t next_len = 0;
        char *next = normalize_step(&t->norms[i], cur, len, &next_len);
        if (!next) continue;
        free(*owned);
        *owned = next;
        cur = next;
        len = next_len;
    }
    *out_len = len;
    return cur;
}

char *hf_normalize_copy(const HfTokenizer *t, const char *s, size_t n, size_t *out_len) {
    char *owned;
    const char *r = hf_normalize_text(t, s, n, &owned, out_len);
    if (owned) return owned;
    char *copy = xmalloc(*out_len + 1);
    memcpy(copy, r, *out_len);
    copy[*out_len] = '\0';
    return copy;
}

/* ---- pre-tokenizers ---- */

/* Appends a span, empty or not. */
static void pieces_push_any(HfPieces *p, size_t start, size_t len) {
    if (p->n == p->cap) {
        p->cap = p->cap ? mul_size_checked(p->cap, 2, "pieces") : 64;
        p->spans = xrealloc(p->spans, mul_size_checked(p->cap, sizeof *p->spans, "pieces"));
    }
    p->spans[p->n++] = (TextSpan){start, len};
}

static void pieces_push(HfPieces *p, size_t start, size_t len) {
    if (len) pieces_push_any(p, start, len);
}

static void pieces_reset(HfPieces *p) {
    p->base = NULL;
    p->n = 0;
    p->owner = -1;
}

/* A piece split by a regex: the matches and the text between them. */
typedef struct {
    size_t start, end;
    int is_match;
} HfMatch;

typedef struct {
    HfMatch *m;
    size_t n, cap;
} HfMatches;

static void matches_push(HfMatches *ms, size_t start, size_t end, int is_match) {
    if (ms->n == ms->cap) {
        ms->cap = ms->cap ? mul_size_checked(ms->cap, 2, "regex matches") : 64;
        ms->m = xrealloc(ms->m, mul_size_checked(ms->cap, sizeof *ms->m, "regex matches"));
    }
    ms->m[ms->n++] = (HfMatch){start, end, is_match};
}

static int regex_match(const HfTokenizer *t, const HfPre *p, HfScratch *s, const char *text,
                       size_t len, size_t pos) {
    /* Backtracking bounded by the text left: a regex that would take
     * exponential time fails with a message instead. */
    size_t limit = 100000 + 64 * (len - pos);
    pcre2_set_match_limit(s->mctx, limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit);
    int rc = pcre2_match(p->re, (PCRE2_SPTR)text, len, pos, PCRE2_NO_UTF_CHECK, s->md, s->mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) /* the interpreter keeps its stack on the heap */
        rc = pcre2_match(p->re, (PCRE2_SPTR)text, len, pos, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
                         s->md, s->mctx);
    if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) return rc >= 0;
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    die_input("%s: %s: the regex fails on the text (a piece of %zu bytes, at its byte %zu): %s",
              t->source, p->where, len, pos, (const char *)msg);
}

/* The matches of the step's regex in text[0..len) and the gaps between
 * them, as the reference lists them (no empty match right after a match). */
static void find_matches(const HfTokenizer *t, const HfPre *p, HfScratch *s, const char *text,
                         size_t len, HfMatches *ms) {
    ms->n = 0;
    size_t pos = 0, prev = 0;
    int after_match = 0;
    while (pos <= len && regex_match(t, p, s, text, len, pos)) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        size_t start = ov[0], end = ov[1];
        if (start < prev || end < start || end > len)
            die_input("%s: %s: the regex reports a match outside the text (\\K?)", t->source,
                      p->where);
        if (start == end) {
            if (!(after_match && start == prev)) {
                if (start > prev) matches_push(ms, prev, start, 0);
                matches_push(ms, start, end, 1);
                prev = end;
            }
            after_match = 0;
            if (end >= len) break;
            pos = end + utf8_lead_char_len((unsigned char)text[end], len - end);
            continue;
        }
        if (start > prev) matches_push(ms, prev, start, 0);
        matches_push(ms, start, end, 1);
        prev = pos = end;
        after_match = 1;
    }
    if (prev < len) matches_push(ms, prev, len, 0);
}

/* Split: the piece at off in matches per the behavior, into out. */
static void split_piece(const HfTokenizer *t, const HfPre *p, HfScratch *s, const char *base,
                        TextSpan piece, HfPieces *out, HfMatches *ms) {
    find_matches(t, p, s, base + piece.start, piece.len, ms);
    size_t first = out->n; /* this piece's own outputs start here */
    int prev_match = 0;
    for (size_t k = 0; k < ms->n; k++) {
        size_t idx = p->behavior == HF_SPLIT_MERGED_NEXT ? ms->n - 1 - k : k;
        HfMatch m = ms->m[idx];
        int is_match = p->invert ? !m.is_match : m.is_match;
        size_t start = piece.start + m.start, len = m.end - m.start;
        int merge = 0;
        switch (p->behavior) {
        case HF_SPLIT_ISOLATED:
            break;
        case HF_SPLIT_REMOVED:
            if (is_match) continue;
            break;
        case HF_SPLIT_CONTIGUOUS:
            merge = is_match == prev_match;
            break;
        case HF_SPLIT_MERGED_PREVIOUS:
        case HF_SPLIT_MERGED_NEXT:
            merge = is_match && !prev_match;
            break;
        }
        prev_match = is_match;
        /* Merging joins with the last span of this piece, kept even when empty. */
        if (merge && out->n > first) {
            TextSpan *last = &out->spans[out->n - 1];
            if (p->behavior == HF_SPLIT_MERGED_NEXT) {
                last->len += last->start - start;
                last->start = start;
            } else {
                last->len = start + len - last->start;
            }
            continue;
        }
        pieces_push_any(out, start, len);
    }
    if (p->behavior == HF_SPLIT_MERGED_NEXT) /* built back to front */
        for (size_t i = first, j = out->n; i + 1 < j; i++, j--) {
            TextSpan tmp = out->spans[i];
            out->spans[i] = out->spans[j - 1];
            out->spans[j - 1] = tmp;
        }
    /* The reference drops empty pieces. */
    size_t w = first;
    for (size_t i = first; i < out->n; i++)
        if (out->spans[i].len) out->spans[w++] = out->spans[i];
    out->n = w;
}

/* Rewrites every piece into the scratch text in's base is not in (prefixed
 * by a space where asked and missing; in the byte-level alphabet when map). */
static void rewrite_pieces(HfScratch *s, const HfPieces *in, HfPieces *out, int prefix_space,
                           int map) {
    int k = in->owner == 0 ? 1 : 0;
    TextBuf *text = &s->texts[k];
    text->len = 0;
    text_buf_reserve(text, 0);
    for (size_t i = 0; i < in->n; i++) {
        const char *p = in->base + in->spans[i].start;
        size_t len = in->spans[i].len, start = text->len;
        if (prefix_space && p[0] != ' ') {
            if (map)
                hf_byte_level_map(" ", 1, text);
            else
                text_buf_append(text, " ", 1);
        }
        if (map)
            hf_byte_level_map(p, len, text);
        else
            text_buf_append(text, p, len);
        pieces_push(out, start, text->len - start);
    }
    out->base = text->data;
    out->owner = k;
}

static void bert_pieces(const HfPieces *in, HfPieces *out) {
    for (size_t i = 0; i < in->n; i++) {
        TextSpan *words = NULL;
        int n = bert_pre_tokenize(in->base + in->spans[i].start, in->spans[i].len, &words);
        for (int k = 0; k < n; k++)
            pieces_push(out, in->spans[i].start + words[k].start, words[k].len);
        free(words);
    }
    out->base = in->base;
    out->owner = in->owner;
}

static void regex_pieces(const HfTokenizer *t, const HfPre *p, HfScratch *s, const HfPieces *in,
                         HfPieces *out, HfMatches *ms) {
    for (size_t i = 0; i < in->n; i++)
        split_piece(t, p, s, in->base, in->spans[i], out, ms);
    out->base = in->base;
    out->owner = in->owner;
}

void hf_tokenize_stretch(const HfTokenizer *t, HfScratch *s, const char *text, size_t n,
                         IdBuf *out) {
    HfPieces *in = &s->pieces[0], *next = &s->pieces[1];
    pieces_reset(in);
    in->base = text;
    pieces_push(in, 0, n);
    HfMatches ms = {0};
    int to_map = 0; /* the pieces still have to go through the byte-level alphabet */
    for (int i = 0; i < t->n_pres; i++) {
        const HfPre *p = &t->pres[i];
        /* Sub-steps: the pending byte-level map, a prefix space, the split. */
        for (int sub = 0; sub < 3; sub++) {
            pieces_reset(next);
            if (sub == 0 && to_map) {
                rewrite_pieces(s, in, next, 0, 1);
                to_map = 0;
            } else if (sub == 1 && p->kind == HF_PRE_BYTE_LEVEL && p->add_prefix_space) {
                rewrite_pieces(s, in, next, 1, 0);
            } else if (sub == 2 && p->kind == HF_PRE_BERT) {
                bert_pieces(in, next);
            } else if (sub == 2 && p->re) {
                regex_pieces(t, p, s, in, next, &ms);
            } else {
                continue;
            }
            HfPieces *tmp = in;
            in = next;
            next = tmp;
        }
        if (p->kind == HF_PRE_BYTE_LEVEL) to_map = 1;
    }
    free(ms.m);
    if (t->model == HF_MODEL_WORDPIECE) {
        if (to_map) {
            pieces_reset(next);
            rewrite_pieces(s, in, next, 0, 1);
            in = next;
        }
        for (size_t i = 0; i < in->n; i++)
            wordpiece_encode_word(&t->wp, in->base + in->spans[i].start, in->spans[i].len, out);
        return;
    }
    for (size_t i = 0; i < in->n; i++)
        hf_bpe_encode_word(t, s, in->base + in->spans[i].start, in->spans[i].len, to_map, out);
}
