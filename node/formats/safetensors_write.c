/* safetensors_write.c: the F32 safetensors writer; see safetensors.h.
 *
 * The file appears complete or not at all: it is written to PATH.tmp,
 * fsync'ed and renamed over PATH. The JSON header is padded with spaces to a
 * multiple of 8 bytes so that the data region starts aligned. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "formats/safetensors.h"
#include "base/util.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; this writer copies floats as they lie in memory"
#endif

typedef struct {
    char *data; /* owned */
    size_t len, cap;
} TextBuf;

static void text_append(TextBuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 1024;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void text_puts(TextBuf *b, const char *s) {
    text_append(b, s, strlen(s));
}

static void text_printf(TextBuf *b, const char *fmt, ...) PAINTERS_PRINTF(2, 3);

static void text_printf(TextBuf *b, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) die_runtime("safetensors header field too long");
    text_append(b, tmp, (size_t)n);
}

/* A JSON string literal: quotes, backslashes and control bytes escaped. */
static void text_json_string(TextBuf *b, const char *s) {
    text_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            text_append(b, esc, 2);
        } else if (c < 0x20) {
            text_printf(b, "\\u%04x", c);
        } else {
            text_append(b, (const char *)&c, 1);
        }
    }
    text_puts(b, "\"");
}

static void write_all(int fd, const void *p, size_t n, const char *path) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) die_runtime("%s: write failed: %s", path, strerror(errno));
        c += w;
        n -= (size_t)w;
    }
}

void safetensors_write_f32(const char *path, int n, const char *const *names, const int *ndims,
                           const int64_t (*shapes)[TENSOR_MAX_DIMS], const float *const *data) {
    TextBuf h = {0};
    uint64_t *nbytes = xcalloc((size_t)(n > 0 ? n : 1), sizeof *nbytes);
    uint64_t offset = 0;
    text_puts(&h, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (int i = 0; i < n; i++) {
        if (ndims[i] < 0 || ndims[i] > TENSOR_MAX_DIMS)
            die_runtime("%s: tensor %s: %d dimensions", path, names[i], ndims[i]);
        uint64_t count = 1;
        text_puts(&h, ",");
        text_json_string(&h, names[i]);
        text_puts(&h, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int d = 0; d < ndims[i]; d++) {
            if (shapes[i][d] < 0) die_runtime("%s: tensor %s: negative dimension", path, names[i]);
            count = (uint64_t)mul_size_checked((size_t)count, (size_t)shapes[i][d], names[i]);
            text_printf(&h, "%s%" PRId64, d ? "," : "", shapes[i][d]);
        }
        nbytes[i] = (uint64_t)mul_size_checked((size_t)count, sizeof(float), names[i]);
        text_printf(&h, "],\"data_offsets\":[%" PRIu64 ",%" PRIu64 "]}", offset,
                    offset + nbytes[i]);
        offset += nbytes[i];
    }
    text_puts(&h, "}");
    while (h.len % 8)
        text_puts(&h, " ");

    size_t plen = strlen(path);
    char *tmp = xmalloc(plen + 5);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die_runtime("%s: cannot create: %s", tmp, strerror(errno));
    uint8_t len_le[8];
    for (int i = 0; i < 8; i++)
        len_le[i] = (uint8_t)((uint64_t)h.len >> (8 * i));
    write_all(fd, len_le, 8, tmp);
    write_all(fd, h.data, h.len, tmp);
    for (int i = 0; i < n; i++)
        write_all(fd, data[i], (size_t)nbytes[i], tmp);
    if (fsync(fd) != 0) die_runtime("%s: fsync failed: %s", tmp, strerror(errno));
    if (close(fd) != 0) die_runtime("%s: close failed: %s", tmp, strerror(errno));
    atomic_rename(tmp, path);
    free(tmp);
    free(nbytes);
    free(h.data);
}
