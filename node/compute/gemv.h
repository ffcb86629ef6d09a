/* gemv.h: y = x W^T for a float32 W and few rows of x (decode).
 *
 * cblas_sgemm with a handful of rows packs the whole of W on every call,
 * which costs more than the product; here each row of W is read once, for
 * all T rows of x (with AVX-512, 4 rows of x per load of W), with the rows
 * of W split over the rank's threads. The kernel is chosen at run time:
 * AVX-512F, else AVX2 with FMA, else scalar. Each output is summed in one
 * fixed order (per kernel and row length), so row t of y is bit for bit the
 * same whatever T is and whatever the other rows of x hold. */
#ifndef PAINTERS_GEMV_H
#define PAINTERS_GEMV_H

/* y (T, out) = x (T, in) @ W^T + beta * y, W (out, in); y is not read when
 * beta is 0. `threads` OpenMP threads share the rows of W. */
void gemv_f32(float *y, const float *x, const float *w, int T, int in, int out, float beta,
              int threads);

/* The kernel gemv_f32 uses on this CPU: "avx512", "avx2" or "scalar". */
const char *gemv_f32_kernel(void);
/* Makes gemv_f32 use kernel `name` (for tests); 0 when this CPU lacks it. */
int gemv_f32_use_kernel(const char *name);

#endif
