/* id_buf.c: see id_buf.h. */
#include "text/id_buf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static void id_buf_reserve(IdBuf *b, size_t extra) {
    size_t need = add_size_checked(b->n, extra, "token ids");
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 16;
    while (cap < need)
        cap = mul_size_checked(cap, 2, "token ids");
    b->ids = xrealloc(b->ids, mul_size_checked(cap, sizeof *b->ids, "token ids"));
    b->cap = cap;
}

void id_buf_push(IdBuf *b, int id) {
    id_buf_reserve(b, 1);
    b->ids[b->n++] = id;
}

void id_buf_append(IdBuf *b, const int *ids, size_t n) {
    if (n == 0) return;
    id_buf_reserve(b, n);
    memcpy(b->ids + b->n, ids, n * sizeof *ids);
    b->n += n;
}

int *id_buf_take(IdBuf *b, int *n) {
    if (b->n > INT_MAX) die_input("text of %zu tokens: more than %d", b->n, INT_MAX);
    id_buf_reserve(b, 1); /* never NULL */
    *n = (int)b->n;
    int *ids = b->ids;
    memset(b, 0, sizeof *b);
    return ids;
}

void id_buf_free(IdBuf *b) {
    if (!b) return;
    free(b->ids);
    memset(b, 0, sizeof *b);
}
