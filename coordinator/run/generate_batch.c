/* generate_batch.c: see generate_batch.h. */
#include "run/generate_batch.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "run/generate.h"

/* A KV cache set: the prompt decoding in it (-1: free), its cached
 * positions and the token to feed next. */
typedef struct {
    int prompt, pos, pending;
} SeqState;

typedef struct {
    Runner *r;
    const GenerateBatchJob *job;
    int B, n_lanes; /* sets per lane; lane l owns sets [l * B, (l + 1) * B) */
    int per_lane;   /* of which it uses these: the prompts spread over every lane */
    SeqState *seqs; /* (n_lanes * B) */
    int next;       /* the next prompt to start */
    int budget;     /* rows a canvas may take with new prompts */
    int *tokens;    /* (cap_tokens) the canvas being built */
    size_t cap_tokens;
    RunnerBatch batch; /* the canvas being built */
    float *logits;     /* (B, V) */
    GenerateBatchStats stats;
} Gen;

/* Makes g->tokens hold at least n ids (contents kept). */
static void gen_reserve_tokens(Gen *g, size_t n) {
    if (n <= g->cap_tokens) return;
    g->cap_tokens = 2 * n;
    g->tokens = xrealloc(g->tokens, g->cap_tokens * sizeof(int));
}

/* Adds prompt p to the canvas in set i. */
static void gen_start_prompt(Gen *g, int i, int p) {
    const GenerateBatchJob *job = g->job;
    RunnerBatch *b = &g->batch;
    int np = job->lens[p], T = b->start[b->n];
    gen_reserve_tokens(g, (size_t)(T + np));
    memcpy(g->tokens + T, job->prompts[p], (size_t)np * sizeof(int));
    g->seqs[i] = (SeqState){.prompt = p, .pos = 0, .pending = -1};
    b->seq[b->n] = i;
    b->pos0[b->n] = 0;
    b->start[++b->n] = T + np;
    g->stats.prompt_tokens += np;
}

/* Builds lane l's next canvas in g->batch: one token of every sequence
 * decoding there, then new prompts in the lane's free sets while the canvas
 * stays within the runner's pack_tokens rows (a first prompt always goes).
 * Returns its sequences (0: the lane has no work). */
static int gen_build(Gen *g, int l) {
    const GenerateBatchJob *job = g->job;
    RunnerBatch *b = &g->batch;
    SeqState *lane = g->seqs + (size_t)l * g->B;
    b->n = 0;
    b->start[0] = 0;
    gen_reserve_tokens(g, (size_t)g->B);
    for (int j = 0; j < g->B; j++) {
        if (lane[j].prompt < 0) continue;
        g->tokens[b->n] = lane[j].pending;
        b->seq[b->n] = l * g->B + j;
        b->pos0[b->n] = lane[j].pos;
        b->n++;
        b->start[b->n] = b->n;
    }
    for (int j = 0; j < g->per_lane && g->next < job->n; j++) {
        if (lane[j].prompt >= 0) continue;
        int T = b->start[b->n], np = job->lens[g->next];
        if (T > 0 && T + np > g->budget) break;
        gen_start_prompt(g, l * g->B + j, g->next++);
    }
    return b->n;
}

/* Takes the argmax of each sequence's logits as its new token. */
static void gen_take_tokens(Gen *g, const RunnerBatch *b) {
    const GenerateBatchJob *job = g->job;
    int V = g->r->ck->cfg.vocab_size;
    for (int k = 0; k < b->n; k++) {
        SeqState *s = &g->seqs[b->seq[k]];
        int p = s->prompt, id = argmax_floats(g->logits + (size_t)k * V, V);
        int n = ++job->n_out[p];
        job->out[p][n - 1] = id;
        s->pos = b->pos0[k] + b->start[k + 1] - b->start[k];
        g->stats.new_tokens++;
        if (n >= job->max_new || (job->stop && job->stop(job->ctx, p, job->out[p], n))) {
            if (job->done) job->done(job->ctx, p, job->out[p], n);
            s->prompt = -1;
        } else {
            s->pending = id;
        }
    }
}

/* Builds and submits lane l's next canvas; returns 0 when it had no work. */
static int gen_submit(Gen *g, int l) {
    if (gen_build(g, l) == 0) return 0;
    runner_batch_submit(g->r, l, &g->batch, g->tokens);
    g->stats.canvases++;
    g->stats.rows += g->batch.start[g->batch.n];
    return 1;
}

void generate_batch(Runner *r, const GenerateBatchJob *job, GenerateBatchStats *stats) {
    if (job->max_new < 1) die_input("generation of at most %d new tokens", job->max_new);
    for (int i = 0; i < job->n; i++) {
        if (job->lens[i] < 1) die_input("prompt %d of a batch is empty", i);
        job->n_out[i] = 0;
    }
    Gen g = {.r = r, .job = job, .n_lanes = runner_batch_lanes(r)};
    g.B = runner_batch_sequences(r) / g.n_lanes;
    g.per_lane = (job->n + g.n_lanes - 1) / g.n_lanes;
    if (g.per_lane > g.B) g.per_lane = g.B;
    g.seqs = xmalloc((size_t)g.n_lanes * g.B * sizeof *g.seqs);
    for (int i = 0; i < g.n_lanes * g.B; i++)
        g.seqs[i].prompt = -1;
    g.budget = r->opts.pack_tokens > 0 ? r->opts.pack_tokens : RUNNER_PACK_TOKENS;
    g.logits = xalloc_floats((size_t)(g.B > 1 ? g.B : 1) * r->ck->cfg.vocab_size);
    /* Lanes in flight, oldest first: results come back in that order. */
    int *queue = xmalloc((size_t)g.n_lanes * sizeof *queue), head = 0, count = 0;
    double t0 = now_seconds();
    for (int l = 0; l < g.n_lanes; l++)
        if (gen_submit(&g, l)) queue[(head + count++) % g.n_lanes] = l;
    while (count > 0) {
        int l = queue[head];
        head = (head + 1) % g.n_lanes, count--;
        RunnerBatch done = r->lanes[l].b;
        runner_batch_collect(r, l, g.logits);
        gen_take_tokens(&g, &done);
        if (gen_submit(&g, l)) queue[(head + count++) % g.n_lanes] = l;
    }
    g.stats.seconds = now_seconds() - t0;
    if (stats) *stats = g.stats;
    free(queue);
    free(g.logits);
    free(g.seqs);
    free(g.tokens);
    runner_reset(r);
}
