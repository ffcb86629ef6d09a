/* test_glue.c: the GLUE readers on the sample files of tests/data/glue (each
 * task in GLUE's TSV layout and in Hugging Face's JSON lines, which hold the
 * same examples: make_samples.py writes both), malformed files (exit 2
 * naming FILE:LINE), the metrics against values computed by hand (and
 * matching scikit-learn and SciPy), and the frozen protocol's probe on
 * synthetic problems with known answers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "eval/glue_evaluate.h"
#include "eval/glue_metrics.h"
#include "eval/glue_probe.h"
#include "eval/glue_read.h"
#include "testhelp.h"

#define GLUE_DATA PAINTERS_SOURCE_DIR "/tests/data/glue/"

static const char *const DIRS[GLUE_TASK_COUNT] = {"cola", "sst2", "mrpc", "stsb", "qqp",
                                                  "mnli", "mnli", "qnli", "rte",  "wnli"};

static GlueTask *read_layout(GlueTaskId id, const char *layout, const GlueLoadOptions *opts) {
    char dir[512];
    snprintf(dir, sizeof dir, GLUE_DATA "%s/%s", DIRS[id], layout);
    return glue_task_read(id, dir, opts);
}

static int same_text(const char *a, const char *b) {
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_split(const GlueSplit *a, const GlueSplit *b) {
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++) {
        const GlueExample *x = &a->ex[i], *y = &b->ex[i];
        if (!same_text(x->text_a, y->text_a) || !same_text(x->text_b, y->text_b) ||
            x->label != y->label || x->score != y->score) {
            printf("  example %d differs: \"%s\" / \"%s\"\n", i, x->text_a, y->text_a);
            return 0;
        }
    }
    return 1;
}

static void test_read_every_task(void) {
    static const int n_train[GLUE_TASK_COUNT] = {3, 3, 3, 4, 3, 5, 5, 3, 3, 4};
    static const int n_dev[GLUE_TASK_COUNT] = {4, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    GlueTask *tsv[GLUE_TASK_COUNT], *jsonl[GLUE_TASK_COUNT];
    for (int i = 0; i < GLUE_TASK_COUNT; i++) {
        const char *name = glue_task_name((GlueTaskId)i);
        tsv[i] = read_layout((GlueTaskId)i, "tsv", NULL);
        jsonl[i] = read_layout((GlueTaskId)i, "jsonl", NULL);
        TEST_CHECK(name, !tsv[i]->is_jsonl && jsonl[i]->is_jsonl);
        TEST_CHECK(name, tsv[i]->train.n == n_train[i] && tsv[i]->dev.n == n_dev[i]);
        TEST_CHECK(name, same_split(&tsv[i]->train, &jsonl[i]->train));
        TEST_CHECK(name, same_split(&tsv[i]->dev, &jsonl[i]->dev));
        int pair = i != GLUE_COLA && i != GLUE_SST2;
        TEST_CHECK(name, (tsv[i]->dev.ex[0].text_b != NULL) == pair);
        TEST_CHECK(name, tsv[i]->train.skipped == 0 && tsv[i]->dev.skipped == 0);
    }
    const GlueExample *e = tsv[GLUE_COLA]->dev.ex;
    TEST_CHECK("cola: no header, quote kept",
               !strcmp(e[2].text_a, "Mary's caf\xc3\xa9 \"is\" open.") && e[2].label == 1 &&
                   e[1].label == 0);
    TEST_CHECK("cola: unbalanced quote",
               !strcmp(tsv[GLUE_COLA]->train.ex[2].text_a, "\"Fred,\" said Mary, \"watched."));
    e = tsv[GLUE_SST2]->dev.ex;
    TEST_CHECK("sst2: trailing space kept",
               !strcmp(e[1].text_a, "unflinchingly bleak and desperate ") && e[1].label == 0);
    e = tsv[GLUE_MRPC]->dev.ex;
    TEST_CHECK("mrpc: after the byte order mark",
               !strncmp(e[0].text_b, "\" The foodservice pie", 21) && e[0].label == 1 &&
                   e[1].label == 0);
    e = tsv[GLUE_STSB]->dev.ex;
    TEST_CHECK("stsb: scores", e[0].score == 5.0f && e[1].score == 4.75f && e[2].score == 0.0f &&
                                   e[1].label == -1 &&
                                   !strcmp(e[1].text_b, "A child is riding a horse."));
    e = tsv[GLUE_QQP]->dev.ex;
    TEST_CHECK("qqp: question2", !strcmp(e[2].text_b, "What is meant by \"inner peace\"?") &&
                                     e[2].label == 1 && e[0].label == 0);
    e = tsv[GLUE_MNLI]->dev.ex;
    TEST_CHECK("mnli: gold_label of 16 columns",
               e[0].label == 1 && e[1].label == 2 && e[2].label == 0 &&
                   !strcmp(e[0].text_a, "The new rights are nice enough"));
    TEST_CHECK("mnli: train of 12 columns", tsv[GLUE_MNLI]->train.ex[4].label == 2);
    e = tsv[GLUE_MNLI_MM]->dev.ex;
    TEST_CHECK("mnli-mm: the mismatched file",
               e[0].label == 2 && !strncmp(e[0].text_a, "Your contribution helped", 24));
    e = tsv[GLUE_QNLI]->dev.ex;
    TEST_CHECK(
        "qnli: question first",
        e[0].label == 0 && e[1].label == 1 &&
            !strcmp(e[0].text_a, "What came into force after the new constitution was herald?"));
    e = tsv[GLUE_RTE]->dev.ex;
    TEST_CHECK(
        "rte: last line without newline",
        e[2].label == 1 &&
            !strcmp(e[2].text_b, "15 million tonnes of rubbish are produced daily in Cairo."));
    e = tsv[GLUE_WNLI]->dev.ex;
    TEST_CHECK("wnli: 1 is entailment", e[0].label == 0 && e[1].label == 1);
    TEST_CHECK("label names", !strcmp(glue_label_name(GLUE_WNLI, 1), "entailment") &&
                                  !strcmp(glue_label_name(GLUE_MNLI, 2), "contradiction") &&
                                  !glue_label_name(GLUE_STSB, 0) && !glue_label_name(GLUE_RTE, 2));
    for (int i = 0; i < GLUE_TASK_COUNT; i++) {
        glue_task_free(tsv[i]);
        glue_task_free(jsonl[i]);
    }
}

static void test_spec_and_limit(void) {
    GlueTask *t =
        glue_task_load("glue-mnli-mm:" GLUE_DATA "mnli/jsonl", &(GlueLoadOptions){.limit = 2});
    TEST_CHECK("spec mnli-mm",
               t->id == GLUE_MNLI_MM && !strcmp(t->name, "mnli-mm") && t->num_labels == 3);
    TEST_CHECK("limit both splits", t->train.n == 2 && t->dev.n == 2);
    TEST_CHECK("limit keeps the first rows", t->dev.ex[1].label == 2);
    glue_task_free(t);
    t = glue_task_load("glue-stsb:" GLUE_DATA "stsb/tsv", &(GlueLoadOptions){.dev_only = 1});
    TEST_CHECK("dev_only", t->train.n == 0 && t->dev.n == 3 && t->num_labels == 1);
    glue_task_free(t);
    GlueTaskId id;
    TEST_CHECK("name", glue_task_parse_name("rte", 3, &id) == 0 && id == GLUE_RTE);
    TEST_CHECK("unknown name", glue_task_parse_name("mnli-m", 6, &id) == -1);
}

typedef struct {
    const char *spec; /* glue-NAME:DIR under tests/data/glue */
    int skip_bad, dev_only;
} LoadCall;

static void load_child(const void *arg) {
    const LoadCall *c = arg;
    char spec[512];
    const char *colon = strchr(c->spec, ':');
    snprintf(spec, sizeof spec, "%.*s:%s%s", (int)(colon - c->spec), c->spec, GLUE_DATA, colon + 1);
    glue_task_free(
        glue_task_load(spec, &(GlueLoadOptions){.skip_bad = c->skip_bad, .dev_only = c->dev_only}));
}

/* The load must exit 2 with both strings on stderr. */
static void expect_refused(LoadCall call, const char *place, const char *reason) {
    char msg[4096];
    int status = test_run_child(load_child, &call, 0, msg, sizeof msg);
    int ok = status == PAINTERS_EXIT_INPUT && strstr(msg, place) && strstr(msg, reason);
    TEST_CHECK(call.spec, ok);
    if (!ok) printf("  %s: status %d, stderr: %s\n", call.spec, status, msg);
}

static void test_malformed(void) {
    expect_refused((LoadCall){"glue-rte:bad/rte_columns", 0, 1},
                   "rte_columns/dev.tsv:3:", "3 tab-separated columns, expected 4");
    expect_refused((LoadCall){"glue-mnli:bad/mnli_label", 0, 1},
                   "dev_matched.tsv:4:", "unknown label \"-\"");
    expect_refused((LoadCall){"glue-sst2:bad/sst2_utf8", 0, 1},
                   "sst2_utf8/dev.tsv:4:", "not valid UTF-8 at byte 4");
    expect_refused((LoadCall){"glue-cola:bad/cola_test_row", 0, 1},
                   "validation.jsonl:3:", "unlabeled test row");
    expect_refused((LoadCall){"glue-qnli:bad/qnli_json", 0, 1},
                   "qnli_json/validation.jsonl:2:", "not JSON");
    expect_refused((LoadCall){"glue-stsb:bad/stsb_missing", 0, 1},
                   "validation.jsonl:1:", "missing field \"sentence2\"");
    expect_refused((LoadCall){"glue-wnli:bad/wnli_label", 0, 1},
                   "validation.jsonl:1:", "unknown label 2");
    /* A broken header is never skipped. */
    expect_refused((LoadCall){"glue-mrpc:bad/mrpc_header", 1, 1},
                   "mrpc_header/dev.tsv:1:", "no column \"#2 String\"");
    expect_refused((LoadCall){"glue-qqp:bad/qqp_short", 0, 0},
                   "qqp_short/train.tsv:3:", "3 tab-separated columns, expected 6");
    /* Every row skipped: nothing to evaluate. */
    expect_refused((LoadCall){"glue-wnli:bad/wnli_label", 1, 1}, "wnli_label/validation.jsonl",
                   "every row was malformed");
    expect_refused((LoadCall){"glue-rte:bad", 0, 0}, "bad", "has neither dev.tsv");
    expect_refused((LoadCall){"glue-rte:rte/jsonl/none", 0, 0}, "rte/jsonl/none", "no folder");
    expect_refused((LoadCall){"glue-mnli:bad/mnli_label", 0, 0}, "bad/mnli_label", "no train.tsv");
    expect_refused((LoadCall){"glue-sst:rte", 0, 0}, "unknown GLUE task 'sst'", "sst2");
    expect_refused((LoadCall){"rte:x", 0, 0}, "expected glue-NAME:DIR", "glue-rte");
    char msg[2048];
    LoadCall skip = {"glue-qqp:bad/qqp_short", 1, 0};
    int status = test_run_child(load_child, &skip, 0, msg, sizeof msg);
    TEST_CHECK("skip_bad goes on",
               status == 0 && strstr(msg, "train.tsv:3:") && strstr(msg, "(skipped)"));
    GlueTask *t =
        glue_task_load("glue-qqp:" GLUE_DATA "bad/qqp_short", &(GlueLoadOptions){.skip_bad = 1});
    TEST_CHECK("skip_bad counts", t->train.n == 3 && t->train.skipped == 1 && t->dev.n == 3);
    glue_task_free(t);
}

static int near(double a, double b, double tol) {
    int ok = fabs(a - b) <= tol;
    if (!ok) printf("  got %.9g, want %.9g\n", a, b);
    return ok;
}

static void test_metrics(void) {
    const int pred[] = {1, 1, 0, 0, 1}, gold[] = {1, 0, 0, 1, 1};
    TEST_CHECK("accuracy", near(glue_accuracy(pred, gold, 5), 0.6, 1e-12));
    /* tp 2, fp 1, fn 1, tn 1 */
    TEST_CHECK("f1", near(glue_f1(pred, gold, 5), 2.0 / 3.0, 1e-12));
    TEST_CHECK("mcc", near(glue_mcc(pred, gold, 5), 1.0 / 6.0, 1e-12));
    const int ones[] = {1, 1, 1, 1, 1}, zeros[] = {0, 0, 0, 0, 0};
    TEST_CHECK("mcc, one class predicted", glue_mcc(ones, gold, 5) == 0);
    TEST_CHECK("f1, no positive", glue_f1(zeros, zeros, 5) == 0);
    TEST_CHECK("mcc perfect", near(glue_mcc(gold, gold, 5), 1, 1e-12));
    const double x[] = {1, 2, 3, 4}, y2[] = {2, 4, 6, 8}, y[] = {1, 3, 2, 4}, c[] = {7, 7, 7, 7};
    TEST_CHECK("pearson linear", near(glue_pearson(x, y2, 4), 1, 1e-12));
    TEST_CHECK("pearson", near(glue_pearson(x, y, 4), 0.8, 1e-12));
    TEST_CHECK("pearson constant", glue_pearson(x, c, 4) == 0);
    const double xt[] = {1, 2, 2, 3};
    /* ranks (1, 2.5, 2.5, 4) against (1, 3, 2, 4): 4.5 / sqrt(4.5 * 5) */
    TEST_CHECK("spearman ties", near(glue_spearman(xt, y, 4), 4.5 / sqrt(22.5), 1e-12));
    const double v[] = {3, 1, 3, 2, 3};
    double r[5];
    glue_average_ranks(v, 5, r);
    TEST_CHECK("average ranks", r[0] == 4 && r[1] == 1 && r[2] == 4 && r[3] == 2 && r[4] == 4);
    const double sq[] = {1, 4, 9, 16};
    TEST_CHECK("spearman monotone", near(glue_spearman(x, sq, 4), 1, 1e-12));
    GlueScores s = glue_score_classes(GLUE_MRPC, pred, gold, 5);
    TEST_CHECK("mrpc metrics", s.n_metrics == 2 && !strcmp(s.metrics[0].name, "f1") &&
                                   !strcmp(s.metrics[1].name, "acc"));
    /* majority class 1 (3 of 5): f1 2*3 / (2*3 + 2), acc 3/5 */
    TEST_CHECK("mrpc chance",
               near(s.metrics[0].chance, 0.75, 1e-12) && near(s.metrics[1].chance, 0.6, 1e-12));
    s = glue_score_classes(GLUE_COLA, pred, gold, 5);
    TEST_CHECK("cola mcc",
               s.n_metrics == 1 && !strcmp(s.metrics[0].name, "mcc") && s.metrics[0].chance == 0);
    const int g3[] = {2, 0, 2, 1, 0, 2}, p3[] = {2, 0, 1, 1, 0, 0};
    s = glue_score_classes(GLUE_MNLI, p3, g3, 6);
    TEST_CHECK("mnli acc",
               near(s.metrics[0].value, 4.0 / 6, 1e-12) && near(s.metrics[0].chance, 0.5, 1e-12));
    const int tie[] = {1, 0, 1, 0};
    TEST_CHECK("majority tie: lower class", glue_majority_class(tie, 4, 2) == 0);
    s = glue_score_regression(x, y, 4);
    TEST_CHECK("stsb metrics",
               !strcmp(s.metrics[0].name, "pearson") && near(s.metrics[1].value, 0.8, 1e-12));
}

/* n points of D features in num_labels well separated clusters: class
 * k's center is 4 on feature k, the rest noise in [-0.5, 0.5]. */
static void clusters(int n, int D, int num_labels, float *x, int *y) {
    for (int i = 0; i < n; i++) {
        y[i] = i % num_labels;
        for (int j = 0; j < D; j++)
            x[(size_t)i * D + j] =
                test_rand_unit() + (j == y[i] ? 4.0f : 0.0f) + 10.0f * (j == D - 1);
    }
}

static void test_logistic(void) {
    enum { N = 120, M = 60, D = 6 };
    static float x[N * D], q[M * D];
    static int y[N], gold[M], pred[M], again[M];
    srand(7);
    for (int labels = 2; labels <= 3; labels++) {
        clusters(N, D, labels, x, y);
        clusters(M, D, labels, q, gold);
        glue_standardize(x, N, D, q, M);
        glue_logistic_predict(x, y, N, D, labels, GLUE_PROBE_C, q, M, pred);
        glue_logistic_predict(x, y, N, D, labels, GLUE_PROBE_C, q, M, again);
        TEST_CHECK(labels == 2 ? "separable, 2 classes" : "separable, 3 classes",
                   glue_accuracy(pred, gold, M) == 1.0);
        TEST_CHECK("same predictions run to run", !memcmp(pred, again, sizeof pred));
    }
    /* Standardized: train columns of mean 0, sd 1; the constant one centered. */
    float s[4 * 2] = {1, 5, 2, 5, 3, 5, 6, 5}, o[2] = {4, 6};
    glue_standardize(s, 4, 2, o, 1);
    /* column 0: mean 3, population sd sqrt(14/4) */
    TEST_CHECK("standardize", near(s[0], -2 / sqrt(3.5), 1e-6) && s[1] == 0 && s[7] == 0 &&
                                  near(o[0], 1 / sqrt(3.5), 1e-6) && o[1] == 1);
}

static void test_ridge(void) {
    enum { N = 50, D = 3 };
    static float x[N * D];
    static double y[N];
    const double w_true[D] = {1.5, -2, 0.5};
    srand(11);
    for (int i = 0; i < N; i++) {
        y[i] = 3;
        for (int j = 0; j < D; j++) {
            x[i * D + j] = 4 * test_rand_unit() + (float)j;
            y[i] += w_true[j] * x[i * D + j];
        }
    }
    double w[D], bias;
    glue_ridge_fit(x, y, N, D, 1e-9, w, &bias);
    TEST_CHECK("ridge recovers w",
               near(w[0], 1.5, 1e-5) && near(w[1], -2, 1e-5) && near(w[2], 0.5, 1e-5));
    TEST_CHECK("ridge recovers the bias", near(bias, 3, 1e-5));
    /* One feature: w = sxy / (sxx + lambda) = 10 / (5 + 5), bias unpenalized. */
    const float x1[] = {1, 2, 3, 4};
    const double y1[] = {2, 4, 6, 8};
    glue_ridge_fit(x1, y1, 4, 1, 5, w, &bias);
    TEST_CHECK("ridge shrinks w, not the bias", near(w[0], 1, 1e-12) && near(bias, 2.5, 1e-12));
    double p[2];
    glue_ridge_apply((const float[]){0, 10}, 2, 1, w, bias, p);
    TEST_CHECK("ridge apply", near(p[0], 2.5, 1e-12) && near(p[1], 12.5, 1e-12));
}

/* A task made in memory: example i's text_a is "i", its features come from
 * a table the callback reads (the encoder's stand-in). */
typedef struct {
    int D;
    const float *table; /* (rows, D): train rows, then validation rows */
    int dev_offset;
} FeatureTable;

static void table_features(void *ctx, int n, const GlueExample *ex, float *out) {
    const FeatureTable *f = ctx;
    for (int i = 0; i < n; i++) {
        int row = atoi(ex[i].text_a + 1) + (ex[i].text_a[0] == 'v' ? f->dev_offset : 0);
        memcpy(out + (size_t)i * f->D, f->table + (size_t)row * f->D, (size_t)f->D * sizeof(float));
    }
}

static void fill_split(GlueSplit *s, int n, char prefix, const int *labels, const float *scores) {
    s->n = s->cap = n;
    s->ex = calloc((size_t)n, sizeof *s->ex);
    for (int i = 0; i < n; i++) {
        char text[32];
        snprintf(text, sizeof text, "%c%d", prefix, i);
        s->ex[i].text_a = xstrdup(text);
        s->ex[i].label = labels ? labels[i] : -1;
        s->ex[i].score = scores ? scores[i] : 0;
    }
    s->path = xstrdup(prefix == 't' ? "train" : "dev");
}

static double metric(const TaskResult *r, const char *name) {
    for (int i = 0; i < r->n_metrics; i++)
        if (!strcmp(r->metrics[i].name, name)) return r->metrics[i].value;
    return NAN;
}

static void test_evaluate(void) {
    enum { N = 150, M = 70, D = 4 }; /* 150 train rows: more than two callback batches */
    static float table[(N + M) * D];
    static int y[N + M];
    srand(3);
    clusters(N + M, D, 3, table, y);
    GlueTask *t = calloc(1, sizeof *t);
    *t = (GlueTask){.id = GLUE_MNLI, .name = "mnli", .num_labels = 3};
    fill_split(&t->train, N, 't', y, NULL);
    fill_split(&t->dev, M, 'v', y + N, NULL);
    FeatureTable ft = {D, table, N};
    TaskResult res;
    glue_evaluate_frozen(t, D, table_features, &ft, &res);
    TEST_CHECK("frozen mnli acc 1", metric(&res, "acc") == 1.0 && res.items == M);
    TEST_CHECK("frozen chance", near(metric(&res, "chance"), 24.0 / 70, 1e-12));
    /* The table's first 3 features as logits: argmax is the cluster. */
    static float logits[(N + M) * 3];
    for (int i = 0; i < N + M; i++)
        memcpy(logits + i * 3, table + i * D, 3 * sizeof(float));
    FeatureTable lt = {3, logits, N};
    glue_evaluate_logits(t, 3, table_features, &lt, &res);
    TEST_CHECK("logits mnli acc 1", metric(&res, "acc") == 1.0);
    glue_task_free(t);
    /* STS-B: the score is a linear function of the features plus noise. */
    static float scores[N + M];
    for (int i = 0; i < N + M; i++) {
        float *f = table + (size_t)i * D;
        scores[i] = 2.5f + 0.3f * f[0] - 0.2f * f[1] + 0.01f * test_rand_unit();
    }
    t = calloc(1, sizeof *t);
    *t = (GlueTask){.id = GLUE_STSB, .name = "stsb", .num_labels = 1};
    fill_split(&t->train, N, 't', NULL, scores);
    fill_split(&t->dev, M, 'v', NULL, scores + N);
    glue_evaluate_frozen(t, D, table_features, &ft, &res);
    TEST_CHECK("frozen stsb pearson", metric(&res, "pearson") > 0.99 &&
                                          metric(&res, "spearman") > 0.98 &&
                                          metric(&res, "chance") == 0);
    glue_task_free(t);
}

static void logits_mismatch(const void *arg) {
    (void)arg;
    GlueTask *t =
        glue_task_load("glue-rte:" GLUE_DATA "rte/tsv", &(GlueLoadOptions){.dev_only = 1});
    TaskResult res;
    glue_evaluate_logits(t, 3, table_features, NULL, &res);
}

static void test_evaluate_refusals(void) {
    char msg[1024];
    int status = test_run_child(logits_mismatch, NULL, 0, msg, sizeof msg);
    TEST_CHECK("logits: wrong class count",
               status == PAINTERS_EXIT_INPUT && strstr(msg, "3 outputs, the task 2 classes"));
}

int main(void) {
    test_read_every_task();
    test_spec_and_limit();
    test_malformed();
    test_metrics();
    test_logistic();
    test_ridge();
    test_evaluate();
    test_evaluate_refusals();
    return test_report("test_glue");
}
