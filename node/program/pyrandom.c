/* pyrandom.c: see pyrandom.h. MT19937 as in CPython's Modules/_randommodule.c:
 * init_genrand, init_by_array, genrand_uint32, and the pure-Python
 * _randbelow_with_getrandbits and shuffle of Lib/random.py. */
#include "program/pyrandom.h"

#include "base/util.h"

#define MT_N 624
#define MT_M 397
#define MT_MATRIX_A 0x9908b0dfU
#define MT_UPPER_MASK 0x80000000U
#define MT_LOWER_MASK 0x7fffffffU

static void mt_init_genrand(PyRandom *r, uint32_t s) {
    r->mt[0] = s;
    for (int i = 1; i < MT_N; i++)
        r->mt[i] = 1812433253U * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->index = MT_N;
}

static void mt_init_by_array(PyRandom *r, const uint32_t *key, int key_length) {
    mt_init_genrand(r, 19650218U);
    uint32_t *mt = r->mt;
    int i = 1, j = 0;
    for (int k = MT_N > key_length ? MT_N : key_length; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
        if (j >= key_length) j = 0;
    }
    for (int k = MT_N - 1; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
        i++;
        if (i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
    }
    mt[0] = 0x80000000U;
}

static void mt_regenerate(PyRandom *r) {
    static const uint32_t mag01[2] = {0U, MT_MATRIX_A};
    uint32_t *mt = r->mt;
    int kk = 0;
    for (; kk < MT_N - MT_M; kk++) {
        uint32_t y = (mt[kk] & MT_UPPER_MASK) | (mt[kk + 1] & MT_LOWER_MASK);
        mt[kk] = mt[kk + MT_M] ^ (y >> 1) ^ mag01[y & 1U];
    }
    for (; kk < MT_N - 1; kk++) {
        uint32_t y = (mt[kk] & MT_UPPER_MASK) | (mt[kk + 1] & MT_LOWER_MASK);
        mt[kk] = mt[kk + (MT_M - MT_N)] ^ (y >> 1) ^ mag01[y & 1U];
    }
    uint32_t y = (mt[MT_N - 1] & MT_UPPER_MASK) | (mt[0] & MT_LOWER_MASK);
    mt[MT_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1U];
    r->index = 0;
}

static uint32_t mt_genrand_uint32(PyRandom *r) {
    if (r->index >= MT_N) mt_regenerate(r);
    uint32_t y = r->mt[r->index++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= (y >> 18);
    return y;
}

void pyrandom_seed(PyRandom *r, uint64_t seed) {
    uint32_t key[2] = {(uint32_t)(seed & 0xffffffffU), (uint32_t)(seed >> 32)};
    mt_init_by_array(r, key, key[1] ? 2 : 1);
}

uint32_t pyrandom_getrandbits(PyRandom *r, int k) {
    if (k < 0 || k > 32) die_runtime("pyrandom_getrandbits: k = %d outside 0..32", k);
    if (k == 0) return 0;
    return mt_genrand_uint32(r) >> (32 - k);
}

static int bit_length(uint32_t n) {
    int k = 0;
    while (n) {
        k++;
        n >>= 1;
    }
    return k;
}

/* random._randbelow(n) for n >= 1: getrandbits(n.bit_length()) until below n. */
static uint32_t pyrandom_randbelow(PyRandom *r, uint32_t n) {
    int k = bit_length(n);
    uint32_t v = pyrandom_getrandbits(r, k);
    while (v >= n)
        v = pyrandom_getrandbits(r, k);
    return v;
}

void pyrandom_shuffle(PyRandom *r, int *a, int n) {
    for (int i = n - 1; i >= 1; i--) {
        int j = (int)pyrandom_randbelow(r, (uint32_t)i + 1U);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
