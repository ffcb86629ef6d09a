/* prompts_file.c: see prompts_file.h. */
#include "cli/prompts_file.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/json_line.h"
#include "text/utf8.h"

/* The ids of one line's {"tokens": [...]}, or die_input. Returns the count. */
static int line_token_ids(const char *path, long line, const cJSON *arr, int vocab, int **ids) {
    int n = cJSON_GetArraySize(arr);
    if (!cJSON_IsArray(arr) || n < 1)
        die_input("%s:%ld: \"tokens\" must be a non-empty array of ids", path, line);
    *ids = xmalloc((size_t)n * sizeof(int));
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, arr) {
        double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
        if (d < 0 || d >= vocab || d != (double)(int)d)
            die_input("%s:%ld: token %d is not an id of the model's %d", path, line, i, vocab);
        (*ids)[i++] = (int)d;
    }
    return n;
}

/* One prompt from a line of n bytes, or die_input naming path:line. */
static int line_prompt(const char *path, long line, const char *text, size_t n,
                       const Tokenizer *tok, int vocab, int **ids) {
    if (json_line_has_nul(text, n)) die_input("%s:%ld: a prompt may not hold U+0000", path, line);
    const char *why = NULL;
    cJSON *v = json_line_parse(text, n, &why);
    const cJSON *str = cJSON_IsString(v)   ? v
                       : cJSON_IsObject(v) ? cJSON_GetObjectItem(v, "prompt")
                                           : NULL;
    const cJSON *tokens = cJSON_IsObject(v) ? cJSON_GetObjectItem(v, "tokens") : NULL;
    if (!v || (!cJSON_IsString(str) && !tokens) || (str && tokens)) {
        cJSON_Delete(v);
        die_input("%s:%ld: expected a JSON string, {\"prompt\": TEXT} or {\"tokens\": [ids]}", path,
                  line);
    }
    int count;
    if (tokens) {
        count = line_token_ids(path, line, tokens, vocab, ids);
    } else {
        size_t bad;
        const char *s = str->valuestring;
        if (!utf8_check(s, strlen(s), &bad))
            die_input("%s:%ld: the prompt is not valid UTF-8 (its byte %zu)", path, line, bad);
        if (!tok)
            die_input("%s:%ld: a text prompt needs the model's tokenizer (or give \"tokens\")",
                      path, line);
        count = tokenizer_encode_sequence(tok, s, ids);
    }
    cJSON_Delete(v);
    return count;
}

PromptsFile *prompts_file_read(const char *path, const Tokenizer *tok, int vocab) {
    size_t len;
    char *text = read_file_text(path, &len);
    PromptsFile *p = xcalloc(1, sizeof *p);
    int cap = 0;
    long line = 0;
    size_t pos = 0, n;
    const char *s;
    while (json_line_next(text, len, &pos, &s, &n)) {
        line++;
        if (p->n == cap) {
            cap = cap ? 2 * cap : 64;
            p->ids = xrealloc(p->ids, (size_t)cap * sizeof *p->ids);
            p->lens = xrealloc(p->lens, (size_t)cap * sizeof *p->lens);
        }
        p->lens[p->n] = line_prompt(path, line, s, n, tok, vocab, &p->ids[p->n]);
        p->n++;
    }
    free(text);
    if (p->n == 0) die_input("%s: no prompts (one JSON line each)", path);
    return p;
}

void prompts_file_free(PromptsFile *p) {
    if (!p) return;
    for (int i = 0; i < p->n; i++)
        free(p->ids[i]);
    free(p->ids);
    free(p->lens);
    free(p);
}
