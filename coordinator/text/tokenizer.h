/* tokenizer.h: a model's tokenizer, whatever its kind, chosen from the file:
 *   tokenizer.model  SentencePiece BPE (Llama-2, Mistral, the demo model; spm.h)
 *   tokenizer.json   Hugging Face tokenizers: byte-level BPE (Llama-3.x,
 *                    Qwen2.5) or WordPiece (BERT) (hf_tokenizer.h)
 *   vocab.txt        BERT's WordPiece vocabulary alone
 *   FILE.gguf        the tokenizer.ggml.* metadata of a GGUF file
 * with the special tokens of the tokenizer_config.json beside the file
 * (bos_token, eos_token, pad_token, add_bos_token, clean_up_tokenization_spaces,
 * do_lower_case). model_files.h adds what the model's own files say
 * (generation_config.json, config.json).
 *
 *   Tokenizer *t = tokenizer_load("tokenizer.json");
 *   int *ids;
 *   int n = tokenizer_encode_sequence(t, "Hello world", &ids);   // prefix token first
 *   char *text = tokenizer_decode(t, ids + 1, n - 1);            // "Hello world"
 *   free(ids), free(text), tokenizer_free(t);
 */
#ifndef PAINTERS_TOKENIZER_H
#define PAINTERS_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

typedef struct Tokenizer Tokenizer;

typedef enum {
    TOKENIZER_SENTENCEPIECE, /* tokenizer.model */
    TOKENIZER_BPE,           /* tokenizer.json with a BPE model (byte-level) */
    TOKENIZER_WORDPIECE,     /* tokenizer.json with a WordPiece model, or vocab.txt */
} TokenizerKind;

/* Loads the tokenizer file at path, its kind chosen from the file: a GGUF
 * file (magic "GGUF", even one of metadata only) gives the tokenizer of its
 * tokenizer.ggml.* metadata (model llama: SentencePiece; gpt2: byte-level
 * BPE), without a tokenizer_config.json; a name ending in .txt is a WordPiece vocab.txt
 * (do_lower_case from the tokenizer_config.json beside it, default true); a file whose first
 * non-blank byte is '{' is a tokenizer.json; anything else a SentencePiece
 * tokenizer.model. The tokenizer_config.json in the same folder, when there,
 * gives the special tokens. Every malformed file is die_input naming it.
 * Caller owns the result; free with tokenizer_free(). */
Tokenizer *tokenizer_load(const char *path);
/* A SentencePiece tokenizer from a tokenizer.model's n bytes in memory;
 * `source` names them in messages (no tokenizer_config.json is read). */
Tokenizer *tokenizer_load_bytes(const char *source, const uint8_t *data, size_t n);
void tokenizer_free(Tokenizer *t); /* accepts NULL */

TokenizerKind tokenizer_kind(const Tokenizer *t);
/* "sentencepiece", "bpe" or "wordpiece". */
const char *tokenizer_kind_name(const Tokenizer *t);
/* The file it was loaded from (the source for tokenizer_load_bytes). */
const char *tokenizer_path(const Tokenizer *t);

/* Encodes UTF-8 text. add_special: SentencePiece puts BOS first (unless
 * tokenizer_config.json says add_bos_token false); a tokenizer.json adds what
 * its post-processor adds (Llama-3: <|begin_of_text|>; Qwen2.5: nothing;
 * BERT: [CLS] ... [SEP]). Special tokens written in the text become their
 * ids. Returns the count; *ids is malloc'ed and owned by the caller. */
int tokenizer_encode(const Tokenizer *t, const char *text, int add_special, int **ids);
/* The same for n bytes of text (a tokenizer.json tokenizer reads exactly n;
 * SentencePiece stops at a NUL byte). */
int tokenizer_encode_n(const Tokenizer *t, const char *text, size_t n, int add_special, int **ids);

/* The sequence every scored or generated text starts as: the prefix token
 * (tokenizer_prefix) and then encode(text) without special tokens; no prefix
 * when the tokenizer has none. For SentencePiece with a BOS piece this is
 * encode(text, add_special = 1). Returns the count; caller owns *ids. */
int tokenizer_encode_sequence(const Tokenizer *t, const char *text, int **ids);

/* encode(a, b) with the post-processor's pair template (BERT: [CLS] A [SEP]
 * B [SEP]); *type_ids (same count) says which part each id belongs to. Only
 * for tokenizer.json and vocab.txt tokenizers: SentencePiece is die_input.
 * Both arrays owned by the caller. */
int tokenizer_encode_pair(const Tokenizer *t, const char *a, const char *b, int **ids,
                          int **type_ids);

/* Decodes ids to UTF-8 as the reference decodes them (skip_special_tokens
 * false): SentencePiece as sentencepiece's decode; tokenizer.json as its
 * decoder, followed by transformers' clean-up of spaces when
 * tokenizer_clean_up(). Invalid UTF-8 from byte tokens reads as U+FFFD. Ids
 * out of range are skipped (SentencePiece: read as <unk>). Caller owns it. */
char *tokenizer_decode(const Tokenizer *t, const int *ids, int n);

/* The text one token adds when streamed after `prev` (the previous token, -1
 * at the start). SentencePiece: exact, a byte piece gives its raw byte.
 * tokenizer.json: decode(prev, id) less decode(prev), which may split a
 * character that several byte-level tokens spell; TokenizerStream streams
 * whole characters. Caller owns it. */
char *tokenizer_decode_piece(const Tokenizer *t, int prev, int id);

/* Streaming decoder for generation: hands out the text of the tokens pushed
 * so far in whole UTF-8 characters (a character that several byte-level
 * tokens spell comes out once its last byte arrives); the concatenation of
 * what push and finish return is decode(prev, ids...) less decode(prev),
 * without clean-up.
 *
 *   TokenizerStream *s = tokenizer_stream_new(t, last_prompt_id);
 *   char *text = tokenizer_stream_push(s, id);   // "" while a character is incomplete
 *   char *rest = tokenizer_stream_finish(s);     // frees s
 */
typedef struct TokenizerStream TokenizerStream;
/* prev: the token before the first one pushed (-1 for none). The tokenizer
 * must outlive the stream. Caller ends it with tokenizer_stream_finish(). */
TokenizerStream *tokenizer_stream_new(const Tokenizer *t, int prev);
/* The new complete text after id. Caller owns it. */
char *tokenizer_stream_push(TokenizerStream *s, int id);
/* What was held back (an incomplete character, as U+FFFD); frees s. Caller
 * owns the string. */
char *tokenizer_stream_finish(TokenizerStream *s);

/* Ids are 0 .. vocab_size - 1 (a tokenizer.json's added tokens included). */
int tokenizer_vocab_size(const Tokenizer *t);
/* The token's text as the file writes it (SentencePiece with U+2581 for a
 * space; byte-level BPE in GPT-2's byte alphabet), or NULL out of range. */
const char *tokenizer_piece(const Tokenizer *t, int id);
/* The id of the token with exactly this text, or -1 when there is none. */
int tokenizer_piece_to_id(const Tokenizer *t, const char *piece);

/* Special tokens, -1 where there is none. BOS and EOS: tokenizer_config.json's
 * bos_token / eos_token when it names them (null: none), else the
 * SentencePiece model's pieces, else what the model's files say
 * (model_files.h). */
int tokenizer_bos(const Tokenizer *t);
int tokenizer_eos(const Tokenizer *t);
int tokenizer_pad(const Tokenizer *t);
/* The token lm-evaluation-harness puts before a loglikelihood sequence (its
 * prefix_token_id): BOS where there is one, else EOS (Qwen2.5); -1 when the
 * tokenizer has neither. */
int tokenizer_prefix(const Tokenizer *t);
/* The ids generation stops at (any of them): EOS and the model's
 * eos_token_id list (Llama-3: several). *n gets the count (may be 0). Owned
 * by the tokenizer. */
const int *tokenizer_eos_ids(const Tokenizer *t, int *n);
/* Whether id is one of tokenizer_eos_ids(). */
int tokenizer_is_eos(const Tokenizer *t, int id);
/* Whether decode applies transformers' clean_up_tokenization: tokenizer_config's
 * clean_up_tokenization_spaces, else true for WordPiece (BERT's default) and
 * false otherwise; never for SentencePiece. */
int tokenizer_clean_up(const Tokenizer *t);

/* For model_files.c: special tokens from the model's files where the
 * tokenizer's own files named none (bos/eos/pad >= 0 fill an unset one; an
 * id out of range is ignored by the caller's check), and one more id to stop
 * at (added once). */
void tokenizer_set_default_specials(Tokenizer *t, int bos, int eos, int pad);
void tokenizer_add_eos_id(Tokenizer *t, int id);

#endif
