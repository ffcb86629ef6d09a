/* cpu_choice.h: the run-time choice among the versions of a kernel (AVX-512,
 * AVX2, scalar, ...), listed fastest first: the first one this CPU runs,
 * unless a test asks for one by name.
 *
 *   static const CpuVersion versions[] = {{"avx512", cpu_has_avx512f},
 *                                         {"scalar", cpu_has_any}};
 *   static const DotFn dots[] = {dot_avx512, dot_scalar};  // parallel to versions
 *   static CpuChoice choice = CPU_CHOICE(versions);
 *   dots[cpu_choice_index(&choice)](...);
 */
#ifndef PAINTERS_CPU_CHOICE_H
#define PAINTERS_CPU_CHOICE_H

typedef struct {
    const char *name;     /* "avx512", "avx2", "scalar" */
    int (*cpu_has)(void); /* whether this CPU runs it */
} CpuVersion;

typedef struct {
    const CpuVersion *versions; /* fastest first; the last one runs anywhere */
    int n;
    int chosen; /* index into versions; -1 until first asked */
} CpuChoice;

#define CPU_CHOICE(versions)                                                                       \
    { versions, (int)(sizeof versions / sizeof versions[0]), -1 }

/* The version in use: the fastest this CPU runs unless one was asked for. */
int cpu_choice_index(CpuChoice *c);
/* Makes c use version `name`; 0 (c unchanged) when this CPU lacks it. */
int cpu_choice_use(CpuChoice *c, const char *name);

/* What the common versions need. */
int cpu_has_avx512f(void);
int cpu_has_avx2_fma(void);
int cpu_has_any(void);

#endif
