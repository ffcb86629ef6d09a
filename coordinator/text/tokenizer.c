/* tokenizer.c: see tokenizer.h.
 *
 * Encoding is sentencepiece's pipeline, step for step, because ids must match
 * it exactly:
 *   normalize_text   identity rule: ' ' -> U+2581, dummy prefix, invalid UTF-8
 *                    bytes -> U+FFFD, optional removal of extra whitespace
 *   split_symbols    one symbol per UTF-8 character; user-defined pieces are
 *                    matched first (longest) and never merged
 *   merge_symbols    repeatedly merge the adjacent pair whose concatenation is
 *                    the highest-scoring piece (ties: leftmost), with a heap of
 *                    candidate pairs and a linked list of symbols: O(n log n)
 *   emit_symbols     unused pieces split back into what formed them, unknown
 *                    symbols -> <0xNN> byte pieces (byte fallback) or one <unk>
 */
#include "text/tokenizer.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sentencepiece_model.pb-c.h"
#include "base/util.h"
#include "text/utf8.h"

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

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void piece_map_init(PieceMap *m, size_t count) {
    size_t cap = 16;
    while (cap < 2 * count) cap = mul_size_checked(cap, 2, "piece map");
    m->slots = xmalloc(mul_size_checked(cap, sizeof(int), "piece map"));
    for (size_t i = 0; i < cap; i++) m->slots[i] = -1;
    m->mask = cap - 1;
}

/* Id of the piece with text s[0..n) in m, or -1. */
static int piece_map_find(const Tokenizer *t, const PieceMap *m, const char *s, size_t n) {
    for (size_t i = hash_bytes(s, n) & m->mask;; i = (i + 1) & m->mask) {
        int id = m->slots[i];
        if (id < 0) return -1;
        if (t->piece_len[id] == n && memcmp(t->piece[id], s, n) == 0) return id;
    }
}

/* Adds piece id; returns 0 when a piece with the same text is already there. */
static int piece_map_insert(const Tokenizer *t, PieceMap *m, int id) {
    const char *s = t->piece[id];
    size_t n = t->piece_len[id];
    size_t i = hash_bytes(s, n) & m->mask;
    for (; m->slots[i] >= 0; i = (i + 1) & m->mask) {
        int other = m->slots[i];
        if (t->piece_len[other] == n && memcmp(t->piece[other], s, n) == 0) return 0;
    }
    m->slots[i] = id;
    return 1;
}

/* The id the model gives the text s[0..n): reserved pieces first, then
 * ordinary ones, else <unk>. */
static int lookup_piece_id(const Tokenizer *t, const char *s, size_t n) {
    int id = piece_map_find(t, &t->reserved, s, n);
    if (id < 0) id = piece_map_find(t, &t->normal, s, n);
    return id < 0 ? t->unk : id;
}

static int trie_add_node(Trie *tr, unsigned char byte) {
    if (tr->n == tr->cap) {
        if (tr->cap > INT_MAX / 2) die_runtime("tokenizer: too many user-defined pieces");
        tr->cap = tr->cap ? 2 * tr->cap : 64;
        tr->nodes = xrealloc(tr->nodes, (size_t)tr->cap * sizeof *tr->nodes);
    }
    tr->nodes[tr->n] = (TrieNode){.first_child = -1, .next_sibling = -1, .byte = byte};
    return tr->n++;
}

static int trie_child(const Trie *tr, int node, unsigned char byte) {
    for (int c = tr->nodes[node].first_child; c >= 0; c = tr->nodes[c].next_sibling)
        if (tr->nodes[c].byte == byte) return c;
    return -1;
}

static void trie_insert(Trie *tr, const char *s, size_t n) {
    if (tr->n == 0) trie_add_node(tr, 0);
    int node = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        int child = trie_child(tr, node, b);
        if (child < 0) {
            child = trie_add_node(tr, b);
            tr->nodes[child].next_sibling = tr->nodes[node].first_child;
            tr->nodes[node].first_child = child;
        }
        node = child;
    }
    tr->nodes[node].ends_piece = 1;
}

/* Length of the longest user-defined piece that s[0..n) starts with, or 0. */
static size_t user_defined_prefix_len(const Tokenizer *t, const char *s, size_t n) {
    if (!t->has_user_defined) return 0;
    const Trie *tr = &t->user_defined;
    size_t longest = 0;
    int node = 0;
    for (size_t i = 0; i < n; i++) {
        node = trie_child(tr, node, (unsigned char)s[i]);
        if (node < 0) break;
        if (tr->nodes[node].ends_piece) longest = i + 1;
    }
    return longest;
}

/* The byte a piece "<0xNN>" (upper-case hex) stands for, or -1. */
static int byte_of_piece(const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return -1;
    const char *hi = s[3] ? strchr(hex, s[3]) : NULL;
    const char *lo = s[4] ? strchr(hex, s[4]) : NULL;
    if (!hi || !lo) return -1;
    return (int)((hi - hex) * 16 + (lo - hex));
}

static const char *model_type_name(int type) {
    switch (type) {
    case SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__UNIGRAM: return "unigram";
    case SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__BPE: return "bpe";
    case SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__WORD: return "word";
    case SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__CHAR: return "char";
    default: return "unknown";
    }
}

static Sentencepiece__ModelProto *unpack_model(const char *source, const uint8_t *data, size_t n) {
    Sentencepiece__ModelProto *proto = sentencepiece__model_proto__unpack(NULL, n, data);
    if (!proto)
        die_input("%s: not a SentencePiece model (the protobuf does not parse: truncated or "
                  "corrupt file)",
                  source);
    return proto;
}

/* Refuses what the tokenizer cannot reproduce exactly. */
static void check_model_supported(const char *path, const Sentencepiece__ModelProto *proto) {
    if (proto->n_pieces == 0)
        die_input("%s: not a SentencePiece model (no pieces; empty, truncated or corrupt file)",
                  path);
    if (proto->n_pieces > INT_MAX / 4)
        die_input("%s: too many pieces (%zu)", path, proto->n_pieces);
    if (!proto->trainer_spec || !proto->normalizer_spec)
        die_input("%s: not a complete SentencePiece model (no %s; truncated file?)", path,
                  !proto->trainer_spec ? "trainer_spec" : "normalizer_spec");
    int type = proto->trainer_spec->model_type;
    if (type != SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__BPE)
        die_input("%s: %s model (type %d): only BPE models are supported; unigram, word and char "
                  "models are not supported yet",
                  path, model_type_name(type), type);
    const Sentencepiece__NormalizerSpec *norm = proto->normalizer_spec;
    if (norm->has_precompiled_charsmap && norm->precompiled_charsmap.len > 0)
        die_input("%s: normalization rule '%s' is not supported (only identity)", path,
                  norm->name ? norm->name : "");
    const Sentencepiece__NormalizerSpec *denorm = proto->denormalizer_spec;
    if (denorm && denorm->has_precompiled_charsmap && denorm->precompiled_charsmap.len > 0)
        die_input("%s: denormalization rules are not supported", path);
}

static void read_piece_table(Tokenizer *t, const char *path) {
    const Sentencepiece__ModelProto *proto = t->proto;
    int n = t->n_pieces;
    t->piece = xmalloc((size_t)n * sizeof *t->piece);
    t->piece_len = xmalloc((size_t)n * sizeof *t->piece_len);
    t->score = xmalloc((size_t)n * sizeof *t->score);
    t->type = xmalloc((size_t)n);
    for (int i = 0; i < n; i++) {
        const Sentencepiece__ModelProto__SentencePiece *p = proto->pieces[i];
        int type = p->has_type ? (int)p->type : PIECE_NORMAL;
        if (!p->piece || !p->piece[0]) die_input("%s: piece %d is empty", path, i);
        if (type < PIECE_NORMAL || type > PIECE_BYTE)
            die_input("%s: piece %d has unknown type %d", path, i, type);
        t->piece[i] = p->piece;
        t->piece_len[i] = strlen(p->piece);
        t->score[i] = p->has_score ? p->score : 0.0f;
        t->type[i] = (unsigned char)type;
    }
}

static int is_mergeable_type(int type) {
    return type == PIECE_NORMAL || type == PIECE_USER_DEFINED || type == PIECE_UNUSED;
}

/* Fills the maps, the user-defined trie, <unk> and the byte pieces, refusing
 * what sentencepiece refuses: duplicate pieces, no or two <unk>, malformed byte
 * pieces, byte pieces without byte fallback or fallback without all 256. */
static void index_pieces(Tokenizer *t, const char *path) {
    int n = t->n_pieces;
    piece_map_init(&t->normal, (size_t)n);
    piece_map_init(&t->reserved, (size_t)n);
    t->unk = -1;
    for (int b = 0; b < 256; b++) t->byte_piece[b] = -1;
    for (int i = 0; i < n; i++) {
        int type = t->type[i];
        int mergeable = is_mergeable_type(type);
        if (!piece_map_insert(t, mergeable ? &t->normal : &t->reserved, i))
            die_input("%s: piece %d '%s' is defined twice", path, i, t->piece[i]);
        if (mergeable && t->piece_len[i] > t->max_normal_len) t->max_normal_len = t->piece_len[i];
        if (type == PIECE_USER_DEFINED) {
            trie_insert(&t->user_defined, t->piece[i], t->piece_len[i]);
            t->has_user_defined = 1;
        }
        if (type == PIECE_UNUSED) t->has_unused = 1;
        if (type == PIECE_UNKNOWN) {
            if (t->unk >= 0) die_input("%s: two unknown pieces (%d and %d)", path, t->unk, i);
            t->unk = i;
        }
        if (type == PIECE_BYTE) {
            int b = byte_of_piece(t->piece[i], t->piece_len[i]);
            if (b < 0) die_input("%s: byte piece %d '%s' is malformed", path, i, t->piece[i]);
            if (!t->byte_fallback)
                die_input("%s: byte piece %d '%s' in a model without byte_fallback", path, i,
                          t->piece[i]);
            t->byte_piece[b] = i;
        }
    }
    if (t->unk < 0) die_input("%s: the model has no unknown piece", path);
    if (t->byte_fallback)
        for (int b = 0; b < 256; b++)
            if (t->byte_piece[b] < 0)
                die_input("%s: byte_fallback is set but piece <0x%02X> is missing", path, b);
}

/* A special piece's id as sentencepiece reports it: the piece named in the
 * trainer spec (or the usual name when that is empty) if it is a control
 * piece, else -1. */
static int control_piece_id(const Tokenizer *t, const char *name, const char *usual) {
    if (!name || !name[0]) name = usual;
    int id = lookup_piece_id(t, name, strlen(name));
    return t->type[id] == PIECE_CONTROL ? id : -1;
}

static void read_specs(Tokenizer *t) {
    const Sentencepiece__TrainerSpec *ts = t->proto->trainer_spec;
    const Sentencepiece__NormalizerSpec *ns = t->proto->normalizer_spec;
    t->byte_fallback = ts->byte_fallback;
    t->whitespace_as_suffix = ts->treat_whitespace_as_suffix;
    t->unk_surface = ts->unk_surface ? ts->unk_surface : " \xe2\x81\x87 ";
    t->add_dummy_prefix = ns->add_dummy_prefix;
    t->remove_extra_whitespaces = ns->remove_extra_whitespaces;
    t->escape_whitespaces = ns->escape_whitespaces;
}

Tokenizer *tokenizer_load_bytes(const char *source, const uint8_t *data, size_t n) {
    Sentencepiece__ModelProto *proto = unpack_model(source, data, n);
    check_model_supported(source, proto);
    Tokenizer *t = xcalloc(1, sizeof *t);
    t->proto = proto;
    t->n_pieces = (int)proto->n_pieces;
    read_specs(t);
    read_piece_table(t, source);
    index_pieces(t, source);
    t->bos = control_piece_id(t, proto->trainer_spec->bos_piece, "<s>");
    t->eos = control_piece_id(t, proto->trainer_spec->eos_piece, "</s>");
    return t;
}

Tokenizer *tokenizer_load(const char *path) {
    size_t len = 0;
    char *bytes = read_file_text(path, &len);
    Tokenizer *t = tokenizer_load_bytes(path, (const uint8_t *)bytes, len);
    free(bytes);
    return t;
}

void tokenizer_free(Tokenizer *t) {
    if (!t) return;
    free(t->piece);
    free(t->piece_len);
    free(t->score);
    free(t->type);
    free(t->normal.slots);
    free(t->reserved.slots);
    free(t->user_defined.nodes);
    sentencepiece__model_proto__free_unpacked(t->proto, NULL);
    free(t);
}

typedef struct {
    char *data;
    size_t len, cap;
} ByteBuf;

static void buf_reserve(ByteBuf *b, size_t extra) {
    size_t need = add_size_checked(add_size_checked(b->len, extra, "text"), 1, "text");
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = mul_size_checked(cap, 2, "text");
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

static void buf_append(ByteBuf *b, const char *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Caller frees the returned string (never NULL, NUL-terminated). */
static char *buf_take(ByteBuf *b) {
    buf_reserve(b, 0);
    b->data[b->len] = '\0';
    return b->data;
}

static void append_whitespace(const Tokenizer *t, ByteBuf *out) {
    if (t->escape_whitespaces)
        buf_append(out, SPACE_SYMBOL, SPACE_SYMBOL_LEN);
    else
        buf_append(out, " ", 1);
}

/* The next unit of input as the normalizer reads it: a user-defined piece, a
 * valid UTF-8 character, or one invalid byte read as U+FFFD. Sets *unit and
 * *unit_len to its normalized text; returns the input bytes it covers. */
static size_t next_input_unit(const Tokenizer *t, const char *s, size_t n, const char **unit,
                              size_t *unit_len) {
    size_t len = user_defined_prefix_len(t, s, n);
    if (len == 0) len = utf8_valid_char_len((const unsigned char *)s, n);
    if (len == 0) {
        *unit = REPLACEMENT_CHAR;
        *unit_len = REPLACEMENT_CHAR_LEN;
        return 1;
    }
    *unit = s;
    *unit_len = len;
    return len;
}

static int ends_with(const ByteBuf *b, const char *s, size_t n) {
    return b->len >= n && memcmp(b->data + b->len - n, s, n) == 0;
}

/* Returns the bytes of text[0..n) after leading spaces when the model removes
 * extra whitespace, else 0. */
static size_t skip_leading_spaces(const Tokenizer *t, const char *text, size_t n) {
    size_t pos = 0;
    while (t->remove_extra_whitespaces && pos < n) {
        const char *unit;
        size_t unit_len;
        size_t used = next_input_unit(t, text + pos, n - pos, &unit, &unit_len);
        if (unit_len != 1 || unit[0] != ' ') break;
        pos += used;
    }
    return pos;
}

/* Sentencepiece's normalizer with the identity rule. Empty text (or only
 * removed spaces) normalizes to "" with no dummy prefix. Caller frees. */
static char *normalize_text(const Tokenizer *t, const char *text, size_t n, size_t *out_len) {
    ByteBuf out = {0};
    size_t pos = skip_leading_spaces(t, text, n);
    if (pos < n) {
        /* Each input byte yields at most 3 output bytes, plus two U+2581. */
        buf_reserve(&out, add_size_checked(mul_size_checked(n - pos, 3, "text"), 6, "text"));
        if (!t->whitespace_as_suffix && t->add_dummy_prefix) append_whitespace(t, &out);
        int is_prev_space = t->remove_extra_whitespaces;
        while (pos < n) {
            const char *unit;
            size_t unit_len;
            pos += next_input_unit(t, text + pos, n - pos, &unit, &unit_len);
            while (is_prev_space && unit_len > 0 && unit[0] == ' ') unit++, unit_len--;
            if (unit_len > 0) {
                for (size_t i = 0; i < unit_len; i++) {
                    if (t->escape_whitespaces && unit[i] == ' ')
                        buf_append(&out, SPACE_SYMBOL, SPACE_SYMBOL_LEN);
                    else
                        buf_append(&out, unit + i, 1);
                }
                is_prev_space = unit[unit_len - 1] == ' ';
            }
            if (!t->remove_extra_whitespaces) is_prev_space = 0;
        }
        if (t->remove_extra_whitespaces) {
            const char *ws = t->escape_whitespaces ? SPACE_SYMBOL : " ";
            size_t ws_len = t->escape_whitespaces ? SPACE_SYMBOL_LEN : 1;
            while (ends_with(&out, ws, ws_len)) out.len -= ws_len;
        }
        if (t->whitespace_as_suffix && t->add_dummy_prefix) append_whitespace(t, &out);
    }
    *out_len = out.len;
    return buf_take(&out);
}

typedef struct {
    size_t start, len; /* bytes of the normalized text; len 0 once merged away */
    int prev, next;    /* neighbours in the list, -1 at either end */
    int frozen;        /* a user-defined piece: never merged */
} Symbol;

typedef struct {
    Symbol *items;
    int n;
} SymbolList;

/* A merge that was possible when pushed; stale once either side changed. */
typedef struct {
    float score;
    int left, right;
    size_t len; /* bytes of the merged piece */
} PairCandidate;

typedef struct {
    PairCandidate *items;
    size_t n, cap;
} PairHeap;

/* For an unused piece that a merge formed: the two halves it was formed from
 * (the right half starts where the left ends). */
typedef struct {
    size_t left_start, left_len, right_len;
    int set;
} UnusedSplit;

/* Higher score first; equal scores: leftmost first. */
static int pair_before(const PairCandidate *a, const PairCandidate *b) {
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

static void heap_push(PairHeap *h, PairCandidate c) {
    if (h->n == h->cap) {
        h->cap = h->cap ? mul_size_checked(h->cap, 2, "merge heap") : 256;
        h->items = xrealloc(h->items, mul_size_checked(h->cap, sizeof *h->items, "merge heap"));
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!pair_before(&c, &h->items[parent])) break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = c;
}

/* Removes and returns the best candidate; the heap must not be empty. */
static PairCandidate heap_pop(PairHeap *h) {
    PairCandidate top = h->items[0];
    PairCandidate last = h->items[--h->n];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->n) break;
        if (child + 1 < h->n && pair_before(&h->items[child + 1], &h->items[child])) child++;
        if (!pair_before(&h->items[child], &last)) break;
        h->items[i] = h->items[child];
        i = child;
    }
    if (h->n > 0) h->items[i] = last;
    return top;
}

/* One symbol per character of the normalized text, user-defined pieces
 * first. Caller frees list->items. */
static SymbolList split_symbols(const Tokenizer *t, const char *norm, size_t norm_len) {
    SymbolList list = {
        xmalloc(mul_size_checked(norm_len ? norm_len : 1, sizeof(Symbol), "symbols")), 0};
    size_t pos = 0;
    while (pos < norm_len) {
        size_t len = user_defined_prefix_len(t, norm + pos, norm_len - pos);
        int frozen = len > 0;
        if (!frozen) len = utf8_lead_char_len((unsigned char)norm[pos], norm_len - pos);
        int i = list.n++;
        list.items[i] = (Symbol){.start = pos, .len = len, .prev = i - 1, .frozen = frozen};
        pos += len;
        list.items[i].next = pos < norm_len ? i + 1 : -1;
    }
    return list;
}

/* Queues the merge of symbols left and right when their concatenation is a
 * piece, noting how an unused piece was formed. */
static void push_pair_if_piece(const Tokenizer *t, const char *norm, const SymbolList *list,
                               PairHeap *heap, UnusedSplit *splits, int left, int right) {
    if (left < 0 || right < 0) return;
    const Symbol *l = &list->items[left], *r = &list->items[right];
    if (l->frozen || r->frozen) return;
    size_t len = l->len + r->len;
    if (len > t->max_normal_len) return;
    int id = piece_map_find(t, &t->normal, norm + l->start, len);
    if (id < 0) return;
    heap_push(heap,
              (PairCandidate){.score = t->score[id], .left = left, .right = right, .len = len});
    if (splits && t->type[id] == PIECE_UNUSED)
        splits[id] = (UnusedSplit){
            .left_start = l->start, .left_len = l->len, .right_len = r->len, .set = 1};
}

static void merge_symbols(const Tokenizer *t, const char *norm, SymbolList *list,
                          UnusedSplit *splits) {
    PairHeap heap = {0};
    for (int i = 1; i < list->n; i++) push_pair_if_piece(t, norm, list, &heap, splits, i - 1, i);
    while (heap.n > 0) {
        PairCandidate top = heap_pop(&heap);
        Symbol *l = &list->items[top.left], *r = &list->items[top.right];
        if (l->len == 0 || r->len == 0 || l->len + r->len != top.len) continue;
        l->len += r->len;
        l->next = r->next;
        if (r->next >= 0) list->items[r->next].prev = top.left;
        r->len = 0;
        push_pair_if_piece(t, norm, list, &heap, splits, l->prev, top.left);
        push_pair_if_piece(t, norm, list, &heap, splits, top.left, l->next);
    }
    free(heap.items);
}

typedef struct {
    int *ids;
    int n;
    int prev_unknown; /* the last piece emitted was <unk> */
} IdSink;

/* Emits the piece s[0..len) whose id is id, as sentencepiece turns its segments
 * into ids: unknown text becomes byte pieces with byte fallback, and a run of
 * unknown segments becomes one <unk> without it. */
static void emit_piece(const Tokenizer *t, const char *s, size_t len, int id, IdSink *sink) {
    int is_unknown = t->type[id] == PIECE_UNKNOWN;
    if (is_unknown && t->byte_fallback) {
        for (size_t i = 0; i < len; i++) sink->ids[sink->n++] = t->byte_piece[(unsigned char)s[i]];
    } else if (!(is_unknown && sink->prev_unknown)) {
        sink->ids[sink->n++] = id;
    }
    sink->prev_unknown = is_unknown;
}

typedef struct {
    size_t start, len;
} Span;

/* Emits one merged symbol, splitting unused pieces back into the halves that
 * formed them (depth-first, left half first). stack is scratch space that
 * grows as needed; the caller frees it. */
static void emit_symbol(const Tokenizer *t, const char *norm, const Symbol *sym,
                        const UnusedSplit *splits, Span **stack, size_t *stack_cap, IdSink *sink) {
    size_t depth = 0;
    (*stack)[depth++] = (Span){sym->start, sym->len};
    while (depth > 0) {
        Span s = (*stack)[--depth];
        int id = lookup_piece_id(t, norm + s.start, s.len);
        if (!splits || t->type[id] != PIECE_UNUSED || !splits[id].set) {
            emit_piece(t, norm + s.start, s.len, id, sink);
            continue;
        }
        const UnusedSplit *u = &splits[id];
        if (depth + 2 > *stack_cap) {
            *stack_cap = mul_size_checked(*stack_cap, 2, "split stack");
            *stack = xrealloc(*stack, mul_size_checked(*stack_cap, sizeof **stack, "split stack"));
        }
        (*stack)[depth++] = (Span){u->left_start + u->left_len, u->right_len};
        (*stack)[depth++] = (Span){u->left_start, u->left_len};
    }
}

static void emit_symbols(const Tokenizer *t, const char *norm, const SymbolList *list,
                         const UnusedSplit *splits, IdSink *sink) {
    size_t stack_cap = 16;
    Span *stack = xmalloc(stack_cap * sizeof *stack);
    for (int i = list->n > 0 ? 0 : -1; i >= 0; i = list->items[i].next)
        emit_symbol(t, norm, &list->items[i], splits, &stack, &stack_cap, sink);
    free(stack);
}

int tokenizer_encode(const Tokenizer *t, const char *text, int add_bos, int **ids) {
    size_t norm_len = 0;
    char *norm = normalize_text(t, text, strlen(text), &norm_len);
    /* Every piece covers at least one byte, so norm_len + 1 ids always fit. */
    if (norm_len >= (size_t)INT_MAX - 1)
        die_input("tokenizer: text of %zu bytes is too long to encode", strlen(text));
    SymbolList list = split_symbols(t, norm, norm_len);
    UnusedSplit *splits = t->has_unused ? xcalloc((size_t)t->n_pieces, sizeof *splits) : NULL;
    merge_symbols(t, norm, &list, splits);
    IdSink sink = {xmalloc((norm_len + 1) * sizeof(int)), 0, 0};
    if (add_bos && t->bos >= 0) sink.ids[sink.n++] = t->bos;
    emit_symbols(t, norm, &list, splits, &sink);
    free(splits);
    free(list.items);
    free(norm);
    *ids = sink.ids;
    return sink.n;
}

/* Out-of-range ids read as <unk>, so decoding never fails. */
static int piece_type_of(const Tokenizer *t, int id) {
    return id >= 0 && id < t->n_pieces ? t->type[id] : PIECE_UNKNOWN;
}

/* Appends s[0..n) with every U+2581 turned back into ' '. */
static void append_unescaped(ByteBuf *out, const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (n - i >= SPACE_SYMBOL_LEN && memcmp(s + i, SPACE_SYMBOL, SPACE_SYMBOL_LEN) == 0) {
            buf_append(out, " ", 1);
            i += SPACE_SYMBOL_LEN;
        } else {
            buf_append(out, s + i, 1);
            i++;
        }
    }
}

/* Appends the bytes of byte pieces ids[from..to) as text: each valid UTF-8
 * character as is, each byte that is not part of one as U+FFFD. */
static void append_byte_run(const Tokenizer *t, const int *ids, int from, int to, ByteBuf *out) {
    if (from >= to) return;
    size_t n = (size_t)(to - from);
    unsigned char *bytes = xmalloc(n);
    for (size_t i = 0; i < n; i++) {
        const int id = ids[from + (int)i];
        bytes[i] = (unsigned char)byte_of_piece(t->piece[id], t->piece_len[id]);
    }
    size_t pos = 0;
    while (pos < n) {
        size_t len = utf8_valid_char_len(bytes + pos, n - pos);
        if (len == 0) {
            buf_append(out, REPLACEMENT_CHAR, REPLACEMENT_CHAR_LEN);
            pos++;
        } else {
            buf_append(out, (const char *)bytes + pos, len);
            pos += len;
        }
    }
    free(bytes);
}

/* Whether a leading U+2581 at the start of the text is the dummy prefix that
 * decoding drops. */
static int drops_leading_space(const Tokenizer *t) {
    return t->add_dummy_prefix || t->remove_extra_whitespaces;
}

/* Appends the text of a piece that is not a byte piece. at_start: no text and
 * no dropped space yet. Returns whether it dropped a leading space. */
static int append_piece_text(const Tokenizer *t, int id, int at_start, ByteBuf *out) {
    int type = piece_type_of(t, id);
    if (type == PIECE_CONTROL) return 0;
    if (type == PIECE_UNKNOWN) {
        buf_append(out, t->unk_surface, strlen(t->unk_surface));
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

char *tokenizer_decode(const Tokenizer *t, const int *ids, int n) {
    ByteBuf out = {0};
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
    return buf_take(&out);
}

char *tokenizer_decode_piece(const Tokenizer *t, int prev, int id) {
    ByteBuf out = {0};
    if (piece_type_of(t, id) == PIECE_BYTE) {
        char byte = (char)byte_of_piece(t->piece[id], t->piece_len[id]);
        buf_append(&out, &byte, 1);
    } else {
        int at_start = prev == -1 || (t->bos >= 0 && prev == t->bos);
        append_piece_text(t, id, at_start, &out);
    }
    return buf_take(&out);
}

int tokenizer_vocab_size(const Tokenizer *t) { return t->n_pieces; }

const char *tokenizer_piece(const Tokenizer *t, int id) {
    return id >= 0 && id < t->n_pieces ? t->piece[id] : NULL;
}

int tokenizer_piece_to_id(const Tokenizer *t, const char *piece) {
    size_t n = strlen(piece);
    int id = piece_map_find(t, &t->reserved, piece, n);
    return id >= 0 ? id : piece_map_find(t, &t->normal, piece, n);
}

int tokenizer_bos(const Tokenizer *t) { return t->bos; }
int tokenizer_eos(const Tokenizer *t) { return t->eos; }
