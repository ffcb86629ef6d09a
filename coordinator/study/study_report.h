/* study_report.h: a study's output folder turned into plots and one HTML page.
 *
 *   study_write_report("runs/demo");   // after painters study wrote runs/demo/
 *
 * reads    OUT/results.csv   (one row per plan x task x metric)
 *          OUT/summary.csv   (one row per plan)
 *          OUT/similarity.csv (optional: cosine similarity of the hidden states)
 * writes   OUT/score_vs_N.png, OUT/score_vs_latency.png, OUT/similarity.png
 *          OUT/plots/NAME.gp  (the gnuplot scripts, data inline: each redraws its PNG)
 *          OUT/report.html    (self-contained: inline CSS, the PNGs beside it)
 *
 * Every file is written to NAME.tmp and renamed, report.html last. A missing
 * or malformed CSV is die_input (exit 2) naming FILE:LINE; gnuplot missing
 * from PATH or failing is die_runtime (exit 1). */
#ifndef PAINTERS_STUDY_REPORT_H
#define PAINTERS_STUDY_REPORT_H

#include "study/study_table.h" /* STUDY_RESULTS_HEADER, STUDY_SUMMARY_HEADER */

void study_write_report(const char *out_dir);

/* The heat map of a similarity.csv at png_path, titled `title`. */
void study_plot_similarity(const char *csv_path, const char *png_path, const char *title);

#endif
