/* task_text.h: text handling of the evaluation tasks: UTF-8 checks and
 * counts, and the benchmarks' own text processing (hellaswag's preprocess,
 * gsm8k's answer filters), reproduced from lm-evaluation-harness. */
#ifndef PAINTERS_TASK_TEXT_H
#define PAINTERS_TASK_TEXT_H

#include <stddef.h>

#include "base/util.h"
#include "text/utf8.h" /* utf8_char_count, utf8_check */

/* printf into a new string; caller frees. */
char *str_printf(const char *fmt, ...) PAINTERS_PRINTF(1, 2);
/* text without leading and trailing ASCII whitespace; caller frees. */
char *str_strip(const char *text);

/* hellaswag's preprocess(): strip; " [title]" -> ". "; remove every "[...]"
 * (regex \[.*?\], not across a newline); then "  " -> " " in one
 * left-to-right pass. Caller frees. */
char *hellaswag_preprocess(const char *text);
/* Python's str.capitalize() for ASCII letters: first upper, the rest lower
 * (other bytes unchanged). Caller frees. */
char *ascii_capitalize(const char *text);

/* gsm8k strict-match: group 1 of the first match of "#### (\-?[0-9\.\,]+)",
 * or NULL when there is none. Caller frees. */
char *gsm8k_extract_strict(const char *text);
/* gsm8k flexible-extract: the last match of "(-?[$0-9.,]{2,})|(-?[0-9]+)"
 * (leftmost-first alternation, greedy, as Python's re.findall scans), or NULL
 * when there is none. Caller frees. */
char *gsm8k_extract_flexible(const char *text);
/* exact_match's normalization, applied to the prediction and to the gold
 * answer alike: remove every "," and "$", everything up to and including the
 * last "#### ", a "." at the end; lower case. Caller frees. */
char *gsm8k_normalize(const char *text);

#endif
