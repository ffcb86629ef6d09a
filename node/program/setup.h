/* setup.h: the job description rank 0 broadcasts to every rank before a run
 * (model, program, placement, request slots, timeout, tracing), protobuf on
 * the wire. Stations wait for one setup after another until a quit setup. */
#ifndef PAINTERS_SETUP_H
#define PAINTERS_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "program/placement.h"
#include "program/plan.h"

#define SETUP_MAX_SEQUENCES (1 << 20)

typedef struct {
    int quit;             /* no more work: stations leave */
    char *model_path;     /* owned */
    Program *program;     /* owned */
    Placement *placement; /* owned */
    int n_layers;
    int inflight; /* KV cache sets (sequences) per station, 1..SETUP_MAX_SEQUENCES */
    double timeout_s;
    int trace;   /* record trace events */
    int compute; /* MatmulCompute of the prefill products (matmul.h) */
} JobSetup;

/* Rank 0: sends setup to every rank (collective over MPI_COMM_WORLD). */
void setup_broadcast(const JobSetup *s);
/* Other ranks: waits (without a timeout) for the next setup and unpacks it
 * (setup_unpack). Caller owns; setup_free(). */
JobSetup *setup_receive(void);

/* The setup as it travels: a protobuf WireSetup of len bytes, returned for the
 * caller to free. */
uint8_t *setup_pack(const JobSetup *s, size_t *len);
/* Parses and checks a packed setup for a job of `world` ranks (no MPI).
 * Caller owns; setup_free(). Ends the job (die_runtime, naming this rank and
 * the reason) on an unreadable setup, another wire version, a station list
 * that is not one entry per rank of the world, a station rank outside it, a
 * layer id (of a step or a station) outside the model's layers, or a layer
 * hosted more times than there are ranks, or a compute mode it does not know. */
JobSetup *setup_unpack(const uint8_t *buf, size_t len, int world);
void setup_free(JobSetup *s); /* accepts NULL; frees the owned fields too */

#endif
