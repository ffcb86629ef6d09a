#!/usr/bin/env bash
# Batched against one-prompt-at-a-time generation on the demo model: the
# first N arithmetic prompts of the demo task, greedy, at 1 rank and at 3
# (two stations, pipelined lanes), R interleaved repetitions of each mode.
# Prints new tokens/s (median, min, max), checks that every mode produced the
# same tokens, reports how busy the stations were (trace, 3 ranks), and
# writes OUT/batch_generation.csv.
# usage: cluster/bench/batch_generation.sh [OUT=/tmp/painters-batch] [N=64] [R=5] [THREADS=1]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-/tmp/painters-batch}
n=${2:-64}
reps=${3:-5}
threads=${4:-1}
P=${PAINTERS:-$root/build/painters}
mkdir -p "$out"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_rmaps_base_oversubscribe=1 OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
python3 - "$root/tasks/painters-demo/arith.jsonl" "$n" > "$out/prompts.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()[: int(sys.argv[2])]
for line in lines:
    print(json.dumps(json.loads(line)["prompt"]))
PY
# mode name, ranks, extra options
modes=("one-at-a-time 1 --batch 1 --inflight 1" "batched 1" \
       "one-at-a-time 3 --batch 1 --inflight 1" "batched 3")
run_mode() { # NAME RANKS OPTS... -> tokens/s on stdout
    local name=$1 ranks=$2
    shift 2
    local launch=()
    [ "$ranks" -gt 1 ] && launch=(mpirun -n "$ranks")
    "${launch[@]}" "$P" generate --prompts "$out/prompts.jsonl" --max-new 6 "$@" \
        > "$out/tokens-$name-$ranks.jsonl" 2> "$out/log-$name-$ranks.txt"
    sed -n 's/.* in \([0-9.]*\) s: \([0-9.]*\) tokens\/s.*/\2/p' "$out/log-$name-$ranks.txt"
}
: > "$out/runs.txt"
for rep in $(seq "$reps"); do
    for m in "${modes[@]}"; do
        set -- $m
        echo "$1 $2 $(run_mode "$@")" >> "$out/runs.txt"
    done
done
for m in "${modes[@]}"; do
    set -- $m
    cmp -s "$out/tokens-$1-$2.jsonl" "$out/tokens-one-at-a-time-1.jsonl" ||
        { echo "tokens of $1 at $2 rank(s) differ from one at a time at 1 rank" >&2; exit 1; }
done
mpirun -n 3 "$P" generate --prompts "$out/prompts.jsonl" --max-new 6 --trace "$out/trace.jsonl" \
    > /dev/null 2>&1
python3 - "$out" "$n" "$threads" <<'PY'
import collections, statistics, sys
out, n, threads = sys.argv[1], sys.argv[2], sys.argv[3]
runs = collections.defaultdict(list)
for line in open(f"{out}/runs.txt"):
    name, ranks, rate = line.split()
    runs[(name, int(ranks))].append(float(rate))
with open(f"{out}/batch_generation.csv", "w") as f:
    f.write("mode,ranks,prompts,threads,tokens_per_s_median,min,max,speedup\n")
    print(f"# {n} demo arithmetic prompts, {threads} thread(s) per rank, identical tokens in every mode")
    print(f"# {'mode':<14} {'ranks':>5} {'tok/s median':>13} {'min':>9} {'max':>9} {'speedup':>8}")
    for (name, ranks), r in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0] != "one-at-a-time")):
        med = statistics.median(r)
        base = statistics.median(runs[("one-at-a-time", ranks)])
        print(f"  {name:<14} {ranks:>5} {med:13.1f} {min(r):9.1f} {max(r):9.1f} {med / base:7.2f}x")
        f.write(f"{name},{ranks},{n},{threads},{med:.1f},{min(r):.1f},{max(r):.1f},{med / base:.2f}\n")
PY
echo "# stations busy during the batched run at 3 ranks:"
python3 "$root/cluster/station_busy.py" "$out/trace.jsonl"
