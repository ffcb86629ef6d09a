#!/usr/bin/env bash
# A model folder of config.json, model.safetensors and tokenizer.json (+
# tokenizer_config.json) through every command: forward, tokenize, generate,
# eval, similarity and a short study, alone and under mpirun -n 3 (same
# results). The models: random weights (painters synth) with Llama-3's
# vocabulary (128256) and tiny layers beside the Llama-3.2 tokenizer, and a
# Qwen2-shaped one (q/k/v biases, vocabulary 151936) beside the Qwen2.5
# tokenizer, which has no BOS: sequences start with its EOS. tiny-llama
# (vocabulary 320) beside the Llama-3.2 tokenizer is a real mismatch: exit 2
# naming both sizes. cluster/real_shapes.sh runs the same with the real
# shapes of Llama-3-8B and Qwen2.5-7B. Needs ../shared.
set -u
P=${PAINTERS:?}
source "$PAINTERS_SOURCE_DIR/tests/shared.sh"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
TINY=$SHARED/fixtures/tiny-llama
TOKS=$SHARED/tokenizers
[ -d "$TINY" ] || shared_missing "$TINY"
[ -f "$TOKS/llama-3.2/tokenizer.json" ] || shared_missing "$TOKS/llama-3.2/tokenizer.json"
TASKS=$PAINTERS_SOURCE_DIR/tasks/painters-demo
MPI=(mpirun -n 3 --oversubscribe)

# tiny-llama's weights beside the Llama-3.2 tokenizer: vocabularies 320 and 128256.
mkdir "$tmp/tiny"
cp "$TINY/config.json" "$TINY/model.safetensors" "$TOKS/llama-3.2/tokenizer.json" "$tmp/tiny/"
check "tiny-llama + Llama-3.2 tokenizer: forward needs no tokenizer" \
    "'$P' forward --model '$tmp/tiny' --tokens 1,2,3 > /dev/null 2>&1"
check "tiny-llama + Llama-3.2 tokenizer: tokenize works" \
    "[ \"\$('$P' tokenize --model '$tmp/tiny' --text 'Hello world' 2> /dev/null)\" = 'ids: 9906,1917' ]"
for cmd in "generate --prompt Hello --max-new 2" "eval --task ppl:$TASKS/heldout.txt --limit 2" \
           "similarity --task ppl:$TASKS/heldout.txt --limit 2 --out $tmp/sim0" \
           "study $tmp/study0 --task ppl:$TASKS/heldout.txt --limit 2 --variants skip --N 1 --no-report"; do
    "$P" $cmd --model "$tmp/tiny" > /dev/null 2> "$tmp/err"; rc=$?
    check "tiny-llama + Llama-3.2 tokenizer: ${cmd%% *} is exit 2 naming 128256 and 320" \
        "[ $rc -eq 2 ] && grep -q 128256 '$tmp/err' && grep -q 320 '$tmp/err'"
done
head -1 "$tmp/err"

# make_model DIR TOKENIZER ARCH VOCAB BOS EOS: synth weights in tiny shapes + the tokenizer files.
make_model() {
    python3 - "$tmp/$1.json" "$3" "$4" "$5" "$6" <<'EOF'
import json, sys
path, arch, vocab, bos, eos = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
c = {"architectures": [arch + "ForCausalLM"], "model_type": arch.lower(), "hidden_size": 64,
     "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2,
     "num_hidden_layers": 4, "vocab_size": vocab, "max_position_embeddings": 512,
     "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "bos_token_id": bos, "eos_token_id": eos,
     "tie_word_embeddings": False}
json.dump(c, open(path, "w"), indent=1)
EOF
    "$P" synth --config "$tmp/$1.json" --out "$tmp/$1" --dtype bf16 > /dev/null &&
        cp "$TOKS/$2/tokenizer.json" "$TOKS/$2/tokenizer_config.json" "$tmp/$1/"
}

# every_command LABEL DIR PREFIX_TOKENS: the commands on one folder, alone and under mpirun.
every_command() {
    local label=$1 m=$2 want_prompt=$3
    check "$label: the folder holds only config.json, model.safetensors, tokenizer files" \
        "[ \"\$(ls '$m' | tr '\n' ' ')\" = 'config.json model.safetensors tokenizer.json tokenizer_config.json ' ]"
    check "$label: forward" "'$P' forward --model '$m' --tokens 1,2,3 > /dev/null 2>&1"
    "$P" tokenize --model "$m" --text "Hello world" > "$tmp/tok" 2>&1
    check "$label: tokenize" "grep -q '^ids: [0-9]' '$tmp/tok'"
    "$P" generate --model "$m" --prompt "Hello" --max-new 4 --no-stop > "$tmp/gen1" 2> "$tmp/gen1.err"
    check "$label: generate, the prompt after the prefix token ($want_prompt tokens)" \
        "grep -q '^tokens: [0-9]' '$tmp/gen1' && grep -q '^prompt $want_prompt tokens' '$tmp/gen1.err'"
    "${MPI[@]}" "$P" generate --model "$m" --prompt "Hello" --max-new 4 --no-stop > "$tmp/gen3" 2> /dev/null
    check "$label: generate under mpirun -n 3, the same tokens" \
        "[ -n \"\$(grep '^tokens:' '$tmp/gen1')\" ] && [ \"\$(grep '^tokens:' '$tmp/gen1')\" = \"\$(grep '^tokens:' '$tmp/gen3')\" ]"
    local tasks=(--task "ppl:$TASKS/heldout.txt" --task "mc:$TASKS/cloze.jsonl" --task "gen:$TASKS/arith.jsonl" --limit 4)
    "$P" eval --model "$m" "${tasks[@]}" > "$tmp/eval1" 2> "$tmp/eval1.err"
    check "$label: eval ppl, mc and gen" \
        "grep -q 'perplexity' '$tmp/eval1' && grep -q 'acc_norm' '$tmp/eval1' && grep -q 'exact_match' '$tmp/eval1'"
    [ -s "$tmp/eval1.err" ] && grep -v '^\[' "$tmp/eval1.err" | head -3
    "${MPI[@]}" "$P" eval --model "$m" "${tasks[@]}" > "$tmp/eval3" 2> /dev/null
    check "$label: eval under mpirun -n 3, the same metrics" \
        "[ \"\$(grep -o 'perplexity [0-9.]*\|acc [0-9.]*\|exact_match [0-9.]*' '$tmp/eval1')\" = \"\$(grep -o 'perplexity [0-9.]*\|acc [0-9.]*\|exact_match [0-9.]*' '$tmp/eval3')\" ]"
    check "$label: similarity" \
        "'$P' similarity --model '$m' --task 'ppl:$TASKS/heldout.txt' --limit 2 --out '$tmp/sim_$label' > /dev/null 2>&1 && [ -s '$tmp/sim_$label/similarity.csv' ]"
    "${MPI[@]}" "$P" study "$tmp/study_$label" --model "$m" --task "ppl:$TASKS/heldout.txt" \
        --task "mc:$TASKS/cloze.jsonl" --limit 3 --variants skip,parallel --N 1 --similarity 2 \
        --no-report > "$tmp/study.log" 2>&1
    check "$label: a short study under mpirun -n 3" \
        "grep -q 'study done' '$tmp/study.log' && [ \$(wc -l < '$tmp/study_$label/results.csv') -gt 4 ]"
    grep -q 'study done' "$tmp/study.log" || tail -3 "$tmp/study.log"
}

make_model llama3 llama-3.2 Llama 128256 128000 128001
every_command llama3 "$tmp/llama3" 2
if [ -f "$TOKS/qwen2.5/tokenizer.json" ]; then
    make_model qwen2 qwen2.5 Qwen2 151936 151643 151643
    check "qwen2: q/k/v biases in the checkpoint" \
        "'$P' inspect --model '$tmp/qwen2' 2>&1 | grep -qi 'bias'"
    every_command qwen2 "$tmp/qwen2" 2
else
    shared_part_missing "$TOKS/qwen2.5/tokenizer.json" || fail=$((fail+1))
fi

echo "cli_hf_model: $pass passed, $fail failed"
[ $fail -eq 0 ]
