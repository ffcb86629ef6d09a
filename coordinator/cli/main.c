/* main.c: the painters command line. Rank 0 runs the command; under mpirun
 * every other rank is a painter station serving it (painters_mpi_start). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/mpi_start.h"
#include "base/util.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static const Command COMMANDS[] = {
    {"forward", cmd_forward, "logits of a token sequence under a plan"},
    {"inspect", cmd_inspect, "architecture, dtypes and memory of a checkpoint"},
    {"tokenize", cmd_tokenize, "text to token ids with the model's tokenizer"},
    {"generate", cmd_generate, "greedy text generation with the KV cache under a plan"},
    {"bench", cmd_bench, "prefill and decode tokens/s against the machine's sgemm rate"},
    {"synth", cmd_synth, "a random-weight checkpoint in a real model's shapes"},
    {"eval", cmd_eval, "task scores (perplexity, multiple choice, generation) under a plan"},
    {"report", cmd_report, "plots and report.html of a study's output folder"},
    {"study", cmd_study, "the paper's sweep: plans x tasks, normalized scores, latency, report"},
    {"similarity", cmd_similarity, "cosine similarity of hidden states between steps"},
};
static const int N_COMMANDS = sizeof COMMANDS / sizeof COMMANDS[0];

static void usage(void) {
    printf("usage: painters COMMAND [options]   (painters COMMAND --help for its options)\n\n"
           "Runs a frozen transformer with its layers spread over MPI ranks and routes the\n"
           "hidden state through them under a layer plan. Under mpirun -n K, rank 0 is the\n"
           "coordinator and ranks 1..K-1 are painter stations.\n\ncommands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        printf("  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
}

static int run_command(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage();
        return argc < 2 ? PAINTERS_EXIT_INPUT : 0;
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) return COMMANDS[i].run(argc - 1, argv + 1);
    die_input("unknown command '%s' (see painters --help)", argv[1]);
}

int main(int argc, char **argv) {
    painters_mpi_start(&argc, &argv);
    int status = run_command(argc, argv);
    painters_mpi_finish();
    return status;
}
