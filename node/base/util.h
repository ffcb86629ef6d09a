/* util.h: errors, checked allocation, files and clocks shared by every module.
 *
 * Error policy (DESIGN.md "Exit status"):
 *   die_input()   bad usage or bad input: exit status 2, message names file, place, reason
 *   die_runtime() anything else that cannot go on: exit status 1
 * Both end the whole MPI job (MPI_Abort) when more than one rank runs, so no
 * rank is left waiting. Messages go to stderr, prefixed with the rank when it
 * is not 0. These checks are always on (never assert()).
 */
#ifndef PAINTERS_UTIL_H
#define PAINTERS_UTIL_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PAINTERS_EXIT_RUNTIME 1
#define PAINTERS_EXIT_INPUT 2

#if defined(__GNUC__)
#define PAINTERS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PAINTERS_PRINTF(a, b)
#endif

_Noreturn void die_input(const char *fmt, ...) PAINTERS_PRINTF(1, 2);
_Noreturn void die_runtime(const char *fmt, ...) PAINTERS_PRINTF(1, 2);
/* For fuzzing and tests only: with jb armed, die_input() and die_runtime()
 * print nothing (unless PAINTERS_ERROR_JUMP_PRINT is set in the environment)
 * and longjmp(*jb, PAINTERS_EXIT_INPUT or PAINTERS_EXIT_RUNTIME) instead of
 * ending the program. What the dying parser had allocated is not freed. NULL
 * disarms; the program as shipped never arms it. */
void util_set_error_jump(jmp_buf *jb);
/* Called first by an atexit handler that can fail (rank 0 releasing the
 * stations): calling exit() there again is undefined, so from then on
 * die_input() and die_runtime() print their message, flush every stream and
 * end with MPI_Abort (more than one rank) or _exit(), never exit(); the error
 * jump is ignored (its frame is gone). */
void util_set_exiting(void);

/* Prints a warning line on stderr (rank-prefixed) and returns. */
void warn_msg(const char *fmt, ...) PAINTERS_PRINTF(1, 2);

/* Checked allocation: never returns NULL (dies with exit 1 naming the caller).
 * The caller owns the result and frees it with free(). */
#define xmalloc(n) xmalloc_at((n), __FILE__, __LINE__)
#define xcalloc(n, s) xcalloc_at((n), (s), __FILE__, __LINE__)
#define xrealloc(p, n) xrealloc_at((p), (n), __FILE__, __LINE__)
void *xmalloc_at(size_t n, const char *file, int line);
void *xcalloc_at(size_t n, size_t size, const char *file, int line);
void *xrealloc_at(void *p, size_t n, const char *file, int line);
/* Caller owns the copy. */
char *xstrdup(const char *s);
/* 64-byte aligned float buffer of n floats, zeroed. Free with free(). */
float *xalloc_floats(size_t n);

/* a * b, dying with "what: size overflow" instead of wrapping. */
size_t mul_size_checked(size_t a, size_t b, const char *what);
size_t add_size_checked(size_t a, size_t b, const char *what);

/* Reads a whole file into a NUL-terminated buffer the caller frees; *len gets
 * the byte count (may be NULL). A missing or unreadable file is die_input. */
char *read_file_text(const char *path, size_t *len);
int file_exists(const char *path);
int dir_exists(const char *path);
/* Caller frees. "dir" + "/" + "name". */
char *path_join(const char *dir, const char *name);

/* Monotonic wall clock in seconds. */
double now_seconds(void);

/* The MPI rank used to prefix messages (set once MPI is up; 0 before). */
void util_set_rank(int rank, int world_size);
int util_rank(void);

/* float16 / bfloat16 -> float32, exact. */
float f16_to_f32(uint16_t h);
float bf16_to_f32(uint16_t b);
/* float32 -> bfloat16 / float16, round to nearest even (for writers and tests). */
uint16_t f32_to_bf16(float f);
uint16_t f32_to_f16(float f);

#endif
