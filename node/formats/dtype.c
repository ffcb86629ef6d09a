/* dtype.c: see dtype.h. */
#include "formats/dtype.h"

#include "base/util.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoint data is little-endian; dtype.c and dtype_convert.c read it as it lies in memory"
#endif

const char *dtype_name(Dtype d) {
    switch (d) {
    case DTYPE_F32:
        return "F32";
    case DTYPE_F16:
        return "F16";
    case DTYPE_BF16:
        return "BF16";
    case DTYPE_Q8_0:
        return "Q8_0";
    case DTYPE_Q4_0:
        return "Q4_0";
    case DTYPE_Q4_K:
        return "Q4_K";
    case DTYPE_Q5_K:
        return "Q5_K";
    case DTYPE_Q6_K:
        return "Q6_K";
    }
    return "?";
}

int dtype_is_quant(Dtype d) {
    return d != DTYPE_F32 && d != DTYPE_F16 && d != DTYPE_BF16;
}

int dtype_size(Dtype d) {
    if (dtype_is_quant(d))
        die_runtime("dtype_size: %s is a block format with no size per element", dtype_name(d));
    return d == DTYPE_F32 ? 4 : 2;
}

float dtype_half_to_f32(Dtype d, uint16_t v) {
    return d == DTYPE_BF16 ? bf16_to_f32(v) : f16_to_f32(v);
}
