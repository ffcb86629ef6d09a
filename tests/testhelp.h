/* testhelp.h: a tiny test helper in the redis style. Each check has a name;
 * test_report() prints "N passed, N failed" and returns the exit status. */
#ifndef PAINTERS_TESTHELP_H
#define PAINTERS_TESTHELP_H

#include <stddef.h>
#include <stdio.h>

/* The counts of the whole executable (defined in testhelp.c), whichever of
 * its files the checks are in. */
extern int test_passed, test_failed;

#define TEST_CHECK(name, cond)                                                                     \
    do {                                                                                           \
        if (cond) {                                                                                \
            test_passed++;                                                                         \
        } else {                                                                                   \
            test_failed++;                                                                         \
            printf("FAIL %s (%s:%d): %s\n", (name), __FILE__, __LINE__, #cond);                    \
        }                                                                                          \
    } while (0)

static inline int test_report(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, test_passed, test_failed);
    return test_failed == 0 && test_passed > 0 ? 0 : 1;
}

/* Where ../shared is (PAINTERS_SHARED_DIR overrides), or NULL when absent. */
const char *test_shared_dir(void);
/* Whether this is a CI run: CI set to anything but "", "0" or "false" (CI
 * services set CI=true). There a test must not skip for want of ../shared. */
int test_in_ci(void);
/* The exit status of a test that cannot run (or not wholly) for want of
 * ../shared, having printed why: 77 (skipped), or under CI 1 (failed), so
 * that a CI run cannot be green without the engine checks. what: what needs
 * ../shared. tests/shared.sh is the same rule for the scripts. */
int test_shared_missing(const char *what);

/* 1 when every one of the n values is finite (no NaN, no infinity). */
int test_all_finite(const float *x, size_t n);
/* The running maximum of errors: the larger of worst and err, where a NaN or
 * infinite err (or worst) gives infinity; fmax() would drop a NaN. */
double test_max_error(double worst, double err);
/* Largest |a - b| over n values, relative to the largest |b| (1 when b is
 * all zero); infinity when a value of either is not finite. */
double test_rel_error(const float *a, const float *b, size_t n);
/* A pseudo-random value in [-0.5, 0.5] (rand(): seed with srand). */
float test_rand_unit(void);
/* The largest error of y (T, out) against x (T, in) W^T + beta y0, W (out, in)
 * float32, relative to the sum of |products| of each entry (the bound of any
 * summation order); NaN or infinity anywhere gives infinity. */
double test_product_error(const float *y, const float *y0, const float *x, const float *w, int T,
                          int in, int out, float beta);

/* Runs fn(arg) in a forked child, stderr captured (and stdout too with
 * both_streams) into out: cap bytes with the NUL, the rest read and dropped so
 * the child never blocks on a full pipe. A child whose fn returns exits 0.
 * Returns its exit status, or -1 when it did not exit normally. */
int test_run_child(void (*fn)(const void *arg), const void *arg, int both_streams, char *out,
                   size_t cap);

#endif
