/* hf_bpe.c: see hf_internal.h (the BPE merge table, GPT-2's byte-level
 * alphabet, an encode call's scratch space, the word cache, and the BPE
 * model: a word's symbols merged lowest rank first through a heap). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/hf_internal.h"
#include "text/utf8.h"

#define HF_EMPTY_KEY UINT64_MAX

static size_t merge_hash(uint64_t key) {
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 31));
}

void hf_merge_map_init(HfMergeMap *m, size_t n_merges) {
    size_t cap = 16;
    while (cap < 2 * n_merges)
        cap = mul_size_checked(cap, 2, "merge table");
    m->slots = xmalloc(mul_size_checked(cap, sizeof *m->slots, "merge table"));
    for (size_t i = 0; i < cap; i++)
        m->slots[i].key = HF_EMPTY_KEY;
    m->mask = cap - 1;
    m->n = 0;
}

static size_t merge_slot(const HfMergeMap *m, uint64_t key) {
    size_t i = merge_hash(key) & m->mask;
    while (m->slots[i].key != HF_EMPTY_KEY && m->slots[i].key != key)
        i = (i + 1) & m->mask;
    return i;
}

void hf_merge_map_put(HfMergeMap *m, int a, int b, int rank, int new_id) {
    if ((size_t)m->n + 1 > (m->mask + 1) / 2) die_runtime("merge table: more merges than sized");
    uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    HfMergeSlot *s = &m->slots[merge_slot(m, key)];
    if (s->key == HF_EMPTY_KEY) m->n++;
    s->key = key;
    s->rank = rank;
    s->new_id = new_id;
}

const HfMergeSlot *hf_merge_map_get(const HfMergeMap *m, int a, int b) {
    if (!m->slots) return NULL;
    uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    const HfMergeSlot *s = &m->slots[merge_slot(m, key)];
    return s->key == key ? s : NULL;
}

void hf_merge_map_free(HfMergeMap *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* GPT-2's alphabet: the printable bytes ('!'..'~', 0xA1..0xAC, 0xAE..0xFF)
 * stand for themselves; the other 68, in byte order, are U+0100 onwards. */
uint32_t hf_byte_char(unsigned char b) {
    if (b <= 0x20) return 0x100 + b;
    if (b >= 0x7F && b <= 0xA0) return 0x100 + 33 + (b - 0x7F);
    if (b == 0xAD) return 0x100 + 67;
    return b;
}

int hf_char_byte(uint32_t cp) {
    if ((cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xAC) || (cp >= 0xAE && cp <= 0xFF))
        return (int)cp;
    if (cp >= 0x100 && cp <= 0x120) return (int)(cp - 0x100);
    if (cp >= 0x121 && cp <= 0x142) return (int)(cp - 0x121 + 0x7F);
    if (cp == 0x143) return 0xAD;
    return -1;
}

void hf_byte_level_map(const char *s, size_t n, TextBuf *out) {
    text_buf_reserve(out, mul_size_checked(n, 2, "byte-level text"));
    char *d = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = hf_byte_char((unsigned char)s[i]);
        if (cp < 0x80) {
            *d++ = (char)cp;
        } else {
            *d++ = (char)(0xC0 | (cp >> 6));
            *d++ = (char)(0x80 | (cp & 0x3F));
        }
    }
    out->len = (size_t)(d - out->data);
    *d = '\0';
}

void hf_word_cache_init(HfWordCache *c) {
    memset(c, 0, sizeof *c);
    c->slots = xcalloc(65536, sizeof *c->slots);
    c->mask = 65535;
}

void hf_word_cache_free(HfWordCache *c) {
    free(c->slots);
    free(c->keys.data);
    id_buf_free(&c->ids);
    memset(c, 0, sizeof *c);
}

HfScratch *hf_scratch_new(const HfTokenizer *t) {
    HfScratch *s = xcalloc(1, sizeof *s);
    s->md = pcre2_match_data_create(1, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    if (!s->md || !s->mctx) die_runtime("out of memory (regex match data)");
    /* The tokenizer is const to its callers: the cache lock is the one
     * thing an encode call changes in it. */
    pthread_mutex_t *lock = (pthread_mutex_t *)&t->cache_lock;
    if (t->cache.slots && pthread_mutex_trylock(lock) == 0) {
        s->cache = (HfWordCache *)&t->cache;
        s->cache_lock = lock;
    }
    return s;
}

void hf_scratch_free(HfScratch *s) {
    if (!s) return;
    if (s->cache_lock) pthread_mutex_unlock(s->cache_lock);
    free(s->sym);
    free(s->prev);
    free(s->next);
    free(s->heap);
    free(s->mapped.data);
    for (int i = 0; i < 2; i++) {
        free(s->pieces[i].spans);
        free(s->texts[i].data);
    }
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    free(s);
}

static uint64_t word_hash(const char *w, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)w[i];
        h *= 1099511628211ull;
    }
    return h | 1; /* never 0 */
}

static HfCacheSlot *cache_find(HfWordCache *c, uint64_t h, const char *w, size_t n) {
    size_t i = (size_t)h & c->mask;
    for (;;) {
        HfCacheSlot *e = &c->slots[i];
        if (!e->key_len) return e;
        if (e->hash == h && e->key_len == n && memcmp(c->keys.data + e->key_off, w, n) == 0)
            return e;
        i = (i + 1) & c->mask;
    }
}

static void cache_store(HfWordCache *c, uint64_t h, const char *w, size_t n, const int *ids,
                        size_t n_ids) {
    if (c->used + 1 > (c->mask + 1) / 2 || c->keys.len > (1u << 30) ||
        c->ids.n > (1u << 28)) { /* full: start over */
        memset(c->slots, 0, (c->mask + 1) * sizeof *c->slots);
        c->used = 0;
        c->keys.len = 0;
        c->ids.n = 0;
    }
    HfCacheSlot *e = cache_find(c, h, w, n);
    e->hash = h;
    e->key_off = (uint32_t)c->keys.len;
    e->key_len = (uint32_t)n;
    text_buf_append(&c->keys, w, n);
    e->ids_off = (uint32_t)c->ids.n;
    e->n_ids = (uint32_t)n_ids;
    if (n_ids) id_buf_append(&c->ids, ids, n_ids);
    c->used++;
}

static void scratch_reserve_word(HfScratch *s, size_t n) {
    if (n <= s->sym_cap) return;
    size_t cap = s->sym_cap ? s->sym_cap : 64;
    while (cap < n)
        cap = mul_size_checked(cap, 2, "word symbols");
    s->sym = xrealloc(s->sym, mul_size_checked(cap, sizeof(int), "word symbols"));
    s->prev = xrealloc(s->prev, cap * sizeof(int));
    s->next = xrealloc(s->next, cap * sizeof(int));
    s->heap = xrealloc(s->heap, mul_size_checked(cap, 3 * sizeof(HfHeapItem), "merge heap"));
    s->sym_cap = cap;
    s->heap_cap = 3 * cap;
}

static int heap_less(HfHeapItem a, HfHeapItem b) {
    return a.rank < b.rank || (a.rank == b.rank && a.pos < b.pos);
}

static void heap_push(HfHeapItem *h, size_t *n, HfHeapItem it) {
    size_t i = (*n)++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!heap_less(it, h[up])) break;
        h[i] = h[up];
        i = up;
    }
    h[i] = it;
}

static HfHeapItem heap_pop(HfHeapItem *h, size_t *n) {
    HfHeapItem top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && heap_less(h[c + 1], h[c])) c++;
        if (!heap_less(h[c], last)) break;
        h[i] = h[c];
        i = c;
    }
    if (*n) h[i] = last;
    return top;
}

static void push_pair(const HfTokenizer *t, HfScratch *s, size_t *n_heap, int pos) {
    int nx = s->next[pos];
    if (nx < 0) return;
    const HfMergeSlot *m = hf_merge_map_get(&t->merges, s->sym[pos], s->sym[nx]);
    if (m) heap_push(s->heap, n_heap, (HfHeapItem){m->rank, pos});
}

/* A word's starting symbols: one per byte (to_map) or per character; a
 * character without a token is the unknown token (fused with an unknown
 * one before it when fuse_unk) or, without one, dropped. */
static int word_symbols(const HfTokenizer *t, HfScratch *s, const char *w, size_t n, int to_map) {
    int m = 0, prev_unk = 0;
    for (size_t i = 0; i < n;) {
        int id;
        if (to_map) {
            id = t->byte_ids[(unsigned char)w[i]];
            i++;
        } else {
            size_t len = utf8_lead_char_len((unsigned char)w[i], n - i);
            id = vocab_find(&t->vocab, w + i, len);
            i += len;
        }
        if (id >= 0) {
            s->sym[m++] = id;
            prev_unk = 0;
        } else if (t->unk_id >= 0) {
            if (!(t->fuse_unk && prev_unk)) s->sym[m++] = t->unk_id;
            prev_unk = 1;
        }
    }
    return m;
}

static void bpe_word(const HfTokenizer *t, HfScratch *s, const char *w, size_t n, int to_map,
                     IdBuf *out) {
    if (t->ignore_merges) {
        const char *key = w;
        size_t key_len = n;
        if (to_map) {
            s->mapped.len = 0;
            hf_byte_level_map(w, n, &s->mapped);
            key = s->mapped.data;
            key_len = s->mapped.len;
        }
        int id = vocab_find(&t->vocab, key, key_len);
        if (id >= 0) {
            id_buf_push(out, id);
            return;
        }
    }
    scratch_reserve_word(s, n);
    int m = word_symbols(t, s, w, n, to_map);
    if (m == 0) return;
    for (int i = 0; i < m; i++) {
        s->prev[i] = i - 1;
        s->next[i] = i + 1 < m ? i + 1 : -1;
    }
    size_t n_heap = 0;
    for (int i = 0; i + 1 < m; i++)
        push_pair(t, s, &n_heap, i);
    while (n_heap) {
        HfHeapItem it = heap_pop(s->heap, &n_heap);
        int pos = it.pos, nx = s->next[pos];
        if (s->sym[pos] < 0 || nx < 0) continue; /* merged away since */
        const HfMergeSlot *mg = hf_merge_map_get(&t->merges, s->sym[pos], s->sym[nx]);
        if (!mg || mg->rank != it.rank) continue; /* the pair changed since */
        s->sym[pos] = mg->new_id;
        s->sym[nx] = -1;
        s->next[pos] = s->next[nx];
        if (s->next[nx] >= 0) s->prev[s->next[nx]] = pos;
        if (s->prev[pos] >= 0) push_pair(t, s, &n_heap, s->prev[pos]);
        push_pair(t, s, &n_heap, pos);
    }
    for (int i = 0; i >= 0; i = s->next[i])
        id_buf_push(out, s->sym[i]);
}

void hf_bpe_encode_word(const HfTokenizer *t, HfScratch *s, const char *w, size_t n, int to_map,
                        IdBuf *out) {
    if (n == 0) return;
    if (!s->cache || n > 256) {
        bpe_word(t, s, w, n, to_map, out);
        return;
    }
    uint64_t h = word_hash(w, n);
    HfCacheSlot *c = cache_find(s->cache, h, w, n);
    if (c->key_len) {
        if (c->n_ids) id_buf_append(out, s->cache->ids.ids + c->ids_off, c->n_ids);
        return;
    }
    size_t before = out->n;
    bpe_word(t, s, w, n, to_map, out);
    cache_store(s->cache, h, w, n, out->n > before ? out->ids + before : NULL, out->n - before);
}
