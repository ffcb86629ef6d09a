/* checkpoint_check.h: the tensors a Llama-family or BERT config implies,
 * checked against what a checkpoint holds, and their names. */
#ifndef PAINTERS_CHECKPOINT_CHECK_H
#define PAINTERS_CHECKPOINT_CHECK_H

#include <stddef.h>

#include "formats/tensor_set.h"

/* Checks that every tensor of a Llama-family model with ck->cfg is present
 * with its shape (D = dim, F = hidden_dim, V = vocab, hd = head_dim):
 *   model.embed_tokens.weight [V, D], model.norm.weight [D],
 *   lm_head.weight [V, D] (unless tied), and per layer L
 *   model.layers.L.input_layernorm.weight [D],
 *   model.layers.L.self_attn.{q,k,v,o}_proj.weight [H*hd, D], [KV*hd, D] x 2, [D, H*hd],
 *   model.layers.L.self_attn.{q,k,v}_proj.bias [H*hd], [KV*hd] x 2 (when qkv_bias),
 *   model.layers.L.post_attention_layernorm.weight [D],
 *   model.layers.L.mlp.{gate,up,down}_proj.weight [F, D], [F, D], [D, F].
 * Also rejects biases the model would ignore and layers past n_layers.
 * Any problem is die_input() naming the file and tensor. */
void checkpoint_check_llama_tensors(const Checkpoint *ck);

/* "model.layers.L.SUFFIX" into buf (128 bytes is always enough for the
 * suffixes above). Returns buf. */
char *checkpoint_layer_name(char *buf, size_t cap, int layer, const char *suffix);

/* Checks a BERT encoder's tensors (ck->cfg.kind == MODEL_ENCODER_BERT). First
 * renames them to canonical names: a "bert." prefix dropped, LayerNorm
 * .gamma/.beta (older checkpoints) as .weight/.bias. Then requires
 * (D = dim, F = hidden_dim, V = vocab, P = max_seq_len):
 *   embeddings.{word,position,token_type}_embeddings.weight [V, D], [P, D], [types, D],
 *   embeddings.LayerNorm.{weight,bias} [D], and per layer L, under encoder.layer.L.:
 *   attention.self.{query,key,value}.{weight,bias} [D, D], [D],
 *   attention.output.dense.{weight,bias} [D, D], [D], attention.output.LayerNorm [D],
 *   intermediate.dense [F, D], [F], output.dense [D, F], [D], output.LayerNorm [D].
 * The heads, each optional but whole when any of its tensors is there, set
 * cfg.has_pooler (pooler.dense [D, D]), cfg.has_mlm_head
 * (cls.predictions.transform.dense [D, D], cls.predictions.transform.LayerNorm
 * [D], cls.predictions.bias [V], cls.predictions.decoder.weight [V, D] or
 * absent: tied to the word embeddings) and cfg.has_classifier (classifier
 * [num_labels, D]). Layers past n_layers and wrong shapes are die_input()
 * naming the file and tensor; other tensors (cls.seq_relationship, ...) are
 * not used. */
void checkpoint_check_bert_tensors(Checkpoint *ck);

/* "encoder.layer.L.SUFFIX" into buf; returns buf. */
char *checkpoint_bert_layer_name(char *buf, size_t cap, int layer, const char *suffix);

#endif
