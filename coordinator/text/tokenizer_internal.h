/* tokenizer_internal.h: what the tokenizer's files share (tokenizer_model.c
 * reads a tokenizer.model into a Tokenizer, tokenizer_pieces.c looks pieces
 * up, tokenizer_encode.c and tokenizer_decode.c turn text into ids and back).
 * Not for use outside coordinator/text. */
#ifndef PAINTERS_TOKENIZER_INTERNAL_H
#define PAINTERS_TOKENIZER_INTERNAL_H

#include <stddef.h>

#include "sentencepiece_model.pb-c.h"
#include "text/tokenizer.h"

/* U+2581 LOWER ONE EIGHTH BLOCK: stands for ' ' inside pieces. */
#define SPACE_SYMBOL "\xe2\x96\x81"
#define SPACE_SYMBOL_LEN 3
/* U+FFFD REPLACEMENT CHARACTER: stands for a byte that is not valid UTF-8. */
#define REPLACEMENT_CHAR "\xef\xbf\xbd"
#define REPLACEMENT_CHAR_LEN 3

/* Short names for the piece types of the model format. */
enum {
    PIECE_NORMAL = SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__TYPE__NORMAL,
    PIECE_UNKNOWN = SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__TYPE__UNKNOWN,
    PIECE_CONTROL = SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__TYPE__CONTROL,
    PIECE_USER_DEFINED = SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__TYPE__USER_DEFINED,
    PIECE_UNUSED = SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__TYPE__UNUSED,
    PIECE_BYTE = SENTENCEPIECE__MODEL_PROTO__SENTENCE_PIECE__TYPE__BYTE,
};

/* Open-addressing hash set of piece ids, keyed by the pieces' text. */
typedef struct {
    int *slots; /* [mask + 1] piece id, or -1 for an empty slot */
    size_t mask;
} PieceMap;

/* Byte trie of the user-defined pieces, for longest-prefix matching. */
typedef struct {
    int first_child, next_sibling; /* node indices, -1 for none */
    unsigned char byte;
    unsigned char ends_piece;
} TrieNode;

typedef struct {
    TrieNode *nodes; /* node 0 is the root */
    int n, cap;
} Trie;

/* One loaded tokenizer.model: filled by tokenizer_load_bytes(), read-only after. */
struct Tokenizer {
    Sentencepiece__ModelProto *proto; /* owns the piece strings */
    int n_pieces;
    const char **piece;  /* [n_pieces] text of each piece, points into proto */
    size_t *piece_len;   /* [n_pieces] */
    float *score;        /* [n_pieces] higher merges first */
    unsigned char *type; /* [n_pieces] PIECE_* */
    PieceMap normal;     /* pieces merges can form: normal, user-defined, unused */
    PieceMap reserved;   /* unknown, control and byte pieces */
    size_t max_normal_len;
    Trie user_defined;
    int has_user_defined, has_unused;
    int byte_piece[256]; /* id of <0xNN>, -1 when absent */
    int unk, bos, eos;   /* bos and eos are -1 when the model has none */
    int byte_fallback;
    int add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces;
    int whitespace_as_suffix;
    const char *unk_surface; /* what decoding prints for <unk> */
};

/* Sizes m for count pieces, every slot empty; m->slots is freed by
 * tokenizer_free(). */
void piece_map_init(PieceMap *m, size_t count);
/* Adds piece id; returns 0 when a piece with the same text is already there. */
int piece_map_insert(const Tokenizer *t, PieceMap *m, int id);
/* Id of the piece with text s[0..n) in m, or -1. */
int piece_map_find(const Tokenizer *t, const PieceMap *m, const char *s, size_t n);
/* The id the model gives the text s[0..n): reserved pieces first, then
 * ordinary ones, else <unk>. */
int piece_lookup_id(const Tokenizer *t, const char *s, size_t n);
/* Adds the piece s[0..n) to the trie (nodes grow as needed; the trie owns
 * them, freed by tokenizer_free()). */
void piece_trie_insert(Trie *tr, const char *s, size_t n);
/* Length of the longest user-defined piece that s[0..n) starts with, or 0. */
size_t piece_user_defined_prefix_len(const Tokenizer *t, const char *s, size_t n);
/* The byte a piece "<0xNN>" (upper-case hex) stands for, or -1. */
int piece_byte_value(const char *s, size_t n);

#endif
