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

/* Appends the ids of one word (greedy longest match first, by characters;
 * pieces after the first looked up with the prefix): unk_id alone for a word
 * of more than max_input_chars_per_word characters or with a piece that
 * matches nothing (die_input when unk_id < 0, as the reference fails on a
 * missing unknown token). An empty word appends nothing. Allocates nothing
 * but the ids' room for a word of up to 512 bytes with its prefix. */
void wordpiece_encode_word(const WordPieceModel *m, const char *word, size_t n, IdBuf *out);

/* The WordPiece decoder: tokens joined by spaces, a token after the first
 * that starts with the prefix glued to the one before it (prefix dropped);
 * with cleanup the decoder's own clean-up (" ." -> ".", " n't" -> "n't",
 * " do not" -> " don't", ...) of each token with its space, not of the joined
 * text: transformers' clean_up_tokenization over the whole text is the
 * caller's (hf_tokenizer_decode's clean_up). tokens[i] are NUL-terminated
 * strings (NULL reads as ""). Caller owns the result, never NULL. */
char *wordpiece_decode(const char *const *tokens, int n, const char *prefix, int cleanup);

/* Reads a vocab.txt (one token a line, "\n" or "\r\n" ending it; id = line
 * number from 0) into v, which it initializes (free with vocab_free()).
 * Returns the count of ids. An empty file, a token that is not valid UTF-8 or
 * a duplicate token is die_input naming path:line. */
int wordpiece_read_vocab_txt(const char *path, Vocab *v);

#endif
