/* fuzz_plan.c: plan_parse on the input as plan JSON, for a 32-layer model. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_alloc.h"
#include "program/plan.h"
#include "base/util.h"

static jmp_buf on_error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = xmalloc(size + 1); /* owned here */
    memcpy(text, data, size);
    text[size] = '\0';
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        Program *p = plan_parse(text, "<fuzz>", 32); /* owned here */
        free(program_to_json(p));
        program_free(p);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    free(text);
    return 0;
}
