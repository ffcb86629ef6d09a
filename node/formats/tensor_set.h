/* tensor_set.h: a Checkpoint's table of tensors (name, dtype, shape, the file
 * and byte range each lies in), filled by the format readers, and reading one
 * tensor from exactly its byte range (memory-mapped).
 *
 * Opening a model (which reader fills the table, which checks follow) is
 * checkpoint.h's; this layer knows no format. */
#ifndef PAINTERS_TENSOR_SET_H
#define PAINTERS_TENSOR_SET_H

#include <stddef.h>
#include <stdint.h>

#include "formats/dtype.h"
#include "formats/model_config.h"

typedef enum { CHECKPOINT_HF_SAFETENSORS, CHECKPOINT_LLAMA2C, CHECKPOINT_GGUF } CheckpointFormat;

#define TENSOR_MAX_DIMS 4

typedef struct {
    char *name; /* owned by the Checkpoint */
    Dtype dtype;
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS]; /* row-major, as stored */
    int file;                       /* index into Checkpoint.files */
    uint64_t offset;                /* absolute byte offset in that file */
    uint64_t nbytes;
    char
        stored_type[12]; /* the file's own type name (GGUF: "F16", "Q4_K"); "" when dtype says it */
    int unreadable;      /* 1: stored in a type painters cannot compute with; reading it is
                            die_input naming stored_type (dtype is then meaningless) */
} TensorInfo;

typedef struct {
    ModelConfig cfg;
    CheckpointFormat format;
    char *path;         /* as given by the user */
    char *weights_path; /* owned; the file that lists the tensors (the .safetensors,
                           model.safetensors.index.json or .bin), for messages */
    int n_files;
    char **files;         /* full paths, owned */
    uint64_t *file_sizes; /* owned; sizes at open, checked again before each read */
    int n_tensors;
    TensorInfo *tensors; /* owned; sorted by name once checkpoint_open() returns */
    void *format_data;   /* owned; what a reader keeps (GGUF: its metadata), or NULL */
    void (*format_data_free)(void *);
} Checkpoint;

/* Frees ck with its files, tensors and names; accepts NULL. */
void checkpoint_close(Checkpoint *ck);

/* For the format readers: registers a file (path copied) and returns its
 * index; appends a zeroed tensor called name (copied) and returns it (valid
 * until the next append). */
int checkpoint_add_file(Checkpoint *ck, const char *path, uint64_t size);
TensorInfo *checkpoint_add_tensor(Checkpoint *ck, const char *name);

/* Sorts the table by name for checkpoint_find(); a name seen twice is
 * die_input() naming both files. */
void checkpoint_sort_tensors(Checkpoint *ck);

/* The tensor called name, or NULL when the checkpoint has none (the table
 * must be sorted). */
const TensorInfo *checkpoint_find(const Checkpoint *ck, const char *name);

/* Like checkpoint_find(), but a missing tensor or a shape other than
 * shape[0..ndim-1] is die_input("FILE: tensor NAME: shape [a, b] but the
 * config implies [c, d]"). */
const TensorInfo *checkpoint_require(const Checkpoint *ck, const char *name, int ndim,
                                     const int64_t *shape);

/* Reads tensor `name` into dst as float32 (converted from F16/BF16 exactly),
 * after checking that it exists and that its shape is exactly
 * shape[0..ndim-1]; otherwise die_input naming the file and tensor.
 * dst holds prod(shape) floats. Maps only the tensor's byte range. */
void checkpoint_read_f32(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                         float *dst);

/* The same into dst in dtype `as`: DTYPE_F32 converts, the tensor's own
 * stored dtype copies its bytes as they are (anything else is die_runtime). */
void checkpoint_read_as(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                        Dtype as, void *dst);

/* The file a tensor lives in (for messages). */
const char *checkpoint_tensor_file(const Checkpoint *ck, const TensorInfo *t);
/* "[a, b, c]" into buf (truncated to cap); returns buf. */
const char *checkpoint_format_shape(char *buf, size_t cap, int ndim, const int64_t *shape);

#endif
