/* study_table.c: see study_table.h. */
#include "study/study_table.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "study/study_plots.h"
#include "study/study_variants.h"

#define COUNT_MAX 1000000

/* A time in ms or seconds: a number >= 0, or empty. */
static double time_field(const CsvTable *t, int r, int c) {
    double x = csv_number(t, r, c, CSV_OPTIONAL);
    if (x < 0) csv_fail(t, r, c, "negative time %g", x);
    return x;
}

static int find_plan(const StudyTable *s, const char *plan) {
    for (int i = 0; i < s->n_plans; i++)
        if (!strcmp(s->plans[i].plan, plan)) return i;
    return -1;
}

static void read_summary(StudyTable *s) {
    const CsvTable *t = &s->summary_csv;
    s->plans = xcalloc((size_t)t->n_rows + (size_t)s->results_csv.n_rows + 1, sizeof *s->plans);
    for (int r = 0; r < t->n_rows; r++) {
        StudyTablePlan p = {
            .plan = csv_name(t, r, S_PLAN),
            .variant = csv_name(t, r, S_VARIANT),
            .N = csv_int(t, r, S_N, 0, COUNT_MAX, CSV_OPTIONAL),
            .K = csv_int(t, r, S_K, 0, COUNT_MAX, CSV_OPTIONAL),
            .seed = csv_int(t, r, S_SEED, 0, INT_MAX, CSV_OPTIONAL),
            .steps = csv_int(t, r, S_STEPS, 0, COUNT_MAX, CSV_REQUIRED),
            .median = csv_number(t, r, S_MEDIAN, CSV_OPTIONAL),
            .prefill_ms = time_field(t, r, S_PREFILL),
            .decode_ms = time_field(t, r, S_DECODE),
            .decode_batch_ms = time_field(t, r, S_DECODE_BATCH),
        };
        int seen = find_plan(s, p.plan);
        if (seen >= 0)
            csv_fail(t, r, S_PLAN, "plan '%s' already on line %d", p.plan, t->rows[seen].line);
        s->plans[s->n_plans++] = p;
    }
}

static StudyTableTask *find_or_add_task(StudyTable *s, const char *name) {
    for (int i = 0; i < s->n_tasks; i++)
        if (!strcmp(s->tasks[i].name, name)) return &s->tasks[i];
    StudyTableTask *t = &s->tasks[s->n_tasks++];
    *t = (StudyTableTask){name, xmalloc((size_t)s->results_csv.n_rows * sizeof(char *)), 0};
    return t;
}

static void add_metric(StudyTableTask *t, const char *metric) {
    for (int i = 0; i < t->n_metrics; i++)
        if (!strcmp(t->metrics[i], metric)) return;
    t->metrics[t->n_metrics++] = metric;
}

/* die_input when row r repeats the plan, task and metric of an earlier row. */
static void reject_repeated_result(const StudyTable *s, int r) {
    const StudyTableResult *x = &s->results[r];
    for (int i = 0; i < r; i++) {
        const StudyTableResult *y = &s->results[i];
        if (!strcmp(x->plan, y->plan) && !strcmp(x->task, y->task) && !strcmp(x->metric, y->metric))
            csv_fail(&s->results_csv, r, R_METRIC, "plan %s, task %s, metric %s already on line %d",
                     x->plan, x->task, x->metric, s->results_csv.rows[i].line);
    }
}

/* The plan of results row r: checked against summary.csv, or added when the
 * summary lacks it. */
static void match_result_plan(StudyTable *s, int r) {
    const CsvTable *t = &s->results_csv;
    const char *variant = csv_name(t, r, R_VARIANT);
    int N = csv_int(t, r, R_N, 0, COUNT_MAX, CSV_OPTIONAL);
    int K = csv_int(t, r, R_K, 0, COUNT_MAX, CSV_OPTIONAL);
    int seed = csv_int(t, r, R_SEED, 0, INT_MAX, CSV_OPTIONAL);
    int i = find_plan(s, s->results[r].plan);
    if (i < 0) {
        s->plans[s->n_plans++] =
            (StudyTablePlan){.plan = s->results[r].plan,
                             .variant = variant,
                             .N = N,
                             .K = K,
                             .seed = seed,
                             .steps = -1,
                             .median = NAN,
                             .prefill_ms = time_field(t, r, R_PREFILL),
                             .decode_ms = time_field(t, r, R_DECODE),
                             .decode_batch_ms = time_field(t, r, R_DECODE_BATCH)};
        return;
    }
    const StudyTablePlan *p = &s->plans[i];
    if (strcmp(p->variant, variant) != 0 || p->N != N)
        csv_fail(t, r, R_VARIANT, "plan %s is %s N=%d here but %s N=%d in %s", p->plan, variant, N,
                 p->variant, p->N, s->summary_csv.path);
}

static void read_results(StudyTable *s) {
    const CsvTable *t = &s->results_csv;
    s->results = xmalloc(((size_t)t->n_rows + 1) * sizeof *s->results);
    s->tasks = xmalloc(((size_t)t->n_rows + 1) * sizeof *s->tasks);
    for (int r = 0; r < t->n_rows; r++) {
        csv_name(t, r, R_MODEL);
        csv_int(t, r, R_RANKS, 1, COUNT_MAX, CSV_REQUIRED);
        csv_int(t, r, R_THREADS, 0, COUNT_MAX, CSV_OPTIONAL);
        for (int c = R_PREFILL; c <= R_SECONDS; c++)
            time_field(t, r, c);
        StudyTableResult *x = &s->results[s->n_results++];
        *x = (StudyTableResult){
            .plan = csv_name(t, r, R_PLAN),
            .task = csv_name(t, r, R_TASK),
            .metric = csv_name(t, r, R_METRIC),
            .value = csv_number(t, r, R_VALUE, CSV_REQUIRED),
            .normalized = csv_number(t, r, R_NORMALIZED, CSV_OPTIONAL),
        };
        reject_repeated_result(s, r);
        match_result_plan(s, r);
        add_metric(find_or_add_task(s, x->task), x->metric);
    }
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the finite normalized scores of a plan's results; NAN when none. */
static double median_normalized(const StudyTable *s, const char *plan) {
    double *v = xmalloc(((size_t)s->n_results + 1) * sizeof *v);
    int n = 0;
    for (int i = 0; i < s->n_results; i++)
        if (!strcmp(s->results[i].plan, plan) && isfinite(s->results[i].normalized))
            v[n++] = s->results[i].normalized;
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    double m = n == 0 ? NAN : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    free(v);
    return m;
}

/* -1 (absent) sorts after every value. */
static int compare_optional(int x, int y) {
    if (x == y) return 0;
    if (x < 0) return 1;
    if (y < 0) return -1;
    return x < y ? -1 : 1;
}

static int compare_plans(const void *a, const void *b) {
    const StudyTablePlan *x = a, *y = b;
    int c = study_variant_compare(&x->variant, &y->variant);
    if (!c) c = compare_optional(x->N, y->N);
    if (!c) c = compare_optional(x->K, y->K);
    if (!c) c = compare_optional(x->seed, y->seed);
    return c ? c : strcmp(x->plan, y->plan);
}

static void mark_pareto_fronts(StudyTable *s) {
    int n = s->n_plans;
    double *score = xmalloc(((size_t)n + 1) * sizeof *score);
    double *decode = xmalloc(((size_t)n + 1) * sizeof *decode);
    double *prefill = xmalloc(((size_t)n + 1) * sizeof *prefill);
    int *front = xmalloc(((size_t)n + 1) * sizeof *front);
    for (int i = 0; i < n; i++) {
        score[i] = s->plans[i].median;
        decode[i] = s->plans[i].decode_ms > 0 ? s->plans[i].decode_ms : NAN;
        prefill[i] = s->plans[i].prefill_ms > 0 ? s->plans[i].prefill_ms : NAN;
    }
    plots_pareto_front(decode, score, n, front);
    for (int i = 0; i < n; i++)
        s->plans[i].on_decode_front = front[i];
    plots_pareto_front(prefill, score, n, front);
    for (int i = 0; i < n; i++)
        s->plans[i].on_prefill_front = front[i];
    free(front);
    free(prefill);
    free(decode);
    free(score);
}

void study_read(StudyTable *s, const char *out_dir) {
    *s = (StudyTable){.out_dir = out_dir};
    char *results = path_join(out_dir, "results.csv");
    char *summary = path_join(out_dir, "summary.csv");
    s->results_csv = csv_read(results);
    csv_expect_header(&s->results_csv, STUDY_RESULTS_HEADER);
    s->summary_csv = csv_read(summary);
    csv_expect_header(&s->summary_csv, STUDY_SUMMARY_HEADER);
    read_summary(s);
    int from_summary = s->n_plans;
    read_results(s);
    for (int i = from_summary; i < s->n_plans; i++)
        s->plans[i].median = median_normalized(s, s->plans[i].plan);
    qsort(s->plans, (size_t)s->n_plans, sizeof *s->plans, compare_plans);
    mark_pareto_fronts(s);
    free(summary);
    free(results);
}

void study_free(StudyTable *s) {
    for (int i = 0; i < s->n_tasks; i++)
        free(s->tasks[i].metrics);
    free(s->tasks);
    free(s->plans);
    free(s->results);
    csv_free(&s->summary_csv);
    csv_free(&s->results_csv);
}

const StudyTableResult *study_find_result(const StudyTable *s, const char *plan, const char *task,
                                          const char *metric) {
    for (int i = 0; i < s->n_results; i++) {
        const StudyTableResult *x = &s->results[i];
        if (!strcmp(x->plan, plan) && !strcmp(x->task, task) &&
            (metric ? !strcmp(x->metric, metric) : isfinite(x->normalized)))
            return x;
    }
    return NULL;
}
