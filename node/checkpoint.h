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

#include <stdint.h>

#include "model_config.h"

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
    int n_files;
    char **files;      /* full paths, owned */
    uint64_t *file_sizes;
    int n_tensors;
    TensorInfo *tensors; /* owned */
} Checkpoint;

/* Opens a model: a directory with config.json, a .safetensors file with a
 * config.json beside it, or a llama2.c .bin file. Reads config and headers
 * only. Caller owns the result; free with checkpoint_close(). */
Checkpoint *checkpoint_open(const char *path);
void checkpoint_close(Checkpoint *ck); /* accepts NULL */

/* The tensor called name, or NULL when the checkpoint has none. */
const TensorInfo *checkpoint_find(const Checkpoint *ck, const char *name);

/* Reads tensor `name` into dst as float32 (converted from F16/BF16 exactly),
 * after checking that it exists and that its shape is exactly
 * shape[0..ndim-1]; otherwise die_input naming the file and tensor.
 * dst holds prod(shape) floats. Maps only the tensor's byte range. */
void checkpoint_read_f32(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                         float *dst);

/* The file a tensor lives in (for messages). */
const char *checkpoint_tensor_file(const Checkpoint *ck, const TensorInfo *t);
const char *dtype_name(Dtype d);
int dtype_size(Dtype d);

#endif
