/* quant.c: see quant.h. */
#include "formats/quant.h"

#include <math.h>
#include <string.h>

#include "base/util.h"
#include "formats/dtype_convert.h"

int dtype_block_values(Dtype d) {
    switch (d) {
    case DTYPE_F32:
    case DTYPE_F16:
    case DTYPE_BF16:
        return 1;
    case DTYPE_Q8_0:
    case DTYPE_Q4_0:
        return 32;
    case DTYPE_Q4_K:
    case DTYPE_Q5_K:
    case DTYPE_Q6_K:
        return 256;
    }
    die_runtime("dtype_block_values: unknown dtype %d", (int)d);
}

size_t dtype_block_bytes(Dtype d) {
    switch (d) {
    case DTYPE_F32:
        return 4;
    case DTYPE_F16:
    case DTYPE_BF16:
        return 2;
    case DTYPE_Q8_0:
        return 2 + 32;
    case DTYPE_Q4_0:
        return 2 + 16;
    case DTYPE_Q4_K:
        return 2 + 2 + 12 + 128;
    case DTYPE_Q5_K:
        return 2 + 2 + 12 + 32 + 128;
    case DTYPE_Q6_K:
        return 128 + 64 + 16 + 2;
    }
    die_runtime("dtype_block_bytes: unknown dtype %d", (int)d);
}

size_t dtype_row_bytes(Dtype d, int64_t n) {
    int64_t block = dtype_block_values(d);
    if (n < 0 || n % block)
        die_input("a row of %lld %s values: not a whole number of its blocks of %lld", (long long)n,
                  dtype_name(d), (long long)block);
    return mul_size_checked((size_t)(n / block), dtype_block_bytes(d), dtype_name(d));
}

size_t dtype_values_in_bytes(Dtype d, uint64_t bytes) {
    uint64_t bb = dtype_block_bytes(d);
    if (bytes % bb)
        die_input("%llu bytes of %s: not a whole number of its blocks of %llu bytes",
                  (unsigned long long)bytes, dtype_name(d), (unsigned long long)bb);
    return mul_size_checked((size_t)(bytes / bb), (size_t)dtype_block_values(d), dtype_name(d));
}

static float f16_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, sizeof h);
    return f16_to_f32(h);
}

void quant_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

void quant_block_scales(Dtype d, const uint8_t *blk, float *a, float *b) {
    switch (d) {
    case DTYPE_Q8_0:
    case DTYPE_Q4_0:
        a[0] = a[1] = f16_at(blk);
        return;
    case DTYPE_Q4_K:
    case DTYPE_Q5_K: {
        float dd = f16_at(blk), dmin = f16_at(blk + 2);
        for (int j = 0; j < 8; j++) { /* sub-block j of 32 = chunks 2j, 2j + 1 */
            uint8_t sc, m;
            quant_scale_min_k4(j, blk + 4, &sc, &m);
            float dj = dd * sc, mj = dmin * m; /* as ggml: float times the 6-bit integer */
            a[2 * j] = a[2 * j + 1] = dj;
            b[2 * j] = b[2 * j + 1] = mj;
        }
        return;
    }
    case DTYPE_Q6_K: {
        float dd = f16_at(blk + 208);
        const int8_t *sc = (const int8_t *)(blk + 192);
        for (int c = 0; c < 16; c++)
            a[c] = dd * sc[c]; /* ggml's d * sc[is] * q is (d * sc) * q */
        return;
    }
    default:
        die_runtime("quant_block_scales: %s is not a block format", dtype_name(d));
    }
}

void quant_block_ints(Dtype d, const uint8_t *blk, int *q) {
    switch (d) {
    case DTYPE_Q8_0:
        for (int i = 0; i < 32; i++)
            q[i] = (int8_t)blk[2 + i];
        return;
    case DTYPE_Q4_0:
        for (int i = 0; i < 16; i++) {
            q[i] = (blk[2 + i] & 0xF) - 8;
            q[16 + i] = (blk[2 + i] >> 4) - 8;
        }
        return;
    case DTYPE_Q4_K:
    case DTYPE_Q5_K: {
        const uint8_t *qh = blk + 16, *qs = blk + (d == DTYPE_Q5_K ? 48 : 16);
        for (int g = 0; g < 4; g++) /* 64 values: 32 low nibbles, then 32 high */
            for (int l = 0; l < 32; l++) {
                int lo = qs[32 * g + l] & 0xF, hi = qs[32 * g + l] >> 4;
                if (d == DTYPE_Q5_K) {
                    lo += (qh[l] >> (2 * g)) & 1 ? 16 : 0;
                    hi += (qh[l] >> (2 * g + 1)) & 1 ? 16 : 0;
                }
                q[64 * g + l] = lo;
                q[64 * g + 32 + l] = hi;
            }
        return;
    }
    case DTYPE_Q6_K: {
        const uint8_t *ql = blk, *qh = blk + 128;
        for (int n = 0; n < 2; n++) /* 128 values from 64 bytes of ql and 32 of qh */
            for (int l = 0; l < 32; l++) {
                const uint8_t *L = ql + 64 * n, h = qh[32 * n + l];
                q[128 * n + l] = ((L[l] & 0xF) | ((h & 3) << 4)) - 32;
                q[128 * n + 32 + l] = ((L[l + 32] & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                q[128 * n + 64 + l] = ((L[l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
                q[128 * n + 96 + l] = ((L[l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
            }
        return;
    }
    default:
        die_runtime("quant_block_ints: %s is not a block format", dtype_name(d));
    }
}

void dequantize_values(Dtype d, const void *src, size_t count, float *dst) {
    if (!dtype_is_quant(d)) {
        dtype_convert_row_to_f32(d, src, count, dst);
        return;
    }
    size_t bv = (size_t)dtype_block_values(d), bb = dtype_block_bytes(d);
    if (count % bv)
        die_input("%zu %s values: not a whole number of its blocks of %zu", count, dtype_name(d),
                  bv);
    const uint8_t *p = src;
    int has_min = d == DTYPE_Q4_K || d == DTYPE_Q5_K;
    for (size_t k = 0; k < count / bv; k++, p += bb, dst += bv) {
        float a[16], b[16];
        int q[256];
        quant_block_scales(d, p, a, b);
        quant_block_ints(d, p, q);
        for (size_t i = 0; i < bv; i++) /* ggml's order: scale times integer, then the min */
            dst[i] = has_min ? a[i / 16] * (float)q[i] - b[i / 16] : (float)q[i] * a[i / 16];
    }
}

void dequantize_row(Dtype d, const void *row, float *out, int n) {
    if (n < 0) die_runtime("dequantize_row: n = %d", n);
    dequantize_values(d, row, (size_t)n, out);
}

static void put_f16(uint8_t *p, float v) {
    uint16_t h = f32_to_f16(v);
    memcpy(p, &h, sizeof h);
}

void quantize_row_q8_0(const float *x, void *out, int n) {
    uint8_t *blk = out;
    (void)dtype_row_bytes(DTYPE_Q8_0, n); /* dies unless n is whole blocks */
    for (int b = 0; b < n / 32; b++, x += 32, blk += 34) {
        float amax = 0.0f;
        for (int j = 0; j < 32; j++)
            amax = fabsf(x[j]) > amax ? fabsf(x[j]) : amax;
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        put_f16(blk, d);
        for (int j = 0; j < 32; j++) {
            int8_t q = (int8_t)roundf(x[j] * id);
            memcpy(blk + 2 + j, &q, 1);
        }
    }
}

void quantize_row_q4_0(const float *x, void *out, int n) {
    uint8_t *blk = out;
    (void)dtype_row_bytes(DTYPE_Q4_0, n); /* dies unless n is whole blocks */
    for (int b = 0; b < n / 32; b++, x += 32, blk += 18) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < 32; j++)
            if (amax < fabsf(x[j])) {
                amax = fabsf(x[j]);
                max = x[j];
            }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        put_f16(blk, d);
        for (int j = 0; j < 16; j++) {
            int lo = (int8_t)(x[j] * id + 8.5f), hi = (int8_t)(x[16 + j] * id + 8.5f);
            lo = lo < 15 ? lo : 15;
            hi = hi < 15 ? hi : 15;
            blk[2 + j] = (uint8_t)(lo | hi << 4);
        }
    }
}
