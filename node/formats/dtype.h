/* dtype.h: the element types a checkpoint stores (F32, F16, BF16), their
 * names and sizes, and their exact conversion to float32.
 *
 * Stored data is little-endian, as x86-64 holds it in memory. */
#ifndef PAINTERS_DTYPE_H
#define PAINTERS_DTYPE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { DTYPE_F32, DTYPE_F16, DTYPE_BF16 } Dtype;

/* "F32", "F16", "BF16" (as safetensors spells them). */
const char *dtype_name(Dtype d);
/* Bytes per element: 4 or 2. */
int dtype_size(Dtype d);

/* One F16 or BF16 value (d is not DTYPE_F32) as float32, exact. */
float dtype_half_to_f32(Dtype d, uint16_t v);

/* dst[0..count-1] = the count elements of dtype d at src (any alignment),
 * as float32: F32 is copied, F16 and BF16 are converted exactly (AVX2/F16C
 * where the CPU has them; every path gives the same bits, NaN payloads
 * included). src and dst do not overlap. */
void dtype_convert_row_to_f32(Dtype d, const void *src, size_t count, float *dst);

#endif
