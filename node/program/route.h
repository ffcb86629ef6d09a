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
 *     is sent point-to-point from entry(s) (its lowest participant) to the
 *     other participants (header and payload) and to entry(s+1) (header);
 *     each participant adds up its own layers' outputs and sends its part to
 *     entry(s+1), which adds the parts in rank order and divides by the group
 *     size (canvas_group_send/recv, canvas_group_reduce in wire/canvas.h).
 * entry(n_steps) is rank 0: the canvas returns to the coordinator only at the end.
 * Messages only, no communicators: a step's transfers complete in one
 * exchange each, whatever the other ranks are doing, and building a route is
 * local to each rank. */
#ifndef PAINTERS_ROUTE_H
#define PAINTERS_ROUTE_H

#include "program/placement.h"
#include "program/plan.h"
#include "wire/canvas.h"

typedef struct {
    int n_steps;
    int rank;        /* this process */
    int *first;      /* (n_steps + 1) index of step s's layers in exec */
    int *exec;       /* (total layers) the rank that applies layer j of step s */
    int *entry;      /* (n_steps + 1) the rank the step's input canvas goes to */
    int *spread;     /* (n_steps) 1 when the step has several participants */
    int *part_first; /* (n_steps + 1) index of step s's participants in part */
    int *part;       /* distinct participants of each step, ascending world ranks */
} Route;

/* The same on every rank, computed locally. Caller owns. */
Route *route_build(const Program *p, const Placement *pl, int rank);
void route_free(Route *r); /* accepts NULL */

/* 1 when `rank` applies at least one layer of step s. */
int route_participates(const Route *r, int s, int rank);
/* 1 when this rank has anything to do in step s: applying a layer, or
 * receiving the step's output (spread steps: being entry(s+1)). */
int route_involved(const Route *r, int s);
/* The rank that holds the output of step s when the step is not spread. */
int route_step_owner(const Route *r, int s);
/* The ranks of spread step s, for canvas_group_* (wire/canvas.h). */
CanvasGroup route_group(const Route *r, int s);

#endif
