/* wordpiece_vocab.c: see wordpiece.h. BERT's vocab.txt: one token a line,
 * the id its line number counted from 0. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/utf8.h"
#include "text/wordpiece.h"

int wordpiece_read_vocab_txt(const char *path, Vocab *v) {
    size_t len;
    char *text = read_file_text(path, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    if (len > 0 && text[len - 1] != '\n') lines++;
    if (lines == 0) die_input("%s: empty vocabulary: no lines", path);
    if (lines > (size_t)INT32_MAX - 1) die_input("%s: more than %d lines", path, INT32_MAX - 1);
    vocab_init(v, (int)lines);
    size_t at = 0;
    for (int id = 0; id < (int)lines; id++) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len, tok_len = end - at;
        if (tok_len > 0 && text[at + tok_len - 1] == '\r') tok_len--;
        for (size_t k = 0; k < tok_len;) {
            size_t cl = utf8_valid_char_len((const unsigned char *)text + at + k, tok_len - k);
            if (!cl)
                die_input("%s:%d: the token is not valid UTF-8 (byte %zu of the line)", path,
                          id + 1, k + 1);
            k += cl;
        }
        if (vocab_set(v, id, text + at, tok_len) == -2)
            die_input("%s:%d: duplicate token \"%.*s\" (also line %d)", path, id + 1,
                      (int)(tok_len > 60 ? 60 : tok_len), text + at,
                      vocab_find(v, text + at, tok_len) + 1);
        at = end + 1;
    }
    free(text);
    return (int)lines;
}
