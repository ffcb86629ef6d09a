/* study_plots.h: the plots of a study, drawn by gnuplot (pngcairo).
 *
 * Each plot is a self-contained gnuplot script, data inline, kept as
 * OUT/plots/NAME.gp so that `cd OUT/plots && gnuplot NAME.gp` redraws
 * OUT/NAME.png by hand. The PNG is drawn to NAME.png.tmp and renamed, so a
 * reader never sees half an image. gnuplot missing from PATH or failing is
 * die_runtime (exit 1).
 *
 *   PlotPlan plans[] = {{"skip_N4", "skip", 4, 0.56, 2.27, 6.87}, ...};
 *   if (!plots_draw_score_vs_n("OUT", plans, n)) puts("no plan with N and a score");
 *   SimilarityMatrix m = similarity_read("OUT/similarity.csv");
 *   plots_draw_similarity("OUT", &m, "cosine similarity (baseline)");
 *   similarity_free(&m);
 */
#ifndef PAINTERS_STUDY_PLOTS_H
#define PAINTERS_STUDY_PLOTS_H

/* One plan as the plots see it. */
typedef struct {
    const char *plan;    /* borrowed */
    const char *variant; /* borrowed: baseline, skip, ..., custom */
    int N;               /* -1: none (custom plans) */
    double score;        /* median normalized score; NAN when unknown */
    double prefill_ms;   /* per token; NAN when unknown */
    double decode_ms;    /* per token; NAN when unknown */
} PlotPlan;

/* The square similarity matrix of similarity.csv. */
typedef struct {
    int n;     /* entries: steps + 1 */
    double *v; /* owned: n x n, row-major */
} SimilarityMatrix;

/* Reads similarity.csv (header "entry,0,..,S", rows "i,v0,..,vS"); a missing
 * or malformed file is die_input naming FILE:LINE. */
SimilarityMatrix similarity_read(const char *csv_path);
void similarity_free(SimilarityMatrix *m); /* NULL-safe */

/* OUT/score_vs_N.png: median normalized score against N, one line per variant
 * (plans of one variant at the same N averaged), baseline at 1 and chance at
 * 0. Returns 0, drawing nothing and removing a stale PNG, when no plan has
 * both N and a score. */
int plots_draw_score_vs_n(const char *out_dir, const PlotPlan *plans, int n);

/* OUT/score_vs_latency.png: score against decode and prefill ms/token, one
 * panel each, one point per plan, with the Pareto frontier. Returns 0 like
 * plots_draw_score_vs_n when no plan has a score and a time. */
int plots_draw_score_vs_latency(const char *out_dir, const PlotPlan *plans, int n);

/* OUT/similarity.png: heat map of the matrix. */
void plots_draw_similarity(const char *out_dir, const SimilarityMatrix *m, const char *title);
/* The heat map at any PNG path (its script goes to a temporary file). */
void plots_draw_similarity_at(const SimilarityMatrix *m, const char *png_path, const char *title);

/* Removes OUT/NAME.png and OUT/plots/NAME.gp of an earlier run, if any. */
void plots_remove_stale(const char *out_dir, const char *name);

/* on_front[i] = 1 when plan i is on the Pareto frontier of (ms, score): no
 * other plan is at least as fast and at least as good, and better in one.
 * Points with a NaN coordinate are never on it. */
void plots_pareto_front(const double *ms, const double *score, int n, int *on_front);

#endif
