/* plan.h: layer plans (DESIGN.md "Plans").
 *
 * A plan file is JSON, either the paper's shorthand
 *   {"name": "looped-parallel-N4", "variant": "looped_parallel", "N": 4, "K": 3}
 * or explicit steps
 *   {"name": "pairs", "steps": [{"layers": [0]}, {"parallel": [1, 2], "repeat": 2},
 *                               {"layers": ["3-13"]}, {"layers": ["15-14"]}]}
 * and is expanded, for a model of n_layers layers, into a Program: a list of
 * steps, each a list of layer ids. One id is a sequential layer; several are a
 * parallel group whose outputs are averaged: h' = mean_i L_i(h).
 *
 * Errors (unknown keys, out-of-range layers, empty steps, bad JSON) die_input()
 * naming the file (or "<inline plan>"), the JSON path (steps[2].parallel[1])
 * and the reason.
 *
 * Explicit steps: {"layers": [...]} is one sequential step per id, in the order
 * given; {"parallel": [...]} is one step (a group of distinct layers, averaged;
 * a group of one layer is that layer); "repeat": k (default 1) repeats the
 * step, for "layers" the whole list k times. A list entry is a layer id or a
 * string "a-b" (inclusive range, descending for reverse order) or "a".
 *
 * Paper variants (T = n_layers, 0 <= N and 2N < T): P = [0..N] and
 * Q = [T-N..T-1] run in order around Mid = [N+1..T-N-1], which may be empty.
 * Top-level keys: name, description, and either steps or variant with N (not
 * needed for baseline, default 0), K (looped_parallel, default 3) and seed
 * (random, default 0; negative seeds act as their absolute value, as in
 * Python). K and seed are accepted, and ignored, for the other variants.
 * A program holds at most PLAN_MAX_APPLICATIONS layer applications. */
#ifndef PAINTERS_PLAN_H
#define PAINTERS_PLAN_H

#define PLAN_MAX_APPLICATIONS 100000
#define PLAN_DEFAULT_K 3

typedef struct {
    int n_layers; /* 1: sequential layer; > 1: parallel group (mean) */
    int *layers;  /* owned by the Program */
} ProgramStep;

typedef struct {
    char *name;    /* owned; the plan's "name", else for a variant "baseline" or
                      "VARIANT_N{N}", plus "_K{K}" for looped_parallel when
                      K != 3 and "_seed{seed}" for random when seed != 0;
                      "custom" for explicit steps without a name */
    char *variant; /* owned; "baseline", "skip", ..., or "custom" for explicit steps */
    int N;         /* the variant's N (0 for custom) */
    int K;         /* looped_parallel's K, default filled in; 0 otherwise */
    int seed;      /* random's seed as given; 0 otherwise */
    int n_steps;
    ProgramStep *steps; /* owned */
} Program;

/* Variant names of the paper, in DESIGN.md order. */
extern const char *const PLAN_VARIANTS[];
extern const int PLAN_N_VARIANTS;

/* Loads a plan from a file path, or from inline JSON text when arg starts
 * with '{' (after blanks). arg NULL means the baseline. A missing file is
 * die_input naming it. Caller owns the result. */
Program *plan_load(const char *arg, int n_layers);
/* Parses JSON text; `source` names it in messages. Caller owns the result. */
Program *plan_parse(const char *json_text, const char *source, int n_layers);
/* Expands a paper variant (DESIGN.md table) for T = n_layers layers; K = 0
 * means PLAN_DEFAULT_K. die_input for an unknown variant, N out of range for
 * T, K < 0 or a program over PLAN_MAX_APPLICATIONS. Caller owns the result. */
Program *plan_expand_variant(const char *variant, int N, int K, int seed, int n_layers);
void program_free(Program *p); /* accepts NULL */
/* A copy of steps [from, to) of p (the whole program: 0, n_steps). Caller owns. */
Program *program_slice(const Program *p, int from, int to);
/* A program of n_steps steps, step s being the next sizes[s] ids of layers
 * (no checks: for programs that were checked where they were parsed, such as
 * the one rank 0 sends to the stations). Caller owns. */
Program *program_from_steps(const char *name, const char *variant, int n_steps, const int *sizes,
                            const int *layers);
/* Writes the program as compact JSON, e.g. [[0],[1,2],[3]], into a buffer the
 * caller frees. */
char *program_to_json(const Program *p);
/* Total number of layer applications (sum of group sizes). */
int program_layer_count(const Program *p);

#endif
