/* test_checkpoint.c: safetensors, config.json and llama2.c readers.
 *
 * Good inputs: the shared fixtures (F32, F16, BF16 in shards), the real
 * config.json files, stories260K.bin and writer round trips. Bad inputs
 * (test_checkpoint_broken.c): broken files made in a temporary directory,
 * each opened in a forked child that must exit with status 2 and name the
 * file on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint_files.h"
#include "formats/checkpoint.h"
#include "formats/hf_config.h"
#include "formats/safetensors.h"
#include "testhelp.h"
#include "base/util.h"

static void check_config(const char *file, const ModelConfig *c, int dim, int layers, int ffn,
                         int kv, float theta) {
    TEST_CHECK(file, c->dim == dim && c->n_layers == layers && c->hidden_dim == ffn &&
                         c->n_kv_heads == kv && c->rope_theta == theta);
}

static void test_real_configs(void) {
    ModelConfig c;
    char *p = path_join(ckfile_shared, "configs/llama2-7b.json");
    hf_config_load(p, &c);
    check_config("llama2-7b", &c, 4096, 32, 11008, 32, 10000.0f);
    TEST_CHECK("llama2-7b details",
               c.n_heads == 32 && c.head_dim == 128 && c.vocab_size == 32000 &&
                   c.max_seq_len == 4096 && c.norm_eps == 1e-5f && c.bos_id == 1 && c.eos_id == 2 &&
                   !c.tied_embeddings && !c.qkv_bias && c.rope_scaling_factor == 0 &&
                   !strcmp(c.dtype, "float16") && !strcmp(c.architecture, "LlamaForCausalLM"));
    free(p);
    p = path_join(ckfile_shared, "configs/llama2-13b.json");
    hf_config_load(p, &c);
    check_config("llama2-13b", &c, 5120, 40, 13824, 40, 10000.0f);
    free(p);
    p = path_join(ckfile_shared, "configs/llama3-8b.json");
    hf_config_load(p, &c);
    check_config("llama3-8b", &c, 4096, 32, 14336, 8, 500000.0f);
    TEST_CHECK("llama3-8b details", c.vocab_size == 128256 && c.bos_id == 128000 &&
                                        c.eos_id == 128001 && !strcmp(c.dtype, "bfloat16"));
    free(p);
    p = path_join(ckfile_shared, "configs/mistral-7b.json");
    hf_config_load(p, &c);
    check_config("mistral-7b", &c, 4096, 32, 14336, 8, 10000.0f);
    TEST_CHECK("mistral architecture",
               !strcmp(c.architecture, "MistralForCausalLM") && c.max_seq_len == 32768);
    free(p);
    p = path_join(ckfile_shared, "configs/tinyllama-1.1b.json");
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
    char *p = path_join(ckfile_shared, "fixtures/tiny-llama");
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

    p = path_join(ckfile_shared, "fixtures/tiny-llama-fp16");
    Checkpoint *f16 = checkpoint_open(p);
    free(p);
    TEST_CHECK("fp16 dtype", f16->tensors[0].dtype == DTYPE_F16);
    compare_rounded("F16 tensors are the F32 ones rounded to f16", f32, f16, round_f16);

    p = path_join(ckfile_shared, "fixtures/tiny-llama-bf16-sharded");
    Checkpoint *bf16 = checkpoint_open(p);
    free(p);
    TEST_CHECK("bf16 shards", bf16->n_files == 4 && bf16->tensors[0].dtype == DTYPE_BF16 &&
                                  !strcmp(bf16->cfg.dtype, "bfloat16"));
    TEST_CHECK("bf16 weights_path", strstr(bf16->weights_path, "model.safetensors.index.json"));
    compare_rounded("BF16 shards are the F32 tensors rounded to bf16", f32, bf16, round_bf16);
    checkpoint_close(f32);
    checkpoint_close(f16);
    checkpoint_close(bf16);

    p = path_join(ckfile_shared, "fixtures/tiny-llama/model.safetensors");
    Checkpoint *direct = checkpoint_open(p);
    TEST_CHECK("open a .safetensors file", direct->n_tensors == 75 && direct->cfg.dim == 64);
    checkpoint_close(direct);
    free(p);
    p = path_join(ckfile_shared, "fixtures/tiny-llama/reference.safetensors");
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
    char *p = path_join(ckfile_shared, "models/stories260K/stories260K.bin");
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
    char *p = ckfile_path("round_trip.safetensors");
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
    char *tmp = ckfile_path("round_trip.safetensors.tmp");
    TEST_CHECK("no temp file left", !file_exists(tmp));
    free(tmp);
    free(p);

    char *dir = ckfile_tiny_model("good_tiny", NULL, NULL);
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
    const char *shared = test_shared_dir();
    if (!shared) return test_shared_missing("test_checkpoint");
    ckfile_init(shared);

    test_real_configs();
    test_config_styles();
    test_fixtures();
    test_stories260k();
    test_writer_round_trip();
    int broken = test_checkpoint_broken();
    printf("%d broken inputs rejected with exit 2\n", broken);

    ckfile_cleanup();
    return test_report("test_checkpoint");
}
