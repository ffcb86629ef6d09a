/* vocab.c: see vocab.h. */
#include "text/vocab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* FNV-1a over the bytes. */
static uint64_t vocab_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

void vocab_init(Vocab *v, int n_ids) {
    if (n_ids < 0) die_runtime("vocab_init: negative size %d", n_ids);
    memset(v, 0, sizeof *v);
    v->n_ids = n_ids;
    v->tokens = xcalloc((size_t)n_ids + 1, sizeof *v->tokens);
    v->lens = xcalloc((size_t)n_ids + 1, sizeof *v->lens);
    size_t cap = 16;
    while (cap < 2 * (size_t)n_ids)
        cap *= 2; /* load factor <= 1/2 */
    v->slots = xmalloc(cap * sizeof *v->slots);
    memset(v->slots, 0xff, cap * sizeof *v->slots);
    v->mask = cap - 1;
}

void vocab_free(Vocab *v) {
    if (!v || !v->tokens) return;
    for (int i = 0; i < v->n_ids; i++)
        free(v->tokens[i]);
    free(v->tokens);
    free(v->lens);
    free(v->slots);
    memset(v, 0, sizeof *v);
}

/* The slot holding s, or the empty slot where it would go. */
static size_t vocab_slot(const Vocab *v, const char *s, size_t n) {
    size_t i = (size_t)vocab_hash(s, n) & v->mask;
    for (;;) {
        int id = v->slots[i];
        if (id < 0 || (v->lens[id] == n && memcmp(v->tokens[id], s, n) == 0)) return i;
        i = (i + 1) & v->mask;
    }
}

int vocab_set(Vocab *v, int id, const char *s, size_t n) {
    if (id < 0 || id >= v->n_ids || v->tokens[id]) return -1;
    size_t slot = vocab_slot(v, s, n);
    if (v->slots[slot] >= 0) return -2;
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    v->tokens[id] = copy;
    v->lens[id] = n;
    v->slots[slot] = id;
    v->n_set++;
    return id;
}

int vocab_find(const Vocab *v, const char *s, size_t n) {
    if (!v->slots) return -1;
    return v->slots[vocab_slot(v, s, n)];
}

const char *vocab_token(const Vocab *v, int id, size_t *len) {
    if (id < 0 || id >= v->n_ids || !v->tokens[id]) return NULL;
    if (len) *len = v->lens[id];
    return v->tokens[id];
}
