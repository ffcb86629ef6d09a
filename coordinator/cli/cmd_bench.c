/* cmd_bench.c: `painters bench`: prefill (pp) and decode (tg) tokens/s as
 * llama-bench counts them, next to the machine's own sgemm and read rates.
 *
 * ppN prefills N tokens and computes the LM head for the last one only (as
 * llama-bench's pp does); ppN-all computes it for every position (scoring).
 * tgN decodes N tokens one at a time. The FLOP counted is what ran: the
 * projections, attention over the key blocks attention.c scores (it skips
 * those above the causal diagonal), and the head for the rows computed.
 * Each test runs once to warm up, then -r times; bench_output.c reports the
 * median, min, max and sd/mean. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "compute/layer.h"
#include "compute/machine.h"
#include "run/runner.h"
#include "base/util.h"
#include "formats/quant.h"

/* FLOP of one runner_feed of T tokens after ctx0, the head on head_rows
 * (each layer as layer_flops counts what it executes). */
static double feed_flops(const Runner *r, int T, int ctx0, int head_rows) {
    const ModelConfig *c = &r->ck->cfg;
    double head = 2.0 * head_rows * (double)c->dim * c->vocab_size;
    CanvasShape one = {.T = T};
    return head + layer_flops(c, &one, ctx0) * program_layer_count(r->program);
}

typedef enum { TEST_PP, TEST_PP_ALL, TEST_TG, TEST_TG_RECOMPUTE } TestKind;

typedef struct {
    TestKind kind;
    int n, depth; /* tokens timed; context before them (tg) */
} BenchTest;

/* FLOP of one run of test t. */
static double test_flops(const Runner *r, const BenchTest *t) {
    if (t->kind == TEST_PP) return feed_flops(r, t->n, 0, 1);
    if (t->kind == TEST_PP_ALL) return feed_flops(r, t->n, 0, t->n);
    double f = 0;
    for (int i = 0; i < t->n; i++)
        f += t->kind == TEST_TG ? feed_flops(r, 1, t->depth + i, 1)
                                : feed_flops(r, t->depth + i + 1, 0, 1);
    return f;
}

/* One run of test t; returns the seconds timed. A tg run prefills its depth
 * first (not timed); with recompute, each new token recomputes the whole
 * sequence instead of using the KV cache (the baseline the cache must beat). */
static double run_test(Runner *r, const BenchTest *t, const int *tokens, float *logits) {
    runner_reset(r);
    if (t->kind == TEST_PP || t->kind == TEST_PP_ALL) {
        double t0 = now_seconds();
        runner_feed(r, tokens, t->n, logits,
                    t->kind == TEST_PP_ALL ? RUNNER_ALL_LOGITS : RUNNER_LAST_LOGITS);
        return now_seconds() - t0;
    }
    if (t->depth > 0) runner_feed(r, tokens, t->depth, logits, RUNNER_LAST_LOGITS);
    double t0 = now_seconds();
    for (int i = 0; i < t->n; i++) {
        if (t->kind == TEST_TG_RECOMPUTE) {
            runner_reset(r);
            runner_feed(r, tokens, t->depth + i + 1, logits, RUNNER_LAST_LOGITS);
        } else {
            runner_feed(r, &tokens[t->depth + i], 1, logits, RUNNER_LAST_LOGITS);
        }
    }
    return now_seconds() - t0;
}

static BenchResult bench_one(Runner *r, const BenchTest *t, int reps, const int *tokens,
                             float *logits, double bytes_per_token) {
    BenchResult b = {.reps = reps, .gflop = test_flops(r, t) / 1e9};
    if (t->kind == TEST_TG) b.bytes_per_token = bytes_per_token; /* recompute is compute-bound */
    double *tps = xmalloc((size_t)reps * sizeof(double));
    for (int rep = -1; rep < reps; rep++) {
        double dt = run_test(r, t, tokens, logits);
        if (rep >= 0) tps[rep] = t->n / dt; /* rep -1: the warm-up */
    }
    bench_stats(&b, tps, t->n);
    free(tps);
    return b;
}

/* The tp test keeps nothing of the logits it is given. */
static void batch_sink(void *ctx, int i, const float *logits, int T) {
    (void)ctx, (void)i, (void)logits, (void)T;
}

/* tp: n_seqs independent sequences of n tokens through runner_score_batch,
 * one sequence per canvas, up to --inflight in flight, each scored on its
 * last position. */
static BenchResult bench_throughput(Runner *r, int n_seqs, int n, int reps, const int *tokens) {
    BenchResult b = {.reps = reps, .gflop = feed_flops(r, n, 0, 1) * n_seqs / 1e9};
    const int **seqs = xmalloc((size_t)n_seqs * sizeof *seqs);
    int *lens = xmalloc((size_t)n_seqs * sizeof *lens),
        *from = xmalloc((size_t)n_seqs * sizeof *from);
    for (int i = 0; i < n_seqs; i++)
        seqs[i] = tokens, lens[i] = n, from[i] = n - 1;
    double *tps = xmalloc((size_t)reps * sizeof(double));
    for (int rep = -1; rep < reps; rep++) {
        double t0 = now_seconds();
        runner_score_batch(r, n_seqs, seqs, lens, from, batch_sink, NULL);
        double dt = now_seconds() - t0;
        if (rep >= 0) tps[rep] = (double)n * n_seqs / dt;
    }
    bench_stats(&b, tps, n * n_seqs);
    free(tps), free(seqs), free(lens), free(from);
    return b;
}

/* Bytes of layer l's tensors as the checkpoint stores them, or, with
 * as_f32, as held in memory when 16-bit tensors are converted to float32. */
static uint64_t layer_bytes(const Checkpoint *ck, int l, int as_f32) {
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "model.layers.%d.", l);
    uint64_t bytes = 0;
    for (int i = 0; i < ck->n_tensors; i++) {
        if (strncmp(ck->tensors[i].name, prefix, (size_t)n)) continue;
        int widened = as_f32 && ck->tensors[i].dtype != DTYPE_F32;
        bytes += widened ? 4 * (uint64_t)dtype_values_in_bytes(ck->tensors[i].dtype,
                                                               ck->tensors[i].nbytes)
                         : ck->tensors[i].nbytes;
    }
    return bytes;
}

/* Weight bytes one decoded token streams: every applied layer's tensors as
 * held (PAINTERS_WEIGHTS=f32 holds 16-bit ones as float32) and the LM head. */
static double decode_bytes_per_token(const Runner *r) {
    const char *held_as = getenv("PAINTERS_WEIGHTS");
    int weights_f32 = held_as && strcmp(held_as, "f32") == 0;
    double bytes = 0;
    for (int st = 0; st < r->program->n_steps; st++)
        for (int j = 0; j < r->program->steps[st].n_layers; j++)
            bytes += (double)layer_bytes(r->ck, r->program->steps[st].layers[j], weights_f32);
    const WeightMatrix *h = &r->head->lm_head;
    return bytes + (double)h->rows * (double)dtype_row_bytes(h->dtype, h->cols);
}

/* With stations: each station's figures during the test just run. */
static void bench_take_figures(Runner *r, BenchResult *b) {
    if (r->world == 1) return;
    runner_collect_figures(r);
    b->stations = xmalloc((size_t)r->world * sizeof *b->stations);
    memcpy(b->stations, r->figures, (size_t)r->world * sizeof *b->stations);
}

/* Runs test t into res[*n_res] under `name`. */
static void add_test(Runner *r, BenchResult *res, int *n_res, const BenchTest *t, int reps,
                     const int *tokens, float *logits, double bytes, const char *name) {
    res[*n_res] = bench_one(r, t, reps, tokens, logits, bytes);
    snprintf(res[*n_res].name, sizeof res->name, "%s", name);
    bench_take_figures(r, &res[(*n_res)++]);
}

int cmd_bench(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"-p", "N", "prompt tokens for the prefill tests (default 512)", NULL},
        {"-n", "N", "tokens for the decode test (default 128)", NULL},
        {"-r", "N", "repetitions after one warm-up (default 5)", NULL},
        {"-d", "DEPTHS",
         "also decode -n tokens after each of these context depths, e.g. 16,128,400", NULL},
        {"--recompute", NULL, "with -d, also decode by recomputing the whole sequence per token",
         NULL},
        {"--no-all", NULL, "skip the ppN-all test (the LM head on every position)", NULL},
        {"--threads", "N",
         "threads of rank 0, BLAS and OpenMP alike (default: OPENBLAS_NUM_THREADS, else "
         "OMP_NUM_THREADS, else the cores of the node shared among its ranks)",
         NULL},
        {"-b", "N", "also a throughput test: N sequences of -p tokens, pipelined through stations",
         NULL},
        {"--json", "FILE", "write the results as JSON", NULL},
        {"--csv", "FILE", "write one CSV row per test", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("bench",
              "Prefill (ppN: the LM head on the last token, as llama-bench; ppN-all: on every\n"
              "position) and decode (tgN) tokens/s: median, min, max and sd/mean over\n"
              "repetitions after a warm-up, with the FLOP rate executed against the machine's\n"
              "own cblas_sgemm rate and decode's weight stream against its read bandwidth.",
              opts, n, argc, argv);
    int n_prompt = (int)cli_int(opts, n, "-p", 512, 1, 1 << 20);
    int n_gen = (int)cli_int(opts, n, "-n", 128, 0, 1 << 20);
    int reps = (int)cli_int(opts, n, "-r", 5, 1, 1000);
    int n_batch = (int)cli_int(opts, n, "-b", 0, 0, 1 << 20);
    int with_all = cli_value(opts, n, "--no-all") == NULL;
    BenchMachine m = {0};
    m.threads = machine_set_threads((int)cli_int(opts, n, "--threads", 0, 1, 4096));
    m.blas_threading = machine_blas_threading();
    m.blas_built_for = machine_blas_built_for();
    m.blas_config = machine_blas_config();
    /* The yardsticks first, while no other rank of the job computes. */
    m.sgemm_gflops = machine_sgemm_gflops(1024, 5);
    m.memcpy_gbps = machine_memcpy_gbps(256, 3);
    m.read_gbps = machine_read_gbps(512, 5);
    RunnerOptions ro = cli_runner_options(opts, n);
    if (n_batch > 0) ro.pack_tokens = -1; /* one sequence per canvas: a pipeline of requests */
    Runner *r = runner_open(&ro);
    int *depths = NULL, n_depths = 0, max_depth = 0;
    if (cli_value(opts, n, "-d")) n_depths = cli_parse_ids(cli_value(opts, n, "-d"), "-d", &depths);
    for (int i = 0; i < n_depths; i++)
        max_depth = depths[i] > max_depth ? depths[i] : max_depth;
    int recompute = cli_value(opts, n, "--recompute") != NULL;
    int V = r->ck->cfg.vocab_size;
    int maxn = n_prompt > max_depth + n_gen ? n_prompt : max_depth + n_gen;
    int *tokens = xmalloc((size_t)maxn * sizeof(int));
    srand(1234);
    for (int i = 0; i < maxn; i++)
        tokens[i] = 3 + rand() % (V - 3);
    float *logits = xalloc_floats((size_t)(with_all ? n_prompt : 1) * V);
    double bytes = decode_bytes_per_token(r);

    int n_res = 0;
    BenchResult *res = xcalloc(4 + 2 * (size_t)n_depths, sizeof *res);
    char name[48];
    snprintf(name, sizeof name, "pp%d", n_prompt);
    add_test(r, res, &n_res, &(BenchTest){TEST_PP, n_prompt, 0}, reps, tokens, logits, bytes, name);
    if (with_all) {
        snprintf(name, sizeof name, "pp%d-all", n_prompt);
        add_test(r, res, &n_res, &(BenchTest){TEST_PP_ALL, n_prompt, 0}, reps, tokens, logits,
                 bytes, name);
    }
    if (n_gen > 0) {
        snprintf(name, sizeof name, "tg%d", n_gen);
        add_test(r, res, &n_res, &(BenchTest){TEST_TG, n_gen, 0}, reps, tokens, logits, bytes,
                 name);
        for (int i = 0; i < n_depths; i++) {
            snprintf(name, sizeof name, "tg%d@d%d", n_gen, depths[i]);
            add_test(r, res, &n_res, &(BenchTest){TEST_TG, n_gen, depths[i]}, reps, tokens, logits,
                     bytes, name);
            if (!recompute) continue;
            snprintf(name, sizeof name, "tg%d@d%d-recompute", n_gen, depths[i]);
            add_test(r, res, &n_res, &(BenchTest){TEST_TG_RECOMPUTE, n_gen, depths[i]}, reps,
                     tokens, logits, bytes, name);
            printf("# tg%d@d%d: the KV cache is %.1fx faster than recomputing\n", n_gen, depths[i],
                   res[n_res - 2].median / res[n_res - 1].median);
        }
    }
    if (n_batch > 0) {
        res[n_res] = bench_throughput(r, n_batch, n_prompt, reps, tokens);
        snprintf(res[n_res].name, sizeof res->name, "tp%dx%d", n_batch, n_prompt);
        bench_take_figures(r, &res[n_res++]);
    }
    bench_print(r, &m, res, n_res);
    const char *json = cli_value(opts, n, "--json"), *csv = cli_value(opts, n, "--csv");
    if (json) bench_write_json(json, r, &m, res, n_res);
    if (csv) bench_write_csv(csv, r, &m, res, n_res);
    for (int i = 0; i < n_res; i++)
        free(res[i].stations), free(res[i].samples);
    free(res);
    free(depths);
    free(tokens);
    free(logits);
    runner_close(r);
    return 0;
}
