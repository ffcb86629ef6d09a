/* spm_pieces.c: see spm.h (piece maps, the user-defined trie, piece
 * lookups, the piece accessors). */
#include "text/spm.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "base/util.h"

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void piece_map_init(PieceMap *m, size_t count) {
    size_t cap = 16;
    while (cap < 2 * count)
        cap = mul_size_checked(cap, 2, "piece map");
    m->slots = xmalloc(mul_size_checked(cap, sizeof(int), "piece map"));
    for (size_t i = 0; i < cap; i++)
        m->slots[i] = -1;
    m->mask = cap - 1;
}

int piece_map_find(const SpmModel *t, const PieceMap *m, const char *s, size_t n) {
    for (size_t i = hash_bytes(s, n) & m->mask;; i = (i + 1) & m->mask) {
        int id = m->slots[i];
        if (id < 0) return -1;
        if (t->piece_len[id] == n && memcmp(t->piece[id], s, n) == 0) return id;
    }
}

int piece_map_insert(const SpmModel *t, PieceMap *m, int id) {
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

int piece_lookup_id(const SpmModel *t, const char *s, size_t n) {
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

void piece_trie_insert(Trie *tr, const char *s, size_t n) {
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

size_t piece_user_defined_prefix_len(const SpmModel *t, const char *s, size_t n) {
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

int piece_byte_value(const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return -1;
    const char *hi = s[3] ? strchr(hex, s[3]) : NULL;
    const char *lo = s[4] ? strchr(hex, s[4]) : NULL;
    if (!hi || !lo) return -1;
    return (int)((hi - hex) * 16 + (lo - hex));
}

int spm_vocab_size(const SpmModel *t) {
    return t->n_pieces;
}

const char *spm_piece(const SpmModel *t, int id) {
    return id >= 0 && id < t->n_pieces ? t->piece[id] : NULL;
}

int spm_piece_to_id(const SpmModel *t, const char *piece) {
    size_t n = strlen(piece);
    int id = piece_map_find(t, &t->reserved, piece, n);
    return id >= 0 ? id : piece_map_find(t, &t->normal, piece, n);
}

int spm_bos(const SpmModel *t) {
    return t->bos;
}
int spm_eos(const SpmModel *t) {
    return t->eos;
}
