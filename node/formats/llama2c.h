/* llama2c.h: the llama2.c .bin checkpoint (Karpathy's legacy export).
 *
 * Layout: 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
 * vocab_size, seq_len; a negative vocab_size means a separate classifier
 * follows the weights), then float32 arrays, all layers of one kind together:
 *   token_embedding (V, D), rms_att (L, D), wq (L, D, D), wk (L, KV*hs, D),
 *   wv (L, KV*hs, D), wo (L, D, D), rms_ffn (L, D), w1 (L, F, D),
 *   w2 (L, D, F), w3 (L, F, D), rms_final (D), freq_cis_real (seq_len, hs/2),
 *   freq_cis_imag (seq_len, hs/2), [wcls (V, D)]
 * with hs = D / n_heads and matrices stored out x in, as Hugging Face does.
 * Its attention uses the adjacent-pair RoPE layout. */
#ifndef PAINTERS_LLAMA2C_H
#define PAINTERS_LLAMA2C_H

#include "formats/tensor_set.h"

/* Fills ck->cfg, ck->format and one file with its tensors, registered under
 * the Hugging Face names (w1 is mlp.gate_proj, w2 mlp.down_proj, w3
 * mlp.up_proj; wcls lm_head, absent when tied). A bad header or a file that is
 * not exactly as long as the header implies is die_input() naming the file
 * and the tensor that runs past its end. */
void llama2c_open(const char *path, Checkpoint *ck);

/* The same from the file's first len bytes in memory (the header needs 28)
 * and its size: what llama2c_open() does once it has read them. Used by the
 * reader and the fuzzer. */
void llama2c_parse_header(const char *path, const uint8_t *prefix, size_t len, uint64_t file_size,
                          Checkpoint *ck);

#endif
