/* test_wordpiece.h: the parts of test_wordpiece in other files.
 *
 *   int status = test_wordpiece_cases();   // 0, or 77 / 1 without ../shared
 */
#ifndef PAINTERS_TEST_WORDPIECE_H
#define PAINTERS_TEST_WORDPIECE_H

/* The bert-base-uncased cases of fixtures/hf_tokenizer_cases.json through
 * BERT's pipeline, counted in testhelp's totals. Returns 0, or
 * test_shared_missing()'s status when ../shared is absent. */
int test_wordpiece_cases(void);

#endif
