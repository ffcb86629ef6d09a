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
    }
    return "?";
}

int dtype_size(Dtype d) {
    return d == DTYPE_F32 ? 4 : 2;
}

float dtype_half_to_f32(Dtype d, uint16_t v) {
    return d == DTYPE_BF16 ? bf16_to_f32(v) : f16_to_f32(v);
}
