/* placement.h: which ranks host which layers.
 *
 *   block        contiguous runs of layers, balanced by count, on ranks 1..K-1
 *   round-robin  layer i on rank 1 + i mod (K-1): a parallel group spreads out
 *   FILE.json    {"stations": [{"rank": 1, "layers": "0-7"}, {"rank": 2, "layers": [8, 9]}]}
 *                (inline JSON starting with '{' works too)
 *
 * With one rank (K = 1) rank 0 hosts every layer. With more, rank 0 is the
 * coordinator and hosts none; a layer may be hosted by several stations. A
 * rank outside the world, a layer a program needs but nobody hosts, or too
 * few ranks is die_input before any work. */
#ifndef PAINTERS_PLACEMENT_H
#define PAINTERS_PLACEMENT_H

#include "program/plan.h"

typedef struct {
    int world; /* ranks in the job (K) */
    int n_layers;
    int *n_hosts; /* (n_layers) stations hosting each layer */
    int **hosts;  /* (n_layers) their ranks, ascending; owned */
    char *name;   /* "block", "round-robin", or the file; owned */
} Placement;

/* spec: "block" (NULL means block), "round-robin", a JSON file or inline JSON.
 * Caller owns; placement_free(). */
Placement *placement_make(const char *spec, int n_layers, int world);
/* Builds a placement from per-layer host lists (copied). Caller owns. */
Placement *placement_from_hosts(const char *name, int n_layers, int world, const int *n_hosts,
                                const int *const *hosts);
void placement_free(Placement *p); /* accepts NULL */

/* 1 when rank hosts layer. */
int placement_hosts(const Placement *p, int layer, int rank);
/* Every layer the program uses must be hosted: die_input naming the first that is not. */
void placement_check_program(const Placement *p, const Program *prog);
/* (n_layers) 0/1 flags of the layers rank hosts; caller frees. */
int *placement_layers_of(const Placement *p, int rank);

#endif
