/* dtype_convert.h: rows of stored elements (F32, F16, BF16) to float32, for
 * the checkpoint reader (tensor_set.c) and the blocked 16-bit matmul. */
#ifndef PAINTERS_DTYPE_CONVERT_H
#define PAINTERS_DTYPE_CONVERT_H

#include <stddef.h>

#include "formats/dtype.h"

/* dst[0..count-1] = the count elements of dtype d at src (any alignment),
 * as float32: F32 is copied, F16 and BF16 are converted exactly (AVX2/F16C
 * where the CPU has them; every path gives the same bits, NaN payloads
 * included). src and dst do not overlap. */
void dtype_convert_row_to_f32(Dtype d, const void *src, size_t count, float *dst);

#endif
