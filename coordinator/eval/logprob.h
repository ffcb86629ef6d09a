/* logprob.h: log-probabilities from a row of logits. */
#ifndef PAINTERS_LOGPROB_H
#define PAINTERS_LOGPROB_H

/* log softmax(logits)[token] for one row of V logits, accumulated in double. */
double logprob_of_token(const float *logits, int V, int token);

#endif
