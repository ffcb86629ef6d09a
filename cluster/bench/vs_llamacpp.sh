#!/usr/bin/env bash
# painters beside llama.cpp (and PyTorch) on one model, in one run: synthesizes
# a 4-layer Llama-2-7B-shaped checkpoint (painters synth, BF16), converts it
# to GGUF with llama.cpp's own converter (BF16, F16, Q8_0; Q4_K_M and the
# other K mixes by its llama-quantize from the BF16 file), then, round after
# round, runs painters bench (default compute mode, and the float32 prefill
# of --compute f32), painters bench and llama-bench on each GGUF file and
# torch_prefill.py (the float32 layers-only prefill), interleaved so that a
# busy machine weighs on all alike. Prints one table (median, min, max and
# sd/mean of tokens/s over every repetition of every round) and writes it as
# OUT/vs_llamacpp.csv, beside each run's raw output.
#
# llama.cpp is not a painters dependency and this script neither builds nor
# downloads it: give a build and its source tree.
#   LLAMA_CPP      folder holding bin/llama-bench (a CPU build), or the
#                  llama-bench binary itself
#   LLAMA_CPP_SRC  llama.cpp source tree (convert_hf_to_gguf.py, gguf-py);
#                  default: LLAMA_CPP's parent folder
# Debian 12 packages the converter and the PyTorch peer need:
#   python3-torch python3-numpy python3-sentencepiece python3-yaml python3-tqdm
# (Debian has no python3-safetensors: pysafetensors/ stands in; gguf_convert.py
# bridges the converter to torch 1.13.)
#
# usage: LLAMA_CPP=/path/to/llama.cpp/build cluster/bench/vs_llamacpp.sh [OUT]
# settings (environment): CONFIG (default ../shared/configs/llama2-7b.json),
#   LAYERS=4 THREADS=2 P=512 N=128 ROUNDS=2 REPS=3 TYPES="bf16 f16 q8_0"
#   TORCH=1 (0: no PyTorch peer), PAINTERS (the binary; default build/painters),
#   LLAMA_CPP_REV (the llama.cpp revision, for a tree without .git);
#   TYPES may name q4_k_m, q5_k_m, q6_k (made with llama-quantize, which must
#   sit beside llama-bench)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-/tmp/painters-vs-llamacpp}
config=${CONFIG:-$root/../shared/configs/llama2-7b.json}
layers=${LAYERS:-4} threads=${THREADS:-2} p=${P:-512} n=${N:-128}
rounds=${ROUNDS:-2} reps=${REPS:-3} types=${TYPES:-bf16 f16 q8_0} torch=${TORCH:-1}
P=${PAINTERS:-$root/build/painters}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

die() { echo "vs_llamacpp.sh: $*" >&2; exit 2; }
[ -n "${LLAMA_CPP:-}" ] || die "set LLAMA_CPP to a llama.cpp build (the folder with bin/llama-bench)"
if [ -x "$LLAMA_CPP" ] && [ ! -d "$LLAMA_CPP" ]; then bench=$LLAMA_CPP; else bench=$LLAMA_CPP/bin/llama-bench; fi
[ -x "$bench" ] || die "no llama-bench at $bench"
src=${LLAMA_CPP_SRC:-$(cd "$(dirname "$bench")/../.." 2> /dev/null && pwd)}
[ -f "$src/convert_hf_to_gguf.py" ] || src=$(cd "$(dirname "$bench")/.." && pwd)
[ -f "$src/convert_hf_to_gguf.py" ] || die "no convert_hf_to_gguf.py in $src: set LLAMA_CPP_SRC"
[ -x "$P" ] || die "no painters binary at $P (build it, or set PAINTERS)"
LLAMA_CPP_REV=${LLAMA_CPP_REV:-$( [ -e "$src/.git" ] && git -C "$src" rev-parse --short=12 HEAD 2> /dev/null || echo unknown)}
export LLAMA_CPP_REV
[ -f "$config" ] || die "no model config at $config (set CONFIG)"
for mod in torch numpy sentencepiece yaml tqdm; do
    "$PY" -c "import $mod" 2> /dev/null ||
        die "$PY cannot import $mod: apt-get install python3-torch python3-numpy python3-sentencepiece python3-yaml python3-tqdm"
done
mkdir -p "$out/runs"
model=$out/model-$(basename "$config" .json)-${layers}L

# The checkpoint, with painters' demo tokenizer (the converter wants one; the
# benchmarks draw random token ids), and its GGUF files: made once, kept.
if [ ! -f "$model/model.safetensors" ]; then
    "$P" synth --config "$config" --layers "$layers" --dtype bf16 --out "$model"
fi
cp "$root/models/painters-demo-16L/tokenizer.model" "$model/tokenizer.model"
quantize=$(dirname "$bench")/llama-quantize
for t in $types; do
    gguf=$out/model-$t.gguf
    [ -f "$gguf" ] && continue
    case $t in
    q4_k_m | q5_k_m | q6_k)
        [ -x "$quantize" ] || { echo "   no llama-quantize beside llama-bench: $t left out"; continue; }
        [ -f "$out/model-bf16.gguf" ] || die "$t is made from model-bf16.gguf: put bf16 first in TYPES"
        echo "== quantizing to GGUF $t (llama-quantize)"
        "$quantize" "$out/model-bf16.gguf" "$gguf.part" "$(echo "$t" | tr a-z A-Z)" \
            > "$out/runs/quantize-$t.log" 2>&1 || die "llama-quantize $t failed: $out/runs/quantize-$t.log"
        mv "$gguf.part" "$gguf"
        continue
        ;;
    esac
    echo "== converting to GGUF $t"
    if ! "$PY" "$here/gguf_convert.py" "$src/convert_hf_to_gguf.py" "$model" --outtype "$t" \
        --outfile "$gguf.part" > "$out/runs/convert-$t.log" 2>&1; then
        echo "   the converter refused $t (see $out/runs/convert-$t.log): left out"
        rm -f "$gguf.part"
        continue
    fi
    mv "$gguf.part" "$gguf"
done

for round in $(seq 1 "$rounds"); do
    echo "== round $round of $rounds"
    echo "   painters bench"
    OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$P" bench --model "$model" -p "$p" \
        -n "$n" -r "$reps" --threads "$threads" --no-all --json "$out/runs/painters-r$round.json" \
        > "$out/runs/painters-r$round.log" 2>&1
    echo "   painters bench --compute f32 (prefill only: decode is the same)"
    OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$P" bench --model "$model" -p "$p" \
        -n 0 -r "$reps" --threads "$threads" --no-all --compute f32 \
        --json "$out/runs/painters-f32-r$round.json" > "$out/runs/painters-f32-r$round.log" 2>&1
    for t in $types; do
        [ -f "$out/model-$t.gguf" ] || continue
        case $t in
        bf16 | f16) ;; # painters reads these too, but its BF16 run above is the same weights
        *)
            echo "   painters bench on model-$t.gguf"
            OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$P" bench \
                --model "$out/model-$t.gguf" -p "$p" -n "$n" -r "$reps" --threads "$threads" --no-all \
                --json "$out/runs/painters-gguf-$t-r$round.json" > "$out/runs/painters-gguf-$t-r$round.log" 2>&1
            ;;
        esac
        echo "   llama-bench $t"
        "$bench" -m "$out/model-$t.gguf" -p "$p" -n "$n" -t "$threads" -r "$reps" -o jsonl \
            > "$out/runs/llama-$t-r$round.jsonl" 2> "$out/runs/llama-$t-r$round.log"
    done
    if [ "$torch" != 0 ]; then
        echo "   PyTorch layers-only prefill"
        "$PY" "$here/torch_prefill.py" "$model" --threads "$threads" -p "$p" -r "$reps" \
            --json "$out/runs/torch-r$round.json" > "$out/runs/torch-r$round.log" 2>&1
    fi
done
"$PY" "$here/vs_llamacpp_table.py" "$out/runs" "$out/vs_llamacpp.csv"
