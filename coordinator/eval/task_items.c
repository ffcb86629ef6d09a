/* task_items.c: see task_items.h. */
#include "eval/task_items.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *const KIND_NAMES[] = {"ppl",        "mc",      "gen",   "arc", "hellaswag",
                                         "winogrande", "lambada", "gsm8k", "mlm", "glue"};
static const int N_KINDS = sizeof KIND_NAMES / sizeof KIND_NAMES[0];

const char *task_kind_name(TaskKind kind) {
    return KIND_NAMES[kind];
}

TaskKind task_kind_parse(const char *spec, size_t n) {
    if (n > 5 && !strncmp(spec, "glue-", 5)) return TASK_GLUE; /* glue-rte, glue-mnli-mm, ... */
    for (int k = 0; k < N_KINDS; k++)
        if (k != TASK_GLUE && strlen(KIND_NAMES[k]) == n && !strncmp(spec, KIND_NAMES[k], n))
            return (TaskKind)k;
    die_input("task '%s': unknown kind '%.*s' (kinds: ppl, mc, gen, arc, hellaswag, winogrande, "
              "lambada, gsm8k, mlm, glue-NAME; or demo)",
              spec, (int)n, spec);
}

Task *task_new(TaskKind kind, const char *spec, const char *path, const TaskLoadOptions *opts) {
    Task *t = xcalloc(1, sizeof *t);
    t->kind = kind;
    t->spec = xstrdup(spec);
    t->path = xstrdup(path);
    t->opts = *opts;
    return t;
}

static void *grow(void *items, int *cap, int n, size_t size) {
    if (n < *cap) return items;
    *cap = *cap ? *cap * 2 : 64;
    return xrealloc(items, mul_size_checked((size_t)*cap, size, "task items"));
}

void task_push_doc(Task *t, char *doc) {
    t->docs = grow(t->docs, &t->cap, t->n_items, sizeof *t->docs);
    t->docs[t->n_items++] = doc;
}

void task_push_choice(Task *t, ChoiceItem item) {
    t->choices = grow(t->choices, &t->cap, t->n_items, sizeof *t->choices);
    t->choices[t->n_items++] = item;
}

void task_push_gen(Task *t, GenItem item) {
    t->gens = grow(t->gens, &t->cap, t->n_items, sizeof *t->gens);
    t->gens[t->n_items++] = item;
}

void choice_item_free(ChoiceItem *c) {
    for (int i = 0; i < c->n_options; i++) {
        free(c->options[i].context);
        free(c->options[i].continuation);
    }
    free(c->options);
}

void task_free(Task *t) {
    if (!t) return;
    for (int i = 0; i < t->n_items; i++) {
        if (t->docs) free(t->docs[i]);
        if (t->choices) choice_item_free(&t->choices[i]);
        if (t->gens) {
            free(t->gens[i].prompt);
            free(t->gens[i].answer);
        }
    }
    free(t->docs);
    free(t->choices);
    free(t->gens);
    free(t->text);
    free(t->shots_text);
    glue_task_free(t->glue);
    free(t->spec);
    free(t->path);
    free(t);
}

const char *task_item_text(const Task *t, int i) {
    if (i < 0 || i >= t->n_items) return NULL;
    if (t->docs) return t->docs[i];
    if (t->choices) return t->choices[i].options[0].context;
    if (t->gens) return t->gens[i].prompt;
    if (t->glue) return t->glue->dev.ex[i].text_a;
    return NULL;
}

long task_item_count(const Task *t) {
    return t->text ? 0 : t->n_items;
}
