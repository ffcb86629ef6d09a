/* study_report.c: see study_report.h. */
#include "study/study_report.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "study/csv.h"
#include "study/study_plots.h"
#include "study/study_variants.h"
#include "base/util.h"

enum {
    R_MODEL,
    R_PLAN,
    R_VARIANT,
    R_N,
    R_K,
    R_SEED,
    R_TASK,
    R_METRIC,
    R_VALUE,
    R_NORMALIZED,
    R_RANKS,
    R_THREADS,
    R_PLACEMENT,
    R_PREFILL,
    R_DECODE,
    R_SECONDS,
    R_GIT
};
enum { S_PLAN, S_VARIANT, S_N, S_K, S_SEED, S_STEPS, S_MEDIAN, S_PREFILL, S_DECODE };

#define COUNT_MAX 1000000

/* One plan of the study: a row of summary.csv, or a plan found only in
 * results.csv (its median then computed from the per-task scores). */
typedef struct {
    const char *plan, *variant;           /* borrowed from a CsvTable */
    int N, K, seed, steps;                /* -1 when empty */
    double median, prefill_ms, decode_ms; /* NAN when empty */
    int on_decode_front, on_prefill_front;
} StudyPlan;

/* One row of results.csv. */
typedef struct {
    const char *plan, *task, *metric; /* borrowed */
    double value, normalized;         /* normalized NAN when empty */
} StudyResult;

/* A task and its metrics, in the order results.csv first names them. */
typedef struct {
    const char *name;     /* borrowed */
    const char **metrics; /* owned array of borrowed names */
    int n_metrics;
} StudyTask;

typedef struct {
    const char *out_dir;
    CsvTable results_csv, summary_csv; /* own every borrowed string */
    StudyResult *results;              /* owned, n_results */
    int n_results;
    StudyPlan *plans; /* owned, sorted by variant, N, K, seed, name */
    int n_plans;
    StudyTask *tasks; /* owned, n_tasks */
    int n_tasks;
} Study;

/* A time in ms or seconds: a number >= 0, or empty. */
static double time_field(const CsvTable *t, int r, int c) {
    double x = csv_number(t, r, c, CSV_OPTIONAL);
    if (x < 0) csv_fail(t, r, c, "negative time %g", x);
    return x;
}

static int find_plan(const Study *s, const char *plan) {
    for (int i = 0; i < s->n_plans; i++)
        if (!strcmp(s->plans[i].plan, plan)) return i;
    return -1;
}

static void read_summary(Study *s) {
    const CsvTable *t = &s->summary_csv;
    s->plans = xcalloc((size_t)t->n_rows + (size_t)s->results_csv.n_rows + 1, sizeof *s->plans);
    for (int r = 0; r < t->n_rows; r++) {
        StudyPlan p = {
            .plan = csv_name(t, r, S_PLAN),
            .variant = csv_name(t, r, S_VARIANT),
            .N = csv_int(t, r, S_N, 0, COUNT_MAX, CSV_OPTIONAL),
            .K = csv_int(t, r, S_K, 0, COUNT_MAX, CSV_OPTIONAL),
            .seed = csv_int(t, r, S_SEED, 0, INT_MAX, CSV_OPTIONAL),
            .steps = csv_int(t, r, S_STEPS, 0, COUNT_MAX, CSV_REQUIRED),
            .median = csv_number(t, r, S_MEDIAN, CSV_OPTIONAL),
            .prefill_ms = time_field(t, r, S_PREFILL),
            .decode_ms = time_field(t, r, S_DECODE),
        };
        int seen = find_plan(s, p.plan);
        if (seen >= 0)
            csv_fail(t, r, S_PLAN, "plan '%s' already on line %d", p.plan, t->rows[seen].line);
        s->plans[s->n_plans++] = p;
    }
}

static StudyTask *find_or_add_task(Study *s, const char *name) {
    for (int i = 0; i < s->n_tasks; i++)
        if (!strcmp(s->tasks[i].name, name)) return &s->tasks[i];
    StudyTask *t = &s->tasks[s->n_tasks++];
    *t = (StudyTask){name, xmalloc((size_t)s->results_csv.n_rows * sizeof(char *)), 0};
    return t;
}

static void add_metric(StudyTask *t, const char *metric) {
    for (int i = 0; i < t->n_metrics; i++)
        if (!strcmp(t->metrics[i], metric)) return;
    t->metrics[t->n_metrics++] = metric;
}

/* die_input when row r repeats the plan, task and metric of an earlier row. */
static void reject_repeated_result(const Study *s, int r) {
    const StudyResult *x = &s->results[r];
    for (int i = 0; i < r; i++) {
        const StudyResult *y = &s->results[i];
        if (!strcmp(x->plan, y->plan) && !strcmp(x->task, y->task) && !strcmp(x->metric, y->metric))
            csv_fail(&s->results_csv, r, R_METRIC, "plan %s, task %s, metric %s already on line %d",
                     x->plan, x->task, x->metric, s->results_csv.rows[i].line);
    }
}

/* The plan of results row r: checked against summary.csv, or added when the
 * summary lacks it. */
static void match_result_plan(Study *s, int r) {
    const CsvTable *t = &s->results_csv;
    const char *variant = csv_name(t, r, R_VARIANT);
    int N = csv_int(t, r, R_N, 0, COUNT_MAX, CSV_OPTIONAL);
    int K = csv_int(t, r, R_K, 0, COUNT_MAX, CSV_OPTIONAL);
    int seed = csv_int(t, r, R_SEED, 0, INT_MAX, CSV_OPTIONAL);
    int i = find_plan(s, s->results[r].plan);
    if (i < 0) {
        s->plans[s->n_plans++] = (StudyPlan){.plan = s->results[r].plan,
                                             .variant = variant,
                                             .N = N,
                                             .K = K,
                                             .seed = seed,
                                             .steps = -1,
                                             .median = NAN,
                                             .prefill_ms = time_field(t, r, R_PREFILL),
                                             .decode_ms = time_field(t, r, R_DECODE)};
        return;
    }
    const StudyPlan *p = &s->plans[i];
    if (strcmp(p->variant, variant) != 0 || p->N != N)
        csv_fail(t, r, R_VARIANT, "plan %s is %s N=%d here but %s N=%d in %s", p->plan, variant, N,
                 p->variant, p->N, s->summary_csv.path);
}

static void read_results(Study *s) {
    const CsvTable *t = &s->results_csv;
    s->results = xmalloc(((size_t)t->n_rows + 1) * sizeof *s->results);
    s->tasks = xmalloc(((size_t)t->n_rows + 1) * sizeof *s->tasks);
    for (int r = 0; r < t->n_rows; r++) {
        csv_name(t, r, R_MODEL);
        csv_int(t, r, R_RANKS, 1, COUNT_MAX, CSV_REQUIRED);
        csv_int(t, r, R_THREADS, 0, COUNT_MAX, CSV_OPTIONAL);
        time_field(t, r, R_SECONDS);
        StudyResult *x = &s->results[s->n_results++];
        *x = (StudyResult){
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
static double median_normalized(const Study *s, const char *plan) {
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
    const StudyPlan *x = a, *y = b;
    int c = study_variant_compare(&x->variant, &y->variant);
    if (!c) c = compare_optional(x->N, y->N);
    if (!c) c = compare_optional(x->K, y->K);
    if (!c) c = compare_optional(x->seed, y->seed);
    return c ? c : strcmp(x->plan, y->plan);
}

static void mark_pareto_fronts(Study *s) {
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

/* Reads OUT/results.csv and OUT/summary.csv into s (die_input at FILE:LINE). */
static void study_read(Study *s, const char *out_dir) {
    *s = (Study){.out_dir = out_dir};
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

static void study_free(Study *s) {
    for (int i = 0; i < s->n_tasks; i++)
        free(s->tasks[i].metrics);
    free(s->tasks);
    free(s->plans);
    free(s->results);
    csv_free(&s->summary_csv);
    csv_free(&s->results_csv);
}

static const StudyResult *find_result(const Study *s, const char *plan, const char *task,
                                      const char *metric) {
    for (int i = 0; i < s->n_results; i++) {
        const StudyResult *x = &s->results[i];
        if (!strcmp(x->plan, plan) && !strcmp(x->task, task) &&
            (metric ? !strcmp(x->metric, metric) : isfinite(x->normalized)))
            return x;
    }
    return NULL;
}

/* The distinct values of a results.csv column, joined by ", "; "" when the
 * file has no rows. Caller frees. */
static char *distinct_values(const CsvTable *t, int c) {
    size_t cap = 1;
    for (int r = 0; r < t->n_rows; r++)
        cap += strlen(csv_text(t, r, c)) + 2;
    char *out = xmalloc(cap);
    out[0] = '\0';
    for (int r = 0; r < t->n_rows; r++) {
        const char *v = csv_text(t, r, c);
        int seen = 0;
        for (int q = 0; q < r && !seen; q++)
            seen = !strcmp(csv_text(t, q, c), v);
        if (seen) continue;
        if (out[0]) strcat(out, ", ");
        strcat(out, v);
    }
    return out;
}

static void plot_plans(const Study *s, PlotPlan *out) {
    for (int i = 0; i < s->n_plans; i++) {
        const StudyPlan *p = &s->plans[i];
        out[i] = (PlotPlan){p->plan, p->variant, p->N, p->median, p->prefill_ms, p->decode_ms};
    }
}

/* Which plots were drawn. */
typedef struct {
    int score_vs_n, score_vs_latency, similarity;
} DrawnPlots;

static DrawnPlots draw_plots(const Study *s, const char *model) {
    DrawnPlots d = {0};
    PlotPlan *pp = xmalloc(((size_t)s->n_plans + 1) * sizeof *pp);
    plot_plans(s, pp);
    d.score_vs_n = plots_draw_score_vs_n(s->out_dir, pp, s->n_plans);
    d.score_vs_latency = plots_draw_score_vs_latency(s->out_dir, pp, s->n_plans);
    free(pp);
    char *sim_csv = path_join(s->out_dir, "similarity.csv");
    if (file_exists(sim_csv)) {
        SimilarityMatrix m = similarity_read(sim_csv);
        char *title = xmalloc(strlen(model) + 96);
        sprintf(title, "Cosine similarity of the hidden states entering each step%s%s%s",
                *model ? " (" : "", model, *model ? ")" : "");
        plots_draw_similarity(s->out_dir, &m, title);
        free(title);
        similarity_free(&m);
        d.similarity = 1;
    } else {
        plots_remove_stale(s->out_dir, "similarity");
    }
    free(sim_csv);
    return d;
}

static void html_text(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* A number with `decimals` places, or when decimals < 0 with places by size
 * (0.7100, 18.70, 3148.1); a dash when unknown. */
static void html_number(FILE *f, double v, int decimals) {
    if (decimals < 0) decimals = fabs(v) >= 1000 ? 1 : fabs(v) >= 10 ? 2 : 4;
    if (isnan(v))
        fputs("&ndash;", f);
    else if (isinf(v))
        fputs(v > 0 ? "&infin;" : "&minus;&infin;", f);
    else
        fprintf(f, "%.*f", decimals, v);
}

static void html_int_cell(FILE *f, int v) {
    if (v < 0)
        fputs("<td class=\"num\">&ndash;</td>", f);
    else
        fprintf(f, "<td class=\"num\">%d</td>", v);
}

static const char *const CSS =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "margin:0 auto;max-width:1320px;padding:24px 32px 48px;color:#1d1d1f;background:#fff;"
    "line-height:1.45}\n"
    "h1{font-size:1.7em;margin:0 0 4px}h2{font-size:1.25em;margin:32px 0 8px;"
    "border-bottom:2px solid #e5e5e5;padding-bottom:4px}\n"
    "p.lead{color:#444;margin:4px 0 16px;max-width:70em}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0;"
    "font-size:.95em}dl.facts dt{color:#666}dl.facts dd{margin:0;font-family:ui-monospace,"
    "'DejaVu Sans Mono',monospace}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;font-size:.92em;margin:8px 0}\n"
    "th,td{padding:4px 10px;border-bottom:1px solid #e3e3e3;text-align:left;white-space:nowrap}\n"
    "thead th{background:#f3f4f6;border-bottom:2px solid #c9ccd1;vertical-align:bottom}\n"
    "tbody tr:nth-child(even){background:#fafafa}tbody tr:hover{background:#eef4ff}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.neg{color:#b00020}th.group{text-align:center;border-left:2px solid #c9ccd1}\n"
    "td.first,th.first{border-left:2px solid #c9ccd1}\n"
    ".swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:6px;"
    "vertical-align:-1px}\n"
    ".bar{display:inline-block;width:80px;height:.7em;background:#eee;margin-left:8px;"
    "vertical-align:-1px;border-radius:2px;overflow:hidden}.bar>span{display:block;height:100%;"
    "background:#4c78a8}\n"
    "figure{margin:20px 0}figure img{max-width:100%;height:auto;border:1px solid #e3e3e3}\n"
    "figcaption{color:#555;font-size:.92em;margin-top:4px;max-width:70em}\n"
    ".note{color:#666;font-size:.9em}\n";

/* Records failed loads, then on load sets data-images-loaded="OK/ALL" and
 * data-load-errors on <body>: what tests/report_browser.sh reads back. The
 * page needs no script to be read. */
static const char *const LOAD_CHECK_SCRIPT =
    "<script>\n"
    "var loadErrors = [];\n"
    "window.addEventListener('error', function (e) {\n"
    "  var t = e.target;\n"
    "  loadErrors.push(t && t !== window ? (t.src || t.href || t.tagName) : String(e.message));\n"
    "}, true);\n"
    "window.addEventListener('load', function () {\n"
    "  var imgs = document.images, ok = 0;\n"
    "  for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) "
    "ok++;\n"
    "  document.body.setAttribute('data-images-loaded', ok + '/' + imgs.length);\n"
    "  document.body.setAttribute('data-load-errors', loadErrors.length ? loadErrors.join(' ') : "
    "'none');\n"
    "});\n"
    "</script>\n";

static void html_head(FILE *f, const char *model) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"painters report\">\n<title>painters study",
          f);
    if (*model) {
        fputs(": ", f);
        html_text(f, model);
    }
    fprintf(f, "</title>\n<style>\n%s</style>\n%s</head>\n", CSS, LOAD_CHECK_SCRIPT);
}

static void html_fact(FILE *f, const char *name, const char *value) {
    fprintf(f, "<dt>%s</dt><dd>", name);
    if (*value)
        html_text(f, value);
    else
        fputs("&ndash;", f);
    fputs("</dd>\n", f);
}

static void html_intro(FILE *f, const Study *s) {
    const CsvTable *t = &s->results_csv;
    char *model = distinct_values(t, R_MODEL);
    fputs("<body>\n<h1>Transformer layers as painters: study report</h1>\n"
          "<p class=\"lead\">Each plan changes the middle layers of the model "
          "(Mid = layers N+1 .. T&minus;N&minus;1; layers 0..N and T&minus;N..T&minus;1 run as "
          "usual). The <em>normalized score</em> of a task is "
          "(s &minus; s<sub>random</sub>) / (s<sub>baseline</sub> &minus; s<sub>random</sub>) of "
          "its primary metric: 1 is the unchanged model, 0 is chance level. The median is taken "
          "over the tasks.</p>\n<dl class=\"facts\">\n",
          f);
    html_fact(f, "model", model);
    static const struct {
        const char *name;
        int column;
    } FACTS[] = {{"ranks", R_RANKS},
                 {"threads", R_THREADS},
                 {"placement", R_PLACEMENT},
                 {"git revision", R_GIT}};
    for (size_t i = 0; i < sizeof FACTS / sizeof FACTS[0]; i++) {
        char *v = distinct_values(t, FACTS[i].column);
        html_fact(f, FACTS[i].name, v);
        free(v);
    }
    char counts[64];
    snprintf(counts, sizeof counts, "%d plans, %d tasks", s->n_plans, s->n_tasks);
    html_fact(f, "study", counts);
    html_fact(f, "folder", s->out_dir);
    fputs("</dl>\n", f);
    free(model);
}

static void html_plan_cells(FILE *f, const StudyPlan *p) {
    StudyVariantStyle st = study_variant_style(p->variant);
    fputs("<td>", f);
    html_text(f, p->plan);
    fprintf(f, "</td><td><span class=\"swatch\" style=\"background:%s\"></span>", st.color);
    html_text(f, p->variant);
    fputs("</td>", f);
    html_int_cell(f, p->N);
}

static void html_score_cell(FILE *f, double score) {
    fprintf(f, "<td class=\"num%s\">", score < 0 ? " neg" : "");
    html_number(f, score, 3);
    if (isfinite(score)) {
        double w = score < 0 ? 0 : score > 1 ? 100 : 100 * score;
        fprintf(f, "<span class=\"bar\"><span style=\"width:%.0f%%\"></span></span>", w);
    }
    fputs("</td>", f);
}

static void html_summary_table(FILE *f, const Study *s) {
    fputs("<h2 id=\"summary-heading\">Summary</h2>\n"
          "<p class=\"note\">One row per plan, by variant then N. Times are measured "
          "milliseconds per token; &#9733; marks the plans on the Pareto frontier of score "
          "against that time.</p>\n<div class=\"scroll\"><table id=\"summary\">\n<thead><tr>"
          "<th>plan</th><th>variant</th><th class=\"num\">N</th><th class=\"num\">K</th>"
          "<th class=\"num\">seed</th><th class=\"num\">steps</th>"
          "<th class=\"num\">median normalized</th><th class=\"num\">prefill ms/token</th>"
          "<th class=\"num\">decode ms/token</th></tr></thead>\n<tbody>\n",
          f);
    for (int i = 0; i < s->n_plans; i++) {
        const StudyPlan *p = &s->plans[i];
        fputs("<tr data-plan=\"", f);
        html_text(f, p->plan);
        fputs("\">", f);
        html_plan_cells(f, p);
        html_int_cell(f, p->K);
        html_int_cell(f, p->seed);
        html_int_cell(f, p->steps);
        html_score_cell(f, p->median);
        fputs("<td class=\"num\">", f);
        html_number(f, p->prefill_ms, 2);
        fprintf(f, "%s</td><td class=\"num\">", p->on_prefill_front ? " &#9733;" : "");
        html_number(f, p->decode_ms, 2);
        fprintf(f, "%s</td></tr>\n", p->on_decode_front ? " &#9733;" : "");
    }
    fputs("</tbody></table></div>\n", f);
}

static void html_task_header(FILE *f, const Study *s) {
    fputs("<thead><tr><th rowspan=\"2\">plan</th><th rowspan=\"2\">variant</th>"
          "<th rowspan=\"2\" class=\"num\">N</th>",
          f);
    for (int t = 0; t < s->n_tasks; t++) {
        fprintf(f, "<th class=\"group\" colspan=\"%d\">", s->tasks[t].n_metrics + 1);
        html_text(f, s->tasks[t].name);
        fputs("</th>", f);
    }
    fputs("</tr>\n<tr>", f);
    for (int t = 0; t < s->n_tasks; t++) {
        for (int m = 0; m < s->tasks[t].n_metrics; m++) {
            fprintf(f, "<th class=\"num%s\">", m == 0 ? " first" : "");
            html_text(f, s->tasks[t].metrics[m]);
            fputs("</th>", f);
        }
        fputs("<th class=\"num\">normalized</th>", f);
    }
    fputs("</tr></thead>\n", f);
}

static void html_task_table(FILE *f, const Study *s) {
    fputs("<h2 id=\"tasks-heading\">Per task</h2>\n"
          "<p class=\"note\">Every metric of every task; <em>normalized</em> is the task's "
          "primary metric on the scale above.</p>\n<div class=\"scroll\"><table id=\"per-task\">\n",
          f);
    html_task_header(f, s);
    fputs("<tbody>\n", f);
    for (int i = 0; i < s->n_plans; i++) {
        const StudyPlan *p = &s->plans[i];
        fputs("<tr data-plan=\"", f);
        html_text(f, p->plan);
        fputs("\">", f);
        html_plan_cells(f, p);
        for (int t = 0; t < s->n_tasks; t++) {
            const StudyTask *task = &s->tasks[t];
            for (int m = 0; m < task->n_metrics; m++) {
                const StudyResult *x = find_result(s, p->plan, task->name, task->metrics[m]);
                fprintf(f, "<td class=\"num%s\">", m == 0 ? " first" : "");
                html_number(f, x ? x->value : NAN, -1);
                fputs("</td>", f);
            }
            const StudyResult *x = find_result(s, p->plan, task->name, NULL);
            double v = x ? x->normalized : NAN;
            fprintf(f, "<td class=\"num%s\">", v < 0 ? " neg" : "");
            html_number(f, v, 3);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

static void html_figure(FILE *f, const char *png, const char *alt, const char *caption) {
    fprintf(f, "<figure><img src=\"%s\" alt=\"%s\"><figcaption>%s</figcaption></figure>\n", png,
            alt, caption);
}

static void html_plots(FILE *f, DrawnPlots d) {
    fputs("<h2 id=\"plots-heading\">Plots</h2>\n", f);
    if (d.score_vs_n)
        html_figure(f, "score_vs_N.png", "Median normalized score against N, one line per variant",
                    "Median normalized score against N, one line per variant (plans of a variant "
                    "at the same N averaged); the dashed line is the baseline (1), the dotted "
                    "line chance level (0). Script: plots/score_vs_N.gp.");
    if (d.score_vs_latency)
        html_figure(f, "score_vs_latency.png",
                    "Median normalized score against measured decode and prefill time per token",
                    "Median normalized score against measured milliseconds per token, decode and "
                    "prefill; one point per plan labelled with its N, the Pareto frontier dashed. "
                    "Script: plots/score_vs_latency.gp.");
    if (d.similarity)
        html_figure(
            f, "similarity.png",
            "Heat map of the cosine similarity between the hidden states entering each step",
            "Cosine similarity between the hidden states entering each step (the last "
            "entry: the output of the last step), from similarity.csv. Script: "
            "plots/similarity.gp.");
    if (!d.score_vs_n && !d.score_vs_latency && !d.similarity)
        fputs("<p class=\"note\">No plots: no plan has a score yet.</p>\n", f);
}

static void write_html(const Study *s, DrawnPlots drawn, const char *path) {
    char *model = distinct_values(&s->results_csv, R_MODEL);
    AtomicFile a = atomic_file_open(path);
    html_head(a.f, model);
    html_intro(a.f, s);
    html_summary_table(a.f, s);
    html_task_table(a.f, s);
    html_plots(a.f, drawn);
    fputs("<p class=\"note\">Written by <code>painters report</code> from results.csv and "
          "summary.csv in this folder.</p>\n</body>\n</html>\n",
          a.f);
    atomic_file_commit(&a);
    free(model);
}

void study_write_report(const char *out_dir) {
    if (!dir_exists(out_dir)) die_input("%s: no such folder", out_dir);
    Study s;
    study_read(&s, out_dir);
    char *model = distinct_values(&s.results_csv, R_MODEL);
    DrawnPlots drawn = draw_plots(&s, model);
    char *html = path_join(out_dir, "report.html");
    write_html(&s, drawn, html);
    printf("report: %s (%d plans, %d tasks; %d plots)\n", html, s.n_plans, s.n_tasks,
           drawn.score_vs_n + drawn.score_vs_latency + drawn.similarity);
    fflush(stdout);
    free(html);
    free(model);
    study_free(&s);
}

void study_plot_similarity(const char *csv_path, const char *png_path, const char *title) {
    SimilarityMatrix m = similarity_read(csv_path);
    plots_draw_similarity_at(&m, png_path, title);
    similarity_free(&m);
}
