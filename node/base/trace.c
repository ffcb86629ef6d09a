/* trace.c: see trace.h. */
#include "base/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/util.h"

static const char *const TRACE_NAMES[] = {"recv", "apply", "send", "bcast", "reduce"};

double wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void trace_add(Trace *t, TraceKind kind, uint64_t request, int step, int peer, double t0, double t1,
               uint64_t bytes) {
    if (!t->enabled) return;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->ev = xrealloc(t->ev, (size_t)t->cap * sizeof *t->ev);
    }
    t->ev[t->n++] = (TraceEvent){kind, request, step, peer, t0, t1, bytes};
}

char *trace_to_jsonl(const Trace *t, int rank) {
    size_t cap = 256 + (size_t)t->n * 160, len = 0;
    char *s = xmalloc(cap);
    s[0] = '\0';
    for (int i = 0; i < t->n; i++) {
        const TraceEvent *e = &t->ev[i];
        len +=
            (size_t)snprintf(s + len, cap - len,
                             "{\"rank\": %d, \"event\": \"%s\", \"request\": %llu, \"step\": %d, "
                             "\"peer\": %d, \"start\": %.6f, \"end\": %.6f, \"bytes\": %llu}\n",
                             rank, TRACE_NAMES[e->kind], (unsigned long long)e->request, e->step,
                             e->peer, e->t0, e->t1, (unsigned long long)e->bytes);
    }
    return s;
}

void trace_clear(Trace *t) {
    t->n = 0;
}

void trace_free(Trace *t) {
    if (!t) return;
    free(t->ev);
    t->ev = NULL;
    t->n = t->cap = 0;
}
