/* test_tasks.c: task text processing against what Python's re and str give
 * for lm-evaluation-harness's code (expected values computed with CPython),
 * and the items task_load makes of the sample files in tests/data/tasks. */
#include <stdlib.h>
#include <string.h>

#include "eval/task.h"
#include "eval/task_text.h"
#include "testhelp.h"

#define DATA PAINTERS_SOURCE_DIR "/tests/data/tasks/"

/* 1 when got (freed here; may be NULL) equals want (NULL: no match). */
static int same(char *got, const char *want) {
    int ok = (!got && !want) || (got && want && !strcmp(got, want));
    if (!ok) printf("  got \"%s\", want \"%s\"\n", got ? got : "(none)", want ? want : "(none)");
    free(got);
    return ok;
}

static void test_gsm8k_filters(void) {
    static const struct {
        const char *text, *strict, *flexible;
    } cases[] = {
        {"#### 72", "72", "72"},
        {"The answer is #### -1,234.5 ok", "-1,234.5", "-1,234.5"},
        {"no marker 5", NULL, "5"},
        {"#### abc", NULL, NULL},
        {"#### -", NULL, NULL},
        {"#### - 3", NULL, "3"},
        {"#### 3 then #### 4", "3", "4"},
        {"####5", NULL, "5"},
        {"She has 13 dollars left.", NULL, "13"},
        {"costs $1,200.50 total", NULL, "$1,200.50"},
        {"-5 and 7", NULL, "7"},
        {"answer 42.", NULL, "42."},
        {"1.5.6", NULL, "1.5.6"},
        {"no numbers", NULL, NULL},
        {"x -3", NULL, "-3"},
        {"9", NULL, "9"},
        {"12 wait...", NULL, "..."},
        {"a -.5 b", NULL, "-.5"},
        {"--7", NULL, "-7"},
        {"$ 5", NULL, "5"},
        {"-$5", NULL, "-$5"},
        {"", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TEST_CHECK(cases[i].text, same(gsm8k_extract_strict(cases[i].text), cases[i].strict));
        TEST_CHECK(cases[i].text, same(gsm8k_extract_flexible(cases[i].text), cases[i].flexible));
    }
    static const struct {
        const char *text, *normalized;
    } norms[] = {
        {"She has 13 dollars.\n#### 1,300", "1300"},
        {"$42.", "42"},
        {"ABC", "abc"},
        {"5.\n", "5\n"},
        {"#### 3 #### 4", "4"},
        {"##,## 7", "7"},
        {"1.5.", "1.5"},
    };
    for (size_t i = 0; i < sizeof norms / sizeof norms[0]; i++)
        TEST_CHECK(norms[i].text, same(gsm8k_normalize(norms[i].text), norms[i].normalized));
}

static void test_text(void) {
    TEST_CHECK("preprocess brackets",
               same(hellaswag_preprocess("  a [b] c  [title] d   e [x\ny] f [g]h "),
                    "a c . d  e [x\ny] f h"));
    TEST_CHECK("preprocess title",
               same(hellaswag_preprocess("[header] x [title] y [step] z"), " x. y z"));
    TEST_CHECK("preprocess unclosed", same(hellaswag_preprocess("a[b]c]d[e"), "ac]d[e"));
    TEST_CHECK("capitalize", same(ascii_capitalize("the GUN fires"), "The gun fires"));
    TEST_CHECK("capitalize empty", same(ascii_capitalize(""), ""));
    TEST_CHECK("strip", same(str_strip(" \t a b \n"), "a b"));
    TEST_CHECK("chars of caf\xc3\xa9", utf8_char_count("caf\xc3\xa9") == 4);
    size_t bad = 0;
    TEST_CHECK("valid UTF-8", utf8_check("caf\xc3\xa9 \xe2\x80\x94", 9, &bad));
    TEST_CHECK("bad byte", !utf8_check("ab\xff", 3, &bad) && bad == 2);
    TEST_CHECK("overlong", !utf8_check("\xc0\xaf", 2, &bad) && bad == 0);
    TEST_CHECK("surrogate", !utf8_check("x\xed\xa0\x80", 4, &bad) && bad == 1);
    TEST_CHECK("truncated", !utf8_check("x\xe2\x80", 3, &bad) && bad == 1);
    TEST_CHECK("NUL byte", !utf8_check("a\0b", 3, &bad) && bad == 1);
}

static int option_is(const ChoiceOption *o, const char *context, const char *continuation) {
    int ok = !strcmp(o->context, context) && !strcmp(o->continuation, continuation);
    if (!ok) printf("  got (\"%s\", \"%s\")\n", o->context, o->continuation);
    return ok;
}

static void test_load_choice(void) {
    TaskLoadOptions none = {0};
    Task *t = task_load("arc:" DATA "arc.jsonl", &none);
    TEST_CHECK("arc items", t->n_items == 4);
    TEST_CHECK("arc prompt",
               option_is(&t->choices[0].options[1],
                         "Question: Which gas do green plants take in from the air to "
                         "make their food?\nAnswer:",
                         " carbon dioxide"));
    TEST_CHECK("arc norm: the text without its space", t->choices[0].options[1].norm_chars == 14);
    TEST_CHECK("arc gold letter", t->choices[0].gold == 1);
    TEST_CHECK("arc gold number label", t->choices[2].gold == 2 && t->choices[2].n_options == 3);
    task_free(t);

    t = task_load("hellaswag:" DATA "hellaswag.jsonl", &none);
    TEST_CHECK("hellaswag items", t->n_items == 4);
    TEST_CHECK("hellaswag capitalized ctx_b",
               option_is(&t->choices[0].options[0],
                         "Making a sandwich: A man places two slices of bread on a plate. He",
                         " spreads butter on one slice and adds cheese."));
    TEST_CHECK("hellaswag preprocess",
               option_is(&t->choices[1].options[0],
                         "Home and Garden: How to water a houseplant. Check the soil. Push your "
                         "finger into the soil",
                         " to see whether it is dry. If it is dry, the plant needs water."));
    TEST_CHECK("hellaswag norm", t->choices[1].options[0].norm_chars == 62);
    TEST_CHECK("hellaswag ctx only",
               option_is(&t->choices[3].options[1],
                         "Cleaning windows: A woman sprays cleaner on a window. She",
                         " plants a tree in the glass."));
    TEST_CHECK("hellaswag labels",
               t->choices[0].gold == 0 && t->choices[1].gold == 0 && t->choices[2].gold == 1);
    task_free(t);

    t = task_load("winogrande:" DATA "winogrande.jsonl", &none);
    TEST_CHECK("winogrande items", t->n_items == 4);
    TEST_CHECK("winogrande option 1",
               option_is(&t->choices[0].options[0],
                         "The trophy did not fit in the suitcase because the trophy",
                         " was too big."));
    TEST_CHECK("winogrande option 2",
               option_is(&t->choices[0].options[1],
                         "The trophy did not fit in the suitcase because the suitcase",
                         " was too big."));
    TEST_CHECK("winogrande answers", t->choices[0].gold == 0 && t->choices[1].gold == 1);
    task_free(t);

    t = task_load("lambada:" DATA "lambada.jsonl", &none);
    TEST_CHECK("lambada target", t->n_items == 4 && t->choices[2].n_options == 1 &&
                                     option_is(&t->choices[2].options[0],
                                               "He put the key in the lock, turned it slowly, and "
                                               "pushed open the heavy wooden",
                                               " door"));
    task_free(t);

    t = task_load("mc:" DATA "mc.jsonl", &(TaskLoadOptions){.limit = 2});
    TEST_CHECK("mc limit", t->n_items == 2);
    task_free(t);
    t = task_load("mc:" DATA "mc.jsonl", &none);
    TEST_CHECK("mc norm counts characters", t->choices[3].options[0].norm_chars == 17);
    TEST_CHECK("mc gold", t->choices[1].gold == 1);
    task_free(t);
}

static void test_load_other(void) {
    Task *t = task_load("gsm8k:" DATA "gsm8k.jsonl", &(TaskLoadOptions){.shots = 2});
    TEST_CHECK("gsm8k items after shots", t->n_items == 3);
    const char *want =
        "Question: Tom has 3 apples and buys 5 more. How many apples does Tom have now?\n"
        "Answer: Tom has 3 + 5 = <<3+5=8>>8 apples.\n#### 8\n\n"
        "Question: A box holds 12 pencils. How many pencils are in 4 boxes?\n"
        "Answer: There are 12 * 4 = <<12*4=48>>48 pencils.\n#### 48\n\n"
        "Question: Mia had 20 dollars and spent 7 dollars on a book. How much money does she "
        "have left?\nAnswer:";
    TEST_CHECK("gsm8k prompt", !strcmp(t->gens[0].prompt, want));
    TEST_CHECK("gsm8k answer",
               !strcmp(t->gens[0].answer, "She has 20 - 7 = <<20-7=13>>13 dollars left.\n#### 13"));
    task_free(t);

    t = task_load("gen:" DATA "gen.jsonl", &(TaskLoadOptions){0});
    TEST_CHECK("gen", t->n_items == 4 && !strcmp(t->gens[1].prompt, "7 + 205 =") &&
                          !strcmp(t->gens[1].answer, " 212"));
    task_free(t);

    t = task_load("ppl:" DATA "ppl.txt", &(TaskLoadOptions){0});
    TEST_CHECK("ppl skips the blank line",
               t->n_items == 4 &&
                   !strcmp(t->docs[2], "The function returns the number of bytes written."));
    task_free(t);
    t = task_load("ppl:" DATA "ppl.txt", &(TaskLoadOptions){.chunk_ctx = 16});
    TEST_CHECK("ppl chunked keeps the text whole",
               t->text && strstr(t->text, "flowers\n\nThe function"));
    task_free(t);

    t = task_load("mc:" DATA "bad/mc.jsonl", &(TaskLoadOptions){.skip_bad = 1});
    TEST_CHECK("skip_bad counts", t->n_items == 2 && t->n_skipped == 2);
    task_free(t);
    t = task_load("hellaswag:" DATA "bad/hellaswag.jsonl", &(TaskLoadOptions){.skip_bad = 1});
    TEST_CHECK("skip_bad hellaswag", t->n_items == 2 && t->n_skipped == 2);
    task_free(t);
}

int main(void) {
    test_gsm8k_filters();
    test_text();
    test_load_choice();
    test_load_other();
    return test_report("test_tasks");
}
