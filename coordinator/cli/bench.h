/* bench.h: the figures of `painters bench` (cmd_bench.c runs the tests,
 * bench_output.c prints and writes them). */
#ifndef PAINTERS_BENCH_H
#define PAINTERS_BENCH_H

#include "run/runner.h"

/* One test: tokens/s over its repetitions (after one warm-up run). */
typedef struct {
    StationFigures *stations; /* (ranks) with stations: each one's figures during the test */
    char name[48];            /* "pp512", "pp512-all", "tg128", "tg128@d256", ... */
    int reps;
    double *samples;                   /* (reps) tokens/s in run order; owned, free() */
    double median, min, max, mean, sd; /* tokens/s */
    double gflop;                      /* FLOP executed per run, in 1e9 */
    double gflops;                     /* FLOP rate at the median */
    double ms_per_token;               /* at the median */
    double bytes_per_token; /* decode: weight bytes (as held) streamed per token; 0: prefill */
} BenchResult;

/* The run's settings and the machine's yardsticks. */
typedef struct {
    int threads;
    double sgemm_gflops, memcpy_gbps, read_gbps;
    const char *blas_threading, *blas_built_for, *blas_config;
} BenchMachine;

/* Fills b's samples (a copy of x) and spread from tokens/s of its b->reps
 * runs of n_tokens each (x is sorted). */
void bench_stats(BenchResult *b, double *x, int n_tokens);

void bench_print(const Runner *r, const BenchMachine *m, const BenchResult *res, int n_res);
void bench_write_json(const char *path, const Runner *r, const BenchMachine *m,
                      const BenchResult *res, int n_res);
void bench_write_csv(const char *path, const Runner *r, const BenchMachine *m,
                     const BenchResult *res, int n_res);

#endif
