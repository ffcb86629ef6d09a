/* cmd_generate.c: `painters generate`: greedy decoding under a plan, of one
 * prompt (streamed as it is decoded) or of a file of prompts decoded
 * together (generate_batch.h), results in input order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/prompts_file.h"
#include "run/generate.h"
#include "run/generate_batch.h"
#include "run/runner.h"
#include "text/model_files.h"
#include "text/tokenizer.h"

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

/* The ids generation stops after: the tokenizer's EOS ids, else config.json's. */
typedef struct {
    const int *ids;
    int n;
    int config_eos;
} StopIds;

static StopIds stop_ids_of(const Tokenizer *tok, const Runner *r, int none) {
    StopIds s = {.config_eos = r->ck->cfg.eos_id};
    if (none) return s;
    if (tok) {
        s.ids = tokenizer_eos_ids(tok, &s.n);
    } else if (s.config_eos >= 0) {
        s.ids = &s.config_eos;
        s.n = 1;
    }
    return s;
}

/* One prompt, streamed. */
static void generate_one(Runner *r, const Tokenizer *tok, const char *prompt, const int *ids,
                         int np, int max_new, const StopIds *stops) {
    if (prompt) fputs(prompt, stdout);
    int *out = xmalloc((size_t)max_new * sizeof(int));
    GenerateStats st;
    StreamOut so = {tok ? tokenizer_stream_new(tok, np > 0 ? ids[np - 1] : -1) : NULL};
    int n_new = generate_greedy_stops(r, ids, np, max_new, stops->ids, stops->n, out, stream_token,
                                      &so, &st);
    if (so.stream) {
        char *rest = tokenizer_stream_finish(so.stream);
        fputs(rest, stdout);
        free(rest);
    }
    printf("\n");
    cli_print_ids("tokens:", out, n_new);
    fflush(stdout);
    fprintf(
        stderr,
        "prompt %d tokens: %.1f ms (%.1f tokens/s); %d new tokens: %.2f ms/token (%.1f tokens/s)\n",
        np, st.prefill_seconds * 1e3, np / st.prefill_seconds, n_new,
        n_new ? st.decode_seconds * 1e3 / n_new : 0.0,
        st.decode_seconds > 0 ? n_new / st.decode_seconds : 0.0);
    free(out);
}

/* --prompts: results printed in input order as soon as every earlier prompt
 * is done. */
typedef struct {
    const Tokenizer *tok;
    const StopIds *stops;
    int n, printed;
    int *finished; /* (n) */
    int **out;     /* (n) */
    int *n_out;    /* (n) */
} BatchOut;

static int batch_should_stop(void *ctx, int i, const int *ids, int n) {
    (void)i;
    const BatchOut *o = ctx;
    for (int k = 0; k < o->stops->n; k++)
        if (ids[n - 1] == o->stops->ids[k]) return 1;
    return 0;
}

static void batch_print(const BatchOut *o, int i) {
    cJSON *line = cJSON_CreateObject();
    cJSON_AddNumberToObject(line, "index", i);
    cJSON_AddItemToObject(line, "tokens", cJSON_CreateIntArray(o->out[i], o->n_out[i]));
    if (o->tok) {
        char *text = tokenizer_decode(o->tok, o->out[i], o->n_out[i]);
        cJSON_AddStringToObject(line, "text", text);
        free(text);
    }
    char *s = cJSON_PrintUnformatted(line);
    puts(s);
    free(s);
    cJSON_Delete(line);
}

static void batch_done(void *ctx, int i, const int *ids, int n) {
    (void)ids, (void)n;
    BatchOut *o = ctx;
    o->finished[i] = 1;
    while (o->printed < o->n && o->finished[o->printed])
        batch_print(o, o->printed++);
    fflush(stdout);
}

static void generate_file(Runner *r, const Tokenizer *tok, const char *path, int max_new,
                          const StopIds *stops) {
    PromptsFile *pf = prompts_file_read(path, tok, r->ck->cfg.vocab_size);
    BatchOut o = {.tok = tok, .stops = stops, .n = pf->n};
    o.finished = xcalloc((size_t)pf->n, sizeof(int));
    o.out = xmalloc((size_t)pf->n * sizeof *o.out);
    o.n_out = xcalloc((size_t)pf->n, sizeof(int));
    for (int i = 0; i < pf->n; i++)
        o.out[i] = xmalloc((size_t)max_new * sizeof(int));
    GenerateBatchJob job = {.n = pf->n,
                            .prompts = (const int *const *)pf->ids,
                            .lens = pf->lens,
                            .max_new = max_new,
                            .stop = batch_should_stop,
                            .done = batch_done,
                            .ctx = &o,
                            .out = o.out,
                            .n_out = o.n_out};
    GenerateBatchStats st;
    generate_batch(r, &job, &st);
    fprintf(stderr,
            "%d prompts (%ld tokens), %ld new tokens in %.2f s: %.1f tokens/s; %ld canvases, "
            "%.1f rows each\n",
            pf->n, st.prompt_tokens, st.new_tokens, st.seconds,
            st.seconds > 0 ? st.new_tokens / st.seconds : 0.0, st.canvases,
            st.canvases ? (double)st.rows / st.canvases : 0.0);
    for (int i = 0; i < pf->n; i++)
        free(o.out[i]);
    free(o.out), free(o.n_out), free(o.finished);
    prompts_file_free(pf);
}

int cmd_generate(int argc, char **argv) {
    CliOption opts[] = {
        CLI_RUN_OPTIONS,
        {"--prompt", "TEXT", "prompt text (after the prefix token: BOS, else EOS)", NULL},
        {"--tokens", "IDS", "prompt as comma-separated token ids instead", NULL},
        {"--prompts", "FILE",
         "JSON lines of prompts (a string, {\"prompt\": TEXT} or {\"tokens\": [ids]}) decoded "
         "together; one JSON line of results each, in input order",
         NULL},
        {"--max-new", "N", "most new tokens (default 64)", NULL},
        CLI_TOKENIZER_OPTION,
        {"--no-stop", NULL, "do not stop at EOS", NULL},
    };
    int n = sizeof opts / sizeof opts[0];
    cli_parse("generate",
              "Greedy decoding with the KV cache under a plan; streams the text and\n"
              "ends with a line 'tokens: a,b,c' of the new ids. Stops at any of the\n"
              "model's EOS ids (tokenizer_config.json, generation_config.json, config.json).\n"
              "With --prompts, many prompts decode together (--batch per canvas, --inflight\n"
              "canvases through the stations) and each result is a JSON line\n"
              "{\"index\", \"tokens\", \"text\"}.",
              opts, n, argc, argv);
    const char *prompt = cli_value(opts, n, "--prompt");
    const char *tokens = cli_value(opts, n, "--tokens");
    const char *file = cli_value(opts, n, "--prompts");
    if ((prompt != NULL) + (tokens != NULL) + (file != NULL) != 1)
        die_input("generate: give exactly one of --prompt TEXT, --tokens IDS or --prompts FILE");
    int max_new = (int)cli_int(opts, n, "--max-new", 64, 1, 1 << 20);
    RunnerOptions ro = cli_runner_options(opts, n);
    Tokenizer *tok = model_open_tokenizer(ro.model, cli_value(opts, n, "--tokenizer"),
                                          prompt ? "--prompt (or give --tokens IDS)" : NULL);
    if (file && !file_exists(file)) die_input("%s: prompts file not found (--prompts)", file);
    int *ids = NULL, np = 0;
    if (!file)
        np = prompt ? tokenizer_encode_sequence(tok, prompt, &ids)
                    : cli_parse_ids(tokens, "--tokens", &ids);
    Runner *r = runner_open(&ro);
    if (tok) model_check_tokenizer(tok, r->ck->cfg.vocab_size, ro.model);
    StopIds stops = stop_ids_of(tok, r, cli_value(opts, n, "--no-stop") != NULL);
    if (file)
        generate_file(r, tok, file, max_new, &stops);
    else
        generate_one(r, tok, prompt, ids, np, max_new, &stops);
    free(ids);
    runner_close(r);
    tokenizer_free(tok);
    return 0;
}
