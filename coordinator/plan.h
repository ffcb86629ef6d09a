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
 * and the reason. */
#ifndef PAINTERS_PLAN_H
#define PAINTERS_PLAN_H

typedef struct {
    int n_layers; /* 1: sequential layer; > 1: parallel group (mean) */
    int *layers;  /* owned by the Program */
} ProgramStep;

typedef struct {
    char *name;    /* owned; the plan's "name", or the variant and N */
    char *variant; /* owned; "baseline", "skip", ..., or "custom" for explicit steps */
    int N, K, seed;/* the shorthand's parameters (0 when not given) */
    int n_steps;
    ProgramStep *steps; /* owned */
} Program;

/* Variant names of the paper, in DESIGN.md order. */
extern const char *const PLAN_VARIANTS[];
extern const int PLAN_N_VARIANTS;

/* Loads a plan from a file path, or from inline JSON text when arg starts
 * with '{'. arg NULL means the baseline. Caller owns the result. */
Program *plan_load(const char *arg, int n_layers);
/* Parses JSON text; `source` names it in messages. Caller owns the result. */
Program *plan_parse(const char *json_text, const char *source, int n_layers);
/* Expands a paper variant (DESIGN.md table) for T = n_layers layers.
 * die_input when N is out of range for T. Caller owns the result. */
Program *plan_expand_variant(const char *variant, int N, int K, int seed, int n_layers);
void program_free(Program *p); /* accepts NULL */
/* Writes the program as compact JSON, e.g. [[0],[1,2],[3]], into a buffer the
 * caller frees. */
char *program_to_json(const Program *p);
/* Total number of layer applications (sum of group sizes). */
int program_layer_count(const Program *p);

#endif
