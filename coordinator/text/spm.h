/* spm.h: what the tokenizer's files share (tokenizer_model.c
 * reads a tokenizer.model into a SpmModel, tokenizer_pieces.c looks pieces
 * up, spm_encode.c and spm_decode.c turn text into ids and back).
 * Not for use outside coordinator/text. */
#ifndef PAINTERS_SPM_H
#define PAINTERS_SPM_H

#include <stddef.h>

#include "sentencepiece_model.pb-c.h"
#include <stdint.h>

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

typedef struct SpmModel SpmModel;

/* One loaded tokenizer.model: filled by spm_load_bytes(), read-only after. */
struct SpmModel {
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
 * spm_free(). */
void piece_map_init(PieceMap *m, size_t count);
/* Adds piece id; returns 0 when a piece with the same text is already there. */
int piece_map_insert(const SpmModel *t, PieceMap *m, int id);
/* Id of the piece with text s[0..n) in m, or -1. */
int piece_map_find(const SpmModel *t, const PieceMap *m, const char *s, size_t n);
/* The id the model gives the text s[0..n): reserved pieces first, then
 * ordinary ones, else <unk>. */
int piece_lookup_id(const SpmModel *t, const char *s, size_t n);
/* Adds the piece s[0..n) to the trie (nodes grow as needed; the trie owns
 * them, freed by spm_free()). */
void piece_trie_insert(Trie *tr, const char *s, size_t n);
/* Length of the longest user-defined piece that s[0..n) starts with, or 0. */
size_t piece_user_defined_prefix_len(const SpmModel *t, const char *s, size_t n);
/* The byte a piece "<0xNN>" (upper-case hex) stands for, or -1. */
int piece_byte_value(const char *s, size_t n);

/* Loads tokenizer.model. die_input naming the file on a missing, truncated or
 * unsupported model. Caller owns the result; free with spm_free(). */
SpmModel *spm_load(const char *path);
/* The same from the file's n bytes in memory (copied where kept); `source`
 * names them in messages. */
SpmModel *spm_load_bytes(const char *source, const uint8_t *data, size_t n);
void spm_free(SpmModel *t); /* accepts NULL */

/* Encodes UTF-8 text as sentencepiece's encode(text) does, with BOS first when
 * add_bos. Returns the count; *ids is malloc'ed and owned by the caller. */
int spm_encode(const SpmModel *t, const char *text, int add_bos, int **ids);
/* Decodes ids to UTF-8 as sentencepiece's decode(ids) does (leading space of
 * the first piece dropped, BOS/EOS/control pieces skipped, byte pieces joined).
 * Caller owns the string. */
char *spm_decode(const SpmModel *t, const int *ids, int n);
/* The text one token adds when streamed after `prev` (-1 at the start); a
 * byte piece gives its raw byte. Caller owns it. */
char *spm_decode_piece(const SpmModel *t, int prev, int id);

int spm_vocab_size(const SpmModel *t);
const char *spm_piece(const SpmModel *t, int id); /* NULL when out of range */
/* The id of the piece with exactly this text, or -1 when there is none. */
int spm_piece_to_id(const SpmModel *t, const char *piece);
int spm_bos(const SpmModel *t); /* -1 when the model has none */
int spm_eos(const SpmModel *t);

#endif
