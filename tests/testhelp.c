/* testhelp.c: shared helpers for the test executables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testhelp.h"

int test_passed = 0, test_failed = 0;

const char *test_shared_dir(void) {
    static char buf[4096];
    const char *env = getenv("PAINTERS_SHARED_DIR");
    snprintf(buf, sizeof buf, "%s", env && *env ? env : PAINTERS_SOURCE_DIR "/../shared");
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    return buf;
}

int test_in_ci(void) {
    const char *ci = getenv("CI");
    return ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0;
}

int test_shared_missing(const char *what) {
    if (test_in_ci()) {
        printf("FAIL: %s: ../shared (the reference fixtures) not found; under CI=%s a test may "
               "not skip for want of it (set PAINTERS_SHARED_DIR)\n",
               what, getenv("CI"));
        return 1;
    }
    printf("skipped: %s: ../shared (the reference fixtures) not found; set PAINTERS_SHARED_DIR\n",
           what);
    return 77;
}

int test_all_finite(const float *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

double test_max_error(double worst, double err) {
    if (!isfinite(worst) || !isfinite(err)) return INFINITY;
    return err > worst ? err : worst;
}

double test_rel_error(const float *a, const float *b, size_t n) {
    double err = 0, mag = 0;
    for (size_t i = 0; i < n; i++) {
        err = test_max_error(err, fabs((double)a[i] - b[i]));
        mag = test_max_error(mag, fabs((double)b[i]));
    }
    if (!isfinite(err) || !isfinite(mag)) return INFINITY;
    return err / (mag > 0 ? mag : 1);
}

int test_run_child(void (*fn)(const void *arg), const void *arg, int both_streams, char *out,
                   size_t cap) {
    int fds[2];
    if (pipe(fds) != 0) {
        perror("test_run_child: pipe");
        exit(1);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("test_run_child: fork");
        exit(1);
    }
    if (pid == 0) {
        close(fds[0]);
        if (both_streams) dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[1]);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    char drop[4096];
    for (;;) {
        char *dst = len + 1 < cap ? out + len : drop;
        size_t room = len + 1 < cap ? cap - 1 - len : sizeof drop;
        ssize_t got = read(fds[0], dst, room);
        if (got <= 0) break;
        if (dst != drop) len += (size_t)got;
    }
    if (cap > 0) out[len] = '\0';
    close(fds[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

float test_rand_unit(void) {
    return (float)rand() / (float)RAND_MAX - 0.5f;
}

double test_product_error(const float *y, const float *y0, const float *x, const float *w, int T,
                          int in, int out, float beta) {
    double worst = 0.0;
    for (int t = 0; t < T; t++)
        for (int o = 0; o < out; o++) {
            double ref = beta == 0.0f ? 0.0 : (double)beta * y0[(size_t)t * out + o];
            double mag = fabs(ref);
            for (int i = 0; i < in; i++) {
                double p = (double)w[(size_t)o * in + i] * x[(size_t)t * in + i];
                ref += p, mag += fabs(p);
            }
            double err = fabs(y[(size_t)t * out + o] - ref) / (mag > 0.0 ? mag : 1.0);
            worst = test_max_error(worst, err);
        }
    return worst;
}
