/* plan.c: see plan.h. Parsing checks each value as it reads it and dies at
 * the first problem, naming its JSON path; expanding checked parameters
 * cannot fail. */
#include "program/plan.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_check.h"
#include "program/pyrandom.h"
#include "base/util.h"

const char *const PLAN_VARIANTS[] = {"baseline", "skip",     "middle_repeat",  "reverse",
                                     "random",   "parallel", "looped_parallel"};
const int PLAN_N_VARIANTS = (int)(sizeof PLAN_VARIANTS / sizeof PLAN_VARIANTS[0]);

#define PATH_MAX_LEN 160

/* A growing list of ints; the owner frees v. */
typedef struct {
    int *v;
    int n, cap;
} IntList;

static void intlist_push(IntList *l, int x) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = xrealloc(l->v, sizeof(int) * (size_t)l->cap);
    }
    l->v[l->n++] = x;
}

/* A Program under construction; b->p is owned by the builder until returned. */
typedef struct {
    Program *p;
    int cap_steps;
    long long applications;
} ProgramBuilder;

static void builder_init(ProgramBuilder *b, const char *name, const char *variant) {
    b->p = xcalloc(1, sizeof(Program));
    b->p->name = xstrdup(name);
    b->p->variant = xstrdup(variant);
    b->cap_steps = 0;
    b->applications = 0;
}

/* Appends one step (a copy of layers[0..n)): a sequential layer when n == 1. */
static void builder_append_step(ProgramBuilder *b, const int *layers, int n) {
    Program *p = b->p;
    if (p->n_steps == b->cap_steps) {
        b->cap_steps = b->cap_steps ? 2 * b->cap_steps : 32;
        p->steps = xrealloc(p->steps, sizeof(ProgramStep) * (size_t)b->cap_steps);
    }
    ProgramStep *s = &p->steps[p->n_steps++];
    s->n_layers = n;
    s->layers = xmalloc(sizeof(int) * (size_t)n);
    memcpy(s->layers, layers, sizeof(int) * (size_t)n);
    b->applications += n;
}

static void builder_append_layer(ProgramBuilder *b, int layer) {
    builder_append_step(b, &layer, 1);
}

Program *program_from_steps(const char *name, const char *variant, int n_steps, const int *sizes,
                            const int *layers) {
    ProgramBuilder b;
    builder_init(&b, name, variant);
    for (int s = 0, at = 0; s < n_steps; at += sizes[s], s++)
        builder_append_step(&b, layers + at, sizes[s]);
    return b.p;
}

Program *program_slice(const Program *p, int from, int to) {
    ProgramBuilder b;
    builder_init(&b, p->name, p->variant);
    for (int s = from; s < to; s++)
        builder_append_step(&b, p->steps[s].layers, p->steps[s].n_layers);
    b.p->N = p->N, b.p->K = p->K, b.p->seed = p->seed;
    return b.p;
}

void program_free(Program *p) {
    if (!p) return;
    for (int i = 0; i < p->n_steps; i++)
        free(p->steps[i].layers);
    free(p->steps);
    free(p->name);
    free(p->variant);
    free(p);
}

int program_layer_count(const Program *p) {
    int n = 0;
    for (int i = 0; i < p->n_steps; i++)
        n += p->steps[i].n_layers;
    return n;
}

char *program_to_json(const Program *p) {
    size_t cap = 3;
    for (int i = 0; i < p->n_steps; i++)
        cap += 3 + 12 * (size_t)p->steps[i].n_layers;
    char *out = xmalloc(cap);
    size_t at = 0;
    out[at++] = '[';
    for (int i = 0; i < p->n_steps; i++) {
        if (i) out[at++] = ',';
        out[at++] = '[';
        for (int j = 0; j < p->steps[i].n_layers; j++)
            at += (size_t)snprintf(out + at, cap - at, j ? ",%d" : "%d", p->steps[i].layers[j]);
        out[at++] = ']';
    }
    out[at++] = ']';
    out[at] = '\0';
    return out;
}

static int variant_index(const char *variant) {
    for (int i = 0; i < PLAN_N_VARIANTS; i++)
        if (!strcmp(variant, PLAN_VARIANTS[i])) return i;
    return -1;
}

static int variant_needs_n(const char *variant) {
    return strcmp(variant, "baseline") != 0;
}

/* Layer applications of the variant's program (P, middle, Q). */
static long long variant_applications(const char *variant, int N, int K, int T) {
    long long mid = T - 2LL * N - 1;
    long long outer = T - mid;
    if (!strcmp(variant, "skip")) return outer;
    if (!strcmp(variant, "looped_parallel")) return outer + (long long)K * mid;
    return T;
}

/* Checks the variant's parameters for T layers (K already defaulted). Returns
 * NULL when they are fine, else the name of the faulty parameter ("variant",
 * "N" or "K") with the reason written to why. */
static const char *variant_problem(const char *variant, int N, int K, int T, char *why,
                                   size_t why_len) {
    if (variant_index(variant) < 0) {
        size_t at = (size_t)snprintf(why, why_len, "unknown variant \"%s\" (known:", variant);
        for (int i = 0; i < PLAN_N_VARIANTS && at < why_len; i++)
            at += (size_t)snprintf(why + at, why_len - at, "%s %s", i ? "," : "", PLAN_VARIANTS[i]);
        if (at < why_len) snprintf(why + at, why_len - at, ")");
        return "variant";
    }
    if (N < 0 || 2LL * N >= T) {
        snprintf(why, why_len,
                 "N = %d out of range for a model of T = %d layers (need 0 <= N <= %d, so that "
                 "P = [0..N] and Q = [T-N..T-1] do not overlap)",
                 N, T, (T - 1) / 2);
        return "N";
    }
    if (K < 1) {
        snprintf(why, why_len, "K = %d: must be at least 1", K);
        return "K";
    }
    long long total = variant_applications(variant, N, K, T);
    if (total > PLAN_MAX_APPLICATIONS) {
        snprintf(why, why_len, "K = %d makes %lld layer applications (at most %d)", K, total,
                 PLAN_MAX_APPLICATIONS);
        return "K";
    }
    return NULL;
}

static char *variant_default_name(const char *variant, int N, int K, int seed) {
    char buf[128];
    if (!strcmp(variant, "baseline")) return xstrdup("baseline");
    size_t at = (size_t)snprintf(buf, sizeof buf, "%s_N%d", variant, N);
    if (!strcmp(variant, "looped_parallel") && K != PLAN_DEFAULT_K)
        snprintf(buf + at, sizeof buf - at, "_K%d", K);
    if (!strcmp(variant, "random") && seed != 0)
        snprintf(buf + at, sizeof buf - at, "_seed%d", seed);
    return xstrdup(buf);
}

/* Appends the middle part of the variant: Mid = [lo..hi], possibly empty. */
static void expand_middle(ProgramBuilder *b, const char *variant, int lo, int hi, int K, int seed,
                          int T) {
    int m = hi >= lo ? hi - lo + 1 : 0;
    if (m == 0) return;
    int *mid = xmalloc(sizeof(int) * (size_t)m);
    for (int i = 0; i < m; i++)
        mid[i] = lo + i;
    if (!strcmp(variant, "baseline")) {
        for (int i = 0; i < m; i++)
            builder_append_layer(b, mid[i]);
    } else if (!strcmp(variant, "middle_repeat")) {
        for (int i = 0; i < m; i++)
            builder_append_layer(b, T / 2);
    } else if (!strcmp(variant, "reverse")) {
        for (int i = m - 1; i >= 0; i--)
            builder_append_layer(b, mid[i]);
    } else if (!strcmp(variant, "random")) {
        PyRandom r;
        pyrandom_seed(&r, (uint64_t)llabs((long long)seed));
        pyrandom_shuffle(&r, mid, m);
        for (int i = 0; i < m; i++)
            builder_append_layer(b, mid[i]);
    } else if (!strcmp(variant, "parallel")) {
        builder_append_step(b, mid, m);
    } else if (!strcmp(variant, "looped_parallel")) {
        for (int k = 0; k < K; k++)
            builder_append_step(b, mid, m);
    }
    free(mid);
}

/* Builds the variant's program; the parameters were checked by variant_problem. */
static Program *expand_checked_variant(const char *variant, int N, int K, int seed, int T) {
    int is_looped = !strcmp(variant, "looped_parallel");
    int is_random = !strcmp(variant, "random");
    ProgramBuilder b;
    char *name = variant_default_name(variant, N, K, seed);
    builder_init(&b, name, variant);
    free(name);
    b.p->N = N;
    b.p->K = is_looped ? K : 0;
    b.p->seed = is_random ? seed : 0;
    for (int i = 0; i <= N; i++)
        builder_append_layer(&b, i);
    expand_middle(&b, variant, N + 1, T - N - 1, K, seed, T);
    for (int i = T - N; i < T; i++)
        builder_append_layer(&b, i);
    return b.p;
}

Program *plan_expand_variant(const char *variant, int N, int K, int seed, int n_layers) {
    if (n_layers < 1) die_runtime("plan_expand_variant: model has %d layers", n_layers);
    if (K == 0) K = PLAN_DEFAULT_K;
    char why[512];
    const char *param = variant_problem(variant, N, K, n_layers, why, sizeof why);
    if (param) die_input("plan variant \"%s\": %s: %s", variant, param, why);
    return expand_checked_variant(variant, N, K, seed, n_layers);
}

/* What plan_parse needs to report errors and check layer ids. */
typedef struct {
    const char *source;
    int n_layers;
} PlanParse;

static _Noreturn void plan_fail(const PlanParse *ps, const char *path, const char *fmt, ...)
    PAINTERS_PRINTF(3, 4);

static _Noreturn void plan_fail(const PlanParse *ps, const char *path, const char *fmt, ...) {
    char why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    die_input("%s: %s: %s", ps->source, path, why);
}

/* Path helpers write at most PATH_MAX_LEN bytes into out; an over-long path
 * (a huge unknown key) ends in "...". */
static void path_mark_truncated(char *out, int written) {
    if (written >= PATH_MAX_LEN) memcpy(out + PATH_MAX_LEN - 4, "...", 4);
}

static void path_key(char *out, const char *parent, const char *key) {
    int n = parent[0] ? snprintf(out, PATH_MAX_LEN, "%s.%s", parent, key)
                      : snprintf(out, PATH_MAX_LEN, "%s", key);
    path_mark_truncated(out, n);
}

static void path_index(char *out, const char *parent, int index) {
    path_mark_truncated(out, snprintf(out, PATH_MAX_LEN, "%s[%d]", parent, index));
}

/* Dies on keys outside allowed[] and on keys given twice. */
static void plan_check_keys(const PlanParse *ps, const cJSON *obj, const char *path,
                            const char *const *allowed, int n_allowed) {
    char where[PATH_MAX_LEN], list[256];
    size_t at = 0;
    for (int i = 0; i < n_allowed && at < sizeof list; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", allowed[i]);
    for (const cJSON *c = obj->child; c; c = c->next) {
        path_key(where, path, c->string);
        int known = 0;
        for (int i = 0; i < n_allowed; i++)
            known |= !strcmp(c->string, allowed[i]);
        if (!known) plan_fail(ps, where, "unknown key \"%s\" (allowed: %s)", c->string, list);
        for (const cJSON *d = obj->child; d != c; d = d->next)
            if (!strcmp(c->string, d->string))
                plan_fail(ps, where, "key \"%s\" given twice", c->string);
    }
}

/* The value of a JSON integer in [lo, hi]; dies naming path otherwise. */
static long long plan_parse_int(const PlanParse *ps, const cJSON *v, const char *path, long long lo,
                                long long hi) {
    if (!cJSON_IsNumber(v)) plan_fail(ps, path, "expected an integer, got %s", json_kind(v));
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d)) plan_fail(ps, path, "expected an integer, got %g", d);
    if (d < (double)lo || d > (double)hi) {
        if (fabs(d) < 1e15)
            plan_fail(ps, path, "%.0f out of range (allowed %lld..%lld)", d, lo, hi);
        plan_fail(ps, path, "%g out of range (allowed %lld..%lld)", d, lo, hi);
    }
    return (long long)d;
}

static const char *plan_parse_string(const PlanParse *ps, const cJSON *v, const char *path) {
    if (!cJSON_IsString(v)) plan_fail(ps, path, "expected a string, got %s", json_kind(v));
    return v->valuestring;
}

/* Reads decimal digits at *s, advancing past them: -1 when there are none,
 * LONG_MAX when there are more than 9 (out of range for any model). */
static long read_layer_number(const char **s) {
    long v = 0;
    int digits = 0;
    for (; isdigit((unsigned char)**s); (*s)++)
        if (++digits <= 9) v = 10 * v + (**s - '0');
    if (!digits) return -1;
    return digits > 9 ? LONG_MAX : v;
}

/* Appends the ids that one list entry names, an integer id or an "a"/"a-b"
 * range string, to ids. */
static void plan_parse_layer_ref(const PlanParse *ps, const cJSON *v, const char *path,
                                 IntList *ids) {
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d) || d != floor(d))
            plan_fail(ps, path, "expected a layer id (an integer) or a range like \"3-13\", got %g",
                      d);
        if (d < 0) plan_fail(ps, path, "layer %.0f is negative", d);
        if (d >= ps->n_layers)
            plan_fail(ps, path, "layer %.0f out of range (model has %d layers)", d, ps->n_layers);
        intlist_push(ids, (int)d);
        return;
    }
    if (!cJSON_IsString(v))
        plan_fail(ps, path, "expected a layer id (an integer) or a range like \"3-13\", got %s",
                  json_kind(v));
    const char *s = v->valuestring;
    long a = read_layer_number(&s), b = a;
    if (a >= 0 && *s == '-') {
        s++;
        b = read_layer_number(&s);
    }
    if (a < 0 || b < 0 || *s != '\0')
        plan_fail(ps, path,
                  "bad layer range \"%s\" (expected \"a\" or \"a-b\" with non-negative integers, "
                  "e.g. \"3-13\"; descending for reverse order)",
                  v->valuestring);
    long highest = a > b ? a : b;
    if (highest == LONG_MAX)
        plan_fail(ps, path, "\"%s\": layer number too large (model has %d layers)", v->valuestring,
                  ps->n_layers);
    if (highest >= ps->n_layers)
        plan_fail(ps, path, "\"%s\": layer %ld out of range (model has %d layers)", v->valuestring,
                  highest, ps->n_layers);
    int step = a <= b ? 1 : -1;
    for (long i = a;; i += step) {
        intlist_push(ids, (int)i);
        if (i == b) break;
    }
}

/* Collects the ids of a "layers" or "parallel" list; for parallel, a layer
 * may appear only once. The caller frees ids->v. */
static void plan_parse_layer_list(const PlanParse *ps, const cJSON *list, const char *path,
                                  int parallel, IntList *ids) {
    if (!cJSON_IsArray(list))
        plan_fail(ps, path, "expected an array of layer ids or ranges, got %s", json_kind(list));
    if (!list->child) plan_fail(ps, path, "empty list (a step needs at least one layer)");
    char *seen = parallel ? xcalloc((size_t)ps->n_layers, 1) : NULL;
    char where[PATH_MAX_LEN];
    int index = 0;
    for (const cJSON *e = list->child; e; e = e->next, index++) {
        path_index(where, path, index);
        int before = ids->n;
        plan_parse_layer_ref(ps, e, where, ids);
        for (int i = before; seen && i < ids->n; i++) {
            if (seen[ids->v[i]])
                plan_fail(ps, where, "layer %d appears twice in one parallel group", ids->v[i]);
            seen[ids->v[i]] = 1;
        }
    }
    free(seen);
}

/* Parses steps[index] and appends its expansion to b. */
static void plan_parse_step(const PlanParse *ps, const cJSON *step, int index, ProgramBuilder *b) {
    static const char *const allowed[] = {"layers", "parallel", "repeat"};
    char path[PATH_MAX_LEN], where[PATH_MAX_LEN];
    path_index(path, "steps", index);
    if (!cJSON_IsObject(step))
        plan_fail(ps, path, "expected a step object like {\"layers\": [0]}, got %s",
                  json_kind(step));
    plan_check_keys(ps, step, path, allowed, 3);
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(step, "layers");
    const cJSON *parallel = cJSON_GetObjectItemCaseSensitive(step, "parallel");
    const cJSON *repeat_v = cJSON_GetObjectItemCaseSensitive(step, "repeat");
    if (layers && parallel)
        plan_fail(ps, path, "both \"layers\" and \"parallel\" given (a step is one or the other)");
    if (!layers && !parallel) plan_fail(ps, path, "needs \"layers\" or \"parallel\"");
    long long repeat = 1;
    if (repeat_v) {
        path_key(where, path, "repeat");
        repeat = plan_parse_int(ps, repeat_v, where, 1, PLAN_MAX_APPLICATIONS);
    }
    path_key(where, path, layers ? "layers" : "parallel");
    IntList ids = {0};
    plan_parse_layer_list(ps, layers ? layers : parallel, where, parallel != NULL, &ids);
    long long total = b->applications + repeat * ids.n;
    if (total > PLAN_MAX_APPLICATIONS)
        plan_fail(ps, path, "program too long: it would reach %lld layer applications (at most %d)",
                  total, PLAN_MAX_APPLICATIONS);
    for (long long r = 0; r < repeat; r++) {
        if (parallel)
            builder_append_step(b, ids.v, ids.n);
        else
            for (int i = 0; i < ids.n; i++)
                builder_append_layer(b, ids.v[i]);
    }
    free(ids.v);
}

static Program *plan_parse_steps(const PlanParse *ps, const cJSON *steps, const char *name) {
    if (!cJSON_IsArray(steps))
        plan_fail(ps, "steps", "expected an array of steps, got %s", json_kind(steps));
    if (!steps->child) plan_fail(ps, "steps", "empty (a plan needs at least one step)");
    ProgramBuilder b;
    builder_init(&b, name ? name : "custom", "custom");
    int index = 0;
    for (const cJSON *s = steps->child; s; s = s->next, index++)
        plan_parse_step(ps, s, index, &b);
    return b.p;
}

static Program *plan_parse_variant(const PlanParse *ps, const cJSON *root, const char *name) {
    const char *variant =
        plan_parse_string(ps, cJSON_GetObjectItemCaseSensitive(root, "variant"), "variant");
    if (variant_index(variant) < 0) {
        char why[512];
        variant_problem(variant, 0, PLAN_DEFAULT_K, ps->n_layers, why, sizeof why);
        plan_fail(ps, "variant", "%s", why);
    }
    const cJSON *n_v = cJSON_GetObjectItemCaseSensitive(root, "N");
    const cJSON *k_v = cJSON_GetObjectItemCaseSensitive(root, "K");
    const cJSON *seed_v = cJSON_GetObjectItemCaseSensitive(root, "seed");
    if (!n_v && variant_needs_n(variant))
        plan_fail(ps, "N", "missing: variant \"%s\" needs N (0 <= N <= %d for this %d-layer model)",
                  variant, (ps->n_layers - 1) / 2, ps->n_layers);
    int N = n_v ? (int)plan_parse_int(ps, n_v, "N", INT_MIN, INT_MAX) : 0;
    int K = k_v ? (int)plan_parse_int(ps, k_v, "K", 1, PLAN_MAX_APPLICATIONS) : PLAN_DEFAULT_K;
    int seed = seed_v ? (int)plan_parse_int(ps, seed_v, "seed", -INT_MAX, INT_MAX) : 0;
    char why[512];
    const char *param = variant_problem(variant, N, K, ps->n_layers, why, sizeof why);
    if (param) plan_fail(ps, param, "%s", why);
    Program *p = expand_checked_variant(variant, N, K, seed, ps->n_layers);
    if (name) {
        free(p->name);
        p->name = xstrdup(name);
    }
    return p;
}

/* Dies with the line and column of a JSON syntax error at err within text. */
static _Noreturn void plan_fail_syntax(const PlanParse *ps, const char *text, const char *err) {
    int line = 1, column = 1;
    for (const char *c = text; c < err && *c; c++) {
        if (*c == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    const char *from = err, *to = err;
    while (from > text && err - from < 16 && from[-1] != '\n')
        from--;
    while (*to && *to != '\n' && to - err < 16)
        to++;
    char near[40];
    size_t n = 0;
    for (const char *c = from; c < to; c++)
        near[n++] = isprint((unsigned char)*c) ? *c : '?';
    near[n] = '\0';
    if (!*err)
        die_input("%s: line %d, column %d: invalid JSON (unexpected end of text%s%s%s)", ps->source,
                  line, column, n ? " after '" : "", near, n ? "'" : "");
    die_input("%s: line %d, column %d: invalid JSON near '%s'", ps->source, line, column, near);
}

Program *plan_parse(const char *json_text, const char *source, int n_layers) {
    static const char *const allowed[] = {"name", "description", "variant", "N",
                                          "K",    "seed",        "steps"};
    if (n_layers < 1) die_runtime("plan_parse: model has %d layers", n_layers);
    PlanParse ps = {source, n_layers};
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json_text, &end, 1);
    if (!root) plan_fail_syntax(&ps, json_text, end ? end : cJSON_GetErrorPtr());
    if (!cJSON_IsObject(root))
        plan_fail(&ps, "top level",
                  "expected a JSON object like {\"variant\": \"skip\", \"N\": 4}, got %s",
                  json_kind(root));
    plan_check_keys(&ps, root, "", allowed, (int)(sizeof allowed / sizeof allowed[0]));
    const cJSON *name_v = cJSON_GetObjectItemCaseSensitive(root, "name");
    const char *name = name_v ? plan_parse_string(&ps, name_v, "name") : NULL;
    if (name && !name[0]) plan_fail(&ps, "name", "must not be empty");
    const cJSON *desc_v = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (desc_v) plan_parse_string(&ps, desc_v, "description");
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
    const cJSON *variant = cJSON_GetObjectItemCaseSensitive(root, "variant");
    if (steps && variant)
        plan_fail(&ps, "steps",
                  "both \"variant\" and \"steps\" given (a plan is one or the other)");
    if (!steps && !variant) plan_fail(&ps, "top level", "needs \"variant\" or \"steps\"");
    Program *p;
    if (steps) {
        static const char *const variant_only[] = {"N", "K", "seed"};
        for (int i = 0; i < 3; i++)
            if (cJSON_GetObjectItemCaseSensitive(root, variant_only[i]))
                plan_fail(&ps, variant_only[i],
                          "applies only to a \"variant\" plan, not to \"steps\"");
        p = plan_parse_steps(&ps, steps, name);
    } else {
        p = plan_parse_variant(&ps, root, name);
    }
    cJSON_Delete(root);
    return p;
}

Program *plan_load(const char *arg, int n_layers) {
    if (!arg) return plan_expand_variant("baseline", 0, 0, 0, n_layers);
    const char *c = arg;
    while (isspace((unsigned char)*c))
        c++;
    if (*c == '{') return plan_parse(arg, "<inline plan>", n_layers);
    if (!file_exists(arg))
        die_input(
            "%s: plan file not found (give a JSON plan file, or inline JSON starting with '{')",
            arg);
    char *text = read_file_text(arg, NULL);
    Program *p = plan_parse(text, arg, n_layers);
    free(text);
    return p;
}
