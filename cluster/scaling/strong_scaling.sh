#!/usr/bin/env bash
# Strong scaling: the same model and work over a sweep of rank counts x plans,
# one `painters bench` run each, all rows in one CSV (plot with
# plot_scaling.sh). Three studies in one sweep:
#   sequential   every layer in order, requests pipelined through the stations
#                (throughput tpBxP against the number of stations, block placement)
#   parallel     one parallel group over the first G layers (G = stations),
#                round-robin so the group spreads one layer per station:
#                prefill latency against group width
#   sequential-G the same G layers one after another, for comparison
# usage: strong_scaling.sh MODEL OUT.csv [RANKS="2 3 5 9 16"] [P=128] [B=32]
# Environment: MPIRUN (default mpirun), MPIRUN_ARGS (default --bind-to core; on a
# machine with fewer cores than ranks: --oversubscribe --bind-to none), THREADS per
# rank (default 1), PAINTERS (the binary).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
model=${1:?usage: strong_scaling.sh MODEL OUT.csv [RANKS] [P] [B]}
out=${2:?usage: strong_scaling.sh MODEL OUT.csv [RANKS] [P] [B]}
ranks=${3:-"2 3 5 9 16"}
p=${4:-128}
b=${5:-32}
P=${PAINTERS:-$root/build/painters}
MPIRUN=${MPIRUN:-mpirun}
read -r -a margs <<< "${MPIRUN_ARGS:---bind-to core}"
threads=${THREADS:-1}
layers=$("$P" inspect --model "$model" | awk '/^layers/ {print $2}')
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "study,stations,group,model,plan,ranks,placement,threads,test,tokens_per_s,sd,ms_per_token,gflops,sgemm_gflops,station_compute_ms,station_send_ms,station_bytes_out" > "$out"

run() { # run STUDY GROUP K PLACEMENT PLAN BENCH_ARGS...
    local study=$1 group=$2 k=$3 placement=$4 plan=$5; shift 5
    echo "== $study: $k ranks, placement $placement, plan $plan" >&2
    OPENBLAS_NUM_THREADS=$threads "$MPIRUN" -n "$k" "${margs[@]}" "$P" bench --model "$model" \
        --plan "$plan" --placement "$placement" --csv "$tmp/row.csv" "$@" > "$tmp/log" 2>&1 ||
        { cat "$tmp/log" >&2; return 1; }
    grep -E '^  (pp|tg|tp)' "$tmp/log" >&2
    tail -n +2 "$tmp/row.csv" | sed "s|^|$study,$((k - 1)),$group,|" >> "$out"
}

for k in $ranks; do
    s=$((k - 1))
    [ "$s" -ge 1 ] || continue
    run sequential "$layers" "$k" block '{"variant": "baseline"}' -p "$p" -n 16 -r 3 -b "$b"
    g=$(( s < layers ? s : layers ))
    if [ "$g" -ge 2 ]; then
        run parallel "$g" "$k" round-robin "{\"steps\": [{\"parallel\": [\"0-$((g - 1))\"]}]}" -p "$p" -n 16 -r 3
        run sequential-G "$g" "$k" round-robin "{\"steps\": [{\"layers\": [\"0-$((g - 1))\"]}]}" -p "$p" -n 16 -r 3
    fi
done
echo "wrote $out" >&2
