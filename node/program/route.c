/* route.c: see route.h. */
#include "program/route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int route_participates(const Route *r, int s, int rank) {
    for (int i = r->first[s]; i < r->first[s + 1]; i++)
        if (r->exec[i] == rank) return 1;
    return 0;
}

int route_step_owner(const Route *r, int s) {
    return r->exec[r->first[s]];
}

CanvasGroup route_group(const Route *r, int s) {
    return (CanvasGroup){.entry = r->entry[s],
                         .receiver = r->entry[s + 1],
                         .n = r->part_first[s + 1] - r->part_first[s],
                         .ranks = r->part + r->part_first[s]};
}

int route_involved(const Route *r, int s) {
    if (route_participates(r, s, r->rank)) return 1;
    return r->spread[s] && r->entry[s + 1] == r->rank;
}

/* The sorted, distinct ranks that apply step s's layers into out; returns the count. */
static int route_members(const Route *r, int s, int *out) {
    int n = 0;
    for (int i = r->first[s]; i < r->first[s + 1]; i++) {
        int rank = r->exec[i];
        int k = n;
        while (k > 0 && out[k - 1] > rank)
            k--;
        if (k > 0 && out[k - 1] == rank) continue;
        memmove(out + k + 1, out + k, (size_t)(n - k) * sizeof(int));
        out[k] = rank;
        n++;
    }
    return n;
}

Route *route_build(const Program *p, const Placement *pl, int rank) {
    Route *r = xcalloc(1, sizeof *r);
    int S = p->n_steps;
    r->n_steps = S;
    r->rank = rank;
    r->first = xmalloc(((size_t)S + 1) * sizeof(int));
    int total = 0;
    for (int s = 0; s < S; s++) {
        r->first[s] = total;
        total += p->steps[s].n_layers;
    }
    r->first[S] = total;
    r->exec = xmalloc((size_t)(total ? total : 1) * sizeof(int));
    r->entry = xmalloc(((size_t)S + 1) * sizeof(int));
    r->spread = xcalloc((size_t)S + 1, sizeof(int));
    r->part_first = xmalloc(((size_t)S + 1) * sizeof(int));
    r->part = xmalloc((size_t)(total ? total : 1) * sizeof(int));
    int n_part = 0;
    for (int s = 0; s < S; s++) {
        for (int j = 0; j < p->steps[s].n_layers; j++) {
            int l = p->steps[s].layers[j];
            if (pl->n_hosts[l] == 0) die_input("layer %d of step %d is hosted by no rank", l, s);
            r->exec[r->first[s] + j] = pl->hosts[l][0];
        }
        r->part_first[s] = n_part;
        int n = route_members(r, s, r->part + n_part);
        r->entry[s] = r->part[n_part];
        r->spread[s] = n > 1;
        n_part += n;
    }
    r->part_first[S] = n_part;
    r->entry[S] = 0;
    return r;
}

void route_free(Route *r) {
    if (!r) return;
    free(r->first), free(r->exec), free(r->entry), free(r->spread);
    free(r->part_first), free(r->part);
    free(r);
}
