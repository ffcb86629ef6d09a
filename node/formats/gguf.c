/* gguf.c: the GGUF file reader (header, metadata, tensor infos); see gguf.h.
 *
 * Everything is read through a cursor that checks each length against the
 * bytes left before trusting it, so a count or length that cannot fit in the
 * rest of the file is refused before anything is allocated for it. */
#include "formats/gguf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#define GGUF_MAX_NAME 256      /* tensor names (ggml's GGML_MAX_NAME is 64) */
#define GGUF_MAX_KEY 65536     /* metadata keys */
#define GGUF_MAX_ARRAY_DEPTH 4 /* arrays of arrays */
#define GGUF_DEFAULT_ALIGNMENT 32

typedef struct {
    const char *path;
    const uint8_t *buf;
    uint64_t len, at;
} Cursor;

/* Dies unless n more bytes are there; what names what is being read. */
static void need(Cursor *c, uint64_t n, const char *what) {
    if (n > c->len - c->at)
        die_input("%s: byte %" PRIu64 ": %s needs %" PRIu64 " bytes, only %" PRIu64
                  " left in the file (truncated?)",
                  c->path, c->at, what, n, c->len - c->at);
}

static uint64_t read_le(Cursor *c, int bytes, const char *what) {
    need(c, (uint64_t)bytes, what);
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = (v << 8) | c->buf[c->at + (uint64_t)i];
    c->at += (uint64_t)bytes;
    return v;
}

static uint32_t read_u32(Cursor *c, const char *what) {
    return (uint32_t)read_le(c, 4, what);
}

static uint64_t read_u64(Cursor *c, const char *what) {
    return read_le(c, 8, what);
}

/* A string: u64 length, then the bytes. Caller owns the copy; free(). */
static char *read_string(Cursor *c, const char *what, uint64_t max_len, uint64_t *len_out) {
    uint64_t at = c->at;
    uint64_t n = read_u64(c, what);
    if (n > c->len - c->at)
        die_input("%s: byte %" PRIu64 ": %s: string length %" PRIu64 " runs past the end of the "
                  "file (%" PRIu64 " bytes left)",
                  c->path, at, what, n, c->len - c->at);
    if (n > max_len)
        die_input("%s: byte %" PRIu64 ": %s: string length %" PRIu64 " over the limit %" PRIu64,
                  c->path, at, what, n, max_len);
    char *s = xmalloc((size_t)n + 1);
    memcpy(s, c->buf + c->at, (size_t)n);
    s[n] = 0;
    c->at += n;
    if (len_out) *len_out = n;
    return s;
}

const char *gguf_value_type_name(GgufValueType t) {
    static const char *names[] = {"u8",   "i8",     "u16",   "i16", "u32", "i32", "f32",
                                  "bool", "string", "array", "u64", "i64", "f64"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "unknown";
}

/* Bytes of one value of a fixed-size type; 0 for string and array. */
static int value_size(GgufValueType t) {
    switch (t) {
    case GGUF_TYPE_U8:
    case GGUF_TYPE_I8:
    case GGUF_TYPE_BOOL:
        return 1;
    case GGUF_TYPE_U16:
    case GGUF_TYPE_I16:
        return 2;
    case GGUF_TYPE_U32:
    case GGUF_TYPE_I32:
    case GGUF_TYPE_F32:
        return 4;
    case GGUF_TYPE_U64:
    case GGUF_TYPE_I64:
    case GGUF_TYPE_F64:
        return 8;
    default:
        return 0;
    }
}

static GgufValueType read_value_type(Cursor *c, const char *key) {
    uint64_t at = c->at;
    uint32_t t = read_u32(c, "a metadata value type");
    if (t > GGUF_TYPE_F64)
        die_input("%s: byte %" PRIu64 ": metadata %s: unknown value type %" PRIu32, c->path, at,
                  key, t);
    return (GgufValueType)t;
}

static void read_value(Cursor *c, const char *key, GgufValueType t, int depth, GgufValue *v);

static void read_array(Cursor *c, const char *key, int depth, GgufValue *v) {
    if (depth >= GGUF_MAX_ARRAY_DEPTH)
        die_input("%s: byte %" PRIu64 ": metadata %s: arrays nested deeper than %d", c->path, c->at,
                  key, GGUF_MAX_ARRAY_DEPTH);
    GgufValueType it = read_value_type(c, key);
    uint64_t at = c->at;
    uint64_t n = read_u64(c, "an array count");
    /* Each item takes at least its size (strings and arrays: 8 bytes, their length/count...). */
    uint64_t min_item =
        value_size(it) ? (uint64_t)value_size(it) : (it == GGUF_TYPE_ARRAY ? 12 : 8);
    if (n > (c->len - c->at) / min_item)
        die_input("%s: byte %" PRIu64 ": metadata %s: array of %" PRIu64 " %s cannot fit in the "
                  "%" PRIu64 " bytes left",
                  c->path, at, key, n, gguf_value_type_name(it), c->len - c->at);
    v->arr.type = it;
    v->arr.n = n;
    v->arr.items = xcalloc(n ? (size_t)n : 1, sizeof *v->arr.items);
    for (uint64_t i = 0; i < n; i++)
        read_value(c, key, it, depth + 1, &v->arr.items[i]);
}

static void read_value(Cursor *c, const char *key, GgufValueType t, int depth, GgufValue *v) {
    v->type = t;
    int size = value_size(t);
    if (t == GGUF_TYPE_STRING) {
        v->str.s = read_string(c, key, UINT64_MAX, &v->str.len);
    } else if (t == GGUF_TYPE_ARRAY) {
        read_array(c, key, depth, v);
    } else {
        uint64_t at = c->at;
        uint64_t raw = read_le(c, size, key);
        switch (t) {
        case GGUF_TYPE_I8:
            v->i = (int8_t)raw;
            break;
        case GGUF_TYPE_I16:
            v->i = (int16_t)raw;
            break;
        case GGUF_TYPE_I32:
            v->i = (int32_t)raw;
            break;
        case GGUF_TYPE_I64:
            v->i = (int64_t)raw;
            break;
        case GGUF_TYPE_F32: {
            uint32_t b = (uint32_t)raw;
            float f;
            memcpy(&f, &b, sizeof f);
            v->f = f;
            break;
        }
        case GGUF_TYPE_F64:
            memcpy(&v->f, &raw, sizeof v->f);
            break;
        case GGUF_TYPE_BOOL:
            if (raw > 1)
                die_input("%s: byte %" PRIu64 ": metadata %s: bool byte %" PRIu64
                          " is neither 0 nor 1",
                          c->path, at, key, raw);
            v->u = raw;
            break;
        default:
            v->u = raw;
        }
    }
}

static void free_value(GgufValue *v) {
    if (v->type == GGUF_TYPE_STRING) free(v->str.s);
    if (v->type == GGUF_TYPE_ARRAY) {
        for (uint64_t i = 0; i < v->arr.n; i++)
            free_value(&v->arr.items[i]);
        free(v->arr.items);
    }
}

void gguf_free(Gguf *g) {
    if (!g) return;
    for (uint64_t i = 0; i < g->n_kv; i++) {
        free(g->kv[i].key);
        free_value(&g->kv[i].value);
    }
    free(g->kv);
    free(g->path);
    free(g);
}

static void free_format_data(void *p) {
    gguf_free(p);
}

const Gguf *checkpoint_gguf(const Checkpoint *ck) {
    return ck->format == CHECKPOINT_GGUF ? ck->format_data : NULL;
}

static void read_metadata(Cursor *c, Gguf *g) {
    uint64_t at = c->at;
    /* Each key/value takes at least 8 (key length) + 4 (type) + 1 bytes. */
    if (g->n_kv > (c->len - c->at) / 13)
        die_input("%s: byte %" PRIu64 ": %" PRIu64 " metadata key/values cannot fit in the %" PRIu64
                  " bytes left",
                  c->path, at - 8, g->n_kv, c->len - c->at);
    g->kv = xcalloc(g->n_kv ? (size_t)g->n_kv : 1, sizeof *g->kv);
    uint64_t n = g->n_kv;
    g->n_kv = 0; /* counts what is filled, for gguf_free() */
    for (uint64_t i = 0; i < n; i++) {
        uint64_t key_at = c->at;
        uint64_t key_len;
        char *key = read_string(c, "a metadata key", GGUF_MAX_KEY, &key_len);
        if (!key[0] || strlen(key) != key_len)
            die_input("%s: byte %" PRIu64 ": metadata key %" PRIu64 " is empty or holds a NUL",
                      c->path, key_at, i);
        for (uint64_t j = 0; j < g->n_kv; j++)
            if (!strcmp(g->kv[j].key, key))
                die_input("%s: byte %" PRIu64 ": metadata %s: key given twice", c->path, key_at,
                          key);
        GgufKv *kv = &g->kv[g->n_kv++];
        kv->key = key;
        kv->value.type = GGUF_TYPE_U8;
        read_value(c, key, read_value_type(c, key), 0, &kv->value);
    }
}

typedef struct {
    int tensor;          /* index in ck->tensors; -1 for rope_freqs.weight */
    uint64_t begin, end; /* relative to the data section */
    const char *gguf_name;
} Range;

static int compare_range(const void *a, const void *b) {
    const Range *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* One tensor info; registers the tensor (offset still relative), or, for
 * rope_freqs.weight, which is no layer's weight, records it in *rf. */
static void read_tensor_info(Cursor *c, Checkpoint *ck, int file, Range *r, char **gguf_name,
                             GgufRopeFreqs *rf) {
    uint64_t at = c->at;
    uint64_t name_len;
    char *name = read_string(c, "a tensor name", GGUF_MAX_NAME, &name_len);
    if (!name[0] || strlen(name) != name_len)
        die_input("%s: byte %" PRIu64 ": tensor name empty or holding a NUL", c->path, at);
    uint64_t dims_at = c->at;
    uint32_t nd = read_u32(c, "a tensor's n_dims");
    if (nd < 1 || nd > TENSOR_MAX_DIMS)
        die_input("%s: byte %" PRIu64 ": tensor %s: n_dims %" PRIu32 " (1 to %d are allowed)",
                  c->path, dims_at, name, nd, TENSOR_MAX_DIMS);
    uint64_t ne[TENSOR_MAX_DIMS], count = 1;
    for (uint32_t d = 0; d < nd; d++) {
        uint64_t ne_at = c->at;
        ne[d] = read_u64(c, "a tensor dimension");
        if (ne[d] == 0 || ne[d] > INT64_MAX || (count > 0 && ne[d] > (uint64_t)INT64_MAX / count))
            die_input("%s: byte %" PRIu64 ": tensor %s: dimension %" PRIu32 " = %" PRIu64
                      " is zero or overflows",
                      c->path, ne_at, name, d, ne[d]);
        count *= ne[d];
    }
    uint64_t type_at = c->at;
    uint32_t type = read_u32(c, "a tensor type");
    uint32_t block_elems, block_bytes;
    if (!gguf_tensor_type_block(type, &block_elems, &block_bytes))
        die_input("%s: byte %" PRIu64 ": tensor %s: unknown tensor type %" PRIu32, c->path, type_at,
                  name, type);
    if (ne[0] % block_elems != 0)
        die_input("%s: byte %" PRIu64 ": tensor %s: ne[0] = %" PRIu64
                  " is not a multiple of %s's block of %" PRIu32,
                  c->path, dims_at, name, ne[0], gguf_tensor_type_name(type), block_elems);
    uint64_t offset = read_u64(c, "a tensor offset");
    uint64_t blocks = count / block_elems;
    if (blocks > UINT64_MAX / block_bytes)
        die_input("%s: byte %" PRIu64 ": tensor %s: its byte size overflows", c->path, dims_at,
                  name);
    uint64_t nbytes = blocks * block_bytes;
    r->begin = offset;
    r->end = offset + nbytes; /* checked against the data section by the caller */
    r->tensor = -1;
    *gguf_name = name;
    if (!strcmp(name, GGUF_ROPE_FREQS_NAME)) {
        rf->present = 1;
        rf->ggml_type = type;
        rf->n_dims = (int)nd;
        rf->n_values = count;
        rf->nbytes = nbytes;
        return;
    }

    char hf[GGUF_MAX_NAME + 64];
    const char *mapped = gguf_hf_name(name, hf, sizeof hf);
    if (!mapped)
        die_input("%s: byte %" PRIu64 ": tensor %s: not a tensor painters knows (Llama/Qwen2 "
                  "names: token_embd, output_norm, output, blk.N.attn_*, blk.N.ffn_*)",
                  c->path, at, name);
    TensorInfo *t = checkpoint_add_tensor(ck, mapped);
    t->file = file;
    t->ndim = (int)nd;
    for (uint32_t d = 0; d < nd; d++)
        t->shape[d] = (int64_t)ne[nd - 1 - d];
    t->offset = offset;
    t->nbytes = nbytes;
    snprintf(t->stored_type, sizeof t->stored_type, "%s", gguf_tensor_type_name(type));
    t->unreadable = !gguf_tensor_dtype(type, &t->dtype);
    if (t->unreadable) t->dtype = DTYPE_F32;
    r->tensor = ck->n_tensors - 1;
}

void gguf_parse(const char *path, const uint8_t *buf, uint64_t len, Checkpoint *ck) {
    Cursor c = {path, buf, len, 0};
    need(&c, 4, "the magic \"GGUF\"");
    if (memcmp(buf, "GGUF", 4) != 0) die_input("%s: byte 0: not a GGUF file (no magic GGUF)", path);
    c.at = 4;
    Gguf *g = xcalloc(1, sizeof *g);
    g->path = xstrdup(path);
    ck->format = CHECKPOINT_GGUF;
    ck->format_data = g;
    ck->format_data_free = free_format_data;
    g->version = read_u32(&c, "the version");
    if (g->version != 2 && g->version != 3)
        die_input("%s: byte 4: GGUF version %" PRIu32 " not supported (2 and 3 are)", path,
                  g->version);
    uint64_t n_tensors = read_u64(&c, "the tensor count");
    g->n_kv = read_u64(&c, "the metadata count");
    read_metadata(&c, g);
    /* A tensor info takes at least 8 + 1 + 4 + 8 + 4 + 8 bytes. */
    if (n_tensors > (len - c.at) / 33 || n_tensors > INT32_MAX)
        die_input("%s: byte 8: %" PRIu64 " tensors cannot fit in the %" PRIu64
                  " bytes left after the metadata",
                  path, n_tensors, len - c.at);

    g->alignment = GGUF_DEFAULT_ALIGNMENT;
    const GgufValue *al = gguf_find(g, "general.alignment");
    if (al) {
        uint32_t a;
        gguf_get_u32(g, "general.alignment", &a);
        if (a == 0 || (a & (a - 1)) != 0)
            die_input("%s: metadata general.alignment: %" PRIu32 " is not a power of two", path, a);
        g->alignment = a;
    }

    int file = checkpoint_add_file(ck, path, len);
    GgufRopeFreqs rf = {0};
    Range *ranges = xcalloc(n_tensors ? (size_t)n_tensors : 1, sizeof *ranges);
    char **names = xcalloc(n_tensors ? (size_t)n_tensors : 1, sizeof *names);
    int has_output = 0;
    for (uint64_t i = 0; i < n_tensors; i++) {
        read_tensor_info(&c, ck, file, &ranges[i], &names[i], &rf);
        has_output |= !strcmp(names[i], "output.weight");
        for (uint64_t j = 0; j < i; j++)
            if (!strcmp(names[j], names[i]))
                die_input("%s: tensor %s: given twice in the tensor infos", path, names[i]);
    }
    uint64_t infos_end = c.at;
    uint64_t data = infos_end + (g->alignment - infos_end % g->alignment) % g->alignment;
    if (data > len || data < infos_end)
        die_input("%s: byte %" PRIu64 ": the data section (aligned to %" PRIu64
                  ") starts past the end of the file (%" PRIu64 " bytes)",
                  path, infos_end, g->alignment, len);
    g->data_offset = data;
    uint64_t data_len = len - data;
    for (uint64_t i = 0; i < n_tensors; i++) {
        Range *r = &ranges[i];
        r->gguf_name = names[i];
        if (r->begin % g->alignment != 0)
            die_input("%s: tensor %s: offset %" PRIu64
                      " is not a multiple of the alignment %" PRIu64,
                      path, names[i], r->begin, g->alignment);
        if (r->begin > data_len || r->end - r->begin > data_len - r->begin)
            die_input("%s: tensor %s: bytes [%" PRIu64 ", %" PRIu64
                      ") of the data section run past "
                      "its end (%" PRIu64 " bytes from byte %" PRIu64 ")",
                      path, names[i], r->begin, r->end, data_len, data);
        if (r->tensor >= 0)
            ck->tensors[r->tensor].offset += data;
        else
            rf.data = buf + data + r->begin;
    }
    qsort(ranges, (size_t)n_tensors, sizeof *ranges, compare_range);
    for (uint64_t i = 1; i < n_tensors; i++)
        if (ranges[i].begin < ranges[i - 1].end)
            die_input("%s: tensor %s: bytes [%" PRIu64 ", %" PRIu64
                      ") overlap tensor %s's [%" PRIu64 ", %" PRIu64 ")",
                      path, ranges[i].gguf_name, ranges[i].begin, ranges[i].end,
                      ranges[i - 1].gguf_name, ranges[i - 1].begin, ranges[i - 1].end);
    for (uint64_t i = 0; i < n_tensors; i++)
        free(names[i]);
    free(names);
    free(ranges);
    gguf_read_config(g, has_output, &ck->cfg);
    if (rf.present) gguf_read_rope_freqs(g, &rf, &ck->cfg);
}

int gguf_has_magic(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die_input("%s: cannot open: %s", path, strerror(errno));
    char b[4];
    int yes = pread(fd, b, sizeof b, 0) == (ssize_t)sizeof b && !memcmp(b, "GGUF", 4);
    close(fd);
    return yes;
}

/* The header and metadata of buf[0..len); see gguf_read_metadata(). */
static Gguf *parse_metadata(const char *path, const uint8_t *buf, uint64_t len) {
    Cursor c = {path, buf, len, 0};
    need(&c, 4, "the magic \"GGUF\"");
    if (memcmp(buf, "GGUF", 4) != 0) die_input("%s: byte 0: not a GGUF file (no magic GGUF)", path);
    c.at = 4;
    Gguf *g = xcalloc(1, sizeof *g);
    g->path = xstrdup(path);
    g->version = read_u32(&c, "the version");
    if (g->version != 2 && g->version != 3)
        die_input("%s: byte 4: GGUF version %" PRIu32 " not supported (2 and 3 are)", path,
                  g->version);
    read_u64(&c, "the tensor count");
    g->n_kv = read_u64(&c, "the metadata count");
    read_metadata(&c, g);
    g->alignment = GGUF_DEFAULT_ALIGNMENT;
    return g;
}

/* The whole of file `path`, mapped read-only (the caller munmaps *len bytes);
 * die_input for a file that cannot be opened, is not regular or is empty. */
static void *gguf_map_file(const char *path, uint64_t *len) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die_input("%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) die_input("%s: not a regular file", path);
    *len = (uint64_t)st.st_size;
    if (*len == 0) die_input("%s: empty file, not a GGUF file", path);
    void *map = mmap(NULL, (size_t)*len, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED) die_runtime("%s: mmap failed: %s", path, strerror(map_errno));
    return map;
}

Gguf *gguf_read_metadata(const char *path) {
    /* Mapped, not read: only the pages of the metadata are touched. */
    uint64_t len;
    void *map = gguf_map_file(path, &len);
    Gguf *g = parse_metadata(path, map, len);
    munmap(map, (size_t)len);
    return g;
}

void gguf_open(const char *path, Checkpoint *ck) {
    uint64_t len;
    void *map = gguf_map_file(path, &len);
    gguf_parse(path, map, len, ck);
    munmap(map, (size_t)len);
}
