/* tokenizer_internal.h: what the files behind tokenizer.h share: the
 * Tokenizer (one of the SentencePiece or Hugging Face tokenizers plus its
 * special tokens), filled by tokenizer.c and tokenizer_config.c. Not for use
 * outside coordinator/text. */
#ifndef PAINTERS_TOKENIZER_INTERNAL_H
#define PAINTERS_TOKENIZER_INTERNAL_H

#include "text/hf_tokenizer.h"
#include "text/spm.h"
#include "text/tokenizer.h"

/* A special token as the tokenizer's files give it. */
typedef struct {
    int id;    /* -1: none */
    int given; /* named (or null) by tokenizer_config.json: the model's files do not override */
} TokenizerSpecial;

struct Tokenizer {
    TokenizerKind kind;
    SpmModel *spm;   /* kind TOKENIZER_SENTENCEPIECE: owned */
    HfTokenizer *hf; /* the other kinds: owned */
    char *path;      /* owned */
    TokenizerSpecial bos, eos, pad;
    int add_bos;  /* SentencePiece: encode with add_special puts BOS first */
    int clean_up; /* tokenizer.json: decode applies transformers' clean-up */
    int *eos_ids; /* (n_eos) owned: generation stops at any */
    int n_eos;
};

/* Where a tokenizer's files say something about it. */
typedef struct {
    char *path;            /* owned: the tokenizer_config.json read, NULL when none */
    int do_lower_case;     /* -1: not given */
    int clean_up;          /* -1: not given */
    int add_bos;           /* -1: not given */
    char *bos, *eos, *pad; /* owned token texts; NULL: not given or null */
    int bos_given, eos_given, pad_given;
} TokenizerConfig;

/* Reads the tokenizer_config.json in the folder of tokenizer_path into c
 * (all "not given" when there is none). Malformed files are die_input naming
 * the file and key. Free with tokenizer_config_free(). */
void tokenizer_config_read(const char *tokenizer_path, TokenizerConfig *c);
void tokenizer_config_free(TokenizerConfig *c);
/* Applies c's special tokens and switches to t; a token text that is not a
 * token of t is die_input naming the config file. */
void tokenizer_config_apply(Tokenizer *t, const TokenizerConfig *c);

/* decode(ids) with clean_up as given (streams decode without it). */
char *tokenizer_decode_with(const Tokenizer *t, const int *ids, int n, int clean_up);

/* tokenizer_gguf.c: the tokenizer of a GGUF file's tokenizer.ggml.*
 * metadata (model llama: SentencePiece; gpt2: byte-level BPE with the
 * pre-tokenizer tokenizer.ggml.pre names), built with the same encoders as a
 * tokenizer.model / tokenizer.json. Malformed metadata is die_input naming
 * the file and key. Caller owns; free with tokenizer_free(). */
Tokenizer *tokenizer_load_gguf(const char *path);

#endif
