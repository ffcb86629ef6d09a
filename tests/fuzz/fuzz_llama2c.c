/* fuzz_llama2c.c: llama2c_parse_header on the input as a whole llama2.c
 * file (its length is the file's size). */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/checkpoint.h"
#include "fuzz_alloc.h"
#include "formats/llama2c.h"
#include "base/util.h"

static jmp_buf on_error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        Checkpoint *ck = xcalloc(1, sizeof *ck); /* owned here */
        llama2c_parse_header("<fuzz>", data, size, size, ck);
        checkpoint_close(ck);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
