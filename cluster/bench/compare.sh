#!/usr/bin/env bash
# painters beside PyTorch on the same layer shapes and threads, in one go:
# synthesizes L layers of a real model's shapes, runs `painters bench` (the
# layers only: the program is every layer, the head runs too) and
# torch_layers.py, and prints both.
# usage: cluster/bench/compare.sh CONFIG.json [LAYERS=2] [THREADS=all cores] [P=512] [N=128]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
config=${1:?usage: compare.sh CONFIG.json [LAYERS] [THREADS] [P] [N]}
layers=${2:-2}
threads=${3:-$(nproc)}
p=${4:-512}
n=${5:-128}
P=${PAINTERS:-$root/build/painters}
model=${MODEL_DIR:-/tmp/painters-compare-$(basename "$config" .json)-$layers}
[ -f "$model/model.safetensors" ] || "$P" synth --config "$config" --layers "$layers" --out "$model"
echo "== painters ($threads thread(s))"
OPENBLAS_NUM_THREADS=$threads "$P" bench --model "$model" -p "$p" -n "$n" -r 3 --threads "$threads"
echo "== PyTorch ($threads thread(s))"
PYTHON=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}
"$PYTHON" "$here/torch_layers.py" "$config" --layers "$layers" --threads "$threads" -p "$p" -n "$n" -r 3
