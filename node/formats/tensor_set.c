/* tensor_set.c: a Checkpoint's tensor table and reading its tensors; see
 * tensor_set.h. */
#include "formats/tensor_set.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "formats/quant.h"

int checkpoint_add_file(Checkpoint *ck, const char *path, uint64_t size) {
    ck->files = xrealloc(ck->files, sizeof *ck->files * (size_t)(ck->n_files + 1));
    ck->file_sizes = xrealloc(ck->file_sizes, sizeof *ck->file_sizes * (size_t)(ck->n_files + 1));
    ck->files[ck->n_files] = xstrdup(path);
    ck->file_sizes[ck->n_files] = size;
    return ck->n_files++;
}

TensorInfo *checkpoint_add_tensor(Checkpoint *ck, const char *name) {
    ck->tensors = xrealloc(ck->tensors, sizeof *ck->tensors * (size_t)(ck->n_tensors + 1));
    TensorInfo *t = &ck->tensors[ck->n_tensors++];
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    return t;
}

const char *checkpoint_format_shape(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%" PRId64, i ? ", " : "", shape[i]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
    return buf;
}

const char *checkpoint_tensor_file(const Checkpoint *ck, const TensorInfo *t) {
    return ck->files[t->file];
}

static int compare_tensor_name(const void *a, const void *b) {
    return strcmp(((const TensorInfo *)a)->name, ((const TensorInfo *)b)->name);
}

void checkpoint_sort_tensors(Checkpoint *ck) {
    if (ck->n_tensors > 1)
        qsort(ck->tensors, (size_t)ck->n_tensors, sizeof *ck->tensors, compare_tensor_name);
    for (int i = 1; i < ck->n_tensors; i++) {
        const TensorInfo *a = &ck->tensors[i - 1], *b = &ck->tensors[i];
        if (!strcmp(a->name, b->name))
            die_input("%s: tensor %s: also in %s", checkpoint_tensor_file(ck, b), b->name,
                      checkpoint_tensor_file(ck, a));
    }
}

const TensorInfo *checkpoint_find(const Checkpoint *ck, const char *name) {
    TensorInfo key = {.name = (char *)name};
    if (ck->n_tensors == 0) return NULL;
    return bsearch(&key, ck->tensors, (size_t)ck->n_tensors, sizeof *ck->tensors,
                   compare_tensor_name);
}

const TensorInfo *checkpoint_require(const Checkpoint *ck, const char *name, int ndim,
                                     const int64_t *shape) {
    const TensorInfo *t = checkpoint_find(ck, name);
    if (!t) die_input("%s: tensor %s: missing", ck->weights_path, name);
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = t->shape[i] == shape[i];
    if (!same) {
        char have[128], want[128];
        die_input("%s: tensor %s: shape %s but the config implies %s",
                  checkpoint_tensor_file(ck, t), name,
                  checkpoint_format_shape(have, sizeof have, t->ndim, t->shape),
                  checkpoint_format_shape(want, sizeof want, ndim, shape));
    }
    return t;
}

void checkpoint_close(Checkpoint *ck) {
    if (!ck) return;
    for (int i = 0; i < ck->n_tensors; i++)
        free(ck->tensors[i].name);
    for (int i = 0; i < ck->n_files; i++)
        free(ck->files[i]);
    free(ck->tensors);
    if (ck->format_data_free) ck->format_data_free(ck->format_data);
    free(ck->files);
    free(ck->file_sizes);
    free(ck->weights_path);
    free(ck->path);
    free(ck);
}

void checkpoint_read_f32(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                         float *dst) {
    checkpoint_read_as(ck, name, ndim, shape, DTYPE_F32, dst);
}

void checkpoint_read_as(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                        Dtype as, void *dst) {
    const TensorInfo *t = checkpoint_require(ck, name, ndim, shape);
    if (t->unreadable)
        die_input("%s: tensor %s: stored as %s, which painters cannot compute with yet (F32, F16 "
                  "and BF16 it can)",
                  checkpoint_tensor_file(ck, t), name, t->stored_type);
    if (as != DTYPE_F32 && as != t->dtype)
        die_runtime("%s: tensor %s: stored as %s, cannot be read as %s", ck->path, name,
                    dtype_name(t->dtype), dtype_name(as));
    if (t->nbytes == 0) return;
    const char *file = checkpoint_tensor_file(ck, t);
    int fd = open(file, O_RDONLY);
    if (fd < 0) die_input("%s: tensor %s: cannot open: %s", file, name, strerror(errno));
    /* A file cut short after open would turn the mapping into SIGBUS. */
    struct stat st;
    if (fstat(fd, &st) != 0) die_input("%s: cannot stat: %s", file, strerror(errno));
    if ((uint64_t)st.st_size != ck->file_sizes[t->file])
        die_input("%s: tensor %s: the file changed size since it was opened (%llu bytes, was "
                  "%llu)",
                  file, name, (unsigned long long)st.st_size,
                  (unsigned long long)ck->file_sizes[t->file]);
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t start = t->offset & ~(page - 1);
    uint64_t span = t->offset + t->nbytes - start;
    if (span > SIZE_MAX) die_input("%s: tensor %s: too large to map", file, name);
    void *map = mmap(NULL, (size_t)span, PROT_READ, MAP_PRIVATE, fd, (off_t)start);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED)
        die_runtime("%s: tensor %s: mmap failed: %s", file, name, strerror(map_errno));
    madvise(map, (size_t)span, MADV_SEQUENTIAL);
    size_t count = dtype_values_in_bytes(t->dtype, t->nbytes);
    if (as == DTYPE_F32) /* a block format is dequantized as ggml does */
        dequantize_values(t->dtype, (const uint8_t *)map + (t->offset - start), count, dst);
    else
        memcpy(dst, (const uint8_t *)map + (t->offset - start), (size_t)t->nbytes);
    munmap(map, (size_t)span);
}
