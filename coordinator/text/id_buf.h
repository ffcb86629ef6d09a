/* id_buf.h: a growable array of token ids that encoders append to. */
#ifndef PAINTERS_ID_BUF_H
#define PAINTERS_ID_BUF_H

#include <stddef.h>

/* Starts as {0}. */
typedef struct {
    int *ids; /* (cap) owned by the buffer until id_buf_take() */
    size_t n, cap;
} IdBuf;

void id_buf_push(IdBuf *b, int id);
void id_buf_append(IdBuf *b, const int *ids, size_t n);
/* The ids (never NULL); the caller owns them and frees them, *n gets their
 * count (as an int: a text of more than INT_MAX tokens is die_input), and
 * the buffer is not used again. */
int *id_buf_take(IdBuf *b, int *n);
void id_buf_free(IdBuf *b); /* frees what b owns, not b */

#endif
