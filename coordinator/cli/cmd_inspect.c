/* cmd_inspect.c: `painters inspect`: what a checkpoint holds. */
#include <stdio.h>
#include <string.h>

#include "formats/checkpoint.h"
#include "formats/quant.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "program/placement.h"
#include "compute/weights.h"

/* Stored bytes of the tensors whose names start with prefix. */
static uint64_t stored_bytes(const Checkpoint *ck, const char *prefix, int *dtype_mask) {
    uint64_t total = 0;
    size_t n = strlen(prefix);
    for (int i = 0; i < ck->n_tensors; i++)
        if (!strncmp(ck->tensors[i].name, prefix, n)) {
            total += ck->tensors[i].nbytes;
            *dtype_mask |= 1 << ck->tensors[i].dtype;
        }
    return total;
}

/* The distinct stored types ("F32+Q4_K") of the tensors whose names start
 * with prefix into buf. */
static void stored_types(const Checkpoint *ck, const char *prefix, char *buf, size_t cap) {
    size_t n = strlen(prefix), len = 0;
    buf[0] = 0;
    for (int i = 0; i < ck->n_tensors; i++) {
        const TensorInfo *t = &ck->tensors[i];
        const char *name = t->stored_type[0] ? t->stored_type : dtype_name(t->dtype);
        if (strncmp(t->name, prefix, n) != 0) continue;
        int seen = 0;
        for (const char *p = strstr(buf, name); p && !seen; p = strstr(p + 1, name))
            seen = (p == buf || p[-1] == '+') && (p[strlen(name)] == 0 || p[strlen(name)] == '+');
        if (!seen && len + strlen(name) + 2 < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "+" : "", name);
    }
}

/* Elements of the tensors whose names start with prefix. */
static double stored_params(const Checkpoint *ck, const char *prefix) {
    double total = 0;
    size_t n = strlen(prefix);
    for (int i = 0; i < ck->n_tensors; i++)
        if (!strncmp(ck->tensors[i].name, prefix, n)) {
            double count = 1;
            for (int d = 0; d < ck->tensors[i].ndim; d++)
                count *= (double)ck->tensors[i].shape[d];
            total += count;
        }
    return total;
}

/* An encoder's ends, part by part: rows of the table; returns their bytes. */
static uint64_t print_encoder_ends(const Checkpoint *ck) {
    static const char *const parts[][2] = {{"embeddings", "embeddings."},
                                           {"pooler", "pooler."},
                                           {"mlm_head", "cls.predictions."},
                                           {"classifier", "classifier."}};
    uint64_t total = 0;
    for (int i = 0; i < 4; i++) {
        int mask = 0;
        uint64_t b = stored_bytes(ck, parts[i][1], &mask);
        total += b;
        if (b) printf("  %-10s %-5s %14.3f\n", parts[i][0], "", b / 1048576.0);
    }
    return total;
}

/* The encoder's parts beyond the shapes: positions, norms, heads. */
static void print_encoder_summary(const ModelConfig *c) {
    printf("positions     absolute, %d, %d token types\n", c->max_seq_len, c->type_vocab_size);
    printf("norm          post-LayerNorm, eps %g; GELU (erf)\n", c->norm_eps);
    printf("heads         pooler %s, MLM head %s%s, classifier ", c->has_pooler ? "yes" : "no",
           c->has_mlm_head ? "yes" : "no",
           c->has_mlm_head ? (c->tied_embeddings ? " (tied)" : "") : "");
    if (c->has_classifier)
        printf("yes (%d labels)\n", c->num_labels);
    else
        printf("no\n");
}

int cmd_inspect(int argc, char **argv) {
    CliOption opts[] = {
        {"--model", "PATH",
         "checkpoint: HF directory, .safetensors file, llama2.c .bin or org/name in the Hugging "
         "Face cache (default: the demo model)",
         NULL},
        {"--revision", "REV", "with --model org/name: refs/REV or a snapshot's commit", NULL},
        {"--placement", "P",
         "also show how block, round-robin or a JSON placement spreads the layers", NULL},
        {"-n", "K", "ranks for --placement (rank 0 coordinates, 1..K-1 are stations; default 2)",
         NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("inspect", "Prints a checkpoint's architecture, shapes, dtypes and memory per layer.",
              opts, n, argc, argv);
    Checkpoint *ck = checkpoint_open(cli_model(opts, n));
    const ModelConfig *c = &ck->cfg;
    printf("model         %s\n", ck->path);
    printf("format        %s, %d file(s), %d tensors\n",
           ck->format == CHECKPOINT_LLAMA2C ? "llama2.c"
           : ck->format == CHECKPOINT_GGUF  ? "gguf"
                                            : "safetensors",
           ck->n_files, ck->n_tensors);
    printf("architecture  %s\n", c->architecture);
    printf("layers        %d\n", c->n_layers);
    printf("hidden        %d, intermediate %d, vocab %d, context %d\n", c->dim, c->hidden_dim,
           c->vocab_size, c->max_seq_len);
    printf("attention     %d heads of %d, %d key/value heads%s\n", c->n_heads, c->head_dim,
           c->n_kv_heads, c->qkv_bias ? ", q/k/v bias" : "");
    int encoder = c->kind == MODEL_ENCODER_BERT;
    if (encoder) {
        print_encoder_summary(c);
    } else {
        printf("rope          theta %g, %s layout%s\n", c->rope_theta,
               c->rope_layout == ROPE_ROTATE_HALF ? "rotate-half" : "adjacent-pair",
               c->rope_scaling_factor > 0 ? ", llama3 scaling"
               : c->n_rope_freqs > 0      ? ", llama3 scaling (rope_freqs)"
                                          : "");
        printf("norm eps      %g\n", c->norm_eps);
    }
    printf("compute       %s by default (--compute)\n", cli_compute_summary(ck));
    if (!encoder) printf("embeddings    %s\n", c->tied_embeddings ? "tied" : "untied");
    int ends_mask = 0;
    uint64_t ends = encoder ? 0
                            : stored_bytes(ck, "model.embed_tokens.", &ends_mask) +
                                  stored_bytes(ck, "model.norm.", &ends_mask) +
                                  stored_bytes(ck, "lm_head.", &ends_mask);
    double layer_f32 = (double)layer_weights_count(c) * 4.0;
    printf("\n# %-5s %-14s %14s %14s\n", "layer", "dtypes", "stored_MiB", "float32_MiB");
    uint64_t total = ends;
    for (int l = 0; l < c->n_layers; l++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, encoder ? "encoder.layer.%d." : "model.layers.%d.", l);
        int mask = 0;
        uint64_t b = stored_bytes(ck, prefix, &mask);
        total += b;
        char dt[64];
        stored_types(ck, prefix, dt, sizeof dt);
        printf("  %-5d %-14s %14.3f %14.3f\n", l, dt, b / 1048576.0, layer_f32 / 1048576.0);
    }
    if (encoder) {
        total += print_encoder_ends(ck);
        printf("total stored %.3f MiB, %.3f M parameters\n", total / 1048576.0,
               ((double)layer_weights_count(c) * c->n_layers + stored_params(ck, "embeddings.") +
                stored_params(ck, "pooler.") + stored_params(ck, "cls.predictions.") +
                stored_params(ck, "classifier.")) /
                   1e6);
    } else {
        printf("  %-5s %-14s %14.3f\n", "ends", "", ends / 1048576.0);
        printf("total stored %.3f MiB, %.3f M parameters\n", total / 1048576.0,
               ((double)layer_weights_count(c) * c->n_layers +
                (double)c->vocab_size * c->dim * (c->tied_embeddings ? 1 : 2) + c->dim) /
                   1e6);
    }
    const char *spec = cli_value(opts, n, "--placement");
    if (spec || cli_value(opts, n, "-n")) {
        int K = (int)cli_int(opts, n, "-n", 2, 1, 1 << 16);
        Placement *pl = placement_make(spec, c->n_layers, K);
        printf("\n# placement %s over %d ranks (float32 weights held by each station)\n", pl->name,
               K);
        printf("# %-5s %-7s %12s %12s  %s\n", "rank", "layers", "MiB", "stored_MiB", "layer ids");
        for (int rank = K > 1 ? 1 : 0; rank < K; rank++) {
            int count = 0;
            uint64_t stored = 0;
            printf("  %-5d ", rank);
            char ids[1024] = "";
            size_t len = 0;
            for (int l = 0; l < c->n_layers; l++)
                if (placement_hosts(pl, l, rank)) {
                    char prefix[64];
                    int mask = 0;
                    snprintf(prefix, sizeof prefix,
                             encoder ? "encoder.layer.%d." : "model.layers.%d.", l);
                    stored += stored_bytes(ck, prefix, &mask);
                    count++;
                    if (len + 12 < sizeof ids)
                        len += (size_t)snprintf(ids + len, sizeof ids - len, "%s%d", len ? "," : "",
                                                l);
                }
            printf("%-7d %12.2f %12.3f  %s\n", count, count * layer_f32 / 1048576.0,
                   stored / 1048576.0, count ? ids : "-");
        }
        placement_free(pl);
    }
    checkpoint_close(ck);
    return 0;
}
