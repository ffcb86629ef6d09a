/* slow_layer.h: a test hook that makes one rank slow, as a slow node is.
 *
 * PAINTERS_TEST_SLOW_LAYER="RANK:SECONDS" in the environment makes rank RANK
 * sleep SECONDS inside every layer it applies (after the layer's work, so
 * results are unchanged). Its heartbeat thread (wire/liveness.h) keeps
 * beating meanwhile, as it does through real compute: tests/liveness.sh
 * uses it to show that --timeout bounds silence, not work. Unset, malformed
 * or naming another rank: no effect. */
#ifndef PAINTERS_SLOW_LAYER_H
#define PAINTERS_SLOW_LAYER_H

/* Sleeps as PAINTERS_TEST_SLOW_LAYER asks for this rank (read once). */
void slow_layer_sleep(void);

#endif
