/* kv_cache.h: keys and values of one layer execution for one sequence.
 * One cache exists per (program step, layer) so that a repeated or parallel
 * layer keeps one entry per execution (DESIGN.md "KV cache"). */
#ifndef PAINTERS_KV_CACHE_H
#define PAINTERS_KV_CACHE_H

typedef struct {
    int kv_dim; /* KV * head_dim */
    int cap;    /* positions allocated */
    int len;    /* positions filled: tokens [0, len) */
    float *k;   /* (cap, kv_dim), rotated keys */
    float *v;   /* (cap, kv_dim) */
} KVCache;

void kv_cache_init(KVCache *kv, int kv_dim);
/* Makes room for n_pos positions (keeps contents). */
void kv_cache_reserve(KVCache *kv, int n_pos);
/* Forgets every position (keeps memory). */
void kv_cache_reset(KVCache *kv);
void kv_cache_free(KVCache *kv); /* accepts NULL; frees buffers, not kv */

#endif
