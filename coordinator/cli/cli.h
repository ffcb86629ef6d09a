/* cli.h: command-line options of the painters commands.
 *
 *   CliOption opts[] = {
 *       {"--model", "PATH", "checkpoint directory or file"},
 *       {"--json", NULL, "print JSON"},            // a flag: no value
 *   };
 *   cli_parse("forward", "summary", opts, 2, argc, argv);
 *   const char *m = cli_value(opts, 2, "--model");
 *
 * --help prints the command's usage and exits 0; an unknown option, a missing
 * value or a repeated option is die_input (exit 2). */
#ifndef PAINTERS_CLI_H
#define PAINTERS_CLI_H

typedef struct {
    const char *name;    /* "--model" */
    const char *metavar; /* "PATH"; NULL for a flag */
    const char *help;
    const char *value; /* filled by cli_parse: the value, or "1" for a given flag */
} CliOption;

/* argv[0] is the command name; options start at argv[1]. */
void cli_parse(const char *command, const char *summary, CliOption *opts, int n, int argc,
               char **argv);
const char *cli_value(const CliOption *opts, int n, const char *name); /* NULL when absent */
const char *cli_require(const CliOption *opts, int n, const char *command, const char *name);
/* Integer option with bounds, or dflt when absent; die_input on junk. */
long cli_int(const CliOption *opts, int n, const char *name, long dflt, long lo, long hi);

/* Removes every "NAME VALUE" pair from argv[1..*argc-1] (in place, keeping
 * the order of the rest) and returns how many there were; *values gets a
 * malloc'ed array of the values (pointers into argv; the caller frees the
 * array). For options that may be given several times: call it before
 * cli_parse(). die_input when NAME is last with no value. */
int cli_take_repeated(const char *command, int *argc, char **argv, const char *name,
                      const char ***values);

/* Parses "1,5,9" into a malloc'ed id array (caller frees); die_input on junk. */
int cli_parse_ids(const char *text, const char *what, int **ids);
/* Prints "label a,b,c" and a newline to stdout. */
void cli_print_ids(const char *label, const int *ids, int n);

/* The options every command that runs the model takes; splice into a
 * command's option table and read back with cli_runner_options(). */
#define CLI_RUN_OPTIONS                                                                            \
    {"--model", "PATH",                                                                            \
     "checkpoint: HF directory, .safetensors, llama2.c .bin, or org/name in the Hugging Face "     \
     "cache (default: the demo model)",                                                            \
     NULL},                                                                                        \
        {"--revision", "REV",                                                                      \
         "with --model org/name: refs/REV or a snapshot's commit (default "                        \
         "main)",                                                                                  \
         NULL},                                                                                    \
        {"--plan", "PLAN", "plan file or inline JSON starting with '{' (default: baseline)",       \
         NULL},                                                                                    \
        {"--placement", "P", "with mpirun -n K > 1: block (default), round-robin, or a JSON file", \
         NULL},                                                                                    \
        {"--inflight", "W", "requests in flight through the stations (default 2 per station)",     \
         NULL},                                                                                    \
        {"--batch", "N", "sequences decoded together in one canvas (default 32)", NULL},           \
        {"--timeout", "SEC",                                                                       \
         "longest silence of a rank (no heartbeat) before the job ends, naming it (default 600)",  \
         NULL},                                                                                    \
        {"--trace", "FILE", "write receive/apply/send events of every rank as JSON lines", NULL},  \
        {"--verbose", NULL, "print station memory at start and per-station figures at the end",    \
         NULL},                                                                                    \
        {"--compute", "MODE",                                                                      \
         "f32 (exact), bf16 (prefill on BF16 or block-format weights with activations rounded to " \
         "BF16, oneDNN) or q8 (bf16, and decode on block-format weights with activations "         \
         "rounded to 8 bits, as llama.cpp); default: the fastest this CPU has",                    \
         NULL},                                                                                    \
    {                                                                                              \
        "--no-pack", NULL, "score one sequence per canvas instead of packing many into one", NULL  \
    }

/* The tokenizer option of the commands that read text; model_open_tokenizer()
 * takes its value. */
#define CLI_TOKENIZER_OPTION                                                                       \
    {                                                                                              \
        "--tokenizer", "FILE",                                                                     \
            "tokenizer.model, tokenizer.json or vocab.txt (default: beside the model)", NULL       \
    }

/* RunnerOptions from CLI_RUN_OPTIONS; strings point into argv. */
#include "run/runner.h"
RunnerOptions cli_runner_options(const CliOption *opts, int n);

/* The prefill compute mode the model's layer weights get under the mode now
 * set (matmul.h), in words: "bf16 (oneDNN avx512_core_bf16)", "f32", ... A
 * static string, valid until the next call. */
#include "formats/checkpoint.h"
const char *cli_compute_summary(const Checkpoint *ck);

/* The model a command runs: --model (or cli_default_model()), an existing
 * path as it is, else a Hugging Face cache name (org/name) resolved offline
 * to its snapshot folder at --revision (hf_cache.h). A name not in the cache
 * is die_input listing where it looked; --revision with a path is
 * die_input. The string lives until the program ends. Every command finds
 * its model here. */
const char *cli_model(const CliOption *opts, int n);

/* The embedded demo model (models/painters-demo-16L of the project), or the
 * PAINTERS_MODEL environment variable when set. */
const char *cli_default_model(void);

#endif
