/* cmd_bench.c: `painters bench`: prefill (pp) and decode (tg) tokens/s as
 * llama-bench reports them, next to the machine's own sgemm and memcpy rates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "compute/layer.h"
#include "compute/machine.h"
#include "run/runner.h"
#include "base/atomic_file.h"
#include "base/util.h"

typedef struct {
    StationFigures *stations; /* (ranks) with stations: each one's figures during the test */
    char name[48];            /* "pp512", "tg128", "tg128@d256", "tg128@d256-recompute" */
    double mean, sd;          /* tokens/s over the repetitions */
    double gflops;            /* median FLOP rate reached */
    double ms_per_token;
} BenchResult;

static void mean_sd(const double *x, int n, double *mean, double *sd) {
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    *mean = s / n;
    for (int i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
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
static double run_tg(Runner *r, const int *tokens, int n, int depth, int recompute, float *logits) {
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

/* The tp test keeps nothing of the logits it is given. */
static void batch_sink(void *ctx, int i, const float *logits, int T) {
    (void)ctx, (void)i, (void)logits, (void)T;
}

/* One tp run: n_seqs independent sequences of n tokens through
 * runner_score_batch, one sequence per canvas, up to --inflight in flight. */

static BenchResult bench_throughput(Runner *r, int n_seqs, int n, int reps, const int *tokens) {
    BenchResult b = {0};
    const int **seqs = xmalloc((size_t)n_seqs * sizeof *seqs);
    int *lens = xmalloc((size_t)n_seqs * sizeof *lens),
        *from = xmalloc((size_t)n_seqs * sizeof *from);
    for (int i = 0; i < n_seqs; i++)
        seqs[i] = tokens, lens[i] = n, from[i] = n - 1;
    double *tps = xmalloc((size_t)reps * sizeof(double)),
           *gf = xmalloc((size_t)reps * sizeof(double));
    double flops = program_flops(r, n, 0) * n_seqs;
    for (int rep = -1; rep < reps; rep++) {
        double t0 = now_seconds();
        runner_score_batch(r, n_seqs, seqs, lens, from, batch_sink, NULL);
        double dt = now_seconds() - t0;
        if (rep < 0) continue;
        tps[rep] = (double)n * n_seqs / dt;
        gf[rep] = flops / dt / 1e9;
    }
    mean_sd(tps, reps, &b.mean, &b.sd);
    b.gflops = median_of(gf, reps);
    b.ms_per_token = 1e3 / b.mean;
    free(tps), free(gf), free(seqs), free(lens), free(from);
    return b;
}

/* is_pp: prefill of n tokens; else decode of n tokens after depth. */
static BenchResult bench_one(Runner *r, int is_pp, int n, int depth, int recompute, int reps,
                             const int *tokens, float *logits) {
    BenchResult b = {0};
    double *tps = xmalloc((size_t)reps * sizeof(double)),
           *gf = xmalloc((size_t)reps * sizeof(double));
    double flops = 0;
    if (is_pp)
        flops = program_flops(r, n, 0);
    else
        for (int i = 0; i < n; i++)
            flops +=
                recompute ? program_flops(r, depth + i + 1, 0) : program_flops(r, 1, depth + i);
    for (int rep = -1; rep < reps; rep++) {
        double dt =
            is_pp ? run_pp(r, tokens, n, logits) : run_tg(r, tokens, n, depth, recompute, logits);
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

/* Bytes of layer l's tensors as the checkpoint stores them, or, with
 * as_f32, as held in memory when 16-bit tensors are converted to float32. */
static uint64_t layer_bytes(const Checkpoint *ck, int l, int as_f32) {
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "model.layers.%d.", l);
    uint64_t bytes = 0;
    for (int i = 0; i < ck->n_tensors; i++) {
        if (strncmp(ck->tensors[i].name, prefix, (size_t)n)) continue;
        int widened = as_f32 && ck->tensors[i].dtype != DTYPE_F32;
        bytes += widened ? 2 * ck->tensors[i].nbytes : ck->tensors[i].nbytes;
    }
    return bytes;
}

/* With stations: each station's figures during the test just run. */
static void bench_take_figures(Runner *r, BenchResult *b) {
    if (r->world == 1) return;
    runner_collect_figures(r);
    b->stations = xmalloc((size_t)r->world * sizeof *b->stations);
    memcpy(b->stations, r->figures, (size_t)r->world * sizeof *b->stations);
}

/* Per station: compute, wait and send ms, bytes, and the share of its busy
 * time spent communicating (send / (compute + send)). */
static void bench_print_stations(const Runner *r, const BenchResult *b) {
    printf("# %s per station (warm-up included)\n", b->name);
    printf("# %-5s %6s %12s %10s %10s %12s %12s %10s %8s\n", "rank", "layers", "compute_ms",
           "wait_ms", "send_ms", "bytes_in", "bytes_out", "GFLOP/s", "comm%");
    for (int k = 1; k < r->world; k++) {
        const StationFigures *f = &b->stations[k];
        double busy = f->compute_ms + f->send_ms;
        printf("  %-5d %6d %12.2f %10.2f %10.2f %12llu %12llu %10.2f %7.1f%%\n", k, f->n_layers,
               f->compute_ms, f->wait_ms, f->send_ms, (unsigned long long)f->bytes_in,
               (unsigned long long)f->bytes_out,
               f->compute_ms > 0 ? f->gflop / (f->compute_ms / 1e3) : 0.0,
               busy > 0 ? 100.0 * f->send_ms / busy : 0.0);
    }
}

/* cJSON's answers: NULL (or 0 from an Add...ToArray) is out of memory. */
static cJSON *json_ok(cJSON *item) {
    if (!item) die_runtime("bench: out of memory building the JSON results");
    return item;
}

static void json_added(cJSON_bool added) {
    if (!added) die_runtime("bench: out of memory building the JSON results");
}

static void json_add_number(cJSON *o, const char *key, double v) {
    json_ok(cJSON_AddNumberToObject(o, key, v));
}

static void json_add_string(cJSON *o, const char *key, const char *v) {
    json_ok(cJSON_AddStringToObject(o, key, v));
}

/* Station k's figures of a test as a JSON object; the caller owns it. */
static cJSON *station_json(int k, const StationFigures *f) {
    cJSON *o = json_ok(cJSON_CreateObject());
    json_add_number(o, "rank", k);
    json_add_number(o, "layers", f->n_layers);
    json_add_number(o, "compute_ms", f->compute_ms);
    json_add_number(o, "wait_ms", f->wait_ms);
    json_add_number(o, "send_ms", f->send_ms);
    json_add_number(o, "bytes_in", (double)f->bytes_in);
    json_add_number(o, "bytes_out", (double)f->bytes_out);
    json_add_number(o, "gflop", f->gflop);
    return o;
}

static void bench_write_json(const char *path, const Runner *r, const BenchResult *res, int n_res,
                             int threads, double sgemm, double memcpy_gbps, double read_gbps) {
    cJSON *root = json_ok(cJSON_CreateObject());
    json_add_string(root, "model", r->ck->path);
    json_add_string(root, "plan", r->program->name);
    json_add_number(root, "ranks", r->world);
    json_add_string(root, "placement", r->placement->name);
    json_add_number(root, "threads", threads);
    json_add_string(root, "compute", cli_compute_summary(r->ck));
    json_add_number(root, "sgemm_gflops", sgemm);
    json_add_number(root, "memcpy_gbps", memcpy_gbps);
    json_add_number(root, "read_gbps", read_gbps);
    json_add_string(root, "git_revision", PAINTERS_GIT_REVISION);
    cJSON *tests = json_ok(cJSON_AddArrayToObject(root, "tests"));
    for (int i = 0; i < n_res; i++) {
        cJSON *t = json_ok(cJSON_CreateObject());
        json_add_string(t, "name", res[i].name);
        json_add_number(t, "tokens_per_s", res[i].mean);
        json_add_number(t, "sd", res[i].sd);
        json_add_number(t, "ms_per_token", res[i].ms_per_token);
        json_add_number(t, "gflops", res[i].gflops);
        json_add_number(t, "sgemm_fraction", res[i].gflops / sgemm);
        if (res[i].stations) {
            cJSON *st = json_ok(cJSON_AddArrayToObject(t, "stations"));
            for (int k = 1; k < r->world; k++)
                json_added(cJSON_AddItemToArray(st, station_json(k, &res[i].stations[k])));
        }
        json_added(cJSON_AddItemToArray(tests, t));
    }
    char *text = cJSON_Print(root);
    if (!text) die_runtime("bench: out of memory printing the JSON results");
    write_text_atomic(path, text);
    free(text);
    cJSON_Delete(root);
}

/* One row per test, with the run's settings: for the scaling drivers. */
static void bench_write_csv(const char *path, const Runner *r, const BenchResult *res, int n_res,
                            int threads, double sgemm) {
    size_t cap = 512 + (size_t)n_res * 512, len = 0;
    char *text = xmalloc(cap);
    len += (size_t)snprintf(text + len, cap - len,
                            "model,plan,ranks,placement,threads,test,tokens_per_s,sd,ms_per_token,"
                            "gflops,sgemm_gflops,station_compute_ms,station_send_ms,"
                            "station_bytes_out\n");
    for (int i = 0; i < n_res; i++) {
        double compute = 0, send = 0, bytes = 0;
        for (int k = 1; res[i].stations && k < r->world; k++) {
            compute += res[i].stations[k].compute_ms;
            send += res[i].stations[k].send_ms;
            bytes += (double)res[i].stations[k].bytes_out;
        }
        len += (size_t)snprintf(text + len, cap - len,
                                "%s,%s,%d,%s,%d,%s,%.4f,%.4f,%.5f,%.4f,%.4f,%.3f,%.3f,%.0f\n",
                                r->ck->path, r->program->name, r->world, r->placement->name,
                                threads, res[i].name, res[i].mean, res[i].sd, res[i].ms_per_token,
                                res[i].gflops, sgemm, compute, send, bytes);
    }
    write_text_atomic(path, text);
    free(text);
}

int cmd_bench(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"-p", "N", "prompt tokens for the prefill test (default 512)", NULL},
        {"-n", "N", "tokens for the decode test (default 128)", NULL},
        {"-r", "N", "repetitions after one warm-up (default 5)", NULL},
        {"-d", "DEPTHS",
         "also decode -n tokens after each of these context depths, e.g. 16,128,400", NULL},
        {"--recompute", NULL, "with -d, also decode by recomputing the whole sequence per token",
         NULL},
        {"--threads", "N",
         "BLAS threads of rank 0 (default: OPENBLAS_NUM_THREADS, else the cores of the node shared "
         "among its ranks)",
         NULL},
        {"-b", "N", "also a throughput test: N sequences of -p tokens, pipelined through stations",
         NULL},
        {"--json", "FILE", "write the results as JSON", NULL},
        {"--csv", "FILE", "write one CSV row per test", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("bench",
              "Prefill (ppN) and decode (tgN) tokens/s, mean +- sd over repetitions,\n"
              "with the FLOP rate reached against the machine's own cblas_sgemm rate.",
              opts, n, argc, argv);
    int n_prompt = (int)cli_int(opts, n, "-p", 512, 1, 1 << 20);
    int n_gen = (int)cli_int(opts, n, "-n", 128, 0, 1 << 20);
    int reps = (int)cli_int(opts, n, "-r", 5, 1, 1000);
    int n_batch = (int)cli_int(opts, n, "-b", 0, 0, 1 << 20);
    int threads = machine_set_threads((int)cli_int(opts, n, "--threads", 0, 1, 4096));
    /* The yardsticks first, while no other rank of the job computes. */
    double sgemm = machine_sgemm_gflops(1024, 5);
    double memcpy_gbps = machine_memcpy_gbps(256, 3);
    double read_gbps = machine_read_gbps(512, 5);
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
    float *logits = xalloc_floats((size_t)maxn * V);

    int n_res = 0;
    BenchResult *res = xcalloc(3 + 2 * (size_t)n_depths, sizeof *res);
    res[n_res] = bench_one(r, 1, n_prompt, 0, 0, reps, tokens, logits);
    snprintf(res[n_res].name, sizeof res->name, "pp%d", n_prompt);
    bench_take_figures(r, &res[n_res++]);
    if (n_gen > 0) {
        res[n_res] = bench_one(r, 0, n_gen, 0, 0, reps, tokens, logits);
        snprintf(res[n_res].name, sizeof res->name, "tg%d", n_gen);
        bench_take_figures(r, &res[n_res++]);
        for (int i = 0; i < n_depths; i++) {
            res[n_res] = bench_one(r, 0, n_gen, depths[i], 0, reps, tokens, logits);
            snprintf(res[n_res].name, sizeof res->name, "tg%d@d%d", n_gen, depths[i]);
            bench_take_figures(r, &res[n_res++]);
            if (!recompute) continue;
            res[n_res] = bench_one(r, 0, n_gen, depths[i], 1, reps, tokens, logits);
            snprintf(res[n_res].name, sizeof res->name, "tg%d@d%d-recompute", n_gen, depths[i]);
            bench_take_figures(r, &res[n_res]);
            printf("# tg%d@d%d: the KV cache is %.1fx faster than recomputing\n", n_gen, depths[i],
                   res[n_res - 1].mean / res[n_res].mean);
            n_res++;
        }
    }
    if (n_batch > 0) {
        res[n_res] = bench_throughput(r, n_batch, n_prompt, reps, tokens);
        snprintf(res[n_res].name, sizeof res->name, "tp%dx%d", n_batch, n_prompt);
        bench_take_figures(r, &res[n_res++]);
    }
    /* Decode streams every applied layer's weights (as stored) once per token. */
    /* With PAINTERS_WEIGHTS=f32 the 16-bit matrices are held, and streamed, as float32. */
    const char *held_as = getenv("PAINTERS_WEIGHTS");
    int weights_f32 = held_as && strcmp(held_as, "f32") == 0;
    double weight_bytes = 0, held = 0;
    for (int st = 0; st < r->program->n_steps; st++)
        for (int j = 0; j < r->program->steps[st].n_layers; j++) {
            int l = r->program->steps[st].layers[j];
            weight_bytes += (double)layer_bytes(r->ck, l, 0);
            held += (double)layer_bytes(r->ck, l, weights_f32);
        }
    printf("# model %s, plan %s (%d steps), %d rank(s), placement %s, %d thread(s) on rank 0, "
           "compute %s, sgemm %.1f GFLOP/s, memcpy %.1f GB/s, read %.1f GB/s\n",
           r->ck->path, r->program->name, r->program->n_steps, r->world, r->placement->name,
           threads, cli_compute_summary(r->ck), sgemm, memcpy_gbps, read_gbps);
    printf("# %-20s %12s %10s %12s %10s %12s\n", "test", "tokens/s", "sd", "ms/token", "GFLOP/s",
           "%sgemm");
    for (int i = 0; i < n_res; i++)
        printf("  %-20s %12.2f %10.2f %12.3f %10.2f %11.1f%%\n", res[i].name, res[i].mean,
               res[i].sd, res[i].ms_per_token, res[i].gflops, 100.0 * res[i].gflops / sgemm);
    if (n_gen > 0) {
        double gbps = weight_bytes * res[1].mean / 1e9;
        printf("# decode weight stream (layers as stored) %.2f GB/s = %.1f%% of memcpy\n", gbps,
               100.0 * gbps / memcpy_gbps);
        printf("# decode weight stream (layers as held, %s) %.2f GB/s = %.1f%% of read\n",
               weights_f32 ? "float32" : "as stored", held * res[1].mean / 1e9,
               100.0 * held * res[1].mean / 1e9 / read_gbps);
    }
    for (int i = 0; i < n_res && r->world > 1; i++)
        bench_print_stations(r, &res[i]);
    const char *json = cli_value(opts, n, "--json"), *csv = cli_value(opts, n, "--csv");
    if (json) bench_write_json(json, r, res, n_res, threads, sgemm, memcpy_gbps, read_gbps);
    if (csv) bench_write_csv(csv, r, res, n_res, threads, sgemm);
    for (int i = 0; i < n_res; i++)
        free(res[i].stations);
    free(res);
    free(depths);
    free(tokens);
    free(logits);
    runner_close(r);
    return 0;
}
