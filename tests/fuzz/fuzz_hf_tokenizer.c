/* fuzz_hf_tokenizer.c: hf_tokenizer_load_bytes on the input as a
 * tokenizer.json; a tokenizer that loads encodes a fixed text (with and
 * without special tokens, and as a pair), decodes the ids back with and
 * without clean-up, decodes ids at the edges of its range, and answers the
 * accessors. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fuzz_alloc.h"
#include "text/hf_tokenizer.h"

/* Spaces of several kinds, digits, punctuation and contractions, accents
 * composed and not, CJK, an emoji, added-token look-alikes. */
static const char SAMPLE[] =
    "  Hello, world!  x=42\tcaf\xc3\xa9 cafe\xcc\x81 \xe6\x97\xa5\xe6\x9c\xac"
    " \xf0\x9f\x8e\xa8 don't <|end|> <x> [CLS]un\xe2\x80\x83"
    "affable\r\n\n 12345 ...end ";

static jmp_buf on_error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        HfTokenizer *t = hf_tokenizer_load_bytes("<fuzz>", (const char *)data, size); /* owned */
        int *ids = NULL, *types = NULL; /* owned here */
        int n = hf_tokenizer_encode(t, SAMPLE, sizeof SAMPLE - 1, 0, &ids);
        free(hf_tokenizer_decode(t, ids, n, 0));
        free(hf_tokenizer_decode(t, ids, n, 1));
        free(ids);
        n = hf_tokenizer_encode(t, SAMPLE, sizeof SAMPLE - 1, 1, &ids);
        free(ids);
        n = hf_tokenizer_encode_pair(t, SAMPLE, "pair, second", &ids, &types);
        free(ids);
        free(types);
        int v = hf_tokenizer_vocab_size(t);
        int edge[6] = {-1, 0, 1, v / 2, v - 1, v};
        free(hf_tokenizer_decode(t, edge, 6, 1));
        for (int i = 0; i < 6; i++) {
            const char *tok = hf_tokenizer_token(t, edge[i]);
            if (tok) hf_tokenizer_token_to_id(t, tok);
            hf_tokenizer_is_special(t, edge[i]);
        }
        hf_tokenizer_first_special(t);
        hf_tokenizer_free(t);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
