/* testhelp.h: a tiny test helper in the redis style. Each check has a name;
 * test_report() prints "N passed, N failed" and returns the exit status. */
#ifndef PAINTERS_TESTHELP_H
#define PAINTERS_TESTHELP_H

#include <stdio.h>

static int test_passed = 0, test_failed = 0;

#define TEST_CHECK(name, cond)                                                  \
    do {                                                                        \
        if (cond) {                                                             \
            test_passed++;                                                      \
        } else {                                                                \
            test_failed++;                                                      \
            printf("FAIL %s (%s:%d): %s\n", (name), __FILE__, __LINE__, #cond); \
        }                                                                       \
    } while (0)

static inline int test_report(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, test_passed, test_failed);
    return test_failed == 0 && test_passed > 0 ? 0 : 1;
}

/* Where ../shared is (PAINTERS_SHARED_DIR overrides), or NULL when absent. */
const char *test_shared_dir(void);

#endif
