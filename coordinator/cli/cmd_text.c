/* cmd_text.c: `painters tokenize` and `painters generate`: text in, text out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "run/generate.h"
#include "text/model_files.h"
#include "run/runner.h"
#include "text/tokenizer.h"
#include "base/util.h"

static void print_ids(const char *label, const int *ids, int n) {
    printf("%s", label);
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : " ", ids[i]);
    printf("\n");
}

int cmd_tokenize(int argc, char **argv) {
    CliOption opts[] = {
        {"--model", "PATH", "model whose tokenizer.model to use (default: the demo model)", NULL},
        {"--tokenizer", "FILE", "tokenizer.model to use instead", NULL},
        {"--text", "TEXT", "text to encode", NULL},
        {"--bos", NULL, "put BOS first", NULL},
        {"--pieces", NULL, "also print the pieces", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("tokenize",
              "Encodes text with the model's SentencePiece tokenizer and prints the ids.", opts, n,
              argc, argv);
    const char *text = cli_require(opts, n, "tokenize", "--text");
    const char *model = cli_value(opts, n, "--model");
    Tokenizer *tok = model_open_tokenizer(model ? model : cli_default_model(),
                                          cli_value(opts, n, "--tokenizer"), "tokenize");
    int *ids;
    int count = tokenizer_encode(tok, text, cli_value(opts, n, "--bos") != NULL, &ids);
    print_ids("ids:", ids, count);
    if (cli_value(opts, n, "--pieces")) {
        printf("pieces:");
        for (int i = 0; i < count; i++)
            printf(" %s", tokenizer_piece(tok, ids[i]));
        printf("\n");
    }
    free(ids);
    tokenizer_free(tok);
    return 0;
}

/* Streams each new token's text as it is decoded. */
static void stream_token(void *ctx, int prev, int id) {
    Tokenizer *tok = ctx;
    if (!tok) {
        printf("%s%d", prev < 0 ? "" : " ", id);
    } else {
        char *s = tokenizer_decode_piece(tok, prev, id);
        fputs(s, stdout);
        free(s);
    }
    fflush(stdout);
}

int cmd_generate(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"--prompt", "TEXT", "prompt text (BOS is put first)", NULL},
        {"--tokens", "IDS", "prompt as comma-separated token ids instead", NULL},
        {"--max-new", "N", "most new tokens (default 64)", NULL},
        {"--tokenizer", "FILE", "tokenizer.model (default: the one beside the model)", NULL},
        {"--no-stop", NULL, "do not stop at EOS", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("generate",
              "Greedy decoding with the KV cache under a plan; streams the text and\n"
              "ends with a line 'tokens: a,b,c' of the new ids.",
              opts, n, argc, argv);
    const char *prompt = cli_value(opts, n, "--prompt");
    const char *tokens = cli_value(opts, n, "--tokens");
    if (!prompt == !tokens)
        die_input("generate: give exactly one of --prompt TEXT or --tokens IDS");
    int max_new = (int)cli_int(opts, n, "--max-new", 64, 1, 1 << 20);
    RunnerOptions ro = cli_runner_options(opts, n);
    const char *model = ro.model;
    Tokenizer *tok = model_open_tokenizer(model, cli_value(opts, n, "--tokenizer"),
                                          prompt ? "--prompt (or give --tokens IDS)" : NULL);
    int *ids;
    int np =
        prompt ? tokenizer_encode(tok, prompt, 1, &ids) : cli_parse_ids(tokens, "--tokens", &ids);
    Runner *r = runner_open(&ro);
    int eos = tok ? tokenizer_eos(tok) : r->ck->cfg.eos_id;
    if (cli_value(opts, n, "--no-stop")) eos = -1;

    if (prompt) fputs(prompt, stdout);
    int *out = xmalloc((size_t)max_new * sizeof(int));
    GenerateStats st;
    int n_new = generate_greedy(r, ids, np, max_new, eos, out, stream_token, tok, &st);
    printf("\n");
    print_ids("tokens:", out, n_new);
    fflush(stdout);
    fprintf(
        stderr,
        "prompt %d tokens: %.1f ms (%.1f tokens/s); %d new tokens: %.2f ms/token (%.1f tokens/s)\n",
        np, st.prefill_seconds * 1e3, np / st.prefill_seconds, n_new,
        n_new ? st.decode_seconds * 1e3 / n_new : 0.0,
        st.decode_seconds > 0 ? n_new / st.decode_seconds : 0.0);
    free(out);
    free(ids);
    runner_close(r);
    tokenizer_free(tok);
    return 0;
}
