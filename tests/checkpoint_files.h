/* checkpoint_files.h: the files test_checkpoint writes in a temporary
 * folder of its own: tiny Llama models (D 8, 2 heads of 4, V 16, 2 layers),
 * hand-made safetensors and copies of the shared fixtures. */
#ifndef PAINTERS_CHECKPOINT_FILES_H
#define PAINTERS_CHECKPOINT_FILES_H

#include <stddef.h>

/* ../shared, as ckfile_init() was given it. */
extern const char *ckfile_shared;

/* Creates the temporary folder ($TMPDIR or /tmp); remembers shared. */
void ckfile_init(const char *shared);
/* Removes the temporary folder and all in it. */
void ckfile_cleanup(void);

/* The temporary folder + "/" + name; caller frees. */
char *ckfile_path(const char *name);
/* Writes len bytes (text: its characters) to path; die_runtime on failure. */
void ckfile_write_bytes(const char *path, const void *data, size_t len);
void ckfile_write_text(const char *path, const char *text);
/* Copies the first max_len bytes (at most) of from to to. */
void ckfile_copy(const char *from, const char *to, size_t max_len);
/* Makes folder name in the temporary folder; returns its path, caller frees. */
char *ckfile_make_dir(const char *name);
/* A small Llama config: D 8, H 2 heads of 4, KV kv, F f, V 16, 2 layers. */
void ckfile_tiny_config(char *buf, size_t cap, const char *arch, int f, int kv);
/* Writes DIR/model.safetensors with the tensors of ckfile_tiny_config(f, kv
 * 1), leaving out `omit` and adding `extra` (a [4] tensor) when not NULL. */
void ckfile_write_tiny_weights(const char *dir, int f, const char *omit, const char *extra);
/* A folder with a good tiny config (F 12, KV 1) and weights (as
 * ckfile_write_tiny_weights); returns its path, caller frees. */
char *ckfile_tiny_model(const char *name, const char *omit, const char *extra);
/* A model folder whose model.safetensors has the given JSON header and
 * data_len zero bytes of data. Returns the safetensors path; caller frees. */
char *ckfile_raw_safetensors(const char *name, const char *header, size_t data_len);
/* The folder of a file path; caller frees. */
char *ckfile_dir_of(const char *file);

/* The broken-input half of test_checkpoint (test_checkpoint_broken.c): each
 * broken file opened in a forked child that must exit with status 2 naming
 * it. Returns how many broken inputs were tried. */
int test_checkpoint_broken(void);

#endif
