/* wordpiece_internal.h: the character classes that BERT's normalizer and
 * pre-tokenizer share, defined as the Hugging Face tokenizers library defines
 * them, from utf8proc's general categories; and UTF-8 reading and writing of
 * single code points. For wordpiece_*.c only.
 *
 *   size_t len;
 *   int32_t c = wp_next_char(s, n, &len);   // s += len
 *   if (wp_is_punctuation(c)) ...
 */
#ifndef PAINTERS_WORDPIECE_INTERNAL_H
#define PAINTERS_WORDPIECE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* The code point at s (n >= 1 bytes left); *len gets its bytes. A byte that
 * does not start a valid UTF-8 character reads as U+FFFD, one byte long. */
int32_t wp_next_char(const char *s, size_t n, size_t *len);
/* Writes c (a valid code point) as UTF-8 at dst (4 bytes of room); returns
 * the bytes written. */
size_t wp_put_char(char *dst, int32_t c);

/* Rust's char::is_whitespace (the White_Space property): the categories Zs,
 * Zl and Zp, and the controls U+0009..U+000D and U+0085. */
int wp_is_whitespace(int32_t c);
/* The normalizer's is_control: categories Cc, Cf and Co, except \t \n \r
 * (which count as whitespace). */
int wp_is_control(int32_t c);
/* The pre-tokenizer's is_bert_punc: ASCII punctuation (Rust's
 * is_ascii_punctuation, which includes $ + < = > ^ ` | ~) or a category P*. */
int wp_is_punctuation(int32_t c);
/* The same for an ASCII character (c < 0x80). */
static inline int wp_ascii_punctuation(int c) {
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
           (c >= 123 && c <= 126);
}
/* The normalizer's is_chinese_char: the library's CJK ranges exactly. */
int wp_is_chinese(int32_t c);

#endif
