/* fuzz_placement.c: placement_make on the input as inline placement JSON,
 * for 32 layers on 5 ranks. Inputs that do not start with '{' are skipped:
 * placement_make would take them for a file name. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_alloc.h"
#include "program/placement.h"
#include "base/util.h"

static jmp_buf on_error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0 || data[0] != '{') return 0;
    char *text = xmalloc(size + 1); /* owned here */
    memcpy(text, data, size);
    text[size] = '\0';
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        Placement *p = placement_make(text, 32, 5); /* owned here */
        free(placement_layers_of(p, 1));
        placement_free(p);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    free(text);
    return 0;
}
