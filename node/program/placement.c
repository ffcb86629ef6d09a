/* placement.c: see placement.h. */
#include "program/placement.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_check.h"
#include "base/util.h"

static Placement *placement_new(const char *name, int n_layers, int world) {
    Placement *p = xcalloc(1, sizeof *p);
    p->world = world;
    p->n_layers = n_layers;
    p->n_hosts = xcalloc((size_t)n_layers, sizeof(int));
    p->hosts = xcalloc((size_t)n_layers, sizeof(int *));
    for (int l = 0; l < n_layers; l++)
        p->hosts[l] = xmalloc((size_t)world * sizeof(int));
    p->name = xstrdup(name);
    return p;
}

/* Adds rank as a host of layer (once; hosts kept ascending). */
static void placement_add(Placement *p, int layer, int rank) {
    int *h = p->hosts[layer], n = p->n_hosts[layer], i = n;
    for (int k = 0; k < n; k++)
        if (h[k] == rank) return;
    while (i > 0 && h[i - 1] > rank) {
        h[i] = h[i - 1];
        i--;
    }
    h[i] = rank;
    p->n_hosts[layer]++;
}

void placement_free(Placement *p) {
    if (!p) return;
    for (int l = 0; l < p->n_layers; l++)
        free(p->hosts[l]);
    free(p->hosts);
    free(p->n_hosts);
    free(p->name);
    free(p);
}

Placement *placement_from_hosts(const char *name, int n_layers, int world, const int *n_hosts,
                                const int *const *hosts) {
    Placement *p = placement_new(name, n_layers, world);
    for (int l = 0; l < n_layers; l++)
        for (int k = 0; k < n_hosts[l]; k++)
            placement_add(p, l, hosts[l][k]);
    return p;
}

/* Parses one "layers" entry: "a-b" or "a" strings, integers, or a list of them. */
static void placement_parse_layers(Placement *p, const char *src, int si, const cJSON *item,
                                   int rank) {
    if (cJSON_IsArray(item)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, item) placement_parse_layers(p, src, si, e, rank);
        return;
    }
    long a, b;
    if (cJSON_IsNumber(item)) {
        double d = item->valuedouble;
        if (floor(d) != d) die_input("%s: stations[%d].layers: %g is not a layer id", src, si, d);
        /* Range-checked as a double: converting one past the range of long is undefined. */
        if (d < 0 || d >= p->n_layers)
            die_input("%s: stations[%d].layers: layer %.0f out of range (model has %d layers)", src,
                      si, d, p->n_layers);
        a = b = (long)d;
    } else if (cJSON_IsString(item)) {
        char *end;
        a = strtol(item->valuestring, &end, 10);
        b = a;
        if (*end == '-') b = strtol(end + 1, &end, 10);
        if (end == item->valuestring || *end)
            die_input("%s: stations[%d].layers: '%s' is not a layer or a range a-b", src, si,
                      item->valuestring);
    } else {
        die_input("%s: stations[%d].layers: expected a layer, a range \"a-b\" or a list, got %s",
                  src, si, json_kind(item));
    }
    long lo = a < b ? a : b, hi = a < b ? b : a;
    if (lo < 0 || hi >= p->n_layers)
        die_input("%s: stations[%d].layers: layer %ld out of range (model has %d layers)", src, si,
                  lo < 0 ? lo : hi, p->n_layers);
    for (long l = lo; l <= hi; l++)
        placement_add(p, (int)l, rank);
}

static Placement *placement_parse_json(const char *src, const char *text, int n_layers, int world) {
    cJSON *root = json_parse_checked(src, text);
    if (!cJSON_IsObject(root)) die_input("%s: expected an object, got %s", src, json_kind(root));
    const cJSON *key;
    cJSON_ArrayForEach(key,
                       root) if (strcmp(key->string, "stations") && strcmp(key->string, "name"))
        die_input("%s: %s: unknown key (expected \"stations\")", src, key->string);
    const cJSON *stations = json_member(root, "stations");
    if (!cJSON_IsArray(stations) || cJSON_GetArraySize(stations) == 0)
        die_input("%s: stations: expected a non-empty list of {\"rank\", \"layers\"}", src);
    Placement *p = placement_new(src, n_layers, world);
    int si = 0;
    const cJSON *st;
    cJSON_ArrayForEach(st, stations) {
        if (!cJSON_IsObject(st)) die_input("%s: stations[%d]: expected an object", src, si);
        cJSON_ArrayForEach(key,
                           st) if (strcmp(key->string, "rank") && strcmp(key->string, "layers"))
            die_input("%s: stations[%d].%s: unknown key", src, si, key->string);
        uint64_t rank;
        const cJSON *r = json_member(st, "rank"), *layers = json_member(st, "layers");
        if (!r || !json_exact_u64(r, &rank))
            die_input("%s: stations[%d].rank: expected a rank number", src, si);
        if (rank == 0 && world > 1)
            die_input("%s: stations[%d].rank: rank 0 is the coordinator; stations are ranks 1..%d",
                      src, si, world - 1);
        if (rank >= (uint64_t)world)
            die_input("%s: stations[%d].rank: rank %llu is outside the job's %d ranks (start "
                      "more with mpirun -n)",
                      src, si, (unsigned long long)rank, world);
        if (!layers) die_input("%s: stations[%d].layers: missing", src, si);
        placement_parse_layers(p, src, si, layers, (int)rank);
        si++;
    }
    cJSON_Delete(root);
    return p;
}

Placement *placement_make(const char *spec, int n_layers, int world) {
    if (!spec) spec = "block";
    if (world == 1) {
        Placement *p = placement_new("single", n_layers, 1);
        for (int l = 0; l < n_layers; l++)
            placement_add(p, l, 0);
        return p;
    }
    int n_st = world - 1;
    if (!strcmp(spec, "block")) {
        Placement *p = placement_new("block", n_layers, world);
        /* station i (0-based) gets layers [i*L/S, (i+1)*L/S) */
        for (int i = 0; i < n_st; i++)
            for (int l = (int)((long)i * n_layers / n_st);
                 l < (int)((long)(i + 1) * n_layers / n_st); l++)
                placement_add(p, l, 1 + i);
        return p;
    }
    if (!strcmp(spec, "round-robin")) {
        Placement *p = placement_new("round-robin", n_layers, world);
        for (int l = 0; l < n_layers; l++)
            placement_add(p, l, 1 + l % n_st);
        return p;
    }
    const char *s = spec;
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (*s == '{') return placement_parse_json("<inline placement>", spec, n_layers, world);
    if (!file_exists(spec))
        die_input(
            "%s: placement file not found (use block, round-robin, a JSON file or inline JSON)",
            spec);
    char *text = read_file_text(spec, NULL);
    Placement *p = placement_parse_json(spec, text, n_layers, world);
    free(text);
    return p;
}

int placement_hosts(const Placement *p, int layer, int rank) {
    for (int k = 0; k < p->n_hosts[layer]; k++)
        if (p->hosts[layer][k] == rank) return 1;
    return 0;
}

void placement_check_program(const Placement *p, const Program *prog) {
    for (int s = 0; s < prog->n_steps; s++)
        for (int j = 0; j < prog->steps[s].n_layers; j++) {
            int l = prog->steps[s].layers[j];
            if (l >= p->n_layers || p->n_hosts[l] == 0)
                die_input("placement %s: layer %d (plan %s, step %d) is hosted by no station",
                          p->name, l, prog->name, s);
        }
}

int *placement_layers_of(const Placement *p, int rank) {
    int *flags = xcalloc((size_t)p->n_layers, sizeof(int));
    for (int l = 0; l < p->n_layers; l++)
        flags[l] = placement_hosts(p, l, rank);
    return flags;
}
