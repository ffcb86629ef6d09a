#!/usr/bin/env bash
# --model org/name from a Hugging Face cache made here, laid out as
# huggingface_hub leaves it (refs/main, snapshots/REV/ of links into blobs/):
# forward, inspect, tokenize and generate find the model by name
# ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub), --revision picks
# refs/REV or a snapshot's commit, and names not in the cache are exit 2
# listing where it looked. Needs ../shared (tiny-llama, the Llama-3.2 tokenizer).
set -u
P=${PAINTERS:?}
source "$PAINTERS_SOURCE_DIR/tests/shared.sh"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
TINY=$SHARED/fixtures/tiny-llama
LLAMA_TOK=$SHARED/tokenizers/llama-3.2
[ -d "$TINY" ] || shared_missing "$TINY"
[ -f "$LLAMA_TOK/tokenizer.json" ] || shared_missing "$LLAMA_TOK/tokenizer.json"

# add_snapshot HUB ORG--NAME REV FILE...: the files as blobs, linked from snapshots/REV.
add_snapshot() {
    local repo=$1/models--$2 rev=$3; shift 3
    mkdir -p "$repo/blobs" "$repo/snapshots/$rev" "$repo/refs"
    for f in "$@"; do
        local sum; sum=$(sha256sum "$f" | cut -d' ' -f1)
        [ -f "$repo/blobs/$sum" ] || cp "$f" "$repo/blobs/$sum"
        ln -sf "../../blobs/$sum" "$repo/snapshots/$rev/$(basename "$f")"
    done
}
HUB=$tmp/hub
REV=0123456789abcdef0123456789abcdef01234567
OLD=fedcba9876543210fedcba9876543210fedcba98
add_snapshot "$HUB" test-org--tiny-llama $REV "$TINY/config.json" "$TINY/model.safetensors" \
    "$LLAMA_TOK/tokenizer.json" "$LLAMA_TOK/tokenizer_config.json"
printf '%s' $REV > "$HUB/models--test-org--tiny-llama/refs/main"
# an older revision: the same weights, config.json with another max_position_embeddings
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["max_position_embeddings"]=128; json.dump(c, open(sys.argv[2], "w"))' \
    "$TINY/config.json" "$tmp/config.json"
add_snapshot "$HUB" test-org--tiny-llama $OLD "$tmp/config.json" "$TINY/model.safetensors"
printf '%s\n' $OLD > "$HUB/models--test-org--tiny-llama/refs/v0"

export HF_HUB_CACHE=$HUB
want=$("$P" forward --model "$TINY" --tokens 1,5,9 2> /dev/null | grep '^argmax:')
got=$("$P" forward --model test-org/tiny-llama --tokens 1,5,9 2> /dev/null | grep '^argmax:')
check "forward by name (HF_HUB_CACHE) = forward by path" "[ -n '$want' ] && [ '$got' = '$want' ]"
"$P" inspect --model test-org/tiny-llama > "$tmp/inspect" 2>&1
check "inspect by name: the snapshot folder" "grep -q 'snapshots/$REV' '$tmp/inspect'"
"$P" inspect --model test-org/tiny-llama --revision v0 > "$tmp/inspect" 2>&1
check "--revision v0: refs/v0" "grep -q 'snapshots/$OLD' '$tmp/inspect'"
"$P" inspect --model test-org/tiny-llama --revision $OLD > "$tmp/inspect" 2>&1
check "--revision COMMIT: the snapshot itself" "grep -q 'snapshots/$OLD' '$tmp/inspect'"

want_tok=$("$P" tokenize --tokenizer "$LLAMA_TOK/tokenizer.json" --text "Hello world" --special 2> /dev/null)
got=$("$P" tokenize --model test-org/tiny-llama --text "Hello world" --special 2> /dev/null)
check "tokenize by name: the snapshot's tokenizer.json" "[ '$got' = 'ids: 128000,9906,1917' ] && [ '$got' = '$want_tok' ]"
"$P" generate --model test-org/tiny-llama --prompt "Hello" --max-new 2 > /dev/null 2> "$tmp/err"; rc=$?
check "generate by name: the tokenizer (128256) does not fit tiny-llama (320): exit 2 naming both" \
    "[ $rc -eq 2 ] && grep -q 128256 '$tmp/err' && grep -q 320 '$tmp/err' && grep -q 'snapshots/$REV' '$tmp/err'"

# A model whose vocabulary fits the tokenizer: Llama-3's vocabulary with tiny layers.
python3 - "$tmp/small.json" <<'EOF'
import json, sys
json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
           "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2,
           "num_hidden_layers": 2, "vocab_size": 128256, "max_position_embeddings": 256,
           "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "bos_token_id": 128000,
           "eos_token_id": 128001, "tie_word_embeddings": False}, open(sys.argv[1], "w"))
EOF
"$P" synth --config "$tmp/small.json" --out "$tmp/small" > /dev/null
add_snapshot "$HUB" test-org--small-llama3 $REV "$tmp/small/config.json" "$tmp/small/model.safetensors" \
    "$LLAMA_TOK/tokenizer.json" "$LLAMA_TOK/tokenizer_config.json"
printf '%s' $REV > "$HUB/models--test-org--small-llama3/refs/main"
"$P" generate --model test-org/small-llama3 --prompt "Hello" --max-new 3 > "$tmp/gen" 2> "$tmp/err"; rc=$?
check "generate by name, a model the tokenizer fits" "[ $rc -eq 0 ] && grep -q '^tokens: [0-9]' '$tmp/gen'"
[ $rc -eq 0 ] || cat "$tmp/err"

# HF_HOME/hub, then ~/.cache/huggingface/hub.
mkdir -p "$tmp/home/.cache/huggingface" "$tmp/hfhome"
ln -s "$HUB" "$tmp/hfhome/hub"
ln -s "$HUB" "$tmp/home/.cache/huggingface/hub"
got=$(env -u HF_HUB_CACHE HF_HOME="$tmp/hfhome" "$P" forward --model test-org/tiny-llama --tokens 1,5,9 2> /dev/null | grep '^argmax:')
check "HF_HOME/hub" "[ -n '$got' ] && [ '$got' = '$want' ]"
got=$(env -u HF_HUB_CACHE -u HF_HOME -u XDG_CACHE_HOME HOME="$tmp/home" "$P" forward --model test-org/tiny-llama --tokens 1,5,9 2> /dev/null | grep '^argmax:')
check "~/.cache/huggingface/hub" "[ -n '$got' ] && [ '$got' = '$want' ]"

# Names not in the cache: exit 2 listing where it looked.
for cmd in "forward --tokens 1" "generate --tokens 1" "tokenize --text a" "inspect" "eval --task demo"; do
    "$P" $cmd --model nobody/nothing > /dev/null 2> "$tmp/err"; rc=$?
    check "${cmd%% *}: unknown name, exit 2 with the paths" \
        "[ $rc -eq 2 ] && grep -q '$HUB/models--nobody--nothing/refs/main' '$tmp/err' && grep -q 'models--nobody--nothing/snapshots/main' '$tmp/err'"
done
head -1 "$tmp/err"
"$P" forward --model test-org/tiny-llama --revision nosuch --tokens 1 > /dev/null 2> "$tmp/err"; rc=$?
check "unknown revision: exit 2 with the paths" "[ $rc -eq 2 ] && grep -q 'refs/nosuch' '$tmp/err'"
printf '%s' 1111111111111111111111111111111111111111 > "$HUB/models--test-org--tiny-llama/refs/broken"
"$P" forward --model test-org/tiny-llama --revision broken --tokens 1 > /dev/null 2> "$tmp/err"; rc=$?
check "a ref naming a missing snapshot: exit 2" "[ $rc -eq 2 ] && grep -q 'refs/broken' '$tmp/err'"
"$P" forward --model "$TINY" --revision main --tokens 1 > /dev/null 2> "$tmp/err"; rc=$?
check "--revision with a path: exit 2" "[ $rc -eq 2 ]"
# a path with one '/' that exists is a path, not a name
(cd "$SHARED" && "$P" forward --model fixtures/tiny-llama --tokens 1,5,9 > /dev/null 2>&1); rc=$?
check "an existing org/name-shaped path is a path" "[ $rc -eq 0 ]"

echo "cli_hf_cache: $pass passed, $fail failed"
[ $fail -eq 0 ]
