/* wordpiece_decode.c: see wordpiece.h. The WordPiece decoder: each token
 * after the first gets a space before it, or loses the prefix it starts with
 * (glued to the one before); with cleanup, each token so made (not the joined
 * text) goes through the decoder's clean-up, one replacement after another. */
#include <string.h>

#include "text/text_buf.h"
#include "text/wordpiece.h"

/* The decoder's own clean-up, in its order. Unlike transformers'
 * clean_up_tokenization it also turns " do not" into " don't". Every
 * replacement is no longer than what it replaces. */
static const char *const cleanup_pairs[][2] = {
    {" .", "."},   {" ?", "?"},     {" !", "!"},     {" ,", ","},
    {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"},   {" do not", " don't"},
    {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
};

/* Replaces every from (left to right, not overlapping) by to in s[0..*n),
 * in place; to is not longer than from. */
static void replace_in_place(char *s, size_t *n, const char *from, const char *to) {
    size_t fl = strlen(from), tl = strlen(to), w = 0;
    for (size_t r = 0; r < *n;) {
        if (*n - r >= fl && memcmp(s + r, from, fl) == 0) {
            memcpy(s + w, to, tl);
            w += tl;
            r += fl;
        } else {
            s[w++] = s[r++];
        }
    }
    *n = w;
}

char *wordpiece_decode(const char *const *tokens, int n, const char *prefix, int cleanup) {
    if (!prefix) prefix = "";
    size_t plen = strlen(prefix);
    TextBuf b = {0};
    text_buf_reserve(&b, 0);
    for (int i = 0; i < n; i++) {
        const char *tok = tokens[i] ? tokens[i] : "";
        size_t tail = b.len;
        if (i == 0) {
            text_buf_append(&b, tok, strlen(tok));
        } else if (strncmp(tok, prefix, plen) == 0) {
            text_buf_append(&b, tok + plen, strlen(tok + plen));
        } else {
            text_buf_append(&b, " ", 1);
            text_buf_append(&b, tok, strlen(tok));
        }
        if (cleanup) {
            size_t len = b.len - tail;
            for (size_t k = 0; k < sizeof cleanup_pairs / sizeof cleanup_pairs[0]; k++)
                replace_in_place(b.data + tail, &len, cleanup_pairs[k][0], cleanup_pairs[k][1]);
            b.len = tail + len;
            b.data[b.len] = '\0';
        }
    }
    return text_buf_take(&b);
}
