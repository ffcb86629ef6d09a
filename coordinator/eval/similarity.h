/* similarity.h: how alike the hidden states are from step to step (DESIGN.md
 * "similarity"): the cosine similarity between the flattened canvases
 * entering each step of a program, and leaving its last step, averaged over
 * sequences: an (S+1) x (S+1) matrix for S steps. */
#ifndef PAINTERS_SIMILARITY_H
#define PAINTERS_SIMILARITY_H

#include "run/runner.h"

/* sim ((S+1) x (S+1), caller allocates) for r's program over n token
 * sequences. Works at any rank count: each step runs as its own program and
 * its canvas comes back to rank 0; the runner's program is restored. */
void similarity_matrix(Runner *r, int n, const int *const *seqs, const int *lens, double *sim);

/* Writes sim as CSV: header "entry,0,1,...,S", then one row per entry. */
void similarity_write_csv(const char *path, const double *sim, int n_entries);

#endif
