#!/usr/bin/env bash
# The stations through the command line under mpirun: forward and generate
# against the reference, the trace of a looped-parallel plan on round-robin
# placement, too few ranks, a mismatched wire version, a damaged canvas, a
# spread step's bad broadcast header, and a killed station.
set -u
P=${PAINTERS:?}
source "$PAINTERS_SOURCE_DIR/tests/shared.sh"
MPIRUN=${MPIRUN:-mpirun}
export OMPI_MCA_rmaps_base_oversubscribe=1
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
FX=$SHARED/fixtures/tiny-llama

if [ -d "$FX" ]; then
    # forward --out at 3 and 5 ranks, round-robin: logits against the reference.
    for n in 3 5; do
        ids=$(python3 -c "import json; print(','.join(map(str, json.load(open('$FX/reference.json'))['sequences'][1])))")
        $MPIRUN -n $n "$P" forward --model "$FX" --placement round-robin \
            --plan '{"variant": "looped_parallel", "N": 1}' --tokens "$ids" --out "$tmp/l$n.safetensors" > /dev/null
        check "forward -n $n logits vs reference" "python3 - '$tmp/l$n.safetensors' '$FX/reference.safetensors' <<'PY'
import json, struct, sys
def read(path, name):
    f = open(path, 'rb'); n = struct.unpack('<Q', f.read(8))[0]; h = json.loads(f.read(n)); t = h[name]
    f.seek(8 + n + t['data_offsets'][0]); cnt = (t['data_offsets'][1] - t['data_offsets'][0]) // 4
    return t['shape'], struct.unpack('<%df' % cnt, f.read(cnt * 4))
shape, got = read(sys.argv[1], 'logits')
_, ref = read(sys.argv[2], 'looped_parallel_N1/seq1/last_logits')
V = shape[1]; last = got[-V:]
mag = max(abs(x) for x in ref); err = max(abs(a - b) for a, b in zip(last, ref))
sys.exit(0 if err <= 1e-4 * mag else 1)
PY"
    done
    # generate --tokens at 2, 3 and 5 ranks: the reference's greedy tokens.
    for n in 2 3 5; do
        want=$(python3 -c "import json; print(','.join(map(str, json.load(open('$FX/reference.json'))['plans']['custom_pairs']['greedy'][0])))")
        prompt=$(python3 -c "import json; print(','.join(map(str, json.load(open('$FX/reference.json'))['plans']['custom_pairs']['greedy_prompts'][0])))")
        got=$($MPIRUN -n $n "$P" generate --model "$FX" --placement round-robin --no-stop --max-new 16 \
              --plan '{"steps": [{"layers": [0]}, {"parallel": [1, 2]}, {"parallel": [3, 4]}, {"parallel": [5, 6]}, {"layers": [7]}]}' \
              --tokens "$prompt" 2>/dev/null | awk '/^tokens:/ {print $2}')
        check "generate -n $n greedy tokens" "[ '$got' = '$want' ]"
    done
else
    shared_part_missing "$FX (the reference checks)" || fail=$((fail+1))
fi

# Trace of looped-parallel on round-robin: the group's layers run on several
# stations at once, and no canvas returns to rank 0 between station steps.
toks=$(python3 -c "print(','.join(str(1 + i * 37 % 4000) for i in range(160)))")
$MPIRUN -n 5 "$P" forward --placement round-robin --plan "$PAINTERS_SOURCE_DIR/plans/looped_parallel.json" \
    --tokens "$toks" --trace "$tmp/trace.jsonl" > /dev/null
check "trace written" "[ -s $tmp/trace.jsonl ]"
check "trace: parallel groups on >= 2 stations, overlapping; rank 0 only at the ends" "python3 - '$tmp/trace.jsonl' <<'PY'
import json, sys, collections
ev = [json.loads(l) for l in open(sys.argv[1])]
last = max(e['step'] for e in ev if e['rank'] == 0)
spread = {e['step'] for e in ev if e['event'] == 'bcast'}
ok_overlap = ok_ranks = 0
for s in spread:
    apps = [e for e in ev if e['event'] == 'apply' and e['step'] == s]
    ranks = {e['rank'] for e in apps}
    overlap = any(a['rank'] != b['rank'] and max(a['start'], b['start']) < min(a['end'], b['end'])
                  for a in apps for b in apps)
    ok_ranks += len(ranks) >= 2
    ok_overlap += overlap
rank0 = [e for e in ev if e['rank'] == 0]
via0 = [e for e in rank0 if not ((e['event'] == 'send' and e['step'] == 0) or (e['event'] == 'recv' and e['step'] == last))]
hops = [e for e in ev if e['rank'] != 0 and e['event'] == 'recv' and e['step'] > 0 and e['peer'] == 0]
print('spread steps', sorted(spread), 'on >= 2 stations', ok_ranks, 'overlapping', ok_overlap, 'rank-0 middle events', len(via0), 'station receives from rank 0 after step 0', len(hops))
# Every group on >= 2 stations; their layers running at the same time in at
# least one (on a loaded machine the OS may run a group's stations in turn).
sys.exit(0 if spread and ok_ranks == len(spread) and ok_overlap >= 1 and not via0 and not hops else 1)
PY"
check "plot the trace" "bash $PAINTERS_SOURCE_DIR/cluster/plot_trace.sh $tmp/trace.jsonl $tmp/trace.png > /dev/null && [ -s $tmp/trace.png ]"

# Too few ranks for a placement: exit 2 before any work.
$MPIRUN -n 2 "$P" forward --tokens 1,2 --placement '{"stations": [{"rank": 1, "layers": "0-7"}, {"rank": 3, "layers": "8-15"}]}' > "$tmp/out" 2>&1
rc=$?
check "too few ranks: exit 2 naming the rank" "[ $rc -eq 2 ] && grep -q 'rank 3 is outside' $tmp/out"
$MPIRUN -n 3 "$P" forward --tokens 1,2 --placement '{"stations": [{"rank": 1, "layers": "0-7"}]}' > "$tmp/out" 2>&1
rc=$?
check "unhosted layer: exit 2" "[ $rc -eq 2 ] && grep -q 'hosted by no station' $tmp/out"

# A station speaking another wire version is refused, naming the ranks.
cat > "$tmp/other_build.sh" <<'SH'
#!/bin/sh
[ "$OMPI_COMM_WORLD_RANK" = 2 ] && export PAINTERS_WIRE_VERSION=99
exec "$@"
SH
chmod +x "$tmp/other_build.sh"
$MPIRUN -n 3 "$tmp/other_build.sh" "$P" forward --tokens 1,2 > "$tmp/out" 2>&1
rc=$?
check "mismatched wire version refused" "[ $rc -ne 0 ] && grep -q 'wire version' $tmp/out"

# A canvas damaged on its way (rank 1 sends bad checksums): the receiver ends
# the job naming both ranks.
cat > "$tmp/damaged.sh" <<'SH'
#!/bin/sh
[ "$OMPI_COMM_WORLD_RANK" = 1 ] && export PAINTERS_CORRUPT_CANVAS=1
exec "$@"
SH
chmod +x "$tmp/damaged.sh"
$MPIRUN -n 3 "$tmp/damaged.sh" "$P" forward --tokens 1,2,3 > "$tmp/out" 2>&1
rc=$?
check "damaged canvas refused naming both ranks" "[ $rc -ne 0 ] && grep -q 'rank 2: canvas of request .* from rank 1 fails its checksum' $tmp/out"

# A spread step's broadcast header that does not match its payload (rank 1,
# the group's entry, announces one token more): the group's other rank
# refuses it before sizing its buffers by it, naming both ranks. Round-robin
# over 3 ranks puts layers 1 and 2 on ranks 1 and 2: the group is spread.
cat > "$tmp/bad_group_header.sh" <<'SH'
#!/bin/sh
[ "$OMPI_COMM_WORLD_RANK" = 1 ] && export PAINTERS_CORRUPT_GROUP_HEADER=1
exec "$@"
SH
chmod +x "$tmp/bad_group_header.sh"
$MPIRUN -n 3 "$tmp/bad_group_header.sh" "$P" forward --placement round-robin \
    --plan '{"steps": [{"layers": [0]}, {"parallel": [1, 2]}, {"layers": [3]}]}' --tokens 1,2,3 > "$tmp/out" 2>&1
rc=$?
check "bad group header refused naming both ranks" "[ $rc -eq 1 ] && grep -q 'rank 2: canvas header from rank 1 describes 4 tokens' $tmp/out"

# Kill a station mid-run: mpirun must end non-zero within 10 s naming the rank.
# The job is marked so that another test's job running beside it is left alone.
export PAINTERS_TEST_JOB=mpi_stations-$$
$MPIRUN -n 3 "$P" bench -p 64 -n 64 -r 1000 --threads 1 > "$tmp/kill.out" 2>&1 &
mp=$!
victim=""
for i in $(seq 1 100); do
    for pid in $(pgrep -f "$P bench" || true); do
        env=$(tr '\0' '\n' < /proc/$pid/environ 2>/dev/null)
        if grep -qx 'OMPI_COMM_WORLD_RANK=2' <<< "$env" && grep -qx "PAINTERS_TEST_JOB=$PAINTERS_TEST_JOB" <<< "$env"; then victim=$pid; fi
    done
    [ -n "$victim" ] && grep -q '^# station\|pp32\|^# model' "$tmp/kill.out" 2>/dev/null && break
    [ -n "$victim" ] && [ $i -gt 20 ] && break
    sleep 0.1
done
check "found rank 2's process" "[ -n '$victim' ]"
if [ -n "$victim" ]; then
    start=$(date +%s.%N)
    kill -9 "$victim"
    ended=0
    for i in $(seq 1 100); do
        if ! kill -0 $mp 2>/dev/null; then ended=1; break; fi
        sleep 0.1
    done
    wait $mp; rc=$?
    took=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
    echo "killed rank 2: mpirun ended with status $rc after $took s"
    check "killed station ends the job within 10 s" "[ $ended -eq 1 ] && [ $rc -ne 0 ]"
    check "the message names rank 2" "grep -qi 'rank 2' $tmp/kill.out"
else
    kill -9 $mp 2>/dev/null
fi

echo "mpi_stations: $pass passed, $fail failed"
[ $fail -eq 0 ]
