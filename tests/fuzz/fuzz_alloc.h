/* fuzz_alloc.h: what a parser allocated before it died through the error jump,
 * freed by the harness, so that failed inputs leak nothing and leak checking
 * stays on for the inputs that parse.
 *
 * A harness calls fuzz_alloc_track() before the parser, then either
 * fuzz_alloc_keep() when it returned (what is still live belongs to the
 * harness, which frees it; a block it forgets is a leak LeakSanitizer
 * reports) or fuzz_alloc_free_leftovers() after the longjmp (every block
 * allocated since fuzz_alloc_track() and still live is freed). Only the
 * calling thread's allocations are tracked. */
#ifndef PAINTERS_FUZZ_ALLOC_H
#define PAINTERS_FUZZ_ALLOC_H

void fuzz_alloc_track(void);
void fuzz_alloc_keep(void);
void fuzz_alloc_free_leftovers(void);

#endif
