/* text_buf.h: a growable NUL-terminated byte string that the tokenizer builds
 * normalized and decoded text in. */
#ifndef PAINTERS_TEXT_BUF_H
#define PAINTERS_TEXT_BUF_H

#include <stddef.h>

/* Starts as {0}; data is NUL-terminated once anything was reserved. */
typedef struct {
    char *data; /* [cap] owned by the buffer until text_buf_take() */
    size_t len, cap;
} TextBuf;

/* Makes room for extra more bytes and the NUL after them. */
void text_buf_reserve(TextBuf *b, size_t extra);
/* Appends s[0..n). */
void text_buf_append(TextBuf *b, const char *s, size_t n);
/* Whether the text ends with s[0..n). */
int text_buf_ends_with(const TextBuf *b, const char *s, size_t n);
/* The text (never NULL, NUL-terminated); the caller owns it and frees it,
 * and the buffer is not used again. */
char *text_buf_take(TextBuf *b);

#endif
