/* checkpoint.h: read-only access to a model's weights on disk.
 *
 * Formats: a Hugging Face directory (config.json + model.safetensors, or shards
 * listed in model.safetensors.index.json; F32, F16, BF16) and a llama2.c .bin
 * file. checkpoint_open() reads only the config and the tensor headers; the
 * weights are read later, tensor by tensor, from exactly their byte ranges
 * (memory-mapped), so a station reads only the layers it hosts.
 *
 * Tensors are named as in Hugging Face Llama checkpoints whatever the format
 * ("model.embed_tokens.weight", "model.layers.3.self_attn.q_proj.weight",
 * "model.norm.weight", "lm_head.weight"); the llama2.c reader gives its
 * tensors those names.
 *
 * Every bad input (missing file, truncated file, header past the end,
 * overlapping or out-of-range offsets, unsupported dtype or architecture,
 * a shape that disagrees with the config, a missing tensor) ends the program
 * through die_input() with a one-line message naming the file and tensor.
 */
#ifndef PAINTERS_CHECKPOINT_H
#define PAINTERS_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/model_config.h"

typedef enum { DTYPE_F32, DTYPE_F16, DTYPE_BF16 } Dtype;

typedef enum { CHECKPOINT_HF_SAFETENSORS, CHECKPOINT_LLAMA2C } CheckpointFormat;

#define TENSOR_MAX_DIMS 4

typedef struct {
    char *name;                      /* owned by the Checkpoint */
    Dtype dtype;
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];  /* row-major, as stored */
    int file;                        /* index into Checkpoint.files */
    uint64_t offset;                 /* absolute byte offset in that file */
    uint64_t nbytes;
} TensorInfo;

typedef struct {
    ModelConfig cfg;
    CheckpointFormat format;
    char *path;        /* as given by the user */
    char *weights_path; /* owned; the file that lists the tensors (the .safetensors,
                           model.safetensors.index.json or .bin), for messages */
    int n_files;
    char **files;      /* full paths, owned */
    uint64_t *file_sizes; /* owned; sizes at open, checked again before each read */
    int n_tensors;
    TensorInfo *tensors; /* owned; sorted by name once checkpoint_open() returns */
} Checkpoint;

/* Opens a model: a directory with config.json, a .safetensors file with a
 * config.json beside it, or a llama2.c .bin file (a path ending in .bin, or
 * any file that does not start like a safetensors file). Reads config and
 * headers only, then checks with checkpoint_check_llama_tensors() that every
 * tensor the config implies is there with its shape. Caller owns the result;
 * free with checkpoint_close(). */
Checkpoint *checkpoint_open(const char *path);
void checkpoint_close(Checkpoint *ck); /* accepts NULL */

/* Opens one safetensors file as a plain set of tensors: no config (cfg is
 * zeroed), no model checks; for reference files such as
 * reference.safetensors. Caller owns the result; free with checkpoint_close(). */
Checkpoint *checkpoint_open_tensors(const char *path);

/* The tensor called name, or NULL when the checkpoint has none. */
const TensorInfo *checkpoint_find(const Checkpoint *ck, const char *name);

/* Reads tensor `name` into dst as float32 (converted from F16/BF16 exactly),
 * after checking that it exists and that its shape is exactly
 * shape[0..ndim-1]; otherwise die_input naming the file and tensor.
 * dst holds prod(shape) floats. Maps only the tensor's byte range. */
void checkpoint_read_f32(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                         float *dst);

/* Like checkpoint_find(), but a missing tensor or a shape other than
 * shape[0..ndim-1] is die_input("FILE: tensor NAME: shape [a, b] but the
 * config implies [c, d]"). */
const TensorInfo *checkpoint_require(const Checkpoint *ck, const char *name, int ndim,
                                     const int64_t *shape);

/* Checks that every tensor of a Llama-family model with ck->cfg is present
 * with its shape (D = dim, F = hidden_dim, V = vocab, hd = head_dim):
 *   model.embed_tokens.weight [V, D], model.norm.weight [D],
 *   lm_head.weight [V, D] (unless tied), and per layer L
 *   model.layers.L.input_layernorm.weight [D],
 *   model.layers.L.self_attn.{q,k,v,o}_proj.weight [H*hd, D], [KV*hd, D] x 2, [D, H*hd],
 *   model.layers.L.self_attn.{q,k,v}_proj.bias [H*hd], [KV*hd] x 2 (when qkv_bias),
 *   model.layers.L.post_attention_layernorm.weight [D],
 *   model.layers.L.mlp.{gate,up,down}_proj.weight [F, D], [F, D], [D, F].
 * Also rejects biases the model would ignore and layers past n_layers.
 * Any problem is die_input() naming the file and tensor. */
void checkpoint_check_llama_tensors(const Checkpoint *ck);

/* "model.layers.L.SUFFIX" into buf (128 bytes is always enough for the
 * suffixes above). Returns buf. */
char *checkpoint_layer_name(char *buf, size_t cap, int layer, const char *suffix);

/* For the format readers: registers a file (path copied) and returns its
 * index; appends a zeroed tensor called name (copied) and returns it (valid
 * until the next append). */
int checkpoint_add_file(Checkpoint *ck, const char *path, uint64_t size);
TensorInfo *checkpoint_add_tensor(Checkpoint *ck, const char *name);

/* The same into dst in dtype `as`: DTYPE_F32 converts, the tensor's own
 * stored dtype copies its bytes as they are (anything else is die_runtime). */
void checkpoint_read_as(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                        Dtype as, void *dst);

/* The file a tensor lives in (for messages). */
const char *checkpoint_tensor_file(const Checkpoint *ck, const TensorInfo *t);
/* "[a, b, c]" into buf (truncated to cap); returns buf. */
const char *checkpoint_format_shape(char *buf, size_t cap, int ndim, const int64_t *shape);
const char *dtype_name(Dtype d);
int dtype_size(Dtype d);

#endif
