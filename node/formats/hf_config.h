/* hf_config.h: a Hugging Face config.json into a ModelConfig.
 *
 * Both styles are read: transformers 4 (rope_theta, rope_scaling, torch_dtype)
 * and transformers 5 (rope_parameters.rope_theta, dtype). Accepted
 * architectures: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM (and
 * model_type llama, mistral, qwen2), and the BERT encoders BertModel,
 * BertForMaskedLM, BertForSequenceClassification (model_type bert; only
 * hidden_act gelu, absolute positions, no decoder or cross-attention).
 * Missing required keys, values of the
 * wrong JSON type, out-of-range values, unsupported architectures and bad JSON
 * (with line and column) are die_input() naming the file and the key. */
#ifndef PAINTERS_HF_CONFIG_H
#define PAINTERS_HF_CONFIG_H

#include "formats/model_config.h"

/* Reads and parses the file at path into *cfg. */
void hf_config_load(const char *path, ModelConfig *cfg);

/* Parses NUL-terminated JSON text; `source` names it in messages. */
void hf_config_parse(const char *source, const char *json_text, ModelConfig *cfg);

#endif
