/* cmd_forward.c: `painters forward`: logits of a token sequence under a plan. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "run/runner.h"
#include "formats/safetensors.h"
#include "base/util.h"

int cmd_forward(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"--tokens", "IDS", "comma-separated token ids, e.g. 1,5,9", NULL},
        {"--out", "FILE", "write logits [T, V] as an F32 safetensors tensor 'logits'", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("forward",
              "Runs the model under a plan over one token sequence and prints the\n"
              "argmax at each position; --out saves all logits.",
              opts, n, argc, argv);
    int *tokens;
    int T = cli_parse_ids(cli_require(opts, n, "forward", "--tokens"), "--tokens", &tokens);
    RunnerOptions ro = cli_runner_options(opts, n);
    Runner *r = runner_open(&ro);
    int V = r->ck->cfg.vocab_size;
    float *logits = xalloc_floats((size_t)T * V);
    double t0 = now_seconds();
    runner_feed(r, tokens, T, logits, RUNNER_ALL_LOGITS);
    double dt = now_seconds() - t0;

    printf("plan %s: %d steps, %d tokens, %.1f ms (%.1f tokens/s)\nargmax:", r->program->name,
           r->program->n_steps, T, dt * 1e3, T / dt);
    for (int t = 0; t < T; t++) {
        const float *row = logits + (size_t)t * V;
        int best = 0;
        for (int v = 1; v < V; v++)
            if (row[v] > row[best]) best = v;
        printf("%s%d", t ? "," : " ", best);
    }
    printf("\n");
    const char *out = cli_value(opts, n, "--out");
    if (out) {
        const char *names[] = {"logits"};
        int ndims[] = {2};
        int64_t shapes[1][TENSOR_MAX_DIMS] = {{T, V}};
        const float *data[] = {logits};
        safetensors_write_f32(out, 1, names, ndims, (const int64_t(*)[TENSOR_MAX_DIMS])shapes,
                              data);
        printf("wrote %s: logits [%d, %d]\n", out, T, V);
    }
    free(logits);
    free(tokens);
    runner_close(r);
    return 0;
}
