/* checkpoint_bert.c: the tensors of a BERT encoder, their canonical names and
 * the heads a checkpoint holds; see checkpoint_check.h. */
#include "formats/checkpoint_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static int starts_with(const char *s, const char *prefix) {
    return !strncmp(s, prefix, strlen(prefix));
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* One tensor's canonical name (malloc'ed), or NULL when it is already one:
 * "bert." dropped, LayerNorm .gamma/.beta as .weight/.bias. */
static char *canonical_name(const char *name) {
    const char *rest = starts_with(name, "bert.") ? name + 5 : name;
    const char *tail = NULL, *with = NULL;
    if (strstr(rest, "LayerNorm.") && ends_with(rest, ".gamma")) tail = ".gamma", with = ".weight";
    if (strstr(rest, "LayerNorm.") && ends_with(rest, ".beta")) tail = ".beta", with = ".bias";
    if (rest == name && !tail) return NULL;
    size_t keep = strlen(rest) - (tail ? strlen(tail) : 0);
    size_t cap = keep + (with ? strlen(with) : 0) + 1;
    char *out = xmalloc(cap);
    memcpy(out, rest, keep);
    snprintf(out + keep, cap - keep, "%s", with ? with : "");
    return out;
}

char *checkpoint_bert_layer_name(char *buf, size_t cap, int layer, const char *suffix) {
    snprintf(buf, cap, "encoder.layer.%d.%s", layer, suffix);
    return buf;
}

static void require2(const Checkpoint *ck, const char *name, int64_t rows, int64_t cols) {
    int64_t shape[2] = {rows, cols};
    checkpoint_require(ck, name, 2, shape);
}

static void require1(const Checkpoint *ck, const char *name, int64_t n) {
    checkpoint_require(ck, name, 1, &n);
}

/* A dense layer: NAME.weight (rows, cols) and NAME.bias (rows). */
static void require_dense(const Checkpoint *ck, const char *name, int64_t rows, int64_t cols) {
    char buf[160];
    snprintf(buf, sizeof buf, "%s.weight", name);
    require2(ck, buf, rows, cols);
    snprintf(buf, sizeof buf, "%s.bias", name);
    require1(ck, buf, rows);
}

/* A LayerNorm: NAME.weight and NAME.bias (n). */
static void require_norm(const Checkpoint *ck, const char *name, int64_t n) {
    char buf[160];
    snprintf(buf, sizeof buf, "%s.weight", name);
    require1(ck, buf, n);
    snprintf(buf, sizeof buf, "%s.bias", name);
    require1(ck, buf, n);
}

static int has(const Checkpoint *ck, const char *name) {
    return checkpoint_find(ck, name) != NULL;
}

/* A head is all there or absent: any one of its tensors implies the rest. */
static int head_present(const Checkpoint *ck, const char *const *names, int n) {
    int found = 0;
    for (int i = 0; i < n; i++)
        found += has(ck, names[i]);
    return found > 0;
}

static void reject_extra_layers(const Checkpoint *ck) {
    static const char prefix[] = "encoder.layer.";
    for (int i = 0; i < ck->n_tensors; i++) {
        const TensorInfo *t = &ck->tensors[i];
        if (strncmp(t->name, prefix, sizeof prefix - 1) != 0) continue;
        char *end;
        long layer = strtol(t->name + sizeof prefix - 1, &end, 10);
        if (end != t->name + sizeof prefix - 1 && *end == '.' && layer >= ck->cfg.n_layers)
            die_input("%s: tensor %s: layer %ld but the config has %d layers",
                      checkpoint_tensor_file(ck, t), t->name, layer, ck->cfg.n_layers);
    }
}

void checkpoint_check_bert_tensors(Checkpoint *ck) {
    for (int i = 0; i < ck->n_tensors; i++) {
        char *name = canonical_name(ck->tensors[i].name);
        if (!name) continue;
        free(ck->tensors[i].name);
        ck->tensors[i].name = name;
    }
    checkpoint_sort_tensors(ck);
    ModelConfig *c = &ck->cfg;
    int64_t D = c->dim, F = c->hidden_dim, V = c->vocab_size;
    require2(ck, "embeddings.word_embeddings.weight", V, D);
    require2(ck, "embeddings.position_embeddings.weight", c->max_seq_len, D);
    require2(ck, "embeddings.token_type_embeddings.weight", c->type_vocab_size, D);
    require_norm(ck, "embeddings.LayerNorm", D);
    for (int l = 0; l < c->n_layers; l++) {
        char name[128];
        require_dense(ck, checkpoint_bert_layer_name(name, sizeof name, l, "attention.self.query"),
                      D, D);
        require_dense(ck, checkpoint_bert_layer_name(name, sizeof name, l, "attention.self.key"), D,
                      D);
        require_dense(ck, checkpoint_bert_layer_name(name, sizeof name, l, "attention.self.value"),
                      D, D);
        require_dense(
            ck, checkpoint_bert_layer_name(name, sizeof name, l, "attention.output.dense"), D, D);
        require_norm(
            ck, checkpoint_bert_layer_name(name, sizeof name, l, "attention.output.LayerNorm"), D);
        require_dense(ck, checkpoint_bert_layer_name(name, sizeof name, l, "intermediate.dense"), F,
                      D);
        require_dense(ck, checkpoint_bert_layer_name(name, sizeof name, l, "output.dense"), D, F);
        require_norm(ck, checkpoint_bert_layer_name(name, sizeof name, l, "output.LayerNorm"), D);
    }
    reject_extra_layers(ck);

    static const char *const pooler[] = {"pooler.dense.weight", "pooler.dense.bias"};
    c->has_pooler = head_present(ck, pooler, 2);
    if (c->has_pooler) require_dense(ck, "pooler.dense", D, D);

    static const char *const mlm[] = {"cls.predictions.transform.dense.weight",
                                      "cls.predictions.transform.dense.bias",
                                      "cls.predictions.transform.LayerNorm.weight",
                                      "cls.predictions.transform.LayerNorm.bias",
                                      "cls.predictions.bias",
                                      "cls.predictions.decoder.weight"};
    c->has_mlm_head = head_present(ck, mlm, 6);
    if (c->has_mlm_head) {
        require_dense(ck, "cls.predictions.transform.dense", D, D);
        require_norm(ck, "cls.predictions.transform.LayerNorm", D);
        require1(ck, "cls.predictions.bias", V);
        if (has(ck, "cls.predictions.decoder.weight"))
            require2(ck, "cls.predictions.decoder.weight", V, D);
    }

    static const char *const cls[] = {"classifier.weight", "classifier.bias"};
    c->has_classifier = head_present(ck, cls, 2);
    if (c->has_classifier) require_dense(ck, "classifier", c->num_labels, D);
}
