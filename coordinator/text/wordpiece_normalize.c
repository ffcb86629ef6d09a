/* wordpiece_normalize.c: see wordpiece.h. BertNormalizer in the reference's
 * order: clean text, space out CJK ideographs, strip accents (NFD, then drop
 * the nonspacing marks), lowercase (per character, after the accents). One
 * pass over the text into one growing buffer; no allocation per character. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/util.h"
#include "text/wordpiece.h"
#include "text/wordpiece_internal.h"

/* The output, and the combining marks (canonical combining class > 0, other
 * than the dropped nonspacing ones) waiting for canonical ordering. */
typedef struct {
    char *out;
    size_t len, cap;
    int lowercase;
    int32_t run_small[16];
    int32_t *run; /* run_small, or owned when it outgrew it */
    size_t run_n, run_cap;
} Norm;

static void norm_reserve(Norm *z, size_t extra) {
    if (z->cap - z->len >= extra) return;
    size_t cap = z->cap;
    while (cap - z->len < extra)
        cap = mul_size_checked(cap, 2, "normalized text");
    z->out = xrealloc(z->out, cap);
    z->cap = cap;
}

/* Appends c, lowercased when asked as Rust's char::to_lowercase does: the
 * simple mapping, except U+0130, whose full lowercase (SpecialCasing's one
 * unconditional mapping of more than one character) is "i" U+0307. */
static void norm_emit(Norm *z, int32_t c) {
    norm_reserve(z, 8);
    if (z->lowercase) {
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
        } else if (c == 0x130) {
            z->out[z->len++] = 'i';
            c = 0x307;
        } else {
            c = utf8proc_tolower(c);
        }
    }
    z->len += wp_put_char(z->out + z->len, c);
}

static int32_t combining_class(int32_t c) {
    return utf8proc_get_property(c)->combining_class;
}

/* Emits the waiting marks in canonical order (stable by combining class). */
static void norm_flush(Norm *z) {
    for (size_t i = 1; i < z->run_n; i++) {
        int32_t c = z->run[i];
        int32_t cc = combining_class(c);
        size_t j = i;
        for (; j > 0 && combining_class(z->run[j - 1]) > cc; j--)
            z->run[j] = z->run[j - 1];
        z->run[j] = c;
    }
    for (size_t i = 0; i < z->run_n; i++)
        norm_emit(z, z->run[i]);
    z->run_n = 0;
}

static void norm_hold(Norm *z, int32_t c) {
    if (z->run_n == z->run_cap) {
        size_t cap = mul_size_checked(z->run_cap, 2, "combining marks");
        int32_t *run = xmalloc(mul_size_checked(cap, sizeof *run, "combining marks"));
        memcpy(run, z->run, z->run_n * sizeof *run);
        if (z->run != z->run_small) free(z->run);
        z->run = run;
        z->run_cap = cap;
    }
    z->run[z->run_n++] = c;
}

/* One character past clean-up and CJK spacing: decomposed (NFD) and stripped
 * of nonspacing marks when strip is set, then lowercased and appended. Marks
 * that stay are held so that a run of them comes out in canonical order, as
 * NFD orders them over the whole text. Dropping the nonspacing marks before
 * that stable ordering keeps the others' order as dropping them after. */
static void norm_char(Norm *z, int32_t c, int strip) {
    if (!strip) {
        norm_emit(z, c);
        return;
    }
    if (c < 0x80) {
        if (z->run_n) norm_flush(z);
        norm_emit(z, c);
        return;
    }
    int32_t d[8];
    utf8proc_ssize_t nd = utf8proc_decompose_char(c, d, 8, UTF8PROC_DECOMPOSE, NULL);
    if (nd < 1 || nd > 8)
        die_runtime("bert_normalize: decomposition of U+%04X failed", (unsigned)c);
    for (utf8proc_ssize_t i = 0; i < nd; i++) {
        const utf8proc_property_t *p = utf8proc_get_property(d[i]);
        if (p->category == UTF8PROC_CATEGORY_MN) continue;
        if (p->combining_class == 0) {
            if (z->run_n) norm_flush(z);
            norm_emit(z, d[i]);
        } else {
            norm_hold(z, d[i]);
        }
    }
}

char *bert_normalize(const char *text, size_t n, const BertNormalizerOptions *o, size_t *out_len) {
    int strip = o->strip_accents < 0 ? o->lowercase != 0 : o->strip_accents != 0;
    Norm z = {0};
    z.lowercase = o->lowercase != 0;
    z.cap = add_size_checked(n, n / 4 + 16, "normalized text");
    z.out = xmalloc(z.cap);
    z.run = z.run_small;
    z.run_cap = sizeof z.run_small / sizeof z.run_small[0];
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)text[i];
        if (b < 0x80) { /* ASCII: no decomposition, no marks, no CJK */
            i++;
            if (o->clean_text && (b < 0x20 || b == 0x7F)) {
                if (b != '\t' && b != '\n' && b != '\r') continue;
                b = ' ';
            }
            if (z.run_n) norm_flush(&z);
            if (z.lowercase && b >= 'A' && b <= 'Z') b += 'a' - 'A';
            norm_reserve(&z, 1);
            z.out[z.len++] = (char)b;
            continue;
        }
        size_t len;
        int32_t c = wp_next_char(text + i, n - i, &len);
        i += len;
        if (o->clean_text) {
            if (c == 0 || c == 0xFFFD || wp_is_control(c)) continue;
            if (wp_is_whitespace(c)) c = ' ';
        }
        if (o->handle_chinese_chars && c >= 0x3400 && wp_is_chinese(c)) {
            norm_char(&z, ' ', strip);
            norm_char(&z, c, strip);
            norm_char(&z, ' ', strip);
        } else {
            norm_char(&z, c, strip);
        }
    }
    if (z.run_n) norm_flush(&z);
    if (z.run != z.run_small) free(z.run);
    norm_reserve(&z, 1);
    z.out[z.len] = '\0';
    if (out_len) *out_len = z.len;
    return z.out;
}
