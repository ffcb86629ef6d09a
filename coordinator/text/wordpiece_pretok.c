/* wordpiece_pretok.c: see wordpiece.h. BertPreTokenizer: whitespace ends a
 * word and is dropped; each punctuation character is a word of its own. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/util.h"
#include "text/wordpiece.h"
#include "text/wordpiece_internal.h"

typedef struct {
    TextSpan *w;
    size_t n, cap;
} Spans;

static void spans_push(Spans *s, size_t start, size_t len) {
    if (s->n == s->cap) {
        s->cap = s->cap ? mul_size_checked(s->cap, 2, "words") : 64;
        s->w = xrealloc(s->w, mul_size_checked(s->cap, sizeof *s->w, "words"));
    }
    s->w[s->n].start = start;
    s->w[s->n].len = len;
    s->n++;
}

int bert_pre_tokenize(const char *text, size_t n, TextSpan **words) {
    Spans s = {0};
    size_t start = SIZE_MAX; /* of the word being read, SIZE_MAX when none */
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)text[i];
        size_t len = 1;
        int space, punct;
        if (b < 0x80) {
            space = b == ' ' || (b >= 0x09 && b <= 0x0D);
            punct = !space && wp_ascii_punctuation(b);
        } else {
            int32_t c = wp_next_char(text + i, n - i, &len);
            space = wp_is_whitespace(c);
            punct = !space && wp_is_punctuation(c);
        }
        if (space || punct) {
            if (start != SIZE_MAX) spans_push(&s, start, i - start);
            start = SIZE_MAX;
            if (!space) spans_push(&s, i, len);
        } else if (start == SIZE_MAX) {
            start = i;
        }
        i += len;
    }
    if (start != SIZE_MAX) spans_push(&s, start, n - start);
    if (s.n > INT_MAX) die_input("bert_pre_tokenize: more than %d words", INT_MAX);
    *words = s.w ? s.w : xmalloc(sizeof *s.w);
    return (int)s.n;
}
