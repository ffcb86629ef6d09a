/* text_buf.c: see text_buf.h. */
#include "text/text_buf.h"

#include <string.h>

#include "base/util.h"

void text_buf_reserve(TextBuf *b, size_t extra) {
    size_t need = add_size_checked(add_size_checked(b->len, extra, "text"), 1, "text");
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = mul_size_checked(cap, 2, "text");
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void text_buf_append(TextBuf *b, const char *s, size_t n) {
    text_buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

int text_buf_ends_with(const TextBuf *b, const char *s, size_t n) {
    return b->len >= n && memcmp(b->data + b->len - n, s, n) == 0;
}

char *text_buf_take(TextBuf *b) {
    text_buf_reserve(b, 0);
    b->data[b->len] = '\0';
    return b->data;
}
