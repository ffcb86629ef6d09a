/* runner_pack.c: see runner_pack.h. */
#include "run/runner_pack.h"

#include <stdlib.h>

#include "base/util.h"
#include "run/token_seq.h"

#define RUNNER_MIN_SHARED 2

/* Lays out sequences [first, first + count) in pc; share 0: no shared
 * prefixes (encoders, whose rows depend on the whole sequence). */
static void runner_layout(PackedCanvas *pc, const int *const *seqs, const int *lens, int share) {
    int row = 0, root = -1;
    for (int k = 0; k < pc->count; k++) {
        int i = pc->first + k, keep = 0;
        if (root >= 0 && share) {
            int r = pc->first + root;
            keep = token_seq_common_prefix(seqs[r], lens[r], seqs[i], lens[i]);
            if (keep >= lens[i]) keep = lens[i] - 1;
            if (keep < RUNNER_MIN_SHARED) keep = 0;
        }
        pc->start[k] = row;
        pc->prefix_row[k] = keep ? pc->start[root] : 0;
        pc->prefix_len[k] = keep;
        if (!keep) root = k;
        row += lens[i] - keep;
    }
    pc->start[pc->count] = row;
    pc->T = row;
}

int runner_pack(const int *const *seqs, const int *lens, int n, int pack_tokens, int share,
                PackedCanvas **out) {
    PackedCanvas *c = xmalloc((size_t)(n ? n : 1) * sizeof *c);
    int nc = 0;
    for (int i = 0; i < n;) {
        PackedCanvas *pc = &c[nc++];
        pc->first = i;
        pc->count = 0;
        int tokens = 0;
        while (i < n && pc->count < WIRE_MAX_SEGMENTS &&
               (pc->count == 0 || tokens + lens[i] <= pack_tokens)) {
            if (lens[i] <= 0) die_input("sequence %d of a batch is empty", i);
            tokens += lens[i++];
            pc->count++;
        }
        runner_layout(pc, seqs, lens, share);
    }
    *out = c;
    return nc;
}

CanvasShape runner_packed_shape(const PackedCanvas *pc) {
    return (CanvasShape){.T = pc->T,
                         .n_segs = pc->count,
                         .start = pc->start,
                         .prefix_row = pc->prefix_row,
                         .prefix_len = pc->prefix_len};
}
