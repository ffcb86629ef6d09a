/* fuzz_gguf.c: gguf_parse on the input as a whole GGUF file, then the tensor
 * table sorted as checkpoint_open() does. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_alloc.h"
#include "formats/gguf.h"
#include "base/util.h"

static jmp_buf on_error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        Checkpoint *ck = xcalloc(1, sizeof *ck); /* owned here, with the metadata */
        gguf_parse("<fuzz>", data, size, ck);
        checkpoint_sort_tensors(ck);
        checkpoint_close(ck);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
