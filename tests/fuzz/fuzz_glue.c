/* fuzz_glue.c: glue_task_read on the input as a GLUE task's files. The
 * first byte picks the task (its value mod 10), the layout (bit 4: JSON lines,
 * else TSV) and skip_bad (bit 5); the rest is written as both the train and
 * the validation file of a temporary folder, which the reader reads. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "eval/glue_read.h"
#include "fuzz_alloc.h"

static jmp_buf on_error;
static char dir[64];
static char files[4][160];
static int n_files;

static void remove_dir(void) {
    for (int i = 0; i < n_files; i++)
        unlink(files[i]);
    rmdir(dir);
}

static void write_file(const char *name, const uint8_t *data, size_t size) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int known = 0;
    for (int i = 0; i < n_files; i++)
        known |= !strcmp(files[i], path);
    if (!known && n_files < 4) snprintf(files[n_files++], sizeof files[0], "%s", path);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(data, 1, size, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/painters-fuzz-glue-%d", (int)getpid());
        mkdir(dir, 0700);
        atexit(remove_dir);
    }
    GlueTaskId id = (GlueTaskId)(data[0] % GLUE_TASK_COUNT);
    int jsonl = data[0] & 16, skip_bad = data[0] & 32;
    const GlueTaskInfo *info = glue_task_info(id);
    /* Only the chosen layout's files exist: the other's are removed. */
    for (int i = 0; i < n_files; i++)
        unlink(files[i]);
    write_file(jsonl ? "train.jsonl" : "train.tsv", data + 1, size - 1);
    write_file(jsonl ? info->dev_jsonl : info->dev_tsv, data + 1, size - 1);
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        GlueTask *t = glue_task_read(id, dir, &(GlueLoadOptions){.skip_bad = skip_bad}); /* owned */
        glue_task_free(t);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
