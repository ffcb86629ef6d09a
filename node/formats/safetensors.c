/* safetensors.c: the safetensors header reader; see safetensors.h.
 *
 * Layout: u64 little-endian N, then N bytes of JSON, then the data region.
 * Each tensor's data_offsets [begin, end) are relative to the data region
 * (byte 8 + N). Everything read from the file is checked against the file size
 * before it is trusted. */
#include "formats/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json_check.h"
#include "base/util.h"

#define SAFETENSORS_MAX_HEADER (100u * 1000u * 1000u)

typedef struct {
    uint64_t begin, end; /* relative to the data region */
    const char *name;
} ByteRange;

static uint64_t read_le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static int parse_dtype(const char *s, Dtype *out) {
    if (!strcmp(s, "F32"))
        *out = DTYPE_F32;
    else if (!strcmp(s, "F16"))
        *out = DTYPE_F16;
    else if (!strcmp(s, "BF16"))
        *out = DTYPE_BF16;
    else
        return 0;
    return 1;
}

/* Bytes per element of an integer dtype that index buffers are stored in, 0 for any other. */
static int index_dtype_size(const char *s) {
    if (!strcmp(s, "I64")) return 8;
    if (!strcmp(s, "I32")) return 4;
    if (!strcmp(s, "I16")) return 2;
    if (!strcmp(s, "I8") || !strcmp(s, "U8") || !strcmp(s, "BOOL")) return 1;
    return 0;
}

/* 1 when name is an index buffer a checkpoint may carry beside its weights
 * (BERT's embeddings.position_ids / token_type_ids, saved by transformers
 * before 4.31), which no layer reads. */
static int is_index_buffer(const char *name) {
    size_t n = strlen(name);
    return (n >= 12 && !strcmp(name + n - 12, "position_ids")) ||
           (n >= 14 && !strcmp(name + n - 14, "token_type_ids"));
}

/* Fills t from one header entry; offsets stay relative to the data region.
 * Returns 1 for a weight tensor, 0 for an index buffer in an integer dtype
 * (checked like a tensor, then left out of the table). */
static int parse_entry(const char *path, const cJSON *entry, uint64_t data_len, TensorInfo *t) {
    const char *name = entry->string;
    if (!cJSON_IsObject(entry))
        die_input("%s: tensor %s: expected an object, got %s", path, name, json_kind(entry));

    const cJSON *dtype = json_member(entry, "dtype");
    if (!cJSON_IsString(dtype))
        die_input("%s: tensor %s: dtype: expected a string, got %s", path, name, json_kind(dtype));
    int index_size = 0;
    if (!parse_dtype(dtype->valuestring, &t->dtype)) {
        index_size = is_index_buffer(name) ? index_dtype_size(dtype->valuestring) : 0;
        if (!index_size)
            die_input("%s: tensor %s: dtype %s not supported (F32, F16 and BF16 are)", path, name,
                      dtype->valuestring);
    }

    const cJSON *shape = json_member(entry, "shape");
    if (!cJSON_IsArray(shape))
        die_input("%s: tensor %s: shape: expected an array, got %s", path, name, json_kind(shape));
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > TENSOR_MAX_DIMS)
        die_input("%s: tensor %s: %d dimensions (at most %d supported)", path, name, ndim,
                  TENSOR_MAX_DIMS);
    t->ndim = ndim;
    uint64_t count = 1;
    int overflow = 0;
    for (int i = 0; i < ndim; i++) {
        const cJSON *d = cJSON_GetArrayItem(shape, i);
        uint64_t v;
        if (!json_exact_u64(d, &v))
            die_input("%s: tensor %s: shape[%d] is not a non-negative integer", path, name, i);
        t->shape[i] = (int64_t)v;
        if (v != 0 && count > UINT64_MAX / v)
            overflow = 1;
        else
            count *= v;
    }
    for (int i = ndim; i < TENSOR_MAX_DIMS; i++)
        t->shape[i] = 0;
    uint64_t esize = index_size ? (uint64_t)index_size : (uint64_t)dtype_size(t->dtype);
    if (count > UINT64_MAX / esize) overflow = 1;
    char sbuf[128];
    if (overflow)
        die_input("%s: tensor %s: shape %s is too large (byte count overflows)", path, name,
                  checkpoint_format_shape(sbuf, sizeof sbuf, ndim, t->shape));

    const cJSON *offs = json_member(entry, "data_offsets");
    uint64_t begin, end;
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 ||
        !json_exact_u64(cJSON_GetArrayItem(offs, 0), &begin) ||
        !json_exact_u64(cJSON_GetArrayItem(offs, 1), &end))
        die_input("%s: tensor %s: data_offsets: expected [begin, end] with non-negative integers",
                  path, name);
    if (begin > end)
        die_input("%s: tensor %s: data_offsets [%" PRIu64 ", %" PRIu64 "] begin after end", path,
                  name, begin, end);
    if (end > data_len)
        die_input("%s: tensor %s: data_offsets [%" PRIu64 ", %" PRIu64
                  "] run past the end of the data (%" PRIu64 " bytes; file truncated?)",
                  path, name, begin, end, data_len);
    if (count * esize != end - begin)
        die_input("%s: tensor %s: shape %s of %s needs %" PRIu64 " bytes but data_offsets [%" PRIu64
                  ", %" PRIu64 "] hold %" PRIu64,
                  path, name, checkpoint_format_shape(sbuf, sizeof sbuf, ndim, t->shape),
                  dtype->valuestring, count * esize, begin, end, end - begin);
    t->offset = begin;
    t->nbytes = end - begin;
    return !index_size;
}

static int compare_range_begin(const void *a, const void *b) {
    const ByteRange *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int compare_range_name(const void *a, const void *b) {
    return strcmp(((const ByteRange *)a)->name, ((const ByteRange *)b)->name);
}

/* Dies when two tensors of one file share a name or a byte. */
static void check_ranges(const char *path, ByteRange *r, int n) {
    qsort(r, (size_t)n, sizeof *r, compare_range_name);
    for (int i = 1; i < n; i++)
        if (!strcmp(r[i - 1].name, r[i].name))
            die_input("%s: tensor %s: listed twice in the header", path, r[i].name);
    qsort(r, (size_t)n, sizeof *r, compare_range_begin);
    for (int i = 1; i < n; i++)
        if (r[i].begin < r[i - 1].end)
            die_input("%s: tensor %s: data_offsets [%" PRIu64 ", %" PRIu64
                      "] overlap tensor %s [%" PRIu64 ", %" PRIu64 "]",
                      path, r[i].name, r[i].begin, r[i].end, r[i - 1].name, r[i - 1].begin,
                      r[i - 1].end);
}

void safetensors_parse_header(const char *path, const uint8_t *buf, size_t len, uint64_t file_size,
                              int file_index, TensorInfo **tensors, int *n_tensors) {
    if (file_size < 8 || len < 8)
        die_input("%s: %" PRIu64 " bytes, too short for a safetensors header", path, file_size);
    uint64_t n = read_le64(buf);
    if (n > SAFETENSORS_MAX_HEADER)
        die_input("%s: header length %" PRIu64
                  " is absurd (limit %u bytes; not a safetensors file?)",
                  path, n, SAFETENSORS_MAX_HEADER);
    if (n > file_size - 8)
        die_input("%s: header length %" PRIu64 " runs past the end of the file (%" PRIu64
                  " bytes; truncated?)",
                  path, n, file_size);
    if (n > len - 8)
        die_input("%s: header length %" PRIu64 " but only %zu header bytes were read", path, n,
                  len - 8);
    if (n < 2 || buf[8] != '{')
        die_input("%s: header is not a JSON object (not a safetensors file?)", path);
    if (memchr(buf + 8, '\0', (size_t)n)) die_input("%s: header contains a NUL byte", path);

    char *text = xmalloc((size_t)n + 1);
    memcpy(text, buf + 8, (size_t)n);
    text[n] = '\0';
    char source[4200];
    snprintf(source, sizeof source, "%s: header", path);
    cJSON *root = json_parse_checked(source, text);
    free(text);
    if (!cJSON_IsObject(root)) die_input("%s: header is not a JSON object", path);

    uint64_t data_start = 8 + n;
    uint64_t data_len = file_size - data_start;
    int count = 0;
    for (const cJSON *e = root->child; e; e = e->next)
        count++;
    *tensors = xrealloc(*tensors, sizeof **tensors * (size_t)(*n_tensors + count));
    ByteRange *ranges = xmalloc(sizeof *ranges * (size_t)(count ? count : 1));
    int added = 0, n_ranges = 0;
    for (const cJSON *e = root->child; e; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) {
            if (!cJSON_IsObject(e))
                die_input("%s: __metadata__: expected an object, got %s", path, json_kind(e));
            continue;
        }
        TensorInfo *t = &(*tensors)[*n_tensors + added];
        memset(t, 0, sizeof *t);
        int weight = parse_entry(path, e, data_len, t);
        ranges[n_ranges++] = (ByteRange){t->offset, t->offset + t->nbytes, e->string};
        if (!weight) continue;
        t->offset += data_start;
        t->file = file_index;
        t->name = xstrdup(e->string);
        added++;
    }
    check_ranges(path, ranges, n_ranges);
    free(ranges);
    cJSON_Delete(root);
    *n_tensors += added;
}

/* Reads up to cap bytes from offset; returns the count read. */
static size_t pread_full(int fd, uint8_t *buf, size_t cap, uint64_t offset, const char *path) {
    size_t got = 0;
    while (got < cap) {
        ssize_t r = pread(fd, buf + got, cap - got, (off_t)(offset + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die_input("%s: read error: %s", path, strerror(errno));
        if (r == 0) break;
        got += (size_t)r;
    }
    return got;
}

void safetensors_read_header(const char *path, int file_index, uint64_t *file_size,
                             TensorInfo **tensors, int *n_tensors) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die_input("%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) die_input("%s: cannot stat: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) die_input("%s: not a regular file", path);
    uint64_t size = (uint64_t)st.st_size;
    uint8_t prefix[8];
    size_t len = pread_full(fd, prefix, sizeof prefix, 0, path);
    uint8_t *buf = prefix;
    if (len == 8) {
        uint64_t n = read_le64(prefix);
        /* Read the header only when its length is plausible; otherwise the
         * parser reports the bad length from the prefix alone. */
        if (n <= SAFETENSORS_MAX_HEADER && n <= size - 8) {
            buf = xmalloc((size_t)n + 8);
            len = pread_full(fd, buf, (size_t)n + 8, 0, path);
        }
    }
    close(fd);
    safetensors_parse_header(path, buf, len, size, file_index, tensors, n_tensors);
    if (buf != prefix) free(buf);
    *file_size = size;
}
