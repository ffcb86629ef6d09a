/* hf_cache.c: see hf_cache.h. */
#include "cli/hf_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int hf_cache_is_name(const char *value) {
    const char *slash = strchr(value, '/');
    if (!slash || strchr(slash + 1, '/')) return 0;
    if (slash == value || !slash[1]) return 0;
    return value[0] != '.' && value[0] != '~';
}

static const char *env_value(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

char *hf_cache_dir(const char **from) {
    const char *v, *src;
    char *dir;
    if ((v = env_value("HF_HUB_CACHE"))) {
        src = "HF_HUB_CACHE";
        dir = xstrdup(v);
    } else if ((v = env_value("HF_HOME"))) {
        src = "HF_HOME";
        dir = path_join(v, "hub");
    } else if ((v = env_value("XDG_CACHE_HOME"))) {
        src = "XDG_CACHE_HOME";
        dir = path_join(v, "huggingface/hub");
    } else {
        src = "default";
        const char *home = env_value("HOME");
        dir = path_join(home ? home : "", ".cache/huggingface/hub");
    }
    if (from) *from = src;
    return dir;
}

/* The commit a refs/ file holds (its first line), or NULL when the file is
 * not there. A file that holds no commit is die_input. Caller frees. */
static char *read_ref(const char *path) {
    if (!file_exists(path)) return NULL;
    char *text = read_file_text(path, NULL);
    size_t n = strcspn(text, "\r\n");
    text[n] = '\0';
    if (n == 0 || strchr(text, '/') || !strcmp(text, "..") || !strcmp(text, "."))
        die_input("%s: expected the commit of a snapshot, got '%s'", path, text);
    return text;
}

char *hf_cache_resolve(const char *name, const char *revision) {
    if (!revision) revision = "main";
    if (!*revision) die_input("--revision: empty revision");
    const char *from;
    char *cache = hf_cache_dir(&from);
    size_t n = strlen(name) + 16;
    char *folder_name = xmalloc(n);
    snprintf(folder_name, n, "models--%s", name);
    char *slash = strchr(folder_name + 8, '/');
    if (slash) {
        memmove(slash + 2, slash + 1, strlen(slash + 1) + 1);
        slash[0] = slash[1] = '-';
    }
    char *repo = path_join(cache, folder_name);
    char *refs = path_join(repo, "refs"), *snapshots = path_join(repo, "snapshots");
    char *ref_path = path_join(refs, revision);
    char *commit = read_ref(ref_path);
    char *snapshot = NULL;
    if (commit) {
        snapshot = path_join(snapshots, commit);
        if (!dir_exists(snapshot))
            die_input("%s: %s names snapshot %s, but %s is not there (an incomplete download?)",
                      name, ref_path, commit, snapshot);
    } else {
        char *direct = path_join(snapshots, revision);
        if (!strchr(revision, '/') && dir_exists(direct)) {
            snapshot = direct;
        } else {
            die_input("%s: not a file or folder, and not in the Hugging Face cache (%s, from "
                      "%s): looked for %s and %s",
                      name, cache, from, ref_path, direct);
        }
    }
    free(commit), free(ref_path), free(refs), free(snapshots), free(repo), free(folder_name);
    free(cache);
    return snapshot;
}
