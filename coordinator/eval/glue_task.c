/* glue_task.c: see glue_task.h. */
#include "eval/glue_task.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Indexed by GlueTaskId. The TSV spellings are those of GLUE's files: digits
 * where GLUE writes digits (WNLI's 1 is entailment, as the Hugging Face
 * config's class 1 is), words for the NLI tasks. */
static const GlueTaskInfo TASKS[GLUE_TASK_COUNT] = {
    [GLUE_COLA] = {"cola",
                   2,
                   {"unacceptable", "acceptable"},
                   {"0", "1"},
                   NULL,
                   NULL,
                   NULL,
                   "sentence",
                   NULL,
                   "dev.tsv",
                   "validation.jsonl"},
    [GLUE_SST2] = {"sst2",
                   2,
                   {"negative", "positive"},
                   {"0", "1"},
                   "sentence",
                   NULL,
                   "label",
                   "sentence",
                   NULL,
                   "dev.tsv",
                   "validation.jsonl"},
    [GLUE_MRPC] = {"mrpc",
                   2,
                   {"not_equivalent", "equivalent"},
                   {"0", "1"},
                   "#1 String",
                   "#2 String",
                   "Quality",
                   "sentence1",
                   "sentence2",
                   "dev.tsv",
                   "validation.jsonl"},
    [GLUE_STSB] = {"stsb",
                   1,
                   {NULL},
                   {NULL},
                   "sentence1",
                   "sentence2",
                   "score",
                   "sentence1",
                   "sentence2",
                   "dev.tsv",
                   "validation.jsonl"},
    [GLUE_QQP] = {"qqp",
                  2,
                  {"not_duplicate", "duplicate"},
                  {"0", "1"},
                  "question1",
                  "question2",
                  "is_duplicate",
                  "question1",
                  "question2",
                  "dev.tsv",
                  "validation.jsonl"},
    [GLUE_MNLI] = {"mnli",
                   3,
                   {"entailment", "neutral", "contradiction"},
                   {"entailment", "neutral", "contradiction"},
                   "sentence1",
                   "sentence2",
                   "gold_label",
                   "premise",
                   "hypothesis",
                   "dev_matched.tsv",
                   "validation_matched.jsonl"},
    [GLUE_MNLI_MM] = {"mnli-mm",
                      3,
                      {"entailment", "neutral", "contradiction"},
                      {"entailment", "neutral", "contradiction"},
                      "sentence1",
                      "sentence2",
                      "gold_label",
                      "premise",
                      "hypothesis",
                      "dev_mismatched.tsv",
                      "validation_mismatched.jsonl"},
    [GLUE_QNLI] = {"qnli",
                   2,
                   {"entailment", "not_entailment"},
                   {"entailment", "not_entailment"},
                   "question",
                   "sentence",
                   "label",
                   "question",
                   "sentence",
                   "dev.tsv",
                   "validation.jsonl"},
    [GLUE_RTE] = {"rte",
                  2,
                  {"entailment", "not_entailment"},
                  {"entailment", "not_entailment"},
                  "sentence1",
                  "sentence2",
                  "label",
                  "sentence1",
                  "sentence2",
                  "dev.tsv",
                  "validation.jsonl"},
    [GLUE_WNLI] = {"wnli",
                   2,
                   {"not_entailment", "entailment"},
                   {"0", "1"},
                   "sentence1",
                   "sentence2",
                   "label",
                   "sentence1",
                   "sentence2",
                   "dev.tsv",
                   "validation.jsonl"},
};

const GlueTaskInfo *glue_task_info(GlueTaskId id) {
    if ((int)id < 0 || id >= GLUE_TASK_COUNT) die_runtime("glue_task_info: no task %d", (int)id);
    return &TASKS[id];
}

int glue_task_parse_name(const char *name, int n, GlueTaskId *id) {
    for (int i = 0; i < GLUE_TASK_COUNT; i++) {
        const char *known = glue_task_info((GlueTaskId)i)->name;
        if ((int)strlen(known) == n && !strncmp(known, name, (size_t)n)) {
            *id = (GlueTaskId)i;
            return 0;
        }
    }
    return -1;
}

const char *glue_task_name(GlueTaskId id) {
    return glue_task_info(id)->name;
}

int glue_task_num_labels(GlueTaskId id) {
    return glue_task_info(id)->num_labels;
}

const char *glue_label_name(GlueTaskId id, int label) {
    const GlueTaskInfo *t = glue_task_info(id);
    if (t->num_labels < 2 || label < 0 || label >= t->num_labels) return NULL;
    return t->labels[label];
}

static void split_free(GlueSplit *s) {
    for (int i = 0; i < s->n; i++) {
        free(s->ex[i].text_a);
        free(s->ex[i].text_b);
    }
    free(s->ex);
    free(s->path);
}

void glue_task_free(GlueTask *t) {
    if (!t) return;
    split_free(&t->train);
    split_free(&t->dev);
    free(t);
}
