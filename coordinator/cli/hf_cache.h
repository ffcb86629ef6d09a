/* hf_cache.h: models in the Hugging Face hub cache, found offline by name
 * (never any network), as huggingface_hub lays them out:
 *   CACHE/models--ORG--NAME/refs/main          the commit of revision main
 *   CACHE/models--ORG--NAME/snapshots/COMMIT/  config.json, safetensors, tokenizer.json
 * CACHE is $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub,
 * else ~/.cache/huggingface/hub.
 *
 *   if (hf_cache_is_name("meta-llama/Llama-3.2-1B"))
 *       dir = hf_cache_resolve("meta-llama/Llama-3.2-1B", NULL);   // .../snapshots/4e20de36.../
 */
#ifndef PAINTERS_HF_CACHE_H
#define PAINTERS_HF_CACHE_H

/* Whether value has the shape of a hub name: exactly one '/', with text on
 * both sides, not starting with '.' or '~' (a path's shape). */
int hf_cache_is_name(const char *value);

/* The hub cache folder as the environment gives it. Caller frees; *from
 * (may be NULL) gets which variable chose it (or "default"). */
char *hf_cache_dir(const char **from);

/* The snapshot folder of model `name` ("org/name") at `revision` (NULL:
 * "main"): refs/REVISION holds the commit whose snapshots/ folder it is, or
 * REVISION is itself a snapshot's commit. die_input (exit 2) listing every
 * path it looked at when there is none. Caller frees. */
char *hf_cache_resolve(const char *name, const char *revision);

#endif
