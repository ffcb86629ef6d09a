/* similarity.c: see similarity.h. */
#include "eval/similarity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run/bert_ends.h"
#include "run/model_ends.h"
#include "base/atomic_file.h"
#include "base/util.h"

static double cosine(const float *a, const float *b, size_t n) {
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0.0;
}

void similarity_matrix(Runner *r, int n, const int *const *seqs, const int *lens, double *sim) {
    const ModelConfig *c = &r->ck->cfg;
    Program *whole = program_slice(r->program, 0, r->program->n_steps);
    int S = whole->n_steps, E = S + 1;
    /* states[i] holds (E, T_i, D): the canvas entering each step, then the output. */
    float **states = xmalloc((size_t)(n ? n : 1) * sizeof(float *));
    for (int i = 0; i < n; i++) {
        size_t per = (size_t)lens[i] * c->dim;
        states[i] = xalloc_floats(per * E);
        if (runner_is_encoder(r))
            bert_embed(c, r->head, seqs[i], NULL, lens[i], states[i]);
        else
            embed_tokens(c, r->head, seqs[i], lens[i], states[i]);
    }
    for (int s = 0; s < S; s++) {
        runner_set_program(r, program_slice(whole, s, s + 1));
        for (int i = 0; i < n; i++) {
            size_t per = (size_t)lens[i] * c->dim;
            memcpy(states[i] + (s + 1) * per, states[i] + s * per, per * sizeof(float));
            runner_run_canvas(r, states[i] + (s + 1) * per, lens[i]);
        }
    }
    runner_set_program(r, whole);
    memset(sim, 0, (size_t)E * E * sizeof(double));
    for (int i = 0; i < n; i++) {
        size_t per = (size_t)lens[i] * c->dim;
        for (int a = 0; a < E; a++)
            for (int b = 0; b < E; b++)
                sim[a * E + b] += cosine(states[i] + a * per, states[i] + b * per, per) / n;
        free(states[i]);
    }
    free(states);
}

void similarity_write_csv(const char *path, const double *sim, int n_entries) {
    size_t cap = 64 + (size_t)n_entries * (size_t)(n_entries + 1) * 16, len = 0;
    char *text = xmalloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "entry");
    for (int b = 0; b < n_entries; b++)
        len += (size_t)snprintf(text + len, cap - len, ",%d", b);
    len += (size_t)snprintf(text + len, cap - len, "\n");
    for (int a = 0; a < n_entries; a++) {
        len += (size_t)snprintf(text + len, cap - len, "%d", a);
        for (int b = 0; b < n_entries; b++)
            len += (size_t)snprintf(text + len, cap - len, ",%.6f", sim[a * n_entries + b]);
        len += (size_t)snprintf(text + len, cap - len, "\n");
    }
    write_text_atomic(path, text);
    free(text);
}
