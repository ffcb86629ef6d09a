/* test_hf_tokenizer.h: the parts of test_hf_tokenizer in other files. */
#ifndef PAINTERS_TEST_HF_TOKENIZER_H
#define PAINTERS_TEST_HF_TOKENIZER_H

/* The malformed tokenizer.json files and invalid input (test_hf_broken.c);
 * shared_dir is ../shared (unused: the files are made in the test). */
void test_hf_broken(const char *shared_dir);

#endif
