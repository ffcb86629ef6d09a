/* route.c: see route.h. */
#include "program/route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "wire/wire.h"

int route_participates(const Route *r, int s, int rank) {
    for (int i = r->first[s]; i < r->first[s + 1]; i++)
        if (r->exec[i] == rank) return 1;
    return 0;
}

int route_step_owner(const Route *r, int s) {
    return r->exec[r->first[s]];
}

CanvasGroup route_group(const Route *r, int s) {
    return (CanvasGroup){.join = r->join_comm[s],
                         .join_entry = r->join_root_in[s],
                         .join_receiver = r->join_root_out[s],
                         .group = r->group_comm[s],
                         .group_entry = r->group_root[s],
                         .entry = r->entry[s]};
}

int route_involved(const Route *r, int s) {
    if (route_participates(r, s, r->rank)) return 1;
    return r->spread[s] && r->entry[s + 1] == r->rank;
}

/* Sorted, distinct members of step s (plus `extra` when >= 0) into out; returns count. */
static int route_members(const Route *r, int s, int extra, int *out) {
    int n = 0;
    for (int i = r->first[s]; i <= r->first[s + 1]; i++) {
        int rank = i < r->first[s + 1] ? r->exec[i] : extra;
        if (rank < 0) continue;
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

static int index_of(const int *a, int n, int x) {
    for (int i = 0; i < n; i++)
        if (a[i] == x) return i;
    return -1;
}

/* A communicator over the given world ranks, made once per distinct member
 * set (memoized in `sets`); MPI_COMM_NULL when this rank is not a member.
 * Collective over the members only, who all reach it in the same order. */
typedef struct {
    int n;
    int *members;
    MPI_Comm comm;
} CommSet;

/* Before MPI_Comm_create_group, whose wait cannot be bounded, the members
 * meet: each tells every other one it is here and waits, bounded by the
 * job's timeout and naming the missing rank, until it has heard from all. */
static void route_meet(const Route *r, const int *members, int n) {
    static int here = 1;
    int *heard = xmalloc((size_t)n * sizeof(int));
    MPI_Request *recv = xmalloc((size_t)n * sizeof *recv),
                *send = xmalloc((size_t)n * sizeof *send);
    for (int i = 0; i < n; i++) {
        recv[i] = send[i] = MPI_REQUEST_NULL;
        if (members[i] == r->rank) continue;
        MPI_Irecv(&heard[i], 1, MPI_INT, members[i], WIRE_TAG_ROUTE, MPI_COMM_WORLD, &recv[i]);
        MPI_Isend(&here, 1, MPI_INT, members[i], WIRE_TAG_ROUTE, MPI_COMM_WORLD, &send[i]);
    }
    char ranks[256];
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof ranks; i++)
        len += (size_t)snprintf(ranks + len, sizeof ranks - len, "%s%d", i ? "," : "", members[i]);
    for (int i = 0; i < n; i++) {
        if (members[i] == r->rank) continue;
        char what[320];
        snprintf(what, sizeof what, "building the communicator of ranks %s: waiting for rank %d",
                 ranks, members[i]);
        wire_wait(&recv[i], what);
        wire_wait(&send[i], what);
    }
    free(heard), free(recv), free(send);
}

static MPI_Comm route_comm(Route *r, CommSet **sets, int *n_sets, const int *members, int n) {
    for (int i = 0; i < *n_sets; i++)
        if ((*sets)[i].n == n && !memcmp((*sets)[i].members, members, (size_t)n * sizeof(int)))
            return (*sets)[i].comm;
    MPI_Comm comm = MPI_COMM_NULL;
    if (index_of(members, n, r->rank) >= 0) {
        route_meet(r, members, n);
        MPI_Group world_group, group;
        MPI_Comm_group(MPI_COMM_WORLD, &world_group);
        MPI_Group_incl(world_group, n, members, &group);
        MPI_Comm_create_group(MPI_COMM_WORLD, group, 1000 + *n_sets, &comm);
        MPI_Group_free(&group);
        MPI_Group_free(&world_group);
        r->comms = xrealloc(r->comms, (size_t)(r->n_comms + 1) * sizeof(MPI_Comm));
        r->comms[r->n_comms++] = comm;
    }
    *sets = xrealloc(*sets, (size_t)(*n_sets + 1) * sizeof(CommSet));
    (*sets)[*n_sets].n = n;
    (*sets)[*n_sets].members = xmalloc((size_t)n * sizeof(int));
    memcpy((*sets)[*n_sets].members, members, (size_t)n * sizeof(int));
    (*sets)[*n_sets].comm = comm;
    (*n_sets)++;
    return comm;
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
    r->group_comm = xmalloc(((size_t)S + 1) * sizeof(MPI_Comm));
    r->join_comm = xmalloc(((size_t)S + 1) * sizeof(MPI_Comm));
    r->group_root = xcalloc((size_t)S + 1, sizeof(int));
    r->join_root_in = xcalloc((size_t)S + 1, sizeof(int));
    r->join_root_out = xcalloc((size_t)S + 1, sizeof(int));
    int *members = xmalloc(((size_t)pl->world + 1) * sizeof(int));
    for (int s = 0; s < S; s++) {
        for (int j = 0; j < p->steps[s].n_layers; j++) {
            int l = p->steps[s].layers[j];
            if (pl->n_hosts[l] == 0) die_input("layer %d of step %d is hosted by no rank", l, s);
            r->exec[r->first[s] + j] = pl->hosts[l][0];
        }
        int n = route_members(r, s, -1, members);
        r->entry[s] = members[0];
        r->spread[s] = n > 1;
    }
    r->entry[S] = 0;

    CommSet *sets = NULL;
    int n_sets = 0;
    for (int s = 0; s < S; s++) {
        r->group_comm[s] = r->join_comm[s] = MPI_COMM_NULL;
        if (!r->spread[s]) continue;
        int n = route_members(r, s, -1, members);
        r->group_comm[s] = route_comm(r, &sets, &n_sets, members, n);
        r->group_root[s] = index_of(members, n, r->entry[s]);
        n = route_members(r, s, r->entry[s + 1], members);
        r->join_comm[s] = route_comm(r, &sets, &n_sets, members, n);
        r->join_root_in[s] = index_of(members, n, r->entry[s]);
        r->join_root_out[s] = index_of(members, n, r->entry[s + 1]);
    }
    for (int i = 0; i < n_sets; i++)
        free(sets[i].members);
    free(sets);
    free(members);
    return r;
}

void route_free(Route *r) {
    if (!r) return;
    for (int i = 0; i < r->n_comms; i++)
        MPI_Comm_free(&r->comms[i]);
    free(r->comms);
    free(r->first), free(r->exec), free(r->entry), free(r->spread);
    free(r->group_comm), free(r->join_comm);
    free(r->group_root), free(r->join_root_in), free(r->join_root_out);
    free(r);
}
