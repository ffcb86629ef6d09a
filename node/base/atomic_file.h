/* atomic_file.h: a file that readers see whole or not at all.
 *
 *   AtomicFile a = atomic_file_open("OUT/report.html");   // writes OUT/report.html.tmp
 *   fprintf(a.f, ...);
 *   atomic_file_commit(&a);   // fflush, fsync, close, rename over the path, fsync the folder
 *
 * Failures are die_runtime (exit 1) naming the file; an unwritable folder is
 * die_input (exit 2). */
#ifndef PAINTERS_ATOMIC_FILE_H
#define PAINTERS_ATOMIC_FILE_H

#include <stdio.h>

typedef struct {
    FILE *f;    /* write here; closed by atomic_file_commit */
    char *path; /* owned: the final path */
    char *tmp;  /* owned: path + ".tmp" */
} AtomicFile;

AtomicFile atomic_file_open(const char *path);
/* Makes the file visible under its path and frees the struct's strings. */
void atomic_file_commit(AtomicFile *a);
/* Writes text to path atomically: a reader never sees half a file.
 * die_runtime on an I/O error. */
void write_text_atomic(const char *path, const char *text);
/* Renames tmp over path and fsyncs the folder (for files written by others). */
void atomic_rename(const char *tmp, const char *path);

#endif
