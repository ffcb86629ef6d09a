/* gguf.h: llama.cpp's GGUF checkpoint (versions 2 and 3): its metadata and
 * its tensor table.
 *
 * Layout (little-endian): "GGUF", u32 version, u64 tensor count, u64
 * key/value count, the key/values (string key, u32 value type, value), the
 * tensor infos (string name, u32 n_dims, u64 ne[n_dims], u32 ggml type, u64
 * offset), then the data section at the first multiple of general.alignment
 * (default 32) after the infos. A string is a u64 length and its bytes; an
 * array is a u32 element type, a u64 count and the elements. ne[0] is the
 * innermost (input) dimension; tensor offsets are relative to the data
 * section and aligned.
 *
 * The reader registers every tensor under the Hugging Face name
 * (gguf_hf_name()) with the row-major shape [ne[n-1], ..., ne[0]] and fills
 * the ModelConfig from the metadata (gguf_config.c). Every bad byte is
 * die_input() naming the file, the byte offset or key, and the reason. */
#ifndef PAINTERS_GGUF_H
#define PAINTERS_GGUF_H

#include <stddef.h>
#include <stdint.h>

#include "formats/tensor_set.h"

typedef enum {
    GGUF_TYPE_U8 = 0,
    GGUF_TYPE_I8 = 1,
    GGUF_TYPE_U16 = 2,
    GGUF_TYPE_I16 = 3,
    GGUF_TYPE_U32 = 4,
    GGUF_TYPE_I32 = 5,
    GGUF_TYPE_F32 = 6,
    GGUF_TYPE_BOOL = 7,
    GGUF_TYPE_STRING = 8,
    GGUF_TYPE_ARRAY = 9,
    GGUF_TYPE_U64 = 10,
    GGUF_TYPE_I64 = 11,
    GGUF_TYPE_F64 = 12
} GgufValueType;

typedef struct GgufValue {
    GgufValueType type;
    union {
        uint64_t u; /* U8, U16, U32, U64, BOOL */
        int64_t i;  /* I8, I16, I32, I64 */
        double f;   /* F32, F64 */
        struct {
            char *s; /* owned, NUL-terminated (may hold NULs before len) */
            uint64_t len;
        } str;
        struct {
            GgufValueType type; /* of every item */
            uint64_t n;
            struct GgufValue *items; /* owned; n values */
        } arr;
    };
} GgufValue;

typedef struct {
    char *key; /* owned */
    GgufValue value;
} GgufKv;

/* The parsed metadata, owned by the Checkpoint (ck->format_data). */
typedef struct Gguf {
    char *path; /* owned, for messages */
    uint32_t version;
    uint64_t n_kv;
    GgufKv *kv; /* owned */
    uint64_t alignment;
    uint64_t data_offset; /* absolute start of the data section */
} Gguf;

/* 1 when the first 4 bytes of the file are "GGUF". */
int gguf_has_magic(const char *path);

/* Reads path's metadata and tensor infos into ck (its config, one file, the
 * tensors under Hugging Face names, ck->format_data = the Gguf). The tensors'
 * bytes are not read. */
void gguf_open(const char *path, Checkpoint *ck);

/* The same from the whole file in memory (len == file_size); used by
 * gguf_open() on its mapping and by the fuzzer. */
void gguf_parse(const char *path, const uint8_t *buf, uint64_t len, Checkpoint *ck);

/* Only the header and metadata of the GGUF file at path (tensor infos and
 * data are not read: a metadata-only file, 0 tensors, is fine). Caller owns
 * the result; free with gguf_free(). */
Gguf *gguf_read_metadata(const char *path);

/* The metadata of a checkpoint read from a GGUF file; NULL for any other. */
const Gguf *checkpoint_gguf(const Checkpoint *ck);

/* Frees g with its keys and values; accepts NULL. */
void gguf_free(Gguf *g);

/* Metadata access. A missing key gives NULL / 0; a key of another type is
 * die_input("FILE: metadata KEY: expected T, got U"). */
const GgufValue *gguf_find(const Gguf *g, const char *key);
/* Any integer type whose value fits; returns 1 when present. */
int gguf_get_u32(const Gguf *g, const char *key, uint32_t *out);
/* F32 or F64; returns 1 when present. */
int gguf_get_f32(const Gguf *g, const char *key, float *out);
/* A STRING; NULL when absent. */
const char *gguf_get_string(const Gguf *g, const char *key);
/* An ARRAY whose items are of type item_type; NULL when absent. */
const GgufValue *gguf_get_array(const Gguf *g, const char *key, GgufValueType item_type);
/* "u32", "string", ... */
const char *gguf_value_type_name(GgufValueType t);

/* ggml tensor types: the name ("Q4_K"; NULL when unknown), the elements per
 * block and bytes per block (0 when unknown). */
const char *gguf_tensor_type_name(uint32_t ggml_type);
int gguf_tensor_type_block(uint32_t ggml_type, uint32_t *block_elems, uint32_t *block_bytes);

/* The one place that maps a GGUF tensor type to a painters dtype: 1 with
 * *out set when painters computes with it (F32, F16, BF16, Q8_0, Q4_0,
 * Q4_K, Q5_K, Q6_K), 0 otherwise (the tensor is then recorded, and refused
 * when read). */
int gguf_tensor_dtype(uint32_t ggml_type, Dtype *out);

/* The Hugging Face name of GGUF tensor name into buf ("blk.3.attn_q.weight"
 * -> "model.layers.3.self_attn.q_proj.weight"); NULL for a name painters
 * does not know. */
const char *gguf_hf_name(const char *name, char *buf, size_t cap);

/* llama.cpp's converter writes Llama-3 rope scaling as this tensor of
 * head_dim/2 F32 frequency factors (no metadata keys). It is no layer's
 * weight: gguf_parse() keeps it out of the tensor table and copies its
 * values into the ModelConfig, so every rank that opens the file has them. */
#define GGUF_ROPE_FREQS_NAME "rope_freqs.weight"

/* Where rope_freqs.weight lies in the parsed buffer (bounds checked). */
typedef struct {
    int present;
    uint32_t ggml_type;
    int n_dims;
    uint64_t n_values;   /* elements over all dimensions */
    const uint8_t *data; /* its nbytes bytes in gguf_parse()'s buffer; not owned */
    uint64_t nbytes;
} GgufRopeFreqs;

/* For gguf_parse(), after gguf_read_config(): checks rf (architecture llama,
 * type F32, one dimension of cfg->head_dim/2 values, each finite and > 0)
 * and copies the factors into cfg->rope_freqs; anything else is
 * die_input("FILE: tensor rope_freqs.weight: REASON"). */
void gguf_read_rope_freqs(const Gguf *g, const GgufRopeFreqs *rf, ModelConfig *cfg);

/* For gguf_parse(): the ModelConfig from g's metadata (general.architecture
 * llama or qwen2); has_output says whether output.weight is in the file. */
void gguf_read_config(const Gguf *g, int has_output, ModelConfig *cfg);

#endif
