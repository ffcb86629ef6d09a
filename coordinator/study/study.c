/* study.c: see study.h. */
#include "study/study.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/machine.h"
#include "text/model_files.h"
#include "program/plan.h"
#include "run/progress.h"
#include "eval/similarity.h"
#include "study/study_latency.h"
#include "study/study_merge.h"
#include "study/study_report.h"
#include "study/study_rows.h"
#include "study/study_shard.h"
#include "study/study_tasks.h"
#include "eval/task.h"
#include "text/tokenizer.h"
#include "base/atomic_file.h"
#include "base/util.h"

/* A task of the study: loaded items, a short name, its primary metric and
 * the score of guessing at random on it. */
typedef struct {
    Task *task;
    char *name;          /* "kind:basename", the key in results.csv; owned */
    const char *primary; /* "perplexity", "acc" or "exact_match" */
    double chance;       /* primary score of random guessing, transformed */
} StudyTaskState;

typedef struct {
    const StudyOptions *o;
    Runner *r;
    Tokenizer *tok;
    StudyTaskState *tasks;
    Program **plans;
    int n_plans;
    StudyRows rows;
    char *csv_path;
    const char *model_name;
    char placement[96];
    int ranks, threads;
    int cells_total, cells_done_now;
    double t_start;
    int merge_lock; /* held from the merge to the end of the outputs; -1: none */
} Study;

/* Perplexity is scored as log(V) - log(ppl): 0 for a uniform guess, higher is better. */
static double study_transform(const Study *st, const char *metric, double v) {
    if (!strcmp(metric, "perplexity")) return log((double)st->r->ck->cfg.vocab_size) - log(v);
    return v;
}

static const StudyRow *find_row(const Study *st, const char *plan, const char *task,
                                const char *metric) {
    return study_rows_find(&st->rows, plan, task, metric);
}

/* The normalized primary score of a cell, once the baseline's is known. */
static double normalized_score(const Study *st, const StudyTaskState *ts, const char *metric,
                               double value) {
    if (strcmp(metric, ts->primary)) return NAN;
    const StudyRow *base = find_row(st, st->plans[0]->name, ts->name, ts->primary);
    double s = study_transform(st, metric, value);
    if (!base) return NAN;
    double b = study_transform(st, metric, base->value);
    return fabs(b - ts->chance) < 1e-12 ? NAN : (s - ts->chance) / (b - ts->chance);
}

/* Recomputes every row's normalized score from the values (as they were
 * written), as run_cell computes it: a resumed or merged study's scores equal
 * those of a study run in one go. Rows of tasks not in this study keep theirs. */
static void renormalize(Study *st) {
    for (int i = 0; i < st->rows.n; i++) {
        StudyRow *w = &st->rows.rows[i];
        for (int t = 0; t < st->o->n_tasks; t++)
            if (!strcmp(w->task, st->tasks[t].name))
                w->normalized = normalized_score(st, &st->tasks[t], w->metric, w->value);
    }
}

static void format_duration(char *buf, size_t n, double s) {
    if (s >= 60)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, n, "%.0fs", s);
}

/* Evaluates one cell and records its rows. */
static void run_cell(Study *st, const Program *p, StudyTaskState *ts, StudyLatency ms) {
    TaskResult res;
    Progress progress;
    char label[256];
    snprintf(label, sizeof label, "  %s x %s", p->name, ts->name);
    progress_start(&progress, label, task_item_count(ts->task));
    task_evaluate(ts->task, st->r, st->tok, &(TaskEvalOptions){.progress = &progress}, &res);
    int first = st->rows.n;
    for (int m = 0; m < res.n_metrics; m++) {
        StudyRow w = {.plan = xstrdup(p->name),
                      .variant = xstrdup(p->variant),
                      .task = xstrdup(ts->name),
                      .metric = xstrdup(res.metrics[m].name),
                      .N = strcmp(p->variant, "custom") ? p->N : -1,
                      .K = p->K,
                      .seed = p->seed,
                      .placement = xstrdup(st->placement),
                      .revision = xstrdup(PAINTERS_GIT_REVISION),
                      .ranks = st->ranks,
                      .threads = st->threads,
                      .value = study_value_as_written(res.metrics[m].value),
                      .ms = ms,
                      .seconds = res.seconds};
        study_rows_push(&st->rows, w);
    }
    /* After the cell's rows are in: the baseline's own cell normalizes to 1. */
    for (int i = first; i < st->rows.n; i++) {
        StudyRow *w = &st->rows.rows[i];
        w->normalized = normalized_score(st, ts, w->metric, w->value);
    }
    study_rows_append(st->csv_path, st->model_name, &st->rows, first);
    st->cells_done_now++;
    const StudyRow *prim = find_row(st, p->name, ts->name, ts->primary);
    double elapsed = now_seconds() - st->t_start;
    int left = st->cells_total - st->cells_done_now;
    char el[32], eta[32];
    format_duration(el, sizeof el, elapsed);
    format_duration(eta, sizeof eta, left * elapsed / st->cells_done_now);
    printf("[%d/%d] %-24s %-18s %s %.4f (normalized %.3f)  %.1f s  elapsed %s  ETA %s\n",
           st->cells_done_now, st->cells_total, p->name, ts->name, ts->primary,
           prim ? prim->value : NAN, prim ? prim->normalized : NAN, res.seconds, el, eta);
    fflush(stdout);
}

/* Median of the plan's normalized primary scores over tasks. */
static double plan_median(const Study *st, const Program *p) {
    double v[64];
    int n = 0;
    for (int t = 0; t < st->o->n_tasks && n < 64; t++) {
        const StudyRow *w = find_row(st, p->name, st->tasks[t].name, st->tasks[t].primary);
        if (w && !isnan(w->normalized)) v[n++] = w->normalized;
    }
    return n ? median_of(v, n) : NAN;
}

static void write_summary(const Study *st) {
    size_t cap = 256 + (size_t)st->n_plans * 256, len = 0;
    char *text = xmalloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "%s\n", STUDY_SUMMARY_HEADER);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", st->model_name);
    cJSON_AddNumberToObject(root, "ranks", st->ranks);
    cJSON_AddNumberToObject(root, "threads", st->threads);
    cJSON_AddStringToObject(root, "placement", st->placement);
    StudyBatchShape batch = study_batch_shape(st->r);
    cJSON *jb = cJSON_AddObjectToObject(root, "decode_batch");
    cJSON_AddNumberToObject(jb, "sequences", batch.sequences);
    cJSON_AddNumberToObject(jb, "lanes", batch.lanes);
    cJSON_AddStringToObject(root, "git_revision", PAINTERS_GIT_REVISION);
    cJSON *plans = cJSON_AddArrayToObject(root, "plans");
    for (int i = 0; i < st->n_plans; i++) {
        const Program *p = st->plans[i];
        const StudyRow *any = NULL;
        for (int t = 0; t < st->o->n_tasks && !any; t++)
            any = find_row(st, p->name, st->tasks[t].name, NULL);
        if (!any) continue;
        double med = plan_median(st, p);
        char med_s[32], n_s[16];
        study_format_number(med_s, sizeof med_s, med);
        if (any->N >= 0)
            snprintf(n_s, sizeof n_s, "%d", any->N);
        else
            n_s[0] = '\0';
        char ms[3][32];
        study_format_ms(ms[0], any->ms.prefill_ms), study_format_ms(ms[1], any->ms.decode_ms);
        study_format_ms(ms[2], any->ms.decode_batch_ms);
        len += (size_t)snprintf(text + len, cap - len, "%s,%s,%s,%d,%d,%d,%s,%s,%s,%s\n", p->name,
                                p->variant, n_s, p->K, p->seed, p->n_steps, med_s, ms[0], ms[1],
                                ms[2]);
        cJSON *jp = cJSON_CreateObject();
        cJSON_AddStringToObject(jp, "plan", p->name);
        cJSON_AddStringToObject(jp, "variant", p->variant);
        if (any->N >= 0) cJSON_AddNumberToObject(jp, "N", any->N);
        cJSON *prog = cJSON_AddArrayToObject(jp, "program");
        for (int s = 0; s < p->n_steps; s++)
            cJSON_AddItemToArray(prog,
                                 cJSON_CreateIntArray(p->steps[s].layers, p->steps[s].n_layers));
        if (!isnan(med)) cJSON_AddNumberToObject(jp, "median_normalized", med);
        cJSON_AddNumberToObject(jp, "prefill_ms_per_token", any->ms.prefill_ms);
        cJSON_AddNumberToObject(jp, "decode_ms_per_token", any->ms.decode_ms);
        cJSON_AddNumberToObject(jp, "decode_batch_ms_per_token", any->ms.decode_batch_ms);
        cJSON *cells = cJSON_AddArrayToObject(jp, "cells");
        for (int t = 0; t < st->o->n_tasks; t++) {
            cJSON *cell = cJSON_CreateObject(), *metrics = cJSON_CreateObject();
            cJSON_AddStringToObject(cell, "task", st->tasks[t].name);
            for (int k = 0; k < st->rows.n; k++) {
                const StudyRow *w = &st->rows.rows[k];
                if (strcmp(w->plan, p->name) || strcmp(w->task, st->tasks[t].name)) continue;
                cJSON_AddNumberToObject(metrics, w->metric, w->value);
                if (!isnan(w->normalized))
                    cJSON_AddNumberToObject(cell, "normalized", w->normalized);
                cJSON_AddNumberToObject(cell, "seconds", w->seconds);
            }
            cJSON_AddItemToObject(cell, "metrics", metrics);
            cJSON_AddItemToArray(cells, cell);
        }
        cJSON_AddItemToArray(plans, jp);
        if (len + 512 > cap) text = xrealloc(text, cap *= 2);
    }
    char *path = path_join(st->o->out_dir, "summary.csv");
    write_text_atomic(path, text);
    free(path);
    free(text);
    char *json = cJSON_Print(root);
    path = path_join(st->o->out_dir, "results.json");
    write_text_atomic(path, json);
    free(path);
    free(json);
    cJSON_Delete(root);
}

/* The plans: baseline first, then each variant for each N (or the files). */
static void build_plans(Study *st) {
    const StudyOptions *o = st->o;
    int T = st->r->ck->cfg.n_layers;
    /* Without --N: an eighth, a quarter and three eighths of the layers (the
     * demo's 16 layers: 2, 4, 6; BERT-large's 24: 3, 6, 9), each at least 1
     * and leaving a middle of 2 layers or more (the demo BERT's 8: 1, 2). */
    int default_Ns[3], n_default = 0;
    for (int k = 1; k <= 3; k++) {
        int N = k * T / 8 > 0 ? k * T / 8 : 1;
        if (T - 2 * N - 1 >= 2 && (n_default == 0 || default_Ns[n_default - 1] != N))
            default_Ns[n_default++] = N;
    }
    const int *Ns = o->n_Ns ? o->Ns : default_Ns;
    int n_Ns = o->n_Ns ? o->n_Ns : n_default;
    st->plans = xmalloc((size_t)(2 + o->n_plan_files + o->n_variants * n_Ns) * sizeof(Program *));
    st->plans[st->n_plans++] = plan_expand_variant("baseline", 0, 0, 0, T);
    for (int i = 0; i < o->n_plan_files; i++)
        st->plans[st->n_plans++] = plan_load(o->plan_files[i], T);
    for (int v = 0; v < o->n_variants; v++) {
        if (!strcmp(o->variants[v], "baseline")) continue;
        for (int i = 0; i < n_Ns; i++) {
            if (2 * Ns[i] >= T) {
                warn_msg("study: N = %d leaves no middle in a %d-layer model; skipped", Ns[i], T);
                continue;
            }
            st->plans[st->n_plans++] = plan_expand_variant(o->variants[v], Ns[i], o->K, o->seed, T);
        }
    }
    for (int i = 0; i < st->n_plans; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(st->plans[i]->name, st->plans[j]->name))
                die_input("study: two plans are both named '%s'", st->plans[i]->name);
}

static void load_tasks(Study *st) {
    const StudyOptions *o = st->o;
    st->tasks = xcalloc((size_t)o->n_tasks, sizeof *st->tasks);
    for (int i = 0; i < o->n_tasks; i++) {
        StudyTaskState *ts = &st->tasks[i];
        ts->task = task_load(o->tasks[i].spec, &(TaskLoadOptions){.limit = o->tasks[i].limit});
        const char *base = strrchr(ts->task->path, '/');
        base = base ? base + 1 : ts->task->path;
        size_t n = strlen(base) + 32;
        ts->name = xmalloc(n);
        if (ts->task->kind == TASK_GLUE)
            snprintf(ts->name, n, "glue-%s:%s", ts->task->glue->name, base);
        else
            snprintf(ts->name, n, "%s:%s", task_kind_name(ts->task->kind), base);
        if (strchr(ts->name, ',')) die_input("study: task file name '%s' has a comma", base);
        double chance;
        ts->primary = study_task_primary(ts->task, st->r->ck->cfg.vocab_size, &chance);
        ts->chance = study_transform(st, ts->primary, chance);
        for (int j = 0; j < i; j++)
            if (!strcmp(st->tasks[j].name, ts->name))
                die_input("study: two tasks are both called %s", ts->name);
    }
}

/* The baseline's similarity heat map over the first sequences of the first
 * perplexity task (or the first choice contexts). */
static void write_similarity(Study *st) {
    int want = st->o->similarity_seqs, n = 0;
    if (want <= 0) return;
    int **seqs = xcalloc((size_t)want, sizeof(int *)), *lens = xcalloc((size_t)want, sizeof(int));
    for (int t = 0; t < st->o->n_tasks && n < want; t++) {
        const Task *task = st->tasks[t].task;
        for (int i = 0; i < task->n_items && n < want; i++) {
            const char *text = task_item_text(task, i);
            if (!text) break;
            /* encoders: [CLS] text [SEP]; decoders: the prefix token, then the text */
            lens[n] = runner_is_encoder(st->r) ? tokenizer_encode(st->tok, text, 1, &seqs[n])
                                               : tokenizer_encode_sequence(st->tok, text, &seqs[n]);
            if (lens[n] > 128) lens[n] = 128;
            n++;
        }
    }
    if (n > 0) {
        runner_set_program(st->r, program_slice(st->plans[0], 0, st->plans[0]->n_steps));
        int E = st->plans[0]->n_steps + 1;
        double *sim = xmalloc((size_t)E * E * sizeof(double));
        similarity_matrix(st->r, n, (const int *const *)seqs, lens, sim);
        char *path = path_join(st->o->out_dir, "similarity.csv");
        similarity_write_csv(path, sim, E);
        printf("similarity of the baseline's hidden states over %d sequences: %s\n", n, path);
        free(path);
        free(sim);
    }
    for (int i = 0; i < n; i++)
        free(seqs[i]);
    free(seqs), free(lens);
}

static void print_table(const Study *st) {
    StudyBatchShape batch = study_batch_shape(st->r);
    printf("\n# %-24s %-16s %3s %8s", "plan", "variant", "N", "median");
    for (int t = 0; t < st->o->n_tasks; t++)
        printf(" %16.16s", st->tasks[t].name);
    printf(" %12s %12s %12s\n", "prefill_ms", "decode_ms", "batch_ms");
    for (int i = 0; i < st->n_plans; i++) {
        const Program *p = st->plans[i];
        const StudyRow *any = find_row(st, p->name, st->tasks[0].name, NULL);
        if (!any) continue;
        char n_s[16] = "-";
        if (any->N >= 0) snprintf(n_s, sizeof n_s, "%d", any->N);
        printf("  %-24s %-16s %3s %8.3f", p->name, p->variant, n_s, plan_median(st, p));
        for (int t = 0; t < st->o->n_tasks; t++) {
            const StudyRow *w = find_row(st, p->name, st->tasks[t].name, st->tasks[t].primary);
            char cell[32] = "-";
            if (w) snprintf(cell, sizeof cell, "%.4g (%.2f)", w->value, w->normalized);
            printf(" %16s", cell);
        }
        double v[3] = {any->ms.prefill_ms, any->ms.decode_ms, any->ms.decode_batch_ms};
        for (int k = 0; k < 3; k++)
            if (isnan(v[k]))
                printf(" %12s", "-");
            else
                printf(" %12.3f", v[k]);
        printf("\n");
    }
    printf("# median: the median over tasks of the normalized score (s - s_random) / (s_baseline - "
           "s_random); task cells: primary metric (normalized); ms per token at %d rank(s): ",
           st->ranks);
    if (runner_is_encoder(st->r))
        printf("prefill of one sequence (an encoder does not decode)\n");
    else
        printf("prefill and decode of one sequence, batch_ms decode of %d sequences together over "
               "%d lane(s)\n",
               batch.sequences, batch.lanes);
}

/* Opens this process's results file (OUT/results.csv, or its shard's),
 * taking the shard's lock, and loads the rows an earlier run left there. */
static void open_results(Study *st) {
    const StudyOptions *o = st->o;
    int shards_here = study_shards_count(o->out_dir);
    if (o->shard.count) {
        study_shard_claim(o->out_dir, o->shard);
        if (shards_here && shards_here != o->shard.count)
            die_input("%s/shards: results of a study split into %d shards, not %d; use another "
                      "output folder",
                      o->out_dir, shards_here, o->shard.count);
        st->csv_path = study_shard_path(o->out_dir, o->shard, "results", "csv");
    } else {
        st->csv_path = path_join(o->out_dir, "results.csv");
        if (shards_here && !file_exists(st->csv_path))
            die_input("%s/shards: results of a study split into %d shards and no merged "
                      "results.csv; run the missing shards (--shard I/%d) or --merge",
                      o->out_dir, shards_here, shards_here);
    }
    if (!file_exists(st->csv_path)) write_text_atomic(st->csv_path, STUDY_RESULTS_HEADER "\n");
    if (study_rows_load(st->csv_path, st->model_name, &st->rows)) {
        warn_msg("%s: dropping a last line cut short", st->csv_path);
        study_rows_write(st->csv_path, st->model_name, &st->rows);
    }
    for (int i = 0; i < st->n_plans && o->shard.count; i++)
        if (!study_shard_owns(o->shard, i))
            for (int t = 0; t < o->n_tasks; t++)
                if (find_row(st, st->plans[i]->name, st->tasks[t].name, NULL))
                    die_input("%s: a row of plan %s, which is shard %d/%d's", st->csv_path,
                              st->plans[i]->name, i % o->shard.count, o->shard.count);
    renormalize(st);
}

/* Runs the cells of this process's plans that its results file lacks. */
static void run_cells(Study *st) {
    const StudyOptions *o = st->o;
    int resumed = 0, mine = 0;
    for (int i = 0; i < st->n_plans; i++) {
        if (!study_shard_owns(o->shard, i)) continue;
        mine++;
        for (int t = 0; t < o->n_tasks; t++) {
            if (find_row(st, st->plans[i]->name, st->tasks[t].name, NULL))
                resumed++;
            else
                st->cells_total++;
        }
    }
    char share[64] = "";
    if (o->shard.count)
        snprintf(share, sizeof share, " (shard %d/%d: %d of the plans)", o->shard.index,
                 o->shard.count, mine);
    printf("study: %d plans x %d tasks%s on %s, %d rank(s), placement %s -> %s%s\n", st->n_plans,
           o->n_tasks, share, st->model_name, st->ranks, st->placement, o->out_dir,
           resumed ? " (resuming)" : "");
    if (resumed) printf("study: %d cells already done, %d to go\n", resumed, st->cells_total);
    fflush(stdout);
    if (o->shard.count)
        study_shard_record_start(o->out_dir, o->shard, st->ranks, resumed, st->cells_total);
    for (int i = 0; i < st->n_plans; i++) {
        Program *p = st->plans[i];
        int todo = 0;
        for (int t = 0; t < o->n_tasks && study_shard_owns(o->shard, i); t++)
            todo += !find_row(st, p->name, st->tasks[t].name, NULL);
        if (!todo) continue;
        runner_set_program(st->r, program_slice(p, 0, p->n_steps));
        StudyLatency ms = study_measure_latency(st->r, o->latency_prompt, o->latency_decode);
        for (int t = 0; t < o->n_tasks; t++)
            if (!find_row(st, p->name, st->tasks[t].name, NULL)) run_cell(st, p, &st->tasks[t], ms);
        if (!o->shard.count) write_summary(st); /* a shard writes only its own file */
    }
}

/* Under the merge lock (kept in st->merge_lock until the outputs are
 * written), replaces the rows by those of the n_shards shards and points
 * csv_path at OUT/results.csv, rewritten; returns 1. With cells missing:
 * die_input when `required`, else 0 after saying what is missing. */
static int merge_shards(Study *st, int n_shards, int required) {
    const char *out = st->o->out_dir;
    if (n_shards == 0) die_input("%s/shards: no shard results (results-I-of-N.csv) to merge", out);
    const char **plans = xmalloc((size_t)st->n_plans * sizeof *plans);
    const char **tasks = xmalloc((size_t)st->o->n_tasks * sizeof *tasks);
    for (int i = 0; i < st->n_plans; i++)
        plans[i] = st->plans[i]->name;
    for (int t = 0; t < st->o->n_tasks; t++)
        tasks[t] = st->tasks[t].name;
    st->merge_lock = study_shard_lock_merge(out);
    StudyRows merged = {0};
    int missing = study_merge_shards(out, st->model_name, n_shards, plans, st->n_plans, tasks,
                                     st->o->n_tasks, &merged);
    free(plans), free(tasks);
    if (missing) {
        study_rows_free(&merged);
        if (required)
            die_input("%s: merge incomplete: %d of %d cells missing (listed above); run their "
                      "shards again, then merge",
                      out, missing, st->n_plans * st->o->n_tasks);
        printf("study: shard %d/%d done; %d cells of other shards still missing: the last shard "
               "to finish merges\n",
               st->o->shard.index, n_shards, missing);
        study_shard_unlock(st->merge_lock);
        st->merge_lock = -1;
        return 0;
    }
    study_rows_free(&st->rows);
    st->rows = merged;
    renormalize(st);
    free(st->csv_path);
    st->csv_path = path_join(out, "results.csv");
    study_rows_write(st->csv_path, st->model_name, &st->rows);
    printf("study: merged %d shards into %s: %d cells, %d rows\n", n_shards, st->csv_path,
           st->n_plans * st->o->n_tasks, st->rows.n);
    return 1;
}

int study_run(const StudyOptions *o) {
    if (o->n_tasks <= 0) die_input("study: no tasks");
    if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST)
        die_input("%s: cannot create the output folder: %s", o->out_dir, strerror(errno));
    Study st = {.o = o, .merge_lock = -1};
    st.t_start = now_seconds();
    RunnerOptions ro = o->run;
    ro.plan = NULL;
    st.r = runner_open(&ro);
    st.model_name = st.r->ck->path;
    if (strchr(st.model_name, ',')) die_input("study: model path '%s' has a comma", st.model_name);
    st.ranks = st.r->world;
    st.threads = machine_set_threads(0);
    snprintf(st.placement, sizeof st.placement, "%s", st.r->placement->name);
    st.tok = model_open_tokenizer(ro.model, o->tokenizer, "study");
    model_check_tokenizer(st.tok, st.r->ck->cfg.vocab_size, ro.model);
    if (!runner_is_encoder(st.r) && tokenizer_prefix(st.tok) < 0)
        die_input("%s: the tokenizer has neither a BOS nor an EOS token", ro.model);
    load_tasks(&st);
    build_plans(&st);
    int merged_here = 0;
    if (o->merge) {
        merged_here = merge_shards(&st, study_shards_count(o->out_dir), 1);
    } else {
        open_results(&st);
        run_cells(&st);
        if (o->shard.count) {
            study_shard_record_end(o->out_dir, o->shard);
            merged_here = merge_shards(&st, o->shard.count, 0);
        }
    }
    if (!o->shard.count || merged_here) {
        write_summary(&st);
        write_similarity(&st);
        print_table(&st);
        if (o->report) study_write_report(o->out_dir);
    }
    study_shard_unlock(st.merge_lock);
    printf("study done in %.1f s\n", now_seconds() - st.t_start);
    for (int i = 0; i < o->n_tasks; i++) {
        task_free(st.tasks[i].task);
        free(st.tasks[i].name);
    }
    free(st.tasks);
    for (int i = 0; i < st.n_plans; i++)
        program_free(st.plans[i]);
    free(st.plans);
    study_rows_free(&st.rows);
    free(st.csv_path);
    tokenizer_free(st.tok);
    runner_close(st.r);
    return 0;
}
