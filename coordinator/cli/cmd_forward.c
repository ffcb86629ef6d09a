/* cmd_forward.c: `painters forward`: logits of a token sequence under a plan
 * (for a BERT encoder: its last hidden state and heads). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "run/runner.h"
#include "formats/safetensors.h"
#include "base/util.h"

static void print_argmax(const float *logits, int T, int V) {
    printf("argmax:");
    for (int t = 0; t < T; t++) {
        const float *row = logits + (size_t)t * V;
        int best = 0;
        for (int v = 1; v < V; v++)
            if (row[v] > row[best]) best = v;
        printf("%s%d", t ? "," : " ", best);
    }
    printf("\n");
}

/* The encoder's one sequence, copied out of runner_encode_batch. */
typedef struct {
    float *hidden; /* (T, D) */
    size_t floats;
} ForwardHidden;

static void keep_hidden(void *ctx, int i, const float *hidden, int len) {
    (void)i, (void)len;
    ForwardHidden *h = ctx;
    memcpy(h->hidden, hidden, h->floats * sizeof(float));
}

/* The tensors --out writes. */
typedef struct {
    int n;
    const char *names[4];
    int ndims[4];
    int64_t shapes[4][TENSOR_MAX_DIMS];
    const float *data[4];
} ForwardTensors;

/* Adds tensor name of shape (d0) (d1 0) or (d0, d1). */
static void forward_add(ForwardTensors *ft, const char *name, const float *data, int64_t d0,
                        int64_t d1) {
    int k = ft->n++;
    ft->names[k] = name;
    ft->ndims[k] = d1 ? 2 : 1;
    ft->shapes[k][0] = d0;
    ft->shapes[k][1] = d1;
    ft->data[k] = data;
}

/* A BERT encoder: last_hidden_state [T, D], and logits [T, V], pooled [D]
 * and classifier_logits [num_labels] for the heads the checkpoint has. */
static void forward_encoder(Runner *r, const int *tokens, const int *types, int T,
                            const char *out) {
    const ModelConfig *c = &r->ck->cfg;
    int D = c->dim, V = c->vocab_size;
    ForwardHidden h = {.hidden = xalloc_floats((size_t)T * D), .floats = (size_t)T * D};
    float *logits = c->has_mlm_head ? xalloc_floats((size_t)T * V) : NULL;
    float *pooled = xalloc_floats((size_t)D);
    float *cls = c->has_classifier ? xalloc_floats((size_t)c->num_labels) : NULL;
    const int *seqs[1] = {tokens}, *type_ids[1] = {types};
    double t0 = now_seconds();
    runner_encode_batch(r, 1, seqs, type_ids, &T, keep_hidden, &h);
    double dt = now_seconds() - t0;
    if (logits) runner_bert_mlm_logits(r, h.hidden, T, logits);
    runner_bert_pooled(r, h.hidden, pooled);
    if (cls) runner_bert_classify(r, pooled, cls);
    printf("plan %s: %d steps, %d tokens, %.1f ms (%.1f tokens/s), encoder\n", r->program->name,
           r->program->n_steps, T, dt * 1e3, T / dt);
    if (logits) print_argmax(logits, T, V);
    if (cls) {
        printf("classifier_logits:");
        for (int i = 0; i < c->num_labels; i++)
            printf(" %.6g", cls[i]);
        printf("\n");
    }
    if (out) {
        ForwardTensors ft = {0};
        forward_add(&ft, "last_hidden_state", h.hidden, T, D);
        if (logits) forward_add(&ft, "logits", logits, T, V);
        if (c->has_pooler) forward_add(&ft, "pooled", pooled, D, 0);
        if (cls) forward_add(&ft, "classifier_logits", cls, c->num_labels, 0);
        safetensors_write_f32(out, ft.n, ft.names, ft.ndims,
                              (const int64_t(*)[TENSOR_MAX_DIMS])ft.shapes, ft.data);
        printf("wrote %s:", out);
        for (int i = 0; i < ft.n; i++) {
            printf(" %s [%lld", ft.names[i], (long long)ft.shapes[i][0]);
            if (ft.ndims[i] == 2) printf(", %lld", (long long)ft.shapes[i][1]);
            printf("]");
        }
        printf("\n");
    }
    free(h.hidden), free(logits), free(pooled), free(cls);
}

int cmd_forward(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"--tokens", "IDS", "comma-separated token ids, e.g. 1,5,9", NULL},
        {"--type-ids", "IDS",
         "encoders: comma-separated token-type (segment) ids, one per token (default all 0)", NULL},
        {"--out", "FILE",
         "write logits [T, V] as an F32 safetensors tensor 'logits' (an encoder: "
         "last_hidden_state [T, D], and logits, pooled, classifier_logits for its heads)",
         NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("forward",
              "Runs the model under a plan over one token sequence and prints the\n"
              "argmax at each position; --out saves all logits.",
              opts, n, argc, argv);
    int *tokens, *types = NULL;
    int T = cli_parse_ids(cli_require(opts, n, "forward", "--tokens"), "--tokens", &tokens);
    const char *type_text = cli_value(opts, n, "--type-ids");
    if (type_text && cli_parse_ids(type_text, "--type-ids", &types) != T)
        die_input("--type-ids: %s: expected %d ids, one per token of --tokens", type_text, T);
    RunnerOptions ro = cli_runner_options(opts, n);
    Runner *r = runner_open(&ro);
    if (runner_is_encoder(r)) {
        forward_encoder(r, tokens, types, T, cli_value(opts, n, "--out"));
        free(tokens), free(types);
        runner_close(r);
        return 0;
    }
    if (types)
        die_input("--type-ids: %s is a decoder (%s), which has no token types", ro.model,
                  r->ck->cfg.architecture);
    int V = r->ck->cfg.vocab_size;
    float *logits = xalloc_floats((size_t)T * V);
    double t0 = now_seconds();
    runner_feed(r, tokens, T, logits, RUNNER_ALL_LOGITS);
    double dt = now_seconds() - t0;

    printf("plan %s: %d steps, %d tokens, %.1f ms (%.1f tokens/s)\n", r->program->name,
           r->program->n_steps, T, dt * 1e3, T / dt);
    print_argmax(logits, T, V);
    const char *out = cli_value(opts, n, "--out");
    if (out) {
        const char *names[] = {"logits"};
        int ndims[] = {2};
        int64_t shapes[1][TENSOR_MAX_DIMS] = {{T, V}};
        const float *data[] = {logits};
        safetensors_write_f32(out, 1, names, ndims, (const int64_t(*)[TENSOR_MAX_DIMS])shapes,
                              data);
        printf("wrote %s: logits [%d, %d]\n", out, T, V);
    }
    free(logits);
    free(tokens);
    runner_close(r);
    return 0;
}
