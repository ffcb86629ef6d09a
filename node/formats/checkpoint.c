/* checkpoint.c: opening a model and reading its tensors; see checkpoint.h. */
#include "formats/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/hf_config.h"
#include "base/json_check.h"
#include "formats/llama2c.h"
#include "formats/safetensors.h"
#include "base/util.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoint data is little-endian; this reader converts it as it lies in memory"
#endif

const char *dtype_name(Dtype d) {
    switch (d) {
    case DTYPE_F32: return "F32";
    case DTYPE_F16: return "F16";
    case DTYPE_BF16: return "BF16";
    }
    return "?";
}

int dtype_size(Dtype d) { return d == DTYPE_F32 ? 4 : 2; }

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

/* Sorts the table for checkpoint_find() and dies on a name seen twice. */
static void sort_tensors(Checkpoint *ck) {
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
    return bsearch(&key, ck->tensors, (size_t)ck->n_tensors, sizeof *ck->tensors,
                   compare_tensor_name);
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* A safetensors file starts with a header length that fits the file and '{'. */
static int looks_like_safetensors(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die_input("%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    uint8_t b[9];
    int yes = fstat(fd, &st) == 0 && pread(fd, b, sizeof b, 0) == (ssize_t)sizeof b;
    close(fd);
    if (!yes) return 0;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | b[i];
    return n <= (uint64_t)st.st_size - 8 && b[8] == '{';
}

static void load_config(Checkpoint *ck, const char *dir) {
    char *cfg_path = path_join(dir, "config.json");
    if (!file_exists(cfg_path))
        die_input("%s: missing (a Hugging Face model needs config.json beside its weights)",
                  cfg_path);
    hf_config_load(cfg_path, &ck->cfg);
    free(cfg_path);
}

static void add_safetensors_file(Checkpoint *ck, const char *path) {
    int idx = checkpoint_add_file(ck, path, 0);
    safetensors_read_header(path, idx, &ck->file_sizes[idx], &ck->tensors, &ck->n_tensors);
}

static int find_file(const Checkpoint *ck, const char *path) {
    for (int i = 0; i < ck->n_files; i++)
        if (!strcmp(ck->files[i], path)) return i;
    return -1;
}

/* model.safetensors.index.json: "weight_map" maps each tensor to its shard.
 * Each shard is opened once and all its tensors registered; every listed
 * tensor must be in the shard the index names. */
static void open_sharded(Checkpoint *ck, const char *dir, const char *index_path) {
    char *text = read_file_text(index_path, NULL);
    cJSON *root = json_parse_checked(index_path, text);
    free(text);
    const cJSON *map = json_member(root, "weight_map");
    if (!cJSON_IsObject(map) || !map->child)
        die_input("%s: weight_map: expected a non-empty object, got %s", index_path,
                  json_kind(map));
    int n_entries = 0;
    for (const cJSON *e = map->child; e; e = e->next, n_entries++) {
        if (!cJSON_IsString(e) || !e->valuestring[0])
            die_input("%s: weight_map: tensor %s: expected a shard file name, got %s", index_path,
                      e->string, json_kind(e));
        if (strchr(e->valuestring, '/'))
            die_input("%s: weight_map: tensor %s: shard \"%s\" is not a file name in %s",
                      index_path, e->string, e->valuestring, dir);
        char *shard = path_join(dir, e->valuestring);
        if (find_file(ck, shard) < 0) {
            if (!file_exists(shard))
                die_input("%s: missing (a shard listed in %s)", shard, index_path);
            add_safetensors_file(ck, shard);
        }
        free(shard);
    }
    sort_tensors(ck);
    for (const cJSON *e = map->child; e; e = e->next) {
        char *shard = path_join(dir, e->valuestring);
        const TensorInfo *t = checkpoint_find(ck, e->string);
        if (!t) die_input("%s: tensor %s: missing (listed in %s)", shard, e->string, index_path);
        if (strcmp(checkpoint_tensor_file(ck, t), shard) != 0)
            die_input("%s: tensor %s: found there, but %s lists it in %s",
                      checkpoint_tensor_file(ck, t), e->string, index_path, shard);
        free(shard);
    }
    cJSON_Delete(root);
}

static void open_hf_directory(Checkpoint *ck, const char *dir) {
    load_config(ck, dir);
    char *index = path_join(dir, "model.safetensors.index.json");
    char *single = path_join(dir, "model.safetensors");
    if (file_exists(index)) {
        ck->weights_path = index;
        open_sharded(ck, dir, index);
        free(single);
        return;
    }
    if (!file_exists(single))
        die_input("%s: missing (the model directory %s has neither it nor "
                  "model.safetensors.index.json)",
                  single, dir);
    free(index);
    ck->weights_path = single;
    add_safetensors_file(ck, single);
    sort_tensors(ck);
}

static void open_hf_file(Checkpoint *ck, const char *path) {
    char *copy = xstrdup(path);
    load_config(ck, dirname(copy));
    free(copy);
    ck->weights_path = xstrdup(path);
    add_safetensors_file(ck, path);
    sort_tensors(ck);
}

Checkpoint *checkpoint_open(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) die_input("%s: cannot open model: %s", path, strerror(errno));
    Checkpoint *ck = xcalloc(1, sizeof *ck);
    ck->path = xstrdup(path);
    ck->format = CHECKPOINT_HF_SAFETENSORS;
    if (S_ISDIR(st.st_mode)) {
        open_hf_directory(ck, path);
    } else if (ends_with(path, ".safetensors")) {
        open_hf_file(ck, path);
    } else if (ends_with(path, ".bin") || !looks_like_safetensors(path)) {
        ck->weights_path = xstrdup(path);
        llama2c_open(path, ck);
        sort_tensors(ck);
    } else {
        open_hf_file(ck, path);
    }
    checkpoint_check_llama_tensors(ck);
    return ck;
}

Checkpoint *checkpoint_open_tensors(const char *path) {
    Checkpoint *ck = xcalloc(1, sizeof *ck);
    ck->path = xstrdup(path);
    ck->weights_path = xstrdup(path);
    ck->format = CHECKPOINT_HF_SAFETENSORS;
    add_safetensors_file(ck, path);
    sort_tensors(ck);
    return ck;
}

void checkpoint_close(Checkpoint *ck) {
    if (!ck) return;
    for (int i = 0; i < ck->n_tensors; i++) free(ck->tensors[i].name);
    for (int i = 0; i < ck->n_files; i++) free(ck->files[i]);
    free(ck->tensors);
    free(ck->files);
    free(ck->file_sizes);
    free(ck->weights_path);
    free(ck->path);
    free(ck);
}

/* Copies or converts count elements of dtype d from src (any alignment). */
static void convert_to_f32(Dtype d, const uint8_t *src, size_t count, float *dst) {
    if (d == DTYPE_F32) {
        memcpy(dst, src, count * sizeof(float));
        return;
    }
    for (size_t i = 0; i < count; i++) {
        uint16_t h;
        memcpy(&h, src + 2 * i, 2);
        dst[i] = d == DTYPE_F16 ? f16_to_f32(h) : bf16_to_f32(h);
    }
}

void checkpoint_read_f32(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                         float *dst) {
    checkpoint_read_as(ck, name, ndim, shape, DTYPE_F32, dst);
}

void checkpoint_read_as(const Checkpoint *ck, const char *name, int ndim, const int64_t *shape,
                        Dtype as, void *dst) {
    const TensorInfo *t = checkpoint_require(ck, name, ndim, shape);
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
    size_t count = (size_t)(t->nbytes / (uint64_t)dtype_size(t->dtype));
    if (as == DTYPE_F32)
        convert_to_f32(t->dtype, (const uint8_t *)map + (t->offset - start), count, dst);
    else
        memcpy(dst, (const uint8_t *)map + (t->offset - start), (size_t)t->nbytes);
    munmap(map, (size_t)span);
}
