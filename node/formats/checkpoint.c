/* checkpoint.c: opening a model, the reader its format needs and the checks
 * after; see checkpoint.h. */
#include "formats/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json_check.h"
#include "base/util.h"
#include "formats/checkpoint_check.h"
#include "formats/gguf.h"
#include "formats/hf_config.h"
#include "formats/llama2c.h"
#include "formats/safetensors.h"

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
    for (int i = 7; i >= 0; i--)
        n = (n << 8) | b[i];
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
    checkpoint_sort_tensors(ck);
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
    checkpoint_sort_tensors(ck);
}

static void open_hf_file(Checkpoint *ck, const char *path) {
    char *copy = xstrdup(path);
    load_config(ck, dirname(copy));
    free(copy);
    ck->weights_path = xstrdup(path);
    add_safetensors_file(ck, path);
    checkpoint_sort_tensors(ck);
}

Checkpoint *checkpoint_open(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) die_input("%s: cannot open model: %s", path, strerror(errno));
    Checkpoint *ck = xcalloc(1, sizeof *ck);
    ck->path = xstrdup(path);
    ck->format = CHECKPOINT_HF_SAFETENSORS;
    if (S_ISDIR(st.st_mode)) {
        open_hf_directory(ck, path);
    } else if (ends_with(path, ".gguf") || gguf_has_magic(path)) {
        ck->weights_path = xstrdup(path);
        gguf_open(path, ck);
        checkpoint_sort_tensors(ck);
    } else if (ends_with(path, ".safetensors")) {
        open_hf_file(ck, path);
    } else if (ends_with(path, ".bin") || !looks_like_safetensors(path)) {
        ck->weights_path = xstrdup(path);
        llama2c_open(path, ck);
        checkpoint_sort_tensors(ck);
    } else {
        open_hf_file(ck, path);
    }
    if (ck->cfg.kind == MODEL_ENCODER_BERT)
        checkpoint_check_bert_tensors(ck);
    else
        checkpoint_check_llama_tensors(ck);
    return ck;
}

Checkpoint *checkpoint_open_tensors(const char *path) {
    Checkpoint *ck = xcalloc(1, sizeof *ck);
    ck->path = xstrdup(path);
    ck->weights_path = xstrdup(path);
    ck->format = CHECKPOINT_HF_SAFETENSORS;
    add_safetensors_file(ck, path);
    checkpoint_sort_tensors(ck);
    return ck;
}
