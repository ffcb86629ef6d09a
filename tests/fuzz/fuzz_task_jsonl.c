/* fuzz_task_jsonl.c: task_load on the input as a task file. The first byte
 * picks the kind (ppl, mc, gen, arc, hellaswag, winogrande, lambada, gsm8k,
 * mlm; GLUE's folders have their own target, fuzz_glue.c);
 * the rest is the file, written to a temporary path the loader reads. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_alloc.h"
#include "eval/task_load.h"
#include "base/util.h"

static const char *const KINDS[] = {"ppl",        "mc",      "gen",   "arc", "hellaswag",
                                    "winogrande", "lambada", "gsm8k", "mlm"};

static jmp_buf on_error;
static char path[64];

static void remove_path(void) {
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/painters-fuzz-task-%d.jsonl", (int)getpid());
        atexit(remove_path);
    }
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    char spec[128];
    snprintf(spec, sizeof spec, "%s:%s", KINDS[data[0] % 9], path);
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        Task *t =
            task_load(spec, &(TaskLoadOptions){.skip_bad = data[0] & 8, .shots = 2}); /* owned */
        task_free(t);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
