#!/usr/bin/env bash
# Soak: 10,000 requests (one canvas each) through a 5-rank pipeline: painters
# eval --no-pack over ten tasks of 1,000 one-word documents on a small
# random-weight model, one job. The resident memory of every rank is sampled
# every 0.1 s: while the last 1,000 requests run it must stay within 2 MiB
# (or 5 %) of what it was once the first 1,000 were done.
set -u
P=${PAINTERS:?}
DEMO=$PAINTERS_SOURCE_DIR/models/painters-demo-16L
export OMPI_MCA_rmaps_base_oversubscribe=1
export PAINTERS_TEST_JOB=soak-$$
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
TASKS=10 PER_TASK=1000 RANKS=5

python3 - "$DEMO/config.json" "$tmp" "$PER_TASK" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(hidden_size=128, intermediate_size=384, num_attention_heads=4, num_key_value_heads=2,
         head_dim=32, num_hidden_layers=8)
json.dump(c, open(sys.argv[2] + "/config.json", "w"))
words = "the a of cat dog sun red blue run sat on mat big small one two three".split()
open(sys.argv[2] + "/docs.txt", "w").write("".join(words[i % len(words)] + "\n" for i in range(int(sys.argv[3]))))
PY
"$P" synth --config "$tmp/config.json" --out "$tmp/model" > /dev/null && cp "$DEMO/tokenizer.model" "$tmp/model/"
check "small model written" "[ -s $tmp/model/model.safetensors ]"

args=()
for i in $(seq 1 $TASKS); do args+=(--task "ppl:$tmp/docs.txt"); done
timeout 300 mpirun -n $RANKS "$P" eval --model "$tmp/model" "${args[@]}" --no-pack --verbose \
    --timeout 60 > "$tmp/eval.log" 2>&1 &
job=$!

# The ranks' pids (pid_of[rank]), by this job's mark.
pid_of=()
found=0
for i in $(seq 1 300); do
    for pid in $(pgrep -f "^$P eval" || true); do
        env=$(tr '\0' '\n' < "/proc/$pid/environ" 2> /dev/null)
        grep -qx "PAINTERS_TEST_JOB=$PAINTERS_TEST_JOB" <<< "$env" || continue
        rank=$(sed -n 's/^OMPI_COMM_WORLD_RANK=//p' <<< "$env")
        [ -n "$rank" ] && pid_of[$rank]=$pid
    done
    found=0
    for rank in $(seq 0 $((RANKS - 1))); do [ -n "${pid_of[$rank]:-}" ] && found=$((found + 1)); done
    [ $found -eq $RANKS ] && break
    sleep 0.1
done
check "found the $RANKS ranks" "[ $found -eq $RANKS ]"

# Samples: requests done (tasks finished x 1,000), then rank:VmRSS:VmHWM in kB.
while kill -0 $job 2> /dev/null; do
    done_tasks=$(grep -c '^ppl:.*perplexity' "$tmp/eval.log" 2> /dev/null)
    line="$((done_tasks * PER_TASK))"
    for rank in $(seq 0 $((RANKS - 1))); do
        mem=$(awk '/^VmRSS:/ {rss = $2} /^VmHWM:/ {hwm = $2} END {if (rss) print rss ":" hwm}' \
              "/proc/${pid_of[$rank]:-0}/status" 2> /dev/null)
        [ -n "$mem" ] && line="$line $rank:$mem"
    done
    echo "$line" >> "$tmp/samples"
    sleep 0.1
done
wait $job
check "10,000 requests evaluated" "[ \$? -eq 0 ] && [ \$(grep -c '^ppl:.*perplexity' $tmp/eval.log) -eq $TASKS ]"
check "each station served 10,000 canvases (2 steps each)" "[ \$(awk '/^  [0-9]/ && \$3 == $((2 * TASKS * PER_TASK)) {n++} END {print n}' $tmp/eval.log) -eq $((RANKS - 1)) ]"
grep -E '^# rank|^  [0-9]' "$tmp/eval.log"

python3 - "$tmp/samples" "$PER_TASK" "$((TASKS * PER_TASK))" "$RANKS" <<'PY'
import sys
first_k, total, n_ranks = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    mem = {}
    for x in f[1:]:
        r, rss, hwm = map(int, x.split(":"))
        mem[r] = (rss, hwm)
    rows.append((int(f[0]), mem))
ranks = sorted({r for _, d in rows for r in d})
if len(ranks) != n_ranks:
    print("samples of ranks %s only" % ranks)
    sys.exit(1)
# The steady state: the first window of samples at or after first_k requests
# done, and the last window before all were done (the job then shuts down).
serving = sorted({n for n, _ in rows if first_k <= n < total})
if len(serving) < 2:
    print("too few samples while serving (requests done at each: %s)" % sorted({n for n, _ in rows}))
    sys.exit(1)
early_n, late_n = serving[0], serving[-1]
print("%d samples; resident memory (MiB) of each rank: at the start, after %d and after %d requests "
      "(peak of the samples then), at the last sample, and the high-water mark (VmHWM)" % (len(rows), early_n, late_n))
print("  rank    start  @%-6d  @%-6d  growth    last   VmHWM" % (early_n, late_n))
ok = True
for r in ranks:
    series = [(n, d[r]) for n, d in rows if r in d]
    early = max(m[0] for n, m in series if n == early_n)
    late = max(m[0] for n, m in series if n == late_n)
    hwm = max(m[1] for n, m in series)
    growth = late - early
    print("  %4d %8.1f %8.1f %8.1f %+7.2f %7.1f %7.1f" % (r, series[0][1][0] / 1024, early / 1024,
          late / 1024, growth / 1024, series[-1][1][0] / 1024, hwm / 1024))
    ok &= growth <= max(2048, 0.05 * early)
sys.exit(0 if ok else 1)
PY
check "every rank's memory flat from the first 1,000 requests to the last" "[ $? -eq 0 ]"

echo "soak: $pass passed, $fail failed"
[ $fail -eq 0 ]
