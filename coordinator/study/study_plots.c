/* study_plots.c: see study_plots.h. */
#include "study/study_plots.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "study/csv.h"
#include "study/study_variants.h"
#include "base/util.h"

/* Normalized scores outside this range are off the charts: a perplexity far
 * above chance gives scores of -30 that would flatten every other line. */
#define SCORE_FLOOR (-1.0)
#define SCORE_CEILING 1.5

#define FONT "Sans"

static const char *const GNUPLOT_HINT =
    "painters draws its plots with gnuplot (Debian: apt-get install gnuplot-nox, "
    "or cluster/install-deps.sh)";

/* The gnuplot executable on PATH; die_runtime when there is none. Caller frees. */
static char *gnuplot_find(void) {
    const char *path = getenv("PATH");
    char *dirs = xstrdup(path && *path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (char *dir = dirs, *next; dir && !found; dir = next) {
        next = strchr(dir, ':');
        if (next) *next++ = '\0';
        char *candidate = path_join(*dir ? dir : ".", "gnuplot");
        struct stat st;
        if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
            found = candidate;
        else
            free(candidate);
    }
    free(dirs);
    if (!found) die_runtime("gnuplot not found on PATH: %s", GNUPLOT_HINT);
    return found;
}

/* s as a single-quoted gnuplot string ('' for a quote, newlines as spaces).
 * Caller frees. */
static char *gp_quoted(const char *s) {
    size_t n = strlen(s);
    char *q = xmalloc(2 * n + 3), *w = q;
    *w++ = '\'';
    for (; *s; s++) {
        if (*s == '\'') *w++ = '\'';
        *w++ = (*s == '\n' || *s == '\r') ? ' ' : *s;
    }
    *w++ = '\'';
    *w = '\0';
    return q;
}

static void gp_put_string(FILE *f, const char *s) {
    char *q = gp_quoted(s);
    fputs(q, f);
    free(q);
}

/* Runs `gnuplot -e "out='PNG'" SCRIPT` in workdir (NULL: here). Returns NULL
 * when it exits 0 having written png_check (a path from here), otherwise why
 * not (a static string). */
static const char *gnuplot_run(const char *workdir, const char *script, const char *png_for_gnuplot,
                               const char *png_check) {
    char *exe = gnuplot_find();
    char *quoted = gp_quoted(png_for_gnuplot);
    char *setting = xmalloc(strlen(quoted) + 8);
    sprintf(setting, "out=%s", quoted);
    char *script_arg = xstrdup(script);
    char *argv[] = {"gnuplot", "-e", setting, script_arg, NULL};
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) die_runtime("cannot start gnuplot: %s", strerror(errno));
    if (pid == 0) {
        if (workdir && chdir(workdir) != 0) _exit(126);
        execv(exe, argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) die_runtime("waiting for gnuplot: %s", strerror(errno));
    free(script_arg);
    free(setting);
    free(quoted);
    free(exe);
    struct stat st;
    if (!WIFEXITED(status)) return "gnuplot was killed by a signal";
    if (WEXITSTATUS(status) == 126) return "gnuplot could not enter the plots folder";
    if (WEXITSTATUS(status) == 127) return "gnuplot could not be started";
    if (WEXITSTATUS(status) != 0) return "gnuplot reported an error (see above)";
    if (stat(png_check, &st) != 0 || st.st_size == 0) return "gnuplot wrote no image";
    return NULL;
}

/* OUT/plots/NAME.gp opened for writing (OUT/plots made when missing), its
 * first lines saying how to redraw. */
static AtomicFile script_open(const char *out_dir, const char *name, const char *what) {
    char *plots = path_join(out_dir, "plots");
    if (mkdir(plots, 0755) != 0 && errno != EEXIST)
        die_input("%s: cannot create: %s", plots, strerror(errno));
    char *file = xmalloc(strlen(name) + 4);
    sprintf(file, "%s.gp", name);
    char *path = path_join(plots, file);
    AtomicFile a = atomic_file_open(path);
    fprintf(a.f, "# %s: %s.\n# Written by painters report; redraw ../%s.png with: gnuplot %s\n",
            file, what, name, file);
    fprintf(a.f, "if (!exists(\"out\")) out = '../%s.png'\n", name);
    free(path);
    free(file);
    free(plots);
    return a;
}

/* Commits the script and has gnuplot draw OUT/NAME.png with it. */
static void script_draw(AtomicFile *script, const char *out_dir, const char *name) {
    atomic_file_commit(script);
    size_t len = strlen(name) + 16;
    char *file = xmalloc(len), *png_name = xmalloc(len), *rel_tmp = xmalloc(len);
    snprintf(file, len, "%s.gp", name);
    snprintf(png_name, len, "%s.png", name);
    snprintf(rel_tmp, len, "../%s.png.tmp", name);
    char *plots = path_join(out_dir, "plots");
    char *png = path_join(out_dir, png_name);
    char *png_tmp = xmalloc(strlen(png) + 5);
    sprintf(png_tmp, "%s.tmp", png);
    const char *failure = gnuplot_run(plots, file, rel_tmp, png_tmp);
    if (failure) {
        unlink(png_tmp);
        die_runtime("%s/%s: %s", plots, file, failure);
    }
    atomic_rename(png_tmp, png);
    free(png_tmp);
    free(png);
    free(plots);
    free(rel_tmp);
    free(png_name);
    free(file);
}

void plots_remove_stale(const char *out_dir, const char *name) {
    char *file = xmalloc(strlen(name) + 16);
    sprintf(file, "%s.png", name);
    char *png = path_join(out_dir, file);
    unlink(png);
    sprintf(file, "plots/%s.gp", name);
    char *gp = path_join(out_dir, file);
    unlink(gp);
    free(gp);
    free(png);
    free(file);
}

static void gp_terminal(FILE *f, int width, int height) {
    fprintf(f,
            "set terminal pngcairo size %d,%d font '" FONT ",13' noenhanced\n"
            "set output out\n"
            "set border lw 1.2\n"
            "set grid lc rgb '#dddddd' lw 1\n",
            width, height);
}

static int has_score(const PlotPlan *p) {
    return isfinite(p->score);
}

/* The distinct variants of the plans that keep(), in study order; returns the
 * count. out has room for n. */
static int plan_variants(const PlotPlan *plans, int n, int (*keep)(const PlotPlan *),
                         const char **out) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!keep(&plans[i])) continue;
        int seen = 0;
        for (int j = 0; j < k && !seen; j++)
            seen = !strcmp(out[j], plans[i].variant);
        if (!seen) out[k++] = plans[i].variant;
    }
    qsort(out, (size_t)k, sizeof *out, study_variant_compare);
    return k;
}

/* The y range [lo, hi] of the scores (0 and 1 always in), clamped to
 * [SCORE_FLOOR, SCORE_CEILING]; returns how many scores fall outside it. */
static int score_range(const double *scores, int n, double *lo, double *hi) {
    double a = 0, b = 1;
    int clipped = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(scores[i])) continue;
        if (scores[i] < SCORE_FLOOR || scores[i] > SCORE_CEILING) clipped++;
        if (scores[i] < a) a = scores[i];
        if (scores[i] > b) b = scores[i];
    }
    a = fmax(SCORE_FLOOR, a);
    b = fmin(SCORE_CEILING, b);
    double pad = 0.08 * (b - a);
    *lo = fmax(SCORE_FLOOR, a - pad);
    *hi = fmin(SCORE_CEILING, b + pad);
    return clipped;
}

static void gp_score_axis(FILE *f, const double *scores, int n) {
    double lo, hi;
    int clipped = score_range(scores, n, &lo, &hi);
    fprintf(
        f,
        "set yrange [%.4f:%.4f]\nset ylabel 'median normalized score (baseline = 1, chance = 0)'\n",
        lo, hi);
    if (clipped)
        fprintf(f,
                "set label '%d point%s with a score outside [%g, %g] off the chart' at graph 0.01, "
                "graph 0.03 font '" FONT ",10' tc rgb '#aa0000'\n",
                clipped, clipped == 1 ? "" : "s", SCORE_FLOOR, SCORE_CEILING);
}

static int drawn_in_score_vs_n(const PlotPlan *p) {
    return has_score(p) && p->N >= 0 && strcmp(p->variant, "baseline") != 0 &&
           strcmp(p->variant, "custom") != 0;
}

static int compare_ints(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The distinct N of the drawn plans, ascending; returns the count. */
static int distinct_ns(const PlotPlan *plans, int n, int *ns) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!drawn_in_score_vs_n(&plans[i])) continue;
        int seen = 0;
        for (int j = 0; j < k && !seen; j++)
            seen = ns[j] == plans[i].N;
        if (!seen) ns[k++] = plans[i].N;
    }
    qsort(ns, (size_t)k, sizeof *ns, compare_ints);
    return k;
}

/* Datablock $dV: "N mean-score" of variant v's plans, one line per N. */
static void gp_variant_means(FILE *f, int v, const char *variant, const PlotPlan *plans, int n,
                             const int *ns, int n_ns) {
    fprintf(f, "# %s: N, mean median normalized score\n$d%d << EOD\n", variant, v);
    for (int k = 0; k < n_ns; k++) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < n; i++)
            if (drawn_in_score_vs_n(&plans[i]) && plans[i].N == ns[k] &&
                !strcmp(plans[i].variant, variant)) {
                sum += plans[i].score;
                count++;
            }
        if (count) fprintf(f, "%d %.6g\n", ns[k], sum / count);
    }
    fputs("EOD\n", f);
}

int plots_draw_score_vs_n(const char *out_dir, const PlotPlan *plans, int n) {
    const char **variants = xmalloc((size_t)(n + 1) * sizeof *variants);
    int *ns = xmalloc((size_t)(n + 1) * sizeof *ns);
    double *scores = xmalloc((size_t)(n + 1) * sizeof *scores);
    int n_var = plan_variants(plans, n, drawn_in_score_vs_n, variants);
    int n_ns = distinct_ns(plans, n, ns);
    int n_scores = 0;
    for (int i = 0; i < n; i++)
        if (drawn_in_score_vs_n(&plans[i])) scores[n_scores++] = plans[i].score;
    if (n_var == 0) {
        plots_remove_stale(out_dir, "score_vs_N");
        free(scores);
        free(ns);
        free(variants);
        return 0;
    }
    AtomicFile gp = script_open(out_dir, "score_vs_N",
                                "median normalized score against N, one line per variant");
    FILE *f = gp.f;
    gp_terminal(f, 1200, 720);
    fputs("set title 'Median normalized score against N' font '" FONT ",15'\n"
          "set xlabel 'N (layers 0..N and T-N..T-1 run as usual; the variant changes the middle)'\n"
          "set key outside right top box lw 1 spacing 1.3 width 1\n"
          "set clip two\n",
          f);
    fprintf(f, "set xrange [%g:%g]\nset xtics (", ns[0] - 0.5, ns[n_ns - 1] + 0.5);
    for (int k = 0; k < n_ns; k++)
        fprintf(f, "%s%d", k ? ", " : "", ns[k]);
    fputs(")\n", f);
    gp_score_axis(f, scores, n_scores);
    for (int v = 0; v < n_var; v++)
        gp_variant_means(f, v, variants[v], plans, n, ns, n_ns);
    fputs("plot 1 with lines dt 2 lw 2.5 lc rgb '#000000' title 'baseline (= 1)', \\\n"
          "     0 with lines dt 3 lw 2 lc rgb '#888888' title 'chance level (= 0)'",
          f);
    for (int v = 0; v < n_var; v++) {
        StudyVariantStyle st = study_variant_style(variants[v]);
        fprintf(f,
                ", \\\n     $d%d using 1:2 with linespoints lw 2.5 pt %d ps 1.6 lc rgb '%s' title ",
                v, st.point_type, st.color);
        gp_put_string(f, variants[v]);
    }
    fputs("\n", f);
    script_draw(&gp, out_dir, "score_vs_N");
    free(scores);
    free(ns);
    free(variants);
    return 1;
}

void plots_pareto_front(const double *ms, const double *score, int n, int *on_front) {
    for (int i = 0; i < n; i++) {
        on_front[i] = isfinite(ms[i]) && isfinite(score[i]);
        for (int j = 0; j < n && on_front[i]; j++) {
            if (j == i || !isfinite(ms[j]) || !isfinite(score[j])) continue;
            int as_good = ms[j] <= ms[i] && score[j] >= score[i];
            int better = ms[j] < ms[i] || score[j] > score[i];
            if (as_good && better) on_front[i] = 0;
        }
    }
}

/* The label printed beside a plan's point: "N4", or the plan's name (with
 * only plain characters) when it has no N; "" for the baseline. Caller frees. */
static char *point_label(const PlotPlan *p) {
    char *s = xmalloc(strlen(p->plan) + 16);
    if (!strcmp(p->variant, "baseline")) {
        s[0] = '\0';
    } else if (p->N >= 0) {
        sprintf(s, "N%d", p->N);
    } else {
        size_t k = 0;
        for (const char *c = p->plan; *c; c++)
            s[k++] = (strchr("\"'\\", *c) || (unsigned char)*c < 32) ? '_' : *c;
        s[k] = '\0';
    }
    return s;
}

typedef struct {
    const char *title; /* "decode" or "prefill" */
    double *ms;        /* per plan, NAN when unknown; owned */
    int points;        /* plans with a score and a time */
} LatencyPanel;

static LatencyPanel latency_panel(const PlotPlan *plans, int n, int decode) {
    LatencyPanel p = {decode ? "decode" : "prefill", xmalloc((size_t)(n + 1) * sizeof(double)), 0};
    for (int i = 0; i < n; i++) {
        p.ms[i] = decode ? plans[i].decode_ms : plans[i].prefill_ms;
        if (!has_score(&plans[i]) || !(p.ms[i] > 0)) p.ms[i] = NAN;
        p.points += isfinite(p.ms[i]);
    }
    return p;
}

/* One panel: datablocks $pP_V of "ms score label" per variant and $fP (the
 * frontier, by time), then the plot command. */
static void gp_latency_panel(FILE *f, int panel, const LatencyPanel *lp, const PlotPlan *plans,
                             int n, const char **variants, int n_var, int with_key) {
    double *scores = xmalloc((size_t)(n + 1) * sizeof *scores);
    int *front = xmalloc((size_t)(n + 1) * sizeof *front);
    for (int i = 0; i < n; i++)
        scores[i] = plans[i].score;
    plots_pareto_front(lp->ms, scores, n, front);
    int *points = xcalloc((size_t)n_var + 1, sizeof *points);
    for (int v = 0; v < n_var; v++) {
        fprintf(f, "# %s: %s ms/token, median normalized score, label\n$p%d_%d << EOD\n",
                variants[v], lp->title, panel, v);
        for (int i = 0; i < n; i++) {
            if (!isfinite(lp->ms[i]) || strcmp(plans[i].variant, variants[v]) != 0) continue;
            char *label = point_label(&plans[i]);
            fprintf(f, "%.6g %.6g \"%s\"\n", lp->ms[i], scores[i], label);
            free(label);
            points[v]++;
        }
        fputs("EOD\n", f);
    }
    fprintf(f, "# the Pareto frontier, fastest first\n$f%d << EOD\n", panel);
    for (;;) {
        int next = -1;
        for (int i = 0; i < n; i++)
            if (front[i] && (next < 0 || lp->ms[i] < lp->ms[next] ||
                             (lp->ms[i] == lp->ms[next] && scores[i] > scores[next])))
                next = i;
        if (next < 0) break;
        fprintf(f, "%.6g %.6g\n", lp->ms[next], scores[next]);
        front[next] = 0;
    }
    fputs("EOD\n", f);
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++)
        if (isfinite(lp->ms[i])) lo = fmin(lo, lp->ms[i]), hi = fmax(hi, lp->ms[i]);
    if (hi - lo < 1e-9 * hi)
        fprintf(f, "set xrange [%.6g:%.6g]\n", 0.9 * lo, 1.1 * hi);
    else
        fputs("set xrange [*:*]\n", f);
    fprintf(f, "set title 'against %s time' font '" FONT ",14'\n", lp->title);
    fprintf(f, "set xlabel '%s time (ms/token, measured)'\n", lp->title);
    fputs(with_key ? "set key outside right top box lw 1 spacing 1.3 width 1\n" : "unset key\n", f);
    fprintf(f,
            "plot $f%d using 1:2 with steps dt (8, 5) lw 2.5 lc rgb '#555555' "
            "title 'Pareto frontier', \\\n"
            "     $f%d using 1:2 with points pt 6 ps 3 lw 1.5 lc rgb '#555555' notitle",
            panel, panel);
    for (int v = 0; v < n_var; v++) {
        if (!points[v]) continue;
        StudyVariantStyle st = study_variant_style(variants[v]);
        fprintf(f, ", \\\n     $p%d_%d using 1:2 with points pt %d ps 1.9 lc rgb '%s' title ",
                panel, v, st.point_type, st.color);
        gp_put_string(f, variants[v]);
        fprintf(f,
                ", \\\n     $p%d_%d using 1:2:3 with labels offset char 1.1,0.55 left "
                "font '" FONT ",10' tc rgb '%s' notitle",
                panel, v, st.color);
    }
    fputs("\n", f);
    free(points);
    free(front);
    free(scores);
}

int plots_draw_score_vs_latency(const char *out_dir, const PlotPlan *plans, int n) {
    LatencyPanel panels[2] = {latency_panel(plans, n, 1), latency_panel(plans, n, 0)};
    int n_panels = 0;
    for (int p = 0; p < 2; p++)
        if (panels[p].points)
            panels[n_panels++] = panels[p];
        else
            free(panels[p].ms);
    if (n_panels == 0) {
        plots_remove_stale(out_dir, "score_vs_latency");
        return 0;
    }
    const char **variants = xmalloc((size_t)(n + 1) * sizeof *variants);
    int n_var = plan_variants(plans, n, has_score, variants);
    double *scores = xmalloc((size_t)(n + 1) * sizeof *scores);
    for (int i = 0; i < n; i++)
        scores[i] = plans[i].score;
    AtomicFile gp = script_open(out_dir, "score_vs_latency",
                                "median normalized score against measured ms/token, with the "
                                "Pareto frontier");
    FILE *f = gp.f;
    gp_terminal(f, 760 * n_panels + 260, 720);
    gp_score_axis(f, scores, n);
    fputs("set offsets graph 0.04, graph 0.10, 0, 0\n"
          "set multiplot title 'Median normalized score against time per token "
          "(one point per plan; label: N)' font '" FONT ",15'\n",
          f);
    double right = 1.0 - 240.0 / (760 * n_panels + 260), width = right - 0.02;
    for (int p = 0; p < n_panels; p++) {
        double left = 0.02 + width * p / n_panels;
        fprintf(f,
                "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
                "set tmargin at screen 0.88\nset bmargin at screen 0.12\n",
                left + 0.055, left + width / n_panels - 0.015);
        gp_latency_panel(f, p, &panels[p], plans, n, variants, n_var, p == n_panels - 1);
    }
    fputs("unset multiplot\n", f);
    script_draw(&gp, out_dir, "score_vs_latency");
    for (int p = 0; p < n_panels; p++)
        free(panels[p].ms);
    free(scores);
    free(variants);
    return 1;
}

SimilarityMatrix similarity_read(const char *csv_path) {
    CsvTable t = csv_read(csv_path);
    int n = t.n_cols - 1;
    if (n < 1 || strcmp(t.header[0], "entry") != 0)
        die_input("%s:%d: the header is not 'entry,0,1,...'", csv_path, t.header_line);
    for (int j = 0; j < n; j++) {
        char want[16];
        snprintf(want, sizeof want, "%d", j);
        if (strcmp(t.header[j + 1], want) != 0)
            die_input("%s:%d: column %d of the header is '%s', not '%s'", csv_path, t.header_line,
                      j + 2, t.header[j + 1], want);
    }
    if (t.n_rows != n)
        die_input("%s:%d: %d rows for %d columns: the matrix is not square", csv_path,
                  t.n_rows ? t.rows[t.n_rows - 1].line : t.header_line, t.n_rows, n);
    SimilarityMatrix m = {n, xmalloc((size_t)n * (size_t)n * sizeof(double))};
    for (int i = 0; i < n; i++) {
        if (csv_int(&t, i, 0, 0, n - 1, CSV_REQUIRED) != i)
            csv_fail(&t, i, 0, "row %d expected", i);
        for (int j = 0; j < n; j++) {
            double v = csv_number(&t, i, j + 1, CSV_REQUIRED);
            if (!isfinite(v) || v < -1.0001 || v > 1.0001)
                csv_fail(&t, i, j + 1, "%g is not a cosine similarity in [-1, 1]", v);
            m.v[(size_t)i * (size_t)n + (size_t)j] = v;
        }
    }
    csv_free(&t);
    return m;
}

void similarity_free(SimilarityMatrix *m) {
    if (!m) return;
    free(m->v);
    *m = (SimilarityMatrix){0};
}

/* The heat map's script body (after the `out` line). Cells carry their value
 * when there are few enough to read. */
static void gp_similarity(FILE *f, const SimilarityMatrix *m, const char *title) {
    int n = m->n;
    double lo = 1;
    for (size_t k = 0; k < (size_t)n * (size_t)n; k++)
        lo = fmin(lo, m->v[k]);
    if (lo > 0.99) lo = 0.99;
    int cell = n <= 24 ? 48 : n <= 48 ? 24 : 12;
    int side = n * cell < 480 ? 480 : n * cell;
    gp_terminal(f, side + 260, side + 170);
    fputs("set title ", f);
    gp_put_string(f, title);
    fprintf(
        f,
        " font '" FONT ",15'\n"
        "set xlabel 'entry j (hidden state entering step j; entry %d: output of the last step)'\n"
        "set ylabel 'entry i'\nset cblabel 'cosine similarity'\n"
        "set size ratio -1\nunset grid\nset tics out nomirror\n"
        "set xrange [-0.5:%g]\nset yrange [%g:-0.5]\n"
        "set xtics %d\nset ytics %d\nset cbrange [%.4f:1]\n"
        "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', "
        "1 '#fde725')\n",
        n - 1, n - 0.5, n - 0.5, n <= 24 ? 1 : (n + 23) / 24, n <= 24 ? 1 : (n + 23) / 24, lo);
    fputs("$sim << EOD\n", f);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            fprintf(f, "%.4f%s", m->v[(size_t)i * (size_t)n + (size_t)j], j == n - 1 ? "\n" : " ");
    fputs("EOD\nplot $sim matrix with image notitle", f);
    if (n <= 24)
        fprintf(f,
                ", \\\n     $sim matrix using 1:2:(sprintf('%%.2f', $3)):($3 < %.4f ? 0xffffff : "
                "0x000000) "
                "with labels font '" FONT ",%d' tc rgb variable notitle",
                lo + 0.55 * (1 - lo), n <= 12 ? 11 : 8);
    fputs("\n", f);
}

void plots_draw_similarity(const char *out_dir, const SimilarityMatrix *m, const char *title) {
    AtomicFile gp = script_open(out_dir, "similarity",
                                "heat map of the cosine similarity of the hidden states");
    gp_similarity(gp.f, m, title);
    script_draw(&gp, out_dir, "similarity");
}

void plots_draw_similarity_at(const SimilarityMatrix *m, const char *png_path, const char *title) {
    free(gnuplot_find());
    const char *tmpdir = getenv("TMPDIR");
    char *script = xmalloc(strlen(tmpdir && *tmpdir ? tmpdir : "/tmp") + 40);
    sprintf(script, "%s/painters-similarity-XXXXXX.gp", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemps(script, 3);
    if (fd < 0) die_runtime("%s: cannot create: %s", script, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) die_runtime("%s: cannot open: %s", script, strerror(errno));
    fputs("if (!exists(\"out\")) out = ", f);
    gp_put_string(f, png_path);
    fputs("\n", f);
    gp_similarity(f, m, title);
    if (fclose(f) != 0) die_runtime("%s: write failed: %s", script, strerror(errno));
    char *png_tmp = xmalloc(strlen(png_path) + 5);
    sprintf(png_tmp, "%s.tmp", png_path);
    const char *failure = gnuplot_run(NULL, script, png_tmp, png_tmp);
    unlink(script);
    if (failure) {
        unlink(png_tmp);
        die_runtime("similarity plot %s: %s", png_path, failure);
    }
    atomic_rename(png_tmp, png_path);
    free(png_tmp);
    free(script);
}
