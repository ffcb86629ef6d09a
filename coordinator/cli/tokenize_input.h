/* tokenize_input.h: `painters tokenize --input FILE`: one JSON string a line
 * in, one JSON array of ids a line out, in order, and the speed on stderr.
 *
 *   tokenize_input_file(tok, "texts.jsonl", 0);
 *   // "Hello world"  ->  [9906,1917]
 */
#ifndef PAINTERS_TOKENIZE_INPUT_H
#define PAINTERS_TOKENIZE_INPUT_H

#include "text/tokenizer.h"

/* Encodes every line of path (each a JSON string; a file may end with one
 * newline) with add_special, printing each one's ids to stdout as a JSON
 * array on a line of its own, then on stderr a line with the lines, tokens,
 * seconds, tokens/s and MB/s (text bytes) of the encoding alone. A line that
 * is not a JSON string (or holds U+0000 or invalid UTF-8) is die_input
 * naming FILE:LINE. */
void tokenize_input_file(const Tokenizer *tok, const char *path, int add_special);

#endif
