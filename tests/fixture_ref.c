/* fixture_ref.c: see fixture_ref.h. */
#include "fixture_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "run/generate.h"
#include "testhelp.h"

void fixture_ref_open(FixtureRef *f, const char *dir) {
    memset(f, 0, sizeof *f);
    f->dir = xstrdup(dir);
    char *jp = path_join(dir, "reference.json");
    char *text = read_file_text(jp, NULL);
    f->json = cJSON_Parse(text);
    if (!f->json) die_input("%s: bad JSON", jp);
    free(text);
    free(jp);
    char *sp = path_join(dir, "reference.safetensors");
    f->tensors = checkpoint_open_tensors(sp);
    free(sp);
}

void fixture_ref_close(FixtureRef *f) {
    cJSON_Delete(f->json);
    checkpoint_close(f->tensors);
    free(f->dir);
}

float *fixture_ref_tensor(const FixtureRef *f, const char *name, int64_t *n) {
    const TensorInfo *t = checkpoint_find(f->tensors, name);
    if (!t) return NULL;
    int64_t count = 1;
    for (int d = 0; d < t->ndim; d++)
        count *= t->shape[d];
    float *data = xalloc_floats((size_t)count);
    checkpoint_read_f32(f->tensors, name, t->ndim, t->shape, data);
    for (int64_t i = 0; i < count; i++)
        if (!isfinite(data[i]))
            die_input("%s/reference.safetensors: %s: value %lld is %g; a reference must be finite",
                      f->dir, name, (long long)i, (double)data[i]);
    if (n) *n = count;
    return data;
}

char *fixture_program_as_plan(const cJSON *program) {
    size_t cap = 64 + 32 * (size_t)cJSON_GetArraySize(program) * 8, len = 0;
    char *s = xmalloc(cap);
    len += (size_t)snprintf(s + len, cap - len, "{\"name\": \"fixture\", \"steps\": [");
    int first = 1;
    const cJSON *step;
    cJSON_ArrayForEach(step, program) {
        int n = cJSON_GetArraySize(step);
        len += (size_t)snprintf(s + len, cap - len, "%s{\"%s\": [", first ? "" : ", ",
                                n == 1 ? "layers" : "parallel");
        for (int j = 0; j < n; j++)
            len += (size_t)snprintf(s + len, cap - len, "%s%d", j ? ", " : "",
                                    cJSON_GetArrayItem(step, j)->valueint);
        len += (size_t)snprintf(s + len, cap - len, "]}");
        first = 0;
    }
    snprintf(s + len, cap - len, "]}");
    return s;
}

int fixture_program_equal(const Program *p, const cJSON *program) {
    if (p->n_steps != cJSON_GetArraySize(program)) return 0;
    for (int s = 0; s < p->n_steps; s++) {
        const cJSON *step = cJSON_GetArrayItem(program, s);
        if (p->steps[s].n_layers != cJSON_GetArraySize(step)) return 0;
        for (int j = 0; j < p->steps[s].n_layers; j++)
            if (p->steps[s].layers[j] != cJSON_GetArrayItem(step, j)->valueint) return 0;
    }
    return 1;
}

Program *fixture_use_plan(Runner *r, const cJSON *plan_entry) {
    const char *plan = plan_entry->string;
    const cJSON *program = cJSON_GetObjectItem(plan_entry, "program");
    char *plan_json = fixture_program_as_plan(program);
    Program *p = plan_parse(plan_json, plan, r->ck->cfg.n_layers);
    free(plan_json);
    TEST_CHECK(plan, fixture_program_equal(p, program));
    runner_set_program(r, p);
    return p;
}

void fixture_greedy_recomputed(Runner *r, const int *prompt, int np, int n_new, int *out) {
    int V = r->ck->cfg.vocab_size;
    float *logits = xalloc_floats((size_t)V);
    int *seq = xmalloc((size_t)(np + n_new) * sizeof(int));
    memcpy(seq, prompt, (size_t)np * sizeof(int));
    for (int i = 0; i < n_new; i++) {
        runner_reset(r);
        runner_feed(r, seq, np + i, logits, RUNNER_LAST_LOGITS);
        out[i] = seq[np + i] = argmax_floats(logits, V);
    }
    free(seq);
    free(logits);
}

int fixture_ids(const cJSON *arr, int **ids) {
    int n = cJSON_GetArraySize(arr);
    *ids = xmalloc((size_t)(n ? n : 1) * sizeof(int));
    for (int i = 0; i < n; i++)
        (*ids)[i] = cJSON_GetArrayItem(arr, i)->valueint;
    return n;
}

/* One position against its reference row: the error into st, 1 when over tol. */
static int check_row(const float *a, const float *b, int V, double tol, FixtureLogitStats *st,
                     int *argmax_off) {
    double e = test_rel_error(a, b, V);
    st->worst = test_max_error(st->worst, e);
    *argmax_off += argmax_floats(a, V) != argmax_floats(b, V);
    st->argmax_all++;
    return !(e <= tol);
}

void fixture_check_logits(const FixtureRef *f, const char *prefix, const float *logits, int n,
                          int V, double tol, int exact_argmax, FixtureLogitStats *st) {
    char name[320], check[360];
    snprintf(name, sizeof name, "%s: every logit finite", prefix);
    TEST_CHECK(name, test_all_finite(logits, (size_t)n * V));
    snprintf(name, sizeof name, "%s/last_logits", prefix);
    float *ref = fixture_ref_tensor(f, name, NULL);
    TEST_CHECK(name, ref != NULL);
    if (ref) {
        int off = 0;
        TEST_CHECK(name, !check_row(logits + (size_t)(n - 1) * V, ref, V, tol, st, &off));
        snprintf(check, sizeof check, "%s argmax", name);
        if (exact_argmax) TEST_CHECK(check, off == 0);
        st->argmax_off += off;
        free(ref);
    }
    snprintf(name, sizeof name, "%s/logits", prefix);
    ref = fixture_ref_tensor(f, name, NULL);
    if (ref) {
        int bad_pos = 0, off = 0;
        for (int t = 0; t < n; t++)
            bad_pos += check_row(logits + (size_t)t * V, ref + (size_t)t * V, V, tol, st, &off);
        TEST_CHECK(name, bad_pos == 0);
        snprintf(check, sizeof check, "%s argmax at every position", name);
        if (exact_argmax) TEST_CHECK(check, off == 0);
        st->argmax_off += off;
        free(ref);
    }
}
