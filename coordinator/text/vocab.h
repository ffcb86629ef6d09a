/* vocab.h: a tokenizer's vocabulary: token strings (any bytes, NUL allowed)
 * by id, and ids by string through an open-addressing hash table. Used by the
 * Hugging Face tokenizers (byte-level BPE, WordPiece) and their added tokens.
 *
 *   Vocab v;
 *   vocab_init(&v, 128256);                  // ids 0 .. 128255
 *   if (vocab_set(&v, 9906, "Hello", 5) < 0) ...   // id or string taken
 *   int id = vocab_find(&v, "Hello", 5);     // 9906, -1 when absent
 *   vocab_free(&v);
 */
#ifndef PAINTERS_VOCAB_H
#define PAINTERS_VOCAB_H

#include <stddef.h>

typedef struct {
    int n_ids;     /* ids are 0 .. n_ids - 1 */
    char **tokens; /* (n_ids) owned copies, NUL-terminated; NULL where no token has the id */
    size_t *lens;  /* (n_ids) byte lengths */
    int *slots;    /* (mask + 1) id, or -1 for an empty slot */
    size_t mask;
    int n_set; /* ids holding a token */
} Vocab;

/* An empty vocabulary for ids 0 .. n_ids - 1 (n_ids >= 0). Free with vocab_free(). */
void vocab_init(Vocab *v, int n_ids);
void vocab_free(Vocab *v); /* frees what v owns, not v; accepts a zeroed Vocab */

/* Gives id the token s (n bytes, copied). Returns id, or -1 when id is out of
 * range or already has a token, -2 when another id has the same string:
 * the caller names the file and place in its message. */
int vocab_set(Vocab *v, int id, const char *s, size_t n);

/* The id of the token with exactly these n bytes, or -1. */
int vocab_find(const Vocab *v, const char *s, size_t n);

/* The token of id (NUL-terminated; *len its bytes, len may be NULL), or NULL
 * for an id out of range or without a token. Owned by the vocabulary. */
const char *vocab_token(const Vocab *v, int id, size_t *len);

#endif
