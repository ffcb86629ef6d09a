/* test_kernels.c: silu_mul with every kernel this CPU runs (AVX-512, AVX2,
 * scalar) against silu in double precision, within 3 ulp over every 64th
 * float32 bit pattern of either sign (finite, below 1e30 in magnitude), and
 * over the lengths that leave every tail; NaN stays NaN, and the vector
 * kernels agree with one another bit for bit wherever an element falls. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compute/kernels.h"
#include "testhelp.h"

/* |got - want| in units of the float32 spacing at want, for silu at v. Below
 * v = -87, e^v is subnormal in float32 (even correctly rounded it has few
 * bits), so there the result counts as 0 ulps within 2^-140 of want (below
 * 1e-36 in any case), else as infinitely many. */
static double ulps(float got, double want, float v) {
    if (v < -87.0f) return fabs((double)got - want) <= 0x1p-140 ? 0.0 : INFINITY;
    float w = fabsf((float)want);
    double spacing = (double)nextafterf(w, INFINITY) - w;
    return fabs((double)got - want) / spacing;
}

static double silu_ref(double v) {
    return v / (1.0 + exp(-v));
}

/* The largest error in ulps of silu_mul (u = 1) over every 64th pattern. */
static double worst_ulps(void) {
    enum { CHUNK = 1 << 16 };
    float *g = malloc(sizeof(float) * CHUNK), *u = malloc(sizeof(float) * CHUNK);
    float *v = malloc(sizeof(float) * CHUNK);
    for (int i = 0; i < CHUNK; i++)
        u[i] = 1.0f;
    double worst = 0.0;
    uint64_t step = 64;
    for (uint64_t b = 0; b < (1ull << 32);) {
        int n = 0;
        for (; n < CHUNK && b < (1ull << 32); b += step) {
            uint32_t bits = (uint32_t)b;
            float f;
            memcpy(&f, &bits, sizeof f);
            if (isfinite(f) && fabsf(f) < 1e30f) v[n++] = f;
        }
        memcpy(g, v, sizeof(float) * (size_t)n);
        silu_mul(g, u, (size_t)n);
        for (int i = 0; i < n; i++)
            worst = test_max_error(worst, ulps(g[i], silu_ref(v[i]), v[i]));
    }
    free(g), free(u), free(v);
    return worst;
}

/* Lengths 1..40 (every tail), and NaN in, NaN out. */
static void check_tails(const char *kernel, float *first) {
    float g[64], u[64];
    for (int n = 1; n <= 40; n++) {
        for (int i = 0; i < n; i++)
            g[i] = (float)(i - 20) * 0.37f, u[i] = 1.0f + 0.01f * i;
        silu_mul(g, u, (size_t)n);
        int ok = 1;
        for (int i = 0; i < n; i++) {
            float v = (float)(i - 20) * 0.37f;
            ok &= ulps(g[i], silu_ref(v) * u[i], v) <= 4.0;
            if (first) { /* the same bits as the first kernel, wherever i falls */
                ok &= !memcmp(&g[i], &first[i], sizeof(float)) || !strcmp(kernel, "scalar");
            }
        }
        char name[64];
        snprintf(name, sizeof name, "%s n=%d", kernel, n);
        TEST_CHECK(name, ok);
    }
    g[0] = NAN, u[0] = 1.0f;
    silu_mul(g, u, 1);
    TEST_CHECK("NaN stays NaN", isnan(g[0]));
}

int main(void) {
    const char *kernels[] = {"avx512", "avx2", "scalar"};
    float first[64];
    int have_first = 0;
    for (int k = 0; k < 3; k++) {
        if (!silu_mul_use_kernel(kernels[k])) {
            printf("skipping kernel %s: this CPU lacks it\n", kernels[k]);
            continue;
        }
        double w = worst_ulps();
        printf("silu_mul %s: worst %.2f ulp\n", kernels[k], w);
        char name[64];
        snprintf(name, sizeof name, "%s within 3 ulp", kernels[k]);
        TEST_CHECK(name, w <= 3.0);
        check_tails(kernels[k], have_first ? first : NULL);
        if (!have_first) {
            for (int i = 0; i < 40; i++)
                first[i] = (float)(i - 20) * 0.37f;
            float u[40];
            for (int i = 0; i < 40; i++)
                u[i] = 1.0f + 0.01f * i;
            silu_mul(first, u, 40);
            have_first = 1;
        }
    }
    return test_report("kernels");
}
