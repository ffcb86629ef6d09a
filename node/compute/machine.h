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
/* Sets the threads of this process, one count for OpenBLAS and OpenMP (and
 * so the 16-bit matmul kernels and attention): n, or with n <= 0
 * machine_env_threads(), or else OpenMP's default. Returns the count. */
int machine_set_threads(int n);
/* The thread count the environment asks for: OPENBLAS_NUM_THREADS, else
 * OMP_NUM_THREADS (its first level); 0 when neither is set. A value that is
 * not a count is bad input (exit 2). */
int machine_env_threads(void);
/* How the linked OpenBLAS runs its threads: "OpenMP", "pthreads" or
 * "sequential" (openblas_get_parallel), and its build line (version, core,
 * openblas_get_config). Static strings. */
const char *machine_blas_threading(void);
const char *machine_blas_config(void);
/* "OpenMP" when built against OpenBLAS's OpenMP build, else "any". */
const char *machine_blas_built_for(void);
int machine_cores(void);
double median_of(double *x, int n); /* sorts x */

#endif
