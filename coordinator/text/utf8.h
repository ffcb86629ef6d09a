/* utf8.h: UTF-8 as the tokenizer and the task files read it: the length of a
 * valid character, the length a lead byte announces, code point counts, and a
 * whole-text check that names the first bad byte. */
#ifndef PAINTERS_UTF8_H
#define PAINTERS_UTF8_H

#include <stddef.h>

/* Length (1 to 4) of the valid UTF-8 character at s (n bytes left), or 0 when
 * the bytes there are not one: a stray continuation byte, a cut-off sequence,
 * an overlong form, a surrogate or a code point past U+10FFFF. A NUL byte is a
 * valid character of length 1. */
size_t utf8_valid_char_len(const unsigned char *s, size_t n);
/* Bytes of the character that starts with byte c, judged by c alone (exact
 * only for text already known to be valid UTF-8), cut to n. */
size_t utf8_lead_char_len(unsigned char c, size_t n);
/* Code points of NUL-terminated UTF-8 text: what Python's len() counts. */
int utf8_char_count(const char *s);
/* 1 when the n bytes are valid UTF-8 with no NUL byte; else 0, and *bad_at
 * (when not NULL) gets the offset of the first bad byte. */
int utf8_check(const char *s, size_t n, size_t *bad_at);

#endif
