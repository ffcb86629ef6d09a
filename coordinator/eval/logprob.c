/* logprob.c: see logprob.h. */
#include "eval/logprob.h"

#include <math.h>

double logprob_of_token(const float *logits, int V, int token) {
    float max = logits[0];
    for (int v = 1; v < V; v++)
        if (logits[v] > max) max = logits[v];
    double sum = 0.0;
    for (int v = 0; v < V; v++) sum += exp((double)logits[v] - max);
    return (double)logits[token] - max - log(sum);
}
