/* test_study_report.c: the pieces under painters report: the CSV reader, the
 * Pareto frontier, the order of variants and the similarity reader. The whole
 * command (plots, report.html, broken files) is tests/test_report.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "study/csv.h"
#include "study/study_plots.h"
#include "study/study_variants.h"
#include "testhelp.h"
#include "base/util.h"

/* Writes text to a new temporary file; returns its path (caller frees and unlinks). */
static char *temp_file(const char *text) {
    char *path = xstrdup("/tmp/painters-test-csv-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) {
        perror("write");
        exit(1);
    }
    close(fd);
    return path;
}

static void test_csv_reader(void) {
    char *path = temp_file("\nplan, N ,score,time\r\nskip_N4,4,0.5,\r\n\n  \ncustom,,nan, 2.5 \n");
    CsvTable t = csv_read(path);
    TEST_CHECK("csv header line", t.header_line == 2);
    TEST_CHECK("csv columns", t.n_cols == 4);
    TEST_CHECK("csv header trimmed", !strcmp(t.header[1], "N"));
    TEST_CHECK("csv blank lines skipped", t.n_rows == 2);
    TEST_CHECK("csv row line numbers", t.rows[0].line == 3 && t.rows[1].line == 6);
    TEST_CHECK("csv text", !strcmp(csv_name(&t, 0, 0), "skip_N4"));
    TEST_CHECK("csv int", csv_int(&t, 0, 1, 0, 100, CSV_OPTIONAL) == 4);
    TEST_CHECK("csv empty int", csv_int(&t, 1, 1, 0, 100, CSV_OPTIONAL) == -1);
    TEST_CHECK("csv number", csv_number(&t, 0, 2, CSV_REQUIRED) == 0.5);
    TEST_CHECK("csv nan", isnan(csv_number(&t, 1, 2, CSV_REQUIRED)));
    TEST_CHECK("csv empty number", isnan(csv_number(&t, 0, 3, CSV_OPTIONAL)));
    TEST_CHECK("csv trimmed number", csv_number(&t, 1, 3, CSV_OPTIONAL) == 2.5);
    csv_expect_header(&t, "plan,N,score,time");
    csv_free(&t);
    csv_free(&t);
    unlink(path);
    free(path);
}

static void test_pareto_front(void) {
    /* times and scores: 0 fast and poor, 1 slower and better, 2 dominated by
     * 1, 3 the best and slowest, 4 unknown, 5 ties 1 exactly. */
    double ms[] = {4, 7, 8, 11, NAN, 7};
    double score[] = {0.2, 0.6, 0.5, 1.0, 0.9, 0.6};
    int front[6];
    plots_pareto_front(ms, score, 6, front);
    TEST_CHECK("pareto fastest", front[0] == 1);
    TEST_CHECK("pareto middle", front[1] == 1);
    TEST_CHECK("pareto dominated", front[2] == 0);
    TEST_CHECK("pareto best", front[3] == 1);
    TEST_CHECK("pareto unknown time", front[4] == 0);
    TEST_CHECK("pareto tie kept", front[5] == 1);
}

static void test_variant_order(void) {
    const char *v[] = {"custom", "zeta", "looped_parallel", "skip", "baseline", "alpha", "random"};
    qsort(v, 7, sizeof *v, study_variant_compare);
    const char *want[] = {"baseline", "skip",  "random", "looped_parallel",
                          "custom",   "alpha", "zeta"};
    int same = 1;
    for (int i = 0; i < 7; i++)
        same = same && !strcmp(v[i], want[i]);
    TEST_CHECK("variants in study order", same);
    TEST_CHECK("baseline is black", !strcmp(study_variant_style("baseline").color, "#000000"));
    TEST_CHECK("unknown variants get a style", study_variant_style("zeta").point_type > 0);
}

static void test_similarity_reader(void) {
    char *path = temp_file("entry,0,1,2\n0,1,0.5,0.25\n1,0.5,1,0.75\n2,0.25,0.75,1\n");
    SimilarityMatrix m = similarity_read(path);
    TEST_CHECK("similarity size", m.n == 3);
    TEST_CHECK("similarity value", m.v[1 * 3 + 2] == 0.75 && m.v[2 * 3 + 0] == 0.25);
    similarity_free(&m);
    similarity_free(&m);
    TEST_CHECK("similarity freed", m.v == NULL);
    unlink(path);
    free(path);
}

int main(void) {
    test_csv_reader();
    test_pareto_front();
    test_variant_order();
    test_similarity_reader();
    return test_report("test_study_report");
}
