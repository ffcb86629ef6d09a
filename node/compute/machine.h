/* machine.h: what the machine can do, measured: cblas_sgemm's rate, the
 * memory copy rate and the read-only stream rate, as the yardsticks for
 * painters' own figures. */
#ifndef PAINTERS_MACHINE_H
#define PAINTERS_MACHINE_H

/* Median GFLOP/s of cblas_sgemm on n x n x n over `reps` runs after a warm-up. */
double machine_sgemm_gflops(int n, int reps);
/* Median GB/s of memcpy over a buffer of `mib` MiB (bytes read + written). */
double machine_memcpy_gbps(int mib, int reps);
/* Median GB/s of reading a buffer of `mib` MiB (a sum over it, bytes read
 * only) with the rank's threads, each over its own slice, over `reps` runs
 * after a warm-up. Decode streams weights this way. */
double machine_read_gbps(int mib, int reps);
/* Sets the BLAS threads of this process (0: leave as is); returns the count. */
int machine_set_threads(int n);
int machine_cores(void);
double median_of(double *x, int n); /* sorts x */

#endif
