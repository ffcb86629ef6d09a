/* test_gguf.c: the GGUF reader on llama.cpp's files (fixtures/gguf): the
 * F32, F16 and BF16 files' metadata, config and tensor table (names, shapes,
 * dtypes, aligned offsets, the bytes read back); the quantized files open
 * with their types recorded and are refused when a tensor is read; then the
 * malformed files of test_gguf_broken.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "formats/checkpoint.h"
#include "formats/gguf.h"
#include "testhelp.h"

int test_gguf_broken(const char *dir);

static char g_dir[4096];

static Checkpoint *open_fixture(const char *file) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", g_dir, file);
    return checkpoint_open(path);
}

static void test_names(void) {
    char buf[128];
    TEST_CHECK("token_embd", !strcmp(gguf_hf_name("token_embd.weight", buf, sizeof buf),
                                     "model.embed_tokens.weight"));
    TEST_CHECK("output", !strcmp(gguf_hf_name("output.weight", buf, sizeof buf), "lm_head.weight"));
    TEST_CHECK("blk.12.ffn_down", !strcmp(gguf_hf_name("blk.12.ffn_down.weight", buf, sizeof buf),
                                          "model.layers.12.mlp.down_proj.weight"));
    TEST_CHECK("blk.3.attn_k.bias", !strcmp(gguf_hf_name("blk.3.attn_k.bias", buf, sizeof buf),
                                            "model.layers.3.self_attn.k_proj.bias"));
    TEST_CHECK("attn_norm", !strcmp(gguf_hf_name("blk.0.attn_norm.weight", buf, sizeof buf),
                                    "model.layers.0.input_layernorm.weight"));
    TEST_CHECK("ffn_norm", !strcmp(gguf_hf_name("blk.0.ffn_norm.weight", buf, sizeof buf),
                                   "model.layers.0.post_attention_layernorm.weight"));
    TEST_CHECK("unknown name", gguf_hf_name("blk.0.attn_qkv.weight", buf, sizeof buf) == NULL);
    TEST_CHECK("leading zero", gguf_hf_name("blk.01.attn_q.weight", buf, sizeof buf) == NULL);
    TEST_CHECK("no layer", gguf_hf_name("blk..attn_q.weight", buf, sizeof buf) == NULL);
    Dtype d;
    TEST_CHECK("type 0 is F32", gguf_tensor_dtype(0, &d) && d == DTYPE_F32);
    TEST_CHECK("type 1 is F16", gguf_tensor_dtype(1, &d) && d == DTYPE_F16);
    TEST_CHECK("type 30 is BF16", gguf_tensor_dtype(30, &d) && d == DTYPE_BF16);
    TEST_CHECK("type 8 is Q8_0", gguf_tensor_dtype(8, &d) && d == DTYPE_Q8_0);
    TEST_CHECK("type 12 is Q4_K", gguf_tensor_dtype(12, &d) && d == DTYPE_Q4_K);
    TEST_CHECK("Q4_1 not computed", !gguf_tensor_dtype(3, &d));
    uint32_t be, bb;
    TEST_CHECK("Q4_K block", gguf_tensor_type_block(12, &be, &bb) && be == 256 && bb == 144);
    TEST_CHECK("Q6_K block", gguf_tensor_type_block(14, &be, &bb) && be == 256 && bb == 210);
    TEST_CHECK("Q8_0 block", gguf_tensor_type_block(8, &be, &bb) && be == 32 && bb == 34);
}

static void test_tiny_llama(const char *file, Dtype matrices) {
    Checkpoint *ck = open_fixture(file);
    const ModelConfig *c = &ck->cfg;
    char what[160];
    snprintf(what, sizeof what, "%s: config", file);
    TEST_CHECK(what, ck->format == CHECKPOINT_GGUF && c->n_layers == 8 && c->dim == 64 &&
                         c->hidden_dim == 160 && c->n_heads == 8 && c->n_kv_heads == 2 &&
                         c->head_dim == 8 && c->vocab_size == 320 && c->max_seq_len == 256);
    snprintf(what, sizeof what, "%s: rope, eps, tied, ids", file);
    TEST_CHECK(what, c->rope_theta == 500000.0f && c->norm_eps == 9.99999997e-07f &&
                         c->rope_layout == ROPE_ADJACENT_PAIRS && !c->tied_embeddings &&
                         !c->qkv_bias && c->bos_id == 1 && c->eos_id == 2);
    const Gguf *g = checkpoint_gguf(ck);
    snprintf(what, sizeof what, "%s: metadata", file);
    TEST_CHECK(what, g && g->version == 3 && g->alignment == 32 && g->data_offset % 32 == 0);
    TEST_CHECK(what, !strcmp(gguf_get_string(g, "general.architecture"), "llama"));
    TEST_CHECK(what, !strcmp(gguf_get_string(g, "tokenizer.ggml.model"), "llama"));
    const GgufValue *tokens = gguf_get_array(g, "tokenizer.ggml.tokens", GGUF_TYPE_STRING);
    TEST_CHECK(what, tokens && tokens->arr.n == 320 && !strcmp(tokens->arr.items[1].str.s, "<s>") &&
                         !strcmp(tokens->arr.items[3].str.s, "<0x00>"));
    const GgufValue *scores = gguf_get_array(g, "tokenizer.ggml.scores", GGUF_TYPE_F32);
    TEST_CHECK(what, scores && scores->arr.n == 320);
    const GgufValue *types = gguf_get_array(g, "tokenizer.ggml.token_type", GGUF_TYPE_I32);
    TEST_CHECK(what, types && types->arr.n == 320 && types->arr.items[1].i == 3 &&
                         types->arr.items[3].i == 6);
    uint32_t v = 0;
    TEST_CHECK(what, gguf_get_u32(g, "llama.block_count", &v) && v == 8);
    TEST_CHECK(what, !gguf_get_u32(g, "no.such.key", &v) && !gguf_find(g, "no.such.key"));

    snprintf(what, sizeof what, "%s: tensor table", file);
    TEST_CHECK(what, ck->n_tensors == 75);
    const TensorInfo *k = checkpoint_find(ck, "model.layers.0.self_attn.k_proj.weight");
    TEST_CHECK(what, k && k->ndim == 2 && k->shape[0] == 16 && k->shape[1] == 64 &&
                         k->dtype == matrices && !k->unreadable &&
                         k->nbytes == 16 * 64 * (uint64_t)dtype_size(matrices));
    const TensorInfo *n = checkpoint_find(ck, "model.norm.weight");
    TEST_CHECK(what, n && n->ndim == 1 && n->shape[0] == 64 && n->dtype == DTYPE_F32);
    TEST_CHECK(what, checkpoint_find(ck, "lm_head.weight") != NULL);
    int aligned = 1;
    for (int i = 0; i < ck->n_tensors; i++)
        aligned &= (ck->tensors[i].offset - g->data_offset) % 32 == 0;
    TEST_CHECK(what, aligned);
    /* Reading: the norm weights are 1 + small noise or such; finite and read whole. */
    float *w = xalloc_floats(16 * 64);
    int64_t shape[2] = {16, 64};
    checkpoint_read_f32(ck, "model.layers.0.self_attn.k_proj.weight", 2, shape, w);
    snprintf(what, sizeof what, "%s: k_proj read back", file);
    int nonzero = 0;
    for (int i = 0; i < 16 * 64; i++)
        nonzero += w[i] != 0;
    TEST_CHECK(what, test_all_finite(w, 16 * 64) && nonzero > 900);
    free(w);
    checkpoint_close(ck);
}

/* The F16 file holds the F32 file's weights rounded: within 2^-11 relative. */
static void test_same_weights(void) {
    Checkpoint *a = open_fixture("tiny-llama-f32.gguf"), *b = open_fixture("tiny-llama-f16.gguf");
    int64_t shape[2] = {160, 64};
    float *x = xalloc_floats(160 * 64), *y = xalloc_floats(160 * 64);
    checkpoint_read_f32(a, "model.layers.5.mlp.up_proj.weight", 2, shape, x);
    checkpoint_read_f32(b, "model.layers.5.mlp.up_proj.weight", 2, shape, y);
    double worst = 0;
    for (int i = 0; i < 160 * 64; i++)
        worst = test_max_error(worst, fabs((double)x[i] - y[i]) - 0x1p-11 * fabs((double)x[i]));
    TEST_CHECK("F16 file = F32 file rounded", worst <= 0x1p-24);
    free(x), free(y);
    checkpoint_close(a), checkpoint_close(b);
}

/* A quantized file: its types recorded as painters dtypes, its matrices read
 * (dequantized) as finite float32 values, the norms float32 as stored. */
static void test_quantized(const char *file, Dtype q_type, Dtype embed_type, int layers, int tied) {
    Checkpoint *ck = open_fixture(file);
    char what[160];
    snprintf(what, sizeof what, "%s: opens, types recorded", file);
    const TensorInfo *q = checkpoint_find(ck, "model.layers.0.self_attn.q_proj.weight");
    const TensorInfo *e = checkpoint_find(ck, "model.embed_tokens.weight");
    const TensorInfo *n = checkpoint_find(ck, "model.layers.0.input_layernorm.weight");
    TEST_CHECK(what, ck->cfg.n_layers == layers && ck->cfg.tied_embeddings == tied);
    TEST_CHECK(what, q && !q->unreadable && q->dtype == q_type &&
                         !strcmp(q->stored_type, dtype_name(q_type)));
    TEST_CHECK(what, e && !e->unreadable && e->dtype == embed_type);
    TEST_CHECK(what, n && !n->unreadable && n->dtype == DTYPE_F32);
    snprintf(what, sizeof what, "%s: q_proj dequantized, finite, not all zero", file);
    size_t count = (size_t)(q->shape[0] * q->shape[1]);
    float *w = xalloc_floats(count); /* owned here */
    checkpoint_read_f32(ck, q->name, 2, q->shape, w);
    int finite = 1, nonzero = 0;
    for (size_t i = 0; i < count; i++)
        finite &= isfinite(w[i]) != 0, nonzero |= w[i] != 0.0f;
    TEST_CHECK(what, finite && nonzero);
    free(w);
    checkpoint_close(ck);
}

int main(void) {
    test_names();
    const char *shared = test_shared_dir();
    if (!shared) {
        test_report("test_gguf (names only)");
        return test_shared_missing("test_gguf");
    }
    snprintf(g_dir, sizeof g_dir, "%s/fixtures/gguf", shared);
    test_tiny_llama("tiny-llama-f32.gguf", DTYPE_F32);
    test_tiny_llama("tiny-llama-f16.gguf", DTYPE_F16);
    test_tiny_llama("tiny-llama-bf16.gguf", DTYPE_BF16);
    test_same_weights();
    test_quantized("tiny-llama-q8_0.gguf", DTYPE_Q8_0, DTYPE_Q8_0, 8, 0);
    test_quantized("tiny-llama-q4_0.gguf", DTYPE_Q4_0, DTYPE_Q4_0, 8, 0);
    test_quantized("tiny-llama-d256-q4_k.gguf", DTYPE_Q4_K, DTYPE_Q6_K, 4, 1);
    test_quantized("tiny-llama-d256-q5_k.gguf", DTYPE_Q5_K, DTYPE_Q6_K, 4, 1);
    test_quantized("tiny-llama-d256-q6_k.gguf", DTYPE_Q6_K, DTYPE_Q6_K, 4, 1);
    int broken = test_gguf_broken(g_dir);
    printf("%d malformed GGUF files rejected with exit 2\n", broken);
    TEST_CHECK("at least 30 malformed files", broken >= 30);
    return test_report("test_gguf");
}
