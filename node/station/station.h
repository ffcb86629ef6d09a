/* station.h: a painter station, the holder of some layers' weights, which
 * applies program steps to canvases. With one rank the coordinator's own
 * station hosts every layer; with more ranks each station hosts only its
 * placement's layers (and reads only their bytes from the checkpoint). */
#ifndef PAINTERS_STATION_H
#define PAINTERS_STATION_H

#include "formats/checkpoint.h"
#include "compute/kernels.h"
#include "compute/kv_cache.h"
#include "compute/layer.h"
#include "program/plan.h"
#include "compute/weights.h"

typedef struct {
    ModelConfig cfg;
    RopeTable rope;
    LayerWeights **layers; /* (n_layers) indexed by layer id; NULL where not hosted */
    int n_hosted;
    LayerScratch scratch;
    float *tmp; /* (cap_tokens, D) a layer's private copy of a parallel step's input */
    size_t cap_tokens;
    KVCache pack_kv;  /* scratch of packed canvases, left empty after each layer */
    KVCache **seg_kv; /* (cap_segs) a batch's caches for the layer being applied */
    int cap_segs;
    double flops; /* work done so far, for reports */
} Station;

/* Key/value caches of one sequence for every (program step, layer of the step).
 * Caches of layers hosted elsewhere stay empty (no memory). */
typedef struct {
    int n_steps;
    int *first;      /* (n_steps + 1) index of step s's first cache in caches */
    KVCache *caches; /* (sum of group sizes) */
} ProgramKV;

/* Loads the layers with hosted[layer] != 0 (all of them when hosted is NULL).
 * Caller owns the result; free with station_free(). */
Station *station_open(const Checkpoint *ck, const int *hosted);
void station_free(Station *st); /* accepts NULL */
int station_hosts(const Station *st, int layer);

/* The caches a canvas uses (layer.h CanvasShape): kv[0], the one sequence's
 * (shape->n_segs == 0); kv[k] for sequence k of a batch (shape->batch; the
 * station fills in shape->seg_kv per layer); none for a packed canvas of
 * new sequences, which uses the station's scratch (kv may be NULL). */

/* Applies step s of the program to x (shape->T, D) in place, all of whose
 * layers this station hosts: a sequential layer, or the mean of a parallel
 * group's layer outputs. A single sequence's tokens follow the ones already
 * cached; a packed canvas holds new sequences; a batch continues several. */
void station_apply_step(Station *st, const Program *p, int s, ProgramKV *const *kv, float *x,
                        const CanvasShape *shape);

/* sum (T, D) = sum of L_i(x) over the layers i of parallel step s that this
 * station hosts (x unchanged). Returns how many layers it applied. The caller
 * divides by the group size once every station's part is added. */
int station_sum_group_part(Station *st, const Program *p, int s, ProgramKV *const *kv,
                           const float *x, float *sum, const CanvasShape *shape);

/* Caller owns; program_kv_free() frees. */
ProgramKV *program_kv_new(const Program *p, const ModelConfig *c);
void program_kv_reset(ProgramKV *kv);
void program_kv_free(ProgramKV *kv); /* accepts NULL */
/* Tokens already cached (the length of the sequence so far). */
int program_kv_len(const ProgramKV *kv);

#endif
