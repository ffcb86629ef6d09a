/* pyrandom.h: a bit-exact reimplementation of CPython's `random` module for the
 * two calls the paper's `random` variant uses: random.seed(int) (MT19937 seeded
 * by init_by_array with the integer's 32-bit words) and random.shuffle(list)
 * (Fisher-Yates with _randbelow via getrandbits). Permutations match Python's
 * bit for bit (tests check fixtures/python_shuffle_perms.json). */
#ifndef PAINTERS_PYRANDOM_H
#define PAINTERS_PYRANDOM_H

#include <stdint.h>

typedef struct {
    uint32_t mt[624];
    int index;
} PyRandom;

/* random.seed(seed) for a non-negative integer seed. */
void pyrandom_seed(PyRandom *r, uint64_t seed);
/* random.getrandbits(k) for 0 <= k <= 32 (k = 0 gives 0, as in Python). */
uint32_t pyrandom_getrandbits(PyRandom *r, int k);
/* random.shuffle(a) on an int array of n elements, in place. */
void pyrandom_shuffle(PyRandom *r, int *a, int n);

#endif
