/* fuzz_canvas_header.c: canvas_header_unpack on a WIRE_HEADER_BYTES buffer
 * holding the input's first bytes (zero-padded), as a rank receives it, then
 * canvas_check_shape for rows of 64 floats. */
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_alloc.h"
#include "base/util.h"
#include "wire/canvas.h"

static jmp_buf on_error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t buf[WIRE_HEADER_BYTES] = {0};
    memcpy(buf, data, size < sizeof buf ? size : sizeof buf);
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        CanvasMeta m;
        canvas_header_unpack(buf, 1, &m);
        canvas_check_shape(&m, 64, 1);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
