/* fuzz_prompts_file.c: prompts_file_read on the input as a --prompts file,
 * written to a temporary path the reader reads (no tokenizer: text prompts
 * end in an error like any other bad line; ids must lie below 4096). */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/prompts_file.h"
#include "fuzz_alloc.h"

/* The reader is given no tokenizer, so it never encodes text; the tokenizer
 * itself has fuzz targets of its own. */
int tokenizer_encode_sequence(const Tokenizer *t, const char *text, int **ids) {
    (void)t, (void)text, (void)ids;
    abort();
}

static jmp_buf on_error;
static char path[64];

static void remove_path(void) {
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/painters-fuzz-prompts-%d.jsonl", (int)getpid());
        atexit(remove_path);
    }
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        PromptsFile *p = prompts_file_read(path, NULL, 4096); /* owned */
        prompts_file_free(p);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
