/* util.c: see util.h. */
#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int g_rank = 0;
static int g_world = 1;
static jmp_buf *g_error_jump = NULL;
static int g_exiting = 0; /* inside exit(): util_set_exiting() */

void util_set_error_jump(jmp_buf *jb) {
    g_error_jump = jb;
}

void util_set_exiting(void) {
    g_exiting = 1;
}

void util_set_rank(int rank, int world_size) {
    g_rank = rank;
    g_world = world_size;
}

int util_rank(void) {
    return g_rank;
}

static void vmessage(const char *kind, const char *fmt, va_list ap) {
    char buf[2048];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (g_rank != 0)
        fprintf(stderr, "[rank %d] painters: %s%s\n", g_rank, kind, buf);
    else
        fprintf(stderr, "painters: %s%s\n", kind, buf);
    fflush(stderr);
}

static _Noreturn void end_job(int code) {
    if (g_error_jump && !g_exiting) longjmp(*g_error_jump, code);
    /* exit() flushes every stream; _exit() does not. */
    fflush(g_exiting ? NULL : stdout);
    int inited = 0, finalized = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (inited && !finalized && g_world > 1) MPI_Abort(MPI_COMM_WORLD, code);
    if (g_exiting) _exit(code); /* already inside exit(): not again */
    exit(code);
}

/* Whether a die_* call prints its message: always, unless the error jump is
 * armed (and not ignored while exiting) and PAINTERS_ERROR_JUMP_PRINT is unset. */
static int error_is_printed(void) {
    return !g_error_jump || g_exiting || getenv("PAINTERS_ERROR_JUMP_PRINT") != NULL;
}

void die_input(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (error_is_printed()) vmessage("error: ", fmt, ap);
    va_end(ap);
    end_job(PAINTERS_EXIT_INPUT);
}

void die_runtime(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (error_is_printed()) vmessage("fatal: ", fmt, ap);
    va_end(ap);
    end_job(PAINTERS_EXIT_RUNTIME);
}

void warn_msg(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

void *xmalloc_at(size_t n, const char *file, int line) {
    void *p = malloc(n ? n : 1);
    if (!p) die_runtime("%s:%d: out of memory allocating %zu bytes", file, line, n);
    return p;
}

void *xcalloc_at(size_t n, size_t size, const char *file, int line) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) die_runtime("%s:%d: out of memory allocating %zu x %zu bytes", file, line, n, size);
    return p;
}

void *xrealloc_at(void *p, size_t n, const char *file, int line) {
    void *q = realloc(p, n ? n : 1);
    if (!q) die_runtime("%s:%d: out of memory reallocating %zu bytes", file, line, n);
    return q;
}

char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

float *xalloc_floats(size_t n) {
    size_t bytes = mul_size_checked(n ? n : 1, sizeof(float), "float buffer");
    bytes = (bytes + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes);
    if (!p) die_runtime("out of memory allocating %zu floats", n);
    memset(p, 0, bytes);
    return p;
}

size_t mul_size_checked(size_t a, size_t b, const char *what) {
    if (b != 0 && a > SIZE_MAX / b) die_input("%s: size overflow (%zu x %zu)", what, a, b);
    return a * b;
}

size_t add_size_checked(size_t a, size_t b, const char *what) {
    if (a > SIZE_MAX - b) die_input("%s: size overflow (%zu + %zu)", what, a, b);
    return a + b;
}

char *read_file_text(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) die_input("%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) buf = xrealloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) die_input("%s: read error", path);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int dir_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = xmalloc(a + b + 2);
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { /* subnormal: value = mant * 2^-24 */
            float v = (float)mant * 0x1p-24f;
            memcpy(&bits, &v, 4);
            bits |= sign;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float bf16_to_f32(uint16_t b) {
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t f32_to_bf16(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40); /* NaN */
    bits += 0x7fffu + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

uint16_t f32_to_f16(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000);
    float a = fabsf(f);
    if (isnan(f)) return sign | 0x7e00;
    if (a >= 65520.0f) return sign | 0x7c00;
    if (a < 0x1p-14f) { /* subnormal or zero: multiples of 2^-24, round half even */
        float q = a * 0x1p24f;
        float r = nearbyintf(q);
        return sign | (uint16_t)r;
    }
    uint32_t ab;
    memcpy(&ab, &a, 4);
    uint32_t exp = (ab >> 23) - 112;
    uint32_t mant = ab & 0x7fffff;
    uint32_t half = (exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) half++;
    return sign | (uint16_t)half;
}
