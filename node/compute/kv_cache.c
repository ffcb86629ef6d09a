/* kv_cache.c: see kv_cache.h. */
#include "compute/kv_cache.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void kv_cache_init(KVCache *kv, int kv_dim) {
    memset(kv, 0, sizeof *kv);
    kv->kv_dim = kv_dim;
}

void kv_cache_reserve(KVCache *kv, int n_pos) {
    if (n_pos <= kv->cap) return;
    int cap = kv->cap ? kv->cap : 16;
    while (cap < n_pos)
        cap *= 2;
    size_t n = mul_size_checked((size_t)cap, (size_t)kv->kv_dim * sizeof(float), "kv cache");
    kv->k = xrealloc(kv->k, n);
    kv->v = xrealloc(kv->v, n);
    kv->cap = cap;
}

void kv_cache_reset(KVCache *kv) {
    kv->len = 0;
}

void kv_cache_free(KVCache *kv) {
    if (!kv) return;
    free(kv->k);
    free(kv->v);
    kv->k = kv->v = NULL;
    kv->cap = kv->len = 0;
}
