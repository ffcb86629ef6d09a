/* cpu_choice.c: see cpu_choice.h. */
#include "compute/cpu_choice.h"

#include <string.h>

int cpu_choice_index(CpuChoice *c) {
    if (c->chosen < 0) {
        __builtin_cpu_init();
        int k = 0;
        while (k < c->n - 1 && !c->versions[k].cpu_has())
            k++;
        c->chosen = k;
    }
    return c->chosen;
}

int cpu_choice_use(CpuChoice *c, const char *name) {
    __builtin_cpu_init();
    for (int k = 0; k < c->n; k++)
        if (!strcmp(c->versions[k].name, name) && c->versions[k].cpu_has()) {
            c->chosen = k;
            return 1;
        }
    return 0;
}

int cpu_has_avx512f(void) {
    return __builtin_cpu_supports("avx512f");
}

int cpu_has_avx2_fma(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int cpu_has_any(void) {
    return 1;
}
