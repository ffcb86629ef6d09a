/* cmd_text.c: `painters tokenize`: text in, ids out, and back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/tokenize_input.h"
#include "text/model_files.h"
#include "text/tokenizer.h"

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
        cli_print_ids("ids:", ids, count);
        if (type_ids) cli_print_ids("type_ids:", type_ids, count);
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
