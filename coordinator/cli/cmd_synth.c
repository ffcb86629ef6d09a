/* cmd_synth.c: `painters synth`: a checkpoint with random weights in a real
 * model's shapes (its config.json), keeping the first L layers, so scaling
 * studies run without downloading weights. Written tensor by tensor, never
 * the whole model in memory. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "formats/checkpoint.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "formats/hf_config.h"
#include "base/json_check.h"
#include "base/util.h"

typedef struct {
    char name[96];
    int64_t shape[2];
    int ndim;
    int is_norm; /* filled with ones */
} SynthTensor;

static void synth_add(SynthTensor *t, int *n, const char *name, int64_t d0, int64_t d1, int norm) {
    SynthTensor *x = &t[(*n)++];
    snprintf(x->name, sizeof x->name, "%s", name);
    x->shape[0] = d0;
    x->shape[1] = d1;
    x->ndim = d1 ? 2 : 1;
    x->is_norm = norm;
}

/* The tensors of a Llama checkpoint for config c, in file order; returns the count. */
static int synth_tensors(const ModelConfig *c, SynthTensor *t) {
    int64_t D = c->dim, F = c->hidden_dim, V = c->vocab_size;
    int64_t qd = (int64_t)c->n_heads * c->head_dim, kvd = (int64_t)c->n_kv_heads * c->head_dim;
    int n = 0;
    synth_add(t, &n, "model.embed_tokens.weight", V, D, 0);
    for (int l = 0; l < c->n_layers; l++) {
        const struct {
            const char *suffix;
            int64_t d0, d1;
            int norm, bias;
        } parts[] = {
            {"input_layernorm.weight", D, 0, 1, 0},
            {"self_attn.q_proj.weight", qd, D, 0, 0},
            {"self_attn.k_proj.weight", kvd, D, 0, 0},
            {"self_attn.v_proj.weight", kvd, D, 0, 0},
            {"self_attn.q_proj.bias", qd, 0, 0, 1},
            {"self_attn.k_proj.bias", kvd, 0, 0, 1},
            {"self_attn.v_proj.bias", kvd, 0, 0, 1},
            {"self_attn.o_proj.weight", D, qd, 0, 0},
            {"post_attention_layernorm.weight", D, 0, 1, 0},
            {"mlp.gate_proj.weight", F, D, 0, 0},
            {"mlp.up_proj.weight", F, D, 0, 0},
            {"mlp.down_proj.weight", D, F, 0, 0},
        };
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            if (parts[i].bias && !c->qkv_bias) continue;
            char name[96];
            snprintf(name, sizeof name, "model.layers.%d.%s", l, parts[i].suffix);
            synth_add(t, &n, name, parts[i].d0, parts[i].d1, parts[i].norm);
        }
    }
    synth_add(t, &n, "model.norm.weight", D, 0, 1);
    if (!c->tied_embeddings) synth_add(t, &n, "lm_head.weight", V, D, 0);
    return n;
}

/* xorshift64*: uniform in [-a, a). */
static float synth_uniform(uint64_t *s, float a) {
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    uint64_t r = *s * 0x2545F4914F6CDD1DULL;
    return a * (2.0f * (float)(r >> 40) / (float)(1 << 24) - 1.0f);
}

static void write_all(FILE *f, const void *p, size_t n, const char *path) {
    if (fwrite(p, 1, n, f) != n) die_runtime("%s: write error: %s", path, strerror(errno));
}

int cmd_synth(int argc, char **argv) {
    CliOption opts[] = {
        {"--config", "FILE", "a model's config.json (e.g. ../shared/configs/llama2-7b.json)", NULL},
        {"--layers", "L", "keep the first L layers (default: all)", NULL},
        {"--dtype", "T", "bf16 (default), f16 or f32", NULL},
        {"--seed", "N", "random seed (default 1)", NULL},
        {"--out", "DIR", "output directory (config.json + model.safetensors)", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("synth",
              "Writes a checkpoint with random weights (std 0.02, norms 1) in a real\n"
              "model's shapes, keeping its first L layers.",
              opts, n, argc, argv);
    const char *cfg_path = cli_require(opts, n, "synth", "--config");
    const char *out = cli_require(opts, n, "synth", "--out");
    const char *dt = cli_value(opts, n, "--dtype");
    Dtype dtype = !dt || !strcmp(dt, "bf16") ? DTYPE_BF16
                  : !strcmp(dt, "f16")       ? DTYPE_F16
                  : !strcmp(dt, "f32")
                      ? DTYPE_F32
                      : (die_input("--dtype: '%s' is not bf16, f16 or f32", dt), DTYPE_F32);
    ModelConfig c;
    hf_config_load(cfg_path, &c);
    c.n_layers = (int)cli_int(opts, n, "--layers", c.n_layers, 1, c.n_layers);
    uint64_t seed = (uint64_t)cli_int(opts, n, "--seed", 1, 1, 1L << 40) * 0x9E3779B97F4A7C15ULL;

    if (mkdir(out, 0755) != 0 && errno != EEXIST)
        die_input("%s: cannot create: %s", out, strerror(errno));
    /* config.json: the original, with the layer count and dtype changed. */
    char *text = read_file_text(cfg_path, NULL);
    cJSON *cfg = json_parse_checked(cfg_path, text);
    free(text);
    cJSON_DeleteItemFromObject(cfg, "num_hidden_layers");
    cJSON_AddNumberToObject(cfg, "num_hidden_layers", c.n_layers);
    cJSON_DeleteItemFromObject(cfg, "torch_dtype");
    cJSON_DeleteItemFromObject(cfg, "dtype");
    cJSON_AddStringToObject(cfg, "torch_dtype",
                            dtype == DTYPE_BF16  ? "bfloat16"
                            : dtype == DTYPE_F16 ? "float16"
                                                 : "float32");
    char *cfg_text = cJSON_Print(cfg);
    char *cfg_out = path_join(out, "config.json");
    write_text_atomic(cfg_out, cfg_text);
    FILE *f;
    cJSON_free(cfg_text);
    cJSON_Delete(cfg);
    free(cfg_out);

    int max_tensors = 3 + 12 * c.n_layers;
    /* embedding, final norm and head, and at most 12 tensors per layer */
    SynthTensor *t = xcalloc((size_t)max_tensors, sizeof *t);
    int nt = synth_tensors(&c, t);
    size_t esz = (size_t)dtype_size(dtype);
    /* Header: every tensor's dtype, shape and byte range, padded to 8 bytes. */
    size_t hcap = 256 + (size_t)nt * 200, hlen = 0;
    char *hdr = xmalloc(hcap);
    uint64_t offset = 0;
    hlen += (size_t)snprintf(hdr + hlen, hcap - hlen, "{");
    for (int i = 0; i < nt; i++) {
        uint64_t bytes =
            (uint64_t)t[i].shape[0] * (t[i].ndim == 2 ? (uint64_t)t[i].shape[1] : 1) * esz;
        hlen += (size_t)snprintf(hdr + hlen, hcap - hlen,
                                 "%s\"%s\": {\"dtype\": \"%s\", \"shape\": [%lld", i ? ", " : "",
                                 t[i].name, dtype_name(dtype), (long long)t[i].shape[0]);
        if (t[i].ndim == 2)
            hlen += (size_t)snprintf(hdr + hlen, hcap - hlen, ", %lld", (long long)t[i].shape[1]);
        hlen += (size_t)snprintf(hdr + hlen, hcap - hlen, "], \"data_offsets\": [%llu, %llu]}",
                                 (unsigned long long)offset, (unsigned long long)(offset + bytes));
        offset += bytes;
    }
    hlen += (size_t)snprintf(hdr + hlen, hcap - hlen, "}");
    while (hlen % 8)
        hdr[hlen++] = ' ';
    char *st_out = path_join(out, "model.safetensors");
    AtomicFile af = atomic_file_open(st_out);
    const char *tmp = af.tmp;
    f = af.f;
    uint64_t hl = hlen;
    write_all(f, &hl, 8, tmp);
    write_all(f, hdr, hlen, tmp);
    size_t chunk = 1 << 20;
    uint8_t *buf = xmalloc(chunk * 4);
    double t0 = now_seconds();
    for (int i = 0; i < nt; i++) {
        size_t count = (size_t)t[i].shape[0] * (t[i].ndim == 2 ? (size_t)t[i].shape[1] : 1);
        for (size_t done = 0; done < count; done += chunk) {
            size_t m = count - done < chunk ? count - done : chunk;
            for (size_t k = 0; k < m; k++) {
                float v = t[i].is_norm ? 1.0f : synth_uniform(&seed, 0.0346f); /* std 0.02 */
                if (dtype == DTYPE_F32)
                    memcpy(buf + 4 * k, &v, 4);
                else {
                    uint16_t h = dtype == DTYPE_BF16 ? f32_to_bf16(v) : f32_to_f16(v);
                    memcpy(buf + 2 * k, &h, 2);
                }
            }
            write_all(f, buf, m * esz, tmp);
        }
    }
    atomic_file_commit(&af);
    printf("wrote %s: %d layers of %s shape, %d tensors, %.2f GiB %s, %.1f s\n", out, c.n_layers,
           cfg_path, nt, (double)offset / (1 << 30), dtype_name(dtype), now_seconds() - t0);
    free(buf), free(st_out), free(hdr), free(t);
    return 0;
}
