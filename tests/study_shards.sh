#!/usr/bin/env bash
# painters study split into shards, as the tasks of a Slurm job array run it
# (without Slurm: the array's variables set by hand): two shards at once into
# one folder, one from --shard and one from SLURM_ARRAY_TASK_ID/_MIN/_COUNT,
# merged by the last to finish into the results of the same study run in one
# process; a shard killed after its first cell and run again with
# SLURM_RESTART_COUNT=1 resumes (no cell computed twice, the restart
# recorded); a merge with cells missing names them and exits 2; bad shard
# values, a second process of a running shard and a folder of another split
# exit 2. Usage: study_shards.sh [RANKS] (default 1).
set -u
P=${PAINTERS:?}
T=$PAINTERS_SOURCE_DIR/tasks/painters-demo
RANKS=${1:-1}
export OMPI_MCA_rmaps_base_oversubscribe=1
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_STEP
unset SLURM_RESTART_COUNT SLURM_ARRAY_JOB_ID SLURM_JOB_ID
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Three plans (baseline, skip_N4, parallel_N4) x two tasks: shard 0/2 runs
# the baseline and parallel_N4, shard 1/2 skip_N4.
ARGS=(--variants skip,parallel --N 4 --task "ppl:$T/heldout.txt" --task "mc:$T/cloze.jsonl"
      --limit 6 --similarity 2 --compute f32 --no-report)
study() { if [ "$RANKS" -gt 1 ]; then mpirun -n "$RANKS" "$P" study "$@"; else "$P" study "$@"; fi; }
# For `study_bg ... &` only: the background subshell becomes the job, so $! is its PID.
study_bg() { if [ "$RANKS" -gt 1 ]; then exec mpirun -n "$RANKS" "$P" study "$@"; else exec "$P" study "$@"; fi; }

# same_study ONE SHARDED: the merged results.csv, summary.csv and
# results.json hold the rows, in the order, and the values (metric and
# normalized score, bit for bit as written) of the study run in one process.
same_study() {
    python3 - "$1" "$2" <<'PY'
import csv, json, sys
a, b = sys.argv[1:3]
def rows(d, f, keys): return [tuple(r[k] for k in keys) for r in csv.DictReader(open(d + "/" + f))]
R = ("plan", "variant", "N", "task", "metric", "value", "normalized", "ranks")
S = ("plan", "variant", "N", "K", "seed", "steps", "median_normalized")
ra, rb = rows(a, "results.csv", R), rows(b, "results.csv", R)
assert ra == rb, ("results.csv differs", [x for x in zip(ra, rb) if x[0] != x[1]][:3], len(ra), len(rb))
assert len(set((r[0], r[3], r[4]) for r in rb)) == len(rb), "a row twice"
sa, sb = rows(a, "summary.csv", S), rows(b, "summary.csv", S)
assert sa == sb, ("summary.csv differs", sa, sb)
def scores(d):
    doc = json.load(open(d + "/results.json"))
    return [(p["plan"], p.get("median_normalized"), [(c["task"], c.get("normalized"), c["metrics"]) for c in p["cells"]]) for p in doc["plans"]]
assert scores(a) == scores(b), "results.json scores differ"
assert open(a + "/similarity.csv").read() == open(b + "/similarity.csv").read(), "similarity differs"
print("merged = one process: %d rows, %d plans" % (len(rb), len(sb)))
PY
}
# cell_counts LOG...: "PLAN TASK" of every cell the logs say was computed.
cells_run() { grep -h -o '^\[[0-9]*/[0-9]*\] [^ ]* *[^ ]*' "$@" | sed 's/^[^ ]* //; s/  */ /'; }

study "$tmp/one" "${ARGS[@]}" > "$tmp/one.log" 2>&1
check "unsharded study runs" "[ \$? -eq 0 ] && grep -q 'study done' $tmp/one.log"

# Two shards at once into one folder; the second from the array's variables
# (array 4-5: task 5 is shard 1 of 2).
study_bg "$tmp/sh" "${ARGS[@]}" --shard 0/2 > "$tmp/sh0.log" 2>&1 &
pid0=$!
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_JOB_ID=77 \
    study "$tmp/sh" "${ARGS[@]}" > "$tmp/sh1.log" 2>&1
rc1=$?
wait $pid0
rc0=$?
check "two shards at once: both exit 0" "[ $rc0 -eq 0 ] && [ $rc1 -eq 0 ]"
check "shard 0/2 from --shard, 1/2 from SLURM_ARRAY_TASK_*" \
    "grep -q '(shard 0/2: 2 of the plans)' $tmp/sh0.log && grep -q '(shard 1/2: 1 of the plans)' $tmp/sh1.log"
check "the last shard to finish merged" "grep -q 'merged 2 shards' $tmp/sh0.log $tmp/sh1.log"
check "each cell computed once, by its shard" \
    "[ \"\$(cells_run $tmp/sh0.log $tmp/sh1.log | sort | uniq -d)\" = '' ] && [ \$(cells_run $tmp/sh0.log $tmp/sh1.log | wc -l) -eq 6 ] && ! cells_run $tmp/sh1.log | grep -qv '^skip_N4 '"
check "merged shards = the study in one process" "same_study $tmp/one $tmp/sh"
check "array task recorded" "python3 -c \"
import json; r = json.load(open('$tmp/sh/shards/run-1-of-2.json'))['runs']
assert len(r) == 1 and r[0]['slurm_array_task_id'] == '5' and r[0]['slurm_array_job_id'] == '77' and r[0]['finished'], r\""
"$P" report "$tmp/sh" > "$tmp/report.log" 2>&1
check "painters report draws the merged folder" "[ \$? -eq 0 ] && [ -s $tmp/sh/report.html ] && [ -s $tmp/sh/score_vs_N.png ]"

# Shard 0/2 killed after its first cell; a merge then names the missing
# cells (shard 1's file absent too) and exits 2. The rank that applies the
# layers sleeps 5 ms in each (PAINTERS_TEST_SLOW_LAYER; the results stay
# the same), so that the kill lands before the shard's last cell on a busy
# machine too (under mpirun, rank 0 outlives a killed mpirun for a moment).
slow_rank=0
[ "$RANKS" -gt 1 ] && slow_rank=1
PAINTERS_TEST_SLOW_LAYER=$slow_rank:0.005 study_bg "$tmp/k" "${ARGS[@]}" --shard 0/2 > "$tmp/k0.log" 2>&1 &
pid=$!
for i in $(seq 1 600); do
    [ -f "$tmp/k/shards/results-0-of-2.csv" ] && [ "$(wc -l < "$tmp/k/shards/results-0-of-2.csv")" -ge 2 ] && break
    sleep 0.1
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
killed_rc=$?
# Under mpirun, rank 0 outlives mpirun for a moment: its shard's lock is
# free once it has ended.
for i in $(seq 1 300); do flock -n "$tmp/k/shards/shard-0-of-2.lock" true && break; sleep 0.1; done
check "shard killed by SIGKILL (status 137)" "[ $killed_rc -eq 137 ]"
done_before=$(cut -d, -f2,7 "$tmp/k/shards/results-0-of-2.csv" | tail -n +2 | sort -u | wc -l)
check "killed with some but not all of its 4 cells done" "[ $done_before -ge 1 ] && [ $done_before -lt 4 ]"
"$P" study "$tmp/k" "${ARGS[@]}" --merge > "$tmp/merge_missing.log" 2>&1
check "merge with cells missing: exit 2" "[ \$? -eq 2 ] && grep -q 'merge incomplete: $((6 - done_before)) of 6 cells missing' $tmp/merge_missing.log"
check "merge with cells missing: names them and their shards" \
    "grep -q 'missing cell skip_N4 x ppl:heldout.txt (shard 1/2)' $tmp/merge_missing.log && grep -q 'missing cell parallel_N4 x mc:cloze.jsonl (shard 0/2)' $tmp/merge_missing.log"
check "merge with cells missing: no results.csv pretended" "[ ! -e $tmp/k/results.csv ] && [ ! -e $tmp/k/summary.csv ]"
"$P" study "$tmp/k" "${ARGS[@]}" > "$tmp/unsharded_in_k.log" 2>&1
check "unsharded study into a sharded folder: exit 2" "[ \$? -eq 2 ] && grep -q 'no merged results.csv' $tmp/unsharded_in_k.log"

# Shard 1/2 (an explicit --shard wins over array variables that do not make
# a shard) finishes first and leaves the merge to shard 0.
SLURM_ARRAY_TASK_ID=9 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=2 \
    study "$tmp/k" "${ARGS[@]}" --shard 1/2 > "$tmp/k1.log" 2>&1
check "shard 1/2 done before 0/2: exit 0, no merge" \
    "[ \$? -eq 0 ] && grep -q 'still missing' $tmp/k1.log && [ ! -e $tmp/k/results.csv ]"

# A second process of a running shard is refused (its lock held here).
flock "$tmp/k/shards/shard-0-of-2.lock" "$P" study "$tmp/k" "${ARGS[@]}" --shard 0/2 > "$tmp/locked.log" 2>&1
check "a second process of shard 0/2: exit 2" "[ \$? -eq 2 ] && grep -q 'running in another process' $tmp/locked.log"

# Shard 0/2 requeued: it resumes, computes only what it lacked, merges.
SLURM_RESTART_COUNT=1 SLURM_JOB_ID=78 study "$tmp/k" "${ARGS[@]}" --shard 0/2 > "$tmp/k0b.log" 2>&1
check "requeued shard resumes and merges" \
    "[ \$? -eq 0 ] && grep -q 'study: $done_before cells already done, $((4 - done_before)) to go' $tmp/k0b.log && grep -q 'merged 2 shards' $tmp/k0b.log"
check "requeued shard: no cell computed twice" \
    "[ \"\$(cells_run $tmp/k0.log $tmp/k0b.log | sort | uniq -d)\" = '' ] && [ \$(cells_run $tmp/k0b.log | wc -l) -eq $((4 - done_before)) ]"
check "requeued shard: both runs and the restart count recorded" "python3 -c \"
import json; r = json.load(open('$tmp/k/shards/run-0-of-2.json'))['runs']
assert len(r) == 2 and r[0]['slurm_restart_count'] is None and not r[0]['finished'], r
assert r[1]['slurm_restart_count'] == 1 and r[1]['slurm_job_id'] == '78' and r[1]['finished'], r
assert r[1]['cells_done_before'] == $done_before and r[1]['cells_to_go'] == $((4 - done_before)), r\""
check "killed, requeued and merged = the study in one process" "same_study $tmp/one $tmp/k"
"$P" study "$tmp/k" "${ARGS[@]}" --merge > "$tmp/merge_again.log" 2>&1
check "--merge of a complete folder: the same results" "[ \$? -eq 0 ] && same_study $tmp/one $tmp/k"

# cluster/slurm/study-array.sbatch as its array's 4 tasks run it, at once
# (a stand-in srun runs the command at RANKS ranks): shard 3 of 4 has no plan
# of these three; the last task merges.
check "study-array.sbatch parses" "bash -n $PAINTERS_SOURCE_DIR/cluster/slurm/study-array.sbatch"
mkdir -p "$tmp/bin" "$tmp/submit"
ln -s "$(cd "$(dirname "$P")" && pwd)" "$tmp/submit/build"
cat > "$tmp/bin/srun" <<'SH'
#!/bin/bash
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
if [ "$RANKS" -gt 1 ]; then exec mpirun -n "$RANKS" "$@"; else exec "$@"; fi
SH
chmod +x "$tmp/bin/srun"
pids=()
for i in 0 1 2 3; do
    RANKS=$RANKS PATH=$tmp/bin:$PATH SLURM_SUBMIT_DIR=$tmp/submit SLURM_ARRAY_JOB_ID=90 \
        SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=4 \
        bash "$PAINTERS_SOURCE_DIR/cluster/slurm/study-array.sbatch" "$tmp/array" "${ARGS[@]}" > "$tmp/array$i.log" 2>&1 &
    pids+=($!)
done
rcs=""
for p in "${pids[@]}"; do wait "$p"; rcs="$rcs$?"; done
check "study-array.sbatch: the 4 array tasks exit 0" "[ $rcs = 0000 ]"
check "study-array.sbatch: shard 3/4 runs no plan" "grep -q '(shard 3/4: 0 of the plans)' $tmp/array3.log"
check "study-array.sbatch: merged = the study in one process" "grep -q 'merged 4 shards' $tmp/array?.log && same_study $tmp/one $tmp/array"

# Bad shard values and array variables: exit 2, naming what is wrong.
for bad in 2/2 -1/2 1/0 abc 1/2x /2 1/; do
    "$P" study "$tmp/bad" "${ARGS[@]}" --shard "$bad" > "$tmp/bad.log" 2>&1
    check "--shard $bad: exit 2" "[ \$? -eq 2 ] && grep -q -- \"--shard '$bad': expected I/N\" $tmp/bad.log"
done
SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=2 "$P" study "$tmp/bad" "${ARGS[@]}" > "$tmp/bad.log" 2>&1
check "array task 7 of 0-1: exit 2 naming the variables" "[ \$? -eq 2 ] && grep -q 'SLURM_ARRAY_TASK_ID=7, SLURM_ARRAY_TASK_MIN=0, SLURM_ARRAY_TASK_COUNT=2' $tmp/bad.log"
SLURM_ARRAY_TASK_ID=1 "$P" study "$tmp/bad" "${ARGS[@]}" > "$tmp/bad.log" 2>&1
check "array task without _MIN and _COUNT: exit 2" "[ \$? -eq 2 ] && grep -q 'SLURM_ARRAY_TASK_COUNT=(unset)' $tmp/bad.log"
"$P" study "$tmp/bad" "${ARGS[@]}" --shard 0/2 --merge > "$tmp/bad.log" 2>&1
check "--shard with --merge: exit 2" "[ \$? -eq 2 ]"
check "bad values: nothing written" "[ ! -e $tmp/bad ]"
"$P" study "$tmp/sh" "${ARGS[@]}" --shard 0/3 > "$tmp/split3.log" 2>&1
check "a shard of 3 in a folder of 2: exit 2" "[ \$? -eq 2 ] && grep -q 'split into 2 shards, not 3' $tmp/split3.log"
"$P" study "$tmp/none" "${ARGS[@]}" --merge > "$tmp/none.log" 2>&1
check "--merge without shards: exit 2" "[ \$? -eq 2 ] && grep -q 'no shard results' $tmp/none.log"

echo "study_shards: $pass passed, $fail failed"
[ $fail -eq 0 ]
