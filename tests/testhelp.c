/* testhelp.c: shared helpers for the test executables. */
#include <stdlib.h>
#include <sys/stat.h>

#include "testhelp.h"

const char *test_shared_dir(void) {
    static char buf[4096];
    const char *env = getenv("PAINTERS_SHARED_DIR");
    snprintf(buf, sizeof buf, "%s", env && *env ? env : PAINTERS_SOURCE_DIR "/../shared");
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    return buf;
}
