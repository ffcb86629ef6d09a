/* route.h: where each program step runs and how its canvas travels,
 * computed the same way on every rank from the program and the placement, so
 * that stations pass canvases to each other without asking the coordinator.
 *
 * Step s runs on its participants: for each layer of the step the first
 * station hosting it. The canvas entering step s is delivered to entry(s):
 *   - a step on one participant (a sequential layer, or a whole parallel group
 *     on one station) runs there; its output goes point-to-point to
 *     entry(s+1), or stays when that is the same rank;
 *   - a step on several participants (a parallel group spread over stations)
 *     is MPI_Bcast from entry(s) (its lowest participant) over the
 *     participants; each adds up its own layers' outputs; MPI_Reduce(SUM)
 *     delivers the sum to entry(s+1), which divides by the group size.
 * entry(n_steps) is rank 0: the canvas returns to the coordinator only at the end. */
#ifndef PAINTERS_ROUTE_H
#define PAINTERS_ROUTE_H

#include <mpi.h>

#include "program/placement.h"
#include "program/plan.h"
#include "wire/canvas.h"

typedef struct {
    int n_steps;
    int rank;    /* this process */
    int *first;  /* (n_steps + 1) index of step s's layers in exec */
    int *exec;   /* (total layers) the rank that applies layer j of step s */
    int *entry;  /* (n_steps + 1) the rank the step's input canvas goes to */
    int *spread; /* (n_steps) 1 when the step has several participants */
    /* For spread steps this rank takes part in, else MPI_COMM_NULL: */
    MPI_Comm *group_comm; /* (n_steps) participants; payload Bcast, root entry(s) */
    MPI_Comm *join_comm;  /* (n_steps) participants + entry(s+1); header Bcast and Reduce */
    int *group_root;      /* (n_steps) entry(s) as a rank of group_comm */
    int *join_root_in;    /* (n_steps) entry(s) as a rank of join_comm */
    int *join_root_out;   /* (n_steps) entry(s+1) as a rank of join_comm */
    int n_comms;
    MPI_Comm *comms; /* every communicator made, to free */
} Route;

/* Collective over the ranks of the world that take part in spread steps
 * (each creates only the communicators it belongs to). Caller owns. */
Route *route_build(const Program *p, const Placement *pl, int rank);
void route_free(Route *r); /* accepts NULL */

/* 1 when `rank` applies at least one layer of step s. */
int route_participates(const Route *r, int s, int rank);
/* 1 when this rank has anything to do in step s: applying a layer, or
 * receiving the step's output (spread steps: being entry(s+1)). */
int route_involved(const Route *r, int s);
/* The rank that holds the output of step s when the step is not spread. */
int route_step_owner(const Route *r, int s);
/* The communicators and roots of spread step s as this rank sees them, for
 * canvas_bcast and canvas_reduce_to (wire/canvas.h). */
CanvasGroup route_group(const Route *r, int s);

#endif
