/* checkpoint.h: read-only access to a model's weights on disk.
 *
 * Formats: a Hugging Face directory (config.json + model.safetensors, or shards
 * listed in model.safetensors.index.json; F32, F16, BF16), a llama2.c .bin
 * file and a llama.cpp GGUF file (gguf.h). checkpoint_open() reads only the
 * config and the tensor headers; the weights are read later, tensor by
 * tensor, from exactly their byte ranges (memory-mapped), so a station reads
 * only the layers it hosts.
 *
 * Tensors are named as in Hugging Face Llama checkpoints whatever the format
 * ("model.embed_tokens.weight", "model.layers.3.self_attn.q_proj.weight",
 * "model.norm.weight", "lm_head.weight"); the llama2.c and GGUF readers give
 * their tensors those names.
 *
 * Every bad input (missing file, truncated file, header past the end,
 * overlapping or out-of-range offsets, unsupported dtype or architecture,
 * a shape that disagrees with the config, a missing tensor) ends the program
 * through die_input() with a one-line message naming the file and tensor.
 *
 * The layers below, each using only those under it: dtype.h (element types,
 * conversion to float32), tensor_set.h (the Checkpoint type, its tensor table,
 * reading a tensor), safetensors.h and llama2c.h (the readers, which fill the
 * table) and checkpoint_check.h (the tensors a config implies). This header
 * includes tensor_set.h and checkpoint_check.h, so its users see them all.
 */
#ifndef PAINTERS_CHECKPOINT_H
#define PAINTERS_CHECKPOINT_H

#include "formats/checkpoint_check.h"
#include "formats/tensor_set.h"

/* Opens a model: a directory with config.json, a .safetensors file with a
 * config.json beside it, a GGUF file (a path ending in .gguf, or a file
 * starting with "GGUF"), or a llama2.c .bin file (a path ending in .bin, or
 * any file that does not start like a safetensors file). Reads config and
 * headers only, then checks with checkpoint_check_llama_tensors() that every
 * tensor the config implies is there with its shape. Caller owns the result;
 * free with checkpoint_close(). */
Checkpoint *checkpoint_open(const char *path);

/* Opens one safetensors file as a plain set of tensors: no config (cfg is
 * zeroed), no model checks; for reference files such as
 * reference.safetensors. Caller owns the result; free with checkpoint_close(). */
Checkpoint *checkpoint_open_tensors(const char *path);

#endif
