/* spm_decode.c: see spm.h (spm_decode, spm_decode_piece):
 * ids back to text as sentencepiece decodes them. */
#include "text/spm.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/text_buf.h"
#include "text/utf8.h"

/* Out-of-range ids read as <unk>, so decoding never fails. */
static int piece_type_of(const SpmModel *t, int id) {
    return id >= 0 && id < t->n_pieces ? t->type[id] : PIECE_UNKNOWN;
}

/* Appends s[0..n) with every U+2581 turned back into ' '. */
static void append_unescaped(TextBuf *out, const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (n - i >= SPACE_SYMBOL_LEN && memcmp(s + i, SPACE_SYMBOL, SPACE_SYMBOL_LEN) == 0) {
            text_buf_append(out, " ", 1);
            i += SPACE_SYMBOL_LEN;
        } else {
            text_buf_append(out, s + i, 1);
            i++;
        }
    }
}

/* Appends the bytes of byte pieces ids[from..to) as text: each valid UTF-8
 * character as is, each byte that is not part of one as U+FFFD. */
static void append_byte_run(const SpmModel *t, const int *ids, int from, int to, TextBuf *out) {
    if (from >= to) return;
    size_t n = (size_t)(to - from);
    unsigned char *bytes = xmalloc(n);
    for (size_t i = 0; i < n; i++) {
        const int id = ids[from + (int)i];
        bytes[i] = (unsigned char)piece_byte_value(t->piece[id], t->piece_len[id]);
    }
    size_t pos = 0;
    while (pos < n) {
        size_t len = utf8_valid_char_len(bytes + pos, n - pos);
        if (len == 0) {
            text_buf_append(out, REPLACEMENT_CHAR, REPLACEMENT_CHAR_LEN);
            pos++;
        } else {
            text_buf_append(out, (const char *)bytes + pos, len);
            pos += len;
        }
    }
    free(bytes);
}

/* Whether a leading U+2581 at the start of the text is the dummy prefix that
 * decoding drops. */
static int drops_leading_space(const SpmModel *t) {
    return t->add_dummy_prefix || t->remove_extra_whitespaces;
}

/* Appends the text of a piece that is not a byte piece. at_start: no text and
 * no dropped space yet. Returns whether it dropped a leading space. */
static int append_piece_text(const SpmModel *t, int id, int at_start, TextBuf *out) {
    int type = piece_type_of(t, id);
    if (type == PIECE_CONTROL) return 0;
    if (type == PIECE_UNKNOWN) {
        text_buf_append(out, t->unk_surface, strlen(t->unk_surface));
        return 0;
    }
    const char *s = t->piece[id];
    size_t n = t->piece_len[id];
    int dropped = 0;
    if (at_start && drops_leading_space(t) && n >= SPACE_SYMBOL_LEN &&
        memcmp(s, SPACE_SYMBOL, SPACE_SYMBOL_LEN) == 0) {
        s += SPACE_SYMBOL_LEN;
        n -= SPACE_SYMBOL_LEN;
        dropped = !t->remove_extra_whitespaces;
    }
    append_unescaped(out, s, n);
    return dropped;
}

char *spm_decode(const SpmModel *t, const int *ids, int n) {
    TextBuf out = {0};
    if (n < 0) n = 0;
    int at_start = 1, dropped_space = 0, byte_run_start = 0;
    for (int i = 0; i < n; i++) {
        if (piece_type_of(t, ids[i]) == PIECE_BYTE) continue;
        append_byte_run(t, ids, byte_run_start, i, &out);
        byte_run_start = i + 1;
        if (dropped_space || out.len > 0) at_start = 0;
        dropped_space = append_piece_text(t, ids[i], at_start, &out);
    }
    append_byte_run(t, ids, byte_run_start, n, &out);
    return text_buf_take(&out);
}

char *spm_decode_piece(const SpmModel *t, int prev, int id) {
    TextBuf out = {0};
    if (piece_type_of(t, id) == PIECE_BYTE) {
        char byte = (char)piece_byte_value(t->piece[id], t->piece_len[id]);
        text_buf_append(&out, &byte, 1);
    } else {
        int at_start = prev == -1 || (t->bos >= 0 && prev == t->bos);
        append_piece_text(t, id, at_start, &out);
    }
    return text_buf_take(&out);
}
