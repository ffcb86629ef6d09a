/* wordpiece_model.c: see wordpiece.h. The WordPiece model: greedy longest
 * match first over characters, looking the word's pieces up in the Vocab by
 * byte ranges (a continuation piece is the prefix and the rest of the word,
 * copied once per piece start, then shortened a character at a time). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/wordpiece.h"

static int is_trail_byte(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

static void push_unk(const WordPieceModel *m, IdBuf *out) {
    if (m->unk_id < 0)
        die_input("WordPiece: a word has no pieces in the vocabulary and there is no unknown "
                  "token");
    id_buf_push(out, m->unk_id);
}

void wordpiece_encode_word(const WordPieceModel *m, const char *word, size_t n, IdBuf *out) {
    if (n == 0) return;
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += !is_trail_byte((unsigned char)word[i]);
    if (chars > (size_t)(m->max_input_chars_per_word < 0 ? 0 : m->max_input_chars_per_word)) {
        push_unk(m, out);
        return;
    }
    const char *prefix = m->continuing_prefix ? m->continuing_prefix : "";
    size_t plen = strlen(prefix);
    char small[512];
    size_t need = add_size_checked(plen, n, "word");
    char *buf = need <= sizeof small ? small : xmalloc(need);
    memcpy(buf, prefix, plen);
    size_t mark = out->n;
    for (size_t start = 0; start < n;) {
        const char *piece = word;
        size_t head = 0;
        if (start > 0) {
            memcpy(buf + plen, word + start, n - start);
            piece = buf;
            head = plen;
        }
        size_t end = n;
        int id = -1;
        while (end > start) {
            id = vocab_find(m->vocab, piece, head + end - start);
            if (id >= 0) break;
            do
                end--;
            while (end > start && is_trail_byte((unsigned char)word[end]));
        }
        if (id < 0) {
            out->n = mark;
            push_unk(m, out);
            break;
        }
        id_buf_push(out, id);
        start = end;
    }
    if (buf != small) free(buf);
}
