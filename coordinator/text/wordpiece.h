/* wordpiece.h: BERT's text pipeline as the Hugging Face tokenizers library
 * runs it: BertNormalizer, BertPreTokenizer, the WordPiece model and the
 * WordPiece decoder. hf_tokenizer.c reads these parts of a tokenizer.json
 * (or vocab.txt) and calls them; added tokens and post-processing stay there.
 * Unicode normalization and categories come from utf8proc. */
#ifndef PAINTERS_WORDPIECE_H
#define PAINTERS_WORDPIECE_H

#include <stddef.h>

#include "text/id_buf.h"
#include "text/vocab.h"

/* BertNormalizer's options (tokenizer.json "normalizer"). */
typedef struct {
    int clean_text;           /* drop NUL, U+FFFD and control characters; whitespace -> ' ' */
    int handle_chinese_chars; /* put spaces around each CJK ideograph */
    int strip_accents;        /* 1, 0, or -1 for "null": follow lowercase */
    int lowercase;
} BertNormalizerOptions;

/* The normalized form of text[0..n) (UTF-8; a byte that starts no valid
 * character reads as U+FFFD, which clean_text drops). Caller owns the result
 * (NUL-terminated); *out_len (may be NULL) gets its bytes. */
char *bert_normalize(const char *text, size_t n, const BertNormalizerOptions *o, size_t *out_len);

/* A piece of a text: bytes [start, start + len). */
typedef struct {
    size_t start, len;
} TextSpan;

/* BertPreTokenizer: the words of text[0..n): split on whitespace (dropped)
 * and on punctuation (each punctuation character a word of its own). Returns
 * the count; *words is malloc'ed and owned by the caller. */
int bert_pre_tokenize(const char *text, size_t n, TextSpan **words);

/* The WordPiece model (tokenizer.json "model"). */
typedef struct {
    const Vocab *vocab; /* not owned */
    int unk_id;
    const char *continuing_prefix; /* "##", not owned */
    int max_input_chars_per_word;  /* 100 */
} WordPieceModel;

/* Appends the ids of one word (greedy longest match first, continuations
 * with the prefix): unk_id alone for a word of more than
 * max_input_chars_per_word characters or with a piece that matches nothing. */
void wordpiece_encode_word(const WordPieceModel *m, const char *word, size_t n, IdBuf *out);

/* The WordPiece decoder: tokens joined by spaces, a token starting with the
 * prefix glued to the one before it (prefix dropped); with cleanup the
 * decoder's own clean-up of spaces before punctuation and contractions.
 * tokens[i] are NUL-terminated strings. Caller owns the result. */
char *wordpiece_decode(const char *const *tokens, int n, const char *prefix, int cleanup);

/* Reads a vocab.txt (one token a line, "\n" or "\r\n" ending it; id = line
 * number from 0) into v, which it initializes (free with vocab_free()).
 * Returns the count of ids. An empty file, a token that is not valid UTF-8 or
 * a duplicate token is die_input naming path:line. */
int wordpiece_read_vocab_txt(const char *path, Vocab *v);

#endif
