/* bert_ends.h: the coordinator's ends of a BERT encoder: the embeddings
 * (tokens and token types -> canvas) and the heads on the last hidden state
 * (pooler, masked-LM head, sequence classifier), as Hugging Face's BertModel,
 * BertForMaskedLM and BertForSequenceClassification compute them. */
#ifndef PAINTERS_BERT_ENDS_H
#define PAINTERS_BERT_ENDS_H

#include "compute/weights.h"
#include "formats/model_config.h"

/* x (T, D) = LN(word[t] + pos[p] + type[ty]) of one sequence at positions
 * 0..T-1; types NULL: all 0. A token outside [0, V), a type outside
 * [0, type_vocab_size) or T > max_seq_len is die_input. */
void bert_embed(const ModelConfig *c, const HeadWeights *w, const int *tokens, const int *types,
                int T, float *x);

/* pooled (D) = tanh(Wp hidden[0] + bp) (the [CLS] row), or hidden[0] itself
 * without a pooler. */
void bert_pooled(const ModelConfig *c, const HeadWeights *w, const float *hidden, float *pooled);

/* logits (T, V) = decoder LN(GELU(Wt hidden + bt)) + bias for hidden (T, D);
 * work holds (T, D) floats. Needs c->has_mlm_head. */
void bert_mlm_logits(const ModelConfig *c, const HeadWeights *w, const float *hidden, int T,
                     float *work, float *logits);

/* logits (num_labels) = Wc pooled + bc. Needs c->has_classifier. */
void bert_classify(const ModelConfig *c, const HeadWeights *w, const float *pooled, float *logits);

#endif
