/* gguf_write.h: writes a GGUF v3 file (the layout gguf.h reads): metadata
 * key/values, tensor infos, then the tensors' bytes, each at a multiple of
 * 32 bytes (the default alignment; no general.alignment key is written).
 *
 *   GgufWriter *w = gguf_writer_new("OUT.gguf");
 *   gguf_writer_kv_string(w, "general.architecture", "llama");
 *   ...                                          // every key/value
 *   gguf_writer_add_tensor(w, "token_embd.weight", 2, (int64_t[]){D, V}, DTYPE_Q8_0);
 *   ...                                          // every tensor info
 *   gguf_writer_begin_data(w);                   // the header goes out
 *   gguf_writer_data(w, bytes, n);               // tensors' bytes in order, in pieces
 *   gguf_writer_finish(w);                       // checks, renames OUT.gguf.tmp over OUT.gguf
 *
 * ne[] is innermost first (ne[0] = a row's length, the input dimension);
 * block formats need ne[0] a whole number of blocks. The file appears whole
 * or not at all (atomic_file.h). Misuse (a key after begin_data, too many or
 * too few bytes) is die_runtime; a write error die_runtime naming the file. */
#ifndef PAINTERS_GGUF_WRITE_H
#define PAINTERS_GGUF_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/dtype.h"

typedef struct GgufWriter GgufWriter;

/* Caller owns; gguf_writer_finish() frees it. Nothing is written yet. */
GgufWriter *gguf_writer_new(const char *path);

void gguf_writer_kv_u32(GgufWriter *w, const char *key, uint32_t v);
void gguf_writer_kv_f32(GgufWriter *w, const char *key, float v);
void gguf_writer_kv_string(GgufWriter *w, const char *key, const char *v);
/* Arrays of n strings, float32 or int32 values. */
void gguf_writer_kv_string_array(GgufWriter *w, const char *key, size_t n,
                                 const char *const *items);
void gguf_writer_kv_f32_array(GgufWriter *w, const char *key, size_t n, const float *items);
void gguf_writer_kv_i32_array(GgufWriter *w, const char *key, size_t n, const int32_t *items);

/* Declares the next tensor (file order = data order). */
void gguf_writer_add_tensor(GgufWriter *w, const char *name, int n_dims, const int64_t *ne,
                            Dtype dtype);
/* The bytes of tensor i as declared (rows of dtype_row_bytes). */
uint64_t gguf_writer_tensor_bytes(const GgufWriter *w, int i);

/* Writes the header and the tensor infos; then only data may follow. */
void gguf_writer_begin_data(GgufWriter *w);
/* The next n bytes of the tensors, in declared order; a tensor may come in
 * any number of pieces, and the padding after each is written here. */
void gguf_writer_data(GgufWriter *w, const void *p, size_t n);
/* Checks that every tensor's bytes came, makes the file visible, frees w. */
void gguf_writer_finish(GgufWriter *w);

/* The ggml type id of a dtype (F32 0, F16 1, Q4_0 2, Q8_0 8, Q4_K 12,
 * Q5_K 13, Q6_K 14, BF16 30). */
uint32_t gguf_ggml_type(Dtype d);

#endif
