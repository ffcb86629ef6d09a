/* test_plan.c: plan parsing and expansion. Checks the paper variants and the
 * custom plans of the reference fixtures, the shipped plans/ files, hand-made
 * edge cases, and that each malformed plan ends with exit status 2 and a
 * message naming the source and the JSON path. Also the job setup as it
 * travels to the stations: packed and unpacked unchanged, and a setup with a
 * bad station list ending with exit status 1 and a message naming the reason. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "painters_wire.pb-c.h"
#include "program/placement.h"
#include "program/plan.h"
#include "program/setup.h"
#include "testhelp.h"
#include "base/util.h"
#include "wire/wire.h"

/* Parses json for T layers and compares the expansion with expected (compact
 * JSON like [[0],[1,2]]). */
static void check_parse(const char *label, const char *json, int T, const char *expected) {
    Program *p = plan_parse(json, "<test>", T);
    char *got = program_to_json(p);
    TEST_CHECK(label, !strcmp(got, expected));
    if (strcmp(got, expected)) printf("  %s\n  got      %s\n  expected %s\n", json, got, expected);
    free(got);
    program_free(p);
}

static void test_variant_edges(void) {
    check_parse("baseline without N", "{\"variant\": \"baseline\"}", 4, "[[0],[1],[2],[3]]");
    check_parse("baseline of one layer", "{\"variant\": \"baseline\", \"N\": 0}", 1, "[[0]]");
    check_parse("skip N0", "{\"variant\": \"skip\", \"N\": 0}", 5, "[[0]]");
    check_parse("skip with empty Mid", "{\"variant\": \"skip\", \"N\": 3}", 7,
                "[[0],[1],[2],[3],[4],[5],[6]]");
    check_parse("parallel with empty Mid", "{\"variant\": \"parallel\", \"N\": 3}", 7,
                "[[0],[1],[2],[3],[4],[5],[6]]");
    check_parse("middle_repeat with empty Mid", "{\"variant\": \"middle_repeat\", \"N\": 3}", 7,
                "[[0],[1],[2],[3],[4],[5],[6]]");
    check_parse("parallel over one layer is that layer", "{\"variant\": \"parallel\", \"N\": 2}", 6,
                "[[0],[1],[2],[3],[4],[5]]");
    check_parse("looped_parallel over one layer",
                "{\"variant\": \"looped_parallel\", \"N\": 2, \"K\": 2}", 6,
                "[[0],[1],[2],[3],[3],[4],[5]]");
    check_parse("middle_repeat odd T", "{\"variant\": \"middle_repeat\", \"N\": 1}", 7,
                "[[0],[1],[3],[3],[3],[3],[6]]");
    check_parse("reverse N0", "{\"variant\": \"reverse\", \"N\": 0}", 4, "[[0],[3],[2],[1]]");
    check_parse("negative seed acts as its absolute value",
                "{\"variant\": \"random\", \"N\": 1, \"seed\": -7}", 16,
                "[[0],[1],[5],[12],[14],[9],[11],[6],[13],[10],[3],[2],[8],[4],[7],[15]]");
    check_parse("K and seed ignored by skip",
                "{\"variant\": \"skip\", \"N\": 1, \"K\": 5, \"seed\": 9}", 8, "[[0],[1],[7]]");

    Program *p = plan_expand_variant("looped_parallel", 1, 0, 0, 8);
    TEST_CHECK("K 0 means the default", p->K == PLAN_DEFAULT_K && p->n_steps == 6);
    TEST_CHECK("looped_parallel default name", !strcmp(p->name, "looped_parallel_N1"));
    TEST_CHECK("looped_parallel layer count", program_layer_count(p) == 3 + 3 * 5);
    program_free(p);
    p = plan_parse("{\"name\": \"mine\", \"variant\": \"skip\", \"N\": 2}", "<test>", 8);
    TEST_CHECK("explicit name kept",
               !strcmp(p->name, "mine") && !strcmp(p->variant, "skip") && p->N == 2);
    TEST_CHECK("K and seed zero when not used", p->K == 0 && p->seed == 0);
    program_free(p);
    program_free(NULL);
}

static void test_steps(void) {
    check_parse("design pairs example",
                "{\"name\": \"pairs\", \"steps\": [{\"layers\": [0]}, {\"parallel\": [1, 2], "
                "\"repeat\": 2},"
                " {\"layers\": [\"3-13\"]}, {\"layers\": [\"15-14\"]}]}",
                16, "[[0],[1,2],[1,2],[3],[4],[5],[6],[7],[8],[9],[10],[11],[12],[13],[15],[14]]");
    check_parse("layers repeat repeats the whole list",
                "{\"steps\": [{\"layers\": [2, \"0-1\"], \"repeat\": 2}]}", 4,
                "[[2],[0],[1],[2],[0],[1]]");
    check_parse("single-id range string", "{\"steps\": [{\"layers\": [\"3\"]}]}", 4, "[[3]]");
    check_parse("parallel of one layer", "{\"steps\": [{\"parallel\": [2]}]}", 4, "[[2]]");
    check_parse("parallel keeps the given order", "{\"steps\": [{\"parallel\": [\"3-1\", 0]}]}", 4,
                "[[3,2,1,0]]");
    check_parse("integral float id", "{\"steps\": [{\"layers\": [1.0]}]}", 4, "[[1]]");
    check_parse("description allowed", "{\"description\": \"d\", \"steps\": [{\"layers\": [0]}]}",
                4, "[[0]]");

    Program *p = plan_parse("{\"steps\": [{\"parallel\": [0, 1]}]}", "<test>", 2);
    TEST_CHECK("custom default name and variant",
               !strcmp(p->name, "custom") && !strcmp(p->variant, "custom"));
    TEST_CHECK("custom parameters zero", p->N == 0 && p->K == 0 && p->seed == 0);
    program_free(p);
}

static void test_load(void) {
    Program *p = plan_load(NULL, 3);
    char *j = program_to_json(p);
    TEST_CHECK("plan_load(NULL) is the baseline",
               !strcmp(j, "[[0],[1],[2]]") && !strcmp(p->name, "baseline"));
    free(j);
    program_free(p);

    p = plan_load("  {\"variant\": \"skip\", \"N\": 1}", 8);
    j = program_to_json(p);
    TEST_CHECK("plan_load inline JSON", !strcmp(j, "[[0],[1],[7]]"));
    free(j);
    program_free(p);

    p = plan_load(PAINTERS_SOURCE_DIR "/plans/reverse.json", 16);
    TEST_CHECK("plan_load file", p->n_steps == 16 && !strcmp(p->variant, "reverse"));
    program_free(p);
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Every shipped plan file parses for a 16- and a 32-layer model. */
static void test_shipped_plans(void) {
    const char *dir = PAINTERS_SOURCE_DIR "/plans";
    DIR *d = opendir(dir);
    TEST_CHECK("plans/ exists", d != NULL);
    if (!d) return;
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!ends_with(e->d_name, ".json")) continue;
        char *path = path_join(dir, e->d_name);
        for (int T = 16; T <= 32; T += 16) {
            Program *p = plan_load(path, T);
            char label[300];
            snprintf(label, sizeof label, "plans/%s for T=%d", e->d_name, T);
            TEST_CHECK(label, p->n_steps > 0 && p->name[0]);
            program_free(p);
        }
        free(path);
        files++;
    }
    closedir(d);
    printf("parsed %d plan files\n", files);
    TEST_CHECK("at least 8 plan files", files >= 8);
}

/* The variant parameters of a fixture plan entry as plan JSON; caller frees. */
static char *fixture_variant_json(const cJSON *entry) {
    cJSON *plan = cJSON_CreateObject();
    static const char *const keys[] = {"variant", "N", "K", "seed"};
    for (int i = 0; i < 4; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, keys[i]);
        if (v) cJSON_AddItemToObject(plan, keys[i], cJSON_Duplicate(v, 1));
    }
    char *text = cJSON_PrintUnformatted(plan);
    cJSON_Delete(plan);
    return text;
}

typedef struct {
    int T;
    const char *key;
    const char *json;
} CustomPlan;

/* Explicit-steps equivalents of the fixtures' "custom" programs. */
static const CustomPlan CUSTOM_PLANS[] = {
    {8, "custom_pairs",
     "{\"name\": \"custom_pairs\", \"steps\": [{\"layers\": [0]}, {\"parallel\": [1, 2]},"
     " {\"parallel\": [\"3-4\"]}, {\"parallel\": [5, 6]}, {\"layers\": [7]}]}"},
    {8, "custom_skip_first",
     "{\"name\": \"custom_skip_first\", \"steps\": [{\"layers\": [\"1-7\"]}]}"},
    {8, "custom_repeat_last2",
     "{\"name\": \"custom_repeat_last2\", \"steps\": [{\"layers\": [\"0-5\"]}, {\"layers\": [6, "
     "7], "
     "\"repeat\": 2}]}"},
    {16, "custom_pairs",
     "{\"name\": \"custom_pairs\", \"steps\": [{\"layers\": [0]}, {\"parallel\": [1, 2]},"
     " {\"parallel\": [3, 4]}, {\"parallel\": [\"5-6\"]}, {\"parallel\": [7, 8]}, {\"parallel\": "
     "[9, 10]},"
     " {\"parallel\": [11, 12]}, {\"parallel\": [13, 14]}, {\"layers\": [15]}]}"},
    {16, "custom_skip_first",
     "{\"name\": \"custom_skip_first\", \"steps\": [{\"layers\": [\"1-15\"]}]}"},
    {16, "custom_repeat_last2",
     "{\"name\": \"custom_repeat_last2\", \"steps\": [{\"layers\": [\"0-13\"]},"
     " {\"layers\": [\"14-15\"], \"repeat\": 2}]}"},
};

static const char *custom_plan_json(int T, const char *key) {
    for (size_t i = 0; i < sizeof CUSTOM_PLANS / sizeof CUSTOM_PLANS[0]; i++)
        if (CUSTOM_PLANS[i].T == T && !strcmp(CUSTOM_PLANS[i].key, key))
            return CUSTOM_PLANS[i].json;
    return NULL;
}

static void check_fixture_entry(const char *fixture, int T, const cJSON *entry) {
    char label[300];
    const char *variant = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "variant"));
    const cJSON *program = cJSON_GetObjectItemCaseSensitive(entry, "program");
    snprintf(label, sizeof label, "%s %s", fixture, entry->string);
    if (!variant || !program) {
        TEST_CHECK(label, !"fixture entry has variant and program");
        return;
    }
    char *expected = cJSON_PrintUnformatted(program);
    int is_custom = !strcmp(variant, "custom");
    const char *custom = is_custom ? custom_plan_json(T, entry->string) : NULL;
    if (is_custom && !custom) {
        printf("  no explicit-steps plan written for %s\n", label);
        TEST_CHECK(label, !"custom plan covered");
        free(expected);
        return;
    }
    char *json = is_custom ? xstrdup(custom) : fixture_variant_json(entry);
    check_parse(label, json, T, expected);
    Program *p = plan_parse(json, "<test>", T);
    snprintf(label, sizeof label, "%s %s: default name", fixture, entry->string);
    TEST_CHECK(label, !strcmp(p->name, entry->string));
    if (!is_custom) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(entry, "N");
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(entry, "K");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(entry, "seed");
        Program *q = plan_expand_variant(variant, n ? n->valueint : 0, k ? k->valueint : 0,
                                         s ? s->valueint : 0, T);
        char *got = program_to_json(q);
        snprintf(label, sizeof label, "%s %s: plan_expand_variant", fixture, entry->string);
        TEST_CHECK(label, !strcmp(got, expected));
        free(got);
        program_free(q);
    }
    program_free(p);
    free(json);
    free(expected);
}

static int test_fixture(const char *shared, const char *name) {
    char rel[256];
    snprintf(rel, sizeof rel, "fixtures/%s/reference.json", name);
    char *path = path_join(shared, rel);
    char *text = read_file_text(path, NULL);
    cJSON *root = cJSON_Parse(text);
    const cJSON *plans = cJSON_GetObjectItemCaseSensitive(root, "plans");
    int T = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(root, "num_layers"));
    TEST_CHECK("fixture has plans and num_layers", cJSON_IsObject(plans) && T > 0);
    int n = 0;
    for (const cJSON *e = plans ? plans->child : NULL; e && T > 0; e = e->next, n++)
        check_fixture_entry(name, T, e);
    printf("checked %d plans of %s (T=%d)\n", n, name, T);
    cJSON_Delete(root);
    free(text);
    free(path);
    return n;
}

typedef struct {
    const char *json;
    const char *expected; /* must appear in the message */
} BadPlan;

/* Each bad plan is parsed as "bad.json" for a 32-layer model. */
static const BadPlan BAD_PLANS[] = {
    {"", "bad.json: line 1, column 1: invalid JSON"},
    {"{\"steps\": [", "bad.json: line 1, column 12: invalid JSON (unexpected end of text"},
    {"{\n  \"steps\": [\n    {\"layers\": [0],}\n  ]\n}", "bad.json: line 3, column"},
    {"{\"variant\": \"skip\", \"N\": 1} x", "bad.json: line 1, column 29: invalid JSON near"},
    {"[[0], [1]]", "bad.json: top level: expected a JSON object"},
    {"{\"name\": \"x\"}", "bad.json: top level: needs \"variant\" or \"steps\""},
    {"{\"variant\": \"skip\", \"N\": 1, \"M\": 2}", "bad.json: M: unknown key \"M\""},
    {"{\"variant\": \"skip\", \"N\": 1, \"N\": 2}", "bad.json: N: key \"N\" given twice"},
    {"{\"steps\": [{\"layers\": [0]}, {\"paralel\": [1, 2]}]}",
     "bad.json: steps[1].paralel: unknown key \"paralel\" (allowed: layers, parallel, repeat)"},
    {"{\"steps\": {\"layers\": [0]}}",
     "bad.json: steps: expected an array of steps, got an object"},
    {"{\"steps\": [3]}", "bad.json: steps[0]: expected a step object"},
    {"{\"name\": 3, \"variant\": \"baseline\"}", "bad.json: name: expected a string, got a number"},
    {"{\"name\": \"\", \"variant\": \"baseline\"}", "bad.json: name: must not be empty"},
    {"{\"description\": [], \"variant\": \"baseline\"}",
     "bad.json: description: expected a string"},
    {"{\"steps\": [{\"layers\": [1.5]}]}", "bad.json: steps[0].layers[0]: expected a layer id"},
    {"{\"steps\": [{\"layers\": [true]}]}",
     "bad.json: steps[0].layers[0]: expected a layer id (an integer) "
     "or a range like \"3-13\", got a boolean"},
    {"{\"steps\": [{\"layers\": [0, -1]}]}", "bad.json: steps[0].layers[1]: layer -1 is negative"},
    {"{\"steps\": [{\"layers\": [0]}, {\"layers\": [1]}, {\"parallel\": [2, 40]}]}",
     "bad.json: steps[2].parallel[1]: layer 40 out of range (model has 32 layers)"},
    {"{\"steps\": [{\"layers\": [\"0-32\"]}]}",
     "bad.json: steps[0].layers[0]: \"0-32\": layer 32 out of range (model has 32 layers)"},
    {"{\"steps\": [{\"layers\": [\"3-\"]}]}",
     "bad.json: steps[0].layers[0]: bad layer range \"3-\""},
    {"{\"steps\": [{\"layers\": [0, \"a-b\"]}]}",
     "bad.json: steps[0].layers[1]: bad layer range \"a-b\""},
    {"{\"steps\": [{\"layers\": [\"1-2-3\"]}]}",
     "bad.json: steps[0].layers[0]: bad layer range \"1-2-3\""},
    {"{\"steps\": [{\"layers\": [\" 3-5\"]}]}",
     "bad.json: steps[0].layers[0]: bad layer range \" 3-5\""},
    {"{\"steps\": [{\"layers\": [\"-3\"]}]}",
     "bad.json: steps[0].layers[0]: bad layer range \"-3\""},
    {"{\"steps\": [{\"layers\": [\"0-99999999999\"]}]}",
     "bad.json: steps[0].layers[0]: \"0-99999999999\": layer number too large"},
    {"{\"steps\": []}", "bad.json: steps: empty"},
    {"{\"steps\": [{\"layers\": [0]}, {\"parallel\": []}]}",
     "bad.json: steps[1].parallel: empty list"},
    {"{\"steps\": [{\"repeat\": 2}]}", "bad.json: steps[0]: needs \"layers\" or \"parallel\""},
    {"{\"steps\": [{\"layers\": [0], \"parallel\": [1, 2]}]}",
     "bad.json: steps[0]: both \"layers\" and \"parallel\" given"},
    {"{\"steps\": [{\"parallel\": [1, \"0-3\"]}]}",
     "bad.json: steps[0].parallel[1]: layer 1 appears twice in one parallel group"},
    {"{\"steps\": [{\"layers\": [0], \"repeat\": 0}]}",
     "bad.json: steps[0].repeat: 0 out of range"},
    {"{\"steps\": [{\"layers\": [0], \"repeat\": \"2\"}]}",
     "bad.json: steps[0].repeat: expected an integer, got a string"},
    {"{\"steps\": [{\"layers\": [0], \"repeat\": 1e9}]}",
     "bad.json: steps[0].repeat: 1000000000 out of range"},
    {"{\"steps\": [{\"layers\": [0]}, {\"layers\": [\"0-31\"], \"repeat\": 5000}]}",
     "bad.json: steps[1]: program too long"},
    {"{\"variant\": \"skipp\", \"N\": 1}",
     "bad.json: variant: unknown variant \"skipp\" (known: baseline, skip,"},
    {"{\"variant\": 4}", "bad.json: variant: expected a string, got a number"},
    {"{\"variant\": \"skip\"}", "bad.json: N: missing: variant \"skip\" needs N"},
    {"{\"variant\": \"reverse\", \"N\": 16}",
     "bad.json: N: N = 16 out of range for a model of T = 32 layers"},
    {"{\"variant\": \"reverse\", \"N\": -1}", "bad.json: N: N = -1 out of range"},
    {"{\"variant\": \"skip\", \"N\": 2.5}", "bad.json: N: expected an integer, got 2.5"},
    {"{\"variant\": \"looped_parallel\", \"N\": 1, \"K\": 0}", "bad.json: K: 0 out of range"},
    {"{\"variant\": \"looped_parallel\", \"N\": 1, \"K\": 100000}",
     "bad.json: K: K = 100000 makes"},
    {"{\"variant\": \"random\", \"N\": 1, \"seed\": 0.5}", "bad.json: seed: expected an integer"},
    {"{\"variant\": \"skip\", \"N\": 1, \"steps\": [{\"layers\": [0]}]}",
     "bad.json: steps: both \"variant\" and \"steps\" given"},
    {"{\"N\": 1, \"steps\": [{\"layers\": [0]}]}",
     "bad.json: N: applies only to a \"variant\" plan"},
};

/* Runs fn(arg) in a child with stderr captured; checks that it exits with
 * status code and that the message contains expected. */
static void expect_exit(const char *label, int code, void (*fn)(const void *), const void *arg,
                        const char *expected) {
    char msg[4096];
    int status = test_run_child(fn, arg, 0, msg, sizeof msg);
    int ok = status == code && strstr(msg, expected);
    TEST_CHECK(label, ok);
    if (!ok)
        printf("  exit %d, expected message containing: %s\n  got: %s\n", status, expected, msg);
}

/* The same for exit status 2 (bad input). */
static void expect_input_error(const char *label, void (*fn)(const void *), const void *arg,
                               const char *expected) {
    expect_exit(label, PAINTERS_EXIT_INPUT, fn, arg, expected);
}

static void parse_bad_plan(const void *arg) {
    plan_parse(((const BadPlan *)arg)->json, "bad.json", 32);
}

static void load_missing_file(const void *arg) {
    plan_load((const char *)arg, 32);
}

static void expand_unknown_variant(const void *arg) {
    (void)arg;
    plan_expand_variant("sideways", 1, 0, 0, 32);
}

static void expand_n_too_large(const void *arg) {
    (void)arg;
    plan_expand_variant("skip", 4, 0, 0, 8);
}

static void test_bad_plans(void) {
    size_t n = sizeof BAD_PLANS / sizeof BAD_PLANS[0];
    for (size_t i = 0; i < n; i++) {
        char label[64];
        snprintf(label, sizeof label, "bad plan %zu", i);
        expect_input_error(label, parse_bad_plan, &BAD_PLANS[i], BAD_PLANS[i].expected);
    }
    printf("checked %zu bad plans\n", n);
    expect_input_error("missing plan file", load_missing_file, "no/such/plan.json",
                       "no/such/plan.json: plan file not found");
    expect_input_error("expand unknown variant", expand_unknown_variant, NULL,
                       "plan variant \"sideways\": variant: unknown variant");
    expect_input_error("expand N too large", expand_n_too_large, NULL,
                       "N = 4 out of range for a model of T = 8");
}

/* A setup rank 0 packs comes out of setup_unpack as it went in. */
static void test_setup_round_trip(void) {
    const char *plan =
        "{\"steps\": [{\"layers\": [0]}, {\"parallel\": [1, 2]}, {\"layers\": [3]}]}";
    Program *p = plan_parse(plan, "<test>", 4);
    Placement *pl = placement_make("round-robin", 4, 3);
    JobSetup s = {.model_path = "model/dir",
                  .program = p,
                  .placement = pl,
                  .n_layers = 4,
                  .inflight = 2,
                  .timeout_s = 7.5,
                  .trace = 1};
    size_t len;
    uint8_t *buf = setup_pack(&s, &len);
    JobSetup *got = setup_unpack(buf, len, 3);
    char *want_json = program_to_json(p), *got_json = program_to_json(got->program);
    TEST_CHECK("setup keeps its fields", !got->quit && !strcmp(got->model_path, "model/dir") &&
                                             got->n_layers == 4 && got->inflight == 2 &&
                                             got->timeout_s == 7.5 && got->trace == 1);
    TEST_CHECK("setup keeps its program", !strcmp(want_json, got_json));
    int same = got->placement->world == 3;
    for (int l = 0; l < 4; l++)
        for (int r = 0; r < 3; r++)
            same &= placement_hosts(got->placement, l, r) == placement_hosts(pl, l, r);
    TEST_CHECK("setup keeps its placement", same);
    free(want_json), free(got_json), free(buf);
    setup_free(got);

    JobSetup quit = {.quit = 1};
    buf = setup_pack(&quit, &len);
    got = setup_unpack(buf, len, 3);
    TEST_CHECK("quit setup", got->quit && !got->program && !got->placement);
    free(buf);
    setup_free(got);
    program_free(p);
    placement_free(pl);
}

/* A setup for a job of 3 ranks and 4 layers (steps [0], [1, 2], [3];
 * station 1 hosts layers 0 and 2, station 2 layers 1 and 3) with one thing
 * spoiled, and the reason setup_unpack must give. */
typedef struct {
    const char *expected;
    int n_stations; /* station entries (3) */
    int rank1;      /* the second entry's rank (1) */
    int layer1;     /* its first layer (0) */
    int repeat1;    /* how many times it lists that layer (1) */
    int step_layer; /* the first layer of step 1 (1) */
} BadSetup;

static const BadSetup BAD_SETUPS[] = {
    {"setup from rank 0: it describes 2 ranks, the job has 3", 2, 1, 0, 1, 1},
    {"setup from rank 0: it describes 4 ranks, the job has 3", 4, 1, 0, 1, 1},
    {"setup from rank 0: station 1 has rank 3, outside the job's 3 ranks", 3, 3, 0, 1, 1},
    {"setup from rank 0: station 1 has rank -1, outside the job's 3 ranks", 3, -1, 0, 1, 1},
    {"setup from rank 0: rank 1 hosts layer 4, outside the model's 4 layers", 3, 1, 4, 1, 1},
    {"setup from rank 0: rank 1 hosts layer -2, outside the model's 4 layers", 3, 1, -2, 1, 1},
    {"setup from rank 0: layer 0 has more hosts than the job's 3 ranks", 3, 1, 0, 4, 1},
    {"setup from rank 0: step 1 names layer 9, outside the model's 4 layers", 3, 1, 0, 1, 9},
};

static void unpack_bad_setup(const void *arg) {
    const BadSetup *b = arg;
    int32_t step_layers[4] = {0, b->step_layer, 2, 3};
    size_t step_sizes[3] = {1, 2, 1};
    Painters__WireStep steps[3], *step_ptrs[3];
    for (int i = 0, at = 0; i < 3; at += (int)step_sizes[i], i++) {
        painters__wire_step__init(&steps[i]);
        steps[i].n_layers = step_sizes[i];
        steps[i].layers = step_layers + at;
        step_ptrs[i] = &steps[i];
    }
    int32_t layers[4][8] = {{0}, {0}, {1, 3}, {0}};
    size_t n_layers[4] = {0, 0, 2, 0};
    for (int k = 0; k < b->repeat1; k++)
        layers[1][n_layers[1]++] = b->layer1;
    layers[1][n_layers[1]++] = 2;
    Painters__WireStation stations[4], *station_ptrs[4];
    for (int r = 0; r < 4; r++) {
        painters__wire_station__init(&stations[r]);
        stations[r].rank = r == 1 ? b->rank1 : r;
        stations[r].n_layers = n_layers[r];
        stations[r].layers = layers[r];
        station_ptrs[r] = &stations[r];
    }
    Painters__WireSetup m = PAINTERS__WIRE_SETUP__INIT;
    m.wire_version = wire_version();
    m.model_path = "model/dir";
    m.plan_name = "custom";
    m.n_layers = 4;
    m.inflight = 1;
    m.n_steps = 3;
    m.steps = step_ptrs;
    m.n_stations = (size_t)b->n_stations;
    m.stations = station_ptrs;
    uint8_t buf[1024];
    size_t len = painters__wire_setup__pack(&m, buf);
    setup_unpack(buf, len, 3);
}

static void unpack_garbage_setup(const void *arg) {
    (void)arg;
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    setup_unpack(garbage, sizeof garbage, 3);
}

static void test_bad_setups(void) {
    size_t n = sizeof BAD_SETUPS / sizeof BAD_SETUPS[0];
    for (size_t i = 0; i < n; i++) {
        char label[64];
        snprintf(label, sizeof label, "bad setup %zu", i);
        expect_exit(label, PAINTERS_EXIT_RUNTIME, unpack_bad_setup, &BAD_SETUPS[i],
                    BAD_SETUPS[i].expected);
    }
    printf("checked %zu bad setups\n", n);
    expect_exit("unreadable setup", PAINTERS_EXIT_RUNTIME, unpack_garbage_setup, NULL,
                "unreadable setup from rank 0");
    BadSetup good = {"", 3, 1, 0, 1, 1};
    expect_exit("the bad setups' base is good", 0, unpack_bad_setup, &good, "");
}

int main(void) {
    test_variant_edges();
    test_steps();
    test_load();
    test_shipped_plans();
    test_bad_plans();
    test_setup_round_trip();
    test_bad_setups();
    const char *shared = test_shared_dir();
    if (shared) {
        int n = test_fixture(shared, "tiny-llama") + test_fixture(shared, "painters-demo-16L");
        TEST_CHECK("fixture plans checked", n > 0);
    } else {
        printf("skipping fixture plans: shared directory not found\n");
    }
    int rc = test_report("plan");
    if (rc == 0 && !shared) return test_shared_missing("test_plan, the fixture expansions");
    return rc;
}
