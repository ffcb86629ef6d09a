/* machine.h: what the machine can do, measured: cblas_sgemm's rate and the
 * memory copy rate, as the yardsticks for painters' own figures. */
#ifndef PAINTERS_MACHINE_H
#define PAINTERS_MACHINE_H

/* Median GFLOP/s of cblas_sgemm on n x n x n over `reps` runs after a warm-up. */
double machine_sgemm_gflops(int n, int reps);
/* Median GB/s of memcpy over a buffer of `mib` MiB (bytes read + written). */
double machine_memcpy_gbps(int mib, int reps);
/* Sets the BLAS threads of this process (0: leave as is); returns the count. */
int machine_set_threads(int n);
int machine_cores(void);
double median_of(double *x, int n); /* sorts x */

#endif
