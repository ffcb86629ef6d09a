/* tokenizer_dispatch.c: see tokenizer.h (choosing the kind from the file, and every
 * call handed to the SentencePiece or Hugging Face tokenizer). */
#include "text/tokenizer_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "formats/gguf.h"

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Whether the first byte that is not JSON whitespace is '{'. */
static int looks_like_json(const char *data, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        return c == '{';
    }
    return 0;
}

/* The kind of a loaded tokenizer.json, from what hf_tokenizer.h shows: the
 * post-processor of a WordPiece (BERT) tokenizer puts [CLS] first; no
 * byte-level BPE tokenizer's does. */
static TokenizerKind hf_kind(const HfTokenizer *hf) {
    const char *first = hf_tokenizer_token(hf, hf_tokenizer_first_special(hf));
    return first && strcmp(first, "[CLS]") == 0 ? TOKENIZER_WORDPIECE : TOKENIZER_BPE;
}

static Tokenizer *tokenizer_new(TokenizerKind kind, const char *path) {
    Tokenizer *t = xcalloc(1, sizeof *t);
    t->kind = kind;
    t->path = xstrdup(path);
    t->bos.id = t->eos.id = t->pad.id = -1;
    t->add_bos = 1;
    t->clean_up = kind == TOKENIZER_WORDPIECE;
    return t;
}

static Tokenizer *tokenizer_from_spm(SpmModel *spm, const char *path) {
    Tokenizer *t = tokenizer_new(TOKENIZER_SENTENCEPIECE, path);
    t->spm = spm;
    t->bos.id = spm_bos(spm);
    t->eos.id = spm_eos(spm);
    t->clean_up = 0;
    return t;
}

/* The special tokens of the config (when there is one), then EOS in the
 * stop list. */
static void tokenizer_finish(Tokenizer *t, const TokenizerConfig *c) {
    tokenizer_config_apply(t, c);
    if (t->kind == TOKENIZER_SENTENCEPIECE) t->clean_up = 0;
    if (t->eos.id >= 0) tokenizer_add_eos_id(t, t->eos.id);
}

Tokenizer *tokenizer_load(const char *path) {
    if (file_exists(path) && gguf_has_magic(path)) return tokenizer_load_gguf(path);
    TokenizerConfig c;
    tokenizer_config_read(path, &c);
    Tokenizer *t;
    if (ends_with(path, ".txt")) {
        if (!file_exists(path)) die_input("%s: tokenizer file not found", path);
        HfTokenizer *hf = hf_tokenizer_load_vocab_txt(path, c.do_lower_case != 0);
        t = tokenizer_new(TOKENIZER_WORDPIECE, path);
        t->hf = hf;
    } else {
        size_t len = 0;
        char *bytes = read_file_text(path, &len);
        if (looks_like_json(bytes, len)) {
            HfTokenizer *hf = hf_tokenizer_load_bytes(path, bytes, len);
            t = tokenizer_new(hf_kind(hf), path);
            t->hf = hf;
        } else {
            t = tokenizer_from_spm(spm_load_bytes(path, (const uint8_t *)bytes, len), path);
        }
        free(bytes);
    }
    tokenizer_finish(t, &c);
    tokenizer_config_free(&c);
    return t;
}

Tokenizer *tokenizer_load_bytes(const char *source, const uint8_t *data, size_t n) {
    Tokenizer *t = tokenizer_from_spm(spm_load_bytes(source, data, n), source);
    if (t->eos.id >= 0) tokenizer_add_eos_id(t, t->eos.id);
    return t;
}

void tokenizer_free(Tokenizer *t) {
    if (!t) return;
    spm_free(t->spm);
    hf_tokenizer_free(t->hf);
    free(t->eos_ids);
    free(t->path);
    free(t);
}

TokenizerKind tokenizer_kind(const Tokenizer *t) {
    return t->kind;
}

const char *tokenizer_kind_name(const Tokenizer *t) {
    switch (t->kind) {
    case TOKENIZER_SENTENCEPIECE:
        return "sentencepiece";
    case TOKENIZER_BPE:
        return "bpe";
    default:
        return "wordpiece";
    }
}

const char *tokenizer_path(const Tokenizer *t) {
    return t->path;
}

/* SentencePiece on NUL-terminated text, BOS first when asked for. */
static int spm_encode_special(const Tokenizer *t, const char *text, int add_special, int **ids) {
    int *body;
    int count = spm_encode(t->spm, text, 0, &body);
    int bos = add_special && t->add_bos ? t->bos.id : -1;
    if (bos < 0) {
        *ids = body;
        return count;
    }
    int *out = xmalloc(((size_t)count + 1) * sizeof *out);
    out[0] = bos;
    memcpy(out + 1, body, (size_t)count * sizeof *out);
    free(body);
    *ids = out;
    return count + 1;
}

int tokenizer_encode_n(const Tokenizer *t, const char *text, size_t n, int add_special, int **ids) {
    if (t->hf) return hf_tokenizer_encode(t->hf, text, n, add_special, ids);
    char *copy = xmalloc(n + 1); /* sentencepiece reads NUL-terminated text */
    memcpy(copy, text, n);
    copy[n] = '\0';
    int count = spm_encode_special(t, copy, add_special, ids);
    free(copy);
    return count;
}

int tokenizer_encode(const Tokenizer *t, const char *text, int add_special, int **ids) {
    if (t->hf) return hf_tokenizer_encode(t->hf, text, strlen(text), add_special, ids);
    return spm_encode_special(t, text, add_special, ids);
}

int tokenizer_encode_sequence(const Tokenizer *t, const char *text, int **ids) {
    int *body;
    int n = tokenizer_encode(t, text, 0, &body);
    int prefix = tokenizer_prefix(t);
    if (prefix < 0) {
        *ids = body;
        return n;
    }
    int *out = xmalloc(((size_t)n + 1) * sizeof *out);
    out[0] = prefix;
    memcpy(out + 1, body, (size_t)n * sizeof *out);
    free(body);
    *ids = out;
    return n + 1;
}

int tokenizer_encode_pair(const Tokenizer *t, const char *a, const char *b, int **ids,
                          int **type_ids) {
    if (!t->hf)
        die_input("%s: a SentencePiece tokenizer encodes no pairs (--pair needs a tokenizer.json "
                  "or vocab.txt)",
                  t->path);
    return hf_tokenizer_encode_pair(t->hf, a, b, ids, type_ids);
}

char *tokenizer_decode_with(const Tokenizer *t, const int *ids, int n, int clean_up) {
    if (t->hf) return hf_tokenizer_decode(t->hf, ids, n, clean_up);
    return spm_decode(t->spm, ids, n);
}

char *tokenizer_decode(const Tokenizer *t, const int *ids, int n) {
    return tokenizer_decode_with(t, ids, n, t->clean_up);
}

char *tokenizer_decode_piece(const Tokenizer *t, int prev, int id) {
    if (t->spm) return spm_decode_piece(t->spm, prev, id);
    int pair[2] = {prev, id};
    if (prev < 0) return hf_tokenizer_decode(t->hf, &pair[1], 1, 0);
    char *before = hf_tokenizer_decode(t->hf, pair, 1, 0);
    char *both = hf_tokenizer_decode(t->hf, pair, 2, 0);
    size_t n = strlen(before);
    char *out = strncmp(both, before, n) == 0 ? xstrdup(both + n)
                                              : hf_tokenizer_decode(t->hf, &pair[1], 1, 0);
    free(before);
    free(both);
    return out;
}

int tokenizer_vocab_size(const Tokenizer *t) {
    return t->hf ? hf_tokenizer_vocab_size(t->hf) : spm_vocab_size(t->spm);
}

const char *tokenizer_piece(const Tokenizer *t, int id) {
    return t->hf ? hf_tokenizer_token(t->hf, id) : spm_piece(t->spm, id);
}

int tokenizer_piece_to_id(const Tokenizer *t, const char *piece) {
    return t->hf ? hf_tokenizer_token_to_id(t->hf, piece) : spm_piece_to_id(t->spm, piece);
}

int tokenizer_bos(const Tokenizer *t) {
    return t->bos.id;
}

int tokenizer_eos(const Tokenizer *t) {
    return t->eos.id;
}

int tokenizer_pad(const Tokenizer *t) {
    return t->pad.id;
}

int tokenizer_prefix(const Tokenizer *t) {
    return t->bos.id >= 0 ? t->bos.id : t->eos.id;
}

const int *tokenizer_eos_ids(const Tokenizer *t, int *n) {
    *n = t->n_eos;
    return t->eos_ids;
}

int tokenizer_is_eos(const Tokenizer *t, int id) {
    for (int i = 0; i < t->n_eos; i++)
        if (t->eos_ids[i] == id) return 1;
    return 0;
}

int tokenizer_clean_up(const Tokenizer *t) {
    return t->clean_up;
}

void tokenizer_add_eos_id(Tokenizer *t, int id) {
    if (id < 0 || tokenizer_is_eos(t, id)) return;
    t->eos_ids = xrealloc(t->eos_ids, ((size_t)t->n_eos + 1) * sizeof *t->eos_ids);
    t->eos_ids[t->n_eos++] = id;
}

void tokenizer_set_default_specials(Tokenizer *t, int bos, int eos, int pad) {
    if (bos >= 0 && !t->bos.given && t->bos.id < 0) t->bos.id = bos;
    if (eos >= 0 && !t->eos.given && t->eos.id < 0) {
        t->eos.id = eos;
        tokenizer_add_eos_id(t, eos);
    }
    if (pad >= 0 && !t->pad.given && t->pad.id < 0) t->pad.id = pad;
}
