/* machine.c: see machine.h. */
#include "compute/machine.h"

#include <cblas.h>
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "compute/matmul.h"
#include "formats/dtype_avx2.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double median_of(double *x, int n) {
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

double machine_sgemm_gflops(int n, int reps) {
    size_t nn = (size_t)n * n;
    float *a = xalloc_floats(nn), *b = xalloc_floats(nn), *c = xalloc_floats(nn);
    for (size_t i = 0; i < nn; i++)
        a[i] = b[i] = (float)(i % 7) * 0.01f;
    double *rate = xmalloc((size_t)reps * sizeof(double));
    for (int r = -1; r < reps; r++) {
        double t0 = now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double dt = now_seconds() - t0;
        if (r >= 0) rate[r] = 2.0 * n * (double)nn / dt / 1e9;
    }
    double m = median_of(rate, reps);
    free(rate), free(a), free(b), free(c);
    return m;
}

double machine_memcpy_gbps(int mib, int reps) {
    size_t n = (size_t)mib << 20;
    char *src = xmalloc(n), *dst = xmalloc(n);
    memset(src, 1, n);
    memset(dst, 0, n);
    double *rate = xmalloc((size_t)reps * sizeof(double));
    for (int r = -1; r < reps; r++) {
        double t0 = now_seconds();
        memcpy(dst, src, n);
        double dt = now_seconds() - t0;
        if (r >= 0) rate[r] = 2.0 * (double)n / dt / 1e9;
    }
    double m = median_of(rate, reps);
    free(rate), free(src), free(dst);
    return m;
}

/* The sum of the n 64-bit words at p, read with 256-bit loads. */
__attribute__((target("avx2"))) static uint64_t sum_words_avx2(const uint64_t *p, size_t n) {
    __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        a0 = _mm256_add_epi64(a0, _mm256_loadu_si256((const __m256i *)(p + i)));
        a1 = _mm256_add_epi64(a1, _mm256_loadu_si256((const __m256i *)(p + i + 4)));
    }
    uint64_t lane[4];
    _mm256_storeu_si256((__m256i *)lane, _mm256_add_epi64(a0, a1));
    uint64_t s = lane[0] + lane[1] + lane[2] + lane[3];
    for (; i < n; i++)
        s += p[i];
    return s;
}

static uint64_t sum_words_scalar(const uint64_t *p, size_t n) {
    uint64_t s0 = 0, s1 = 0;
    size_t i = 0;
    for (; i + 2 <= n; i += 2)
        s0 += p[i], s1 += p[i + 1];
    return s0 + s1 + (i < n ? p[i] : 0);
}

/* Sums `words` 64-bit words (a multiple of threads) with `threads` threads,
 * each over its own contiguous slice; returns the sum so it is not elided. */
static uint64_t sum_words_parallel(const uint64_t *buf, size_t words, int threads) {
    uint64_t (*sum)(const uint64_t *, size_t) =
        dtype_cpu_has_avx2() ? sum_words_avx2 : sum_words_scalar;
    size_t slice = words / (size_t)threads;
    uint64_t total = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : total)
    for (int k = 0; k < threads; k++)
        total += sum(buf + (size_t)k * slice, slice);
    return total;
}

double machine_read_gbps(int mib, int reps) {
    int threads = omp_get_max_threads();
    size_t words = ((size_t)mib << 20) / sizeof(uint64_t);
    words -= words % (size_t)threads;
    uint64_t *buf = xmalloc(words * sizeof *buf);
    /* Each thread first touches its own slice, as it will read it. */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < words; i++)
        buf[i] = i & 0xff;
    uint64_t expect = 0;
    for (size_t i = 0; i < words; i++)
        expect += i & 0xff;
    double *rate = xmalloc((size_t)reps * sizeof(double));
    for (int r = -1; r < reps; r++) {
        double t0 = now_seconds();
        uint64_t got = sum_words_parallel(buf, words, threads);
        double dt = now_seconds() - t0;
        if (got != expect)
            die_runtime("machine_read_gbps: the buffer summed to %llu, not %llu",
                        (unsigned long long)got, (unsigned long long)expect);
        if (r >= 0) rate[r] = (double)(words * sizeof *buf) / dt / 1e9;
    }
    double m = median_of(rate, reps);
    free(rate), free(buf);
    return m;
}

int machine_env_threads(void) {
    const char *names[] = {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"};
    for (int i = 0; i < 2; i++) {
        const char *v = getenv(names[i]);
        if (!v || !*v) continue;
        char *end;
        long n = strtol(v, &end, 10); /* OMP_NUM_THREADS may list levels: "4,1" */
        if (end == v || n < 1 || n > 4096 || (*end && *end != ','))
            die_input("%s=\"%s\": not a thread count (1 to 4096)", names[i], v);
        return (int)n;
    }
    return 0;
}

const char *machine_blas_built_for(void) {
#ifdef PAINTERS_OPENBLAS_OPENMP
    return "OpenMP";
#else
    return "any";
#endif
}

/* Once: the OpenBLAS the loader gave is the build painters was linked for. */
static void check_blas_build(void) {
    static int checked;
    if (checked) return;
    checked = 1;
    if (strcmp(machine_blas_built_for(), "OpenMP") == 0 && openblas_get_parallel() != 2)
        fprintf(stderr,
                "painters: warning: built for the OpenMP build of OpenBLAS but running on its %s "
                "build (LD_LIBRARY_PATH or LD_PRELOAD?): two pools of threads, attention on "
                "one thread\n",
                machine_blas_threading());
}

int machine_set_threads(int n) {
    check_blas_build();
    if (n <= 0) n = machine_env_threads();
    if (n <= 0) n = omp_get_max_threads();
    /* One count for the BLAS calls and painters' own OpenMP loops: with the
     * OpenMP build of OpenBLAS both run on libgomp's one pool. */
    openblas_set_num_threads(n);
    omp_set_num_threads(n);
    matmul_set_threads(n);
    return n;
}

const char *machine_blas_threading(void) {
    switch (openblas_get_parallel()) {
    case 0:
        return "sequential";
    case 1:
        return "pthreads";
    case 2:
        return "OpenMP";
    default:
        return "unknown";
    }
}

const char *machine_blas_config(void) {
    return openblas_get_config();
}

int machine_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
