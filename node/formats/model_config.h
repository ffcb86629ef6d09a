/* model_config.h: the shape and hyper-parameters of a Llama-family decoder
 * or a BERT encoder, read from a Hugging Face config.json (transformers 4 or 5
 * style) or from a llama2.c .bin header. Plain data: no ownership. */
#ifndef PAINTERS_MODEL_CONFIG_H
#define PAINTERS_MODEL_CONFIG_H

/* The most rotary frequency factors a config holds (head_dim up to 1024). */
#define MODEL_MAX_ROPE_FREQS 512

typedef enum {
    ROPE_ROTATE_HALF,   /* HF layout: pairs (i, i + head_dim/2) */
    ROPE_ADJACENT_PAIRS /* llama2.c / GGUF layout: pairs (2i, 2i+1) */
} RopeLayout;

/* The layer family: what a layer computes and which tensors a checkpoint holds. */
typedef enum {
    MODEL_DECODER_LLAMA, /* pre-RMSNorm, RoPE, causal attention, SwiGLU (the default) */
    MODEL_ENCODER_BERT   /* post-LayerNorm, absolute positions, bidirectional, GELU */
} ModelKind;

typedef struct {
    ModelKind kind;
    char architecture[64]; /* "LlamaForCausalLM", "MistralForCausalLM", "llama2.c", ... */
    int dim;               /* hidden_size D */
    int hidden_dim;        /* intermediate_size F of the SwiGLU MLP */
    int n_layers;          /* num_hidden_layers */
    int n_heads;           /* num_attention_heads H */
    int n_kv_heads;        /* num_key_value_heads KV (H % KV == 0) */
    int head_dim;          /* head_dim (default D / H) */
    int vocab_size;        /* V */
    int max_seq_len;       /* max_position_embeddings */
    float norm_eps;        /* rms_norm_eps */
    float rope_theta;      /* rope_theta or rope_parameters.rope_theta */
    RopeLayout rope_layout;
    int tied_embeddings; /* lm_head shares embed_tokens */
    int qkv_bias;        /* q/k/v projections carry a bias (attention_bias, Qwen2) */
    int bos_id, eos_id;  /* -1 when unknown */
    /* Llama-3 rope_scaling ("rope_type": "llama3"); factor 0 means none. */
    float rope_scaling_factor;
    float rope_low_freq_factor;
    float rope_high_freq_factor;
    int rope_original_max_pos;
    /* GGUF rope_freqs.weight, llama.cpp's form of the same scaling: rotary
     * frequency i is base^(-2i/head_dim) / rope_freqs[i]. n_rope_freqs is 0
     * (none) or head_dim / 2. */
    int n_rope_freqs;
    float rope_freqs[MODEL_MAX_ROPE_FREQS];
    char dtype[16]; /* stored dtype name from the config ("bfloat16", ...), for reports */
    /* Encoders (MODEL_ENCODER_BERT) only; norm_eps is layer_norm_eps there. */
    int type_vocab_size; /* token types (segment ids) */
    int pad_id;          /* pad_token_id, -1 when unknown */
    int num_labels;      /* classifier outputs (id2label or num_labels; default 2) */
    /* The heads the checkpoint holds (set by checkpoint_check_bert_tensors). */
    int has_pooler;     /* pooler.dense */
    int has_mlm_head;   /* cls.predictions.* */
    int has_classifier; /* classifier.{weight,bias} (num_labels, D) */
} ModelConfig;

#endif
