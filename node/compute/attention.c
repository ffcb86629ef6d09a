/* attention.c: see attention.h.
 *
 * The work splits into tasks of query rows that share one key/value head. A
 * task walks its visible keys in blocks of ATTN_KEY_BLOCK, keeping a running
 * maximum and sum per row (online softmax); keys past the task's last visible
 * one are never scored.
 *  - decode (no more tokens than query heads per KV head): one token's whole
 *    group of query heads, so each K/V row is read once per group;
 *  - prefill: a tile of ATTN_QUERY_TILE tokens of one query head.
 * The tasks run on the rank's OpenMP threads, taken one at a time by
 * whichever thread is free (costliest first), each thread with its own slice
 * of the work memory. Inside the parallel region OpenBLAS (its OpenMP build)
 * runs each sgemm on the calling thread alone, as it does with one thread
 * outside it, so a task's rows come out bit for bit the same whatever the
 * thread count. With the pthreads build of OpenBLAS the tasks run one after
 * the other on its threads instead: measured on 2 cores, OpenMP threads
 * calling that build at once ran 10 to 20 times slower. */
#include "compute/attention.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#include "base/util.h"

#define ATTN_QUERY_TILE 128
#define ATTN_KEY_BLOCK 512

/* Query rows of one task: row i is q + i*q_stride (hd floats), its output
 * out + i*out_stride, and it sees keys [0, visible0 + i*visible_step). */
typedef struct {
    const float *q;
    float *out;
    int q_stride, out_stride, rows;
    int visible0, visible_step;
} AttnRows;

/* Key and value rows of one KV head: row j is k + j*stride (hd floats). */
typedef struct {
    const float *k, *v;
    int stride, hd;
    float scale;
} AttnKeys;

static int task_rows_max(const ModelConfig *c) {
    int group = c->n_heads / c->n_kv_heads;
    return group > ATTN_QUERY_TILE ? group : ATTN_QUERY_TILE;
}

/* Floats of one thread's work: scores (rows, ATTN_KEY_BLOCK), then max and
 * sum (rows). */
static size_t thread_work_floats(const ModelConfig *c) {
    size_t rows = (size_t)task_rows_max(c);
    return rows * ATTN_KEY_BLOCK + 2 * rows;
}

/* Threads the tasks run on: OpenMP's count, or 1 beside a BLAS that keeps
 * its own pool of threads (the pthreads build) and would serialize. */
static int attention_threads(void) {
    if (openblas_get_parallel() == 1) return 1;
    int t = omp_get_max_threads();
    return t > 0 ? t : 1;
}

size_t attention_work_floats(const ModelConfig *c) {
    return (size_t)attention_threads() * thread_work_floats(c);
}

/* Turns score row s (nk keys, cnt of them visible) into unnormalized weights
 * against the running maximum *m and sum *l; returns the factor the row's
 * earlier output must be scaled by. */
static float softmax_block_row(float *s, int nk, int cnt, float *m, float *l) {
    if (cnt <= 0) {
        memset(s, 0, (size_t)nk * sizeof(float));
        return 1.0f;
    }
    float mx = *m;
    for (int j = 0; j < cnt; j++)
        mx = s[j] > mx ? s[j] : mx;
    float alpha = *m == -INFINITY ? 0.0f : expf(*m - mx);
    double sum = 0.0;
    for (int j = 0; j < cnt; j++) {
        s[j] = expf(s[j] - mx);
        sum += s[j];
    }
    memset(s + cnt, 0, (size_t)(nk - cnt) * sizeof(float));
    *l = (float)((double)*l * alpha + sum);
    *m = mx;
    return alpha;
}

static void scale_row(float *x, int n, float a) {
    for (int i = 0; i < n; i++)
        x[i] *= a;
}

/* One task: out rows = softmax(q K^T * scale, causal) V, in key blocks.
 * work: scores (rows, ATTN_KEY_BLOCK), max (rows), sum (rows). */
static void attend_rows(const AttnRows *r, const AttnKeys *kv, float *work) {
    int hd = kv->hd, rows = r->rows;
    float *S = work, *m = S + (size_t)rows * ATTN_KEY_BLOCK, *l = m + rows;
    int last = r->visible0 + (rows - 1) * r->visible_step; /* keys the last row sees */
    for (int i = 0; i < rows; i++) {
        m[i] = -INFINITY, l[i] = 0.0f;
        memset(r->out + (size_t)i * r->out_stride, 0, (size_t)hd * sizeof(float));
    }
    for (int j0 = 0; j0 < last; j0 += ATTN_KEY_BLOCK) {
        int nk = last - j0 < ATTN_KEY_BLOCK ? last - j0 : ATTN_KEY_BLOCK;
        const float *kb = kv->k + (size_t)j0 * kv->stride, *vb = kv->v + (size_t)j0 * kv->stride;
        /* S (rows, nk) = q (rows, hd) @ K_blk (nk, hd)^T * scale */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, nk, hd, kv->scale, r->q,
                    r->q_stride, kb, kv->stride, 0.0f, S, ATTN_KEY_BLOCK);
        for (int i = 0; i < rows; i++) {
            int cnt = r->visible0 + i * r->visible_step - j0;
            cnt = cnt < 0 ? 0 : cnt > nk ? nk : cnt;
            float alpha = softmax_block_row(S + (size_t)i * ATTN_KEY_BLOCK, nk, cnt, m + i, l + i);
            if (alpha != 1.0f) scale_row(r->out + (size_t)i * r->out_stride, hd, alpha);
        }
        /* out (rows, hd) += P (rows, nk) @ V_blk (nk, hd) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, hd, nk, 1.0f, S,
                    ATTN_KEY_BLOCK, vb, kv->stride, 1.0f, r->out, r->out_stride);
    }
    for (int i = 0; i < rows; i++) {
        if (!(l[i] > 0.0f)) die_runtime("attention: query row %d sees no key", i);
        scale_row(r->out + (size_t)i * r->out_stride, hd, 1.0f / l[i]);
    }
}

/* Task `task` of the decode split: token t's query heads of KV head kvh. */
static AttnRows decode_task(const ModelConfig *c, const float *q, float *att, int ctx0, int task) {
    int hd = c->head_dim, group = c->n_heads / c->n_kv_heads, qd = c->n_heads * hd;
    int t = task / c->n_kv_heads, kvh = task % c->n_kv_heads;
    size_t off = (size_t)t * qd + (size_t)kvh * group * hd;
    return (AttnRows){q + off, att + off, hd, hd, group, ctx0 + t + 1, 0};
}

/* Task `task` of the prefill split: a tile of tokens of query head h, the
 * tiles of one head latest (costliest) first. */
static AttnRows prefill_task(const ModelConfig *c, const float *q, float *att, int n, int ctx0,
                             int task, int *head) {
    int hd = c->head_dim, qd = c->n_heads * hd;
    int tiles = (n + ATTN_QUERY_TILE - 1) / ATTN_QUERY_TILE;
    int h = task % c->n_heads, t0 = (tiles - 1 - task / c->n_heads) * ATTN_QUERY_TILE;
    int rows = n - t0 < ATTN_QUERY_TILE ? n - t0 : ATTN_QUERY_TILE;
    size_t off = (size_t)t0 * qd + (size_t)h * hd;
    *head = h;
    return (AttnRows){q + off, att + off, qd, qd, rows, ctx0 + t0 + 1, 1};
}

/* Task `task` of either split, with the keys it reads. Not causal: every
 * row sees all ctx0 + n keys. */
static void split_task(const ModelConfig *c, const float *k, const float *v, int kvd,
                       const float *q, float *att, int n, int ctx0, int causal, int task,
                       AttnRows *r, AttnKeys *keys) {
    int hd = c->head_dim, group = c->n_heads / c->n_kv_heads, kvh;
    if (n <= group) {
        *r = decode_task(c, q, att, ctx0, task);
        kvh = task % c->n_kv_heads;
    } else {
        int h;
        *r = prefill_task(c, q, att, n, ctx0, task, &h);
        kvh = h / group;
    }
    if (!causal) r->visible0 = ctx0 + n, r->visible_step = 0;
    *keys =
        (AttnKeys){k + (size_t)kvh * hd, v + (size_t)kvh * hd, kvd, hd, 1.0f / sqrtf((float)hd)};
}

/* Tasks of the split for n query rows: decode, one per token and KV head;
 * prefill, one per query head and tile. */
static int split_tasks(const ModelConfig *c, int n) {
    if (n <= c->n_heads / c->n_kv_heads) return n * c->n_kv_heads;
    return c->n_heads * ((n + ATTN_QUERY_TILE - 1) / ATTN_QUERY_TILE);
}

/* attention_causal, or with causal 0 every query over all ctx0 + n keys. */
static void attention_run(const ModelConfig *c, const float *k, const float *v, int kvd,
                          const float *q, float *att, int n, int ctx0, int causal, float *work) {
    int H = c->n_heads, group = c->n_heads / c->n_kv_heads;
    if (n <= 0) return;
    if (group * c->n_kv_heads != H)
        die_runtime("attention: %d heads over %d KV heads", H, c->n_kv_heads);
    int tasks = split_tasks(c, n), threads = attention_threads();
    size_t per_thread = thread_work_floats(c);
    if (threads > tasks) threads = tasks;
    if (threads <= 1) {
        for (int task = 0; task < tasks; task++) {
            AttnRows r;
            AttnKeys keys;
            split_task(c, k, v, kvd, q, att, n, ctx0, causal, task, &r, &keys);
            attend_rows(&r, &keys, work);
        }
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        float *mine = work + (size_t)omp_get_thread_num() * per_thread;
#pragma omp for schedule(dynamic, 1)
        for (int task = 0; task < tasks; task++) {
            AttnRows r;
            AttnKeys keys;
            split_task(c, k, v, kvd, q, att, n, ctx0, causal, task, &r, &keys);
            attend_rows(&r, &keys, mine);
        }
    }
}

void attention_causal(const ModelConfig *c, const float *k, const float *v, int kvd, const float *q,
                      float *att, int n, int ctx0, float *work) {
    attention_run(c, k, v, kvd, q, att, n, ctx0, 1, work);
}

void attention_bidirectional(const ModelConfig *c, const float *k, const float *v, int kvd,
                             const float *q, float *att, int n, float *work) {
    attention_run(c, k, v, kvd, q, att, n, 0, 0, work);
}

double attention_flops(const ModelConfig *c, int n, int ctx0) {
    /* Each task scores its rows against every key up to its last row's last
     * visible one (the causal triangle inside a task is scored, then zeroed)
     * and sums as many value rows: 2 sgemm of rows x keys x hd. */
    double f = 0, hd = c->head_dim;
    if (n <= 0) return 0;
    int group = c->n_heads / c->n_kv_heads;
    if (n <= group) {
        for (int t = 0; t < n; t++)
            f += 4.0 * group * (ctx0 + t + 1) * hd * c->n_kv_heads;
        return f;
    }
    for (int t0 = 0; t0 < n; t0 += ATTN_QUERY_TILE) {
        int rows = n - t0 < ATTN_QUERY_TILE ? n - t0 : ATTN_QUERY_TILE;
        f += 4.0 * rows * (double)(ctx0 + t0 + rows) * hd * c->n_heads;
    }
    return f;
}
