/* progress.c: see progress.h. */
#include "run/progress.h"

#include <stdio.h>

#include "base/util.h"

void progress_start(Progress *p, const char *label, long total) {
    snprintf(p->label, sizeof p->label, "%s", label);
    p->total = total;
    p->t_start = p->t_last = now_seconds();
}

void progress_set_total(Progress *p, long total) {
    p->total = total;
}

void progress_update(Progress *p, long done) {
    double now = now_seconds();
    if (now - p->t_last < PROGRESS_INTERVAL_S || done <= 0) return;
    p->t_last = now;
    double rate = done / (now - p->t_start);
    if (p->total > 0)
        printf("%s: %ld/%ld items  %.1f items/s  ETA %.1f s\n", p->label, done, p->total, rate,
               (p->total - done) / rate);
    else
        printf("%s: %ld items  %.1f items/s\n", p->label, done, rate);
    fflush(stdout);
}
