#!/usr/bin/env bash
# `painters bench` on the demo model: the binary runs on the OpenBLAS build it
# was linked for (ldd, and the JSON's blas_threading), and the JSON holds each
# test's median, spread and executed FLOP: ppN with the head on one row
# costs less than ppN-all, and two thread counts give the same FLOP count.
set -u
P=${PAINTERS:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() {
    if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
blas=$(ldd "$P" | awk '/libopenblas/ {print $3}')
check "ldd finds libopenblas ($blas)" "[ -n '$blas' ] && [ -e '$blas' ]"
"$P" bench -p 16 -n 4 -r 3 --threads 1 --json "$tmp/b1.json" > "$tmp/out1" 2>&1
check "bench, 1 thread, ends with 0" "[ $? -eq 0 ]"
OPENBLAS_NUM_THREADS=2 "$P" bench -p 16 -n 4 -r 3 --csv "$tmp/b2.csv" --json "$tmp/b2.json" \
    > "$tmp/out2" 2>&1
check "bench, 2 threads from the environment, ends with 0" "[ $? -eq 0 ]"
check "bench prints the OpenBLAS build" "grep -q '^# OpenBLAS .* threads' '$tmp/out1'"
check "no warning about the OpenBLAS build" "! grep -q 'warning' '$tmp/out1'"
check "CSV: header and three tests" "[ \$(wc -l < '$tmp/b2.csv') -eq 4 ] && head -1 '$tmp/b2.csv' | grep -q '^model,plan,ranks,placement,threads,test,tokens_per_s,sd,'"
python3 - "$tmp/b1.json" "$tmp/b2.json" "$blas" << 'PY' > "$tmp/py.out" 2>&1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
blas = sys.argv[3]
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
want(a["threads"] == 1 and b["threads"] == 2, "threads 1 and 2: %s %s" % (a["threads"], b["threads"]))
want(a["blas_threading"] in ("OpenMP", "pthreads", "sequential"), "blas_threading " + a["blas_threading"])
if a["blas_built_for"] == "OpenMP":
    want(a["blas_threading"] == "OpenMP", "built for OpenMP, runs " + a["blas_threading"])
    want("openblas-openmp" in blas, "built for OpenMP, ldd gives " + blas)
    want("USE_OPENMP" in a["blas_config"], "blas_config " + a["blas_config"])
names = [t["name"] for t in a["tests"]]
want(names == ["pp16", "pp16-all", "tg4"], "tests %s" % names)
for t in a["tests"] + b["tests"]:
    want(t["reps"] == 3 and len(t["samples"]) == 3, t["name"] + " reps and samples")
    want(min(t["samples"]) == t["min"] and max(t["samples"]) == t["max"], t["name"] + " samples span min to max")
    want(0 < t["min"] <= t["tokens_per_s"] <= t["max"], t["name"] + " min <= median <= max")
    want(t["sd_rel"] >= 0 and abs(t["sd_rel"] - t["sd"] / t["mean"]) < 1e-9, t["name"] + " sd_rel")
    want(t["gflop"] > 0 and t["gflops"] > 0, t["name"] + " FLOP")
pp, pp_all, tg = a["tests"]
want(pp_all["gflop"] > pp["gflop"], "pp16-all executes more than pp16")
want("weight_gbps" in tg and "weight_gbps" not in pp, "GB/s for decode only")
for x, y in zip(a["tests"], b["tests"]):
    want(x["gflop"] == y["gflop"], x["name"] + ": the same FLOP on 1 and 2 threads")
print("\n".join("FAIL: " + w for w in bad) if bad else "ok")
sys.exit(1 if bad else 0)
PY
check "bench JSON fields" "[ $? -eq 0 ]"
[ "$fail" -eq 0 ] || { cat "$tmp/py.out"; cat "$tmp/out1"; }
echo "bench_json: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
