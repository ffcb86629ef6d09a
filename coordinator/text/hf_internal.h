/* hf_internal.h: what the parts of the Hugging Face tokenizer share: the
 * HfTokenizer itself as hf_load*.c build it, and the functions by which
 * hf_encode.c and hf_decode.c run it (added-token matching in hf_added.c,
 * normalizers and pre-tokenizers in hf_pipeline.c, the BPE model in
 * hf_bpe.c). Not for use outside text/hf_*.c. */
#ifndef PAINTERS_HF_INTERNAL_H
#define PAINTERS_HF_INTERNAL_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "text/hf_tokenizer.h"
#include "text/id_buf.h"
#include "text/text_buf.h"
#include "text/vocab.h"
#include "text/wordpiece.h"

typedef enum { HF_MODEL_BPE, HF_MODEL_WORDPIECE } HfModelKind;

/* BPE merges: the pair (left id, right id) -> its rank and the merged id,
 * in an open-addressing table (an empty slot has key UINT64_MAX). */
typedef struct {
    uint64_t key;
    int rank, new_id;
} HfMergeSlot;
typedef struct {
    HfMergeSlot *slots; /* (mask + 1) owned */
    size_t mask;
    int n;
} HfMergeMap;

/* An added token (tokenizer.json "added_tokens"). */
typedef struct {
    char *content; /* owned, NUL-terminated */
    size_t len;
    int id, special, lstrip, rstrip, single_word, normalized;
} HfAdded;

/* A byte trie of added-token strings for leftmost-longest matching. Node 0
 * is the root; `added` is the index into HfTokenizer.added of the token
 * ending at a node, or -1. */
typedef struct {
    int child, sibling, added;
    unsigned char byte;
} HfTrieNode;
typedef struct {
    HfTrieNode *nodes; /* (cap) owned */
    int n, cap;
    unsigned char first[256]; /* 1 where some token starts with the byte */
} HfTrie;

typedef enum {
    HF_NORM_NFC,
    HF_NORM_NFD,
    HF_NORM_NFKC,
    HF_NORM_NFKD,
    HF_NORM_LOWERCASE,
    HF_NORM_BERT
} HfNormKind;
typedef struct {
    HfNormKind kind;
    BertNormalizerOptions bert;
} HfNorm;

typedef enum {
    HF_SPLIT_ISOLATED,
    HF_SPLIT_REMOVED,
    HF_SPLIT_MERGED_PREVIOUS,
    HF_SPLIT_MERGED_NEXT,
    HF_SPLIT_CONTIGUOUS
} HfSplitBehavior;
typedef enum { HF_PRE_SPLIT, HF_PRE_BYTE_LEVEL, HF_PRE_BERT } HfPreKind;
typedef struct {
    HfPreKind kind;
    pcre2_code *re; /* Split: its pattern; ByteLevel with use_regex: GPT-2's; owned */
    char *where;    /* the step's JSON path, for messages; owned */
    HfSplitBehavior behavior;
    int invert;           /* Split */
    int add_prefix_space; /* ByteLevel */
} HfPre;

/* A post-processor template piece: a special token's ids, or sequence A/B. */
typedef enum { HF_PIECE_SPECIAL, HF_PIECE_A, HF_PIECE_B } HfPieceKind;
typedef struct {
    HfPieceKind kind;
    int type_id;
    int *ids; /* (n_ids) special token ids, owned */
    int n_ids;
} HfTemplatePiece;
typedef struct {
    int has_template;               /* 0: sequences as they are (type ids 0, then 1) */
    HfTemplatePiece *single, *pair; /* owned */
    int n_single, n_pair;
} HfPost;

typedef enum { HF_DEC_NONE, HF_DEC_BYTE_LEVEL, HF_DEC_WORDPIECE } HfDecKind;

/* A cache of BPE words: a word's bytes in keys, its ids in ids; a slot with
 * key_len 0 is empty. Emptied whenever it fills up. */
typedef struct {
    uint64_t hash;
    uint32_t key_off, key_len, ids_off, n_ids;
} HfCacheSlot;
typedef struct {
    HfCacheSlot *slots; /* (mask + 1) owned, or NULL: no cache */
    size_t mask, used;
    TextBuf keys;
    IdBuf ids;
} HfWordCache;

struct HfTokenizer {
    char *source; /* the file, for messages; owned */
    HfModelKind model;
    Vocab vocab; /* the model's tokens (not the added ones) */
    int n_ids;   /* vocabulary size: model and added tokens */
    /* BPE */
    HfMergeMap merges;
    int ignore_merges, unk_id, fuse_unk;
    int byte_ids[256]; /* the model id of byte b's character in GPT-2's alphabet, or -1 */
    HfWordCache cache; /* BPE words seen, kept across calls; one encode call at a time */
    pthread_mutex_t cache_lock;
    /* WordPiece */
    WordPieceModel wp;
    char *wp_prefix; /* owned */
    /* added tokens */
    HfAdded *added; /* (n_added) owned */
    int n_added;
    Vocab added_vocab; /* (n_ids) the added tokens' contents at their ids */
    int *added_index;  /* (n_ids) index into added, or -1 */
    HfTrie raw_trie;   /* tokens with normalized = false, on the raw text */
    HfTrie norm_trie;  /* tokens with normalized = true, by their normalized form */
    HfNorm *norms;     /* (n_norms) owned, applied in order */
    int n_norms;
    HfPre *pres; /* (n_pres) owned, applied in order */
    int n_pres;
    HfPost post;
    HfDecKind decoder;
    char *dec_prefix; /* WordPiece decoder; owned */
    int dec_cleanup;
};

/* ---- hf_bpe.c: the merge table, GPT-2's byte alphabet, the BPE model ---- */
void hf_merge_map_init(HfMergeMap *m, size_t n_merges);
/* Sets (a, b) -> (rank, new_id); an existing pair takes the new rank. */
void hf_merge_map_put(HfMergeMap *m, int a, int b, int rank, int new_id);
/* The slot of (a, b), or NULL. */
const HfMergeSlot *hf_merge_map_get(const HfMergeMap *m, int a, int b);
void hf_merge_map_free(HfMergeMap *m);

/* The code point GPT-2's byte-level alphabet gives byte b. */
uint32_t hf_byte_char(unsigned char b);
/* The byte of code point cp in that alphabet, or -1. */
int hf_char_byte(uint32_t cp);
/* Appends the byte-level form of s[0..n) (each byte as its character). */
void hf_byte_level_map(const char *s, size_t n, TextBuf *out);

/* Pieces of text: spans into base, which is the stretch itself (owner -1)
 * or one of the scratch's two texts that a step wrote (owner 0 or 1). */
typedef struct {
    const char *base;
    TextSpan *spans; /* (cap) owned */
    size_t n, cap;
    int owner;
} HfPieces;

/* A pending merge: the pair at symbol pos, of this rank. */
typedef struct {
    int rank, pos;
} HfHeapItem;

/* Scratch space of one encode call: reused buffers, and the tokenizer's word
 * cache while the call holds its lock. Everything else owned. */
typedef struct HfScratch {
    int *sym, *prev, *next; /* (sym_cap) a word's symbols as a linked list */
    size_t sym_cap;
    HfHeapItem *heap; /* (heap_cap) pending merges */
    size_t heap_cap;
    TextBuf mapped;              /* a word in the byte-level alphabet */
    HfPieces pieces[2];          /* a pre-tokenizer step's input and output */
    TextBuf texts[2];            /* text that rewriting steps wrote */
    pcre2_match_data *md;        /* room for one match */
    pcre2_match_context *mctx;   /* its match limit set before each match */
    HfWordCache *cache;          /* the tokenizer's, or NULL (another call has it) */
    pthread_mutex_t *cache_lock; /* held when cache is set */
} HfScratch;

/* Scratch space for encoding with t; takes t's word cache when free. */
HfScratch *hf_scratch_new(const HfTokenizer *t);
void hf_scratch_free(HfScratch *s); /* accepts NULL; gives the cache back */
void hf_word_cache_init(HfWordCache *c);
void hf_word_cache_free(HfWordCache *c);

/* Appends the BPE ids of one pre-tokenized word w[0..n); to_map says the
 * word still has to go through the byte-level alphabet (each byte one
 * starting symbol). */
void hf_bpe_encode_word(const HfTokenizer *t, HfScratch *s, const char *w, size_t n, int to_map,
                        IdBuf *out);

/* ---- hf_added.c: added tokens ---- */
void hf_trie_add(HfTrie *trie, const char *s, size_t n, int added);
void hf_trie_free(HfTrie *trie);
/* A stretch of text: bytes [start, start + len), an added token when
 * added >= 0 (its index), else text to normalize and tokenize. */
typedef struct {
    size_t start, len;
    int added;
} HfSegment;
/* Splits text[0..n) by the trie's tokens as the reference's added vocabulary
 * does (leftmost-longest, single_word, lstrip, rstrip); appends to *segs
 * (*n_segs of *cap_segs, grown with xrealloc). Empty stretches are left out. */
void hf_added_split(const HfTokenizer *t, const HfTrie *trie, const char *text, size_t n,
                    HfSegment **segs, size_t *n_segs, size_t *cap_segs);

/* ---- hf_pipeline.c: normalizers, pre-tokenizers ---- */
/* The normalized form of text[0..n) (valid UTF-8) after every normalizer:
 * text itself when nothing changes it, else a string in *owned (freed by
 * the caller with free()). *out_len gets its bytes. */
const char *hf_normalize_text(const HfTokenizer *t, const char *text, size_t n, char **owned,
                              size_t *out_len);
/* Normalizes a string with the tokenizer's normalizers into a new string
 * (used for added tokens with normalized = true). Caller frees. */
char *hf_normalize_copy(const HfTokenizer *t, const char *s, size_t n, size_t *out_len);
/* Pre-tokenizes text[0..n) and appends the model's ids of each piece. */
void hf_tokenize_stretch(const HfTokenizer *t, HfScratch *s, const char *text, size_t n,
                         IdBuf *out);
/* Whether cp has Unicode's White_Space property / is a word character as
 * regex \w counts them (letters, marks, decimal digits, connectors). */
int hf_is_white_space(int32_t cp);
int hf_is_word_char(int32_t cp);

#endif
