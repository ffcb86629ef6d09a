/* gguf_write.c: the GGUF v3 writer; see gguf_write.h.
 *
 * Key/values are serialized into a byte buffer as they are added; tensor
 * infos are kept until begin_data, when their offsets (each rounded up to
 * the alignment) are known and the header goes out at once. */
#include "formats/gguf_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "base/util.h"
#include "formats/gguf.h"
#include "formats/quant.h"

#define GGUF_WRITE_ALIGNMENT 32
#define GGUF_WRITE_MAX_DIMS 4

typedef struct {
    char *name; /* owned */
    int n_dims;
    int64_t ne[GGUF_WRITE_MAX_DIMS];
    Dtype dtype;
    uint64_t offset, bytes; /* in the data section */
} GgufTensorOut;

typedef struct {
    uint8_t *data; /* owned */
    size_t len, cap;
} ByteBuf;

struct GgufWriter {
    char *path; /* owned */
    ByteBuf kv; /* the serialized key/values */
    uint64_t n_kv;
    GgufTensorOut *tensors; /* owned */
    int n_tensors, cap_tensors;
    AtomicFile file; /* open from begin_data */
    int writing;
    int current;       /* the tensor whose bytes come next */
    uint64_t written;  /* bytes of the current tensor so far */
    uint64_t data_len; /* bytes of the data section so far */
};

static void buf_put(ByteBuf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap)
            b->cap = b->cap ? b->cap * 2 : 4096;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void buf_le(ByteBuf *b, uint64_t v, int bytes) {
    uint8_t le[8];
    for (int i = 0; i < bytes; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    buf_put(b, le, (size_t)bytes);
}

static void buf_string(ByteBuf *b, const char *s) {
    size_t n = strlen(s);
    buf_le(b, n, 8);
    buf_put(b, s, n);
}

static void buf_f32(ByteBuf *b, float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    buf_le(b, u, 4);
}

static void kv_key(GgufWriter *w, const char *key, GgufValueType t) {
    if (w->writing) die_runtime("%s: metadata %s added after the data began", w->path, key);
    buf_string(&w->kv, key);
    buf_le(&w->kv, (uint64_t)t, 4);
    w->n_kv++;
}

GgufWriter *gguf_writer_new(const char *path) {
    GgufWriter *w = xcalloc(1, sizeof *w);
    w->path = xstrdup(path);
    return w;
}

void gguf_writer_kv_u32(GgufWriter *w, const char *key, uint32_t v) {
    kv_key(w, key, GGUF_TYPE_U32);
    buf_le(&w->kv, v, 4);
}

void gguf_writer_kv_f32(GgufWriter *w, const char *key, float v) {
    kv_key(w, key, GGUF_TYPE_F32);
    buf_f32(&w->kv, v);
}

void gguf_writer_kv_string(GgufWriter *w, const char *key, const char *v) {
    kv_key(w, key, GGUF_TYPE_STRING);
    buf_string(&w->kv, v);
}

static void array_head(GgufWriter *w, const char *key, GgufValueType item, size_t n) {
    kv_key(w, key, GGUF_TYPE_ARRAY);
    buf_le(&w->kv, (uint64_t)item, 4);
    buf_le(&w->kv, n, 8);
}

void gguf_writer_kv_string_array(GgufWriter *w, const char *key, size_t n,
                                 const char *const *items) {
    array_head(w, key, GGUF_TYPE_STRING, n);
    for (size_t i = 0; i < n; i++)
        buf_string(&w->kv, items[i]);
}

void gguf_writer_kv_f32_array(GgufWriter *w, const char *key, size_t n, const float *items) {
    array_head(w, key, GGUF_TYPE_F32, n);
    for (size_t i = 0; i < n; i++)
        buf_f32(&w->kv, items[i]);
}

void gguf_writer_kv_i32_array(GgufWriter *w, const char *key, size_t n, const int32_t *items) {
    array_head(w, key, GGUF_TYPE_I32, n);
    for (size_t i = 0; i < n; i++)
        buf_le(&w->kv, (uint32_t)items[i], 4);
}

uint32_t gguf_ggml_type(Dtype d) {
    switch (d) {
    case DTYPE_F32:
        return 0;
    case DTYPE_F16:
        return 1;
    case DTYPE_Q4_0:
        return 2;
    case DTYPE_Q8_0:
        return 8;
    case DTYPE_Q4_K:
        return 12;
    case DTYPE_Q5_K:
        return 13;
    case DTYPE_Q6_K:
        return 14;
    case DTYPE_BF16:
        return 30;
    }
    die_runtime("gguf_ggml_type: unknown dtype %d", (int)d);
}

void gguf_writer_add_tensor(GgufWriter *w, const char *name, int n_dims, const int64_t *ne,
                            Dtype dtype) {
    if (w->writing) die_runtime("%s: tensor %s added after the data began", w->path, name);
    if (n_dims < 1 || n_dims > GGUF_WRITE_MAX_DIMS)
        die_runtime("%s: tensor %s: %d dimensions", w->path, name, n_dims);
    if (w->n_tensors == w->cap_tensors) {
        w->cap_tensors = w->cap_tensors ? 2 * w->cap_tensors : 64;
        w->tensors = xrealloc(w->tensors, (size_t)w->cap_tensors * sizeof *w->tensors);
    }
    GgufTensorOut *t = &w->tensors[w->n_tensors++];
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    t->n_dims = n_dims;
    t->dtype = dtype;
    uint64_t rows = 1;
    for (int d = 0; d < n_dims; d++) {
        if (ne[d] < 1)
            die_runtime("%s: tensor %s: dimension %d is %lld", w->path, name, d, (long long)ne[d]);
        t->ne[d] = ne[d];
        if (d > 0) rows = (uint64_t)mul_size_checked((size_t)rows, (size_t)ne[d], name);
    }
    t->bytes = (uint64_t)mul_size_checked((size_t)rows, dtype_row_bytes(dtype, ne[0]), name);
}

uint64_t gguf_writer_tensor_bytes(const GgufWriter *w, int i) {
    if (i < 0 || i >= w->n_tensors) die_runtime("%s: no tensor %d", w->path, i);
    return w->tensors[i].bytes;
}

static void file_put(GgufWriter *w, const void *p, size_t n) {
    if (n && fwrite(p, 1, n, w->file.f) != n)
        die_runtime("%s: write error: %s", w->file.tmp, strerror(errno));
}

static void file_pad(GgufWriter *w, uint64_t len) {
    static const uint8_t zeros[GGUF_WRITE_ALIGNMENT];
    size_t pad =
        (size_t)((GGUF_WRITE_ALIGNMENT - len % GGUF_WRITE_ALIGNMENT) % GGUF_WRITE_ALIGNMENT);
    file_put(w, zeros, pad);
}

void gguf_writer_begin_data(GgufWriter *w) {
    if (w->writing) die_runtime("%s: begin_data called twice", w->path);
    uint64_t offset = 0;
    ByteBuf h = {0};
    buf_put(&h, "GGUF", 4);
    buf_le(&h, 3, 4);
    buf_le(&h, (uint64_t)w->n_tensors, 8);
    buf_le(&h, w->n_kv, 8);
    buf_put(&h, w->kv.data, w->kv.len);
    for (int i = 0; i < w->n_tensors; i++) {
        GgufTensorOut *t = &w->tensors[i];
        t->offset = offset;
        buf_string(&h, t->name);
        buf_le(&h, (uint64_t)t->n_dims, 4);
        for (int d = 0; d < t->n_dims; d++)
            buf_le(&h, (uint64_t)t->ne[d], 8);
        buf_le(&h, gguf_ggml_type(t->dtype), 4);
        buf_le(&h, t->offset, 8);
        offset += t->bytes;
        offset += (GGUF_WRITE_ALIGNMENT - offset % GGUF_WRITE_ALIGNMENT) % GGUF_WRITE_ALIGNMENT;
    }
    w->file = atomic_file_open(w->path);
    w->writing = 1;
    file_put(w, h.data, h.len);
    file_pad(w, h.len);
    free(h.data);
    w->current = 0;
    w->written = 0;
}

void gguf_writer_data(GgufWriter *w, const void *p, size_t n) {
    if (!w->writing) die_runtime("%s: tensor data before begin_data", w->path);
    const uint8_t *c = p;
    while (n > 0) {
        if (w->current >= w->n_tensors)
            die_runtime("%s: %zu bytes of data past the last tensor", w->path, n);
        GgufTensorOut *t = &w->tensors[w->current];
        uint64_t left = t->bytes - w->written;
        size_t m = n < left ? n : (size_t)left;
        file_put(w, c, m);
        c += m, n -= m;
        w->written += m;
        w->data_len += m;
        if (w->written == t->bytes) {
            file_pad(w, w->data_len);
            w->data_len +=
                (GGUF_WRITE_ALIGNMENT - w->data_len % GGUF_WRITE_ALIGNMENT) % GGUF_WRITE_ALIGNMENT;
            w->current++;
            w->written = 0;
        }
    }
}

void gguf_writer_finish(GgufWriter *w) {
    if (!w->writing) gguf_writer_begin_data(w);
    if (w->current != w->n_tensors)
        die_runtime("%s: tensor %s: %llu of its %llu bytes written", w->path,
                    w->tensors[w->current].name, (unsigned long long)w->written,
                    (unsigned long long)w->tensors[w->current].bytes);
    atomic_file_commit(&w->file);
    for (int i = 0; i < w->n_tensors; i++)
        free(w->tensors[i].name);
    free(w->tensors);
    free(w->kv.data);
    free(w->path);
    free(w);
}
