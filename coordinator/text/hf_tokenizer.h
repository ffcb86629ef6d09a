/* hf_tokenizer.h: the Hugging Face `tokenizers` library's tokenizer.json, as
 * today's checkpoints ship it, reproduced exactly:
 *   - model BPE with byte-level pre-tokenization (Llama-3.x, Qwen2/2.5):
 *     Split (a regex, PCRE2) + ByteLevel, merges by rank, ignore_merges,
 *     normalizer none or NFC, decoder ByteLevel;
 *   - model WordPiece (BERT): BertNormalizer, BertPreTokenizer, greedy
 *     longest-match-first with "##" continuations, decoder WordPiece;
 *     also from a bare vocab.txt with BERT's defaults;
 *   - added tokens matched on the raw text first (special, lstrip, rstrip,
 *     single_word, normalized), post-processor templates for "add special
 *     tokens" (TemplateProcessing, ByteLevel, BertProcessing, Sequence).
 *
 *   HfTokenizer *t = hf_tokenizer_load("tokenizer.json");
 *   int *ids;
 *   int n = hf_tokenizer_encode(t, "Hello world", 11, 1, &ids);   // 128000, 9906, 1917
 *   char *text = hf_tokenizer_decode(t, ids, n, 0);
 *   free(ids), free(text), hf_tokenizer_free(t);
 *
 * Every malformed file is die_input naming the file, the JSON path
 * ("model.merges[17]") and the reason. */
#ifndef PAINTERS_HF_TOKENIZER_H
#define PAINTERS_HF_TOKENIZER_H

#include <stddef.h>

typedef struct HfTokenizer HfTokenizer;

/* Reads tokenizer.json. Caller owns the result; free with hf_tokenizer_free(). */
HfTokenizer *hf_tokenizer_load(const char *path);
/* The same from the file's n bytes in memory; `source` names them in
 * messages. Used by hf_tokenizer_load() and the fuzzer. */
HfTokenizer *hf_tokenizer_load_bytes(const char *source, const char *json, size_t n);
/* A WordPiece tokenizer from a bare vocab.txt (one token per line, id = line
 * number) with BertTokenizer's defaults ([UNK], [CLS], [SEP], "##", 100
 * characters a word) and do_lower_case (also stripping accents when set). */
HfTokenizer *hf_tokenizer_load_vocab_txt(const char *path, int do_lower_case);
void hf_tokenizer_free(HfTokenizer *t); /* accepts NULL */

/* encode(text, add_special_tokens = add_special) of n bytes of UTF-8 text
 * (invalid UTF-8 is die_input naming the byte offset). Returns the count;
 * *ids is malloc'ed and owned by the caller. */
int hf_tokenizer_encode(const HfTokenizer *t, const char *text, size_t n, int add_special,
                        int **ids);
/* encode(a, b) of a pair with the post-processor's pair template (BERT:
 * [CLS] A [SEP] B [SEP]); *type_ids has the same count. Both owned by the
 * caller. */
int hf_tokenizer_encode_pair(const HfTokenizer *t, const char *a, const char *b, int **ids,
                             int **type_ids);
/* decode(ids, skip_special_tokens = false); with clean_up, transformers'
 * clean_up_tokenization (" ." -> ".", " n't" -> "n't", ...). Ids out of range
 * are skipped. Caller owns the string. */
char *hf_tokenizer_decode(const HfTokenizer *t, const int *ids, int n, int clean_up);

/* Ids are 0 .. vocab_size - 1, added tokens included. */
int hf_tokenizer_vocab_size(const HfTokenizer *t);
/* The token's string as the file writes it (byte-level BPE: in GPT-2's
 * byte-to-unicode alphabet), or NULL out of range. Owned by the tokenizer. */
const char *hf_tokenizer_token(const HfTokenizer *t, int id);
/* The id of the token (vocabulary or added) with exactly this string, or -1. */
int hf_tokenizer_token_to_id(const HfTokenizer *t, const char *token);
/* Whether id is an added token marked special. */
int hf_tokenizer_is_special(const HfTokenizer *t, int id);
/* The token the post-processor puts first in a single sequence (Llama-3:
 * <|begin_of_text|>, BERT: [CLS]), or -1 when it adds none (Qwen2.5). */
int hf_tokenizer_first_special(const HfTokenizer *t);

#endif
