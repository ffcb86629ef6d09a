#!/usr/bin/env bash
# Today's checkpoints end to end, in their real shapes: painters synth writes
# random bf16 weights in the shapes of Llama-3-8B (../shared/configs/llama3-8b.json,
# vocabulary 128256) and Qwen2.5-7B (cluster/configs/qwen2.5-7b.json: q/k/v
# biases, vocabulary 152064), keeping LAYERS layers, into folders holding only
# config.json, model.safetensors and the Hugging Face tokenizer.json (+
# tokenizer_config.json) of Llama-3.2 and Qwen2.5; then generate, eval (ppl,
# mc, gen) and a short study run on each under mpirun -n RANKS. Random
# weights: the scores mean nothing, the runs show every command takes these
# folders (the special tokens, the prefix token of a model without BOS, the
# stop ids, the embedding of 128256 or 152064 rows).
#
# usage: cluster/real_shapes.sh [OUT=/tmp/painters-real-shapes] [LAYERS=2] [RANKS=3]
# About 3.2 GB of disk per model at 2 layers; about 5 minutes in all on 2 cores
# (measured: synth 11 s, generate 12 s, eval 45-57 s, study 85 s per model).
# Environment: PAINTERS (the binary; default build/painters), SHARED (default ../shared).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
P=${PAINTERS:-$root/build/painters}
SHARED=${SHARED:-$root/../shared}
out=${1:-/tmp/painters-real-shapes}
layers=${2:-2}
ranks=${3:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPI=(mpirun -n "$ranks" --oversubscribe)
TASKS=$root/tasks/painters-demo
mkdir -p "$out"

# run LABEL CMD...: runs and times one command, its output in $out/LABEL.log.
run() {
    local label=$1; shift
    local t0; t0=$(date +%s.%N)
    if "$@" > "$out/$label.log" 2>&1; then
        printf '%-28s ok   %6.1f s\n' "$label" "$(echo "$(date +%s.%N) - $t0" | bc)"
    else
        printf '%-28s FAIL (exit %d), see %s\n' "$label" $? "$out/$label.log"
        tail -5 "$out/$label.log"
        return 1
    fi
}

one_model() { # NAME CONFIG TOKENIZER_DIR
    local name=$1 config=$2 tok=$3 m=$out/$1
    echo "== $name: $layers layers of $(basename "$config"), tokenizer $(basename "$tok")"
    [ -f "$m/model.safetensors" ] || run "$name-synth" "$P" synth --config "$config" --layers "$layers" --dtype bf16 --out "$m"
    cp "$tok/tokenizer.json" "$tok/tokenizer_config.json" "$m/"
    echo "   folder: $(ls "$m" | tr '\n' ' ')"
    run "$name-tokenize" "$P" tokenize --model "$m" --text "The capital of France is" --special
    sed 's/^/   /' "$out/$name-tokenize.log"
    run "$name-generate" "${MPI[@]}" "$P" generate --model "$m" --prompt "The capital of France is" --max-new 8
    grep -E '^tokens:|^prompt' "$out/$name-generate.log" | sed 's/^/   /'
    run "$name-eval" "${MPI[@]}" "$P" eval --model "$m" --task "ppl:$TASKS/heldout.txt" \
        --task "mc:$TASKS/cloze.jsonl" --task "gen:$TASKS/arith.jsonl" --limit 8 --json "$out/$name-eval.json"
    grep -E '^(ppl|mc|gen):.*skipped' "$out/$name-eval.log" | sed 's/^/   /'
    run "$name-study" "${MPI[@]}" "$P" study "$out/$name-study" --model "$m" \
        --task "ppl:$TASKS/heldout.txt" --task "mc:$TASKS/cloze.jsonl" --limit 4 \
        --variants skip,parallel --N 0 --similarity 2 --no-report
    grep -E '^study done' "$out/$name-study.log" | sed 's/^/   /'
}

one_model llama3-8b "$SHARED/configs/llama3-8b.json" "$SHARED/tokenizers/llama-3.2"
one_model qwen2.5-7b "$root/cluster/configs/qwen2.5-7b.json" "$SHARED/tokenizers/qwen2.5"
echo "logs and results in $out"
