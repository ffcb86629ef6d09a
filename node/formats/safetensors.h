/* safetensors.h: the safetensors container (8-byte little-endian header
 * length, JSON header, raw data), read and written.
 *
 * The reader is bounds-checked against the file size and fuzzed: header length
 * past the end, bad JSON, unknown dtype, shapes whose byte count disagrees with
 * data_offsets, offsets out of range or overlapping all die_input() naming the
 * file and tensor. */
#ifndef PAINTERS_SAFETENSORS_H
#define PAINTERS_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "formats/tensor_set.h"

/* Parses the header of one safetensors file into tensors (appended to *tensors,
 * *n_tensors updated; the array is realloc'ed, the caller owns it and the names).
 * file_index is stored in each TensorInfo. Offsets are made absolute. */
void safetensors_read_header(const char *path, int file_index, uint64_t *file_size,
                             TensorInfo **tensors, int *n_tensors);

/* Parses a header given in memory (buf holds the whole file prefix of len
 * bytes, file_size is the real file size). Used by the reader and the fuzzer. */
void safetensors_parse_header(const char *path, const uint8_t *buf, size_t len, uint64_t file_size,
                              int file_index, TensorInfo **tensors, int *n_tensors);

/* Writes F32 tensors to a new safetensors file (written to path.tmp, fsync'ed,
 * renamed). names[i] has shapes[i][0..ndims[i]-1] and data[i]. die_runtime on
 * an I/O error. */
void safetensors_write_f32(const char *path, int n, const char *const *names, const int *ndims,
                           const int64_t (*shapes)[TENSOR_MAX_DIMS], const float *const *data);

#endif
