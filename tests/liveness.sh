#!/usr/bin/env bash
# Liveness: --timeout bounds silence, not work (node/wire/liveness.h).
# 1. A station slowed on purpose (the test hook PAINTERS_TEST_SLOW_LAYER,
#    node/station/slow_layer.h) to 3 x --timeout per layer finishes, with
#    the logits of an unslowed run, bit for bit: once where rank 0 waits on
#    it, once where another station does.
# 2. A station stopped (SIGSTOP) mid-run: rank 0 hears no heartbeat from it
#    and ends the job, naming it, within 2 x --timeout + slack.
# 3. Rank 0 stopped mid-run: the stations hear no heartbeat from it and end
#    the job, naming rank 0, within the same bound.
# 4. The whole job stopped for 3 x --timeout and continued finishes.
# The bounds leave slack for a loaded machine: they say that the job ends,
# not how fast painters is.
set -u
P=${PAINTERS:?}
HERE=$PAINTERS_SOURCE_DIR/tests
export OMPI_MCA_rmaps_base_oversubscribe=1
export PAINTERS_TEST_JOB=liveness-$$
source "$HERE/job_watch.sh"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
TIMEOUT=2
BOUND=14 # 2 x --timeout, and 10 s for a loaded machine's MPI_Abort and mpirun

# 1. Slowed stations. Rank 2 hosts one layer, the last (rank 0 waits on it)
# or the first (rank 1 waits on it), and sleeps 6 s in it.
for where in last first; do
    if [ $where = last ]; then
        placement='{"stations": [{"rank": 1, "layers": "0-14"}, {"rank": 2, "layers": [15]}]}'
    else
        placement='{"stations": [{"rank": 2, "layers": [0]}, {"rank": 1, "layers": "1-15"}]}'
    fi
    FORWARD=(forward --tokens 1,5,9,14,2 --timeout $TIMEOUT --placement "$placement")
    timeout 120 mpirun -n 3 "$P" "${FORWARD[@]}" --out "$tmp/ref_$where.st" > "$tmp/ref_$where.log" 2>&1
    check "slowed ($where layer): the unslowed run" "[ \$? -eq 0 ]"
    start=$(date +%s.%N)
    PAINTERS_TEST_SLOW_LAYER=2:$((3 * TIMEOUT)) timeout 120 mpirun -n 3 "$P" "${FORWARD[@]}" \
        --out "$tmp/slow_$where.st" > "$tmp/slow_$where.log" 2>&1
    rc=$? took=$(since "$start")
    echo "liveness: rank 2 slowed to $((3 * TIMEOUT)) s in its layer ($where), --timeout $TIMEOUT: status $rc after $took s"
    check "slowed ($where layer): the job succeeds" "[ $rc -eq 0 ]"
    check "slowed ($where layer): the hook slowed it (at least 6 s)" "awk -v t=$took 'BEGIN {exit !(t >= 6)}'"
    check "slowed ($where layer): the logits of the unslowed run, bit for bit" "cmp -s $tmp/ref_$where.st $tmp/slow_$where.st"
    [ $rc -eq 0 ] || cat "$tmp/slow_$where.log"
done

# 2 and 3. A rank stopped mid-run.
BENCH=(bench -p 8 -n 64 -r 1000 --no-all --threads 1 --timeout $TIMEOUT --verbose)
for victim_rank in 2 0; do
    log=$tmp/stop$victim_rank.log
    mpirun -n 4 "$P" "${BENCH[@]}" > "$log" 2>&1 &
    job=$!
    # Rank 0 prints the stations' memory (--verbose) just before it sends
    # them the setup; a second later they have it, and the job's --timeout.
    victim=$(pid_of_rank $victim_rank)
    for i in $(seq 1 600); do grep -q 'station memory' "$log" && break; sleep 0.1; done
    sleep 1
    start=$(date +%s.%N); kill -STOP "$victim"
    await_end $job "$log" "$start" 60
    kill -9 "$victim" 2> /dev/null
    report "SIGSTOP of rank $victim_rank of 4, --timeout $TIMEOUT"
    check "rank $victim_rank stopped: the job ends, status 1, within $BOUND s" "ended_within $BOUND && [ $rc -eq 1 ]"
    if [ $victim_rank = 0 ]; then
        names="\\[rank [123]\\] painters: fatal: rank [123]: .*: no sign of life from rank 0 for $TIMEOUT s"
    else
        names="painters: fatal: rank 0: .*: no sign of life from rank 2 for $TIMEOUT s .*no answer within 1 s from rank 2;"
    fi
    check "rank $victim_rank stopped: the message names it" "grep -Eq '$names' $log"
    grep 'painters: fatal' "$log"
done

# 4. The whole job stopped for 3 x --timeout and continued (as Slurm
# suspends and resumes a job): no rank counts its own pause as another's
# silence, and the job finishes with the unslowed run's logits. Rank 2
# sleeps 4 s in its layer meanwhile, so that the job is still running.
placement='{"stations": [{"rank": 1, "layers": "0-14"}, {"rank": 2, "layers": [15]}]}'
log=$tmp/suspend.log
PAINTERS_TEST_SLOW_LAYER=2:4 mpirun -n 3 "$P" forward --tokens 1,5,9,14,2 --timeout $TIMEOUT \
    --placement "$placement" --out "$tmp/suspend.st" > "$log" 2>&1 &
job=$!
ranks=$(for r in 0 1 2; do pid_of_rank $r; done)
sleep 1
kill -STOP $ranks; sleep $((3 * TIMEOUT)); kill -CONT $ranks
start=$(date +%s.%N)
await_end $job "$log" "$start" 60
echo "liveness: the job stopped $((3 * TIMEOUT)) s and continued: status $rc after $took s more"
check "suspended and resumed: the job succeeds" "[ $rc -eq 0 ]"
check "suspended and resumed: the logits of the unslowed run" "cmp -s $tmp/ref_last.st $tmp/suspend.st"
[ $rc -eq 0 ] || cat "$log"

echo "liveness: $pass passed, $fail failed"
[ $fail -eq 0 ]
