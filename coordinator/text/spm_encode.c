/* spm_encode.c: see spm.h (spm_encode).
 *
 * Encoding is sentencepiece's pipeline, step for step, because ids must match
 * it exactly:
 *   normalize_text   identity rule: ' ' -> U+2581, dummy prefix, invalid UTF-8
 *                    bytes -> U+FFFD, optional removal of extra whitespace
 *   split_symbols    one symbol per UTF-8 character; user-defined pieces are
 *                    matched first (longest) and never merged
 *   merge_symbols    repeatedly merge the adjacent pair whose concatenation is
 *                    the highest-scoring piece (ties: leftmost), with a heap of
 *                    candidate pairs and a linked list of symbols: O(n log n)
 *   emit_symbols     unused pieces split back into what formed them, unknown
 *                    symbols -> <0xNN> byte pieces (byte fallback) or one <unk>
 */
#include "text/spm.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/text_buf.h"
#include "text/utf8.h"

static void append_whitespace(const SpmModel *t, TextBuf *out) {
    if (t->escape_whitespaces)
        text_buf_append(out, SPACE_SYMBOL, SPACE_SYMBOL_LEN);
    else
        text_buf_append(out, " ", 1);
}

/* The next unit of input as the normalizer reads it: a user-defined piece, a
 * valid UTF-8 character, or one invalid byte read as U+FFFD. Sets *unit and
 * *unit_len to its normalized text; returns the input bytes it covers. */
static size_t next_input_unit(const SpmModel *t, const char *s, size_t n, const char **unit,
                              size_t *unit_len) {
    size_t len = piece_user_defined_prefix_len(t, s, n);
    if (len == 0) len = utf8_valid_char_len((const unsigned char *)s, n);
    if (len == 0) {
        *unit = REPLACEMENT_CHAR;
        *unit_len = REPLACEMENT_CHAR_LEN;
        return 1;
    }
    *unit = s;
    *unit_len = len;
    return len;
}

/* Returns the bytes of text[0..n) after leading spaces when the model removes
 * extra whitespace, else 0. */
static size_t skip_leading_spaces(const SpmModel *t, const char *text, size_t n) {
    size_t pos = 0;
    while (t->remove_extra_whitespaces && pos < n) {
        const char *unit;
        size_t unit_len;
        size_t used = next_input_unit(t, text + pos, n - pos, &unit, &unit_len);
        if (unit_len != 1 || unit[0] != ' ') break;
        pos += used;
    }
    return pos;
}

/* Sentencepiece's normalizer with the identity rule. Empty text (or only
 * removed spaces) normalizes to "" with no dummy prefix. Caller frees. */
static char *normalize_text(const SpmModel *t, const char *text, size_t n, size_t *out_len) {
    TextBuf out = {0};
    size_t pos = skip_leading_spaces(t, text, n);
    if (pos < n) {
        /* Each input byte yields at most 3 output bytes, plus two U+2581. */
        text_buf_reserve(&out, add_size_checked(mul_size_checked(n - pos, 3, "text"), 6, "text"));
        if (!t->whitespace_as_suffix && t->add_dummy_prefix) append_whitespace(t, &out);
        int is_prev_space = t->remove_extra_whitespaces;
        while (pos < n) {
            const char *unit;
            size_t unit_len;
            pos += next_input_unit(t, text + pos, n - pos, &unit, &unit_len);
            while (is_prev_space && unit_len > 0 && unit[0] == ' ')
                unit++, unit_len--;
            if (unit_len > 0) {
                for (size_t i = 0; i < unit_len; i++) {
                    if (t->escape_whitespaces && unit[i] == ' ')
                        text_buf_append(&out, SPACE_SYMBOL, SPACE_SYMBOL_LEN);
                    else
                        text_buf_append(&out, unit + i, 1);
                }
                is_prev_space = unit[unit_len - 1] == ' ';
            }
            if (!t->remove_extra_whitespaces) is_prev_space = 0;
        }
        if (t->remove_extra_whitespaces) {
            const char *ws = t->escape_whitespaces ? SPACE_SYMBOL : " ";
            size_t ws_len = t->escape_whitespaces ? SPACE_SYMBOL_LEN : 1;
            while (text_buf_ends_with(&out, ws, ws_len))
                out.len -= ws_len;
        }
        if (t->whitespace_as_suffix && t->add_dummy_prefix) append_whitespace(t, &out);
    }
    *out_len = out.len;
    return text_buf_take(&out);
}

typedef struct {
    size_t start, len; /* bytes of the normalized text; len 0 once merged away */
    int prev, next;    /* neighbours in the list, -1 at either end */
    int frozen;        /* a user-defined piece: never merged */
} Symbol;

typedef struct {
    Symbol *items;
    int n;
} SymbolList;

/* A merge that was possible when pushed; stale once either side changed. */
typedef struct {
    float score;
    int left, right;
    size_t len; /* bytes of the merged piece */
} PairCandidate;

typedef struct {
    PairCandidate *items;
    size_t n, cap;
} PairHeap;

/* For an unused piece that a merge formed: the two halves it was formed from
 * (the right half starts where the left ends). */
typedef struct {
    size_t left_start, left_len, right_len;
    int set;
} UnusedSplit;

/* Higher score first; equal scores: leftmost first. */
static int pair_before(const PairCandidate *a, const PairCandidate *b) {
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

static void heap_push(PairHeap *h, PairCandidate c) {
    if (h->n == h->cap) {
        h->cap = h->cap ? mul_size_checked(h->cap, 2, "merge heap") : 256;
        h->items = xrealloc(h->items, mul_size_checked(h->cap, sizeof *h->items, "merge heap"));
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!pair_before(&c, &h->items[parent])) break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = c;
}

/* Removes and returns the best candidate; the heap must not be empty. */
static PairCandidate heap_pop(PairHeap *h) {
    PairCandidate top = h->items[0];
    PairCandidate last = h->items[--h->n];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->n) break;
        if (child + 1 < h->n && pair_before(&h->items[child + 1], &h->items[child])) child++;
        if (!pair_before(&h->items[child], &last)) break;
        h->items[i] = h->items[child];
        i = child;
    }
    if (h->n > 0) h->items[i] = last;
    return top;
}

/* One symbol per character of the normalized text, user-defined pieces
 * first. Caller frees list->items. */
static SymbolList split_symbols(const SpmModel *t, const char *norm, size_t norm_len) {
    SymbolList list = {
        xmalloc(mul_size_checked(norm_len ? norm_len : 1, sizeof(Symbol), "symbols")), 0};
    size_t pos = 0;
    while (pos < norm_len) {
        size_t len = piece_user_defined_prefix_len(t, norm + pos, norm_len - pos);
        int frozen = len > 0;
        if (!frozen) len = utf8_lead_char_len((unsigned char)norm[pos], norm_len - pos);
        int i = list.n++;
        list.items[i] = (Symbol){.start = pos, .len = len, .prev = i - 1, .frozen = frozen};
        pos += len;
        list.items[i].next = pos < norm_len ? i + 1 : -1;
    }
    return list;
}

/* Queues the merge of symbols left and right when their concatenation is a
 * piece, noting how an unused piece was formed. */
static void push_pair_if_piece(const SpmModel *t, const char *norm, const SymbolList *list,
                               PairHeap *heap, UnusedSplit *splits, int left, int right) {
    if (left < 0 || right < 0) return;
    const Symbol *l = &list->items[left], *r = &list->items[right];
    if (l->frozen || r->frozen) return;
    size_t len = l->len + r->len;
    if (len > t->max_normal_len) return;
    int id = piece_map_find(t, &t->normal, norm + l->start, len);
    if (id < 0) return;
    heap_push(heap,
              (PairCandidate){.score = t->score[id], .left = left, .right = right, .len = len});
    if (splits && t->type[id] == PIECE_UNUSED)
        splits[id] = (UnusedSplit){
            .left_start = l->start, .left_len = l->len, .right_len = r->len, .set = 1};
}

static void merge_symbols(const SpmModel *t, const char *norm, SymbolList *list,
                          UnusedSplit *splits) {
    PairHeap heap = {0};
    for (int i = 1; i < list->n; i++)
        push_pair_if_piece(t, norm, list, &heap, splits, i - 1, i);
    while (heap.n > 0) {
        PairCandidate top = heap_pop(&heap);
        Symbol *l = &list->items[top.left], *r = &list->items[top.right];
        if (l->len == 0 || r->len == 0 || l->len + r->len != top.len) continue;
        l->len += r->len;
        l->next = r->next;
        if (r->next >= 0) list->items[r->next].prev = top.left;
        r->len = 0;
        push_pair_if_piece(t, norm, list, &heap, splits, l->prev, top.left);
        push_pair_if_piece(t, norm, list, &heap, splits, top.left, l->next);
    }
    free(heap.items);
}

typedef struct {
    int *ids;
    int n;
    int prev_unknown; /* the last piece emitted was <unk> */
} IdSink;

/* Emits the piece s[0..len) whose id is id, as sentencepiece turns its segments
 * into ids: unknown text becomes byte pieces with byte fallback, and a run of
 * unknown segments becomes one <unk> without it. */
static void emit_piece(const SpmModel *t, const char *s, size_t len, int id, IdSink *sink) {
    int is_unknown = t->type[id] == PIECE_UNKNOWN;
    if (is_unknown && t->byte_fallback) {
        for (size_t i = 0; i < len; i++)
            sink->ids[sink->n++] = t->byte_piece[(unsigned char)s[i]];
    } else if (!(is_unknown && sink->prev_unknown)) {
        sink->ids[sink->n++] = id;
    }
    sink->prev_unknown = is_unknown;
}

typedef struct {
    size_t start, len;
} Span;

/* Emits one merged symbol, splitting unused pieces back into the halves that
 * formed them (depth-first, left half first). stack is scratch space that
 * grows as needed; the caller frees it. */
static void emit_symbol(const SpmModel *t, const char *norm, const Symbol *sym,
                        const UnusedSplit *splits, Span **stack, size_t *stack_cap, IdSink *sink) {
    size_t depth = 0;
    (*stack)[depth++] = (Span){sym->start, sym->len};
    while (depth > 0) {
        Span s = (*stack)[--depth];
        int id = piece_lookup_id(t, norm + s.start, s.len);
        if (!splits || t->type[id] != PIECE_UNUSED || !splits[id].set) {
            emit_piece(t, norm + s.start, s.len, id, sink);
            continue;
        }
        const UnusedSplit *u = &splits[id];
        if (depth + 2 > *stack_cap) {
            *stack_cap = mul_size_checked(*stack_cap, 2, "split stack");
            *stack = xrealloc(*stack, mul_size_checked(*stack_cap, sizeof **stack, "split stack"));
        }
        (*stack)[depth++] = (Span){u->left_start + u->left_len, u->right_len};
        (*stack)[depth++] = (Span){u->left_start, u->left_len};
    }
}

static void emit_symbols(const SpmModel *t, const char *norm, const SymbolList *list,
                         const UnusedSplit *splits, IdSink *sink) {
    size_t stack_cap = 16;
    Span *stack = xmalloc(stack_cap * sizeof *stack);
    for (int i = list->n > 0 ? 0 : -1; i >= 0; i = list->items[i].next)
        emit_symbol(t, norm, &list->items[i], splits, &stack, &stack_cap, sink);
    free(stack);
}

int spm_encode(const SpmModel *t, const char *text, int add_bos, int **ids) {
    size_t norm_len = 0;
    char *norm = normalize_text(t, text, strlen(text), &norm_len);
    /* Every piece covers at least one byte, so norm_len + 1 ids always fit. */
    if (norm_len >= (size_t)INT_MAX - 1)
        die_input("tokenizer: text of %zu bytes is too long to encode", strlen(text));
    SymbolList list = split_symbols(t, norm, norm_len);
    UnusedSplit *splits = t->has_unused ? xcalloc((size_t)t->n_pieces, sizeof *splits) : NULL;
    merge_symbols(t, norm, &list, splits);
    IdSink sink = {xmalloc((norm_len + 1) * sizeof(int)), 0, 0};
    if (add_bos && t->bos >= 0) sink.ids[sink.n++] = t->bos;
    emit_symbols(t, norm, &list, splits, &sink);
    free(splits);
    free(list.items);
    free(norm);
    *ids = sink.ids;
    return sink.n;
}
