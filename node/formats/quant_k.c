/* quant_k.c: the K-format quantizers of quant.h (Q4_K, Q5_K, Q6_K), ggml's
 * reference algorithm: each sub-block gets the scale (and for Q4_K/Q5_K the
 * min) that fits it best in weighted least squares among a few candidate
 * steps, the block stores those scales as 6- or 8-bit integers of one f16
 * super-scale, and the values are then rounded against the stored scales.
 * Every float operation is the reference's, in its order, so the bytes are
 * those of ggml's quantize_row_q*_K_ref (a sum of products is never fused:
 * the build is ISO C, whose default keeps a * b + c two roundings). */
#include <math.h>
#include <string.h>

#include "base/util.h"
#include "formats/quant.h"

enum { K_VALUES = 256 };

/* round(v) for |v| < 2^22, by adding 1.5 * 2^23 so that the float's
 * mantissa holds the rounded integer (ties to even). The quantizers only
 * ask it of ratios bounded by their integer ranges (or of finite inputs
 * divided by the step fitted to them). */
static int nearest_int(float v) {
    float shifted = v + 12582912.0f;
    int32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    return (bits & 0x007fffff) - 0x00400000;
}

/* The float an f16 store of v reads back as. */
static float f16_round(float v) {
    return f16_to_f32(f32_to_f16(v));
}

static void put_f16(uint8_t *p, float v) {
    uint16_t h = f32_to_f16(v);
    memcpy(p, &h, sizeof h);
}

/* Sub-block fit with a min (Q4_K, Q5_K): integers L[i] in [0, nmax] and
 * returns the scale s, *neg_min the m >= 0, so that x[i] ~ s L[i] - m,
 * minimising sum w[i] (s L[i] - m - x[i])^2 over nstep + 1 candidate steps
 * (max - min) / (nmax + rmin + rdelta k), k = 0..nstep, each refitted by
 * least squares, kept if better than the plain step (max - min) / nmax.
 * The min is never above 0 (a sub-block of positive values uses 0).
 * aux holds n scratch integers. */
static float fit_scale_min(int n, int nmax, const float *x, const float *w, uint8_t *L,
                           float *neg_min, uint8_t *aux, float rmin, float rdelta, int nstep) {
    float min = x[0], max = x[0];
    float sum_w = w[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        memset(L, 0, (size_t)n);
        *neg_min = -min;
        return 0.0f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best_err = 0;
    for (int i = 0; i < n; i++) {
        int l = nearest_int(iscale * (x[i] - min));
        L[i] = (uint8_t)(l < 0 ? 0 : l > nmax ? nmax : l);
        float diff = scale * L[i] + min - x[i];
        best_err += w[i] * (diff * diff);
    }
    for (int k = 0; k <= nstep; k++) {
        iscale = (rmin + rdelta * k + nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; i++) {
            int l = nearest_int(iscale * (x[i] - min));
            l = l < 0 ? 0 : l > nmax ? nmax : l;
            aux[i] = (uint8_t)l;
            sum_l += w[i] * l;
            sum_l2 += w[i] * l * l;
            sum_xl += w[i] * l * x[i];
        }
        float det = sum_w * sum_l2 - sum_l * sum_l;
        if (!(det > 0)) continue;
        float s = (sum_w * sum_xl - sum_x * sum_l) / det;
        float m = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (m > 0) {
            m = 0;
            s = sum_xl / sum_l2;
        }
        float err = 0;
        for (int i = 0; i < n; i++) {
            float diff = s * aux[i] + m - x[i];
            err += w[i] * (diff * diff);
        }
        if (err < best_err) {
            memcpy(L, aux, (size_t)n);
            best_err = err;
            scale = s;
            min = m;
        }
    }
    *neg_min = -min;
    return scale;
}

/* One Q4_K/Q5_K block's first 16 bytes (f16 d, dmin; 12 bytes of 6-bit
 * scales and mins) from the 256 values x, and its integers L[256] in
 * [0, nmax] (nmax 15 or 31) rounded against the stored scales. */
static void k4_block_head(const float *x, int nmax, float rmin, int nstep, uint8_t *head,
                          uint8_t *L) {
    float scales[8], mins[8], w[32];
    uint8_t aux[32];
    float max_scale = 0, max_min = 0; /* the min is subtracted, so scales are positive */
    for (int j = 0; j < 8; j++) {
        const float *xj = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; l++)
            sum_x2 += xj[l] * xj[l];
        float av_x = sqrtf(sum_x2 / 32);
        for (int l = 0; l < 32; l++)
            w[l] = av_x + fabsf(xj[l]);
        scales[j] = fit_scale_min(32, nmax, xj, w, L + 32 * j, &mins[j], aux, rmin, 0.1f, nstep);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
    float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
    uint8_t *packed = head + 4;
    for (int j = 0; j < 8; j++) {
        /* as the reference: the integer kept in a byte, then capped at 63 */
        uint8_t ls = (uint8_t)nearest_int(inv_scale * scales[j]);
        uint8_t lm = (uint8_t)nearest_int(inv_min * mins[j]);
        ls = ls < 63 ? ls : 63;
        lm = lm < 63 ? lm : 63;
        if (j < 4) {
            packed[j] = ls;
            packed[j + 4] = lm;
        } else { /* low 4 bits in bytes 8..11, high 2 bits on top of bytes 0..7 */
            packed[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
            packed[j - 4] |= (uint8_t)((ls >> 4) << 6);
            packed[j] |= (uint8_t)((lm >> 4) << 6);
        }
    }
    put_f16(head, max_scale / 63.0f);
    put_f16(head + 2, max_min / 63.0f);
    float d_all = f16_round(max_scale / 63.0f), dmin_all = f16_round(max_min / 63.0f);
    for (int j = 0; j < 8; j++) {
        uint8_t sc, m;
        quant_scale_min_k4(j, packed, &sc, &m);
        const float d = d_all * sc;
        if (!d) continue; /* the fitted integers stay */
        const float dm = dmin_all * m;
        for (int i = 0; i < 32; i++) {
            int l = nearest_int((x[32 * j + i] + dm) / d);
            L[32 * j + i] = (uint8_t)(l < 0 ? 0 : l > nmax ? nmax : l);
        }
    }
}

/* Checks n (whole 256-value blocks, else die_input) and returns the block count. */
static int k_blocks(Dtype d, int n) {
    (void)dtype_row_bytes(d, n);
    return n / K_VALUES;
}

void quantize_row_q4_K(const float *x, void *out, int n) {
    uint8_t *blk = out, L[K_VALUES];
    int nb = k_blocks(DTYPE_Q4_K, n);
    for (int b = 0; b < nb; b++, x += K_VALUES, blk += 144) {
        k4_block_head(x, 15, -1.0f, 20, blk, L);
        uint8_t *qs = blk + 16;
        for (int g = 0; g < 4; g++) /* 64 values: 32 low nibbles, then 32 high */
            for (int l = 0; l < 32; l++)
                qs[32 * g + l] = (uint8_t)(L[64 * g + l] | (L[64 * g + 32 + l] << 4));
    }
}

void quantize_row_q5_K(const float *x, void *out, int n) {
    uint8_t *blk = out, L[K_VALUES];
    int nb = k_blocks(DTYPE_Q5_K, n);
    for (int b = 0; b < nb; b++, x += K_VALUES, blk += 176) {
        k4_block_head(x, 31, -0.5f, 15, blk, L);
        uint8_t *qh = blk + 16, *qs = blk + 48;
        memset(qh, 0, 32);
        for (int g = 0; g < 4; g++) /* as Q4_K; bit 2g (2g + 1) of qh[l]: 16 on the low (high) */
            for (int l = 0; l < 32; l++) {
                int lo = L[64 * g + l], hi = L[64 * g + 32 + l];
                if (lo > 15) lo -= 16, qh[l] |= (uint8_t)(1 << (2 * g));
                if (hi > 15) hi -= 16, qh[l] |= (uint8_t)(2 << (2 * g));
                qs[32 * g + l] = (uint8_t)(lo | (hi << 4));
            }
    }
}

/* Sub-block fit without a min (Q6_K): integers L[i] = l + nmax, l in
 * [-nmax, nmax - 1], and returns s with x[i] ~ s l, minimising sum x^2
 * (s l - x)^2 over the steps max / (nmax + 0.1 k), k = -9..9, max the value
 * of largest magnitude (its sign kept, so s is negative where max > 0). */
static float fit_scale(int n, int nmax, const float *x, int8_t *L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; i++)
        if (fabsf(x[i]) > amax) {
            amax = fabsf(x[i]);
            max = x[i];
        }
    if (amax < 1e-15f) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        int l = nearest_int(iscale * x[i]);
        l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
        L[i] = (int8_t)(l + nmax);
        float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    float scale = suml2 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int k = -9; k <= 9; k++) {
        if (k == 0) continue;
        iscale = -(nmax + 0.1f * k) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = nearest_int(iscale * x[i]);
            l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
            float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; i++) {
                int l = nearest_int(iscale * x[i]);
                l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
                L[i] = (int8_t)(l + nmax);
            }
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

void quantize_row_q6_K(const float *x, void *out, int n) {
    uint8_t *blk = out;
    int nb = k_blocks(DTYPE_Q6_K, n);
    for (int b = 0; b < nb; b++, x += K_VALUES, blk += 210) {
        int8_t L[K_VALUES];
        float scales[16];
        float max_scale = 0, max_abs_scale = 0;
        for (int c = 0; c < 16; c++) {
            scales[c] = fit_scale(16, 32, x + 16 * c, L + 16 * c);
            if (fabsf(scales[c]) > max_abs_scale) {
                max_abs_scale = fabsf(scales[c]);
                max_scale = scales[c];
            }
        }
        if (max_abs_scale < 1e-15f) { /* all zero: d = 0, every byte 0 */
            memset(blk, 0, 210);
            continue;
        }
        /* the largest scale becomes -128 (or 127 after the cap) */
        float iscale = -128.0f / max_scale;
        put_f16(blk + 208, 1 / iscale);
        int8_t *sc = (int8_t *)(blk + 192);
        for (int c = 0; c < 16; c++) {
            int s = nearest_int(iscale * scales[c]);
            sc[c] = (int8_t)(s < 127 ? s : 127);
        }
        float d_all = f16_round(1 / iscale);
        for (int c = 0; c < 16; c++) {
            float d = d_all * sc[c];
            if (!d) continue; /* the fitted integers stay */
            for (int i = 0; i < 16; i++) {
                int l = nearest_int(x[16 * c + i] / d);
                l = l < -32 ? -32 : l > 31 ? 31 : l;
                L[16 * c + i] = (int8_t)(l + 32);
            }
        }
        uint8_t *ql = blk, *qh = blk + 128;
        for (int h = 0; h < 2; h++) /* 128 values: 64 bytes of ql, 32 of qh */
            for (int l = 0; l < 32; l++) {
                const int8_t *q = L + 128 * h + l; /* q[0], q[32], q[64], q[96] */
                ql[64 * h + l] = (uint8_t)((q[0] & 0xF) | ((q[64] & 0xF) << 4));
                ql[64 * h + 32 + l] = (uint8_t)((q[32] & 0xF) | ((q[96] & 0xF) << 4));
                qh[32 * h + l] = (uint8_t)((q[0] >> 4) | ((q[32] >> 4) << 2) | ((q[64] >> 4) << 4) |
                                           ((q[96] >> 4) << 6));
            }
    }
}
