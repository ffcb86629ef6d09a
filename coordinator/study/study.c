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
#include "study/study_report.h"
#include "study/study_tasks.h"
#include "eval/task.h"
#include "text/tokenizer.h"
#include "base/atomic_file.h"
#include "base/util.h"

#define STUDY_CSV_HEADER STUDY_RESULTS_HEADER
#define STUDY_CSV_FIELDS 18

/* One row of results.csv: a metric of one plan x task cell. */
typedef struct {
    char *plan, *variant, *task, *metric; /* owned */
    int N, K, seed;
    double value, normalized; /* normalized: NAN when not the primary metric */
    StudyLatency ms;          /* the plan's, per token */
    double seconds;
} StudyRow;

typedef struct {
    StudyRow *rows;
    int n, cap;
} RowList;

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
    RowList rows;
    char *csv_path;
    const char *model_name;
    char placement[96];
    int ranks, threads;
    int cells_total, cells_done_now;
    double t_start;
} Study;

static void rows_push(RowList *l, StudyRow row) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->rows = xrealloc(l->rows, (size_t)l->cap * sizeof *l->rows);
    }
    l->rows[l->n++] = row;
}

static void rows_free(RowList *l) {
    for (int i = 0; i < l->n; i++) {
        free(l->rows[i].plan), free(l->rows[i].variant);
        free(l->rows[i].task), free(l->rows[i].metric);
    }
    free(l->rows);
}

/* Perplexity is scored as log(V) - log(ppl): 0 for a uniform guess, higher is better. */
static double study_transform(const Study *st, const char *metric, double v) {
    if (!strcmp(metric, "perplexity")) return log((double)st->r->ck->cfg.vocab_size) - log(v);
    return v;
}

static const StudyRow *find_row(const Study *st, const char *plan, const char *task,
                                const char *metric) {
    for (int i = 0; i < st->rows.n; i++) {
        const StudyRow *w = &st->rows.rows[i];
        if (!strcmp(w->plan, plan) && !strcmp(w->task, task) &&
            (!metric || !strcmp(w->metric, metric)))
            return w;
    }
    return NULL;
}

static void format_number(char *buf, size_t n, double v) {
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, n, "%.10g", v);
}

/* A time in ms with 6 decimals into buf (32 bytes), or "" for NaN. */
static void format_ms(char *buf, double v) {
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, 32, "%.6f", v);
}

static char *row_csv_line(const Study *st, const StudyRow *w) {
    char norm[32], nbuf[16];
    format_number(norm, sizeof norm, w->normalized);
    if (w->N >= 0)
        snprintf(nbuf, sizeof nbuf, "%d", w->N);
    else
        nbuf[0] = '\0';
    char ms[3][32]; /* empty where not measured (an encoder's decode) */
    format_ms(ms[0], w->ms.prefill_ms), format_ms(ms[1], w->ms.decode_ms);
    format_ms(ms[2], w->ms.decode_batch_ms);
    size_t cap = 512 + strlen(w->plan) + strlen(w->task) + strlen(st->model_name);
    char *line = xmalloc(cap);
    snprintf(line, cap, "%s,%s,%s,%s,%d,%d,%s,%s,%.10g,%s,%d,%d,%s,%s,%s,%s,%.3f,%s\n",
             st->model_name, w->plan, w->variant, nbuf, w->K, w->seed, w->task, w->metric, w->value,
             norm, st->ranks, st->threads, st->placement, ms[0], ms[1], ms[2], w->seconds,
             PAINTERS_GIT_REVISION);
    return line;
}

/* Appends rows to results.csv and makes them durable before going on. */
static void append_rows(const Study *st, int from) {
    FILE *f = fopen(st->csv_path, "a");
    if (!f) die_runtime("%s: cannot append: %s", st->csv_path, strerror(errno));
    for (int i = from; i < st->rows.n; i++) {
        char *line = row_csv_line(st, &st->rows.rows[i]);
        fputs(line, f);
        free(line);
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0)
        die_runtime("%s: write failed: %s", st->csv_path, strerror(errno));
}

/* Rewrites results.csv from the rows (atomically). */
static void rewrite_csv(const Study *st) {
    size_t cap = 4096, len = 0;
    char *text = xmalloc(cap);
    len += (size_t)snprintf(text, cap, "%s\n", STUDY_CSV_HEADER);
    for (int i = 0; i < st->rows.n; i++) {
        char *line = row_csv_line(st, &st->rows.rows[i]);
        size_t n = strlen(line);
        if (len + n + 1 > cap) text = xrealloc(text, cap = 2 * (len + n + 1));
        memcpy(text + len, line, n + 1);
        len += n;
        free(line);
    }
    write_text_atomic(st->csv_path, text);
    free(text);
}

static double parse_double_field(const char *s, const char *path, int line) {
    if (!*s) return NAN;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end) die_input("%s:%d: '%s' is not a number", path, line, s);
    return v;
}

/* Loads the rows of an earlier run of this study from results.csv. A last
 * line cut short by a kill is dropped. */
static void load_previous_rows(Study *st) {
    if (!file_exists(st->csv_path)) return;
    size_t len;
    char *text = read_file_text(st->csv_path, &len);
    if (len > 0 && text[len - 1] != '\n') {
        char *last = strrchr(text, '\n');
        warn_msg("%s: dropping a last line cut short", st->csv_path);
        if (last)
            last[1] = '\0';
        else
            text[0] = '\0';
    }
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    int lineno = 1;
    if (!line || strcmp(line, STUDY_CSV_HEADER))
        die_input(
            "%s:1: not a painters study results file (header differs); use another output folder",
            st->csv_path);
    while ((line = strtok_r(NULL, "\n", &save))) {
        lineno++;
        char *f[STUDY_CSV_FIELDS];
        int nf = 0;
        for (char *p = line; nf < STUDY_CSV_FIELDS; nf++) {
            f[nf] = p;
            char *comma = strchr(p, ',');
            if (!comma) {
                nf++;
                break;
            }
            *comma = '\0';
            p = comma + 1;
        }
        if (nf != STUDY_CSV_FIELDS)
            die_input("%s:%d: expected %d fields, found %d", st->csv_path, lineno, STUDY_CSV_FIELDS,
                      nf);
        if (strcmp(f[0], st->model_name))
            die_input("%s:%d: results of model %s, not %s; use another output folder", st->csv_path,
                      lineno, f[0], st->model_name);
        StudyRow w = {.plan = xstrdup(f[1]),
                      .variant = xstrdup(f[2]),
                      .task = xstrdup(f[6]),
                      .metric = xstrdup(f[7])};
        w.N = *f[3] ? atoi(f[3]) : -1;
        w.K = atoi(f[4]);
        w.seed = atoi(f[5]);
        w.value = parse_double_field(f[8], st->csv_path, lineno);
        w.normalized = parse_double_field(f[9], st->csv_path, lineno);
        w.ms.prefill_ms = parse_double_field(f[13], st->csv_path, lineno);
        w.ms.decode_ms = parse_double_field(f[14], st->csv_path, lineno);
        w.ms.decode_batch_ms = parse_double_field(f[15], st->csv_path, lineno);
        w.seconds = parse_double_field(f[16], st->csv_path, lineno);
        rows_push(&st->rows, w);
    }
    free(text);
    rewrite_csv(st);
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
                      .value = res.metrics[m].value,
                      .ms = ms,
                      .seconds = res.seconds};
        rows_push(&st->rows, w);
    }
    /* After the cell's rows are in: the baseline's own cell normalizes to 1. */
    for (int i = first; i < st->rows.n; i++) {
        StudyRow *w = &st->rows.rows[i];
        w->normalized = normalized_score(st, ts, w->metric, w->value);
    }
    append_rows(st, first);
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
        format_number(med_s, sizeof med_s, med);
        if (any->N >= 0)
            snprintf(n_s, sizeof n_s, "%d", any->N);
        else
            n_s[0] = '\0';
        char ms[3][32];
        format_ms(ms[0], any->ms.prefill_ms), format_ms(ms[1], any->ms.decode_ms);
        format_ms(ms[2], any->ms.decode_batch_ms);
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

int study_run(const StudyOptions *o) {
    if (o->n_tasks <= 0) die_input("study: no tasks");
    if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST)
        die_input("%s: cannot create the output folder: %s", o->out_dir, strerror(errno));
    Study st = {.o = o};
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
    st.csv_path = path_join(o->out_dir, "results.csv");
    if (!file_exists(st.csv_path)) write_text_atomic(st.csv_path, STUDY_CSV_HEADER "\n");
    load_previous_rows(&st);

    int resumed = 0;
    for (int i = 0; i < st.n_plans; i++)
        for (int t = 0; t < o->n_tasks; t++) {
            if (find_row(&st, st.plans[i]->name, st.tasks[t].name, NULL))
                resumed++;
            else
                st.cells_total++;
        }
    printf("study: %d plans x %d tasks on %s, %d rank(s), placement %s -> %s%s\n", st.n_plans,
           o->n_tasks, st.model_name, st.ranks, st.placement, o->out_dir,
           resumed ? " (resuming)" : "");
    if (resumed) printf("study: %d cells already done, %d to go\n", resumed, st.cells_total);
    fflush(stdout);
    for (int i = 0; i < st.n_plans; i++) {
        Program *p = st.plans[i];
        int todo = 0;
        for (int t = 0; t < o->n_tasks; t++)
            todo += !find_row(&st, p->name, st.tasks[t].name, NULL);
        if (!todo) continue;
        runner_set_program(st.r, program_slice(p, 0, p->n_steps));
        StudyLatency ms = study_measure_latency(st.r, o->latency_prompt, o->latency_decode);
        for (int t = 0; t < o->n_tasks; t++)
            if (!find_row(&st, p->name, st.tasks[t].name, NULL)) run_cell(&st, p, &st.tasks[t], ms);
        write_summary(&st);
    }
    write_summary(&st);
    write_similarity(&st);
    print_table(&st);
    if (o->report) study_write_report(o->out_dir);
    printf("study done in %.1f s\n", now_seconds() - st.t_start);
    for (int i = 0; i < o->n_tasks; i++) {
        task_free(st.tasks[i].task);
        free(st.tasks[i].name);
    }
    free(st.tasks);
    for (int i = 0; i < st.n_plans; i++)
        program_free(st.plans[i]);
    free(st.plans);
    rows_free(&st.rows);
    free(st.csv_path);
    tokenizer_free(st.tok);
    runner_close(st.r);
    return 0;
}
