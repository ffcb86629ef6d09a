/* weights.h: the weights of one layer, and of the coordinator's ends of the
 * model (embedding, final norm, LM head; for BERT the embeddings and the
 * pooler, MLM and classifier heads), read from a Checkpoint.
 *
 * Matrices stay in the checkpoint's own 16-bit form (F16, BF16) or
 * quantized block form (Q8_0, Q4_0, Q4_K, Q5_K, Q6_K: quant.h) when it has
 * one, so that decoding streams fewer bytes per token; they are converted
 * on the fly (matmul.h). An embedding stored quantized is dequantized to
 * float32 at load. PAINTERS_WEIGHTS in the environment chooses:
 *   stored (default)  as stored; prefill converts blocks on the fly
 *   f32               converted to float32 once at load (twice the memory)
 *   both              16-bit for decode and a float32 copy for prefill (three times)
 * Norms and biases are always float32. Each struct owns one arena the
 * tensors are carved from. */
#ifndef PAINTERS_WEIGHTS_H
#define PAINTERS_WEIGHTS_H

#include <stddef.h>

#include "formats/checkpoint.h"

/* A (rows = out, cols = in) matrix, row-major as Hugging Face stores it. */
typedef struct {
    Dtype dtype; /* DTYPE_F32, DTYPE_F16, DTYPE_BF16 or a block format (quant.h) */
    int rows, cols;
    void *data; /* points into the owner's arena; a block format's rows of
                 * dtype_row_bytes(dtype, cols) bytes end to end */
    float *f32; /* a float32 copy of a 16-bit or block matrix (PAINTERS_WEIGHTS=both), or NULL */
} WeightMatrix;

typedef struct {
    int layer;           /* layer id in the model */
    float *attn_norm;    /* (D) */
    WeightMatrix wq;     /* (H*hd, D) */
    WeightMatrix wk;     /* (KV*hd, D) */
    WeightMatrix wv;     /* (KV*hd, D) */
    float *bq, *bk, *bv; /* (H*hd), (KV*hd), (KV*hd), or NULL without qkv bias */
    WeightMatrix wo;     /* (D, H*hd) */
    float *mlp_norm;     /* (D) */
    WeightMatrix w_gate; /* (F, D) */
    WeightMatrix w_up;   /* (F, D) */
    WeightMatrix w_down; /* (D, F) */
    /* BERT only (NULL for Llama, whose norms above stay NULL for BERT). The
     * matrices above are BERT's too: wq, wk, wv with bq, bk, bv
     * (attention.self.{query,key,value}), wo (attention.output.dense), w_up
     * (intermediate.dense) and w_down (output.dense); w_gate is unused. */
    float *bo;            /* (D) attention.output.dense.bias */
    float *ln1_w, *ln1_b; /* (D) attention.output.LayerNorm */
    float *b_up;          /* (F) intermediate.dense.bias */
    float *b_down;        /* (D) output.dense.bias */
    float *ln2_w, *ln2_b; /* (D) output.LayerNorm */
    void *arena;          /* owns every tensor above */
    size_t bytes;         /* of the arena */
} LayerWeights;

typedef struct {
    float *tok_embed;     /* (V, D); NULL when embed holds block-format rows */
    WeightMatrix embed;   /* (V, D) as held: tok_embed, or a block format's stored
                           * blocks (a row dequantized per token looked up) */
    float *final_norm;    /* (D) */
    WeightMatrix lm_head; /* (V, D); embed when tied */
    /* BERT only: tok_embed is embeddings.word_embeddings, final_norm and
     * lm_head are unused; a head the checkpoint lacks stays zero (NULL). */
    float *pos_embed;               /* (P, D) embeddings.position_embeddings */
    float *type_embed;              /* (types, D) embeddings.token_type_embeddings */
    float *embed_ln_w, *embed_ln_b; /* (D) embeddings.LayerNorm */
    WeightMatrix pooler;            /* (D, D) pooler.dense */
    float *pooler_b;                /* (D) */
    WeightMatrix mlm_dense;         /* (D, D) cls.predictions.transform.dense */
    float *mlm_dense_b;             /* (D) */
    float *mlm_ln_w, *mlm_ln_b;     /* (D) cls.predictions.transform.LayerNorm */
    WeightMatrix mlm_decoder;       /* (V, D) cls.predictions.decoder; word embeddings when tied */
    float *mlm_bias;                /* (V) cls.predictions.bias */
    WeightMatrix classifier;        /* (num_labels, D) */
    float *classifier_b;            /* (num_labels) */
    void *arena;
    size_t bytes;
} HeadWeights;

/* Reads layer `layer` (checked against the config's shapes). Caller owns the
 * result; free with layer_weights_free(). */
LayerWeights *layer_weights_load(const Checkpoint *ck, int layer);
void layer_weights_free(LayerWeights *w); /* accepts NULL */
/* Parameters of one layer, from the config alone (for memory reports). */
size_t layer_weights_count(const ModelConfig *c);

/* Reads embedding, final norm and LM head. Caller owns; head_weights_free(). */
HeadWeights *head_weights_load(const Checkpoint *ck);
void head_weights_free(HeadWeights *w); /* accepts NULL */

#endif
