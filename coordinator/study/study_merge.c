/* study_merge.c: see study_merge.h. */
#include "study/study_merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "study/study_shard.h"
#include "base/util.h"

static int index_of(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}

int study_merge_shards(const char *out, const char *model, int n_shards, const char *const *plans,
                       int n_plans, const char *const *tasks, int n_tasks, StudyRows *rows) {
    StudyRows all = {0};
    for (int j = 0; j < n_shards; j++) {
        StudyShard s = {j, n_shards};
        char *path = study_shard_path(out, s, "results", "csv");
        if (!file_exists(path)) {
            free(path);
            continue;
        }
        StudyRows part = {0};
        study_rows_load(path, model, &part); /* a line cut short: its cell is missing */
        for (int i = 0; i < part.n; i++) {
            StudyRow *w = &part.rows[i];
            int p = index_of(plans, n_plans, w->plan);
            if (p < 0 || index_of(tasks, n_tasks, w->task) < 0)
                die_input("%s: a row of %s x %s, not a cell of this study; merge with the "
                          "arguments the shards were given",
                          path, w->plan, w->task);
            if (!study_shard_owns(s, p))
                die_input("%s: a row of plan %s, which is shard %d/%d's, not this one's", path,
                          w->plan, p % n_shards, n_shards);
            if (study_rows_find(&all, w->plan, w->task, w->metric))
                die_input("%s: %s x %s %s written twice", path, w->plan, w->task, w->metric);
            study_rows_push(&all, *w); /* moves its strings */
        }
        free(part.rows);
        free(path);
    }
    int missing = 0;
    for (int p = 0; p < n_plans; p++)
        for (int t = 0; t < n_tasks; t++) {
            int found = 0;
            for (int i = 0; i < all.n; i++) {
                StudyRow *w = &all.rows[i];
                if (!w->plan || strcmp(w->plan, plans[p]) || strcmp(w->task, tasks[t])) continue;
                study_rows_push(rows, *w);
                w->plan = NULL; /* moved */
                found = 1;
            }
            if (found) continue;
            if (missing < 20)
                printf("study: missing cell %s x %s (shard %d/%d)\n", plans[p], tasks[t],
                       p % n_shards, n_shards);
            missing++;
        }
    if (missing > 20) printf("study: ... and %d more missing cells\n", missing - 20);
    fflush(stdout);
    free(all.rows); /* every row was moved into rows */
    return missing;
}
