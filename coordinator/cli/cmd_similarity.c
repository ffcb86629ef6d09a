/* cmd_similarity.c: `painters similarity`: the cosine-similarity matrix of
 * the hidden states entering each step of a plan, as CSV and a heat map. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "text/model_files.h"
#include "eval/similarity.h"
#include "study/study_report.h"
#include "eval/task.h"
#include "text/tokenizer.h"
#include "base/util.h"

int cmd_similarity(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"--task", "KIND:FILE", "sequences from a task: ppl documents or choice contexts", NULL},
        {"--tokens", "IDS", "one sequence of token ids instead", NULL},
        {"--limit", "N", "first N sequences of the task (default 16)", NULL},
        {"--max-tokens", "N", "truncate each sequence to N tokens (default 256)", NULL},
        CLI_TOKENIZER_OPTION,
        {"--out", "DIR", "writes DIR/similarity.csv and DIR/similarity.png", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("similarity",
              "Cosine similarity between the flattened hidden states entering each\n"
              "step of the plan (and leaving the last), averaged over sequences.",
              opts, n, argc, argv);
    const char *out = cli_require(opts, n, "similarity", "--out");
    const char *task_spec = cli_value(opts, n, "--task"),
               *ids_text = cli_value(opts, n, "--tokens");
    if (!task_spec == !ids_text) die_input("similarity: give exactly one of --task or --tokens");
    int limit = (int)cli_int(opts, n, "--limit", 16, 1, 1 << 20);
    int max_tokens = (int)cli_int(opts, n, "--max-tokens", 256, 1, 1 << 20);
    RunnerOptions ro = cli_runner_options(opts, n);
    int tok_vocab = 0;
    char *tok_path = NULL;
    int n_seqs = 0, **seqs = xcalloc((size_t)limit, sizeof(int *)),
        *lens = xcalloc((size_t)limit, sizeof(int));
    if (ids_text) {
        lens[0] = cli_parse_ids(ids_text, "--tokens", &seqs[0]);
        n_seqs = 1;
    } else {
        Task *t = task_load(task_spec, &(TaskLoadOptions){.limit = limit});
        Tokenizer *tok =
            model_open_tokenizer(ro.model, cli_value(opts, n, "--tokenizer"), "--task");
        tok_vocab = tokenizer_vocab_size(tok);
        tok_path = xstrdup(tokenizer_path(tok));
        for (int i = 0; i < t->n_items && n_seqs < limit; i++) {
            const char *text = task_item_text(t, i);
            if (!text) break;
            lens[n_seqs] = tokenizer_encode_sequence(tok, text, &seqs[n_seqs]);
            n_seqs++;
        }
        tokenizer_free(tok);
        task_free(t);
    }
    if (n_seqs == 0) die_input("similarity: %s gives no sequences", task_spec);
    for (int i = 0; i < n_seqs; i++)
        if (lens[i] > max_tokens) lens[i] = max_tokens;
    Runner *r = runner_open(&ro);
    if (tok_path && tok_vocab > r->ck->cfg.vocab_size)
        die_input("%s: the tokenizer %s has %d tokens but the model's vocabulary has %d "
                  "(vocab_size): they do not belong together (give --tokenizer FILE)",
                  ro.model, tok_path, tok_vocab, r->ck->cfg.vocab_size);
    free(tok_path);
    int E = r->program->n_steps + 1;
    double *sim = xmalloc((size_t)E * E * sizeof(double));
    similarity_matrix(r, n_seqs, (const int *const *)seqs, lens, sim);
    if (mkdir(out, 0755) != 0 && errno != EEXIST)
        die_input("%s: cannot create: %s", out, strerror(errno));
    char *csv = path_join(out, "similarity.csv"), *png = path_join(out, "similarity.png");
    similarity_write_csv(csv, sim, E);
    char title[256];
    snprintf(title, sizeof title, "cosine similarity of hidden states, plan %s", r->program->name);
    study_plot_similarity(csv, png, title);
    printf("similarity of %d entries over %d sequence(s): %s, %s\n", E, n_seqs, csv, png);
    printf("adjacent steps:");
    for (int a = 0; a + 1 < E; a++)
        printf(" %.3f", sim[a * E + a + 1]);
    printf("\n");
    free(csv), free(png), free(sim);
    for (int i = 0; i < n_seqs; i++)
        free(seqs[i]);
    free(seqs), free(lens);
    runner_close(r);
    return 0;
}
