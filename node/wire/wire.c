/* wire.c: see wire.h. */
#include "wire/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "painters_wire.pb-c.h"
#include "base/util.h"

static double g_timeout = 0.0;

enum { PROBE_ANSWER_BYTES = 160 }; /* a station's answer to rank 0's probe */

uint32_t wire_version(void) {
    const char *v = getenv("PAINTERS_WIRE_VERSION");
    return v && *v ? (uint32_t)strtoul(v, NULL, 10) : WIRE_VERSION;
}

void wire_set_timeout(double seconds) { g_timeout = seconds; }
double wire_timeout(void) { return g_timeout; }

static uint32_t crc_table[8][256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

/* CRC-32 (the zlib polynomial), eight bytes a step. */
uint32_t crc32_bytes(const void *data, size_t n) {
    if (!crc_table[0][1]) crc_init();
    const uint8_t *p = data;
    uint32_t c = 0xffffffffu;
    while (n >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + 4, 4);
        lo ^= c;
        c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
            crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
            crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
            crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

void canvas_header_pack(const CanvasMeta *m, uint8_t *buf) {
    Painters__CanvasHeader h = PAINTERS__CANVAS_HEADER__INIT;
    h.wire_version = wire_version();
    h.request_id = m->request_id;
    h.step = m->step;
    h.n_tokens = m->n_tokens;
    h.slot = m->slot;
    h.pos0 = m->pos0;
    h.reset = m->reset;
    h.stop = m->stop;
    h.payload_bytes = m->payload_bytes;
    h.checksum = m->checksum;
    h.sender = m->sender;
    int32_t segs[WIRE_MAX_SEGMENTS + 1];
    if (m->n_segs > 0) {
        if (m->n_segs > WIRE_MAX_SEGMENTS) die_runtime("a canvas of %d sequences is too many", m->n_segs);
        for (int k = 0; k <= m->n_segs; k++) segs[k] = m->seg_start[k];
        h.n_segments = (size_t)m->n_segs + 1;
        h.segments = segs;
    }
    int32_t prefixes[2 * WIRE_MAX_SEGMENTS];
    if (m->n_segs > 0 && m->has_prefixes) {
        for (int k = 0; k < m->n_segs; k++) {
            prefixes[2 * k] = m->prefix_row[k];
            prefixes[2 * k + 1] = m->prefix_len[k];
        }
        h.n_prefixes = 2 * (size_t)m->n_segs;
        h.prefixes = prefixes;
    }
    size_t n = painters__canvas_header__get_packed_size(&h);
    if (n + 4 > WIRE_HEADER_BYTES) die_runtime("canvas header of %zu bytes too large", n);
    uint32_t len = (uint32_t)n;
    memset(buf, 0, WIRE_HEADER_BYTES);
    memcpy(buf, &len, 4);
    painters__canvas_header__pack(&h, buf + 4);
}

void canvas_header_unpack(const uint8_t *buf, int from, CanvasMeta *m) {
    uint32_t len;
    memcpy(&len, buf, 4);
    /* len comes off the wire: compared without arithmetic that could wrap. */
    Painters__CanvasHeader *h =
        len <= WIRE_HEADER_BYTES - 4 ? painters__canvas_header__unpack(NULL, len, buf + 4) : NULL;
    if (!h)
        die_runtime("rank %d: unreadable canvas header from rank %d (a different painters binary?)",
                    util_rank(), from);
    if (h->wire_version != wire_version())
        die_runtime("rank %d: canvas header from rank %d has wire version %u, this binary speaks "
                    "%u: run the same painters build on every node", util_rank(), from,
                    h->wire_version, wire_version());
    m->request_id = h->request_id;
    m->step = h->step;
    m->n_tokens = h->n_tokens;
    m->slot = h->slot;
    m->pos0 = h->pos0;
    m->reset = h->reset;
    m->stop = h->stop;
    m->payload_bytes = h->payload_bytes;
    m->checksum = h->checksum;
    m->sender = h->sender;
    m->n_segs = 0;
    if (h->n_segments > 0) {
        int ok = h->n_segments >= 2 && h->n_segments <= WIRE_MAX_SEGMENTS + 1 &&
                 h->segments[0] == 0 && h->segments[h->n_segments - 1] == m->n_tokens;
        for (size_t k = 1; ok && k < h->n_segments; k++) ok = h->segments[k] > h->segments[k - 1];
        if (!ok)
            die_runtime("rank %d: canvas header from rank %d has inconsistent sequence offsets",
                        util_rank(), from);
        m->n_segs = (int)h->n_segments - 1;
        for (size_t k = 0; k < h->n_segments; k++) m->seg_start[k] = h->segments[k];
    }
    m->has_prefixes = 0;
    if (h->n_prefixes > 0) {
        int ok = m->n_segs > 0 && h->n_prefixes == 2 * (size_t)m->n_segs;
        for (int k = 0; ok && k < m->n_segs; k++) {
            int row = h->prefixes[2 * k], len = h->prefixes[2 * k + 1];
            /* a prefix lies within an earlier sequence that has none itself */
            ok = len == 0 || (len > 0 && row >= 0 && row < m->seg_start[k] &&
                              len <= m->seg_start[k] - row);
            m->prefix_row[k] = row;
            m->prefix_len[k] = len;
        }
        if (!ok)
            die_runtime("rank %d: canvas header from rank %d has inconsistent shared prefixes",
                        util_rank(), from);
        m->has_prefixes = 1;
    }
    painters__canvas_header__free_unpacked(h, NULL);
}

void canvas_check_shape(const CanvasMeta *m, int dim, int from) {
    if (m->stop) return;
    if (m->n_tokens < 1 || m->pos0 < 0 || dim < 1 ||
        m->payload_bytes != (uint64_t)m->n_tokens * (uint64_t)dim * sizeof(float))
        die_runtime("rank %d: canvas header from rank %d describes %d tokens at position %d in "
                    "%llu payload bytes, not rows of %d floats", util_rank(), from, m->n_tokens,
                    m->pos0, (unsigned long long)m->payload_bytes, dim);
}

void canvas_check_payload(const CanvasMeta *m, const float *x, int from) {
    uint32_t c = crc32_bytes(x, m->payload_bytes);
    if (c != m->checksum)
        die_runtime("rank %d: canvas of request %llu, step %d from rank %d fails its checksum "
                    "(%08x, header says %08x)", util_rank(), (unsigned long long)m->request_id,
                    m->step, from, c, m->checksum);
}

/* Stations answer rank 0's probe (wire_probe_stations) from inside any wait,
 * with what they are waiting for. */
static void wire_answer_probe(const char *what) {
    if (util_rank() == 0) return;
    int flag = 0;
    MPI_Iprobe(0, WIRE_TAG_PROBE, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    if (!flag) return;
    int probe;
    MPI_Recv(&probe, 1, MPI_INT, 0, WIRE_TAG_PROBE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    static char answer[PROBE_ANSWER_BYTES]; /* read by MPI after this returns */
    snprintf(answer, sizeof answer, "%s", what && *what ? what : "waiting");
    MPI_Request req;
    MPI_Isend(answer, (int)strlen(answer) + 1, MPI_CHAR, 0, WIRE_TAG_PROBE_ANSWER, MPI_COMM_WORLD,
              &req);
    MPI_Request_free(&req);
}

/* Rank 0, after a wait timed out: asks every station what it is doing and
 * writes into out the ranks that do not answer within `grace` seconds (a
 * stopped process, a cut link; also one computing all that time) and the
 * answers of the others. The probes are never completed: the job ends next. */
static void wire_probe_stations(double grace, char *out, size_t cap) {
    int world = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    static int probe = 1;
    char *answered = xcalloc((size_t)world, 1);
    char *answers = xcalloc((size_t)world, PROBE_ANSWER_BYTES);
    for (int r = 1; r < world; r++) {
        MPI_Request req;
        MPI_Isend(&probe, 1, MPI_INT, r, WIRE_TAG_PROBE, MPI_COMM_WORLD, &req);
        MPI_Request_free(&req);
    }
    int n_answered = 0;
    double start = now_seconds();
    while (n_answered < world - 1 && now_seconds() - start < grace) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, WIRE_TAG_PROBE_ANSWER, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            continue;
        }
        char *a = answers + (size_t)st.MPI_SOURCE * PROBE_ANSWER_BYTES;
        MPI_Recv(a, PROBE_ANSWER_BYTES, MPI_CHAR, st.MPI_SOURCE, WIRE_TAG_PROBE_ANSWER, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        a[PROBE_ANSWER_BYTES - 1] = '\0';
        if (!answered[st.MPI_SOURCE]) n_answered++;
        answered[st.MPI_SOURCE] = 1;
    }
    size_t len = 0;
    if (n_answered == world - 1) {
        len = (size_t)snprintf(out, cap, "every station answered within %.0f s", grace);
    } else {
        len = (size_t)snprintf(out, cap, "no answer within %.0f s from rank", grace);
        const char *sep = " ";
        for (int r = 1; r < world && len < cap; r++)
            if (!answered[r]) len += (size_t)snprintf(out + len, cap - len, "%s%d", sep, r), sep = ", ";
    }
    for (int r = 1; r < world && len < cap; r++)
        if (answered[r])
            len += (size_t)snprintf(out + len, cap - len, "; rank %d: %s", r, answers + (size_t)r * PROBE_ANSWER_BYTES);
    free(answered);
    free(answers);
}

_Noreturn void wire_timed_out(const char *what, double timeout) {
    int world = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    if (util_rank() != 0 || world == 1)
        die_runtime("rank %d: %s: nothing after %.0f s (--timeout); ending the job", util_rank(),
                    what, timeout);
    char probe[1536];
    wire_probe_stations(1.0, probe, sizeof probe);
    die_runtime("rank 0: %s: nothing after %.0f s (--timeout); %s; ending the job", what, timeout,
                probe);
}

static void wire_wait_for(MPI_Request *req, double timeout, const char *what) {
    int done = 0;
    double start = now_seconds();
    long spins = 0, nap_ns = 20000;
    while (!done) {
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done) break;
        if (++spins > 1000) {
            /* Past a short spin, yield the core with naps growing to 1 ms: ranks
             * may share cores, and an idle station must not slow a busy one. */
            struct timespec ts = {0, nap_ns};
            nanosleep(&ts, NULL);
            if (nap_ns < 1000000) nap_ns += nap_ns / 4;
            wire_answer_probe(what);
        }
        if (timeout > 0 && now_seconds() - start > timeout) wire_timed_out(what, timeout);
    }
}

void wire_wait(MPI_Request *req, const char *what) { wire_wait_for(req, g_timeout, what); }

void wire_wait_forever(MPI_Request *req, const char *what) { wire_wait_for(req, 0.0, what); }

void canvas_reserve(float **x, size_t *cap, size_t n) {
    if (n <= *cap) return;
    free(*x);
    *x = xalloc_floats(n);
    *cap = n;
}

/* PAINTERS_CORRUPT_CANVAS set in a rank's environment makes every canvas it
 * sends arrive damaged (its checksum no longer matches): used by the tests to
 * show that the receiver catches it. */
static int wire_corrupts(void) {
    static int known = -1;
    if (known < 0) known = getenv("PAINTERS_CORRUPT_CANVAS") != NULL;
    return known;
}

void canvas_send(const CanvasMeta *m, const float *x, int dest) {
    uint8_t buf[WIRE_HEADER_BYTES];
    if (wire_corrupts() && !m->stop) {
        CanvasMeta damaged = *m;
        damaged.checksum ^= 1u;
        canvas_header_pack(&damaged, buf);
    } else {
        canvas_header_pack(m, buf);
    }
    MPI_Request req[2];
    MPI_Isend(buf, WIRE_HEADER_BYTES, MPI_BYTE, dest, WIRE_TAG_HEADER, MPI_COMM_WORLD, &req[0]);
    int n = 1;
    if (!m->stop)
        MPI_Isend(x, (int)(m->payload_bytes / sizeof(float)), MPI_FLOAT, dest, WIRE_TAG_PAYLOAD,
                  MPI_COMM_WORLD, &req[n++]);
    char what[96];
    snprintf(what, sizeof what, "step %d: sending the canvas to rank %d", m->step, dest);
    for (int i = 0; i < n; i++) wire_wait(&req[i], what);
}

void canvas_recv(CanvasMeta *m, float **x, size_t *cap, int src, int timeout, const char *what) {
    uint8_t buf[WIRE_HEADER_BYTES];
    MPI_Request req;
    MPI_Irecv(buf, WIRE_HEADER_BYTES, MPI_BYTE, src, WIRE_TAG_HEADER, MPI_COMM_WORLD, &req);
    if (timeout)
        wire_wait(&req, what);
    else
        wire_wait_forever(&req, what);
    canvas_header_unpack(buf, src, m);
    if (m->stop) return;
    if (m->payload_bytes % sizeof(float) || m->payload_bytes / sizeof(float) > INT32_MAX)
        die_runtime("rank %d: canvas header from rank %d announces %llu payload bytes",
                    util_rank(), src, (unsigned long long)m->payload_bytes);
    canvas_reserve(x, cap, m->payload_bytes / sizeof(float));
    MPI_Irecv(*x, (int)(m->payload_bytes / sizeof(float)), MPI_FLOAT, src, WIRE_TAG_PAYLOAD,
              MPI_COMM_WORLD, &req);
    wire_wait(&req, what);
    canvas_check_payload(m, *x, src);
}

char *wire_recv_bytes(int src, int tag, size_t *len, const char *what) {
    int flag = 0;
    MPI_Status st;
    double start = now_seconds();
    while (!flag) {
        MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, &st);
        if (flag) break;
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
        if (g_timeout > 0 && now_seconds() - start > g_timeout) {
            char from[160];
            snprintf(from, sizeof from, "%s from rank %d", what, src);
            wire_timed_out(from, g_timeout);
        }
    }
    int count;
    MPI_Get_count(&st, MPI_BYTE, &count);
    char *buf = xmalloc((size_t)count + 1);
    MPI_Recv(buf, count, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    buf[count] = '\0';
    *len = (size_t)count;
    return buf;
}
