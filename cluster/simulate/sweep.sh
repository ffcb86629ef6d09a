#!/usr/bin/env bash
# One strong-scaling sweep of the paper's plans over rank counts, one
# `painters bench` run each, rows in cluster/scaling/strong_scaling.sh's CSV
# format (study,stations,group, then bench's columns). Runs under mpirun or,
# with MPIRUN=cluster/simulate/smpi_mpirun.sh and PLATFORM, simulated.
#   sequential        baseline, every layer in order, block placement, requests
#                     in flight: prefill latency (ppP) and pipelined throughput (tpBxP)
#   parallel          the paper's parallel variant (N): the middle layers as one
#                     parallel group, round-robin so the group spreads over stations
#   looped-parallel   the same group repeated K times (paper: K = 3)
# usage: sweep.sh MODEL OUT.csv RANKS [P=8] [B=4]
# Environment: MPIRUN (default mpirun), MPIRUN_ARGS (default --oversubscribe
# --bind-to none; empty under smpi_mpirun.sh), PAINTERS (the binary), N (4), K (3),
# R (bench repetitions, 1: the median of R runs after a warm-up).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
model=${1:?usage: sweep.sh MODEL OUT.csv RANKS [P] [B]}
out=${2:?usage: sweep.sh MODEL OUT.csv RANKS [P] [B]}
ranks=${3:?usage: sweep.sh MODEL OUT.csv RANKS [P] [B]}
p=${4:-8}
b=${5:-4}
n=${N:-4}
loops=${K:-3}
P=${PAINTERS:-$root/build/painters}
MPIRUN=${MPIRUN:-mpirun}
read -r -a margs <<< "${MPIRUN_ARGS---oversubscribe --bind-to none}"
layers=$("$root/build/painters" inspect --model "$model" | awk '/^layers/ {print $2}')
mid=$((layers - 2 * n - 1))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Plans as files: smpirun splits arguments at spaces.
echo '{"variant": "baseline"}' > "$tmp/sequential.json"
echo "{\"variant\": \"parallel\", \"N\": $n}" > "$tmp/parallel.json"
echo "{\"variant\": \"looped_parallel\", \"N\": $n, \"K\": $loops}" > "$tmp/looped-parallel.json"
header=""

run() { # run STUDY GROUP K PLACEMENT BENCH_ARGS...
    local study=$1 group=$2 k=$3 placement=$4
    shift 4
    echo "== $study: $k ranks, placement $placement" >&2
    rm -f "$tmp/row.csv"
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$MPIRUN" -n "$k" "${margs[@]}" "$P" bench \
        --model "$model" --plan "$tmp/$study.json" --placement "$placement" --threads 1 \
        --csv "$tmp/row.csv" -p "$p" -n 0 -r "${R:-1}" --no-all "$@" > "$tmp/log" 2>&1 &&
        [ -s "$tmp/row.csv" ] || { cat "$tmp/log" >&2; return 1; }
    grep -E '^  (pp|tp)' "$tmp/log" >&2
    if [ -z "$header" ]; then
        header="study,stations,group,$(head -1 "$tmp/row.csv")"
        echo "$header" > "$out"
    fi
    tail -n +2 "$tmp/row.csv" | sed "s|^|$study,$((k - 1)),$group,|" >> "$out"
}

for k in $ranks; do
    [ "$k" -ge 2 ] || continue
    run sequential "$layers" "$k" block -b "$b"
    run parallel "$mid" "$k" round-robin
    [ "${SKIP_LOOPED:-0}" = 1 ] || run looped-parallel "$mid" "$k" round-robin
done
echo "wrote $out" >&2
