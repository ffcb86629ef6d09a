/* bench_output.c: see bench.h. */
#include "cli/bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/atomic_file.h"
#include "base/util.h"
#include "cli/cli.h"
#include "compute/machine.h"

void bench_stats(BenchResult *b, double *x, int n_tokens) {
    int n = b->reps;
    b->samples = xmalloc((size_t)n * sizeof *b->samples);
    memcpy(b->samples, x, (size_t)n * sizeof *x);
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    b->mean = s / n;
    for (int i = 0; i < n; i++)
        ss += (x[i] - b->mean) * (x[i] - b->mean);
    b->sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
    b->median = median_of(x, n); /* sorts x */
    b->min = x[0], b->max = x[n - 1];
    b->ms_per_token = 1e3 / b->median;
    b->gflops = b->gflop * b->median / n_tokens;
}

static double sd_rel(const BenchResult *b) {
    return b->mean > 0 ? b->sd / b->mean : 0.0;
}

/* Per station: compute, wait and send ms, bytes, and the share of its busy
 * time spent communicating (send / (compute + send)). */
static void print_stations(const Runner *r, const BenchResult *b) {
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

void bench_print(const Runner *r, const BenchMachine *m, const BenchResult *res, int n_res) {
    printf("# model %s, plan %s (%d steps), %d rank(s), placement %s, %d thread(s) per rank\n",
           r->ck->path, r->program->name, r->program->n_steps, r->world, r->placement->name,
           m->threads);
    printf("# OpenBLAS %s threads (built for %s): %s\n", m->blas_threading, m->blas_built_for,
           m->blas_config);
    printf("# compute %s\n", cli_compute_summary(r->ck));
    printf("# machine: sgemm %.1f GFLOP/s, memcpy %.1f GB/s, read %.1f GB/s\n", m->sgemm_gflops,
           m->memcpy_gbps, m->read_gbps);
    printf("# tokens/s over %d repetition(s) after a warm-up; GFLOP/s as executed, at the median\n",
           n_res > 0 ? res[0].reps : 0);
    printf("# %-20s %10s %10s %10s %7s %10s %9s %7s %8s %6s\n", "test", "median", "min", "max",
           "sd/mean", "ms/token", "GFLOP/s", "%sgemm", "GB/s", "%read");
    for (int i = 0; i < n_res; i++) {
        const BenchResult *b = &res[i];
        double gbps = b->bytes_per_token * b->median / 1e9;
        printf("  %-20s %10.2f %10.2f %10.2f %6.1f%% %10.3f %9.2f %6.1f%%", b->name, b->median,
               b->min, b->max, 100.0 * sd_rel(b), b->ms_per_token, b->gflops,
               100.0 * b->gflops / m->sgemm_gflops);
        if (b->bytes_per_token > 0)
            printf(" %8.2f %5.1f%%\n", gbps, 100.0 * gbps / m->read_gbps);
        else
            printf(" %8s %6s\n", "-", "-");
    }
    printf("# GB/s: decode's weights as held (applied layers and LM head) streamed per token\n");
    for (int i = 0; i < n_res && r->world > 1; i++)
        print_stations(r, &res[i]);
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

/* One test as a JSON object; the caller owns it. */
static cJSON *test_json(const Runner *r, const BenchMachine *m, const BenchResult *b) {
    cJSON *t = json_ok(cJSON_CreateObject());
    json_add_string(t, "name", b->name);
    json_add_number(t, "reps", b->reps);
    json_add_number(t, "tokens_per_s", b->median);
    json_add_number(t, "min", b->min);
    json_add_number(t, "max", b->max);
    json_add_number(t, "mean", b->mean);
    json_add_number(t, "sd", b->sd);
    json_add_number(t, "sd_rel", sd_rel(b));
    cJSON *samples = json_ok(cJSON_AddArrayToObject(t, "samples"));
    for (int i = 0; i < b->reps; i++)
        json_added(cJSON_AddItemToArray(samples, json_ok(cJSON_CreateNumber(b->samples[i]))));
    json_add_number(t, "ms_per_token", b->ms_per_token);
    json_add_number(t, "gflop", b->gflop);
    json_add_number(t, "gflops", b->gflops);
    json_add_number(t, "sgemm_fraction", b->gflops / m->sgemm_gflops);
    if (b->bytes_per_token > 0) {
        double gbps = b->bytes_per_token * b->median / 1e9;
        json_add_number(t, "weight_gbps", gbps);
        json_add_number(t, "read_fraction", gbps / m->read_gbps);
    }
    if (b->stations) {
        cJSON *st = json_ok(cJSON_AddArrayToObject(t, "stations"));
        for (int k = 1; k < r->world; k++)
            json_added(cJSON_AddItemToArray(st, station_json(k, &b->stations[k])));
    }
    return t;
}

void bench_write_json(const char *path, const Runner *r, const BenchMachine *m,
                      const BenchResult *res, int n_res) {
    cJSON *root = json_ok(cJSON_CreateObject());
    json_add_string(root, "model", r->ck->path);
    json_add_string(root, "plan", r->program->name);
    json_add_number(root, "ranks", r->world);
    json_add_string(root, "placement", r->placement->name);
    json_add_number(root, "threads", m->threads);
    json_add_string(root, "blas_threading", m->blas_threading);
    json_add_string(root, "blas_built_for", m->blas_built_for);
    json_add_string(root, "blas_config", m->blas_config);
    json_add_string(root, "compute", cli_compute_summary(r->ck));
    json_add_number(root, "sgemm_gflops", m->sgemm_gflops);
    json_add_number(root, "memcpy_gbps", m->memcpy_gbps);
    json_add_number(root, "read_gbps", m->read_gbps);
    json_add_string(root, "git_revision", PAINTERS_GIT_REVISION);
    cJSON *tests = json_ok(cJSON_AddArrayToObject(root, "tests"));
    for (int i = 0; i < n_res; i++)
        json_added(cJSON_AddItemToArray(tests, test_json(r, m, &res[i])));
    char *text = cJSON_Print(root);
    if (!text) die_runtime("bench: out of memory printing the JSON results");
    write_text_atomic(path, text);
    free(text);
    cJSON_Delete(root);
}

/* One row per test, with the run's settings: for the scaling drivers (the
 * columns up to station_bytes_out keep their places; tokens_per_s is the
 * median). */
void bench_write_csv(const char *path, const Runner *r, const BenchMachine *m,
                     const BenchResult *res, int n_res) {
    size_t row = 512 + strlen(r->ck->path) + strlen(r->program->name) + strlen(r->placement->name);
    size_t cap = 512 + (size_t)n_res * row, len = 0;
    char *text = xmalloc(cap);
    len += (size_t)snprintf(text + len, cap - len,
                            "model,plan,ranks,placement,threads,test,tokens_per_s,sd,ms_per_token,"
                            "gflops,sgemm_gflops,station_compute_ms,station_send_ms,"
                            "station_bytes_out,min,max,sd_rel,reps,blas_threading\n");
    for (int i = 0; i < n_res; i++) {
        double compute = 0, send = 0, bytes = 0;
        for (int k = 1; res[i].stations && k < r->world; k++) {
            compute += res[i].stations[k].compute_ms;
            send += res[i].stations[k].send_ms;
            bytes += (double)res[i].stations[k].bytes_out;
        }
        len += (size_t)snprintf(
            text + len, cap - len,
            "%s,%s,%d,%s,%d,%s,%.4f,%.4f,%.5f,%.4f,%.4f,%.3f,%.3f,%.0f,%.4f,%.4f,%.5f,%d,%s\n",
            r->ck->path, r->program->name, r->world, r->placement->name, m->threads, res[i].name,
            res[i].median, res[i].sd, res[i].ms_per_token, res[i].gflops, m->sgemm_gflops, compute,
            send, bytes, res[i].min, res[i].max, sd_rel(&res[i]), res[i].reps, m->blas_threading);
    }
    write_text_atomic(path, text);
    free(text);
}
