/* checkpoint_check.c: see checkpoint_check.h. */
#include "formats/checkpoint_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

char *checkpoint_layer_name(char *buf, size_t cap, int layer, const char *suffix) {
    snprintf(buf, cap, "model.layers.%d.%s", layer, suffix);
    return buf;
}

static void require2(const Checkpoint *ck, const char *name, int64_t rows, int64_t cols) {
    int64_t shape[2] = {rows, cols};
    checkpoint_require(ck, name, 2, shape);
}

static void require1(const Checkpoint *ck, const char *name, int64_t n) {
    checkpoint_require(ck, name, 1, &n);
}

static int ends_with_bias(const char *name) {
    size_t n = strlen(name);
    return n >= 5 && !strcmp(name + n - 5, ".bias");
}

static int is_qkv_bias(const char *name) {
    return strstr(name, ".self_attn.q_proj.bias") || strstr(name, ".self_attn.k_proj.bias") ||
           strstr(name, ".self_attn.v_proj.bias");
}

/* Tensors the model would silently ignore: biases it has no use for, layers
 * past the config's count. */
static void reject_unused(const Checkpoint *ck) {
    const ModelConfig *c = &ck->cfg;
    static const char prefix[] = "model.layers.";
    for (int i = 0; i < ck->n_tensors; i++) {
        const TensorInfo *t = &ck->tensors[i];
        const char *file = checkpoint_tensor_file(ck, t);
        if (!strncmp(t->name, prefix, sizeof prefix - 1)) {
            char *end;
            long layer = strtol(t->name + sizeof prefix - 1, &end, 10);
            if (end != t->name + sizeof prefix - 1 && *end == '.' && layer >= c->n_layers)
                die_input("%s: tensor %s: layer %ld but the config has %d layers", file, t->name,
                          layer, c->n_layers);
        }
        if (!ends_with_bias(t->name)) continue;
        if (!is_qkv_bias(t->name))
            die_input("%s: tensor %s: not supported (only q/k/v projections may have a bias)", file,
                      t->name);
        if (!c->qkv_bias)
            die_input("%s: tensor %s: present but the config says attention_bias false", file,
                      t->name);
    }
}

void checkpoint_check_llama_tensors(const Checkpoint *ck) {
    const ModelConfig *c = &ck->cfg;
    int64_t D = c->dim, F = c->hidden_dim, V = c->vocab_size;
    int64_t q_dim = (int64_t)c->n_heads * c->head_dim;
    int64_t kv_dim = (int64_t)c->n_kv_heads * c->head_dim;
    require2(ck, "model.embed_tokens.weight", V, D);
    for (int l = 0; l < c->n_layers; l++) {
        char name[128];
        require1(ck, checkpoint_layer_name(name, sizeof name, l, "input_layernorm.weight"), D);
        require2(ck, checkpoint_layer_name(name, sizeof name, l, "self_attn.q_proj.weight"), q_dim,
                 D);
        require2(ck, checkpoint_layer_name(name, sizeof name, l, "self_attn.k_proj.weight"), kv_dim,
                 D);
        require2(ck, checkpoint_layer_name(name, sizeof name, l, "self_attn.v_proj.weight"), kv_dim,
                 D);
        require2(ck, checkpoint_layer_name(name, sizeof name, l, "self_attn.o_proj.weight"), D,
                 q_dim);
        if (c->qkv_bias) {
            require1(ck, checkpoint_layer_name(name, sizeof name, l, "self_attn.q_proj.bias"),
                     q_dim);
            require1(ck, checkpoint_layer_name(name, sizeof name, l, "self_attn.k_proj.bias"),
                     kv_dim);
            require1(ck, checkpoint_layer_name(name, sizeof name, l, "self_attn.v_proj.bias"),
                     kv_dim);
        }
        require1(ck, checkpoint_layer_name(name, sizeof name, l, "post_attention_layernorm.weight"),
                 D);
        require2(ck, checkpoint_layer_name(name, sizeof name, l, "mlp.gate_proj.weight"), F, D);
        require2(ck, checkpoint_layer_name(name, sizeof name, l, "mlp.up_proj.weight"), F, D);
        require2(ck, checkpoint_layer_name(name, sizeof name, l, "mlp.down_proj.weight"), D, F);
    }
    require1(ck, "model.norm.weight", D);
    if (!c->tied_embeddings || checkpoint_find(ck, "lm_head.weight"))
        require2(ck, "lm_head.weight", V, D);
    reject_unused(ck);
}
