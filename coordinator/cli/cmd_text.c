/* cmd_text.c: `painters tokenize` and `painters generate`: text in, text out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/tokenize_input.h"
#include "run/generate.h"
#include "run/runner.h"
#include "text/model_files.h"
#include "text/tokenizer.h"

static void print_ids(const char *label, const int *ids, int n) {
    printf("%s", label);
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : " ", ids[i]);
    printf("\n");
}

/* The tokenizer of `painters tokenize`: --tokenizer FILE alone (the model's
 * files only when --model is given too), else the one beside the model. */
static Tokenizer *tokenize_open(const CliOption *opts, int n) {
    const char *file = cli_value(opts, n, "--tokenizer");
    if (file && !cli_value(opts, n, "--model")) {
        if (!file_exists(file)) die_input("%s: tokenizer file not found (--tokenizer)", file);
        return tokenizer_load(file);
    }
    return model_open_tokenizer(cli_model(opts, n), file, "tokenize");
}

int cmd_tokenize(int argc, char **argv) {
    CliOption opts[] = {
        {"--model", "PATH",
         "model whose tokenizer to use: a folder, or org/name in the Hugging "
         "Face cache (default: the demo model)",
         NULL},
        {"--revision", "REV", "with --model org/name: refs/REV or a snapshot's commit", NULL},
        {"--tokenizer", "FILE", "tokenizer.model, tokenizer.json or vocab.txt to use instead",
         NULL},
        {"--text", "TEXT", "text to encode", NULL},
        {"--input", "FILE", "encode each line, a JSON string; prints a JSON array of ids per line",
         NULL},
        {"--decode", "IDS", "decode comma-separated ids and print the text", NULL},
        {"--pair", "TEXT", "with --text: encode the pair (text, TEXT); also prints type_ids", NULL},
        {"--special", NULL,
         "add the special tokens the tokenizer adds (Llama-3: BOS; BERT: "
         "[CLS] ... [SEP])",
         NULL},
        {"--bos", NULL, "the same as --special", NULL},
        {"--pieces", NULL, "with --text: also print the tokens", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("tokenize",
              "Encodes text with the model's tokenizer (SentencePiece tokenizer.model,\n"
              "Hugging Face tokenizer.json or BERT vocab.txt) and prints the ids, or\n"
              "decodes ids. --input prints tokens/s and MB/s on stderr.",
              opts, n, argc, argv);
    const char *text = cli_value(opts, n, "--text"), *input = cli_value(opts, n, "--input"),
               *decode = cli_value(opts, n, "--decode"), *pair = cli_value(opts, n, "--pair");
    if ((text != NULL) + (input != NULL) + (decode != NULL) != 1)
        die_input("tokenize: give exactly one of --text TEXT, --input FILE or --decode IDS");
    if (pair && !text) die_input("tokenize: --pair TEXT goes with --text TEXT");
    int special = cli_value(opts, n, "--special") || cli_value(opts, n, "--bos");
    Tokenizer *tok = tokenize_open(opts, n);
    int *ids = NULL, *type_ids = NULL, count = 0;
    if (input) {
        tokenize_input_file(tok, input, special);
    } else if (decode) {
        count = cli_parse_ids(decode, "--decode", &ids);
        char *s = tokenizer_decode(tok, ids, count);
        printf("%s\n", s);
        free(s);
    } else {
        count = pair ? tokenizer_encode_pair(tok, text, pair, &ids, &type_ids)
                     : tokenizer_encode(tok, text, special, &ids);
        print_ids("ids:", ids, count);
        if (type_ids) print_ids("type_ids:", type_ids, count);
        if (cli_value(opts, n, "--pieces")) {
            printf("pieces:");
            for (int i = 0; i < count; i++)
                printf(" %s", tokenizer_piece(tok, ids[i]));
            printf("\n");
        }
    }
    free(ids);
    free(type_ids);
    tokenizer_free(tok);
    return 0;
}

/* Streams each new token's text as it is decoded: whole characters through
 * a TokenizerStream, or the ids when there is no tokenizer. */
typedef struct {
    TokenizerStream *stream; /* NULL without a tokenizer */
} StreamOut;

static void stream_token(void *ctx, int prev, int id) {
    StreamOut *o = ctx;
    if (!o->stream) {
        printf("%s%d", prev < 0 ? "" : " ", id);
    } else {
        char *s = tokenizer_stream_push(o->stream, id);
        fputs(s, stdout);
        free(s);
    }
    fflush(stdout);
}

int cmd_generate(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"--prompt", "TEXT", "prompt text (after the prefix token: BOS, else EOS)", NULL},
        {"--tokens", "IDS", "prompt as comma-separated token ids instead", NULL},
        {"--max-new", "N", "most new tokens (default 64)", NULL},
        CLI_TOKENIZER_OPTION,
        {"--no-stop", NULL, "do not stop at EOS", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("generate",
              "Greedy decoding with the KV cache under a plan; streams the text and\n"
              "ends with a line 'tokens: a,b,c' of the new ids. Stops at any of the\n"
              "model's EOS ids (tokenizer_config.json, generation_config.json, config.json).",
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
    int np = prompt ? tokenizer_encode_sequence(tok, prompt, &ids)
                    : cli_parse_ids(tokens, "--tokens", &ids);
    Runner *r = runner_open(&ro);
    if (tok) model_check_tokenizer(tok, r->ck->cfg.vocab_size, model);
    int n_stop = 0, config_eos = r->ck->cfg.eos_id;
    const int *stop_ids = NULL;
    if (tok) {
        stop_ids = tokenizer_eos_ids(tok, &n_stop);
    } else if (config_eos >= 0) {
        stop_ids = &config_eos;
        n_stop = 1;
    }
    if (cli_value(opts, n, "--no-stop")) n_stop = 0;

    if (prompt) fputs(prompt, stdout);
    int *out = xmalloc((size_t)max_new * sizeof(int));
    GenerateStats st;
    StreamOut so = {tok ? tokenizer_stream_new(tok, np > 0 ? ids[np - 1] : -1) : NULL};
    int n_new =
        generate_greedy_stops(r, ids, np, max_new, stop_ids, n_stop, out, stream_token, &so, &st);
    if (so.stream) {
        char *rest = tokenizer_stream_finish(so.stream);
        fputs(rest, stdout);
        free(rest);
    }
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
