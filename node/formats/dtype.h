/* dtype.h: the element types a checkpoint stores (F32, F16, BF16, and
 * ggml's quantized block formats Q8_0, Q4_0, Q4_K, Q5_K, Q6_K: quant.h), their
 * names and sizes, and the exact float32 value of one 16-bit element (rows:
 * dtype_convert.h).
 *
 * Stored data is little-endian, as x86-64 holds it in memory. */
#ifndef PAINTERS_DTYPE_H
#define PAINTERS_DTYPE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    DTYPE_F32,
    DTYPE_F16,
    DTYPE_BF16,
    DTYPE_Q8_0, /* blocks of 32 (quant.h) */
    DTYPE_Q4_0, /* blocks of 32 */
    DTYPE_Q4_K, /* blocks of 256 */
    DTYPE_Q5_K, /* blocks of 256 */
    DTYPE_Q6_K  /* blocks of 256 */
} Dtype;

/* "F32", "F16", "BF16" (as safetensors spells them), "Q8_0", "Q4_0", "Q4_K",
 * "Q5_K", "Q6_K" (as ggml does). */
const char *dtype_name(Dtype d);
/* Bytes per element of F32, F16, BF16: 4 or 2. A block format has none
 * (quant.h: dtype_row_bytes): die_runtime. */
int dtype_size(Dtype d);
/* Whether d is one of the quantized block formats. */
int dtype_is_quant(Dtype d);

/* One F16 or BF16 value (d is not DTYPE_F32) as float32, exact. */
float dtype_half_to_f32(Dtype d, uint16_t v);

#endif
