#!/usr/bin/env bash
# The simulated painters computes what the real one does: painters forward
# --out on the demo model at K ranks (default 3), baseline and parallel
# plans, under mpirun (build/) and under smpirun (build-smpi/, platform dev-2core.xml), logits compared byte
# for byte. Exit 0 when identical, 1 when not.
# usage: check_logits.sh [K]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
k=${1:-3}
model=$root/models/painters-demo-16L
[ -d "$model" ] || model=$root/../shared/models/painters-demo-16L
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Plans as files: smpirun splits arguments at spaces, whatever the quoting.
echo '{"variant": "baseline"}' > "$tmp/baseline.json"
echo '{"variant": "parallel", "N": 3}' > "$tmp/parallel.json"
for plan in baseline parallel; do
    args=(forward --model "$model" --tokens 1,5,9,200,31,7,4000,12 --plan "$tmp/$plan.json")
    mpirun -n "$k" --oversubscribe --bind-to none "$root/build/painters" "${args[@]}" --out "$tmp/mpirun.st" \
        > "$tmp/mpirun.log" 2>&1 || { cat "$tmp/mpirun.log" >&2; exit 1; }
    PLATFORM=$here/platforms/dev-2core.xml "$here/smpi_mpirun.sh" -n "$k" "$root/build-smpi/painters" \
        "${args[@]}" --out "$tmp/smpirun.st" > "$tmp/smpirun.log" 2>&1 || { cat "$tmp/smpirun.log" >&2; exit 1; }
    if cmp -s "$tmp/mpirun.st" "$tmp/smpirun.st"; then
        echo "check_logits: $k ranks, plan $plan: logits under smpirun and mpirun are bit-identical"
    else
        echo "check_logits: $k ranks, plan $plan: logits under smpirun differ from mpirun's" >&2
        exit 1
    fi
done
