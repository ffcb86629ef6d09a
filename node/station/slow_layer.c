/* slow_layer.c: see slow_layer.h. */
#include "station/slow_layer.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "base/util.h"

/* The seconds this rank sleeps per layer: 0 unless the hook names it. */
static double slow_layer_seconds(void) {
    static double seconds = -1;
    if (seconds >= 0) return seconds;
    seconds = 0;
    const char *v = getenv("PAINTERS_TEST_SLOW_LAYER");
    if (!v || !*v) return seconds;
    char *end;
    long rank = strtol(v, &end, 10);
    if (end == v || *end != ':' || rank != util_rank()) return seconds;
    const char *s = end + 1;
    double t = strtod(s, &end);
    if (end != s && !*end && t > 0) seconds = t;
    return seconds;
}

void slow_layer_sleep(void) {
    double t = slow_layer_seconds();
    if (t <= 0) return;
    struct timespec ts = {(time_t)t, (long)((t - (double)(time_t)t) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
