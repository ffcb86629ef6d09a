/* hf_load.h: how hf_load.c reads a tokenizer.json: the model part
 * (hf_load_model.c) and the normalizer, pre-tokenizer, post-processor and
 * decoder parts (hf_load_parts.c), each filling its fields of the
 * HfTokenizer or dying "FILE: JSON.PATH: reason". Not for use outside
 * text/hf_*.c. */
#ifndef PAINTERS_HF_LOAD_H
#define PAINTERS_HF_LOAD_H

#include <cjson/cJSON.h>

#include "text/hf_internal.h"
#include "text/hf_json.h"

/* The largest id (exclusive) a file of n_entries tokens may use: ids may
 * leave holes, but not so many that a small file claims a huge table. */
int hf_id_limit(int n_entries);

/* "model": BPE (vocab, merges) or WordPiece; sets t->model, t->vocab and
 * the model's fields. */
void hf_read_model(HfTokenizer *t, const char *src, const cJSON *m, const HfPath *mp);
/* Makes t a WordPiece model over t->vocab. unk_path: where to point when
 * unk is not in the vocabulary (NULL: a vocab.txt). */
void hf_set_wordpiece(HfTokenizer *t, const char *unk, const char *prefix, int max_chars,
                      const char *src, const HfPath *unk_path);

/* "normalizer" (v NULL for none), "pre_tokenizer", "post_processor" (needs
 * t->n_ids and the vocabularies to check its token ids), "decoder". */
void hf_read_normalizer(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p);
void hf_read_pre_tokenizer(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p);
void hf_read_post_processor(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p);
void hf_read_decoder(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p);

void hf_free_post(HfPost *post);

/* Appends a pre-tokenizer step / a normalizer to t. */
HfPre *hf_add_pre(HfTokenizer *t, HfPreKind kind);
HfNorm *hf_add_norm(HfTokenizer *t, HfNormKind kind);
/* Sets the post-processor to BERT's: [CLS] A [SEP] (pair: ... B:1 [SEP]:1). */
void hf_set_bert_template(HfTokenizer *t, int cls, int sep);

#endif
