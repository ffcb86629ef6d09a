/* model_files.c: see model_files.h. */
#include "text/model_files.h"

#include <stdlib.h>
#include <string.h>

#include "text/tokenizer.h"
#include "base/util.h"

char *model_find_tokenizer(const char *model_path, const char *explicit_path) {
    if (explicit_path) {
        if (!file_exists(explicit_path))
            die_input("%s: tokenizer file not found (--tokenizer)", explicit_path);
        return xstrdup(explicit_path);
    }
    char *dir;
    if (dir_exists(model_path)) {
        dir = xstrdup(model_path);
    } else {
        dir = xstrdup(model_path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            strcpy(dir, ".");
    }
    char *path = path_join(dir, "tokenizer.model");
    free(dir);
    if (file_exists(path)) return path;
    free(path);
    return NULL;
}

Tokenizer *model_open_tokenizer(const char *model_path, const char *explicit_path,
                                const char *needed_for) {
    char *path = model_find_tokenizer(model_path, explicit_path);
    if (!path) {
        if (needed_for)
            die_input(
                "%s: no tokenizer.model beside the model, needed for %s; give --tokenizer FILE",
                model_path, needed_for);
        return NULL;
    }
    Tokenizer *t = tokenizer_load(path);
    free(path);
    return t;
}
