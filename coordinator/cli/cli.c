/* cli.c: see cli.h. */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "compute/matmul.h"
#include "compute/gemvq8.h"
#include "compute/matmul_dnnl.h"
#include "cli/hf_cache.h"

static void cli_usage(const char *command, const char *summary, const CliOption *opts, int n) {
    printf("usage: painters %s [options]\n\n%s\n\noptions:\n", command, summary);
    for (int i = 0; i < n; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
                 opts[i].metavar ? opts[i].metavar : "");
        printf("  %-24s %s\n", left, opts[i].help);
    }
    printf("  %-24s %s\n", "--help", "show this help");
}

void cli_parse(const char *command, const char *summary, CliOption *opts, int n, int argc,
               char **argv) {
    for (int a = 1; a < argc; a++) {
        const char *arg = argv[a];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            cli_usage(command, summary, opts, n);
            exit(0);
        }
        int found = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(arg, opts[i].name)) found = i;
        if (found < 0)
            die_input("%s: unknown option '%s' (see painters %s --help)", command, arg, command);
        CliOption *o = &opts[found];
        if (o->value) die_input("%s: option %s given twice", command, o->name);
        if (o->metavar) {
            if (a + 1 >= argc)
                die_input("%s: option %s needs a value %s", command, o->name, o->metavar);
            o->value = argv[++a];
        } else {
            o->value = "1";
        }
    }
}

const char *cli_value(const CliOption *opts, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(opts[i].name, name)) return opts[i].value;
    return NULL;
}

const char *cli_require(const CliOption *opts, int n, const char *command, const char *name) {
    const char *v = cli_value(opts, n, name);
    if (!v) die_input("%s: option %s is required (see painters %s --help)", command, name, command);
    return v;
}

long cli_int(const CliOption *opts, int n, const char *name, long dflt, long lo, long hi) {
    const char *v = cli_value(opts, n, name);
    if (!v) return dflt;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        die_input("option %s: '%s' is not an integer in [%ld, %ld]", name, v, lo, hi);
    return x;
}

int cli_take_repeated(const char *command, int *argc, char **argv, const char *name,
                      const char ***values) {
    const char **out = xmalloc((size_t)(*argc > 0 ? *argc : 1) * sizeof *out);
    int n = 0, kept = 1;
    for (int a = 1; a < *argc; a++) {
        if (strcmp(argv[a], name) != 0) {
            argv[kept++] = argv[a];
            continue;
        }
        if (a + 1 >= *argc) die_input("%s: option %s needs a value", command, name);
        out[n++] = argv[++a];
    }
    *argc = kept;
    *values = out;
    return n;
}

int cli_parse_ids(const char *text, const char *what, int **ids) {
    int n = 0, cap = 16;
    int *out = xmalloc((size_t)cap * sizeof(int));
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 0 || v > INT_MAX)
            die_input("%s: '%s' is not a comma-separated list of token ids (at character %d)", what,
                      text, (int)(p - text) + 1);
        if (n == cap) out = xrealloc(out, (size_t)(cap *= 2) * sizeof(int));
        out[n++] = (int)v;
        p = end;
        while (*p == ' ')
            p++;
        if (*p == ',') {
            p++;
            if (!*p) die_input("%s: '%s' ends with a comma", what, text);
        } else if (*p) {
            die_input("%s: '%s' is not a comma-separated list of token ids (at character %d)", what,
                      text, (int)(p - text) + 1);
        }
    }
    if (n == 0) die_input("%s: no token ids given", what);
    *ids = out;
    return n;
}

const char *cli_default_model(void) {
    const char *env = getenv("PAINTERS_MODEL");
    if (env && *env) return env;
    return PAINTERS_SOURCE_DIR "/models/painters-demo-16L";
}

static char *g_resolved_model; /* owned: the last name cli_model() resolved */

static void free_resolved_model(void) {
    free(g_resolved_model);
    g_resolved_model = NULL;
}

const char *cli_model(const CliOption *opts, int n) {
    const char *model = cli_value(opts, n, "--model");
    const char *revision = cli_value(opts, n, "--revision");
    if (!model) model = cli_default_model();
    if (file_exists(model) || dir_exists(model) || !hf_cache_is_name(model)) {
        if (revision)
            die_input("--revision %s: --model %s is a path, not a Hugging Face name (org/name)",
                      revision, model);
        return model;
    }
    char *path = hf_cache_resolve(model, revision);
    if (!g_resolved_model) atexit(free_resolved_model);
    free(g_resolved_model);
    g_resolved_model = path;
    return path;
}

RunnerOptions cli_runner_options(const CliOption *opts, int n) {
    const char *timeout = cli_value(opts, n, "--timeout");
    double t = 0.0;
    if (timeout) {
        char *end;
        t = strtod(timeout, &end);
        if (end == timeout || *end || t <= 0)
            die_input("option --timeout: '%s' is not a positive number of seconds", timeout);
    }
    const char *compute = cli_value(opts, n, "--compute");
    int mode = compute ? matmul_compute_parse(compute) : MATMUL_COMPUTE_AUTO;
    if (mode < 0) die_input("option --compute: '%s' is not bf16, f32, q8 or auto", compute);
    return (RunnerOptions){
        .model = cli_model(opts, n),
        .compute = (MatmulCompute)mode,
        .plan = cli_value(opts, n, "--plan"),
        .placement = cli_value(opts, n, "--placement"),
        .inflight = (int)cli_int(opts, n, "--inflight", 0, 1, 4096),
        .batch = (int)cli_int(opts, n, "--batch", 0, 1, WIRE_MAX_BATCH),
        .timeout_s = t,
        .trace = cli_value(opts, n, "--trace"),
        .verbose = cli_value(opts, n, "--verbose") != NULL,
        .pack_tokens = cli_value(opts, n, "--no-pack") ? -1 : 0,
    };
}

const char *cli_compute_summary(const Checkpoint *ck) {
    /* The layers' matrices: the dtype of their largest tensor. */
    int dtype = -1;
    uint64_t most = 0;
    for (int i = 0; i < ck->n_tensors; i++)
        if ((!strncmp(ck->tensors[i].name, "model.layers.", 13) ||
             !strncmp(ck->tensors[i].name, "encoder.layer.", 14)) &&
            ck->tensors[i].nbytes > most) {
            most = ck->tensors[i].nbytes;
            dtype = (int)ck->tensors[i].dtype;
        }
    static char text[160];
    if (dtype >= 0 && matmul_decode_q8((Dtype)dtype))
        snprintf(text, sizeof text, "q8 (decode: gemvq8 %s; prefill: %s)", gemvq8_kernel(),
                 matmul_compute_for((Dtype)dtype) == MATMUL_COMPUTE_BF16 ? "bf16" : "f32");
    else if (dtype >= 0 && matmul_compute_for((Dtype)dtype) == MATMUL_COMPUTE_BF16)
        snprintf(text, sizeof text, "bf16 (oneDNN %s)", matmul_dnnl_isa());
    else if (matmul_compute() == MATMUL_COMPUTE_F32)
        snprintf(text, sizeof text, "f32");
    else if (dtype != DTYPE_BF16)
        snprintf(text, sizeof text, "f32 (the layers are not BF16)");
    else
        snprintf(text, sizeof text, "f32 (no BF16 arithmetic: oneDNN %s)", matmul_dnnl_isa());
    return text;
}

void cli_print_ids(const char *label, const int *ids, int n) {
    printf("%s", label);
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : " ", ids[i]);
    printf("\n");
}
