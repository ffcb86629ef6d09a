/* model_files.h: finding the files that come with a model. */
#ifndef PAINTERS_MODEL_FILES_H
#define PAINTERS_MODEL_FILES_H

#include "text/tokenizer.h"

/* The tokenizer for model path: `explicit_path` when given (must exist, else
 * die_input), else tokenizer.model in the model's directory (or beside the
 * model file). Returns a malloc'ed path the caller frees, or NULL when none
 * is found and none was asked for. */
char *model_find_tokenizer(const char *model_path, const char *explicit_path);

/* Loads that tokenizer. When there is none: NULL if `needed_for` is NULL,
 * else die_input saying what it was needed for. Caller frees with
 * tokenizer_free(). */
Tokenizer *model_open_tokenizer(const char *model_path, const char *explicit_path,
                                const char *needed_for);

#endif
