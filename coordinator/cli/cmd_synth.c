/* cmd_synth.c: `painters synth`: a checkpoint with random weights in a real
 * model's shapes (its config.json), keeping the first L layers, so scaling
 * studies run without downloading weights. Written tensor by tensor, never
 * the whole model in memory. --format gguf writes one llama.cpp file
 * instead (gguf_write.h), F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K or Q6_K
 * (one type for every 2-D weight). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "formats/gguf.h"
#include "formats/gguf_write.h"
#include "formats/quant.h"
#include "formats/checkpoint.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "formats/hf_config.h"
#include "base/json_check.h"
#include "base/util.h"

typedef struct {
    char name[96];      /* Hugging Face name */
    char gguf_name[96]; /* llama.cpp's name */
    int64_t shape[2];   /* row-major: (rows, row length) or (n) */
    int ndim;
    int is_norm; /* filled with ones */
} SynthTensor;

static void synth_add(SynthTensor *t, int *n, const char *name, const char *gguf_name, int64_t d0,
                      int64_t d1, int norm) {
    SynthTensor *x = &t[(*n)++];
    snprintf(x->name, sizeof x->name, "%s", name);
    snprintf(x->gguf_name, sizeof x->gguf_name, "%s", gguf_name);
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
    synth_add(t, &n, "model.embed_tokens.weight", "token_embd.weight", V, D, 0);
    for (int l = 0; l < c->n_layers; l++) {
        const struct {
            const char *suffix, *gguf_suffix;
            int64_t d0, d1;
            int norm, bias;
        } parts[] = {
            {"input_layernorm.weight", "attn_norm.weight", D, 0, 1, 0},
            {"self_attn.q_proj.weight", "attn_q.weight", qd, D, 0, 0},
            {"self_attn.k_proj.weight", "attn_k.weight", kvd, D, 0, 0},
            {"self_attn.v_proj.weight", "attn_v.weight", kvd, D, 0, 0},
            {"self_attn.q_proj.bias", "attn_q.bias", qd, 0, 0, 1},
            {"self_attn.k_proj.bias", "attn_k.bias", kvd, 0, 0, 1},
            {"self_attn.v_proj.bias", "attn_v.bias", kvd, 0, 0, 1},
            {"self_attn.o_proj.weight", "attn_output.weight", D, qd, 0, 0},
            {"post_attention_layernorm.weight", "ffn_norm.weight", D, 0, 1, 0},
            {"mlp.gate_proj.weight", "ffn_gate.weight", F, D, 0, 0},
            {"mlp.up_proj.weight", "ffn_up.weight", F, D, 0, 0},
            {"mlp.down_proj.weight", "ffn_down.weight", D, F, 0, 0},
        };
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            if (parts[i].bias && !c->qkv_bias) continue;
            char name[96], gguf_name[96];
            snprintf(name, sizeof name, "model.layers.%d.%s", l, parts[i].suffix);
            snprintf(gguf_name, sizeof gguf_name, "blk.%d.%s", l, parts[i].gguf_suffix);
            synth_add(t, &n, name, gguf_name, parts[i].d0, parts[i].d1, parts[i].norm);
        }
    }
    synth_add(t, &n, "model.norm.weight", "output_norm.weight", D, 0, 1);
    if (!c->tied_embeddings) synth_add(t, &n, "lm_head.weight", "output.weight", V, D, 0);
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

/* One synthetic value: the same stream, in the same order, for every format. */
static float synth_value(const SynthTensor *t, uint64_t *seed) {
    return t->is_norm ? 1.0f : synth_uniform(seed, 0.0346f); /* std 0.02 */
}

/* n float32 values as a row of dtype d at out (dtype_row_bytes(d, n) bytes). */
static void synth_encode_row(Dtype d, const float *x, int n, uint8_t *out) {
    switch (d) {
    case DTYPE_F32:
        memcpy(out, x, (size_t)n * sizeof *x);
        return;
    case DTYPE_F16:
    case DTYPE_BF16:
        for (int k = 0; k < n; k++) {
            uint16_t h = d == DTYPE_BF16 ? f32_to_bf16(x[k]) : f32_to_f16(x[k]);
            memcpy(out + 2 * k, &h, 2);
        }
        return;
    case DTYPE_Q8_0:
        quantize_row_q8_0(x, out, n);
        return;
    case DTYPE_Q4_0:
        quantize_row_q4_0(x, out, n);
        return;
    case DTYPE_Q4_K:
        quantize_row_q4_K(x, out, n);
        return;
    case DTYPE_Q5_K:
        quantize_row_q5_K(x, out, n);
        return;
    case DTYPE_Q6_K:
        quantize_row_q6_K(x, out, n);
        return;
    default:
        die_runtime("synth: no encoder for %s", dtype_name(d));
    }
}

/* general.file_type: llama-quantize's ftype of the whole file; for one
 * K type throughout, its _S ftype (Q4_K_S 14, Q5_K_S 16, Q6_K 18), the
 * nearest of llama-quantize's mixes. */
static uint32_t synth_file_type(Dtype d) {
    return d == DTYPE_F32    ? 0
           : d == DTYPE_F16  ? 1
           : d == DTYPE_BF16 ? 32
           : d == DTYPE_Q8_0 ? 7
           : d == DTYPE_Q4_K ? 14
           : d == DTYPE_Q5_K ? 16
           : d == DTYPE_Q6_K ? 18
                             : 2; /* Q4_0 */
}

/* The metadata gguf_read_config() reads, for architecture arch. */
static void synth_gguf_metadata(GgufWriter *w, const ModelConfig *c, const char *arch,
                                const char *cfg_path, Dtype dtype) {
    char key[128], name[256];
    snprintf(name, sizeof name, "painters synth: %d layers of %s", c->n_layers, cfg_path);
    gguf_writer_kv_string(w, "general.architecture", arch);
    gguf_writer_kv_string(w, "general.name", name);
    gguf_writer_kv_u32(w, "general.file_type", synth_file_type(dtype));
    const struct {
        const char *suffix;
        int v;
    } ints[] = {
        {"block_count", c->n_layers},          {"context_length", c->max_seq_len},
        {"embedding_length", c->dim},          {"feed_forward_length", c->hidden_dim},
        {"attention.head_count", c->n_heads},  {"attention.head_count_kv", c->n_kv_heads},
        {"attention.key_length", c->head_dim}, {"attention.value_length", c->head_dim},
        {"rope.dimension_count", c->head_dim}, {"vocab_size", c->vocab_size},
    };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        snprintf(key, sizeof key, "%s.%s", arch, ints[i].suffix);
        gguf_writer_kv_u32(w, key, (uint32_t)ints[i].v);
    }
    snprintf(key, sizeof key, "%s.rope.freq_base", arch);
    gguf_writer_kv_f32(w, key, c->rope_theta);
    snprintf(key, sizeof key, "%s.attention.layer_norm_rms_epsilon", arch);
    gguf_writer_kv_f32(w, key, c->norm_eps);
    if (c->bos_id >= 0) gguf_writer_kv_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)c->bos_id);
    if (c->eos_id >= 0) gguf_writer_kv_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)c->eos_id);
}

/* rows (hd, n) of one head in HF order -> the llama converter's order:
 * out row 2i + j = in row j * hd/2 + i (i < hd/2, j in {0, 1}). */
static void synth_permute_head(const float *in, float *out, int hd, int n) {
    for (int i = 0; i < hd / 2; i++)
        for (int j = 0; j < 2; j++)
            memcpy(out + (size_t)(2 * i + j) * n, in + (size_t)(j * hd / 2 + i) * n,
                   (size_t)n * sizeof *in);
}

/* Llama-3 rope_scaling as llama.cpp's converter stores it: head_dim/2
 * factors (out) that divide the frequencies base^(-2i/head_dim), computed in
 * float32 as the converter's torch code does: 1 where the wavelength is
 * below original_max_pos / high_freq_factor, factor above
 * original_max_pos / low_freq_factor, and the inverse of the smooth blend
 * between. */
static void synth_rope_freqs(const ModelConfig *c, float *out) {
    const float two_pi = (float)(2.0 * 3.14159265358979323846);
    float old_ctx = (float)c->rope_original_max_pos;
    float low = c->rope_low_freq_factor, high = c->rope_high_freq_factor;
    float factor = c->rope_scaling_factor;
    float low_wavelen = old_ctx / low, high_wavelen = old_ctx / high;
    for (int i = 0; i < c->head_dim / 2; i++) {
        float freq = 1.0f / powf(c->rope_theta, (float)(2 * i) / (float)c->head_dim);
        float wavelen = two_pi / freq;
        if (wavelen < high_wavelen) {
            out[i] = 1.0f;
        } else if (wavelen > low_wavelen) {
            out[i] = factor;
        } else {
            float smooth = (old_ctx / wavelen - low) / (high - low);
            out[i] = 1.0f / ((1.0f - smooth) / factor + smooth);
        }
    }
}

/* Writes the tensors t[0..nt-1] as a GGUF file: 2-D weights in dtype, 1-D
 * (norms, biases) F32, values drawn from seed in the order of the
 * safetensors path, so that an F32 GGUF holds the same numbers. For llama,
 * attn_q/attn_k rows are permuted per head as llama.cpp's converter does.
 * Llama-3 rope_scaling becomes rope_freqs.weight (F32, first, as the
 * converter writes it) and no rope-scaling keys. */
static uint64_t synth_gguf(const ModelConfig *c, const char *cfg_path, const SynthTensor *t, int nt,
                           Dtype dtype, uint64_t seed, const char *out) {
    const char *arch = c->qkv_bias ? "qwen2" : "llama";
    int permute_qk = !c->qkv_bias;
    int rope_freqs = c->rope_scaling_factor > 0; /* tensor 0 of the file when set */
    if (rope_freqs && c->qkv_bias)
        die_input("%s: rope_scaling (llama3) with attention_bias: llama.cpp's qwen2 files have no "
                  "rope_freqs tensor",
                  cfg_path);
    if (rope_freqs && c->head_dim / 2 > MODEL_MAX_ROPE_FREQS)
        die_input("%s: head_dim %d: more than %d rope frequency factors", cfg_path, c->head_dim,
                  MODEL_MAX_ROPE_FREQS);
    GgufWriter *w = gguf_writer_new(out);
    synth_gguf_metadata(w, c, arch, cfg_path, dtype);
    if (rope_freqs)
        gguf_writer_add_tensor(w, GGUF_ROPE_FREQS_NAME, 1, (int64_t[]){c->head_dim / 2}, DTYPE_F32);
    int64_t max_row = 0;
    for (int i = 0; i < nt; i++) {
        Dtype d = t[i].ndim == 2 ? dtype : DTYPE_F32;
        int64_t ne[2] = {t[i].ndim == 2 ? t[i].shape[1] : t[i].shape[0], t[i].shape[0]};
        if (t[i].ndim == 2 && ne[0] % dtype_block_values(d))
            die_input("%s: tensor %s: rows of %lld values are not whole %s blocks of %d", cfg_path,
                      t[i].gguf_name, (long long)ne[0], dtype_name(d), dtype_block_values(d));
        gguf_writer_add_tensor(w, t[i].gguf_name, t[i].ndim, ne, d);
        if (ne[0] > max_row) max_row = ne[0];
    }
    gguf_writer_begin_data(w);
    if (rope_freqs) {
        float factors[MODEL_MAX_ROPE_FREQS];
        synth_rope_freqs(c, factors);
        gguf_writer_data(w, factors, (size_t)(c->head_dim / 2) * sizeof *factors);
    }
    int hd = c->head_dim;
    size_t group_cap = (size_t)hd * (size_t)max_row;
    float *vals = xalloc_floats(group_cap); /* (hd, n): a head's rows, or one row */
    float *perm = xalloc_floats(group_cap); /* the same rows permuted */
    uint8_t *enc = xmalloc(dtype_row_bytes(DTYPE_F32, max_row));
    uint64_t total = 0;
    for (int i = 0; i < nt; i++) {
        total += gguf_writer_tensor_bytes(w, rope_freqs + i);
        if (t[i].ndim == 1) {
            for (int64_t k = 0; k < t[i].shape[0]; k++)
                vals[k] = synth_value(&t[i], &seed);
            gguf_writer_data(w, vals, (size_t)t[i].shape[0] * sizeof *vals);
            continue;
        }
        Dtype d = dtype;
        int64_t rows = t[i].shape[0], n = t[i].shape[1];
        int qk = permute_qk &&
                 (strstr(t[i].gguf_name, ".attn_q.") || strstr(t[i].gguf_name, ".attn_k."));
        int64_t group = qk ? hd : 1;
        size_t row_bytes = dtype_row_bytes(d, n);
        for (int64_t r = 0; r < rows; r += group) {
            for (size_t k = 0; k < (size_t)(group * n); k++)
                vals[k] = synth_value(&t[i], &seed);
            const float *src = vals;
            if (qk) {
                synth_permute_head(vals, perm, hd, (int)n);
                src = perm;
            }
            for (int64_t g = 0; g < group; g++) {
                synth_encode_row(d, src + (size_t)g * n, (int)n, enc);
                gguf_writer_data(w, enc, row_bytes);
            }
        }
    }
    gguf_writer_finish(w);
    free(vals), free(perm), free(enc);
    return total;
}

/* --dtype's name -> dtype; gguf says whether the block formats are allowed. */
static Dtype synth_dtype(const char *dt, int gguf) {
    if (!dt || !strcmp(dt, "bf16")) return DTYPE_BF16;
    if (!strcmp(dt, "f16")) return DTYPE_F16;
    if (!strcmp(dt, "f32")) return DTYPE_F32;
    if (gguf && !strcmp(dt, "q8_0")) return DTYPE_Q8_0;
    if (gguf && !strcmp(dt, "q4_0")) return DTYPE_Q4_0;
    if (gguf && !strcmp(dt, "q4_k")) return DTYPE_Q4_K;
    if (gguf && !strcmp(dt, "q5_k")) return DTYPE_Q5_K;
    if (gguf && !strcmp(dt, "q6_k")) return DTYPE_Q6_K;
    if (gguf) die_input("--dtype: '%s' is not f32, f16, bf16, q8_0, q4_0, q4_k, q5_k or q6_k", dt);
    die_input("--dtype: '%s' is not bf16, f16 or f32 (q8_0, q4_0, q4_k, q5_k and q6_k need "
              "--format gguf)",
              dt);
}

int cmd_synth(int argc, char **argv) {
    CliOption opts[] = {
        {"--config", "FILE", "a model's config.json (e.g. ../shared/configs/llama2-7b.json)", NULL},
        {"--layers", "L", "keep the first L layers (default: all)", NULL},
        {"--format", "F", "safetensors (default: a folder) or gguf (one file)", NULL},
        {"--dtype", "T",
         "bf16 (default), f16 or f32; with gguf also q8_0, q4_0, q4_k, q5_k or q6_k, one type "
         "for every 2-D weight (no Q4_K_M-style mix; norms and biases stay f32; K types need "
         "rows of a multiple of 256 values)",
         NULL},
        {"--seed", "N", "random seed (default 1)", NULL},
        {"--out", "PATH",
         "output directory (config.json + model.safetensors), or the .gguf file with --format "
         "gguf",
         NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("synth",
              "Writes a checkpoint with random weights (std 0.02, norms 1) in a real\n"
              "model's shapes, keeping its first L layers.",
              opts, n, argc, argv);
    const char *cfg_path = cli_require(opts, n, "synth", "--config");
    const char *out = cli_require(opts, n, "synth", "--out");
    const char *fmt = cli_value(opts, n, "--format");
    if (fmt && strcmp(fmt, "safetensors") != 0 && strcmp(fmt, "gguf") != 0)
        die_input("--format: '%s' is not safetensors or gguf", fmt);
    int gguf = fmt && !strcmp(fmt, "gguf");
    Dtype dtype = synth_dtype(cli_value(opts, n, "--dtype"), gguf);
    ModelConfig c;
    hf_config_load(cfg_path, &c);
    c.n_layers = (int)cli_int(opts, n, "--layers", c.n_layers, 1, c.n_layers);
    uint64_t seed = (uint64_t)cli_int(opts, n, "--seed", 1, 1, 1L << 40) * 0x9E3779B97F4A7C15ULL;
    if (gguf) {
        SynthTensor *gt = xcalloc((size_t)(3 + 12 * c.n_layers), sizeof *gt);
        int gn = synth_tensors(&c, gt);
        double g0 = now_seconds();
        uint64_t bytes = synth_gguf(&c, cfg_path, gt, gn, dtype, seed, out);
        printf("wrote %s: %d layers of %s shape, %d tensors, %.2f GiB of %s weights, %.1f s\n", out,
               c.n_layers, cfg_path, gn, (double)bytes / (1 << 30), dtype_name(dtype),
               now_seconds() - g0);
        free(gt);
        return 0;
    }

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
                float v = synth_value(&t[i], &seed);
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
