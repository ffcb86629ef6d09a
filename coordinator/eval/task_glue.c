/* task_glue.c: a GLUE task (`glue-NAME:DIR`) scored on an encoder under a
 * plan, by the paper's frozen protocol (glue_evaluate.h): each example is
 * [CLS] A [SEP] (B [SEP]) with token types 0 for [CLS] A [SEP] and 1 for
 * B [SEP], cut to the model's positions longest part first (as Hugging
 * Face's truncation="longest_first" does); its pooled output under the plan
 * is its feature vector. With no_train the checkpoint's own classifier
 * (BertForSequenceClassification) scores the pooled outputs as they are. */
#include "eval/task_glue.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "eval/glue_evaluate.h"

typedef struct {
    Runner *r;
    const Tokenizer *tok;
    int cls, sep, D;
    int classify; /* the checkpoint's classifier on the pooled outputs */
    float *out;   /* (n, D or num_labels) of the current call */
    int width;
    float *pooled; /* (D) */
    long tokens;
} GlueFeatures;

/* Drops the last token of the longer of a and b until both fit in room. */
static void truncate_longest_first(int *na, int *nb, int room) {
    while (*na + *nb > room) {
        if (*na >= *nb)
            (*na)--;
        else
            (*nb)--;
    }
}

/* Example ex as ids and token types (len owned arrays). */
static int glue_example_ids(const GlueFeatures *g, const GlueExample *ex, int max_len, int **ids,
                            int **types) {
    int *a, *b = NULL;
    int na = tokenizer_encode(g->tok, ex->text_a, 0, &a), nb = 0;
    if (ex->text_b) nb = tokenizer_encode(g->tok, ex->text_b, 0, &b);
    int specials = ex->text_b ? 3 : 2;
    if (max_len > specials) truncate_longest_first(&na, &nb, max_len - specials);
    int len = na + nb + specials;
    *ids = xmalloc((size_t)len * sizeof(int));
    *types = xcalloc((size_t)len, sizeof(int));
    int k = 0;
    (*ids)[k++] = g->cls;
    memcpy(*ids + k, a, (size_t)na * sizeof(int));
    k += na;
    (*ids)[k++] = g->sep;
    if (ex->text_b) {
        memcpy(*ids + k, b, (size_t)nb * sizeof(int));
        for (int i = k; i < len; i++)
            (*types)[i] = 1;
        k += nb;
        (*ids)[k++] = g->sep;
    }
    free(a), free(b);
    return len;
}

/* RunnerEncodeFn: sequence i's pooled output (or its classifier's logits) into row i. */
static void glue_take_pooled(void *ctx, int i, const float *hidden, int len) {
    (void)len;
    GlueFeatures *g = ctx;
    float *row = g->out + (size_t)i * g->width;
    if (g->classify) {
        runner_bert_pooled(g->r, hidden, g->pooled);
        runner_bert_classify(g->r, g->pooled, row);
    } else {
        runner_bert_pooled(g->r, hidden, row);
    }
}

/* GlueFeaturesFn: n examples through the encoder under the plan. */
static void glue_features(void *ctx, int n, const GlueExample *ex, float *out) {
    GlueFeatures *g = ctx;
    int max_len = g->r->ck->cfg.max_seq_len;
    int **ids = xmalloc((size_t)n * sizeof *ids), **types = xmalloc((size_t)n * sizeof *types);
    int *lens = xmalloc((size_t)n * sizeof *lens);
    for (int i = 0; i < n; i++) {
        lens[i] = glue_example_ids(g, &ex[i], max_len, &ids[i], &types[i]);
        g->tokens += lens[i];
    }
    g->out = out;
    runner_encode_batch(g->r, n, (const int *const *)ids, (const int *const *)types, lens,
                        glue_take_pooled, g);
    for (int i = 0; i < n; i++)
        free(ids[i]), free(types[i]);
    free(ids), free(types), free(lens);
}

void task_evaluate_glue(const Task *t, Runner *r, const Tokenizer *tok, const TaskEvalOptions *o,
                        TaskResult *res) {
    (void)o;
    if (!runner_is_encoder(r))
        die_input("task %s: GLUE needs an encoder (BERT), not a decoder", t->spec);
    GlueFeatures g = {.r = r,
                      .tok = tok,
                      .cls = tokenizer_piece_to_id(tok, "[CLS]"),
                      .sep = tokenizer_piece_to_id(tok, "[SEP]"),
                      .D = r->ck->cfg.dim,
                      .classify = t->opts.no_train};
    if (g.cls < 0 || g.sep < 0) die_input("task %s: the tokenizer has no [CLS] or [SEP]", t->spec);
    g.pooled = xalloc_floats((size_t)g.D);
    if (g.classify) {
        g.width = r->ck->cfg.num_labels;
        glue_evaluate_logits(t->glue, g.width, glue_features, &g, res);
    } else {
        g.width = g.D;
        glue_evaluate_frozen(t->glue, g.D, glue_features, &g, res);
    }
    res->tokens_run = g.tokens;
    free(g.pooled);
}
