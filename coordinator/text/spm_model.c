/* spm_model.c: see spm.h (reading a tokenizer.model into a
 * SpmModel: the protobuf, the checks that refuse what cannot be reproduced
 * exactly, the piece table and its indexes, the special pieces). */
#include "text/spm.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *model_type_name(int type) {
    switch (type) {
    case SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__UNIGRAM:
        return "unigram";
    case SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__BPE:
        return "bpe";
    case SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__WORD:
        return "word";
    case SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__CHAR:
        return "char";
    default:
        return "unknown";
    }
}

static Sentencepiece__ModelProto *unpack_model(const char *source, const uint8_t *data, size_t n) {
    Sentencepiece__ModelProto *proto = sentencepiece__model_proto__unpack(NULL, n, data);
    if (!proto)
        die_input("%s: not a SentencePiece model (the protobuf does not parse: truncated or "
                  "corrupt file)",
                  source);
    return proto;
}

/* Refuses what the tokenizer cannot reproduce exactly. */
static void check_model_supported(const char *path, const Sentencepiece__ModelProto *proto) {
    if (proto->n_pieces == 0)
        die_input("%s: not a SentencePiece model (no pieces; empty, truncated or corrupt file)",
                  path);
    if (proto->n_pieces > INT_MAX / 4)
        die_input("%s: too many pieces (%zu)", path, proto->n_pieces);
    if (!proto->trainer_spec || !proto->normalizer_spec)
        die_input("%s: not a complete SentencePiece model (no %s; truncated file?)", path,
                  !proto->trainer_spec ? "trainer_spec" : "normalizer_spec");
    int type = proto->trainer_spec->model_type;
    if (type != SENTENCEPIECE__TRAINER_SPEC__MODEL_TYPE__BPE)
        die_input("%s: %s model (type %d): only BPE models are supported; unigram, word and char "
                  "models are not supported yet",
                  path, model_type_name(type), type);
    const Sentencepiece__NormalizerSpec *norm = proto->normalizer_spec;
    if (norm->has_precompiled_charsmap && norm->precompiled_charsmap.len > 0)
        die_input("%s: normalization rule '%s' is not supported (only identity)", path,
                  norm->name ? norm->name : "");
    const Sentencepiece__NormalizerSpec *denorm = proto->denormalizer_spec;
    if (denorm && denorm->has_precompiled_charsmap && denorm->precompiled_charsmap.len > 0)
        die_input("%s: denormalization rules are not supported", path);
}

static void read_piece_table(SpmModel *t, const char *path) {
    const Sentencepiece__ModelProto *proto = t->proto;
    int n = t->n_pieces;
    t->piece = xmalloc((size_t)n * sizeof *t->piece);
    t->piece_len = xmalloc((size_t)n * sizeof *t->piece_len);
    t->score = xmalloc((size_t)n * sizeof *t->score);
    t->type = xmalloc((size_t)n);
    for (int i = 0; i < n; i++) {
        const Sentencepiece__ModelProto__SentencePiece *p = proto->pieces[i];
        int type = p->has_type ? (int)p->type : PIECE_NORMAL;
        if (!p->piece || !p->piece[0]) die_input("%s: piece %d is empty", path, i);
        if (type < PIECE_NORMAL || type > PIECE_BYTE)
            die_input("%s: piece %d has unknown type %d", path, i, type);
        t->piece[i] = p->piece;
        t->piece_len[i] = strlen(p->piece);
        t->score[i] = p->has_score ? p->score : 0.0f;
        t->type[i] = (unsigned char)type;
    }
}

static int is_mergeable_type(int type) {
    return type == PIECE_NORMAL || type == PIECE_USER_DEFINED || type == PIECE_UNUSED;
}

/* Fills the maps, the user-defined trie, <unk> and the byte pieces, refusing
 * what sentencepiece refuses: duplicate pieces, no or two <unk>, malformed byte
 * pieces, byte pieces without byte fallback or fallback without all 256. */
static void index_pieces(SpmModel *t, const char *path) {
    int n = t->n_pieces;
    piece_map_init(&t->normal, (size_t)n);
    piece_map_init(&t->reserved, (size_t)n);
    t->unk = -1;
    for (int b = 0; b < 256; b++)
        t->byte_piece[b] = -1;
    for (int i = 0; i < n; i++) {
        int type = t->type[i];
        int mergeable = is_mergeable_type(type);
        if (!piece_map_insert(t, mergeable ? &t->normal : &t->reserved, i))
            die_input("%s: piece %d '%s' is defined twice", path, i, t->piece[i]);
        if (mergeable && t->piece_len[i] > t->max_normal_len) t->max_normal_len = t->piece_len[i];
        if (type == PIECE_USER_DEFINED) {
            piece_trie_insert(&t->user_defined, t->piece[i], t->piece_len[i]);
            t->has_user_defined = 1;
        }
        if (type == PIECE_UNUSED) t->has_unused = 1;
        if (type == PIECE_UNKNOWN) {
            if (t->unk >= 0) die_input("%s: two unknown pieces (%d and %d)", path, t->unk, i);
            t->unk = i;
        }
        if (type == PIECE_BYTE) {
            int b = piece_byte_value(t->piece[i], t->piece_len[i]);
            if (b < 0) die_input("%s: byte piece %d '%s' is malformed", path, i, t->piece[i]);
            if (!t->byte_fallback)
                die_input("%s: byte piece %d '%s' in a model without byte_fallback", path, i,
                          t->piece[i]);
            t->byte_piece[b] = i;
        }
    }
    if (t->unk < 0) die_input("%s: the model has no unknown piece", path);
    if (t->byte_fallback)
        for (int b = 0; b < 256; b++)
            if (t->byte_piece[b] < 0)
                die_input("%s: byte_fallback is set but piece <0x%02X> is missing", path, b);
}

/* A special piece's id as sentencepiece reports it: the piece named in the
 * trainer spec (or the usual name when that is empty) if it is a control
 * piece, else -1. */
static int control_piece_id(const SpmModel *t, const char *name, const char *usual) {
    if (!name || !name[0]) name = usual;
    int id = piece_lookup_id(t, name, strlen(name));
    return t->type[id] == PIECE_CONTROL ? id : -1;
}

static void read_specs(SpmModel *t) {
    const Sentencepiece__TrainerSpec *ts = t->proto->trainer_spec;
    const Sentencepiece__NormalizerSpec *ns = t->proto->normalizer_spec;
    t->byte_fallback = ts->byte_fallback;
    t->whitespace_as_suffix = ts->treat_whitespace_as_suffix;
    t->unk_surface = ts->unk_surface ? ts->unk_surface : " \xe2\x81\x87 ";
    t->add_dummy_prefix = ns->add_dummy_prefix;
    t->remove_extra_whitespaces = ns->remove_extra_whitespaces;
    t->escape_whitespaces = ns->escape_whitespaces;
}

SpmModel *spm_load_bytes(const char *source, const uint8_t *data, size_t n) {
    Sentencepiece__ModelProto *proto = unpack_model(source, data, n);
    check_model_supported(source, proto);
    SpmModel *t = xcalloc(1, sizeof *t);
    t->proto = proto;
    t->n_pieces = (int)proto->n_pieces;
    read_specs(t);
    read_piece_table(t, source);
    index_pieces(t, source);
    t->bos = control_piece_id(t, proto->trainer_spec->bos_piece, "<s>");
    t->eos = control_piece_id(t, proto->trainer_spec->eos_piece, "</s>");
    return t;
}

SpmModel *spm_load(const char *path) {
    size_t len = 0;
    char *bytes = read_file_text(path, &len);
    SpmModel *t = spm_load_bytes(path, (const uint8_t *)bytes, len);
    free(bytes);
    return t;
}

void spm_free(SpmModel *t) {
    if (!t) return;
    free(t->piece);
    free(t->piece_len);
    free(t->score);
    free(t->type);
    free(t->normal.slots);
    free(t->reserved.slots);
    free(t->user_defined.nodes);
    sentencepiece__model_proto__free_unpacked(t->proto, NULL);
    free(t);
}
