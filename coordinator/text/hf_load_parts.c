/* hf_load_parts.c: see hf_load.h (tokenizer.json's normalizer,
 * pre_tokenizer with its regexes compiled by PCRE2, post_processor and
 * decoder). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/hf_load.h"

/* The pre-tokenizer of GPT-2 that ByteLevel's use_regex means. */
static const char GPT2_PATTERN[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

HfNorm *hf_add_norm(HfTokenizer *t, HfNormKind kind) {
    t->norms = xrealloc(t->norms, (size_t)(t->n_norms + 1) * sizeof *t->norms);
    HfNorm *n = &t->norms[t->n_norms++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    return n;
}

HfPre *hf_add_pre(HfTokenizer *t, HfPreKind kind) {
    t->pres = xrealloc(t->pres, (size_t)(t->n_pres + 1) * sizeof *t->pres);
    HfPre *p = &t->pres[t->n_pres++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    return p;
}

/* Elements of a Sequence's array member key, each read by fn. */
static void read_sequence(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p,
                          const char *key,
                          void (*fn)(HfTokenizer *, const char *, const cJSON *, const HfPath *)) {
    HfPath ap = hf_path_key(p, key);
    const cJSON *arr = hf_json_array(src, hf_json_need(src, v, p, key), &ap);
    int i = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        HfPath ep = hf_path_index(&ap, i);
        hf_json_object(src, e, &ep);
        fn(t, src, e, &ep);
    }
}

static _Noreturn void unknown_type(const char *src, const HfPath *p, const char *what,
                                   const char *type, const char *known) {
    HfPath tp = hf_path_key(p, "type");
    hf_json_die(src, &tp, "unknown %s type \"%.40s\" (supported: %s)", what, type, known);
}

void hf_read_normalizer(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p) {
    if (!v) return;
    hf_json_object(src, v, p);
    const char *type = hf_json_type(src, v, p);
    static const char *const unicode[] = {"NFC", "NFD", "NFKC", "NFKD"};
    for (int k = 0; k < 4; k++)
        if (strcmp(type, unicode[k]) == 0) {
            hf_add_norm(t, (HfNormKind)(HF_NORM_NFC + k));
            return;
        }
    if (strcmp(type, "Lowercase") == 0) {
        hf_add_norm(t, HF_NORM_LOWERCASE);
    } else if (strcmp(type, "Sequence") == 0) {
        read_sequence(t, src, v, p, "normalizers", hf_read_normalizer);
    } else if (strcmp(type, "BertNormalizer") == 0) {
        HfNorm *n = hf_add_norm(t, HF_NORM_BERT);
        n->bert.clean_text = hf_json_opt_bool(src, v, p, "clean_text", 1);
        n->bert.handle_chinese_chars = hf_json_opt_bool(src, v, p, "handle_chinese_chars", 1);
        n->bert.lowercase = hf_json_opt_bool(src, v, p, "lowercase", 1);
        n->bert.strip_accents = hf_json_opt_bool(src, v, p, "strip_accents", -1);
    } else {
        unknown_type(src, p, "normalizer", type,
                     "NFC, NFD, NFKC, NFKD, Lowercase, BertNormalizer, Sequence");
    }
}

/* The pattern with \s and \S as Unicode's White_Space, as Oniguruma (the
 * reference's regex engine) reads them; PCRE2's own \s also takes U+180E.
 * Everything else (escaped backslashes, \Q...\E) stays as written. Needs
 * PCRE2 10.40 for \p{White_Space}; older versions keep the pattern. */
static char *white_space_escapes(const char *re) {
#if PCRE2_MAJOR > 10 || (PCRE2_MAJOR == 10 && PCRE2_MINOR >= 40)
    TextBuf b = {0};
    text_buf_reserve(&b, strlen(re));
    for (size_t i = 0; re[i];) {
        if (re[i] != '\\' || !re[i + 1]) {
            text_buf_append(&b, re + i++, 1);
        } else if (re[i + 1] == 's' || re[i + 1] == 'S') {
            text_buf_append(&b, re[i + 1] == 's' ? "\\p{White_Space}" : "\\P{White_Space}", 15);
            i += 2;
        } else if (re[i + 1] == 'Q') {
            const char *end = strstr(re + i + 2, "\\E");
            size_t len = end ? (size_t)(end + 2 - (re + i)) : strlen(re + i);
            text_buf_append(&b, re + i, len);
            i += len;
        } else {
            text_buf_append(&b, re + i, 2);
            i += 2;
        }
    }
    return text_buf_take(&b);
#else
    return xstrdup(re);
#endif
}

/* Compiles a pattern (UTF, UCP; literal when literal), dying with PCRE2's
 * message and offset when it refuses it; JIT where available. */
static pcre2_code *compile_regex(const char *src, const HfPath *p, const char *pattern,
                                 int literal) {
    uint32_t opts = PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
    int err;
    PCRE2_SIZE at;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &err, &at, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        hf_json_die(src, p, "PCRE2 rejects the regex at offset %zu: %s", (size_t)at,
                    (const char *)msg);
    }
    if (!literal) {
        char *ws = white_space_escapes(pattern);
        if (strcmp(ws, pattern) != 0) {
            pcre2_code *re2 =
                pcre2_compile((PCRE2_SPTR)ws, PCRE2_ZERO_TERMINATED, opts, &err, &at, NULL);
            if (re2) {
                pcre2_code_free(re);
                re = re2;
            }
        }
        free(ws);
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter serves where JIT cannot */
    return re;
}

static void read_split(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p) {
    HfPre *s = hf_add_pre(t, HF_PRE_SPLIT);
    s->where = hf_path_string(p);
    HfPath pp = hf_path_key(p, "pattern");
    const cJSON *pat = hf_json_object(src, hf_json_need(src, v, p, "pattern"), &pp);
    const cJSON *rx = hf_json_get(pat, "Regex"), *str = hf_json_get(pat, "String");
    if (!!rx == !!str) hf_json_die(src, &pp, "expected {\"Regex\": ...} or {\"String\": ...}");
    HfPath kp = hf_path_key(&pp, rx ? "Regex" : "String");
    const char *text = hf_json_string(src, rx ? rx : str, &kp);
    /* An empty string splits nothing off: a regex that never matches. */
    s->re = compile_regex(src, &kp, str && !*text ? "(*FAIL)" : text, str && *text);
    static const char *const behaviors[] = {"Isolated", "Removed", "MergedWithPrevious",
                                            "MergedWithNext", "Contiguous"};
    HfPath bp = hf_path_key(p, "behavior");
    const char *b = hf_json_string(src, hf_json_need(src, v, p, "behavior"), &bp);
    int k = 0;
    while (k < 5 && strcmp(b, behaviors[k]) != 0)
        k++;
    if (k == 5)
        hf_json_die(src, &bp,
                    "unknown behavior \"%.40s\" (Isolated, Removed, MergedWithPrevious, "
                    "MergedWithNext, Contiguous)",
                    b);
    s->behavior = (HfSplitBehavior)k;
    s->invert = hf_json_opt_bool(src, v, p, "invert", 0);
}

void hf_read_pre_tokenizer(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p) {
    if (!v) return;
    hf_json_object(src, v, p);
    const char *type = hf_json_type(src, v, p);
    if (strcmp(type, "Sequence") == 0) {
        read_sequence(t, src, v, p, "pretokenizers", hf_read_pre_tokenizer);
    } else if (strcmp(type, "Split") == 0) {
        read_split(t, src, v, p);
    } else if (strcmp(type, "ByteLevel") == 0) {
        HfPre *s = hf_add_pre(t, HF_PRE_BYTE_LEVEL);
        s->where = hf_path_string(p);
        s->add_prefix_space = hf_json_opt_bool(src, v, p, "add_prefix_space", 1);
        hf_json_opt_bool(src, v, p, "trim_offsets", 1); /* offsets only: checked, unused */
        if (hf_json_opt_bool(src, v, p, "use_regex", 1))
            s->re = compile_regex(src, p, GPT2_PATTERN, 0);
    } else if (strcmp(type, "BertPreTokenizer") == 0) {
        hf_add_pre(t, HF_PRE_BERT)->where = hf_path_string(p);
    } else {
        unknown_type(src, p, "pre-tokenizer", type, "Split, ByteLevel, BertPreTokenizer, Sequence");
    }
}

/* A token id in [0, t->n_ids). */
static int read_token_id(const HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p) {
    return hf_json_int(src, v, p, 0, t->n_ids - 1);
}

static void read_template(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p,
                          const char *key, HfTemplatePiece **out, int *n_out) {
    HfPath ap = hf_path_key(p, key);
    const cJSON *arr = hf_json_need(src, v, p, key);
    if (cJSON_IsString(arr))
        hf_json_die(src, &ap,
                    "a template written as a string is not supported (only the list "
                    "of pieces tokenizer.json files hold)");
    hf_json_array(src, arr, &ap);
    HfPath sp = hf_path_key(p, "special_tokens");
    const cJSON *specials = hf_json_get(v, "special_tokens");
    int n = cJSON_GetArraySize(arr), i = 0;
    *out = xcalloc((size_t)(n ? n : 1), sizeof **out);
    *n_out = n;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        HfPath ep = hf_path_index(&ap, i);
        hf_json_object(src, e, &ep);
        const cJSON *sp_tok = hf_json_get(e, "SpecialToken"), *seq = hf_json_get(e, "Sequence");
        if (!!sp_tok == !!seq)
            hf_json_die(src, &ep, "expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
        HfPath kp = hf_path_key(&ep, sp_tok ? "SpecialToken" : "Sequence");
        const cJSON *body = hf_json_object(src, sp_tok ? sp_tok : seq, &kp);
        HfPath ip = hf_path_key(&kp, "id"), tp = hf_path_key(&kp, "type_id");
        const char *id = hf_json_string(src, hf_json_need(src, body, &kp, "id"), &ip);
        const cJSON *type_id = hf_json_get(body, "type_id");
        HfTemplatePiece *piece = &(*out)[i];
        piece->type_id = type_id ? hf_json_int(src, type_id, &tp, 0, INT_MAX) : 0;
        if (seq) {
            if (strcmp(id, "A") != 0 && strcmp(id, "B") != 0)
                hf_json_die(src, &ip, "a sequence is \"A\" or \"B\", not \"%.40s\"", id);
            piece->kind = id[0] == 'A' ? HF_PIECE_A : HF_PIECE_B;
            if (piece->kind == HF_PIECE_B && strcmp(key, "single") == 0)
                hf_json_die(src, &ip, "the single template cannot use sequence B");
            continue;
        }
        piece->kind = HF_PIECE_SPECIAL;
        const cJSON *entry = hf_json_get(specials, id);
        if (!entry) hf_json_die(src, &ip, "\"%.40s\" is not in post_processor.special_tokens", id);
        HfPath enp = hf_path_key(&sp, id), idsp = hf_path_key(&enp, "ids");
        hf_json_object(src, entry, &enp);
        const cJSON *ids = hf_json_array(src, hf_json_need(src, entry, &enp, "ids"), &idsp);
        const cJSON *toks = hf_json_get(entry, "tokens");
        if (toks && cJSON_GetArraySize(toks) != cJSON_GetArraySize(ids))
            hf_json_die(src, &enp, "\"ids\" and \"tokens\" differ in length");
        piece->n_ids = cJSON_GetArraySize(ids);
        piece->ids = xmalloc((size_t)(piece->n_ids ? piece->n_ids : 1) * sizeof(int));
        int k = 0;
        for (const cJSON *x = ids->child; x; x = x->next, k++) {
            HfPath xp = hf_path_index(&idsp, k);
            piece->ids[k] = read_token_id(t, src, x, &xp);
        }
    }
}

static void free_template(HfTemplatePiece *pieces, int n) {
    for (int i = 0; i < n; i++)
        free(pieces[i].ids);
    free(pieces);
}

static HfTemplatePiece special_piece(int id, int type_id) {
    HfTemplatePiece p = {HF_PIECE_SPECIAL, type_id, xmalloc(sizeof(int)), 1};
    p.ids[0] = id;
    return p;
}

static void set_template(HfTokenizer *t, const HfTemplatePiece *single, int n_single,
                         const HfTemplatePiece *pair, int n_pair) {
    t->post.has_template = 1;
    t->post.single = xmalloc((size_t)(n_single ? n_single : 1) * sizeof *single);
    memcpy(t->post.single, single, (size_t)n_single * sizeof *single);
    t->post.n_single = n_single;
    t->post.pair = xmalloc((size_t)(n_pair ? n_pair : 1) * sizeof *pair);
    memcpy(t->post.pair, pair, (size_t)n_pair * sizeof *pair);
    t->post.n_pair = n_pair;
}

void hf_set_bert_template(HfTokenizer *t, int cls, int sep) {
    HfTemplatePiece single[3] = {
        special_piece(cls, 0), {HF_PIECE_A, 0, NULL, 0}, special_piece(sep, 0)};
    HfTemplatePiece pair[5] = {special_piece(cls, 0),
                               {HF_PIECE_A, 0, NULL, 0},
                               special_piece(sep, 0),
                               {HF_PIECE_B, 1, NULL, 0},
                               special_piece(sep, 1)};
    set_template(t, single, 3, pair, 5);
}

/* BertProcessing's and RobertaProcessing's "cls" / "sep": ["[CLS]", 101]. */
static int read_named_id(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p,
                         const char *key) {
    HfPath kp = hf_path_key(p, key), ip = hf_path_index(&kp, 1);
    const cJSON *pair = hf_json_array(src, hf_json_need(src, v, p, key), &kp);
    if (cJSON_GetArraySize(pair) != 2) hf_json_die(src, &kp, "expected [token, id]");
    HfPath sp = hf_path_index(&kp, 0);
    hf_json_string(src, cJSON_GetArrayItem(pair, 0), &sp);
    return read_token_id(t, src, cJSON_GetArrayItem(pair, 1), &ip);
}

void hf_read_post_processor(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p) {
    if (!v) return;
    hf_json_object(src, v, p);
    const char *type = hf_json_type(src, v, p);
    int adds = strcmp(type, "TemplateProcessing") == 0 || strcmp(type, "BertProcessing") == 0 ||
               strcmp(type, "RobertaProcessing") == 0;
    if (adds && t->post.has_template)
        hf_json_die(src, p, "a second post-processor that adds tokens is not supported");
    if (strcmp(type, "Sequence") == 0) {
        read_sequence(t, src, v, p, "processors", hf_read_post_processor);
    } else if (strcmp(type, "ByteLevel") == 0) {
        /* offsets only */
    } else if (strcmp(type, "TemplateProcessing") == 0) {
        HfTemplatePiece *single = NULL, *pair = NULL;
        int n_single = 0, n_pair = 0;
        read_template(t, src, v, p, "single", &single, &n_single);
        read_template(t, src, v, p, "pair", &pair, &n_pair);
        set_template(t, single, n_single, pair, n_pair);
        free(single);
        free(pair);
    } else if (strcmp(type, "BertProcessing") == 0) {
        int cls = read_named_id(t, src, v, p, "cls"), sep = read_named_id(t, src, v, p, "sep");
        hf_set_bert_template(t, cls, sep);
    } else if (strcmp(type, "RobertaProcessing") == 0) {
        int cls = read_named_id(t, src, v, p, "cls"), sep = read_named_id(t, src, v, p, "sep");
        HfTemplatePiece single[3] = {
            special_piece(cls, 0), {HF_PIECE_A, 0, NULL, 0}, special_piece(sep, 0)};
        HfTemplatePiece pair[6] = {special_piece(cls, 0),    {HF_PIECE_A, 0, NULL, 0},
                                   special_piece(sep, 0),    special_piece(sep, 0),
                                   {HF_PIECE_B, 0, NULL, 0}, special_piece(sep, 0)};
        set_template(t, single, 3, pair, 6);
    } else {
        unknown_type(src, p, "post-processor", type,
                     "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence");
    }
}

void hf_free_post(HfPost *post) {
    free_template(post->single, post->n_single);
    free_template(post->pair, post->n_pair);
    memset(post, 0, sizeof *post);
}

void hf_read_decoder(HfTokenizer *t, const char *src, const cJSON *v, const HfPath *p) {
    if (!v) return;
    hf_json_object(src, v, p);
    const char *type = hf_json_type(src, v, p);
    if (strcmp(type, "Sequence") == 0) {
        read_sequence(t, src, v, p, "decoders", hf_read_decoder);
        return;
    }
    if (t->decoder != HF_DEC_NONE)
        hf_json_die(src, p, "a second decoder in a sequence is not supported");
    if (strcmp(type, "ByteLevel") == 0) {
        t->decoder = HF_DEC_BYTE_LEVEL;
    } else if (strcmp(type, "WordPiece") == 0) {
        t->decoder = HF_DEC_WORDPIECE;
        t->dec_prefix = xstrdup(hf_json_opt_string(src, v, p, "prefix", "##"));
        t->dec_cleanup = hf_json_opt_bool(src, v, p, "cleanup", 1);
    } else {
        unknown_type(src, p, "decoder", type, "ByteLevel, WordPiece, Sequence");
    }
}
