/* token_seq.h: small helpers over sequences of token ids. */
#ifndef PAINTERS_TOKEN_SEQ_H
#define PAINTERS_TOKEN_SEQ_H

/* Tokens at the start of a (na) and b (nb) that are equal. */
int token_seq_common_prefix(const int *a, int na, const int *b, int nb);

#endif
