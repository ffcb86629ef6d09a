/* atomic_file.c: see atomic_file.h. */
#include "base/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

AtomicFile atomic_file_open(const char *path) {
    AtomicFile a = {0};
    a.path = xstrdup(path);
    a.tmp = xmalloc(strlen(path) + 5);
    sprintf(a.tmp, "%s.tmp", path);
    a.f = fopen(a.tmp, "w");
    if (!a.f) die_input("%s: cannot create: %s", a.tmp, strerror(errno));
    return a;
}

/* fsync of the folder holding path, so that a rename into it is durable. */
static void sync_parent_folder(const char *path) {
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

void atomic_rename(const char *tmp, const char *path) {
    if (rename(tmp, path) != 0)
        die_runtime("%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    sync_parent_folder(path);
}

void atomic_file_commit(AtomicFile *a) {
    int ok = fflush(a->f) == 0 && !ferror(a->f) && fsync(fileno(a->f)) == 0;
    if (fclose(a->f) != 0) ok = 0;
    if (!ok) die_runtime("%s: write failed: %s", a->tmp, strerror(errno));
    atomic_rename(a->tmp, a->path);
    free(a->tmp);
    free(a->path);
    *a = (AtomicFile){0};
}

void write_text_atomic(const char *path, const char *text) {
    AtomicFile a = atomic_file_open(path);
    if (fputs(text, a.f) < 0) die_runtime("%s: write failed: %s", a.tmp, strerror(errno));
    atomic_file_commit(&a);
}
