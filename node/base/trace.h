/* trace.h: per-rank timeline of receive / apply / send events (--trace). */
#ifndef PAINTERS_TRACE_H
#define PAINTERS_TRACE_H

#include <stdint.h>

typedef enum { TRACE_RECV, TRACE_APPLY, TRACE_SEND, TRACE_BCAST, TRACE_REDUCE } TraceKind;

typedef struct {
    TraceKind kind;
    uint64_t request;
    int step;
    int peer;      /* the other rank, -1 for none or a collective */
    double t0, t1; /* wall clock (CLOCK_REALTIME), seconds */
    uint64_t bytes;
} TraceEvent;

typedef struct {
    int enabled;
    int n, cap;
    TraceEvent *ev; /* owned */
} Trace;

/* Wall-clock seconds, comparable across the ranks of one host. */
double wall_seconds(void);
void trace_add(Trace *t, TraceKind kind, uint64_t request, int step, int peer, double t0, double t1,
               uint64_t bytes);
/* The events as JSON lines; caller frees. */
char *trace_to_jsonl(const Trace *t, int rank);
void trace_clear(Trace *t);
void trace_free(Trace *t); /* frees events, not t */

#endif
