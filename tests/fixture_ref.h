/* fixture_ref.h: access to the reference fixtures (reference.json and
 * reference.safetensors computed by Hugging Face transformers). */
#ifndef PAINTERS_FIXTURE_REF_H
#define PAINTERS_FIXTURE_REF_H

#include <cjson/cJSON.h>

#include "formats/checkpoint.h"
#include "program/plan.h"
#include "run/runner.h"

typedef struct {
    cJSON *json;         /* reference.json, owned */
    Checkpoint *tensors; /* reference.safetensors as a bare tensor table, owned */
    char *dir;
} FixtureRef;

/* Opens DIR/reference.json and DIR/reference.safetensors. */
void fixture_ref_open(FixtureRef *f, const char *dir);
void fixture_ref_close(FixtureRef *f);
/* Reads reference tensor `name` of n floats; caller frees. NULL if absent.
 * A NaN or infinity in it is die_input (a broken fixture). */
float *fixture_ref_tensor(const FixtureRef *f, const char *name, int64_t *n);
/* The plan's "program" as explicit-steps plan JSON; caller frees. */
char *fixture_program_as_plan(const cJSON *program);
/* 1 when p's steps equal the reference program list. */
int fixture_program_equal(const Program *p, const cJSON *program);
/* The plan of one entry of reference.json's "plans" (its name and
 * "program") parsed for r's model, checked to hold the program's steps
 * (a TEST_CHECK named after it) and set on r, which owns it. */
Program *fixture_use_plan(Runner *r, const cJSON *plan_entry);
/* n_new greedy tokens after prompt (np ids) into out, recomputing the whole
 * sequence at every step (no cache). */
void fixture_greedy_recomputed(Runner *r, const int *prompt, int np, int n_new, int *out);
/* Token ids of a JSON array; caller frees. */
int fixture_ids(const cJSON *arr, int **ids);

/* What fixture_check_logits saw, summed over its calls. */
typedef struct {
    double worst;   /* largest error relative to the reference's largest |logit| */
    int argmax_off; /* positions whose argmax differs from the reference's */
    int argmax_all; /* positions compared */
} FixtureLogitStats;

/* The logits (n, V) of one sequence against the reference tensors
 * PREFIX/last_logits [V] (required) and PREFIX/logits [n, V] (checked where
 * the fixture has it), PREFIX such as "baseline/seq0": every logit finite,
 * each position within tol of the reference's largest |logit|
 * (test_rel_error), and with exact_argmax the same argmax at every
 * position. Adds what it saw to st. */
void fixture_check_logits(const FixtureRef *f, const char *prefix, const float *logits, int n,
                          int V, double tol, int exact_argmax, FixtureLogitStats *st);

#endif
