/* progress.h: one flushed progress line on stdout now and then for long work:
 *
 *   heldout: 640/1500 items  212.3 items/s  ETA 4.1 s
 *
 * at most one line per PROGRESS_INTERVAL_S seconds, never a flood. */
#ifndef PAINTERS_PROGRESS_H
#define PAINTERS_PROGRESS_H

#define PROGRESS_INTERVAL_S 2.0

typedef struct {
    char label[128];
    long total;     /* items expected; 0 when unknown */
    double t_start; /* now_seconds() at progress_start */
    double t_last;  /* when the last line was printed */
} Progress;

void progress_start(Progress *p, const char *label, long total);
/* Reports `done` items; prints a line when the interval has passed. */
void progress_update(Progress *p, long done);
/* Sets the total when it becomes known late (chunks after tokenizing). */
void progress_set_total(Progress *p, long total);

#endif
