#!/usr/bin/env bash
# Llama-3 rope scaling in GGUF files: `painters synth --format gguf` writes
# rope_scaling (llama3) as llama.cpp's converter does, a rope_freqs.weight
# tensor of head_dim/2 F32 factors and no rope-scaling keys, and the reader
# divides each rotary frequency by its factor. Needs nothing from ../shared.
#  - One config, head_dim 64 and original_max_position_embeddings 16, so that
#    a prompt of 48 tokens goes past the scaled wavelengths (with theta 5e5
#    and factors 1/4, 29 of the 32 frequencies are divided by the factor 8
#    and 3 lie in the smooth blend); the same seed as safetensors F32 (Hugging
#    Face llama3 scaling from config.json) and as GGUF F32 (rope_freqs):
#    forward --compute f32 logits within 1e-5 of max|logit| and the same
#    argmax at every position, at 1 rank and at 3 ranks (layers on stations,
#    each reading the factors from the file itself).
#  - Can fail: the same weights written without rope_scaling give logits off
#    by more than 1e-3 of max|logit| (seen: 1.4e-2).
#  - inspect says the scaling comes from rope_freqs and lists no extra tensor.
set -u
P=${PAINTERS:?}
CMP=$PAINTERS_SOURCE_DIR/tests/compare_logits.py
MPIRUN=${MPIRUN:-mpirun}
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMPI_MCA_rmaps_base_oversubscribe=1

# config NAME ROPE_SCALING: 2 heads of 64, 1 KV head, 3 layers.
config() {
    cat > "$tmp/$1.json" <<JSON
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "attention_bias": false,
 "hidden_size": 128, "intermediate_size": 160, "num_attention_heads": 2, "num_key_value_heads": 1,
 "head_dim": 64, "num_hidden_layers": 3, "max_position_embeddings": 256, "rms_norm_eps": 1e-6,
 "rope_theta": 500000.0, "tie_word_embeddings": false, "vocab_size": 320,
 "bos_token_id": 1, "eos_token_id": 2 $2}
JSON
}
config l3 ', "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
 "high_freq_factor": 4.0, "original_max_position_embeddings": 16}'
config plain ''
TOK=1$(for i in $(seq 1 47); do printf ',%d' $(( (i * 37 + 11) % 320 )); done)

# fwd RANKS MODEL OUT: forward's logits into OUT.l, its argmax line into OUT.a.
fwd() {
    local run=()
    [ "$1" -gt 1 ] && run=("$MPIRUN" -n "$1" --oversubscribe)
    "${run[@]}" "$P" forward --model "$2" --tokens "$TOK" --compute f32 --out "$3.l" |
        grep '^argmax:' > "$3.a"
}

"$P" synth --config "$tmp/l3.json" --dtype f32 --seed 5 --out "$tmp/l3-st" > /dev/null
check "synth llama3 gguf" '"$P" synth --config "$tmp/l3.json" --format gguf --dtype f32 --seed 5 \
    --out "$tmp/l3.gguf" > /dev/null'
"$P" synth --config "$tmp/plain.json" --format gguf --dtype f32 --seed 5 \
    --out "$tmp/plain.gguf" > /dev/null
check "safetensors forward" 'fwd 1 "$tmp/l3-st" "$tmp/st"'
for n in 1 3; do
    check "gguf forward, $n rank(s)" 'fwd $n "$tmp/l3.gguf" "$tmp/g$n"'
    check "gguf = safetensors (1e-5), $n rank(s)" 'python3 "$CMP" "$tmp/st.l" "$tmp/g$n.l" 1e-5'
    check "same argmax, $n rank(s)" '[ -s "$tmp/st.a" ] && cmp -s "$tmp/st.a" "$tmp/g$n.a"'
done
check "without rope_freqs forward" 'fwd 1 "$tmp/plain.gguf" "$tmp/p"'
check "without rope_freqs the logits differ (> 1e-3)" \
    '! python3 "$CMP" "$tmp/st.l" "$tmp/p.l" 1e-3 > /dev/null 2>&1'
check "inspect: scaling from rope_freqs" \
    '"$P" inspect --model "$tmp/l3.gguf" | grep -q "llama3 scaling (rope_freqs)"'
check "inspect: no rope_freqs tensor listed" \
    '! "$P" inspect --model "$tmp/l3.gguf" | grep -q "rope_freqs.weight"'
check "inspect: the same 30 tensors" \
    '"$P" inspect --model "$tmp/l3.gguf" | grep -q "30 tensors"'

echo "cli_synth_gguf_llama3: $pass passed, $fail failed"
[ $fail -eq 0 ]
