/* test_checkpoint.c: safetensors, config.json and llama2.c readers.
 *
 * Good inputs: the shared fixtures (F32, F16, BF16 in shards), the real
 * config.json files, stories260K.bin and writer round trips. Bad inputs:
 * broken files made here in a temporary directory, each opened in a forked
 * child that must exit with status 2 and name the file on stderr. */
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "formats/checkpoint.h"
#include "formats/hf_config.h"
#include "formats/safetensors.h"
#include "testhelp.h"
#include "base/util.h"

static char g_tmp[256];
static const char *g_shared;
static int g_broken_cases;

static char *tmp_path(const char *name) {
    return path_join(g_tmp, name);
}

static void write_bytes(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) die_runtime("%s: write", path);
}

static void write_text(const char *path, const char *text) {
    write_bytes(path, text, strlen(text));
}

static void copy_file(const char *from, const char *to, size_t max_len) {
    size_t len;
    char *data = read_file_text(from, &len);
    write_bytes(to, data, len < max_len ? len : max_len);
    free(data);
}

static char *make_dir(const char *name) {
    char *dir = tmp_path(name);
    if (mkdir(dir, 0755) != 0) die_runtime("%s: mkdir", dir);
    return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* A small Llama config: D 8, H 2 heads of 4, KV kv, F f, V 16, 2 layers. */
static void tiny_config(char *buf, size_t cap, const char *arch, int f, int kv) {
    snprintf(buf, cap,
             "{\n  \"architectures\": [\"%s\"],\n  \"hidden_size\": 8,\n"
             "  \"intermediate_size\": %d,\n  \"num_hidden_layers\": 2,\n"
             "  \"num_attention_heads\": 2,\n  \"num_key_value_heads\": %d,\n"
             "  \"vocab_size\": 16,\n  \"rms_norm_eps\": 1e-05,\n  \"bos_token_id\": 1,\n"
             "  \"eos_token_id\": 2\n}\n",
             arch, f, kv);
}

/* Writes model.safetensors with the tensors of tiny_config(f, kv 1), leaving
 * out `omit` and adding `extra` (a [4] tensor) when not NULL. */
static void write_tiny_weights(const char *dir, int f, const char *omit, const char *extra) {
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
static char *make_tiny_model(const char *name, const char *omit, const char *extra) {
    char *dir = make_dir(name);
    char cfg[1024];
    tiny_config(cfg, sizeof cfg, "LlamaForCausalLM", 12, 1);
    char *cfg_path = path_join(dir, "config.json");
    write_text(cfg_path, cfg);
    free(cfg_path);
    write_tiny_weights(dir, 12, omit, extra);
    return dir;
}

/* A model directory whose model.safetensors has the given JSON header and
 * data_len zero bytes of data. Returns the safetensors path; caller frees. */
static char *make_raw_safetensors(const char *name, const char *header, size_t data_len) {
    char *dir = make_tiny_model(name, NULL, NULL);
    char *path = path_join(dir, "model.safetensors");
    size_t n = strlen(header);
    uint8_t *buf = xcalloc(8 + n + data_len, 1);
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, header, n);
    write_bytes(path, buf, 8 + n + data_len);
    free(buf);
    free(dir);
    return path;
}

static char *dir_of(const char *file) {
    char *d = xstrdup(file);
    char *slash = strrchr(d, '/');
    if (slash) *slash = '\0';
    return d;
}

typedef void (*BrokenAction)(const char *arg);

static void act_open(const char *path) {
    checkpoint_open(path);
}
static void act_load_config(const char *path) {
    ModelConfig cfg;
    hf_config_load(path, &cfg);
}
static void act_read_header(const char *path) {
    TensorInfo *t = NULL;
    int n = 0;
    uint64_t size;
    safetensors_read_header(path, 0, &size, &t, &n);
}
static void act_read_wrong_shape(const char *dir) {
    Checkpoint *ck = checkpoint_open(dir);
    int64_t shape[2] = {9, 8};
    float buf[72];
    checkpoint_read_f32(ck, "model.layers.0.self_attn.q_proj.weight", 2, shape, buf);
}
static void act_read_missing(const char *dir) {
    Checkpoint *ck = checkpoint_open(dir);
    int64_t shape[1] = {8};
    float buf[8];
    checkpoint_read_f32(ck, "model.layers.0.no_such.weight", 1, shape, buf);
}
static void act_truncate_after_open(const char *dir) {
    Checkpoint *ck = checkpoint_open(dir);
    char *path = path_join(dir, "model.safetensors");
    if (truncate(path, (off_t)ck->file_sizes[0] / 2) != 0) die_runtime("truncate");
    int64_t shape[2] = {16, 8};
    float buf[128];
    checkpoint_read_f32(ck, "model.embed_tokens.weight", 2, shape, buf);
}

/* Runs action(arg) in a child; it must exit 2 with `must_name` on stderr. */
static void expect_input_error(const char *name, BrokenAction action, const char *arg,
                               const char *must_name) {
    int fds[2];
    if (pipe(fds) != 0) die_runtime("pipe");
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) die_runtime("fork");
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        close(fds[1]);
        action(arg);
        _exit(0);
    }
    close(fds[1]);
    char msg[8192];
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], msg + len, sizeof msg - 1 - len)) > 0)
        len += (size_t)r;
    msg[len] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    int exit2 = WIFEXITED(status) && WEXITSTATUS(status) == PAINTERS_EXIT_INPUT;
    int named = strstr(msg, must_name) != NULL;
    TEST_CHECK(name, exit2 && named);
    if (!(exit2 && named) || getenv("PAINTERS_TEST_VERBOSE"))
        printf("  %s: status %d, stderr: %s", name, status, len ? msg : "(empty)\n");
    g_broken_cases++;
}

static void test_broken_safetensors(void) {
    char *p;
    p = make_raw_safetensors("st_short", "", 0);
    if (truncate(p, 5) != 0) die_runtime("%s: truncate", p);
    char *short_dir = dir_of(p);
    expect_input_error("safetensors shorter than 8 bytes", act_open, short_dir, p);
    free(short_dir);
    free(p);

    p = tmp_path("header_past_end.safetensors");
    uint8_t past_end[16] = {0xe8, 0x03, 0, 0, 0, 0, 0, 0, '{', '}'};
    write_bytes(p, past_end, sizeof past_end);
    expect_input_error("header length past the end", act_read_header, p, p);
    free(p);

    p = tmp_path("header_absurd.safetensors");
    uint8_t absurd[16] = {0, 0, 0, 0, 0, 1, 0, 0, '{', '}'};
    write_bytes(p, absurd, sizeof absurd);
    expect_input_error("absurd header length", act_read_header, p, p);
    free(p);

    struct {
        const char *dir, *header, *what;
        size_t data_len;
    } cases[] = {
        {"st_bad_json", "{\"a\": {\"dtype\": \"F32\",, }}", "bad JSON header", 0},
        {"st_not_object", "[1, 2]      ", "header not an object", 0},
        {"st_entry_not_object", "{\"model.norm.weight\": 5}", "tensor entry not an object", 0},
        {"st_unknown_dtype",
         "{\"model.norm.weight\": {\"dtype\": \"I8\", \"shape\": [8], \"data_offsets\": [0, 8]}}",
         "unknown dtype", 8},
        {"st_overlap",
         "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]},"
         " \"b\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 24]}}",
         "overlapping offsets", 24},
        {"st_out_of_range",
         "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [1000, 1016]}}",
         "offsets past the data", 64},
        {"st_shape_mismatch",
         "{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 12]}}",
         "shape disagrees with offsets", 16},
        {"st_begin_after_end",
         "{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 4]}}",
         "begin after end", 16},
        {"st_five_dims",
         "{\"a\": {\"dtype\": \"F32\", \"shape\": [1, 1, 1, 1, 1], \"data_offsets\": [0, 4]}}",
         "more than 4 dims", 4},
        {"st_negative_dim",
         "{\"a\": {\"dtype\": \"F32\", \"shape\": [-1, 4], \"data_offsets\": [0, 16]}}",
         "negative dim", 16},
        {"st_huge_shape",
         "{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4294967296],"
         " \"data_offsets\": [0, 16]}}",
         "shape byte count overflows", 16},
        {"st_bad_offsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0]}}",
         "data_offsets not a pair", 16},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        p = make_raw_safetensors(cases[i].dir, cases[i].header, cases[i].data_len);
        char *dir = dir_of(p);
        expect_input_error(cases[i].what, act_open, dir, p);
        free(dir);
        free(p);
    }

    char *dir = make_dir("st_truncated");
    char *from = path_join(g_shared, "fixtures/tiny-llama/config.json");
    char *to = path_join(dir, "config.json");
    copy_file(from, to, (size_t)-1);
    free(from);
    free(to);
    from = path_join(g_shared, "fixtures/tiny-llama/model.safetensors");
    to = path_join(dir, "model.safetensors");
    copy_file(from, to, 700000);
    expect_input_error("truncated safetensors", act_open, dir, to);
    free(from);
    free(to);
    free(dir);
}

static void test_broken_models(void) {
    char *dir, *p;
    dir = make_tiny_model("missing_tensor", "model.layers.1.mlp.up_proj.weight", NULL);
    p = path_join(dir, "model.safetensors");
    expect_input_error("missing tensor", act_open, dir, p);
    free(p);
    free(dir);

    dir = make_dir("shape_vs_config");
    char cfg[1024];
    tiny_config(cfg, sizeof cfg, "LlamaForCausalLM", 10, 1);
    p = path_join(dir, "config.json");
    write_text(p, cfg);
    free(p);
    write_tiny_weights(dir, 12, NULL, NULL);
    p = path_join(dir, "model.safetensors");
    expect_input_error("shape disagrees with config.json", act_open, dir, p);
    free(p);
    free(dir);

    dir = make_tiny_model("unused_bias", NULL, "model.layers.0.self_attn.o_proj.bias");
    p = path_join(dir, "model.safetensors");
    expect_input_error("bias the model cannot use", act_open, dir, p);
    free(p);
    free(dir);

    dir = make_tiny_model("extra_layer", NULL, "model.layers.2.input_layernorm.weight");
    p = path_join(dir, "model.safetensors");
    expect_input_error("layer past n_layers", act_open, dir, p);
    free(p);
    free(dir);

    dir = make_tiny_model("read_wrong_shape", NULL, NULL);
    p = path_join(dir, "model.safetensors");
    expect_input_error("read with a shape other than stored", act_read_wrong_shape, dir, p);
    expect_input_error("read of a missing tensor", act_read_missing, dir, p);
    expect_input_error("file truncated after open", act_truncate_after_open, dir, p);
    free(p);
    free(dir);

    dir = make_tiny_model("no_config", NULL, NULL);
    p = path_join(dir, "config.json");
    remove(p);
    expect_input_error("missing config.json", act_open, dir, p);
    free(p);
    free(dir);

    dir = make_tiny_model("no_weights", NULL, NULL);
    p = path_join(dir, "model.safetensors");
    remove(p);
    expect_input_error("missing model.safetensors", act_open, dir, p);
    free(p);
    free(dir);
}

static void test_broken_configs(void) {
    struct {
        const char *name, *text, *what;
    } cases[] = {
        {"cfg_bad_json", "{\n  \"hidden_size\": 8,\n  \"vocab_size\": }\n", "config bad JSON"},
        {"cfg_bert",
         "{\"architectures\": [\"BertModel\"], \"hidden_size\": 8, \"intermediate_size\": 8,"
         " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"vocab_size\": 16}",
         "config unsupported architecture"},
        {"cfg_heads_kv",
         "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8, \"intermediate_size\": 8,"
         " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"num_key_value_heads\": 3,"
         " \"head_dim\": 4, \"vocab_size\": 16}",
         "config n_heads % kv != 0"},
        {"cfg_missing_key",
         "{\"architectures\": [\"LlamaForCausalLM\"], \"intermediate_size\": 8,"
         " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"vocab_size\": 16}",
         "config missing hidden_size"},
        {"cfg_wrong_type",
         "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": \"8\", "
         "\"intermediate_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
         " \"vocab_size\": 16}",
         "config string for an integer"},
        {"cfg_huge_dim",
         "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8, "
         "\"intermediate_size\": 8, \"num_hidden_layers\": 100000, \"num_attention_heads\": 2,"
         " \"vocab_size\": 16}",
         "config absurd layer count"},
        {"cfg_rope_type",
         "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8, "
         "\"intermediate_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
         " \"vocab_size\": 16, \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0}}",
         "config unsupported rope scaling"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = make_tiny_model(cases[i].name, NULL, NULL);
        char *p = path_join(dir, "config.json");
        write_text(p, cases[i].text);
        expect_input_error(cases[i].what, act_open, dir, p);
        free(p);
        free(dir);
    }
}

/* Messages carry the detail they promise, not only the file name. */
static void test_error_details(void) {
    char *dir = make_tiny_model("detail_json", NULL, NULL);
    char *p = path_join(dir, "config.json");
    write_text(p, "{\n  \"hidden_size\": 8,\n  \"vocab_size\": }\n");
    expect_input_error("bad JSON names line and column", act_load_config, p, "line 3, column");
    write_text(p, "{\"architectures\": [\"BertModel\"]}");
    expect_input_error("architecture named", act_load_config, p,
                       "unsupported architecture BertModel");
    free(p);
    p = make_raw_safetensors("detail_dtype",
                             "{\"model.norm.weight\": {\"dtype\": \"I8\", \"shape\": [8],"
                             " \"data_offsets\": [0, 8]}}",
                             8);
    expect_input_error("dtype named", act_read_header, p,
                       "tensor model.norm.weight: dtype I8 not supported");
    free(p);
    free(dir);
    dir = make_tiny_model("detail_shape", NULL, NULL);
    expect_input_error("shapes named", act_read_wrong_shape, dir,
                       "shape [8, 8] but the config implies [9, 8]");
    free(dir);
}

static void test_broken_shards(void) {
    static const char *files[] = {"config.json",
                                  "model-00001-of-00004.safetensors",
                                  "model-00002-of-00004.safetensors",
                                  "model-00003-of-00004.safetensors",
                                  "model-00004-of-00004.safetensors",
                                  "model.safetensors.index.json"};
    const char *variants[] = {"shard_missing", "shard_missing_tensor", "shard_duplicate"};
    for (int v = 0; v < 3; v++) {
        char *dir = make_dir(variants[v]);
        for (int i = 0; i < 6; i++) {
            char rel[256];
            snprintf(rel, sizeof rel, "fixtures/tiny-llama-bf16-sharded/%s", files[i]);
            char *from = path_join(g_shared, rel), *to = path_join(dir, files[i]);
            copy_file(from, to, (size_t)-1);
            free(from);
            free(to);
        }
        char *shard = path_join(dir, "model-00002-of-00004.safetensors");
        char *index = path_join(dir, "model.safetensors.index.json");
        if (v == 0) {
            remove(shard);
            expect_input_error("index names a missing shard", act_open, dir, shard);
        } else if (v == 1) {
            /* Shard 2 replaced by one that lacks the tensors the index puts there. */
            const char *nm[] = {"unrelated"};
            int nd[] = {1};
            int64_t sh[1][TENSOR_MAX_DIMS] = {{4}};
            float zeros[4] = {0};
            const float *d[] = {zeros};
            safetensors_write_f32(shard, 1, nm, nd, (const int64_t(*)[TENSOR_MAX_DIMS])sh, d);
            expect_input_error("index names a tensor missing from its shard", act_open, dir, shard);
        } else {
            char *first = path_join(dir, "model-00001-of-00004.safetensors");
            copy_file(first, shard, (size_t)-1);
            free(first);
            expect_input_error("same tensor in two shards", act_open, dir, "model-0000");
        }
        free(index);
        free(shard);
        free(dir);
    }
}

static void test_broken_llama2c(void) {
    char *p;
    char *from = path_join(g_shared, "models/stories260K/stories260K.bin");
    p = tmp_path("truncated.bin");
    copy_file(from, p, 500000);
    expect_input_error("truncated llama2.c file", act_open, p, p);
    expect_input_error("truncated llama2.c names the tensor", act_open, p,
                       "model.layers.2.mlp.gate_proj.weight runs past the end");
    free(p);
    p = tmp_path("trailing.bin");
    copy_file(from, p, (size_t)-1);
    FILE *f = fopen(p, "ab");
    fputs("junk", f);
    fclose(f);
    expect_input_error("llama2.c file with trailing bytes", act_open, p, p);
    free(p);
    free(from);
    p = tmp_path("absurd.bin");
    int32_t absurd[7] = {1 << 30, 172, 5, 8, 4, 512, 512};
    write_bytes(p, absurd, sizeof absurd);
    expect_input_error("llama2.c absurd header", act_open, p, p);
    free(p);
    p = tmp_path("negative.bin");
    int32_t negative[7] = {64, 172, -5, 8, 4, 512, 512};
    write_bytes(p, negative, sizeof negative);
    expect_input_error("llama2.c negative layer count", act_open, p, p);
    free(p);
    p = tmp_path("kv.bin");
    int32_t kv[7] = {64, 172, 5, 8, 3, 512, 512};
    write_bytes(p, kv, sizeof kv);
    expect_input_error("llama2.c n_heads % n_kv_heads", act_open, p, p);
    free(p);
    p = tmp_path("short.bin");
    write_bytes(p, absurd, 10);
    expect_input_error("llama2.c shorter than its header", act_open, p, p);
    free(p);
}

static void check_config(const char *file, const ModelConfig *c, int dim, int layers, int ffn,
                         int kv, float theta) {
    TEST_CHECK(file, c->dim == dim && c->n_layers == layers && c->hidden_dim == ffn &&
                         c->n_kv_heads == kv && c->rope_theta == theta);
}

static void test_real_configs(void) {
    ModelConfig c;
    char *p = path_join(g_shared, "configs/llama2-7b.json");
    hf_config_load(p, &c);
    check_config("llama2-7b", &c, 4096, 32, 11008, 32, 10000.0f);
    TEST_CHECK("llama2-7b details",
               c.n_heads == 32 && c.head_dim == 128 && c.vocab_size == 32000 &&
                   c.max_seq_len == 4096 && c.norm_eps == 1e-5f && c.bos_id == 1 && c.eos_id == 2 &&
                   !c.tied_embeddings && !c.qkv_bias && c.rope_scaling_factor == 0 &&
                   !strcmp(c.dtype, "float16") && !strcmp(c.architecture, "LlamaForCausalLM"));
    free(p);
    p = path_join(g_shared, "configs/llama2-13b.json");
    hf_config_load(p, &c);
    check_config("llama2-13b", &c, 5120, 40, 13824, 40, 10000.0f);
    free(p);
    p = path_join(g_shared, "configs/llama3-8b.json");
    hf_config_load(p, &c);
    check_config("llama3-8b", &c, 4096, 32, 14336, 8, 500000.0f);
    TEST_CHECK("llama3-8b details", c.vocab_size == 128256 && c.bos_id == 128000 &&
                                        c.eos_id == 128001 && !strcmp(c.dtype, "bfloat16"));
    free(p);
    p = path_join(g_shared, "configs/mistral-7b.json");
    hf_config_load(p, &c);
    check_config("mistral-7b", &c, 4096, 32, 14336, 8, 10000.0f);
    TEST_CHECK("mistral architecture",
               !strcmp(c.architecture, "MistralForCausalLM") && c.max_seq_len == 32768);
    free(p);
    p = path_join(g_shared, "configs/tinyllama-1.1b.json");
    hf_config_load(p, &c);
    check_config("tinyllama-1.1b", &c, 2048, 22, 5632, 4, 10000.0f);
    TEST_CHECK("tinyllama head_dim", c.head_dim == 64);
    free(p);
}

static void test_config_styles(void) {
    ModelConfig c;
    /* Llama-3.1 style: llama3 rope_scaling, a list of eos ids. */
    hf_config_parse("<llama3.1>",
                    "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 4096,"
                    " \"intermediate_size\": 14336, \"num_hidden_layers\": 32,"
                    " \"num_attention_heads\": 32, \"num_key_value_heads\": 8,"
                    " \"vocab_size\": 128256, \"rope_theta\": 500000.0,"
                    " \"eos_token_id\": [128001, 128008, 128009],"
                    " \"max_position_embeddings\": 131072,"
                    " \"rope_scaling\": {\"factor\": 8.0, \"low_freq_factor\": 1.0,"
                    " \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192,"
                    " \"rope_type\": \"llama3\"}, \"torch_dtype\": \"bfloat16\"}",
                    &c);
    TEST_CHECK("llama3 rope_scaling",
               c.rope_scaling_factor == 8.0f && c.rope_low_freq_factor == 1.0f &&
                   c.rope_high_freq_factor == 4.0f && c.rope_original_max_pos == 8192 &&
                   c.rope_theta == 500000.0f && c.n_kv_heads == 8);
    TEST_CHECK("eos list", c.eos_id == 128001 && c.bos_id == -1);
    /* transformers 5 style: everything under rope_parameters. */
    hf_config_parse("<v5>",
                    "{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 128,"
                    " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"vocab_size\": 100,"
                    " \"dtype\": \"bfloat16\", \"tie_word_embeddings\": true,"
                    " \"rope_parameters\": {\"rope_type\": \"llama3\", \"rope_theta\": 250000.0,"
                    " \"factor\": 32.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                    " \"original_max_position_embeddings\": 8192}}",
                    &c);
    TEST_CHECK("rope_parameters", c.rope_theta == 250000.0f && c.rope_scaling_factor == 32.0f &&
                                      c.tied_embeddings && !strcmp(c.dtype, "bfloat16") &&
                                      c.n_kv_heads == 4 && c.head_dim == 16);
    hf_config_parse("<qwen2>",
                    "{\"architectures\": [\"Qwen2ForCausalLM\"], \"model_type\": \"qwen2\","
                    " \"hidden_size\": 896, \"intermediate_size\": 4864, \"num_hidden_layers\": 24,"
                    " \"num_attention_heads\": 14, \"num_key_value_heads\": 2,"
                    " \"vocab_size\": 151936, \"tie_word_embeddings\": true,"
                    " \"rope_theta\": 1000000.0, \"rms_norm_eps\": 1e-06}",
                    &c);
    TEST_CHECK("qwen2 has qkv bias", c.qkv_bias && c.head_dim == 64 && c.tied_embeddings &&
                                         c.rope_theta == 1000000.0f && c.norm_eps == 1e-6f);
}

/* Equal bit for bit and finite: a NaN or an infinity never matches. */
static int bits_equal(float a, float b) {
    return isfinite(a) && isfinite(b) && memcmp(&a, &b, sizeof a) == 0;
}

/* Every tensor of `other` equals the F32 reference rounded by `round`. */
static void compare_rounded(const char *what, const Checkpoint *ref, const Checkpoint *other,
                            float (*round)(float)) {
    int mismatched = 0, compared = 0;
    for (int i = 0; i < ref->n_tensors; i++) {
        const TensorInfo *t = &ref->tensors[i];
        const TensorInfo *o = checkpoint_find(other, t->name);
        if (!o) {
            mismatched++;
            continue;
        }
        size_t n = t->nbytes / 4;
        float *a = xalloc_floats(n), *b = xalloc_floats(n);
        checkpoint_read_f32(ref, t->name, t->ndim, t->shape, a);
        checkpoint_read_f32(other, t->name, t->ndim, t->shape, b);
        for (size_t k = 0; k < n; k++)
            mismatched += !bits_equal(round(a[k]), b[k]);
        compared++;
        free(a);
        free(b);
    }
    TEST_CHECK(what, mismatched == 0 && compared == ref->n_tensors && compared == 75);
}

static float round_f16(float x) {
    return f16_to_f32(f32_to_f16(x));
}
static float round_bf16(float x) {
    return bf16_to_f32(f32_to_bf16(x));
}

static void test_fixtures(void) {
    char *p = path_join(g_shared, "fixtures/tiny-llama");
    Checkpoint *f32 = checkpoint_open(p);
    free(p);
    const ModelConfig *c = &f32->cfg;
    TEST_CHECK("tiny-llama config",
               c->dim == 64 && c->hidden_dim == 160 && c->n_layers == 8 && c->n_heads == 8 &&
                   c->n_kv_heads == 2 && c->head_dim == 8 && c->vocab_size == 320 &&
                   c->max_seq_len == 256 && c->norm_eps == 1e-6f && c->rope_theta == 500000.0f &&
                   c->rope_layout == ROPE_ROTATE_HALF && !c->tied_embeddings && !c->qkv_bias &&
                   c->bos_id == 1 && c->eos_id == 2 && !strcmp(c->dtype, "float32") &&
                   c->rope_scaling_factor == 0);
    TEST_CHECK("tiny-llama tensors", f32->n_tensors == 75 && f32->n_files == 1 &&
                                         f32->format == CHECKPOINT_HF_SAFETENSORS);
    const TensorInfo *k = checkpoint_find(f32, "model.layers.3.self_attn.k_proj.weight");
    TEST_CHECK("k_proj shape", k && k->dtype == DTYPE_F32 && k->ndim == 2 && k->shape[0] == 16 &&
                                   k->shape[1] == 64 && k->nbytes == 16 * 64 * 4);
    TEST_CHECK("find missing", checkpoint_find(f32, "model.layers.8.mlp.up_proj.weight") == NULL);

    p = path_join(g_shared, "fixtures/tiny-llama-fp16");
    Checkpoint *f16 = checkpoint_open(p);
    free(p);
    TEST_CHECK("fp16 dtype", f16->tensors[0].dtype == DTYPE_F16);
    compare_rounded("F16 tensors are the F32 ones rounded to f16", f32, f16, round_f16);

    p = path_join(g_shared, "fixtures/tiny-llama-bf16-sharded");
    Checkpoint *bf16 = checkpoint_open(p);
    free(p);
    TEST_CHECK("bf16 shards", bf16->n_files == 4 && bf16->tensors[0].dtype == DTYPE_BF16 &&
                                  !strcmp(bf16->cfg.dtype, "bfloat16"));
    TEST_CHECK("bf16 weights_path", strstr(bf16->weights_path, "model.safetensors.index.json"));
    compare_rounded("BF16 shards are the F32 tensors rounded to bf16", f32, bf16, round_bf16);
    checkpoint_close(f32);
    checkpoint_close(f16);
    checkpoint_close(bf16);

    p = path_join(g_shared, "fixtures/tiny-llama/model.safetensors");
    Checkpoint *direct = checkpoint_open(p);
    TEST_CHECK("open a .safetensors file", direct->n_tensors == 75 && direct->cfg.dim == 64);
    checkpoint_close(direct);
    free(p);
    p = path_join(g_shared, "fixtures/tiny-llama/reference.safetensors");
    Checkpoint *ref = checkpoint_open_tensors(p);
    TEST_CHECK("reference tensors", ref->n_tensors > 0 && ref->cfg.dim == 0);
    checkpoint_close(ref);
    free(p);
}

/* The float32 at byte offset `at` of a file. */
static float file_float(const char *path, long at) {
    FILE *f = fopen(path, "rb");
    float v = NAN;
    if (f && fseek(f, at, SEEK_SET) == 0 && fread(&v, 4, 1, f) != 1) v = NAN;
    if (f) fclose(f);
    return v;
}

static void test_stories260k(void) {
    char *p = path_join(g_shared, "models/stories260K/stories260K.bin");
    Checkpoint *ck = checkpoint_open(p);
    const ModelConfig *c = &ck->cfg;
    TEST_CHECK("stories260K config",
               c->dim == 64 && c->n_layers == 5 && c->vocab_size == 512 && c->n_heads == 8 &&
                   c->n_kv_heads == 4 && c->hidden_dim == 172 && c->head_dim == 8 &&
                   c->max_seq_len == 512 && c->rope_layout == ROPE_ADJACENT_PAIRS &&
                   c->tied_embeddings && c->bos_id == 1 && c->eos_id == 2 &&
                   c->rope_theta == 10000.0f && !strcmp(c->architecture, "llama2.c"));
    TEST_CHECK("stories260K format",
               ck->format == CHECKPOINT_LLAMA2C && ck->n_tensors == 1 + 5 * 9 + 1);
    TEST_CHECK("stories260K tied", checkpoint_find(ck, "lm_head.weight") == NULL);
    const TensorInfo *kp = checkpoint_find(ck, "model.layers.4.self_attn.k_proj.weight");
    const TensorInfo *dp = checkpoint_find(ck, "model.layers.2.mlp.down_proj.weight");
    TEST_CHECK("stories260K shapes", kp && kp->shape[0] == 32 && kp->shape[1] == 64 && dp &&
                                         dp->shape[0] == 64 && dp->shape[1] == 172);

    float emb[512 * 64];
    int64_t es[2] = {512, 64};
    checkpoint_read_f32(ck, "model.embed_tokens.weight", 2, es, emb);
    long last = 28 + 4 * (512 * 64 - 1);
    TEST_CHECK("stories260K embedding", bits_equal(emb[0], file_float(p, 28)) &&
                                            bits_equal(emb[512 * 64 - 1], file_float(p, last)));
    /* model.norm.weight sits right before the two freq_cis arrays (512 x 4 each). */
    long norm_at = 1056540 - 2 * 512 * 4 * 4 - 64 * 4;
    float norm[64];
    int64_t ns[1] = {64};
    checkpoint_read_f32(ck, "model.norm.weight", 1, ns, norm);
    TEST_CHECK("stories260K final norm", bits_equal(norm[0], file_float(p, norm_at)) &&
                                             bits_equal(norm[63], file_float(p, norm_at + 63 * 4)));
    /* The last layer's up_proj (w3) ends where the final norm starts. */
    static float up[172 * 64];
    int64_t us[2] = {172, 64};
    checkpoint_read_f32(ck, "model.layers.4.mlp.up_proj.weight", 2, us, up);
    TEST_CHECK("stories260K w3 slice", bits_equal(up[172 * 64 - 1], file_float(p, norm_at - 4)));
    checkpoint_close(ck);
    free(p);
}

static void test_writer_round_trip(void) {
    char *p = tmp_path("round_trip.safetensors");
    float a[6] = {1.5f, -2.0f, 0.0f, 3.25f, 1e-30f, -0.0f}, b[1] = {42.0f}, e[1] = {0};
    const char *names[] = {"w \"quoted\"\\", "scalar", "empty"};
    int ndims[] = {2, 0, 1};
    int64_t shapes[3][TENSOR_MAX_DIMS] = {{2, 3}, {0}, {0}};
    const float *data[] = {a, b, e};
    safetensors_write_f32(p, 3, names, ndims, (const int64_t(*)[TENSOR_MAX_DIMS])shapes, data);
    Checkpoint *ck = checkpoint_open_tensors(p);
    const TensorInfo *t = checkpoint_find(ck, names[0]);
    TEST_CHECK("round trip names", ck->n_tensors == 3 && t && checkpoint_find(ck, "scalar") &&
                                       checkpoint_find(ck, "empty"));
    TEST_CHECK("round trip shape",
               t && t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3 && t->dtype == DTYPE_F32);
    TEST_CHECK("data region aligned to 8",
               t && t->offset % 8 == 0 && ck->file_sizes[0] == t->offset + 28);
    float back[6];
    checkpoint_read_f32(ck, names[0], 2, shapes[0], back);
    TEST_CHECK("round trip data", memcmp(back, a, sizeof a) == 0);
    float s;
    checkpoint_read_f32(ck, "scalar", 0, shapes[1], &s);
    TEST_CHECK("round trip scalar", s == 42.0f);
    checkpoint_close(ck);
    char *tmp = tmp_path("round_trip.safetensors.tmp");
    TEST_CHECK("no temp file left", !file_exists(tmp));
    free(tmp);
    free(p);

    char *dir = make_tiny_model("good_tiny", NULL, NULL);
    ck = checkpoint_open(dir);
    TEST_CHECK("tiny model opens", ck->n_tensors == 21 && ck->cfg.n_kv_heads == 1 &&
                                       ck->cfg.head_dim == 4 && ck->cfg.norm_eps == 1e-5f);
    float q[64];
    int64_t qs[2] = {8, 8};
    checkpoint_read_f32(ck, "model.layers.1.self_attn.q_proj.weight", 2, qs, q);
    TEST_CHECK("tiny model data", bits_equal(q[5], sinf(0.37f * 5.0f)));
    checkpoint_close(ck);
    free(dir);
}

int main(void) {
    g_shared = test_shared_dir();
    if (!g_shared) return test_shared_missing("test_checkpoint");
    const char *tmpdir = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/painters-ckpt-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(g_tmp)) die_runtime("mkdtemp %s", g_tmp);

    test_real_configs();
    test_config_styles();
    test_fixtures();
    test_stories260k();
    test_writer_round_trip();
    test_broken_safetensors();
    test_broken_models();
    test_broken_configs();
    test_error_details();
    test_broken_shards();
    test_broken_llama2c();
    printf("%d broken inputs rejected with exit 2\n", g_broken_cases);

    nftw(g_tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return test_report("test_checkpoint");
}
