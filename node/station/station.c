/* station.c: see station.h. */
#include "station/station.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/bert_layer.h"
#include "station/slow_layer.h"

Station *station_open(const Checkpoint *ck, const int *hosted) {
    Station *st = xcalloc(1, sizeof *st);
    st->cfg = ck->cfg;
    rope_table_init(&st->rope, &st->cfg);
    st->layers = xcalloc((size_t)st->cfg.n_layers, sizeof *st->layers);
    kv_cache_init(&st->pack_kv, st->cfg.n_kv_heads * st->cfg.head_dim);
    for (int l = 0; l < st->cfg.n_layers; l++) {
        if (hosted && !hosted[l]) continue;
        st->layers[l] = layer_weights_load(ck, l);
        st->n_hosted++;
    }
    return st;
}

void station_free(Station *st) {
    if (!st) return;
    for (int l = 0; l < st->cfg.n_layers; l++)
        layer_weights_free(st->layers[l]);
    free(st->layers);
    rope_table_free(&st->rope);
    layer_scratch_free(&st->scratch);
    free(st->tmp);
    kv_cache_free(&st->pack_kv);
    free(st->seg_kv);
    free(st);
}

int station_hosts(const Station *st, int layer) {
    return layer >= 0 && layer < st->cfg.n_layers && st->layers[layer] != NULL;
}

static void station_reserve(Station *st, int T, int ctx) {
    rope_table_reserve(&st->rope, ctx);
    if ((size_t)T <= st->cap_tokens) return;
    free(st->tmp);
    st->tmp = xalloc_floats((size_t)T * st->cfg.dim);
    st->cap_tokens = (size_t)T;
}

/* The model's layer kind on x: a Llama decoder layer (with its caches) or a
 * BERT encoder layer (which keeps none). */
static void apply_layer_kind(Station *st, const LayerWeights *w, KVCache *kv, float *x,
                             const CanvasShape *shape) {
    if (st->cfg.kind == MODEL_ENCODER_BERT)
        bert_layer_apply(&st->cfg, w, x, shape, &st->scratch);
    else
        layer_apply(&st->cfg, &st->rope, w, kv, x, shape, &st->scratch);
    slow_layer_sleep(); /* a test hook: PAINTERS_TEST_SLOW_LAYER */
}

/* Applies layer j of step s to x in place. */
static void station_apply_layer(Station *st, const Program *p, int s, int j, ProgramKV *const *kv,
                                float *x, const CanvasShape *shape) {
    int layer = p->steps[s].layers[j];
    const LayerWeights *w = st->layers[layer];
    if (!w) die_runtime("step %d: layer %d is not hosted by this station", s, layer);
    if (shape->n_segs == 0) {
        KVCache *cache = &kv[0]->caches[kv[0]->first[s] + j];
        int ctx0 = cache->len;
        station_reserve(st, shape->T, ctx0 + shape->T);
        st->flops += layer_flops(&st->cfg, shape, ctx0);
        apply_layer_kind(st, w, cache, x, shape);
    } else if (!shape->batch) {
        station_reserve(st, shape->T, shape->T);
        apply_layer_kind(st, w, &st->pack_kv, x, shape);
        st->flops += layer_flops(&st->cfg, shape, 0);
    } else {
        /* A batch: sequence k's cache of this layer in its own ProgramKV. */
        int n = shape->n_segs, longest = 0;
        if (n > st->cap_segs) {
            free(st->seg_kv);
            st->seg_kv = xmalloc((size_t)n * sizeof *st->seg_kv);
            st->cap_segs = n;
        }
        for (int k = 0; k < n; k++) {
            KVCache *cache = &kv[k]->caches[kv[k]->first[s] + j];
            int rows = shape->start[k + 1] - shape->start[k];
            st->seg_kv[k] = cache;
            if (cache->len + rows > longest) longest = cache->len + rows;
        }
        station_reserve(st, shape->T, longest);
        CanvasShape mine = *shape;
        mine.seg_kv = st->seg_kv;
        st->flops += layer_flops(&st->cfg, &mine, 0);
        apply_layer_kind(st, w, NULL, x, &mine);
    }
}

int station_sum_group_part(Station *st, const Program *p, int s, ProgramKV *const *kv,
                           const float *x, float *sum, const CanvasShape *shape) {
    const ProgramStep *step = &p->steps[s];
    int T = shape->T;
    size_t n = (size_t)T * st->cfg.dim;
    int applied = 0;
    memset(sum, 0, n * sizeof(float));
    for (int j = 0; j < step->n_layers; j++) {
        if (!station_hosts(st, step->layers[j])) continue;
        station_reserve(st, T, 0);
        memcpy(st->tmp, x, n * sizeof(float));
        station_apply_layer(st, p, s, j, kv, st->tmp, shape);
        for (size_t i = 0; i < n; i++)
            sum[i] += st->tmp[i];
        applied++;
    }
    return applied;
}

void station_apply_step(Station *st, const Program *p, int s, ProgramKV *const *kv, float *x,
                        const CanvasShape *shape) {
    const ProgramStep *step = &p->steps[s];
    if (step->n_layers == 1) {
        station_apply_layer(st, p, s, 0, kv, x, shape);
        return;
    }
    size_t n = (size_t)shape->T * st->cfg.dim;
    float *sum = xalloc_floats(n);
    int applied = station_sum_group_part(st, p, s, kv, x, sum, shape);
    if (applied != step->n_layers)
        die_runtime("step %d: station hosts %d of the group's %d layers", s, applied,
                    step->n_layers);
    float inv = 1.0f / (float)step->n_layers;
    for (size_t i = 0; i < n; i++)
        x[i] = sum[i] * inv;
    free(sum);
}

ProgramKV *program_kv_new(const Program *p, const ModelConfig *c) {
    ProgramKV *kv = xcalloc(1, sizeof *kv);
    kv->n_steps = p->n_steps;
    kv->first = xmalloc(((size_t)p->n_steps + 1) * sizeof(int));
    int total = 0;
    for (int s = 0; s < p->n_steps; s++) {
        kv->first[s] = total;
        total += p->steps[s].n_layers;
    }
    kv->first[p->n_steps] = total;
    kv->caches = xcalloc((size_t)total, sizeof(KVCache));
    for (int i = 0; i < total; i++)
        kv_cache_init(&kv->caches[i], c->n_kv_heads * c->head_dim);
    return kv;
}

void program_kv_reset(ProgramKV *kv) {
    for (int i = 0; i < kv->first[kv->n_steps]; i++)
        kv_cache_reset(&kv->caches[i]);
}

void program_kv_free(ProgramKV *kv) {
    if (!kv) return;
    for (int i = 0; i < kv->first[kv->n_steps]; i++)
        kv_cache_free(&kv->caches[i]);
    free(kv->caches);
    free(kv->first);
    free(kv);
}

int program_kv_len(const ProgramKV *kv) {
    /* Every cache of a step that ran holds the same length; step 0's first
     * layer runs for every token (on whichever station hosts it), but only
     * the hosting station's copy is filled, so take the maximum. */
    int len = 0;
    for (int i = 0; i < kv->first[kv->n_steps]; i++)
        if (kv->caches[i].len > len) len = kv->caches[i].len;
    return len;
}
