/* test_checkpoint_broken.c: the broken inputs of test_checkpoint: files made
 * in the temporary folder (checkpoint_files.h), each opened in a forked child
 * that must exit with status 2 and name the file (and the detail promised) on
 * stderr. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint_files.h"
#include "formats/checkpoint.h"
#include "formats/hf_config.h"
#include "formats/safetensors.h"
#include "testhelp.h"
#include "base/util.h"

static int g_broken_cases;

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

typedef struct {
    BrokenAction action;
    const char *arg;
} BrokenCall;

static void run_broken(const void *call) {
    const BrokenCall *c = call;
    c->action(c->arg);
}

/* Runs action(arg) in a child; it must exit 2 with `must_name` on stderr. */
static void expect_input_error(const char *name, BrokenAction action, const char *arg,
                               const char *must_name) {
    char msg[8192];
    int status = test_run_child(run_broken, &(BrokenCall){action, arg}, 0, msg, sizeof msg);
    int exit2 = status == PAINTERS_EXIT_INPUT;
    int named = strstr(msg, must_name) != NULL;
    TEST_CHECK(name, exit2 && named);
    if (!(exit2 && named) || getenv("PAINTERS_TEST_VERBOSE"))
        printf("  %s: status %d, stderr: %s", name, status, msg[0] ? msg : "(empty)\n");
    g_broken_cases++;
}

static void test_broken_safetensors(void) {
    char *p;
    p = ckfile_raw_safetensors("st_short", "", 0);
    if (truncate(p, 5) != 0) die_runtime("%s: truncate", p);
    char *short_dir = ckfile_dir_of(p);
    expect_input_error("safetensors shorter than 8 bytes", act_open, short_dir, p);
    free(short_dir);
    free(p);

    p = ckfile_path("header_past_end.safetensors");
    uint8_t past_end[16] = {0xe8, 0x03, 0, 0, 0, 0, 0, 0, '{', '}'};
    ckfile_write_bytes(p, past_end, sizeof past_end);
    expect_input_error("header length past the end", act_read_header, p, p);
    free(p);

    p = ckfile_path("header_absurd.safetensors");
    uint8_t absurd[16] = {0, 0, 0, 0, 0, 1, 0, 0, '{', '}'};
    ckfile_write_bytes(p, absurd, sizeof absurd);
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
        p = ckfile_raw_safetensors(cases[i].dir, cases[i].header, cases[i].data_len);
        char *dir = ckfile_dir_of(p);
        expect_input_error(cases[i].what, act_open, dir, p);
        free(dir);
        free(p);
    }

    char *dir = ckfile_make_dir("st_truncated");
    char *from = path_join(ckfile_shared, "fixtures/tiny-llama/config.json");
    char *to = path_join(dir, "config.json");
    ckfile_copy(from, to, (size_t)-1);
    free(from);
    free(to);
    from = path_join(ckfile_shared, "fixtures/tiny-llama/model.safetensors");
    to = path_join(dir, "model.safetensors");
    ckfile_copy(from, to, 700000);
    expect_input_error("truncated safetensors", act_open, dir, to);
    free(from);
    free(to);
    free(dir);
}

static void test_broken_models(void) {
    char *dir, *p;
    dir = ckfile_tiny_model("missing_tensor", "model.layers.1.mlp.up_proj.weight", NULL);
    p = path_join(dir, "model.safetensors");
    expect_input_error("missing tensor", act_open, dir, p);
    free(p);
    free(dir);

    dir = ckfile_make_dir("shape_vs_config");
    char cfg[1024];
    ckfile_tiny_config(cfg, sizeof cfg, "LlamaForCausalLM", 10, 1);
    p = path_join(dir, "config.json");
    ckfile_write_text(p, cfg);
    free(p);
    ckfile_write_tiny_weights(dir, 12, NULL, NULL);
    p = path_join(dir, "model.safetensors");
    expect_input_error("shape disagrees with config.json", act_open, dir, p);
    free(p);
    free(dir);

    dir = ckfile_tiny_model("unused_bias", NULL, "model.layers.0.self_attn.o_proj.bias");
    p = path_join(dir, "model.safetensors");
    expect_input_error("bias the model cannot use", act_open, dir, p);
    free(p);
    free(dir);

    dir = ckfile_tiny_model("extra_layer", NULL, "model.layers.2.input_layernorm.weight");
    p = path_join(dir, "model.safetensors");
    expect_input_error("layer past n_layers", act_open, dir, p);
    free(p);
    free(dir);

    dir = ckfile_tiny_model("read_wrong_shape", NULL, NULL);
    p = path_join(dir, "model.safetensors");
    expect_input_error("read with a shape other than stored", act_read_wrong_shape, dir, p);
    expect_input_error("read of a missing tensor", act_read_missing, dir, p);
    expect_input_error("file truncated after open", act_truncate_after_open, dir, p);
    free(p);
    free(dir);

    dir = ckfile_tiny_model("no_config", NULL, NULL);
    p = path_join(dir, "config.json");
    remove(p);
    expect_input_error("missing config.json", act_open, dir, p);
    free(p);
    free(dir);

    dir = ckfile_tiny_model("no_weights", NULL, NULL);
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
         "{\"architectures\": [\"BertForQuestionAnswering\"], \"hidden_size\": 8,"
         " \"intermediate_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
         " \"vocab_size\": 16}",
         "config unsupported architecture"},
        {"cfg_bert_relative",
         "{\"architectures\": [\"BertModel\"], \"hidden_size\": 8, \"intermediate_size\": 8,"
         " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"vocab_size\": 16,"
         " \"position_embedding_type\": \"relative_key\"}",
         "config BERT relative positions"},
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
        char *dir = ckfile_tiny_model(cases[i].name, NULL, NULL);
        char *p = path_join(dir, "config.json");
        ckfile_write_text(p, cases[i].text);
        expect_input_error(cases[i].what, act_open, dir, p);
        free(p);
        free(dir);
    }
}

/* Messages carry the detail they promise, not only the file name. */
static void test_error_details(void) {
    char *dir = ckfile_tiny_model("detail_json", NULL, NULL);
    char *p = path_join(dir, "config.json");
    ckfile_write_text(p, "{\n  \"hidden_size\": 8,\n  \"vocab_size\": }\n");
    expect_input_error("bad JSON names line and column", act_load_config, p, "line 3, column");
    ckfile_write_text(p, "{\"architectures\": [\"GPT2LMHeadModel\"]}");
    expect_input_error("architecture named", act_load_config, p,
                       "unsupported architecture GPT2LMHeadModel");
    ckfile_write_text(p, "{\"model_type\": \"bert\", \"hidden_size\": 8, "
                         "\"position_embedding_type\": \"relative_key\"}");
    expect_input_error("BERT position embedding named", act_load_config, p,
                       "position_embedding_type \"relative_key\" not supported");
    free(p);
    p = ckfile_raw_safetensors("detail_dtype",
                               "{\"model.norm.weight\": {\"dtype\": \"I8\", \"shape\": [8],"
                               " \"data_offsets\": [0, 8]}}",
                               8);
    expect_input_error("dtype named", act_read_header, p,
                       "tensor model.norm.weight: dtype I8 not supported");
    free(p);
    free(dir);
    dir = ckfile_tiny_model("detail_shape", NULL, NULL);
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
        char *dir = ckfile_make_dir(variants[v]);
        for (int i = 0; i < 6; i++) {
            char rel[256];
            snprintf(rel, sizeof rel, "fixtures/tiny-llama-bf16-sharded/%s", files[i]);
            char *from = path_join(ckfile_shared, rel), *to = path_join(dir, files[i]);
            ckfile_copy(from, to, (size_t)-1);
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
            ckfile_copy(first, shard, (size_t)-1);
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
    char *from = path_join(ckfile_shared, "models/stories260K/stories260K.bin");
    p = ckfile_path("truncated.bin");
    ckfile_copy(from, p, 500000);
    expect_input_error("truncated llama2.c file", act_open, p, p);
    expect_input_error("truncated llama2.c names the tensor", act_open, p,
                       "model.layers.2.mlp.gate_proj.weight runs past the end");
    free(p);
    p = ckfile_path("trailing.bin");
    ckfile_copy(from, p, (size_t)-1);
    FILE *f = fopen(p, "ab");
    fputs("junk", f);
    fclose(f);
    expect_input_error("llama2.c file with trailing bytes", act_open, p, p);
    free(p);
    free(from);
    p = ckfile_path("absurd.bin");
    int32_t absurd[7] = {1 << 30, 172, 5, 8, 4, 512, 512};
    ckfile_write_bytes(p, absurd, sizeof absurd);
    expect_input_error("llama2.c absurd header", act_open, p, p);
    free(p);
    p = ckfile_path("negative.bin");
    int32_t negative[7] = {64, 172, -5, 8, 4, 512, 512};
    ckfile_write_bytes(p, negative, sizeof negative);
    expect_input_error("llama2.c negative layer count", act_open, p, p);
    free(p);
    p = ckfile_path("kv.bin");
    int32_t kv[7] = {64, 172, 5, 8, 3, 512, 512};
    ckfile_write_bytes(p, kv, sizeof kv);
    expect_input_error("llama2.c n_heads % n_kv_heads", act_open, p, p);
    free(p);
    p = ckfile_path("short.bin");
    ckfile_write_bytes(p, absurd, 10);
    expect_input_error("llama2.c shorter than its header", act_open, p, p);
    free(p);
}

int test_checkpoint_broken(void) {
    test_broken_safetensors();
    test_broken_models();
    test_broken_configs();
    test_error_details();
    test_broken_shards();
    test_broken_llama2c();
    return g_broken_cases;
}
