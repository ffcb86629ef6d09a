/* runner.c: see runner.h. */
#include "runner.h"

#include <stdlib.h>
#include <string.h>

#include "model_ends.h"
#include "util.h"

Runner *runner_open(const RunnerOptions *o) {
    Runner *r = xcalloc(1, sizeof *r);
    r->ck = checkpoint_open(o->model);
    r->program = plan_load(o->plan, r->ck->cfg.n_layers);
    r->head = head_weights_load(r->ck);
    r->station = station_open(r->ck, NULL);
    r->kv = program_kv_new(r->program, &r->ck->cfg);
    return r;
}

void runner_close(Runner *r) {
    if (!r) return;
    program_kv_free(r->kv);
    station_free(r->station);
    head_weights_free(r->head);
    program_free(r->program);
    checkpoint_close(r->ck);
    free(r->x);
    free(r->normed);
    free(r);
}

void runner_reset(Runner *r) {
    program_kv_reset(r->kv);
    r->n_past = 0;
}

void runner_set_program(Runner *r, Program *p) {
    program_kv_free(r->kv);
    program_free(r->program);
    r->program = p;
    r->kv = program_kv_new(p, &r->ck->cfg);
    r->n_past = 0;
}

static void runner_reserve(Runner *r, int T) {
    if ((size_t)T <= r->cap) return;
    free(r->x);
    free(r->normed);
    r->x = xalloc_floats((size_t)T * r->ck->cfg.dim);
    r->normed = xalloc_floats((size_t)T * r->ck->cfg.dim);
    r->cap = (size_t)T;
}

void runner_feed(Runner *r, const int *tokens, int T, float *logits, RunnerLogits which) {
    const ModelConfig *c = &r->ck->cfg;
    if (T <= 0) die_input("no tokens to run");
    runner_reserve(r, T);
    embed_tokens(c, r->head, tokens, T, r->x);
    double t0 = now_seconds();
    for (int s = 0; s < r->program->n_steps; s++)
        station_apply_step(r->station, r->program, s, r->kv, r->x, T);
    double t1 = now_seconds();
    if (which == RUNNER_ALL_LOGITS)
        head_logits(c, r->head, r->x, T, r->normed, logits);
    else
        head_logits(c, r->head, r->x + (size_t)(T - 1) * c->dim, 1, r->normed, logits);
    r->seconds_layers += t1 - t0;
    r->seconds_head += now_seconds() - t1;
    r->n_past += T;
}

/* Tokens at the start of a and b that are equal. */
static int common_prefix_len(const int *a, int na, const int *b, int nb) {
    int n = 0;
    while (n < na && n < nb && a[n] == b[n]) n++;
    return n;
}

/* A sequence that starts like the one before it (the options of one
 * multiple-choice item share their context) reuses that prefix: the KV caches
 * are cut back to it and only the rest is fed; the prefix's rows of logits are
 * still in the buffer from the sequence before (a causal model's logits at a
 * position depend only on the tokens up to it). */
void runner_score_batch(Runner *r, int n, const int *const *seqs, const int *lens,
                        RunnerScoreFn fn, void *ctx) {
    int V = r->ck->cfg.vocab_size, max_len = 0;
    for (int i = 0; i < n; i++) max_len = lens[i] > max_len ? lens[i] : max_len;
    float *logits = xalloc_floats((size_t)max_len * V);
    runner_reset(r);
    for (int i = 0; i < n; i++) {
        int keep = i > 0 ? common_prefix_len(seqs[i - 1], lens[i - 1], seqs[i], lens[i]) : 0;
        if (keep >= lens[i]) keep = lens[i] - 1;
        program_kv_truncate(r->kv, keep);
        r->n_past = keep;
        runner_feed(r, seqs[i] + keep, lens[i] - keep, logits + (size_t)keep * V, RUNNER_ALL_LOGITS);
        fn(ctx, i, logits, lens[i]);
    }
    free(logits);
    runner_reset(r);
}
