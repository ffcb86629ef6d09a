/* testhelp.c: shared helpers for the test executables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
