/* cmd_report.c: `painters report OUT`: the plots and report.html of a study's
 * output folder, (re)drawn from its CSV files. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "study/study_report.h"
#include "base/util.h"

static void report_usage(void) {
    printf("usage: painters report OUT\n\n"
           "Draws the plots of a study's output folder OUT (score against N, score against\n"
           "ms/token with the Pareto frontier, the similarity heat map) with gnuplot and\n"
           "writes OUT/report.html from OUT/results.csv, OUT/summary.csv and, when present,\n"
           "OUT/similarity.csv. The gnuplot scripts are kept in OUT/plots/.\n\n"
           "options:\n  %-24s %s\n",
           "--help", "show this help");
}

int cmd_report(int argc, char **argv) {
    for (int a = 1; a < argc; a++)
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
            report_usage();
            return 0;
        }
    if (argc != 2 || argv[1][0] == '-')
        die_input("report: usage: painters report OUT (a folder written by painters study)");
    study_write_report(argv[1]);
    return 0;
}
