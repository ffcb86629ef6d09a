/* gguf_meta.c: GGUF metadata access and the ggml tensor types; see gguf.h. */
#include <inttypes.h>
#include <string.h>

#include "base/util.h"
#include "formats/gguf.h"

const GgufValue *gguf_find(const Gguf *g, const char *key) {
    for (uint64_t i = 0; i < g->n_kv; i++)
        if (!strcmp(g->kv[i].key, key)) return &g->kv[i].value;
    return NULL;
}

static _Noreturn void wrong_type(const Gguf *g, const char *key, const char *want,
                                 const GgufValue *v) {
    die_input("%s: metadata %s: expected %s, got %s", g->path, key, want,
              gguf_value_type_name(v->type));
}

int gguf_get_u32(const Gguf *g, const char *key, uint32_t *out) {
    const GgufValue *v = gguf_find(g, key);
    if (!v) return 0;
    switch (v->type) {
    case GGUF_TYPE_U8:
    case GGUF_TYPE_U16:
    case GGUF_TYPE_U32:
    case GGUF_TYPE_U64:
        if (v->u > UINT32_MAX)
            die_input("%s: metadata %s: %" PRIu64 " does not fit in 32 bits", g->path, key, v->u);
        *out = (uint32_t)v->u;
        return 1;
    case GGUF_TYPE_I8:
    case GGUF_TYPE_I16:
    case GGUF_TYPE_I32:
    case GGUF_TYPE_I64:
        if (v->i < 0 || v->i > (int64_t)UINT32_MAX)
            die_input("%s: metadata %s: %" PRId64 " is negative or does not fit in 32 bits",
                      g->path, key, v->i);
        *out = (uint32_t)v->i;
        return 1;
    default:
        wrong_type(g, key, "an unsigned integer", v);
    }
}

int gguf_get_f32(const Gguf *g, const char *key, float *out) {
    const GgufValue *v = gguf_find(g, key);
    if (!v) return 0;
    if (v->type != GGUF_TYPE_F32 && v->type != GGUF_TYPE_F64) wrong_type(g, key, "f32", v);
    *out = (float)v->f;
    return 1;
}

const char *gguf_get_string(const Gguf *g, const char *key) {
    const GgufValue *v = gguf_find(g, key);
    if (!v) return NULL;
    if (v->type != GGUF_TYPE_STRING) wrong_type(g, key, "string", v);
    return v->str.s;
}

const GgufValue *gguf_get_array(const Gguf *g, const char *key, GgufValueType item_type) {
    const GgufValue *v = gguf_find(g, key);
    if (!v) return NULL;
    if (v->type != GGUF_TYPE_ARRAY) wrong_type(g, key, "array", v);
    if (v->arr.type != item_type)
        die_input("%s: metadata %s: expected an array of %s, got an array of %s", g->path, key,
                  gguf_value_type_name(item_type), gguf_value_type_name(v->arr.type));
    return v;
}

typedef struct {
    uint32_t id;
    const char *name;
    uint32_t block_elems, block_bytes;
} TensorType;

/* ggml's type ids and block sizes (ggml.h / ggml-common.h). */
static const TensorType TYPES[] = {
    {0, "F32", 1, 4},       {1, "F16", 1, 2},       {2, "Q4_0", 32, 18},    {3, "Q4_1", 32, 20},
    {6, "Q5_0", 32, 22},    {7, "Q5_1", 32, 24},    {8, "Q8_0", 32, 34},    {9, "Q8_1", 32, 36},
    {10, "Q2_K", 256, 84},  {11, "Q3_K", 256, 110}, {12, "Q4_K", 256, 144}, {13, "Q5_K", 256, 176},
    {14, "Q6_K", 256, 210}, {15, "Q8_K", 256, 292}, {24, "I8", 1, 1},       {25, "I16", 1, 2},
    {26, "I32", 1, 4},      {27, "I64", 1, 8},      {28, "F64", 1, 8},      {30, "BF16", 1, 2},
};

static const TensorType *find_type(uint32_t id) {
    for (size_t i = 0; i < sizeof TYPES / sizeof *TYPES; i++)
        if (TYPES[i].id == id) return &TYPES[i];
    return NULL;
}

const char *gguf_tensor_type_name(uint32_t ggml_type) {
    const TensorType *t = find_type(ggml_type);
    return t ? t->name : NULL;
}

int gguf_tensor_type_block(uint32_t ggml_type, uint32_t *block_elems, uint32_t *block_bytes) {
    const TensorType *t = find_type(ggml_type);
    if (!t) return 0;
    *block_elems = t->block_elems;
    *block_bytes = t->block_bytes;
    return 1;
}

int gguf_tensor_dtype(uint32_t ggml_type, Dtype *out) {
    switch (ggml_type) {
    case 0:
        *out = DTYPE_F32;
        return 1;
    case 1:
        *out = DTYPE_F16;
        return 1;
    case 30:
        *out = DTYPE_BF16;
        return 1;
    case 2:
        *out = DTYPE_Q4_0;
        return 1;
    case 8:
        *out = DTYPE_Q8_0;
        return 1;
    case 12:
        *out = DTYPE_Q4_K;
        return 1;
    case 13:
        *out = DTYPE_Q5_K;
        return 1;
    case 14:
        *out = DTYPE_Q6_K;
        return 1;
    default:
        return 0; /* Q4_1, Q5_0, Q2_K, Q3_K, ...: read into the table, refused when read */
    }
}
