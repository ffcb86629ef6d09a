/* dtype.h: the element types a checkpoint stores (F32, F16, BF16), their
 * names and sizes, and the exact float32 value of one 16-bit element (rows:
 * dtype_convert.h).
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

#endif
