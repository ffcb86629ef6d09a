/* token_seq.c: see token_seq.h. */
#include "run/token_seq.h"

int token_seq_common_prefix(const int *a, int na, const int *b, int nb) {
    int n = 0;
    while (n < na && n < nb && a[n] == b[n])
        n++;
    return n;
}
