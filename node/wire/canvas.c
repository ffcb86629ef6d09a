/* canvas.c: see canvas.h. */
#include "wire/canvas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "painters_wire.pb-c.h"
#include "base/util.h"
#include "wire/crc32.h"

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
        if (m->n_segs > WIRE_MAX_SEGMENTS)
            die_runtime("a canvas of %d sequences is too many", m->n_segs);
        for (int k = 0; k <= m->n_segs; k++)
            segs[k] = m->seg_start[k];
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
    int32_t batch[2 * WIRE_MAX_BATCH];
    if (m->batch) {
        if (m->n_segs < 1 || m->n_segs > WIRE_MAX_BATCH || m->has_prefixes)
            die_runtime("a batch canvas of %d sequences%s", m->n_segs,
                        m->has_prefixes ? " with shared prefixes" : "");
        for (int k = 0; k < m->n_segs; k++) {
            batch[2 * k] = m->seg_seq[k];
            batch[2 * k + 1] = m->seg_pos0[k];
        }
        h.n_batch = 2 * (size_t)m->n_segs;
        h.batch = batch;
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
                    "%u: run the same painters build on every node",
                    util_rank(), from, h->wire_version, wire_version());
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
        for (size_t k = 1; ok && k < h->n_segments; k++)
            ok = h->segments[k] > h->segments[k - 1];
        if (!ok)
            die_runtime("rank %d: canvas header from rank %d has inconsistent sequence offsets",
                        util_rank(), from);
        m->n_segs = (int)h->n_segments - 1;
        for (size_t k = 0; k < h->n_segments; k++)
            m->seg_start[k] = h->segments[k];
    }
    m->has_prefixes = 0;
    if (h->n_prefixes > 0) {
        int ok = m->n_segs > 0 && h->n_prefixes == 2 * (size_t)m->n_segs;
        for (int k = 0; ok && k < m->n_segs; k++) {
            int row = h->prefixes[2 * k], len = h->prefixes[2 * k + 1];
            /* a prefix lies within an earlier sequence that has none itself */
            ok = len == 0 ||
                 (len > 0 && row >= 0 && row < m->seg_start[k] && len <= m->seg_start[k] - row);
            m->prefix_row[k] = row;
            m->prefix_len[k] = len;
        }
        if (!ok)
            die_runtime("rank %d: canvas header from rank %d has inconsistent shared prefixes",
                        util_rank(), from);
        m->has_prefixes = 1;
    }
    m->batch = 0;
    if (h->n_batch > 0) {
        int ok = m->n_segs > 0 && m->n_segs <= WIRE_MAX_BATCH && !m->has_prefixes &&
                 h->n_batch == 2 * (size_t)m->n_segs;
        for (int k = 0; ok && k < m->n_segs; k++) {
            m->seg_seq[k] = h->batch[2 * k];
            m->seg_pos0[k] = h->batch[2 * k + 1];
            ok = m->seg_seq[k] >= 0 && m->seg_pos0[k] >= 0;
        }
        if (!ok)
            die_runtime("rank %d: canvas header from rank %d has an inconsistent batch",
                        util_rank(), from);
        m->batch = 1;
    }
    painters__canvas_header__free_unpacked(h, NULL);
}

void canvas_check_shape(const CanvasMeta *m, int dim, int from) {
    if (m->stop) return;
    if (m->n_tokens < 1 || m->pos0 < 0 || dim < 1 ||
        m->payload_bytes != (uint64_t)m->n_tokens * (uint64_t)dim * sizeof(float))
        die_runtime("rank %d: canvas header from rank %d describes %d tokens at position %d in "
                    "%llu payload bytes, not rows of %d floats",
                    util_rank(), from, m->n_tokens, m->pos0, (unsigned long long)m->payload_bytes,
                    dim);
}

void canvas_check_payload(const CanvasMeta *m, const float *x, int from) {
    uint32_t c = crc32_bytes(x, m->payload_bytes);
    if (c != m->checksum)
        die_runtime("rank %d: canvas of request %llu, step %d from rank %d fails its checksum "
                    "(%08x, header says %08x)",
                    util_rank(), (unsigned long long)m->request_id, m->step, from, c, m->checksum);
}

void canvas_meta_seal(CanvasMeta *m, int step, const float *x, size_t floats) {
    m->step = step;
    m->sender = util_rank();
    m->payload_bytes = m->stop ? 0 : floats * sizeof(float);
    m->checksum = m->stop ? 0 : crc32_bytes(x, m->payload_bytes);
}

void canvas_reserve(float **x, size_t *cap, size_t n) {
    if (n <= *cap) return;
    free(*x);
    *x = xalloc_floats(n);
    *cap = n;
}

/* PAINTERS_CORRUPT_CANVAS set in a rank's environment makes every canvas it
 * sends arrive damaged (its checksum no longer matches): used by the tests to
 * show that the receiver catches it. */
static int canvas_corrupts(void) {
    static int known = -1;
    if (known < 0) known = getenv("PAINTERS_CORRUPT_CANVAS") != NULL;
    return known;
}

void canvas_send(const CanvasMeta *m, const float *x, int dest) {
    uint8_t buf[WIRE_HEADER_BYTES];
    if (canvas_corrupts() && !m->stop) {
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
    for (int i = 0; i < n; i++)
        wire_wait(&req[i], what);
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
        die_runtime("rank %d: canvas header from rank %d announces %llu payload bytes", util_rank(),
                    src, (unsigned long long)m->payload_bytes);
    canvas_reserve(x, cap, m->payload_bytes / sizeof(float));
    MPI_Irecv(*x, (int)(m->payload_bytes / sizeof(float)), MPI_FLOAT, src, WIRE_TAG_PAYLOAD,
              MPI_COMM_WORLD, &req);
    wire_wait(&req, what);
    canvas_check_payload(m, *x, src);
}

/* PAINTERS_CORRUPT_GROUP_HEADER set in a rank's environment makes every
 * header it broadcasts as the entry of a spread step announce one token more
 * than its payload holds: used by the tests to show that the group's other
 * ranks refuse it before sizing their buffers by it. */
static int canvas_corrupts_group_header(void) {
    static int known = -1;
    if (known < 0) known = getenv("PAINTERS_CORRUPT_GROUP_HEADER") != NULL;
    return known;
}

int canvas_group_has(const CanvasGroup *g, int rank) {
    for (int i = 0; i < g->n; i++)
        if (g->ranks[i] == rank) return 1;
    return 0;
}

/* The entry's side of canvas_bcast: starts the header's sends to every rank
 * of the group and the receiver, the payload's to the participants. */
static void canvas_group_send_start(const CanvasMeta *m, const float *x, const CanvasGroup *g,
                                    CanvasGroupSends *sends) {
    if (sends->n_req)
        die_runtime("rank %d: a spread step's sends are still in flight", util_rank());
    if (canvas_corrupts_group_header() && !m->stop) {
        CanvasMeta damaged = *m;
        damaged.n_tokens++;
        canvas_header_pack(&damaged, sends->hb);
    } else {
        canvas_header_pack(m, sends->hb);
    }
    int need = 2 * g->n + 1;
    if (need > sends->cap_req) {
        sends->req = xrealloc(sends->req, (size_t)need * sizeof *sends->req);
        sends->dest = xrealloc(sends->dest, (size_t)need * sizeof *sends->dest);
        sends->cap_req = need;
    }
    int me = util_rank();
    for (int i = 0; i <= g->n; i++) {
        int dest = i < g->n ? g->ranks[i] : g->receiver;
        if (dest == me || (i == g->n && canvas_group_has(g, dest))) continue;
        sends->dest[sends->n_req] = dest;
        MPI_Isend(sends->hb, WIRE_HEADER_BYTES, MPI_BYTE, dest, WIRE_TAG_GROUP_HEADER,
                  MPI_COMM_WORLD, &sends->req[sends->n_req++]);
        if (i < g->n && !m->stop) {
            sends->dest[sends->n_req] = dest;
            MPI_Isend(x, (int)(m->payload_bytes / sizeof(float)), MPI_FLOAT, dest,
                      WIRE_TAG_GROUP_PAYLOAD, MPI_COMM_WORLD, &sends->req[sends->n_req++]);
        }
    }
}

void canvas_group_sends_wait(CanvasGroupSends *sends, const char *what) {
    for (int i = 0; i < sends->n_req; i++) {
        char to[160];
        snprintf(to, sizeof to, "%s to rank %d", what, sends->dest[i]);
        wire_wait(&sends->req[i], to);
    }
    sends->n_req = 0;
}

void canvas_group_sends_free(CanvasGroupSends *sends) {
    free(sends->req);
    free(sends->dest);
    memset(sends, 0, sizeof *sends);
}

void canvas_group_header_recv_start(uint8_t *hb, const CanvasGroup *g, MPI_Request *req) {
    MPI_Irecv(hb, WIRE_HEADER_BYTES, MPI_BYTE, g->entry, WIRE_TAG_GROUP_HEADER, MPI_COMM_WORLD,
              req);
}

void canvas_group_part_recv_start(float *part, size_t n, const CanvasGroup *g, int i,
                                  MPI_Request *req) {
    MPI_Irecv(part, (int)n, MPI_FLOAT, g->ranks[i], WIRE_TAG_GROUP_PART, MPI_COMM_WORLD, req);
}

void canvas_bcast(CanvasMeta *m, float **x, size_t *cap, int dim, const CanvasGroup *g, int bounded,
                  CanvasGroupSends *sends, const char *what) {
    if (g->entry == util_rank()) {
        if (m->payload_bytes / sizeof(float) > INT32_MAX)
            die_runtime("rank %d: a canvas of %llu bytes is too large for one message", util_rank(),
                        (unsigned long long)m->payload_bytes);
        canvas_group_send_start(m, *x, g, sends);
        return;
    }
    uint8_t hb[WIRE_HEADER_BYTES];
    MPI_Request req;
    canvas_group_header_recv_start(hb, g, &req);
    if (bounded)
        wire_wait(&req, what);
    else
        wire_wait_forever(&req, what);
    canvas_header_unpack(hb, g->entry, m);
    canvas_check_shape(m, dim, g->entry);
    if (m->stop) return;
    size_t n = m->payload_bytes / sizeof(float);
    if (n > INT32_MAX)
        die_runtime("rank %d: canvas header from rank %d announces %llu payload bytes", util_rank(),
                    g->entry, (unsigned long long)m->payload_bytes);
    canvas_reserve(x, cap, n);
    if (!canvas_group_has(g, util_rank())) return;
    MPI_Irecv(*x, (int)n, MPI_FLOAT, g->entry, WIRE_TAG_GROUP_PAYLOAD, MPI_COMM_WORLD, &req);
    wire_wait(&req, what);
    canvas_check_payload(m, *x, g->entry);
}

void canvas_reduce_to(const float *part, float *sum, size_t n, const CanvasGroup *g, float **tmp,
                      size_t *tmp_cap, const char *what) {
    int me = util_rank();
    MPI_Request req;
    if (g->receiver != me) {
        MPI_Isend(part, (int)n, MPI_FLOAT, g->receiver, WIRE_TAG_GROUP_PART, MPI_COMM_WORLD, &req);
        wire_wait(&req, what);
        return;
    }
    for (int i = 0; i < g->n; i++) {
        const float *add = part;
        if (g->ranks[i] != me) {
            float *into = i == 0 ? sum : (canvas_reserve(tmp, tmp_cap, n), *tmp);
            canvas_group_part_recv_start(into, n, g, i, &req);
            wire_wait(&req, what);
            add = into;
        }
        if (i == 0) {
            if (add != sum) memcpy(sum, add, n * sizeof(float));
        } else {
            for (size_t k = 0; k < n; k++)
                sum[k] += add[k];
        }
    }
}
