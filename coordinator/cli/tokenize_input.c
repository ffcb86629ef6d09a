/* tokenize_input.c: see tokenize_input.h. */
#include "cli/tokenize_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/util.h"
#include "cli/json_line.h"
#include "text/utf8.h"

/* The string of one line, or die_input naming path:line_no. Caller frees. */
static char *line_string(const char *path, long line_no, const char *line, size_t n) {
    if (json_line_has_nul(line, n))
        die_input("%s:%ld: the string holds U+0000, which tokenize --input does not take", path,
                  line_no);
    const char *why = NULL;
    cJSON *v = json_line_parse(line, n, &why);
    if (!v || !cJSON_IsString(v)) {
        cJSON_Delete(v);
        die_input("%s:%ld: expected a JSON string a line, got %s", path, line_no,
                  v ? "not a string" : why);
    }
    char *s = xstrdup(v->valuestring);
    cJSON_Delete(v);
    size_t bad;
    if (!utf8_check(s, strlen(s), &bad))
        die_input("%s:%ld: the string is not valid UTF-8 (its byte %zu)", path, line_no, bad);
    return s;
}

static void print_ids_json(const int *ids, int n) {
    putchar('[');
    for (int i = 0; i < n; i++)
        printf(i ? ",%d" : "%d", ids[i]);
    fputs("]\n", stdout);
}

void tokenize_input_file(const Tokenizer *tok, const char *path, int add_special) {
    size_t len = 0;
    char *text = read_file_text(path, &len);
    long lines = 0, tokens = 0;
    double bytes = 0, seconds = 0;
    size_t pos = 0, n;
    const char *line;
    while (json_line_next(text, len, &pos, &line, &n)) {
        lines++;
        char *s = line_string(path, lines, line, n);
        int *ids;
        size_t s_len = strlen(s);
        double t0 = now_seconds();
        int count = tokenizer_encode_n(tok, s, s_len, add_special, &ids);
        seconds += now_seconds() - t0;
        tokens += count;
        bytes += (double)s_len;
        print_ids_json(ids, count);
        free(ids);
        free(s);
    }
    fflush(stdout);
    free(text);
    double sec = seconds > 0 ? seconds : 1e-9;
    fprintf(stderr,
            "tokenize: %ld lines, %ld tokens, %.3f MB in %.3f s of encoding: %.0f tokens/s, "
            "%.2f MB/s (one thread, %s)\n",
            lines, tokens, bytes / 1e6, seconds, tokens / sec, bytes / 1e6 / sec,
            tokenizer_kind_name(tok));
}
