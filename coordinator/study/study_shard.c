/* study_shard.c: see study_shard.h. */
#include "study/study_shard.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/json_check.h"
#include "base/util.h"

/* A whole decimal integer in [0, 2^30] into *out; 0 when text is not one. */
static int parse_count(const char *text, long *out) {
    if (!text || !*text) return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < 0 || v > (1L << 30)) return 0;
    *out = v;
    return 1;
}

StudyShard study_shard_parse(const char *text, const char *what) {
    const char *slash = strchr(text, '/');
    long i = -1, n = -1;
    char head[32];
    size_t hl = slash ? (size_t)(slash - text) : 0;
    if (slash && hl < sizeof head) {
        memcpy(head, text, hl);
        head[hl] = '\0';
        if (!parse_count(head, &i) || !parse_count(slash + 1, &n)) i = n = -1;
    }
    if (i < 0 || n < 1 || i >= n)
        die_input("study: %s '%s': expected I/N, the shard I of N shards with 0 <= I < N", what,
                  text);
    return (StudyShard){(int)i, (int)n};
}

StudyShard study_shard_from_env(void) {
    const char *id_s = getenv("SLURM_ARRAY_TASK_ID");
    if (!id_s) return (StudyShard){0, 0};
    const char *min_s = getenv("SLURM_ARRAY_TASK_MIN"), *count_s = getenv("SLURM_ARRAY_TASK_COUNT");
    const char *step_s = getenv("SLURM_ARRAY_TASK_STEP");
    long id, min, count, step = 1;
    int ok = parse_count(id_s, &id) && parse_count(min_s, &min) && parse_count(count_s, &count) &&
             (!step_s || parse_count(step_s, &step)) && step > 0 && count > 0 && id >= min &&
             (id - min) % step == 0 && (id - min) / step < count;
    if (!ok)
        die_input("study: SLURM_ARRAY_TASK_ID=%s, SLURM_ARRAY_TASK_MIN=%s, "
                  "SLURM_ARRAY_TASK_COUNT=%s, SLURM_ARRAY_TASK_STEP=%s do not make a shard I/N "
                  "(I = (ID - MIN) / STEP, N = COUNT, 0 <= I < N); give --shard I/N",
                  id_s, min_s ? min_s : "(unset)", count_s ? count_s : "(unset)",
                  step_s ? step_s : "(unset)");
    return (StudyShard){(int)((id - min) / step), (int)count};
}

int study_shard_owns(StudyShard s, int plan) {
    return s.count == 0 || plan % s.count == s.index;
}

char *study_shard_path(const char *out, StudyShard s, const char *kind, const char *ext) {
    size_t n = strlen(out) + strlen(kind) + strlen(ext) + 64;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/shards/%s-%d-of-%d.%s", out, kind, s.index, s.count, ext);
    return path;
}

/* Opens (creating) a lock file; the caller closes the descriptor. */
static int open_lock(const char *path) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) die_input("%s: cannot open the lock file: %s", path, strerror(errno));
    return fd;
}

void study_shard_claim(const char *out, StudyShard s) {
    char *dir = path_join(out, "shards");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        die_input("%s: cannot create the shards folder: %s", dir, strerror(errno));
    free(dir);
    char *path = study_shard_path(out, s, "shard", "lock");
    int fd = open_lock(path); /* held until the process ends */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        die_input("%s: shard %d/%d of this study is running in another process (it holds this "
                  "lock); one process per shard",
                  path, s.index, s.count);
    free(path);
}

int study_shards_count(const char *out) {
    char *dir = path_join(out, "shards");
    DIR *d = opendir(dir);
    int count = 0;
    char first[256] = "";
    for (struct dirent *e; d && (e = readdir(d));) {
        int i, n, end = 0;
        if (sscanf(e->d_name, "results-%d-of-%d.csv%n", &i, &n, &end) != 2 ||
            e->d_name[end] != '\0' || n < 1)
            continue;
        if (count && n != count)
            die_input("%s: results of shards of %d (%s) and of %d (%s); one split per folder", dir,
                      count, first, n, e->d_name);
        count = n;
        snprintf(first, sizeof first, "%s", e->d_name);
    }
    if (d) closedir(d);
    free(dir);
    return count;
}

int study_shard_lock_merge(const char *out) {
    char *path = path_join(out, "shards/merge.lock");
    int fd = open_lock(path);
    if (flock(fd, LOCK_EX) != 0) die_runtime("%s: cannot take the lock: %s", path, strerror(errno));
    free(path);
    return fd;
}

void study_shard_unlock(int fd) {
    if (fd >= 0) close(fd); /* closing releases the flock */
}

static void add_env_string(cJSON *obj, const char *key, const char *var) {
    const char *v = getenv(var);
    if (v)
        cJSON_AddStringToObject(obj, key, v);
    else
        cJSON_AddNullToObject(obj, key);
}

/* The record of shard s (a new one when the file is absent); caller deletes it. */
static cJSON *load_record(const char *path, StudyShard s) {
    if (!file_exists(path)) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddNumberToObject(root, "shard", s.index);
        cJSON_AddNumberToObject(root, "shards", s.count);
        cJSON_AddArrayToObject(root, "runs");
        return root;
    }
    char *text = read_file_text(path, NULL);
    cJSON *root = json_parse_checked(path, text);
    free(text);
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "runs")))
        die_input("%s: expected an object with an array \"runs\"", path);
    return root;
}

static void save_record(const char *path, cJSON *root) {
    char *json = cJSON_Print(root);
    write_text_atomic(path, json);
    free(json);
    cJSON_Delete(root);
}

void study_shard_record_start(const char *out, StudyShard s, int ranks, int cells_done,
                              int cells_to_go) {
    char *path = study_shard_path(out, s, "run", "json");
    cJSON *root = load_record(path, s);
    cJSON *run = cJSON_CreateObject();
    long restarts;
    if (parse_count(getenv("SLURM_RESTART_COUNT"), &restarts))
        cJSON_AddNumberToObject(run, "slurm_restart_count", (double)restarts);
    else
        cJSON_AddNullToObject(run, "slurm_restart_count");
    add_env_string(run, "slurm_job_id", "SLURM_JOB_ID");
    add_env_string(run, "slurm_array_job_id", "SLURM_ARRAY_JOB_ID");
    add_env_string(run, "slurm_array_task_id", "SLURM_ARRAY_TASK_ID");
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    cJSON_AddStringToObject(run, "host", host);
    cJSON_AddNumberToObject(run, "started_unix", (double)time(NULL));
    cJSON_AddNumberToObject(run, "ranks", ranks);
    cJSON_AddNumberToObject(run, "cells_done_before", cells_done);
    cJSON_AddNumberToObject(run, "cells_to_go", cells_to_go);
    cJSON_AddBoolToObject(run, "finished", 0);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(root, "runs"), run);
    save_record(path, root);
    free(path);
}

void study_shard_record_end(const char *out, StudyShard s) {
    char *path = study_shard_path(out, s, "run", "json");
    cJSON *root = load_record(path, s);
    cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    int n = cJSON_GetArraySize(runs);
    if (n > 0) {
        cJSON *last = cJSON_GetArrayItem(runs, n - 1);
        cJSON_ReplaceItemInObjectCaseSensitive(last, "finished", cJSON_CreateTrue());
        cJSON_AddNumberToObject(last, "finished_unix", (double)time(NULL));
    }
    save_record(path, root);
    free(path);
}
