/* cmd_study.c: `painters study [OUT]`: the paper's sweep with measured latency. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "program/plan.h"
#include "study/study.h"
#include "base/util.h"

#define DEMO_TASKS_DIR PAINTERS_SOURCE_DIR "/tasks/painters-demo"
#define DEMO_BERT_DIR PAINTERS_SOURCE_DIR "/models/painters-demo-bert"
#define DEMO_BERT_TASKS_DIR PAINTERS_SOURCE_DIR "/tasks/painters-demo-bert"

/* The main job's default sweep: small enough to finish in minutes on 2 cores. */
static const StudyTask DEMO_STUDY_TASKS[] = {
    {"ppl:" DEMO_TASKS_DIR "/heldout.txt", 50},
    {"mc:" DEMO_TASKS_DIR "/cloze.jsonl", 100},
    {"gen:" DEMO_TASKS_DIR "/arith.jsonl", 100},
};
/* The demo BERT's: its same-paragraph pairs by the frozen protocol and its
 * MLM head on held-out paragraphs. */
static const StudyTask DEMO_BERT_STUDY_TASKS[] = {
    {"glue-mrpc:" DEMO_BERT_TASKS_DIR "/pairs", 600},
    {"mlm:" DEMO_BERT_TASKS_DIR "/heldout.txt", 200},
};

/* 1 when path names the embedded demo BERT. */
static int is_demo_bert(const char *path) {
    char *a = realpath(path, NULL), *b = realpath(DEMO_BERT_DIR, NULL);
    int same = a && b && !strcmp(a, b);
    free(a), free(b);
    return same;
}

/* Splits "a,b,c" into a malloc'ed array of pointers into a copy (caller
 * frees *copy and the array). */
static int split_list(const char *text, char **copy, const char ***items) {
    *copy = xstrdup(text);
    int n = 1;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    *items = xmalloc((size_t)n * sizeof(char *));
    int k = 0;
    char *save = NULL;
    for (char *t = strtok_r(*copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        (*items)[k++] = t;
    return k;
}

int cmd_study(int argc, char **argv) {
    const char *out = "study-out";
    if (argc > 1 && argv[1][0] != '-') {
        out = argv[1];
        argv[1] = argv[0];
        argc--, argv++;
    }
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"--variants", "LIST", "paper variants to sweep (default: all of them)", NULL},
        {"--N", "LIST", "values of N (default: 1/8, 1/4 and 3/8 of the layers; 2,4,6 for 16)",
         NULL},
        {"--K", "K", "repeats of looped_parallel (default 3)", NULL},
        {"--seed", "S", "seed of the random variant (default 0)", NULL},
        {"--plans", "LIST", "plan files to run instead of the variants (comma-separated)", NULL},
        {"--task", "KIND:FILE",
         "a task (repeatable; default: the demo model's three tasks, or the demo BERT's two)",
         NULL},
        {"--limit", "N", "first N items of each --task (default: all)", NULL},
        CLI_TOKENIZER_OPTION,
        {"--similarity", "N", "sequences for the similarity heat map (default 8; 0: none)", NULL},
        {"--no-report", NULL, "skip the plots and report.html", NULL},
        {"--shard", "I/N",
         "run only shard I of N (the plans I, I+N, ...) into OUT/shards (default: from "
         "SLURM_ARRAY_TASK_ID, _MIN and _COUNT in a Slurm job array)",
         NULL},
        {"--merge", NULL, "merge the shards' results of OUT (run with the shards' arguments)",
         NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    const char **task_args = NULL;
    int n_task_args = cli_take_repeated("study", &argc, argv, "--task", &task_args);
    cli_parse("study",
              "painters study [OUT] [options]: plans (the paper's variants for a range of N,\n"
              "or plan files) x tasks under the ranks of the job; per cell the metrics, the\n"
              "normalized score and the measured latency, in OUT/results.csv, summary.csv,\n"
              "results.json, plots and report.html (default OUT: study-out). A killed study\n"
              "resumes where it stopped; shards of a Slurm job array write into one OUT and\n"
              "the last to finish merges them. Scores are computed in the exact float32 mode\n"
              "unless --compute says otherwise (the plans' differences are the result).",
              opts, n, argc, argv);
    StudyOptions o = {.out_dir = out,
                      .run = cli_runner_options(opts, n),
                      .tokenizer = cli_value(opts, n, "--tokenizer"),
                      .K = (int)cli_int(opts, n, "--K", 3, 1, 1000),
                      .seed = (int)cli_int(opts, n, "--seed", 0, 0, 1L << 30),
                      .latency_prompt = 64,
                      .latency_decode = 16,
                      .similarity_seqs = (int)cli_int(opts, n, "--similarity", 8, 0, 10000),
                      .report = cli_value(opts, n, "--no-report") == NULL};
    if (cli_value(opts, n, "--merge")) {
        if (cli_value(opts, n, "--shard")) die_input("study: give --shard or --merge, not both");
        o.merge = 1;
    } else if (cli_value(opts, n, "--shard")) {
        o.shard = study_shard_parse(cli_value(opts, n, "--shard"), "--shard");
    } else {
        o.shard = study_shard_from_env();
    }
    if (!cli_value(opts, n, "--compute")) o.run.compute = MATMUL_COMPUTE_F32;
    char *variants_copy = NULL, *plans_copy = NULL;
    const char **variants = NULL, **plan_files = NULL;
    if (cli_value(opts, n, "--variants")) {
        o.n_variants = split_list(cli_value(opts, n, "--variants"), &variants_copy, &variants);
        for (int i = 0; i < o.n_variants; i++) {
            int known = 0;
            for (int v = 0; v < PLAN_N_VARIANTS; v++)
                known |= !strcmp(variants[i], PLAN_VARIANTS[v]);
            if (!known) die_input("study: --variants: unknown variant '%s'", variants[i]);
        }
        o.variants = variants;
    } else if (!cli_value(opts, n, "--plans")) {
        o.variants = PLAN_VARIANTS;
        o.n_variants = PLAN_N_VARIANTS;
    }
    if (cli_value(opts, n, "--plans")) {
        o.n_plan_files = split_list(cli_value(opts, n, "--plans"), &plans_copy, &plan_files);
        o.plan_files = plan_files;
    }
    int *Ns = NULL;
    if (cli_value(opts, n, "--N")) {
        o.n_Ns = cli_parse_ids(cli_value(opts, n, "--N"), "--N", &Ns);
        o.Ns = Ns;
    } /* else the study's default: an eighth, a quarter, three eighths of the layers */
    StudyTask *tasks = NULL;
    if (n_task_args > 0) {
        long limit = cli_int(opts, n, "--limit", 0, 1, 1L << 40);
        tasks = xmalloc((size_t)n_task_args * sizeof *tasks);
        for (int i = 0; i < n_task_args; i++)
            tasks[i] = (StudyTask){task_args[i], limit};
        o.tasks = tasks;
        o.n_tasks = n_task_args;
    } else if (cli_value(opts, n, "--model") && is_demo_bert(cli_value(opts, n, "--model"))) {
        o.tasks = DEMO_BERT_STUDY_TASKS;
        o.n_tasks = sizeof DEMO_BERT_STUDY_TASKS / sizeof DEMO_BERT_STUDY_TASKS[0];
    } else {
        if (cli_value(opts, n, "--model"))
            die_input("study: give --task KIND:FILE for a model other than the demo models");
        o.tasks = DEMO_STUDY_TASKS;
        o.n_tasks = sizeof DEMO_STUDY_TASKS / sizeof DEMO_STUDY_TASKS[0];
    }
    int rc = study_run(&o);
    free(tasks), free(Ns), free(variants), free(variants_copy), free(plan_files), free(plans_copy);
    free(task_args);
    return rc;
}
