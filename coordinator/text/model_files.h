/* model_files.h: the files that come with a model: its tokenizer and the
 * special tokens its config.json and generation_config.json name.
 *
 *   Tokenizer *t = model_open_tokenizer("/models/Llama-3.2-1B", NULL, "eval");
 *   runner = runner_open(...);
 *   model_check_tokenizer(t, runner->ck->cfg.vocab_size, "/models/Llama-3.2-1B");
 */
#ifndef PAINTERS_MODEL_FILES_H
#define PAINTERS_MODEL_FILES_H

#include "text/tokenizer.h"

/* The tokenizer of the model at model_path (a checkpoint folder, or a file
 * whose folder is used): `explicit_path` when given (any kind; must exist,
 * else die_input), else in the model's folder tokenizer.model, tokenizer.json
 * or vocab.txt, in that order. Where tokenizer.model and tokenizer.json are
 * both there they are both read: tokenizer.model is kept when their
 * vocabularies have the same size, else tokenizer.json (what transformers
 * loads) with a warning naming both sizes. Then the model's
 * generation_config.json and config.json (that order) fill the BOS, EOS and
 * pad the tokenizer's own files do not name (bos_token_id, eos_token_id,
 * pad_token_id; eos_token_id may be a list), and every eos_token_id of
 * generation_config.json (else of config.json) is added to the ids
 * generation stops at. When there is no tokenizer: NULL if `needed_for` is
 * NULL, else die_input saying what it was needed for. Caller frees with
 * tokenizer_free(). */
Tokenizer *model_open_tokenizer(const char *model_path, const char *explicit_path,
                                const char *needed_for);

/* die_input naming both sizes when the tokenizer has ids the model's
 * vocabulary (vocab_size rows of the embedding) does not. A tokenizer with
 * fewer ids than the model's vocabulary (padded rows, Qwen2.5) is fine. */
void model_check_tokenizer(const Tokenizer *t, int model_vocab, const char *model_path);

#endif
