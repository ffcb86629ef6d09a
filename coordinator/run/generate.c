/* generate.c: see generate.h. */
#include "run/generate.h"

#include <stdlib.h>

#include "base/util.h"

int argmax_floats(const float *x, int n) {
    int b = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return b;
}

int generate_greedy_until(Runner *r, const int *prompt, int np, int max_new, GenerateStop stop,
                          void *stop_ctx, int *out, GenerateStats *stats) {
    int V = r->ck->cfg.vocab_size;
    float *logits = xalloc_floats((size_t)V);
    GenerateStats st = {0};
    runner_reset(r);
    double t0 = now_seconds();
    runner_feed(r, prompt, np, logits, RUNNER_LAST_LOGITS);
    st.prefill_seconds = now_seconds() - t0;
    int n = 0;
    t0 = now_seconds();
    while (n < max_new) {
        int next = argmax_floats(logits, V);
        out[n++] = next;
        if ((stop && stop(stop_ctx, out, n)) || n == max_new) break;
        runner_feed(r, &next, 1, logits, RUNNER_LAST_LOGITS);
    }
    st.decode_seconds = now_seconds() - t0;
    if (stats) *stats = st;
    free(logits);
    return n;
}

/* generate_greedy_stops's stop test: streams the new token, stops after any
 * of the stop ids. */
typedef struct {
    GenerateEmit emit;
    void *ctx;
    const int *stop_ids;
    int n_stop;
    int prev; /* the token before the newest one */
} EmitAndStop;

static int emit_and_stop(void *ctx, const int *ids, int n) {
    EmitAndStop *e = ctx;
    int id = ids[n - 1];
    if (e->emit) e->emit(e->ctx, e->prev, id);
    e->prev = id;
    for (int i = 0; i < e->n_stop; i++)
        if (id == e->stop_ids[i]) return 1;
    return 0;
}

int generate_greedy_stops(Runner *r, const int *prompt, int np, int max_new, const int *stop_ids,
                          int n_stop, int *out, GenerateEmit emit, void *ctx,
                          GenerateStats *stats) {
    EmitAndStop e = {emit, ctx, stop_ids, n_stop, np > 0 ? prompt[np - 1] : -1};
    return generate_greedy_until(r, prompt, np, max_new, emit_and_stop, &e, out, stats);
}
