/* checkpoint_files.c: see checkpoint_files.h. */
#include "checkpoint_files.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "formats/checkpoint.h"
#include "formats/safetensors.h"

const char *ckfile_shared;
static char g_tmp[256];

char *ckfile_path(const char *name) {
    return path_join(g_tmp, name);
}

void ckfile_write_bytes(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) die_runtime("%s: write", path);
}

void ckfile_write_text(const char *path, const char *text) {
    ckfile_write_bytes(path, text, strlen(text));
}

void ckfile_copy(const char *from, const char *to, size_t max_len) {
    size_t len;
    char *data = read_file_text(from, &len);
    ckfile_write_bytes(to, data, len < max_len ? len : max_len);
    free(data);
}

char *ckfile_make_dir(const char *name) {
    char *dir = ckfile_path(name);
    if (mkdir(dir, 0755) != 0) die_runtime("%s: mkdir", dir);
    return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* A small Llama config: D 8, H 2 heads of 4, KV kv, F f, V 16, 2 layers. */
void ckfile_tiny_config(char *buf, size_t cap, const char *arch, int f, int kv) {
    snprintf(buf, cap,
             "{\n  \"architectures\": [\"%s\"],\n  \"hidden_size\": 8,\n"
             "  \"intermediate_size\": %d,\n  \"num_hidden_layers\": 2,\n"
             "  \"num_attention_heads\": 2,\n  \"num_key_value_heads\": %d,\n"
             "  \"vocab_size\": 16,\n  \"rms_norm_eps\": 1e-05,\n  \"bos_token_id\": 1,\n"
             "  \"eos_token_id\": 2\n}\n",
             arch, f, kv);
}

/* Writes model.safetensors with the tensors of ckfile_tiny_config(f, kv 1), leaving
 * out `omit` and adding `extra` (a [4] tensor) when not NULL. */
void ckfile_write_tiny_weights(const char *dir, int f, const char *omit, const char *extra) {
    enum { MAXT = 32 };
    const char *names[MAXT];
    char *owned[MAXT];
    int ndims[MAXT];
    int64_t shapes[MAXT][TENSOR_MAX_DIMS];
    const float *data[MAXT];
    static float values[16 * 64];
    for (int i = 0; i < 16 * 64; i++)
        values[i] = sinf(0.37f * (float)i);
    int n = 0;
#define ADD(name_, rows_, cols_)                                                                   \
    do {                                                                                           \
        owned[n] = xstrdup(name_);                                                                 \
        if (omit && !strcmp(omit, owned[n])) {                                                     \
            free(owned[n]);                                                                        \
            break;                                                                                 \
        }                                                                                          \
        names[n] = owned[n];                                                                       \
        ndims[n] = (cols_) ? 2 : 1;                                                                \
        shapes[n][0] = (rows_);                                                                    \
        shapes[n][1] = (cols_);                                                                    \
        data[n] = values;                                                                          \
        n++;                                                                                       \
    } while (0)
    char name[128];
    ADD("model.embed_tokens.weight", 16, 8);
    for (int l = 0; l < 2; l++) {
        ADD(checkpoint_layer_name(name, sizeof name, l, "input_layernorm.weight"), 8, 0);
        ADD(checkpoint_layer_name(name, sizeof name, l, "self_attn.q_proj.weight"), 8, 8);
        ADD(checkpoint_layer_name(name, sizeof name, l, "self_attn.k_proj.weight"), 4, 8);
        ADD(checkpoint_layer_name(name, sizeof name, l, "self_attn.v_proj.weight"), 4, 8);
        ADD(checkpoint_layer_name(name, sizeof name, l, "self_attn.o_proj.weight"), 8, 8);
        ADD(checkpoint_layer_name(name, sizeof name, l, "post_attention_layernorm.weight"), 8, 0);
        ADD(checkpoint_layer_name(name, sizeof name, l, "mlp.gate_proj.weight"), f, 8);
        ADD(checkpoint_layer_name(name, sizeof name, l, "mlp.up_proj.weight"), f, 8);
        ADD(checkpoint_layer_name(name, sizeof name, l, "mlp.down_proj.weight"), 8, f);
    }
    ADD("model.norm.weight", 8, 0);
    ADD("lm_head.weight", 16, 8);
    if (extra) ADD(extra, 4, 0);
#undef ADD
    char *path = path_join(dir, "model.safetensors");
    safetensors_write_f32(path, n, names, ndims, (const int64_t(*)[TENSOR_MAX_DIMS])shapes, data);
    free(path);
    for (int i = 0; i < n; i++)
        free(owned[i]);
}

/* A directory with a good tiny config (F 12, KV 1) and good weights. */
char *ckfile_tiny_model(const char *name, const char *omit, const char *extra) {
    char *dir = ckfile_make_dir(name);
    char cfg[1024];
    ckfile_tiny_config(cfg, sizeof cfg, "LlamaForCausalLM", 12, 1);
    char *cfg_path = path_join(dir, "config.json");
    ckfile_write_text(cfg_path, cfg);
    free(cfg_path);
    ckfile_write_tiny_weights(dir, 12, omit, extra);
    return dir;
}

/* A model directory whose model.safetensors has the given JSON header and
 * data_len zero bytes of data. Returns the safetensors path; caller frees. */
char *ckfile_raw_safetensors(const char *name, const char *header, size_t data_len) {
    char *dir = ckfile_tiny_model(name, NULL, NULL);
    char *path = path_join(dir, "model.safetensors");
    size_t n = strlen(header);
    uint8_t *buf = xcalloc(8 + n + data_len, 1);
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, header, n);
    ckfile_write_bytes(path, buf, 8 + n + data_len);
    free(buf);
    free(dir);
    return path;
}

char *ckfile_dir_of(const char *file) {
    char *d = xstrdup(file);
    char *slash = strrchr(d, '/');
    if (slash) *slash = '\0';
    return d;
}

void ckfile_init(const char *shared) {
    ckfile_shared = shared;
    const char *tmpdir = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/painters-ckpt-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(g_tmp)) die_runtime("mkdtemp %s", g_tmp);
}

void ckfile_cleanup(void) {
    nftw(g_tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
