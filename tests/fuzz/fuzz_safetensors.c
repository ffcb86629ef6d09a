/* fuzz_safetensors.c: safetensors_parse_header on the input as a file prefix,
 * with the input's length as the file's size. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_alloc.h"
#include "formats/safetensors.h"
#include "base/util.h"

static jmp_buf on_error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        TensorInfo *tensors = NULL; /* owned here, with the names */
        int n_tensors = 0;
        safetensors_parse_header("<fuzz>", data, size, size, 0, &tensors, &n_tensors);
        for (int i = 0; i < n_tensors; i++)
            free(tensors[i].name);
        free(tensors);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
