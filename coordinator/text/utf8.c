/* utf8.c: see utf8.h. */
#include "text/utf8.h"

#include <stdint.h>

static int is_trail_byte(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

static int is_valid_codepoint(uint32_t cp) {
    return cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF);
}

size_t utf8_valid_char_len(const unsigned char *s, size_t n) {
    if (n == 0) return 0;
    if (s[0] < 0x80) return 1;
    if (n >= 2 && (s[0] & 0xE0) == 0xC0) {
        uint32_t cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        if (is_trail_byte(s[1]) && cp >= 0x80) return 2;
    } else if (n >= 3 && (s[0] & 0xF0) == 0xE0) {
        uint32_t cp =
            ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (is_trail_byte(s[1]) && is_trail_byte(s[2]) && cp >= 0x800 && is_valid_codepoint(cp))
            return 3;
    } else if (n >= 4 && (s[0] & 0xF8) == 0xF0) {
        uint32_t cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                      ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (is_trail_byte(s[1]) && is_trail_byte(s[2]) && is_trail_byte(s[3]) && cp >= 0x10000 &&
            is_valid_codepoint(cp))
            return 4;
    }
    return 0;
}

size_t utf8_lead_char_len(unsigned char c, size_t n) {
    static const unsigned char len_by_high_nibble[16] = {1, 1, 1, 1, 1, 1, 1, 1,
                                                         1, 1, 1, 1, 2, 2, 3, 4};
    size_t len = len_by_high_nibble[c >> 4];
    return len < n ? len : n;
}

int utf8_char_count(const char *s) {
    int n = 0;
    for (; *s; s++)
        if (!is_trail_byte((unsigned char)*s)) n++;
    return n;
}

int utf8_check(const char *s, size_t n, size_t *bad_at) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = u[i] == 0 ? 0 : utf8_valid_char_len(u + i, n - i);
        if (!len) {
            if (bad_at) *bad_at = i;
            return 0;
        }
        i += len;
    }
    return 1;
}
