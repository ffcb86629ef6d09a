/* tokenizer.h: SentencePiece BPE tokenizer read from a tokenizer.model file
 * (a protobuf, parsed with protobuf-c from proto/sentencepiece_model.proto).
 *
 * Reproduces the sentencepiece library for BPE models with byte fallback as
 * Llama-2 and the demo model use: whitespace -> U+2581, dummy prefix, merges by
 * piece score, unknown characters as <0xNN> byte pieces, BOS/EOS/UNK ids; decode
 * reassembles byte pieces into UTF-8. */
#ifndef PAINTERS_TOKENIZER_H
#define PAINTERS_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

typedef struct Tokenizer Tokenizer;

/* Loads tokenizer.model. die_input naming the file on a missing, truncated or
 * unsupported model. Caller owns the result; free with tokenizer_free(). */
Tokenizer *tokenizer_load(const char *path);
/* The same from the file's n bytes in memory (copied where kept); `source`
 * names them in messages. Used by tokenizer_load() and the fuzzer. */
Tokenizer *tokenizer_load_bytes(const char *source, const uint8_t *data, size_t n);
void tokenizer_free(Tokenizer *t); /* accepts NULL */

/* Encodes UTF-8 text as sentencepiece's encode(text) does, with BOS first when
 * add_bos. Returns the count; *ids is malloc'ed and owned by the caller. */
int tokenizer_encode(const Tokenizer *t, const char *text, int add_bos, int **ids);

/* Decodes ids to UTF-8 as sentencepiece's decode(ids) does (leading space of
 * the first piece dropped, BOS/EOS/control pieces skipped, byte pieces joined).
 * Caller owns the string. */
char *tokenizer_decode(const Tokenizer *t, const int *ids, int n);

/* The text one token adds when streamed after `prev` (the previous token, -1
 * at the start): used by generate to print as it decodes. Caller owns it. */
char *tokenizer_decode_piece(const Tokenizer *t, int prev, int id);

int tokenizer_vocab_size(const Tokenizer *t);
const char *tokenizer_piece(const Tokenizer *t, int id); /* NULL when out of range */
/* The id of the piece with exactly this text, or -1 when there is none. */
int tokenizer_piece_to_id(const Tokenizer *t, const char *piece);
int tokenizer_bos(const Tokenizer *t);
int tokenizer_eos(const Tokenizer *t);

#endif
