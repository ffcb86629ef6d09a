/* runner_encode.c: the Runner on a BERT encoder: sequences packed into
 * canvases (no shared prefixes), embedded, routed through the program and
 * handed back as last hidden states; the heads on them. See runner.h. */
#include <stdlib.h>

#include "base/util.h"
#include "run/bert_ends.h"
#include "run/runner.h"
#include "run/runner_pack.h"

int runner_is_encoder(const Runner *r) {
    return r->ck->cfg.kind == MODEL_ENCODER_BERT;
}

static void runner_need_encoder(const Runner *r, const char *what) {
    if (!runner_is_encoder(r))
        die_input("%s is a decoder (%s): %s needs a BERT encoder", r->opts.model,
                  r->ck->cfg.architecture, what);
}

/* Embeds each sequence of the canvas at positions from 0 into r->x. */
static void runner_embed_encoder(Runner *r, const PackedCanvas *pc, const int *const *seqs,
                                 const int *const *type_ids) {
    const ModelConfig *c = &r->ck->cfg;
    runner_reserve(r, pc->T);
    for (int k = 0; k < pc->count; k++) {
        int i = pc->first + k;
        bert_embed(c, r->head, seqs[i], type_ids ? type_ids[i] : NULL,
                   pc->start[k + 1] - pc->start[k], r->x + (size_t)pc->start[k] * c->dim);
    }
}

static void runner_deliver_encoder(const Runner *r, const PackedCanvas *pc, const float *y,
                                   RunnerEncodeFn fn, void *ctx) {
    size_t D = (size_t)r->ck->cfg.dim;
    for (int k = 0; k < pc->count; k++)
        fn(ctx, pc->first + k, y + (size_t)pc->start[k] * D, pc->start[k + 1] - pc->start[k]);
}

void runner_encode_batch(Runner *r, int n, const int *const *seqs, const int *const *type_ids,
                         const int *lens, RunnerEncodeFn fn, void *ctx) {
    runner_need_encoder(r, "encoding sequences");
    PackedCanvas *pcs;
    int nc = runner_pack(seqs, lens, n, r->opts.pack_tokens, 0, &pcs);
    runner_reset(r);
    double t0 = now_seconds();
    if (r->world == 1) {
        for (int i = 0; i < nc; i++) {
            runner_embed_encoder(r, &pcs[i], seqs, type_ids);
            CanvasShape shape = runner_packed_shape(&pcs[i]);
            for (int s = 0; s < r->program->n_steps; s++)
                station_apply_step(r->station, r->program, s, NULL, r->x, &shape);
            runner_deliver_encoder(r, &pcs[i], r->x, fn, ctx);
        }
    } else {
        int sent = 0;
        for (int done = 0; done < nc; done++) {
            while (sent < nc && sent - done < r->n_slots) {
                runner_embed_encoder(r, &pcs[sent], seqs, type_ids);
                CanvasShape shape = runner_packed_shape(&pcs[sent]);
                dispatch_submit_packed(r->dispatch, sent % r->n_slots, r->x, &shape);
                sent++;
            }
            const float *y = dispatch_collect(r->dispatch, done % r->n_slots);
            runner_deliver_encoder(r, &pcs[done], y, fn, ctx);
        }
    }
    r->seconds_layers += now_seconds() - t0;
    free(pcs);
}

void runner_bert_pooled(const Runner *r, const float *hidden, float *pooled) {
    runner_need_encoder(r, "a pooled output");
    bert_pooled(&r->ck->cfg, r->head, hidden, pooled);
}

void runner_bert_mlm_logits(Runner *r, const float *hidden, int len, float *logits) {
    runner_need_encoder(r, "masked-LM logits");
    if (!r->ck->cfg.has_mlm_head)
        die_input("%s: no MLM head (cls.predictions.*) in the checkpoint", r->opts.model);
    float *work = xalloc_floats((size_t)len * r->ck->cfg.dim);
    bert_mlm_logits(&r->ck->cfg, r->head, hidden, len, work, logits);
    free(work);
}

void runner_bert_classify(const Runner *r, const float *pooled, float *logits) {
    runner_need_encoder(r, "classifier logits");
    if (!r->ck->cfg.has_classifier)
        die_input("%s: no classifier (classifier.weight) in the checkpoint", r->opts.model);
    bert_classify(&r->ck->cfg, r->head, pooled, logits);
}
