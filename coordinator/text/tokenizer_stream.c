/* tokenizer_stream.c: see tokenizer.h (TokenizerStream).
 *
 * The stream decodes a short window of ids, its first one a base token that
 * was already handed out, and hands out the text past what it handed out
 * before, less a trailing run of U+FFFD: an incomplete character decodes as
 * U+FFFD until its last byte comes. Whenever nothing is held back the window
 * starts again from the newest token, so each push decodes a few ids. */
#include "text/tokenizer_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/id_buf.h"

#define REPLACEMENT "\xef\xbf\xbd"
#define REPLACEMENT_LEN 3

struct TokenizerStream {
    const Tokenizer *t;
    IdBuf window;   /* the base token (when has_base), then the ids not yet all handed out */
    size_t emitted; /* bytes of decode(window) handed out, the base's included */
};

static char *decode_window(const TokenizerStream *s) {
    return tokenizer_decode_with(s->t, s->window.ids, (int)s->window.n, 0);
}

/* The window becomes just id, already handed out. */
static void restart_at(TokenizerStream *s, int id) {
    s->window.n = 0;
    id_buf_push(&s->window, id);
    char *text = decode_window(s);
    s->emitted = strlen(text);
    free(text);
}

TokenizerStream *tokenizer_stream_new(const Tokenizer *t, int prev) {
    TokenizerStream *s = xcalloc(1, sizeof *s);
    s->t = t;
    if (prev >= 0) restart_at(s, prev);
    return s;
}

/* text[from..to) as a new string ("" when to <= from). */
static char *slice(const char *text, size_t from, size_t to) {
    size_t n = to > from ? to - from : 0;
    char *out = xmalloc(n + 1);
    if (n) memcpy(out, text + from, n);
    out[n] = '\0';
    return out;
}

char *tokenizer_stream_push(TokenizerStream *s, int id) {
    id_buf_push(&s->window, id);
    char *text = decode_window(s);
    size_t len = strlen(text), stable = len;
    while (stable >= REPLACEMENT_LEN &&
           memcmp(text + stable - REPLACEMENT_LEN, REPLACEMENT, REPLACEMENT_LEN) == 0)
        stable -= REPLACEMENT_LEN;
    char *out = slice(text, s->emitted, stable);
    if (stable > s->emitted) s->emitted = stable;
    free(text);
    if (stable == len) restart_at(s, id);
    return out;
}

char *tokenizer_stream_finish(TokenizerStream *s) {
    char *out;
    if (s->window.n > 0) {
        char *text = decode_window(s);
        out = slice(text, s->emitted, strlen(text));
        free(text);
    } else {
        out = xstrdup("");
    }
    id_buf_free(&s->window);
    free(s);
    return out;
}
