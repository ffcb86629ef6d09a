/* test_fixtures_bert.c: every plan of a BERT reference fixture, run by the
 * engine and compared with Hugging Face transformers' float32 results: each
 * sequence's last_hidden_state within 1e-4 of the reference's largest
 * magnitude, every value finite. Then, per plan, all sequences in one packed
 * runner_encode_batch call must give what each gives alone (within 1e-5:
 * only sgemm's blocking differs).
 * usage: [mpirun -n K] test_fixtures_bert FIXTURE_NAME
 * Under mpirun the layers sit on stations, placed as PAINTERS_PLACEMENT says
 * (default block). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/mpi_start.h"
#include "fixture_ref.h"
#include "run/runner.h"
#include "testhelp.h"
#include "base/util.h"

#define BERT_TOL 1e-4
#define PACKED_TOL 1e-5

/* Hidden states of a batch, copied out of the callback. */
typedef struct {
    int dim;
    float **hidden; /* (n) each (len, D) */
    int *len, calls;
} Encoded;

static void keep_hidden(void *ctx, int i, const float *hidden, int len) {
    Encoded *e = ctx;
    size_t n = (size_t)len * e->dim;
    free(e->hidden[i]);
    e->hidden[i] = xalloc_floats(n);
    memcpy(e->hidden[i], hidden, n * sizeof(float));
    e->len[i] = len;
    e->calls++;
}

static Encoded encoded_new(int n, int dim) {
    return (Encoded){.dim = dim,
                     .hidden = xcalloc((size_t)n, sizeof(float *)),
                     .len = xcalloc((size_t)n, sizeof(int))};
}

static void encoded_free(Encoded *e, int n) {
    for (int i = 0; i < n; i++)
        free(e->hidden[i]);
    free(e->hidden), free(e->len);
}

/* Sequence si alone against the reference; keeps its result in alone. */
static void check_sequence(Runner *r, const FixtureRef *f, const char *plan, int si, const int *ids,
                           int n, Encoded *alone, double *worst) {
    const int *seqs[1] = {ids};
    Encoded one = encoded_new(1, r->ck->cfg.dim);
    runner_encode_batch(r, 1, seqs, NULL, &n, keep_hidden, &one);
    char name[256];
    snprintf(name, sizeof name, "%s/seq%d: one call, %d rows", plan, si, n);
    TEST_CHECK(name, one.calls == 1 && one.len[0] == n);
    size_t count = (size_t)n * r->ck->cfg.dim;
    snprintf(name, sizeof name, "%s/seq%d: every value finite", plan, si);
    TEST_CHECK(name, one.hidden[0] && test_all_finite(one.hidden[0], count));
    snprintf(name, sizeof name, "%s/seq%d/last_hidden_state", plan, si);
    int64_t have = 0;
    float *ref = fixture_ref_tensor(f, name, &have);
    TEST_CHECK(name, ref != NULL && (size_t)have == count);
    if (ref && (size_t)have == count && one.hidden[0]) {
        double e = test_rel_error(one.hidden[0], ref, count);
        *worst = test_max_error(*worst, e);
        TEST_CHECK(name, e <= BERT_TOL);
        if (e > BERT_TOL) printf("  %s: error %.3g of max |h|\n", name, e);
    }
    free(ref);
    alone->hidden[si] = one.hidden[0];
    alone->len[si] = n;
    one.hidden[0] = NULL;
    encoded_free(&one, 1);
}

/* Every sequence in one runner_encode_batch call equals each alone. */
static void check_packed(Runner *r, const char *plan, int n, int **ids, const int *lens,
                         const Encoded *alone) {
    Encoded all = encoded_new(n, r->ck->cfg.dim);
    runner_encode_batch(r, n, (const int *const *)ids, NULL, lens, keep_hidden, &all);
    double e = 0;
    for (int i = 0; i < n; i++) {
        if (!all.hidden[i] || all.len[i] != lens[i] || !alone->hidden[i]) {
            e = INFINITY;
            continue;
        }
        e = test_max_error(
            e, test_rel_error(all.hidden[i], alone->hidden[i], (size_t)lens[i] * r->ck->cfg.dim));
    }
    char name[256];
    snprintf(name, sizeof name, "%s: %d sequences packed in one canvas equal each alone", plan, n);
    TEST_CHECK(name, all.calls == n && e <= PACKED_TOL);
    if (!(e <= PACKED_TOL)) printf("  %s: packed differs by %.3g\n", plan, e);
    encoded_free(&all, n);
}

int main(int argc, char **argv) {
    painters_mpi_start(&argc, &argv);
    if (argc < 2) {
        fprintf(stderr, "usage: test_fixtures_bert FIXTURE_NAME\n");
        return 2;
    }
    const char *shared = test_shared_dir();
    if (!shared) return test_shared_missing("test_fixtures_bert");
    char fdir[4096];
    snprintf(fdir, sizeof fdir, "%s/fixtures/%s", shared, argv[1]);
    FixtureRef f;
    fixture_ref_open(&f, fdir);
    Runner *r = runner_open(&(RunnerOptions){
        .model = fdir, .placement = getenv("PAINTERS_PLACEMENT"), .compute = MATMUL_COMPUTE_F32});
    TEST_CHECK("an encoder", runner_is_encoder(r));
    TEST_CHECK("num_layers",
               cJSON_GetObjectItem(f.json, "num_layers")->valueint == r->ck->cfg.n_layers);
    const cJSON *seqs = cJSON_GetObjectItem(f.json, "sequences");
    int n_seqs = cJSON_GetArraySize(seqs);
    int **ids = xcalloc((size_t)n_seqs, sizeof *ids), *lens = xcalloc((size_t)n_seqs, sizeof(int));
    for (int si = 0; si < n_seqs; si++)
        lens[si] = fixture_ids(cJSON_GetArrayItem(seqs, si), &ids[si]);
    const cJSON *entry;
    int n_plans = 0;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItem(f.json, "plans")) {
        const char *plan = entry->string;
        Program *p = fixture_use_plan(r, entry);
        double worst = 0;
        Encoded alone = encoded_new(n_seqs, r->ck->cfg.dim);
        for (int si = 0; si < n_seqs; si++)
            check_sequence(r, &f, plan, si, ids[si], lens[si], &alone, &worst);
        check_packed(r, plan, n_seqs, ids, lens, &alone);
        encoded_free(&alone, n_seqs);
        printf("%-24s %3d steps  max hidden-state error %.2e of max |h|\n", plan, p->n_steps,
               worst);
        n_plans++;
    }
    printf("%d plans checked\n", n_plans);
    TEST_CHECK("the fixture has plans", n_plans > 0);
    for (int si = 0; si < n_seqs; si++)
        free(ids[si]);
    free(ids), free(lens);
    runner_close(r);
    fixture_ref_close(&f);
    return test_report(argv[1]);
}
