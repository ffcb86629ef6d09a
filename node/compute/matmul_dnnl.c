/* matmul_dnnl.c: see matmul_dnnl.h. */
#include "compute/matmul_dnnl.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#ifdef PAINTERS_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>

/* Shapes whose primitives are kept: a run sees a few T per layer shape. */
#define DNNL_CACHE 32

typedef struct {
    int T, rows, cols, ldy;
    float beta;
    unsigned long long used; /* clock of the last use; 0: empty */
    dnnl_primitive_t prim;
    dnnl_memory_t src, wei, dst; /* handles set on every call */
} DnnlEntry;

static struct {
    int checked, usable;
    const char *isa;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    DnnlEntry cache[DNNL_CACHE];
    unsigned long long clock;
    uint16_t *xb; /* (cap) x rounded to BF16 */
    size_t cap;
} g;

static void dnnl_check(dnnl_status_t s, const char *call) {
    if (s != dnnl_success)
        die_runtime("rank %d: oneDNN %s failed with status %d", util_rank(), call, (int)s);
}

static const char *isa_name(dnnl_cpu_isa_t isa) {
    switch (isa) {
    case dnnl_cpu_isa_avx512_core_amx:
        return "avx512_core_amx";
    case dnnl_cpu_isa_avx512_core_bf16:
        return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_vnni:
        return "avx512_core_vnni: no BF16 arithmetic";
    case dnnl_cpu_isa_avx512_core:
        return "avx512_core: no BF16 arithmetic";
    case dnnl_cpu_isa_avx2_vnni:
        return "avx2_vnni: no BF16 arithmetic";
    case dnnl_cpu_isa_avx2:
        return "avx2: no BF16 arithmetic";
    default:
        return "an ISA without BF16 arithmetic";
    }
}

static void dnnl_probe(void) {
    if (g.checked) return;
    g.checked = 1;
    /* The effective ISA honours DNNL_MAX_CPU_ISA (how tests force the
     * float32 path on a BF16 machine). */
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    g.isa = isa_name(isa);
    g.usable = (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
    if (!g.usable) return;
    dnnl_check(dnnl_engine_create(&g.engine, dnnl_cpu, 0), "dnnl_engine_create");
    dnnl_check(dnnl_stream_create(&g.stream, g.engine, dnnl_stream_default_flags),
               "dnnl_stream_create");
}

int matmul_dnnl_usable(void) {
    dnnl_probe();
    return g.usable;
}

const char *matmul_dnnl_isa(void) {
    dnnl_probe();
    return g.isa;
}

static void entry_free(DnnlEntry *e) {
    if (!e->used) return;
    dnnl_primitive_destroy(e->prim);
    dnnl_memory_destroy(e->src);
    dnnl_memory_destroy(e->wei);
    dnnl_memory_destroy(e->dst);
    memset(e, 0, sizeof *e);
}

/* The matmul src (T, K) bf16 x wei (K, N) bf16 -> dst (T, N) f32, wei the
 * stored (N, K) rows seen transposed (strides {1, K}), dst rows ldy floats
 * apart. */
static void entry_create(DnnlEntry *e, int T, int rows, int cols, int ldy, float beta) {
    dnnl_memory_desc_t src, wei, dst;
    dnnl_dims_t sd = {T, cols}, wd = {cols, rows}, dd = {T, rows}, ws = {1, cols}, ds = {ldy, 1};
    dnnl_check(dnnl_memory_desc_init_by_tag(&src, 2, sd, dnnl_bf16, dnnl_ab), "src desc");
    dnnl_check(dnnl_memory_desc_init_by_strides(&wei, 2, wd, dnnl_bf16, ws), "weights desc");
    dnnl_check(dnnl_memory_desc_init_by_strides(&dst, 2, dd, dnnl_f32, ds), "dst desc");
    dnnl_matmul_desc_t md;
    dnnl_check(dnnl_matmul_desc_init(&md, &src, &wei, NULL, &dst), "dnnl_matmul_desc_init");
    dnnl_primitive_attr_t attr;
    dnnl_check(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create");
    dnnl_post_ops_t po = NULL;
    if (beta != 0.0f) { /* dst = x W^T + beta dst */
        dnnl_check(dnnl_post_ops_create(&po), "dnnl_post_ops_create");
        dnnl_check(dnnl_post_ops_append_sum(po, beta), "dnnl_post_ops_append_sum");
        dnnl_check(dnnl_primitive_attr_set_post_ops(attr, po), "set_post_ops");
    }
    dnnl_primitive_desc_t pd;
    dnnl_check(dnnl_primitive_desc_create(&pd, &md, attr, g.engine, NULL),
               "matmul primitive_desc_create");
    dnnl_check(dnnl_primitive_create(&e->prim, pd), "matmul primitive_create");
    dnnl_check(dnnl_primitive_desc_destroy(pd), "primitive_desc_destroy");
    dnnl_check(dnnl_primitive_attr_destroy(attr), "primitive_attr_destroy");
    if (po) dnnl_check(dnnl_post_ops_destroy(po), "post_ops_destroy");
    dnnl_check(dnnl_memory_create(&e->src, &src, g.engine, DNNL_MEMORY_NONE), "src memory");
    dnnl_check(dnnl_memory_create(&e->wei, &wei, g.engine, DNNL_MEMORY_NONE), "weights memory");
    dnnl_check(dnnl_memory_create(&e->dst, &dst, g.engine, DNNL_MEMORY_NONE), "dst memory");
    e->T = T, e->rows = rows, e->cols = cols, e->ldy = ldy, e->beta = beta;
}

/* The cached primitive of the shape, created (in the least recently used
 * slot) when missing. */
static DnnlEntry *entry_get(int T, int rows, int cols, int ldy, float beta) {
    DnnlEntry *lru = &g.cache[0];
    for (int i = 0; i < DNNL_CACHE; i++) {
        DnnlEntry *e = &g.cache[i];
        if (e->used && e->T == T && e->rows == rows && e->cols == cols && e->ldy == ldy &&
            e->beta == beta) {
            e->used = ++g.clock;
            return e;
        }
        if (e->used < lru->used) lru = e;
    }
    entry_free(lru);
    entry_create(lru, T, rows, cols, ldy, beta);
    lru->used = ++g.clock;
    return lru;
}

/* f32_to_bf16 (util.h) inlined: round to nearest even, a NaN stays a NaN. */
static inline uint16_t round_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static void require_usable(const char *what) {
    if (!matmul_dnnl_usable())
        die_runtime("%s: oneDNN has no BF16 arithmetic here (%s)", what, g.isa);
}

const uint16_t *matmul_dnnl_round_x(const float *x, size_t n, int threads) {
    require_usable("matmul_dnnl_round_x");
    if (n > g.cap) {
        free(g.xb);
        g.xb = xmalloc(n * sizeof *g.xb);
        g.cap = n;
    }
    uint16_t *xb = g.xb;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; i++)
        xb[i] = round_to_bf16(x[i]);
    return xb;
}

void matmul_dnnl_bf16_ld(float *y, int ldy, const uint16_t *xb, const uint16_t *W, int T, int rows,
                         int cols, float beta, int threads) {
    require_usable("matmul_dnnl_bf16_ld");
    DnnlEntry *e = entry_get(T, rows, cols, ldy, beta);
    dnnl_check(dnnl_memory_set_data_handle(e->src, (void *)xb), "set src");
    dnnl_check(dnnl_memory_set_data_handle(e->wei, (void *)W), "set weights");
    dnnl_check(dnnl_memory_set_data_handle(e->dst, y), "set dst");
    dnnl_exec_arg_t args[3] = {
        {DNNL_ARG_SRC, e->src}, {DNNL_ARG_WEIGHTS, e->wei}, {DNNL_ARG_DST, e->dst}};
    /* oneDNN's OpenMP runtime takes the thread count of the calling thread. */
    int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    dnnl_check(dnnl_primitive_execute(e->prim, g.stream, 3, args), "matmul execute");
    dnnl_check(dnnl_stream_wait(g.stream), "stream wait");
    omp_set_num_threads(saved);
}

void matmul_dnnl_bf16(float *y, const float *x, const uint16_t *W, int T, int rows, int cols,
                      float beta, int threads) {
    const uint16_t *xb = matmul_dnnl_round_x(x, (size_t)T * cols, threads);
    matmul_dnnl_bf16_ld(y, rows, xb, W, T, rows, cols, beta, threads);
}

void matmul_dnnl_release(void) {
    for (int i = 0; i < DNNL_CACHE; i++)
        entry_free(&g.cache[i]);
    free(g.xb);
    g.xb = NULL;
    g.cap = 0;
}

#else /* built without oneDNN */

int matmul_dnnl_usable(void) {
    return 0;
}

const char *matmul_dnnl_isa(void) {
    return "built without oneDNN";
}

void matmul_dnnl_bf16(float *y, const float *x, const uint16_t *W, int T, int rows, int cols,
                      float beta, int threads) {
    (void)y, (void)x, (void)W, (void)T, (void)rows, (void)cols, (void)beta, (void)threads;
    die_runtime("matmul_dnnl_bf16: painters was built without oneDNN (libdnnl-dev)");
}

const uint16_t *matmul_dnnl_round_x(const float *x, size_t n, int threads) {
    (void)x, (void)n, (void)threads;
    die_runtime("matmul_dnnl_round_x: painters was built without oneDNN (libdnnl-dev)");
}

void matmul_dnnl_bf16_ld(float *y, int ldy, const uint16_t *xb, const uint16_t *W, int T, int rows,
                         int cols, float beta, int threads) {
    (void)y, (void)ldy, (void)xb, (void)W, (void)T, (void)rows, (void)cols, (void)beta,
        (void)threads;
    die_runtime("matmul_dnnl_bf16_ld: painters was built without oneDNN (libdnnl-dev)");
}

void matmul_dnnl_release(void) {}

#endif
