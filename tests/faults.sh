#!/usr/bin/env bash
# Faults injected into running jobs, each of which must end non-zero within a
# bounded time with a message naming the failed rank; the seconds each took
# are printed. A station killed (SIGKILL) and one stopped (SIGSTOP, caught by
# --timeout 5) mid-run; one stopped between runs, before a plan ending in a
# parallel group spread over stations; one stopped after its last request, before the job
# ends (rank 0's wait for it fails inside exit(): status 1, one message); a
# link cut between hosts (network namespaces, root);
# then a study killed (rank 0, then a station) and resumed: every cell once.
set -u
P=${PAINTERS:?}
HERE=$PAINTERS_SOURCE_DIR/tests
T=$PAINTERS_SOURCE_DIR/tasks/painters-demo
source "$HERE/netns_hosts.sh"
export OMPI_MCA_rmaps_base_oversubscribe=1
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'netns_hosts_down; rm -rf "$tmp"' EXIT
BENCH=(bench -p 64 -n 64 -r 1000 --threads 1)

source "$HERE/job_watch.sh"

# 1. A station killed mid-run: mpirun ends the job at once.
mpirun -n 5 "$P" "${BENCH[@]}" --timeout 5 > "$tmp/kill.log" 2>&1 &
job=$!
victim=$(pid_of_rank 2); sleep 2
start=$(date +%s.%N); kill -9 "$victim"
await_end $job "$tmp/kill.log" "$start" 30
report "SIGKILL of rank 2 of 5"
check "killed station: the job ends non-zero within 10 s" "ended_within 10"
check "killed station: the message names rank 2" "grep -q 'rank 2 with PID' $tmp/kill.log"
grep -m1 'rank 2 with PID' "$tmp/kill.log"

# The message of the rank that notices that rank 2 is gone: rank 0, which
# hears no heartbeat from it for --timeout ("rank 0: step 4: waiting for the
# canvas from rank 1: no sign of life from rank 2 for 5 s"), and whose probe
# then finds rank 2 silent.
names_rank2() {
    grep -Eq "painters: fatal: rank 0: .*step [0-9]+.*: no sign of life from rank 2 for 5 s .*no answer within 1 s from rank 2(;|$)" "$1"
}

# 2. A station stopped mid-run: rank 0 hears no heartbeat from it.
mpirun -n 5 "$P" "${BENCH[@]}" --timeout 5 > "$tmp/stop.log" 2>&1 &
job=$!
victim=$(pid_of_rank 2); sleep 2
start=$(date +%s.%N); kill -STOP "$victim"
await_end $job "$tmp/stop.log" "$start" 40
kill -9 "$victim" 2> /dev/null
report "SIGSTOP of rank 2 of 5, --timeout 5"
check "stopped station: the job ends non-zero within 15 s" "ended_within 15"
check "stopped station: the message names the step and rank 2" "names_rank2 $tmp/stop.log"
grep 'painters: fatal' "$tmp/stop.log"

# 3. A station stopped while the ranks are idle between runs: rank 0 then
# runs a plan ending in a parallel group spread over both stations, whose
# parts it adds up; the waits for the stopped rank time out instead of
# hanging. Rank 0 holds still reading its task from a FIFO until rank 2 is
# stopped.
mkfifo "$tmp/doc.fifo"
exec 3<> "$tmp/doc.fifo"
mpirun -n 3 "$P" eval --task "ppl:$tmp/doc.fifo" --placement round-robin --timeout 5 \
    --plan '{"steps": [{"layers": ["0-13"]}, {"parallel": [14, 15]}]}' > "$tmp/route.log" 2>&1 3>&- &
job=$!
reader=$(pid_of_rank 0)
for i in $(seq 1 200); do
    ls -l "/proc/$reader/fd" 2> /dev/null | grep -q doc.fifo && break
    sleep 0.1
done
victim=$(pid_of_rank 2)
start=$(date +%s.%N); kill -STOP "$victim"
echo "the cat sat on the mat" >&3
exec 3>&-
await_end $job "$tmp/route.log" "$start" 40
kill -9 "$victim" 2> /dev/null
report "SIGSTOP of rank 2 of 3 between runs, --timeout 5"
check "stopped between runs: the job ends non-zero within 15 s" "ended_within 15"
check "stopped between runs: the message names rank 2" "names_rank2 $tmp/route.log"
check "stopped between runs: rank 0's probe hears rank 1" "grep -q 'no answer within 1 s from rank 2; rank 1: step' $tmp/route.log || grep -q '^.rank 1. painters: fatal' $tmp/route.log"
grep 'painters: fatal' "$tmp/route.log"

# 3b. A station stopped after its last request: rank 0 releases the stations
# and waits, bounded, for each to say it is done before MPI_Finalize (which
# would wait forever). Rank 0 holds still opening its trace, a FIFO, which it
# does once every station has reported: rank 2 is stopped while rank 0 waits
# there for a reader (wait_for_partner in /proc/PID/wchan), not after (rank 2
# could then be done already, and MPI_Finalize wait forever for it stopped).
mkfifo "$tmp/trace.fifo"
mpirun -n 3 "$P" forward --tokens 1,2,3 --timeout 5 --trace "$tmp/trace.fifo" > "$tmp/end.log" 2>&1 &
job=$!
victim=$(pid_of_rank 2)
writer=$(pid_of_rank 0)
for i in $(seq 1 300); do
    grep -q wait_for_partner "/proc/$writer/wchan" 2> /dev/null && break
    sleep 0.1
done
grep -q wait_for_partner "/proc/$writer/wchan" 2> /dev/null ||
    echo "note: rank 0 not seen waiting for the trace's reader (no /proc/PID/wchan?)"
kill -STOP "$victim"
timeout 60 cat "$tmp/trace.fifo" > /dev/null
start=$(date +%s.%N)
await_end $job "$tmp/end.log" "$start" 40
kill -9 "$victim" 2> /dev/null
report "SIGSTOP of rank 2 of 3 after its last request, --timeout 5"
check "stopped at the end: the job ends non-zero within 15 s" "ended_within 15"
check "stopped at the end: the message names rank 2" "grep -q 'painters: fatal: rank 0: releasing the stations: rank 2 did not finish within 5 s' $tmp/end.log"
# That failure comes inside exit() (rank 0's atexit handler): it must end the
# job once, with die_runtime's status, not call exit() again.
check "stopped at the end: the job's status is die_runtime's, 1" "[ $rc -eq 1 ]"
check "stopped at the end: the message once" "[ \$(grep -c 'releasing the stations: rank 2 did not finish' $tmp/end.log) -eq 1 ]"
check "stopped at the end: the command's work was done" "grep -q '^argmax' $tmp/end.log"
grep 'painters: fatal' "$tmp/end.log"

# 4. A link cut: host 3 (rank 2) drops off the network. painters notices
# after --timeout and names rank 2; mpirun then waits until TCP gives up on
# host 3's daemon (the hosts' net.ipv4.tcp_retries2, set to 3 here: about
# 3 s; Debian's default 15 means about 15 minutes).
if (netns_require) > "$tmp/netns.txt"; then
    netns_hosts_up "$tmp" || { echo "FAIL could not set up the namespaces"; exit 1; }
    for ns in "${NETNS_HOSTS[@]}"; do ip netns exec "$ns" sh -c 'echo 3 > /proc/sys/net/ipv4/tcp_retries2'; done
    netns_mpirun 120 -n 5 "$P" "${BENCH[@]}" --timeout 5 > "$tmp/link.log" 2>&1 &
    job=$!
    pid_of_rank 2 > /dev/null; sleep 3
    start=$(date +%s.%N); ip -n "${NETNS_HOSTS[2]}" link set pt0 down
    await_end $job "$tmp/link.log" "$start" 60
    report "link of host 3 (rank 2 of 5) cut, --timeout 5"
    check "cut link: the job ends non-zero within 40 s" "ended_within 40"
    check "cut link: the message names the step and rank 2" "names_rank2 $tmp/link.log"
    grep 'painters: fatal' "$tmp/link.log"
    netns_hosts_down
else
    echo "skipped the cut link: $(cat "$tmp/netns.txt")"
fi

# 5. A study killed, then run again with the same OUT: it resumes, and every
# cell is there once, with the values of an uninterrupted run (of one rank:
# the exact float32 products, as BF16 ones may vary with a rank's threads).
STUDY=(--variants skip,parallel --N 4 --task "ppl:$T/heldout.txt" --task "mc:$T/cloze.jsonl"
       --task "gen:$T/arith.jsonl" --limit 8 --similarity 0 --no-report --placement round-robin --timeout 30
       --compute f32)
timeout 120 "$P" study "$tmp/study_ref" "${STUDY[@]}" > "$tmp/study_ref.log" 2>&1
check "reference study" "[ \$? -eq 0 ]"
for who in 0 1; do
    out=$tmp/study_kill$who
    mpirun -n 3 "$P" study "$out" "${STUDY[@]}" > "$out.log" 2>&1 &
    job=$!
    for i in $(seq 1 600); do
        [ "$(cat "$out/results.csv" 2> /dev/null | wc -l)" -ge 4 ] && break
        sleep 0.05
    done
    victim=$(pid_of_rank $who)
    start=$(date +%s.%N); kill -9 "$victim"
    await_end $job "$out.log" "$start" 30
    rows=$(($(wc -l < "$out/results.csv") - 1))
    report "SIGKILL of rank $who of 3 during a study ($rows result rows on disk)"
    check "study, rank $who killed: the job ends non-zero within 10 s" "ended_within 10"
    timeout 120 mpirun -n 3 "$P" study "$out" "${STUDY[@]}" > "$out.resumed.log" 2>&1
    check "study, rank $who killed: resumed and completed" "[ \$? -eq 0 ] && grep -q resuming $out.resumed.log"
    check "study, rank $who killed: every cell once, values as uninterrupted" "python3 $HERE/same_results.py $tmp/study_ref/results.csv $out/results.csv"
done

echo "faults: $pass passed, $fail failed"
[ $fail -eq 0 ]
