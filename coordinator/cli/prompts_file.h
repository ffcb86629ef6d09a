/* prompts_file.h: the prompts of `painters generate --prompts FILE`, one a
 * line (JSON lines):
 *   "123 + 456 ="                 text, after the prefix token (BOS, else EOS)
 *   {"prompt": "123 + 456 ="}     the same
 *   {"tokens": [1, 29871, 29896]} token ids as they are */
#ifndef PAINTERS_PROMPTS_FILE_H
#define PAINTERS_PROMPTS_FILE_H

#include "text/tokenizer.h"

typedef struct {
    int n;
    int **ids; /* (n) each prompt's ids, at least one */
    int *lens; /* (n) */
} PromptsFile;

/* Reads path; tok encodes the text prompts (NULL: only token prompts are
 * allowed) and ids must lie in [0, vocab). An empty file, a line that is none
 * of the above, or an id out of range is die_input naming FILE:LINE. Caller
 * owns; prompts_file_free(). */
PromptsFile *prompts_file_read(const char *path, const Tokenizer *tok, int vocab);
void prompts_file_free(PromptsFile *p); /* accepts NULL */

#endif
