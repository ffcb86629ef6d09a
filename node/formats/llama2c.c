/* llama2c.c: the llama2.c .bin reader; see llama2c.h. */
#include "formats/llama2c.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#define LLAMA2C_HEADER_BYTES 28
#define LLAMA2C_MAX_DIM (1 << 20)
#define LLAMA2C_MAX_LAYERS 4096
#define LLAMA2C_MAX_SEQ (1 << 24)
#define LLAMA2C_MAGIC_V1 0x616b3432u /* "ak42": the later export versions */

typedef struct {
    const char *path;
    uint64_t file_size;
    uint64_t offset; /* where the next array starts */
    Checkpoint *ck;
    int file;
} Llama2cLayout;

static uint64_t mul_u64(const char *path, uint64_t a, uint64_t b) {
    if (b != 0 && a > UINT64_MAX / b) die_input("%s: header sizes overflow", path);
    return a * b;
}

/* Claims the next rows x cols float32 array of the file; dies when it runs
 * past the end. Returns its absolute offset. */
static uint64_t take_array(Llama2cLayout *lay, const char *name, uint64_t rows, uint64_t cols) {
    uint64_t bytes = mul_u64(lay->path, mul_u64(lay->path, rows, cols), sizeof(float));
    uint64_t at = lay->offset;
    if (bytes > lay->file_size || at > lay->file_size - bytes)
        die_input("%s: tensor %s runs past the end of the file (needs bytes up to %" PRIu64
                  ", the file has %" PRIu64 "; truncated?)",
                  lay->path, name, at + bytes, lay->file_size);
    lay->offset += bytes;
    return at;
}

static void add_tensor(Llama2cLayout *lay, const char *name, uint64_t offset, int64_t rows,
                       int64_t cols) {
    TensorInfo *t = checkpoint_add_tensor(lay->ck, name);
    t->dtype = DTYPE_F32;
    t->file = lay->file;
    t->offset = offset;
    t->ndim = cols > 0 ? 2 : 1;
    t->shape[0] = rows;
    t->shape[1] = cols > 0 ? cols : 0;
    t->nbytes = (uint64_t)rows * (uint64_t)(cols > 0 ? cols : 1) * sizeof(float);
}

/* One array per layer kind: L slices of rows x cols (cols 0: a vector of rows). */
static void take_per_layer(Llama2cLayout *lay, const char *suffix, int n_layers, int64_t rows,
                           int64_t cols) {
    char name[128];
    uint64_t slice = (uint64_t)rows * (uint64_t)(cols > 0 ? cols : 1);
    uint64_t slice_bytes = slice * sizeof(float);
    /* Name the first layer whose slice is cut off, should the array be. */
    uint64_t left = lay->file_size > lay->offset ? lay->file_size - lay->offset : 0;
    uint64_t whole = left / slice_bytes;
    snprintf(name, sizeof name, "model.layers.%d.%s",
             whole < (uint64_t)n_layers ? (int)whole : n_layers - 1, suffix);
    uint64_t base = take_array(lay, name, (uint64_t)n_layers, slice);
    for (int l = 0; l < n_layers; l++) {
        snprintf(name, sizeof name, "model.layers.%d.%s", l, suffix);
        add_tensor(lay, name, base + (uint64_t)l * slice_bytes, rows, cols);
    }
}

static void check_range(const char *path, const char *what, int32_t v, int32_t hi) {
    if (v < 1 || v > hi)
        die_input("%s: not a llama2.c checkpoint: %s = %" PRId32 " out of range [1, %" PRId32 "]",
                  path, what, v, hi);
}

static void read_config(const char *path, const int32_t h[7], ModelConfig *cfg) {
    if ((uint32_t)h[0] == LLAMA2C_MAGIC_V1)
        die_input("%s: llama2.c export version %" PRId32
                  " (magic ak42) not supported; only the legacy format is",
                  path, h[1]);
    check_range(path, "dim", h[0], LLAMA2C_MAX_DIM);
    check_range(path, "hidden_dim", h[1], LLAMA2C_MAX_DIM);
    check_range(path, "n_layers", h[2], LLAMA2C_MAX_LAYERS);
    check_range(path, "n_heads", h[3], LLAMA2C_MAX_DIM);
    check_range(path, "n_kv_heads", h[4], LLAMA2C_MAX_DIM);
    if (h[5] == INT32_MIN) check_range(path, "vocab_size", h[5], LLAMA2C_MAX_DIM);
    check_range(path, "vocab_size", h[5] < 0 ? -h[5] : h[5], LLAMA2C_MAX_DIM);
    check_range(path, "seq_len", h[6], LLAMA2C_MAX_SEQ);
    if (h[0] % h[3] != 0)
        die_input("%s: dim %" PRId32 " is not divisible by n_heads %" PRId32, path, h[0], h[3]);
    if (h[3] % h[4] != 0)
        die_input("%s: n_heads %" PRId32 " is not a multiple of n_kv_heads %" PRId32, path, h[3],
                  h[4]);
    if ((h[0] / h[3]) % 2 != 0)
        die_input("%s: head size %" PRId32 " is odd (rotary embeddings need pairs)", path,
                  h[0] / h[3]);

    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->architecture, sizeof cfg->architecture, "llama2.c");
    snprintf(cfg->dtype, sizeof cfg->dtype, "float32");
    cfg->dim = h[0];
    cfg->hidden_dim = h[1];
    cfg->n_layers = h[2];
    cfg->n_heads = h[3];
    cfg->n_kv_heads = h[4];
    cfg->head_dim = h[0] / h[3];
    cfg->vocab_size = h[5] < 0 ? -h[5] : h[5];
    cfg->max_seq_len = h[6];
    cfg->norm_eps = 1e-5f;
    cfg->rope_theta = 10000.0f;
    cfg->rope_layout = ROPE_ADJACENT_PAIRS;
    cfg->tied_embeddings = h[5] > 0;
    cfg->qkv_bias = 0;
    cfg->bos_id = 1;
    cfg->eos_id = 2;
}

void llama2c_parse_header(const char *path, const uint8_t *prefix, size_t len, uint64_t file_size,
                          Checkpoint *ck) {
    if (len < LLAMA2C_HEADER_BYTES)
        die_input("%s: %" PRIu64 " bytes, too short for a llama2.c header", path, file_size);
    int32_t h[7];
    for (int i = 0; i < 7; i++) {
        const uint8_t *p = prefix + 4 * i;
        h[i] = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24);
    }
    read_config(path, h, &ck->cfg);
    ck->format = CHECKPOINT_LLAMA2C;

    const ModelConfig *c = &ck->cfg;
    Llama2cLayout lay = {path, file_size, LLAMA2C_HEADER_BYTES, ck, 0};
    lay.file = checkpoint_add_file(ck, path, lay.file_size);
    int64_t D = c->dim, F = c->hidden_dim, V = c->vocab_size, L = c->n_layers;
    int64_t kv_dim = (int64_t)c->n_kv_heads * c->head_dim;

    uint64_t at = take_array(&lay, "model.embed_tokens.weight", (uint64_t)V, (uint64_t)D);
    add_tensor(&lay, "model.embed_tokens.weight", at, V, D);
    take_per_layer(&lay, "input_layernorm.weight", (int)L, D, 0);
    take_per_layer(&lay, "self_attn.q_proj.weight", (int)L, D, D);
    take_per_layer(&lay, "self_attn.k_proj.weight", (int)L, kv_dim, D);
    take_per_layer(&lay, "self_attn.v_proj.weight", (int)L, kv_dim, D);
    take_per_layer(&lay, "self_attn.o_proj.weight", (int)L, D, D);
    take_per_layer(&lay, "post_attention_layernorm.weight", (int)L, D, 0);
    take_per_layer(&lay, "mlp.gate_proj.weight", (int)L, F, D);
    take_per_layer(&lay, "mlp.down_proj.weight", (int)L, D, F);
    take_per_layer(&lay, "mlp.up_proj.weight", (int)L, F, D);
    at = take_array(&lay, "model.norm.weight", (uint64_t)D, 1);
    add_tensor(&lay, "model.norm.weight", at, D, 0);
    take_array(&lay, "freq_cis_real", (uint64_t)c->max_seq_len, (uint64_t)c->head_dim / 2);
    take_array(&lay, "freq_cis_imag", (uint64_t)c->max_seq_len, (uint64_t)c->head_dim / 2);
    if (!c->tied_embeddings) {
        at = take_array(&lay, "lm_head.weight", (uint64_t)V, (uint64_t)D);
        add_tensor(&lay, "lm_head.weight", at, V, D);
    }
    if (lay.offset != lay.file_size)
        die_input("%s: %" PRIu64 " bytes after the last tensor (the header implies exactly %" PRIu64
                  " bytes; not a llama2.c file?)",
                  path, lay.file_size - lay.offset, lay.offset);
}

void llama2c_open(const char *path, Checkpoint *ck) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die_input("%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) die_input("%s: not a regular file", path);
    uint8_t raw[LLAMA2C_HEADER_BYTES];
    ssize_t got = pread(fd, raw, sizeof raw, 0);
    close(fd);
    llama2c_parse_header(path, raw, got > 0 ? (size_t)got : 0, (uint64_t)st.st_size, ck);
}
