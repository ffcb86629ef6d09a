/* dtype_avx2.c: see dtype_avx2.h. */
#include "formats/dtype_avx2.h"

#include <cpuid.h>

/* F16C from CPUID leaf 1 (clang's __builtin_cpu_supports does not know it). */
static int cpu_has_f16c(void) {
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}

int dtype_cpu_has_avx2(void) {
    static int known = -1;
    if (known < 0)
        known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
    return known;
}
