/* hf_added.c: see hf_internal.h (the added tokens' trie and the split of a
 * text by them: leftmost-longest matches, then single_word, lstrip and
 * rstrip as the reference's added vocabulary applies them). */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/util.h"
#include "text/hf_internal.h"
#include "text/utf8.h"

static int trie_new_node(HfTrie *trie, unsigned char byte) {
    if (trie->n == trie->cap) {
        trie->cap = trie->cap ? trie->cap * 2 : 64;
        trie->nodes = xrealloc(trie->nodes, (size_t)trie->cap * sizeof *trie->nodes);
    }
    HfTrieNode *node = &trie->nodes[trie->n];
    node->child = node->sibling = node->added = -1;
    node->byte = byte;
    return trie->n++;
}

void hf_trie_add(HfTrie *trie, const char *s, size_t n, int added) {
    if (n == 0) return;
    if (trie->n == 0) trie_new_node(trie, 0);
    int node = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        int c = trie->nodes[node].child;
        while (c >= 0 && trie->nodes[c].byte != b)
            c = trie->nodes[c].sibling;
        if (c < 0) {
            c = trie_new_node(trie, b);
            trie->nodes[c].sibling = trie->nodes[node].child;
            trie->nodes[node].child = c;
        }
        node = c;
    }
    if (trie->nodes[node].added < 0) trie->nodes[node].added = added;
    trie->first[(unsigned char)s[0]] = 1;
}

void hf_trie_free(HfTrie *trie) {
    free(trie->nodes);
    memset(trie, 0, sizeof *trie);
}

/* The longest token starting at text[i] (its index; *len its bytes), or -1. */
static int trie_longest(const HfTrie *trie, const char *text, size_t n, size_t i, size_t *len) {
    int node = 0, best = -1;
    for (size_t j = i; j < n; j++) {
        unsigned char b = (unsigned char)text[j];
        int c = trie->nodes[node].child;
        while (c >= 0 && trie->nodes[c].byte != b)
            c = trie->nodes[c].sibling;
        if (c < 0) break;
        node = c;
        if (trie->nodes[node].added >= 0) {
            best = trie->nodes[node].added;
            *len = j + 1 - i;
        }
    }
    return best;
}

/* The code point of the character at text[i] (valid UTF-8). */
static int32_t char_at(const char *text, size_t n, size_t i) {
    utf8proc_int32_t cp = -1;
    utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(n - i), &cp);
    return cp;
}

/* The start of the character that ends at text[i] (i > 0). */
static size_t char_before(const char *text, size_t i) {
    do
        i--;
    while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80);
    return i;
}

static void push_segment(HfSegment **segs, size_t *n_segs, size_t *cap_segs, size_t start,
                         size_t len, int added) {
    if (len == 0) return;
    if (*n_segs == *cap_segs) {
        *cap_segs = *cap_segs ? mul_size_checked(*cap_segs, 2, "text segments") : 16;
        *segs = xrealloc(*segs, mul_size_checked(*cap_segs, sizeof **segs, "text segments"));
    }
    (*segs)[(*n_segs)++] = (HfSegment){start, len, added};
}

void hf_added_split(const HfTokenizer *t, const HfTrie *trie, const char *text, size_t n,
                    HfSegment **segs, size_t *n_segs, size_t *cap_segs) {
    size_t done = 0, pos = 0; /* text before done is in segments; matching resumes at pos */
    while (trie->n && pos < n) {
        size_t start = pos, len = 0;
        int found = -1;
        for (; start < n; start++)
            if (trie->first[(unsigned char)text[start]] &&
                (found = trie_longest(trie, text, n, start, &len)) >= 0)
                break;
        if (found < 0) break;
        size_t stop = start + len;
        pos = stop;
        const HfAdded *a = &t->added[found];
        if (a->single_word) {
            int word_before =
                start > 0 && hf_is_word_char(char_at(text, n, char_before(text, start)));
            int word_after = stop < n && hf_is_word_char(char_at(text, n, stop));
            if (word_before || word_after) continue;
        }
        if (a->lstrip) {
            while (start > done) {
                size_t b = char_before(text, start);
                if (!hf_is_white_space(char_at(text, n, b))) break;
                start = b;
            }
        }
        if (a->rstrip) {
            while (stop < n) {
                if (!hf_is_white_space(char_at(text, n, stop))) break;
                stop += utf8_lead_char_len((unsigned char)text[stop], n - stop);
            }
            pos = stop;
        }
        push_segment(segs, n_segs, cap_segs, done, start - done, -1);
        push_segment(segs, n_segs, cap_segs, start, stop - start, found);
        done = stop;
    }
    push_segment(segs, n_segs, cap_segs, done, n - done, -1);
}
