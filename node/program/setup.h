/* setup.h: the job description rank 0 broadcasts to every rank before a run
 * (model, program, placement, request slots, timeout, tracing), protobuf on
 * the wire. Stations wait for one setup after another until a quit setup. */
#ifndef PAINTERS_SETUP_H
#define PAINTERS_SETUP_H

#include "program/placement.h"
#include "program/plan.h"

typedef struct {
    int quit;           /* no more work: stations leave */
    char *model_path;   /* owned */
    Program *program;   /* owned */
    Placement *placement; /* owned */
    int n_layers;
    int inflight;       /* request slots (KV cache sets) per station */
    double timeout_s;
    int trace;          /* record trace events */
} JobSetup;

/* Rank 0: sends setup to every rank (collective over MPI_COMM_WORLD). */
void setup_broadcast(const JobSetup *s);
/* Other ranks: waits (without a timeout) for the next setup. Caller owns;
 * setup_free(). A binary speaking another wire version ends the job. */
JobSetup *setup_receive(void);
void setup_free(JobSetup *s); /* accepts NULL; frees the owned fields too */

#endif
