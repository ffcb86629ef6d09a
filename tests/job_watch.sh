# job_watch.sh: sourced by the fault tests (faults.sh, liveness.sh) to find
# the process of one MPI rank of their job and to time the job's end. Needs
# P (the painters binary); sets PAINTERS_TEST_JOB, which tells this test's
# jobs from other tests' running beside it.

# The pid of this test's painters process with MPI rank R (waits up to 20 s);
# other tests' jobs may run beside it.
export PAINTERS_TEST_JOB=${PAINTERS_TEST_JOB:-faults-$$}
pid_of_rank() {
    local i pid env
    for i in $(seq 1 200); do
        for pid in $(pgrep -f "^$P " || true); do
            env=$(tr '\0' '\n' < "/proc/$pid/environ" 2> /dev/null)
            if grep -qx "OMPI_COMM_WORLD_RANK=$1" <<< "$env" && grep -qx "PAINTERS_TEST_JOB=$PAINTERS_TEST_JOB" <<< "$env"; then
                echo "$pid"; return 0
            fi
        done
        sleep 0.1
    done
    return 1
}

# Seconds since START (date +%s.%N), one decimal.
since() { awk -v s="$1" -v n="$(date +%s.%N)" 'BEGIN {printf "%.1f", n - s}'; }

# ended_within SECONDS: the job ended, non-zero, in less than SECONDS.
ended_within() { [ "$ended" -eq 1 ] && [ "$rc" -ne 0 ] && awk -v t="$took" -v l="$1" 'BEGIN {exit !(t < l)}'; }

# Waits (at most LIMIT s) for the job JOB (a pid) to end, its output in LOG;
# sets ended, rc, took (seconds from START to the end) and said (seconds from
# START to painters' fatal message, or "-").
await_end() {
    local job=$1 log=$2 start=$3 limit=$4
    ended=0 said="-"
    while :; do
        if [ "$said" = "-" ] && grep -q 'painters: fatal' "$log" 2> /dev/null; then said=$(since "$start"); fi
        if ! kill -0 "$job" 2> /dev/null; then ended=1; break; fi
        awk -v t="$(since "$start")" -v l="$limit" 'BEGIN {exit !(t > l)}' && break
        sleep 0.1
    done
    [ $ended -eq 1 ] || kill -9 "$job" 2> /dev/null
    wait "$job"; rc=$?
    took=$(since "$start")
    [ "$said" = "-" ] && grep -q 'painters: fatal' "$log" && said=$took
}

report() { echo "fault: $1: job ended with status $rc after $took s (painters' message after $said s)"; }
