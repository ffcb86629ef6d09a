/* study_report.c: see study_report.h. */
#include "study/study_report.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "study/csv.h"
#include "study/study_table.h"
#include "study/study_plots.h"
#include "study/study_variants.h"
#include "base/util.h"

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

static void plot_plans(const StudyTable *s, PlotPlan *out) {
    for (int i = 0; i < s->n_plans; i++) {
        const StudyTablePlan *p = &s->plans[i];
        out[i] = (PlotPlan){p->plan, p->variant, p->N, p->median, p->prefill_ms, p->decode_ms};
    }
}

/* Which plots were drawn. */
typedef struct {
    int score_vs_n, score_vs_latency, similarity;
} DrawnPlots;

static DrawnPlots draw_plots(const StudyTable *s, const char *model) {
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

static void html_intro(FILE *f, const StudyTable *s) {
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

static void html_plan_cells(FILE *f, const StudyTablePlan *p) {
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

static void html_summary_table(FILE *f, const StudyTable *s) {
    fputs("<h2 id=\"summary-heading\">Summary</h2>\n"
          "<p class=\"note\">One row per plan, by variant then N. Times are measured "
          "milliseconds per token: prefill and decode of one sequence, and batched decode "
          "(many sequences decoding together, elapsed time over all their tokens: a "
          "throughput); &#9733; marks the plans on the Pareto frontier of score against "
          "prefill or decode time.</p>\n<div class=\"scroll\"><table id=\"summary\">\n<thead><tr>"
          "<th>plan</th><th>variant</th><th class=\"num\">N</th><th class=\"num\">K</th>"
          "<th class=\"num\">seed</th><th class=\"num\">steps</th>"
          "<th class=\"num\">median normalized</th><th class=\"num\">prefill ms/token</th>"
          "<th class=\"num\">decode ms/token</th>"
          "<th class=\"num\">batched decode ms/token</th></tr></thead>\n<tbody>\n",
          f);
    for (int i = 0; i < s->n_plans; i++) {
        const StudyTablePlan *p = &s->plans[i];
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
        fprintf(f, "%s</td><td class=\"num\">", p->on_decode_front ? " &#9733;" : "");
        html_number(f, p->decode_batch_ms, 3);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

static void html_task_header(FILE *f, const StudyTable *s) {
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

static void html_task_table(FILE *f, const StudyTable *s) {
    fputs("<h2 id=\"tasks-heading\">Per task</h2>\n"
          "<p class=\"note\">Every metric of every task; <em>normalized</em> is the task's "
          "primary metric on the scale above.</p>\n<div class=\"scroll\"><table id=\"per-task\">\n",
          f);
    html_task_header(f, s);
    fputs("<tbody>\n", f);
    for (int i = 0; i < s->n_plans; i++) {
        const StudyTablePlan *p = &s->plans[i];
        fputs("<tr data-plan=\"", f);
        html_text(f, p->plan);
        fputs("\">", f);
        html_plan_cells(f, p);
        for (int t = 0; t < s->n_tasks; t++) {
            const StudyTableTask *task = &s->tasks[t];
            for (int m = 0; m < task->n_metrics; m++) {
                const StudyTableResult *x =
                    study_find_result(s, p->plan, task->name, task->metrics[m]);
                fprintf(f, "<td class=\"num%s\">", m == 0 ? " first" : "");
                html_number(f, x ? x->value : NAN, -1);
                fputs("</td>", f);
            }
            const StudyTableResult *x = study_find_result(s, p->plan, task->name, NULL);
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

static void write_html(const StudyTable *s, DrawnPlots drawn, const char *path) {
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
    StudyTable s;
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
