/* task_records.c: one JSONL record of each task kind into an item, with the
 * prompt formats of lm-evaluation-harness for the Hugging Face benchmarks.
 * Each parser checks every field it reads and either appends one item to
 * the task or returns -1 with the reason, appending nothing. */
#include "eval/task_records.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/json_line.h"
#include "eval/task_text.h"
#include "base/util.h"

PAINTERS_PRINTF(3, 4)
static int fail(char *why, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* The list of strings `key` of obj (at least `min` of them): their count,
 * with *items pointing to the array; -1 with the reason in why. */
static int get_string_list(const cJSON *obj, const char *key, int min, const cJSON **items,
                           char *why, size_t n) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return fail(why, n, "missing field \"%s\"", key);
    if (!cJSON_IsArray(v)) return fail(why, n, "field \"%s\" must be a list of strings", key);
    int count = cJSON_GetArraySize(v), i = 0;
    if (count < min)
        return fail(why, n, "field \"%s\" has %d entries, needs at least %d", key, count, min);
    for (const cJSON *e = v->child; e; e = e->next, i++)
        if (!cJSON_IsString(e)) return fail(why, n, "%s[%d] must be a string", key, i);
    *items = v;
    return count;
}

/* An integer from a JSON number, or from a string of decimal digits when
 * allow_string (Hugging Face stores some labels as "3"). */
static int get_index(const cJSON *obj, const char *key, int allow_string, int *out, char *why,
                     size_t n) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return fail(why, n, "missing field \"%s\"", key);
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d != floor(d) || d < -1e9 || d > 1e9)
            return fail(why, n, "field \"%s\" must be an integer", key);
        *out = (int)d;
        return 0;
    }
    if (allow_string && cJSON_IsString(v)) {
        const char *s = v->valuestring;
        char *end;
        long x = strtol(s, &end, 10);
        if (*s && *end == '\0' && x >= -1000000000L && x <= 1000000000L) {
            *out = (int)x;
            return 0;
        }
        return fail(why, n, "field \"%s\" is \"%.40s\", not an integer", key, s);
    }
    return fail(why, n, "field \"%s\" must be an integer%s", key,
                allow_string ? " or a string of one" : "");
}

/* A choice item whose options share one context; owns nothing yet. */
static ChoiceItem choice_item_new(int n_options, int gold) {
    return (ChoiceItem){n_options, xcalloc((size_t)n_options, sizeof(ChoiceOption)), gold};
}

static void set_option(ChoiceOption *o, const char *context, const char *continuation,
                       const char *norm_text) {
    o->context = xstrdup(context);
    o->continuation = xstrdup(continuation);
    o->norm_chars = utf8_char_count(norm_text);
}

/* mc: {"context": str, "choices": [str, ...], "gold": int}. The choices are
 * continuations as given (with their own leading space). */
static int parse_mc(Task *t, const cJSON *rec, char *why, size_t n) {
    const cJSON *choices;
    const char *context = json_line_string_field(rec, "context", why, n);
    if (!context) return -1;
    int count = get_string_list(rec, "choices", 2, &choices, why, n), gold;
    if (count < 0 || get_index(rec, "gold", 0, &gold, why, n)) return -1;
    if (gold < 0 || gold >= count)
        return fail(why, n, "gold %d is out of range for %d choices", gold, count);
    int i = 0;
    for (const cJSON *c = choices->child; c; c = c->next, i++)
        if (!c->valuestring[0]) return fail(why, n, "choices[%d] is empty", i);
    ChoiceItem item = choice_item_new(count, gold);
    i = 0;
    for (const cJSON *c = choices->child; c; c = c->next, i++)
        set_option(&item.options[i], context, c->valuestring, c->valuestring);
    task_push_choice(t, item);
    return 0;
}

/* arc (allenai/ai2_arc): context "Question: {question}\nAnswer:", each
 * continuation " {text}"; acc_norm divides by the text's length. */
static int parse_arc(Task *t, const cJSON *rec, char *why, size_t n) {
    const char *question = json_line_string_field(rec, "question", why, n);
    if (!question) return -1;
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(rec, "choices"), *texts, *labels;
    if (!cJSON_IsObject(choices))
        return fail(why, n,
                    choices
                        ? "field \"choices\" must be an object {\"text\": [...], \"label\": [...]}"
                        : "missing field \"choices\"");
    int count = get_string_list(choices, "text", 2, &texts, why, n);
    if (count < 0) return -1;
    int n_labels = get_string_list(choices, "label", 2, &labels, why, n);
    if (n_labels < 0) return -1;
    if (n_labels != count)
        return fail(why, n, "choices has %d texts and %d labels", count, n_labels);
    const char *key = json_line_string_field(rec, "answerKey", why, n);
    if (!key) return -1;
    int gold = -1, i = 0;
    for (const cJSON *l = labels->child; l; l = l->next, i++)
        if (!strcmp(l->valuestring, key) && gold < 0) gold = i;
    if (gold < 0) return fail(why, n, "answerKey \"%.40s\" is not one of the labels", key);
    i = 0;
    for (const cJSON *c = texts->child; c; c = c->next, i++)
        if (!c->valuestring[0]) return fail(why, n, "choices.text[%d] is empty", i);
    char *context = str_printf("Question: %s\nAnswer:", question);
    ChoiceItem item = choice_item_new(count, gold);
    i = 0;
    for (const cJSON *c = texts->child; c; c = c->next, i++) {
        char *cont = str_printf(" %s", c->valuestring);
        set_option(&item.options[i], context, cont, c->valuestring);
        free(cont);
    }
    free(context);
    task_push_choice(t, item);
    return 0;
}

/* hellaswag (Rowan/hellaswag): query = preprocess(activity_label + ": " +
 * ctx_a + " " + capitalize(ctx_b)) (or the given ctx when ctx_a/ctx_b are
 * absent), continuations " " + preprocess(ending). */
static int parse_hellaswag(Task *t, const cJSON *rec, char *why, size_t n) {
    const char *label = json_line_string_field(rec, "activity_label", why, n);
    if (!label) return -1;
    char *ctx;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(rec, "ctx_a");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(rec, "ctx_b");
    if (a || b) {
        const char *ctx_a = json_line_string_field(rec, "ctx_a", why, n), *ctx_b;
        if (!ctx_a || !(ctx_b = json_line_string_field(rec, "ctx_b", why, n))) return -1;
        char *cap = ascii_capitalize(ctx_b);
        ctx = str_printf("%s %s", ctx_a, cap);
        free(cap);
    } else {
        const char *whole = json_line_string_field(rec, "ctx", why, n);
        if (!whole) return fail(why, n, "missing field \"ctx_a\" and \"ctx_b\" (or \"ctx\")");
        ctx = xstrdup(whole);
    }
    const cJSON *endings;
    int count = get_string_list(rec, "endings", 2, &endings, why, n), gold;
    if (count < 0 || get_index(rec, "label", 1, &gold, why, n)) {
        free(ctx);
        return -1;
    }
    if (gold < 0 || gold >= count) {
        free(ctx);
        return fail(why, n, "label %d is out of range for %d endings", gold, count);
    }
    char *raw_query = str_printf("%s: %s", label, ctx);
    char *query = hellaswag_preprocess(raw_query);
    free(raw_query);
    free(ctx);
    ChoiceItem item = choice_item_new(count, gold);
    int i = 0;
    for (const cJSON *e = endings->child; e; e = e->next, i++) {
        char *ending = hellaswag_preprocess(e->valuestring);
        char *cont = str_printf(" %s", ending);
        set_option(&item.options[i], query, cont, ending);
        free(cont);
        free(ending);
    }
    free(query);
    task_push_choice(t, item);
    return 0;
}

/* winogrande (allenai/winogrande), partial evaluation: option i's context is
 * the sentence before "_" followed by option i; the continuation, the same
 * for both, is " " + the rest of the sentence stripped. */
static int parse_winogrande(Task *t, const cJSON *rec, char *why, size_t n) {
    const char *sentence = json_line_string_field(rec, "sentence", why, n);
    if (!sentence) return -1;
    const char *blank = strchr(sentence, '_');
    if (!blank) return fail(why, n, "sentence has no \"_\" to fill");
    const char *opt[2] = {json_line_string_field(rec, "option1", why, n), NULL};
    if (!opt[0] || !(opt[1] = json_line_string_field(rec, "option2", why, n))) return -1;
    int answer;
    if (get_index(rec, "answer", 1, &answer, why, n)) return -1;
    if (answer != 1 && answer != 2) return fail(why, n, "answer %d must be 1 or 2", answer);
    char *rest = str_strip(blank + 1);
    if (!rest[0]) {
        free(rest);
        return fail(why, n, "sentence has nothing after \"_\"");
    }
    char *cont = str_printf(" %s", rest);
    ChoiceItem item = choice_item_new(2, answer - 1);
    for (int i = 0; i < 2; i++) {
        char *context = str_printf("%.*s%s", (int)(blank - sentence), sentence, opt[i]);
        set_option(&item.options[i], context, cont, rest);
        free(context);
    }
    free(cont);
    free(rest);
    task_push_choice(t, item);
    return 0;
}

/* lambada (EleutherAI/lambada_openai): context = the text up to its last
 * space, target = " " + the last word. */
static int parse_lambada(Task *t, const cJSON *rec, char *why, size_t n) {
    const char *text = json_line_string_field(rec, "text", why, n);
    if (!text) return -1;
    const char *space = strrchr(text, ' ');
    if (!space) return fail(why, n, "text has no space before a last word");
    if (!space[1]) return fail(why, n, "text ends with a space, not a last word");
    ChoiceItem item = choice_item_new(1, 0);
    char *context = str_printf("%.*s", (int)(space - text), text);
    set_option(&item.options[0], context, space, space + 1);
    free(context);
    task_push_choice(t, item);
    return 0;
}

/* gen: {"prompt": str, "answer": str}. */
static int parse_gen(Task *t, const cJSON *rec, char *why, size_t n) {
    const char *prompt = json_line_string_field(rec, "prompt", why, n), *answer;
    if (!prompt || !(answer = json_line_string_field(rec, "answer", why, n))) return -1;
    task_push_gen(t, (GenItem){xstrdup(prompt), xstrdup(answer)});
    return 0;
}

/* gsm8k (openai/gsm8k, main): the first `shots` records become examples
 * "Question: {q}\nAnswer: {answer}\n\n"; each later one the prompt
 * examples + "Question: {q}\nAnswer:". */
static int parse_gsm8k(Task *t, const cJSON *rec, char *why, size_t n) {
    const char *question = json_line_string_field(rec, "question", why, n), *answer;
    if (!question || !(answer = json_line_string_field(rec, "answer", why, n))) return -1;
    if (!strstr(answer, "#### "))
        return fail(why, n, "answer has no \"#### \" before the final number");
    const char *shots = t->shots_text ? t->shots_text : "";
    if (t->n_shots < t->opts.shots) {
        char *more = str_printf("%sQuestion: %s\nAnswer: %s\n\n", shots, question, answer);
        free(t->shots_text);
        t->shots_text = more;
        t->n_shots++;
        return 0;
    }
    task_push_gen(
        t, (GenItem){str_printf("%sQuestion: %s\nAnswer:", shots, question), xstrdup(answer)});
    return 0;
}

int task_record_parse(Task *t, const cJSON *rec, char *why, size_t why_len) {
    switch (t->kind) {
    case TASK_MC:
        return parse_mc(t, rec, why, why_len);
    case TASK_GEN:
        return parse_gen(t, rec, why, why_len);
    case TASK_ARC:
        return parse_arc(t, rec, why, why_len);
    case TASK_HELLASWAG:
        return parse_hellaswag(t, rec, why, why_len);
    case TASK_WINOGRANDE:
        return parse_winogrande(t, rec, why, why_len);
    case TASK_LAMBADA:
        return parse_lambada(t, rec, why, why_len);
    case TASK_GSM8K:
        return parse_gsm8k(t, rec, why, why_len);
    case TASK_PPL:
    case TASK_MLM:
    case TASK_GLUE:
        break;
    }
    die_runtime("task_record_parse: %s files are not JSONL", task_kind_name(t->kind));
}
