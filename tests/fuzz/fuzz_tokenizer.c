/* fuzz_tokenizer.c: spm_load_bytes on the input as a tokenizer.model (the
 * SentencePiece tokenizer behind tokenizer.h);
 * a model that loads encodes a fixed text, decodes the ids back whole and
 * piece by piece. */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_alloc.h"
#include "text/spm.h"
#include "base/util.h"

/* Spaces, digits, punctuation, an accent, CJK, an emoji and a byte that is
 * not UTF-8. */
static const char SAMPLE[] = "  Hello, world!  x=42\tcaf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac "
                             "\xf0\x9f\x8e\xa8 \xff end ";

static jmp_buf on_error;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_alloc_track();
    if (setjmp(on_error) == 0) {
        util_set_error_jump(&on_error);
        SpmModel *t = spm_load_bytes("<fuzz>", data, size); /* owned here */
        int *ids = NULL;                                    /* owned here */
        int n = spm_encode(t, SAMPLE, 1, &ids);
        free(spm_decode(t, ids, n));
        for (int i = 0; i < n; i++)
            free(spm_decode_piece(t, i ? ids[i - 1] : -1, ids[i]));
        free(ids);
        spm_free(t);
        fuzz_alloc_keep();
    } else {
        fuzz_alloc_free_leftovers();
    }
    util_set_error_jump(NULL);
    return 0;
}
