/* cmd_bench.c: `painters bench`: prefill (pp) and decode (tg) tokens/s as
 * llama-bench reports them, next to the machine's own sgemm and memcpy rates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "layer.h"
#include "machine.h"
#include "runner.h"
#include "util.h"

typedef struct {
    char name[48];    /* "pp512", "tg128", "tg128@d256", "tg128@d256-recompute" */
    double mean, sd;  /* tokens/s over the repetitions */
    double gflops;    /* median FLOP rate reached */
    double ms_per_token;
} BenchResult;

static void mean_sd(const double *x, int n, double *mean, double *sd) {
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) s += x[i];
    *mean = s / n;
    for (int i = 0; i < n; i++) ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
}

/* FLOPs of the whole program and head for T tokens after ctx0 cached ones. */
static double program_flops(const Runner *r, int T, int ctx0) {
    const ModelConfig *c = &r->ck->cfg;
    double f = 2.0 * T * (double)c->dim * c->vocab_size; /* head, every position */
    return f + layer_flops(c, T, ctx0) * program_layer_count(r->program);
}

/* One pp run: prefill n_prompt tokens into an empty cache. Returns seconds. */
static double run_pp(Runner *r, const int *tokens, int n, float *logits) {
    runner_reset(r);
    double t0 = now_seconds();
    runner_feed(r, tokens, n, logits, RUNNER_ALL_LOGITS);
    return now_seconds() - t0;
}

/* One tg run: n tokens decoded one by one after `depth` context tokens
 * (prefilled, not timed). With recompute, each new token recomputes the whole
 * sequence instead of using the KV cache (the baseline the cache must beat). */
static double run_tg(Runner *r, const int *tokens, int n, int depth, int recompute,
                     float *logits) {
    runner_reset(r);
    if (depth > 0) runner_feed(r, tokens, depth, logits, RUNNER_LAST_LOGITS);
    double t0 = now_seconds();
    for (int i = 0; i < n; i++) {
        if (recompute) {
            runner_reset(r);
            runner_feed(r, tokens, depth + i + 1, logits, RUNNER_LAST_LOGITS);
        } else {
            runner_feed(r, &tokens[depth + i], 1, logits, RUNNER_LAST_LOGITS);
        }
    }
    return now_seconds() - t0;
}

/* is_pp: prefill of n tokens; else decode of n tokens after depth. */
static BenchResult bench_one(Runner *r, int is_pp, int n, int depth, int recompute, int reps,
                             const int *tokens, float *logits) {
    BenchResult b = {0};
    double *tps = xmalloc((size_t)reps * sizeof(double)), *gf = xmalloc((size_t)reps * sizeof(double));
    double flops = 0;
    if (is_pp)
        flops = program_flops(r, n, 0);
    else
        for (int i = 0; i < n; i++)
            flops += recompute ? program_flops(r, depth + i + 1, 0) : program_flops(r, 1, depth + i);
    for (int rep = -1; rep < reps; rep++) {
        double dt = is_pp ? run_pp(r, tokens, n, logits)
                          : run_tg(r, tokens, n, depth, recompute, logits);
        if (rep < 0) continue; /* warm-up */
        tps[rep] = n / dt;
        gf[rep] = flops / dt / 1e9;
    }
    mean_sd(tps, reps, &b.mean, &b.sd);
    b.gflops = median_of(gf, reps);
    b.ms_per_token = 1e3 / b.mean;
    free(tps), free(gf);
    return b;
}

int cmd_bench(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"-p", "N", "prompt tokens for the prefill test (default 512)", NULL},
        {"-n", "N", "tokens for the decode test (default 128)", NULL},
        {"-r", "N", "repetitions after one warm-up (default 5)", NULL},
        {"-d", "DEPTHS", "also decode -n tokens after each of these context depths, e.g. 16,128,400", NULL},
        {"--recompute", NULL, "with -d, also decode by recomputing the whole sequence per token", NULL},
        {"--threads", "N", "BLAS threads (default: all cores)", NULL},
        {"--json", "FILE", "write the results as JSON", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("bench", "Prefill (ppN) and decode (tgN) tokens/s, mean +- sd over repetitions,\n"
              "with the FLOP rate reached against the machine's own cblas_sgemm rate.",
              opts, n, argc, argv);
    int n_prompt = (int)cli_int(opts, n, "-p", 512, 1, 1 << 20);
    int n_gen = (int)cli_int(opts, n, "-n", 128, 0, 1 << 20);
    int reps = (int)cli_int(opts, n, "-r", 5, 1, 1000);
    int threads = machine_set_threads((int)cli_int(opts, n, "--threads", machine_cores(), 1, 4096));
    RunnerOptions ro = cli_runner_options(opts, n);
    Runner *r = runner_open(&ro);
    double sgemm = machine_sgemm_gflops(1024, 5);
    double memcpy_gbps = machine_memcpy_gbps(256, 3);
    int *depths = NULL, n_depths = 0, max_depth = 0;
    if (cli_value(opts, n, "-d")) n_depths = cli_parse_ids(cli_value(opts, n, "-d"), "-d", &depths);
    for (int i = 0; i < n_depths; i++) max_depth = depths[i] > max_depth ? depths[i] : max_depth;
    int recompute = cli_value(opts, n, "--recompute") != NULL;
    int V = r->ck->cfg.vocab_size;
    int maxn = n_prompt > max_depth + n_gen ? n_prompt : max_depth + n_gen;
    int *tokens = xmalloc((size_t)maxn * sizeof(int));
    srand(1234);
    for (int i = 0; i < maxn; i++) tokens[i] = 3 + rand() % (V - 3);
    float *logits = xalloc_floats((size_t)maxn * V);

    int n_res = 0;
    BenchResult *res = xcalloc(2 + 2 * (size_t)n_depths, sizeof *res);
    res[n_res] = bench_one(r, 1, n_prompt, 0, 0, reps, tokens, logits);
    snprintf(res[n_res++].name, sizeof res->name, "pp%d", n_prompt);
    if (n_gen > 0) {
        res[n_res] = bench_one(r, 0, n_gen, 0, 0, reps, tokens, logits);
        snprintf(res[n_res++].name, sizeof res->name, "tg%d", n_gen);
        for (int i = 0; i < n_depths; i++) {
            res[n_res] = bench_one(r, 0, n_gen, depths[i], 0, reps, tokens, logits);
            snprintf(res[n_res++].name, sizeof res->name, "tg%d@d%d", n_gen, depths[i]);
            if (!recompute) continue;
            res[n_res] = bench_one(r, 0, n_gen, depths[i], 1, reps, tokens, logits);
            snprintf(res[n_res].name, sizeof res->name, "tg%d@d%d-recompute", n_gen, depths[i]);
            printf("# tg%d@d%d: the KV cache is %.1fx faster than recomputing\n", n_gen, depths[i],
                   res[n_res - 1].mean / res[n_res].mean);
            n_res++;
        }
    }
    /* Decode streams every layer's weights once per token. */
    double weight_bytes = (double)layer_weights_count(&r->ck->cfg) * 4.0 *
                          program_layer_count(r->program);
    printf("# model %s, plan %s (%d steps), %d thread(s), sgemm %.1f GFLOP/s, memcpy %.1f GB/s\n",
           r->ck->path, r->program->name, r->program->n_steps, threads, sgemm, memcpy_gbps);
    printf("# %-20s %12s %10s %12s %10s %12s\n", "test", "tokens/s", "sd", "ms/token", "GFLOP/s",
           "%sgemm");
    for (int i = 0; i < n_res; i++)
        printf("  %-20s %12.2f %10.2f %12.3f %10.2f %11.1f%%\n", res[i].name, res[i].mean,
               res[i].sd, res[i].ms_per_token, res[i].gflops, 100.0 * res[i].gflops / sgemm);
    if (n_gen > 0) {
        double gbps = weight_bytes * res[1].mean / 1e9;
        printf("# decode weight stream %.2f GB/s = %.1f%% of memcpy\n", gbps,
               100.0 * gbps / memcpy_gbps);
    }
    const char *json = cli_value(opts, n, "--json");
    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) die_input("%s: cannot write", json);
        fprintf(f, "{\"model\": \"%s\", \"plan\": \"%s\", \"threads\": %d, \"ranks\": 1, "
                   "\"sgemm_gflops\": %.3f, \"memcpy_gbps\": %.3f, \"tests\": [",
                r->ck->path, r->program->name, threads, sgemm, memcpy_gbps);
        for (int i = 0; i < n_res; i++)
            fprintf(f, "%s{\"name\": \"%s\", \"tokens_per_s\": %.4f, \"sd\": %.4f, "
                       "\"gflops\": %.4f, \"sgemm_fraction\": %.4f}",
                    i ? ", " : "", res[i].name, res[i].mean, res[i].sd, res[i].gflops,
                    res[i].gflops / sgemm);
        fprintf(f, "]}\n");
        fclose(f);
    }
    free(res);
    free(depths);
    free(tokens);
    free(logits);
    runner_close(r);
    return 0;
}
