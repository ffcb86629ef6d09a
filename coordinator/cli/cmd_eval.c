/* cmd_eval.c: `painters eval`: task scores of a model under a plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "text/model_files.h"
#include "run/runner.h"
#include "eval/task.h"
#include "text/tokenizer.h"
#include "base/atomic_file.h"
#include "base/util.h"

#define DEMO_TASKS_DIR PAINTERS_SOURCE_DIR "/tasks/painters-demo"

/* One task to run: its spec and the limit it runs with. */
typedef struct {
    char *spec; /* owned */
    long limit;
} EvalSpec;

/* The demo model's held-out tasks with the limits of the fixture protocol
 * (study-baseline.json). */
static const struct {
    const char *spec;
    long limit;
} DEMO_TASKS[] = {
    {"ppl:" DEMO_TASKS_DIR "/heldout.txt", 100},
    {"mc:" DEMO_TASKS_DIR "/cloze.jsonl", 200},
    {"gen:" DEMO_TASKS_DIR "/arith.jsonl", 200},
};

/* --task values, "demo" expanded; --limit (> 0) overrides the demo limits.
 * Caller frees each spec and the array. */
static EvalSpec *expand_specs(const char **tasks, int n_tasks, long limit, int *n_out) {
    int n_demo = sizeof DEMO_TASKS / sizeof DEMO_TASKS[0];
    EvalSpec *specs = xmalloc((size_t)n_tasks * (size_t)n_demo * sizeof *specs);
    int n = 0;
    for (int i = 0; i < n_tasks; i++) {
        if (!strcmp(tasks[i], "demo")) {
            for (int d = 0; d < n_demo; d++)
                specs[n++] = (EvalSpec){xstrdup(DEMO_TASKS[d].spec),
                                        limit > 0 ? limit : DEMO_TASKS[d].limit};
        } else {
            specs[n++] = (EvalSpec){xstrdup(tasks[i]), limit};
        }
    }
    *n_out = n;
    return specs;
}

/* The program's steps as a JSON list of lists of layer ids. */
static cJSON *program_json(const Program *p) {
    cJSON *steps = cJSON_CreateArray();
    for (int s = 0; s < p->n_steps; s++)
        cJSON_AddItemToArray(steps, cJSON_CreateIntArray(p->steps[s].layers, p->steps[s].n_layers));
    return steps;
}

/* One task's result object, as README.md "Evaluation" describes it. */
static cJSON *result_json(const Task *t, const TaskResult *res, const Runner *r, const char *model,
                          int max_new) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", t->spec);
    cJSON_AddStringToObject(o, "kind", task_kind_name(t->kind));
    cJSON_AddStringToObject(o, "file", t->path);
    cJSON_AddStringToObject(o, "model", model);
    cJSON_AddStringToObject(o, "plan", r->program->name);
    cJSON_AddItemToObject(o, "program", program_json(r->program));
    cJSON *settings = cJSON_AddObjectToObject(o, "settings");
    cJSON_AddNumberToObject(settings, "limit", (double)t->opts.limit);
    if (t->kind == TASK_PPL && t->opts.chunk_ctx > 0)
        cJSON_AddNumberToObject(settings, "ctx", t->opts.chunk_ctx);
    if (t->kind == TASK_GSM8K) cJSON_AddNumberToObject(settings, "shots", t->opts.shots);
    if (t->kind == TASK_GLUE) cJSON_AddBoolToObject(settings, "no_train", t->opts.no_train);
    if (t->kind == TASK_GEN || t->kind == TASK_GSM8K)
        cJSON_AddNumberToObject(settings, "max_new",
                                max_new > 0             ? max_new
                                : t->kind == TASK_GSM8K ? TASK_GSM8K_DEFAULT_MAX_NEW
                                                        : TASK_GEN_DEFAULT_MAX_NEW);
    cJSON *metrics = cJSON_AddObjectToObject(o, "metrics");
    for (int m = 0; m < res->n_metrics; m++)
        cJSON_AddNumberToObject(metrics, res->metrics[m].name, res->metrics[m].value);
    cJSON *counts = cJSON_AddObjectToObject(o, "counts");
    cJSON_AddNumberToObject(counts, "items", (double)res->items);
    cJSON_AddNumberToObject(counts, "skipped", (double)res->skipped);
    cJSON_AddNumberToObject(counts, "tokens", (double)res->tokens);
    cJSON_AddNumberToObject(counts, "tokens_run", (double)res->tokens_run);
    cJSON *timing = cJSON_AddObjectToObject(o, "timing");
    double sec = res->seconds > 0 ? res->seconds : 1e-9;
    cJSON_AddNumberToObject(timing, "seconds", res->seconds);
    cJSON_AddNumberToObject(timing, "items_per_s", res->items / sec);
    cJSON_AddNumberToObject(timing, "tokens_per_s", res->tokens_run / sec);
    return o;
}

/* Writes JSON text to path through a temporary file and a rename, so the
 * file always holds a whole document. */
static void write_json_file(const char *path, const cJSON *doc) {
    char *text = cJSON_Print(doc);
    if (!text) die_runtime("eval: out of memory printing JSON");
    write_text_atomic(path, text);
    free(text);
}

static void print_result(const Task *t, const TaskResult *res) {
    printf("%s:", t->spec);
    for (int m = 0; m < res->n_metrics; m++)
        printf(" %s %.6f", res->metrics[m].name, res->metrics[m].value);
    printf("  (%ld items, %ld skipped, %ld tokens; %.2f s, %.1f items/s, %.0f tokens/s)\n",
           res->items, res->skipped, res->tokens, res->seconds,
           res->seconds > 0 ? res->items / res->seconds : 0.0,
           res->seconds > 0 ? res->tokens_run / res->seconds : 0.0);
    fflush(stdout);
}

int cmd_eval(int argc, char **argv) {
    const char **tasks;
    int n_tasks = cli_take_repeated("eval", &argc, argv, "--task", &tasks);
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"--task", "KIND:FILE",
         "a task, repeatable: ppl, mc, gen, arc, hellaswag, winogrande, "
         "lambada, gsm8k; encoders: mlm:FILE, glue-NAME:DIR; 'demo' = the demo model's three tasks",
         NULL},
        {"--limit", "N", "the first N items of each task (demo: 100, 200, 200)", NULL},
        {"--skip-bad", NULL, "skip and count malformed lines instead of stopping", NULL},
        {"--ctx", "N", "ppl: llama-perplexity chunks of N tokens, second halves scored", NULL},
        {"--shots", "K", "gsm8k: examples from the start of the file (default 5)", NULL},
        {"--max-new", "N", "generation: most new tokens (default: gen 6, gsm8k 256)", NULL},
        {"--no-train", NULL, "glue: score the checkpoint's own classifier instead of the probe",
         NULL},
        CLI_TOKENIZER_OPTION,
        {"--json", "OUT", "write the results as JSON (a list with several tasks)", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("eval",
              "Scores tasks under a plan: perplexity, multiple choice (acc, acc_norm)\n"
              "and greedy generation (exact_match); prints a progress line now and then\n"
              "and the metrics of each task. README.md \"Evaluation\" gives the protocols.",
              opts, n, argc, argv);
    if (n_tasks == 0) die_input("eval: give at least one --task KIND:FILE (or --task demo)");
    long limit = cli_int(opts, n, "--limit", 0, 1, 1L << 40);
    TaskLoadOptions load = {
        .skip_bad = cli_value(opts, n, "--skip-bad") != NULL,
        .shots = (int)cli_int(opts, n, "--shots", TASK_GSM8K_DEFAULT_SHOTS, 0, 1000),
        .chunk_ctx = (int)cli_int(opts, n, "--ctx", 0, 4, 1 << 20),
        .no_train = cli_value(opts, n, "--no-train") != NULL,
    };
    int max_new = (int)cli_int(opts, n, "--max-new", 0, 1, 1 << 20);
    const char *json_path = cli_value(opts, n, "--json");
    RunnerOptions ro = cli_runner_options(opts, n);
    const char *model = ro.model;

    int n_specs;
    EvalSpec *specs = expand_specs(tasks, n_tasks, limit, &n_specs);
    Task **loaded = xmalloc((size_t)n_specs * sizeof *loaded);
    for (int i = 0; i < n_specs; i++) {
        load.limit = specs[i].limit;
        loaded[i] = task_load(specs[i].spec, &load);
    }
    Tokenizer *tok = model_open_tokenizer(model, cli_value(opts, n, "--tokenizer"), "eval");
    Runner *r = runner_open(&ro);
    if (!runner_is_encoder(r) && tokenizer_prefix(tok) < 0)
        die_input("%s: the tokenizer %s has neither a BOS nor an EOS token to start sequences with",
                  model, tokenizer_path(tok));
    model_check_tokenizer(tok, r->ck->cfg.vocab_size, model);
    printf("eval: model %s, plan %s (%d steps), %d task%s\n", model, r->program->name,
           r->program->n_steps, n_specs, n_specs == 1 ? "" : "s");
    fflush(stdout);

    cJSON *all = cJSON_CreateArray();
    for (int i = 0; i < n_specs; i++) {
        Progress progress = {0};
        progress_start(&progress, loaded[i]->spec, task_item_count(loaded[i]));
        TaskResult res;
        task_evaluate(loaded[i], r, tok,
                      &(TaskEvalOptions){.max_new = max_new, .progress = &progress}, &res);
        print_result(loaded[i], &res);
        cJSON_AddItemToArray(all, result_json(loaded[i], &res, r, model, max_new));
        if (json_path) write_json_file(json_path, n_specs == 1 ? cJSON_GetArrayItem(all, 0) : all);
    }
    if (json_path) printf("wrote %s\n", json_path);

    cJSON_Delete(all);
    runner_close(r);
    tokenizer_free(tok);
    for (int i = 0; i < n_specs; i++) {
        task_free(loaded[i]);
        free(specs[i].spec);
    }
    free(loaded);
    free(specs);
    free(tasks);
    return 0;
}
