#!/usr/bin/env bash
# A real one-node Slurm (tests/slurm_lib.sh) runs the project's own batch
# scripts with sbatch, as a user submits them: cluster/slurm/painters.sbatch
# (srun --mpi=pmix) and painters-mpirun.sbatch (mpirun inside the
# allocation) give the argmax lines of the same command under mpirun, byte
# for byte; threads per rank follow --cpus-per-task (SLURM_CPUS_PER_TASK);
# a study as a job array (study-array.sbatch), one task requeued while it
# runs, resumes and merges into the results of the same study under mpirun;
# every daemon the test started is gone at the end. Skipped (77) without
# Slurm's packages or root; under CI=true it must run.
set -euo pipefail
P=${PAINTERS:?}
SRC=${PAINTERS_SOURCE_DIR:?}
source "$SRC/tests/slurm_lib.sh"
slurm_need_packages
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
pass=0 fail=0
check() {
    if eval "$2"; then pass=$((pass + 1)); else
        fail=$((fail + 1))
        echo "FAIL $1"
    fi
}
tmp=$(mktemp -d)
trap 'slurm_stop; rm -rf "$tmp"' EXIT
slurm_start "$tmp/slurm"
trap 'slurm_stop; rm -rf "$tmp"' EXIT
daemons=("${SLURM_LIB_PIDS[@]}")
echo "cluster up: node $SLURM_NODE, $(nproc --all) CPUs, daemons ${daemons[*]}"

# Slurm refuses more tasks per node than CPUs (-O or not, once
# --ntasks-per-node is given, as it must be to override the scripts'
# #SBATCH lines): 3 ranks where the node has 3 CPUs, else 2.
RANKS=3
[ "$(nproc --all)" -ge 3 ] || RANKS=2
TOKENS=1,5,9,200,17,3,42,8
FIT="-N1 -n$RANKS --ntasks-per-node=$RANKS --cpus-per-task=1 --time=00:05:00"
cd "$tmp"

# The reference: the same command under mpirun, outside Slurm.
timeout 120 mpirun --oversubscribe -n $RANKS "$P" forward --tokens $TOKENS > mpirun.out 2>&1 ||
    { cat mpirun.out; exit 1; }
grep '^argmax' mpirun.out > mpirun.argmax

# run_script NAME SCRIPT: sbatch the script with painters' arguments, as a
# user would; its output in NAME.out, its argmax line in NAME.argmax.
run_script() {
    local name=$1 script=$2 id state
    echo "sbatch $FIT -o $name.out $script forward --tokens $TOKENS"
    # shellcheck disable=SC2086
    id=$(slurm_submit $FIT -o "$name.out" "$script" forward --tokens $TOKENS) || return 1
    state=$(slurm_wait_job "$id" 180) || return 1
    if [ "$state" != COMPLETED ]; then
        echo "job $id ($name): $state"
        cat "$name.out"
        return 1
    fi
    grep '^argmax' "$name.out" > "$name.argmax" || { cat "$name.out"; return 1; }
}
check "painters.sbatch (srun --mpi=pmix) completes" \
    "run_script srun $SRC/cluster/slurm/painters.sbatch"
check "painters.sbatch: the argmax line of mpirun, byte for byte" "cmp srun.argmax mpirun.argmax"
check "painters-mpirun.sbatch (mpirun in the allocation) completes" \
    "run_script mpirun-in-slurm $SRC/cluster/slurm/painters-mpirun.sbatch"
check "painters-mpirun.sbatch: the argmax line of mpirun, byte for byte" \
    "cmp mpirun-in-slurm.argmax mpirun.argmax"
check "painters-mpirun.sbatch binds each rank to a core" \
    "[ \$(grep -c 'bound to' mpirun-in-slurm.out) -eq $RANKS ]"

# Threads per rank: with neither OPENBLAS_NUM_THREADS nor OMP_NUM_THREADS
# set, each task takes --cpus-per-task threads (before, every rank took
# the node's cores divided by its ranks there: all cores for one task).
# bench prints the count; --cpu-bind=verbose prints each task's mask.
threads_of() { sed -n 's/.*, \([0-9]*\) thread(s) per rank$/\1/p' "$1"; }
mask_cpus() { sed -n 's/.*mask 0x\([0-9a-f]*\) set.*/\1/p' "$1" | head -n 1; }
bench_job() {
    local name=$1 cpus=$2 id state
    local cmd="srun --mpi=pmix -n1 --cpus-per-task=$cpus --cpu-bind=verbose,cores $P bench -p 4 -n 1 -r 1 --no-all"
    echo "sbatch -N1 -n1 --cpus-per-task=$cpus -o $name.out --wrap '$cmd'"
    id=$(env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS \
        sbatch --parsable -N1 -n1 --cpus-per-task="$cpus" --time=00:05:00 -o "$name.out" --wrap "$cmd") ||
        return 1
    state=$(slurm_wait_job "$id" 180) || return 1
    [ "$state" = COMPLETED ] || { echo "job $id ($name): $state"; cat "$name.out"; return 1; }
}
check "bench with --cpus-per-task=1 completes" "bench_job cpt1 1"
check "--cpus-per-task=1: 1 thread per rank" "[ \"\$(threads_of cpt1.out)\" = 1 ]"
check "--cpus-per-task=1 --cpu-bind=cores: a mask of one CPU" \
    "case \$(mask_cpus cpt1.out) in 1|2|4|8) true;; *) false;; esac"
if [ "$(nproc --all)" -ge 2 ]; then
    check "bench with --cpus-per-task=2 completes" "bench_job cpt2 2"
    check "--cpus-per-task=2: 2 threads per rank" "[ \"\$(threads_of cpt2.out)\" = 2 ]"
    check "--cpus-per-task=2 --cpu-bind=cores: a mask of two CPUs" "[ \"\$(mask_cpus cpt2.out)\" = 3 ]"
fi
echo "threads per rank: --cpus-per-task=1: $(threads_of cpt1.out) (mask 0x$(mask_cpus cpt1.out)), --cpus-per-task=2: $(threads_of cpt2.out 2> /dev/null) (mask 0x$(mask_cpus cpt2.out 2> /dev/null))"
check "OPENBLAS_NUM_THREADS still wins over --cpus-per-task" \
    "SLURM_CPUS_PER_TASK=2 OPENBLAS_NUM_THREADS=1 $P bench -p 4 -n 1 -r 1 --no-all > env.out 2>&1 && [ \"\$(threads_of env.out)\" = 1 ]"

# A study as a job array (cluster/slurm/study-array.sbatch, --array=0-1: two
# shards into one folder), array task 0 requeued with `scontrol requeue`
# once its first cell is written, while it runs: it resumes its shard (the
# cell done before is not run again), Slurm counts the restart, the shard's
# run records hold both runs with SLURM_RESTART_COUNT 1, and the folder the
# last task merges holds the rows and values of the same study under mpirun.
T=$SRC/tasks/painters-demo
STUDY=(--variants skip,parallel --N 4 --task "ppl:$T/heldout.txt" --task "mc:$T/cloze.jsonl"
       --limit 40 --similarity 2 --compute f32 --no-report)
timeout 300 mpirun --oversubscribe -n $RANKS "$P" study ref "${STUDY[@]}" > ref.log 2>&1 ||
    { cat ref.log; exit 1; }
array_job() {
    local id first i
    echo "sbatch --array=0-1 $FIT --open-mode=append -o study-%A_%a.out study-array.sbatch arr ${STUDY[*]}"
    # shellcheck disable=SC2086
    id=$(slurm_submit --array=0-1 $FIT --open-mode=append -o "study-%A_%a.out" \
        "$SRC/cluster/slurm/study-array.sbatch" arr "${STUDY[@]}") || return 1
    ARRAY_ID=$id
    slurm_wait_running "${id}_0" 120 || return 1
    first=arr/shards/results-0-of-2.csv
    for i in $(seq 1 600); do # its first cell written: then requeue it
        [ -f "$first" ] && [ "$(grep -c . "$first")" -ge 2 ] && break
        sleep 0.1
    done
    echo "scontrol requeue ${id}_0 (state $(slurm_job_field "${id}_0" JobState), $(($(grep -c . "$first") - 1)) rows written)"
    slurm_requeue "${id}_0" || return 1
    ARRAY_STATES=$(slurm_wait_job "$id" 300) || return 1
    echo "array states: $(echo $ARRAY_STATES)"
}
check "study-array.sbatch: both array tasks complete, task 0 requeued while running" \
    "array_job && [ \"\$(echo \$ARRAY_STATES)\" = 'COMPLETED COMPLETED' ]"
check "Slurm counts the restart of task 0" "[ \"\$(slurm_job_field ${ARRAY_ID}_0 Restarts)\" = 1 ]"
check "the shard's run records: a first run cut short, then SLURM_RESTART_COUNT 1, resumed" "python3 - <<'PY'
import json
runs = json.load(open('arr/shards/run-0-of-2.json'))
runs = runs['runs'] if isinstance(runs, dict) else runs
assert len(runs) == 2, runs
assert not runs[0]['finished'] and runs[1]['finished'], runs
assert runs[1]['slurm_restart_count'] == 1, runs
assert runs[1]['cells_done_before'] >= 1, runs  # resumed: the cell written before is not run again
assert runs[1]['cells_done_before'] + runs[1]['cells_to_go'] == runs[0]['cells_to_go'], runs
print('shard 0 runs:', [(r['slurm_restart_count'], r['finished'], r['cells_done_before']) for r in runs])
PY"
check "the merged folder: the rows and values of the study under mpirun" "python3 - <<'PY'
import csv
keys = ('plan', 'variant', 'N', 'task', 'metric', 'value', 'normalized', 'ranks')
rows = lambda d: [tuple(r[k] for k in keys) for r in csv.DictReader(open(d + '/results.csv'))]
a, b = rows('ref'), rows('arr')
assert a == b and len(a) > 0, (len(a), len(b), [x for x in zip(a, b) if x[0] != x[1]][:3])
assert open('ref/summary.csv').read().split('\n')[0] == open('arr/summary.csv').read().split('\n')[0]
print('merged = mpirun: %d rows' % len(b))
PY"

slurm_stop
alive=""
for pid in "${daemons[@]}"; do kill -0 "$pid" 2> /dev/null && alive="$alive $pid"; done
check "every daemon started is gone (munged, slurmctld, slurmd)" "[ -z \"$alive\" ]"
left=$(slurm_cluster_procs | tr '\n' ' ')
check "nothing the cluster started is left (slurmstepd, tasks)" "[ -z \"$left\" ] || { echo left: $left; false; }"

echo "slurm_cluster: $pass passed, $fail failed"
[ $fail -eq 0 ]
