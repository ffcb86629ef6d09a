#!/usr/bin/env bash
# `painters eval` on the sample files of every task format (tests/data/tasks)
# with the demo model: the JSON carries the keys of its kind and sane values.
# Malformed lines (tests/data/tasks/bad) end with exit status 2 and FILE:LINE
# in the message (under AddressSanitizer), or with --skip-bad are skipped and
# counted; usage errors end with exit status 2 and a reason.
set -u
P=${PAINTERS:?}
PA=${PAINTERS_ASAN:-$P}
[ -x "$PA" ] || PA=$P
D=$PAINTERS_SOURCE_DIR/tests/data/tasks
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect NAME PATTERN -- ARGS...: exit 2 and stderr matching PATTERN, no sanitizer report.
expect() {
    local name=$1 pattern=$2; shift 3
    "$PA" "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$pattern" "$tmp/err" && ! grep -q "Sanitizer" "$tmp/err"; then
        pass=$((pass+1))
    else
        fail=$((fail+1)); echo "FAIL $name: exit $rc"; cat "$tmp/err"
    fi
}

# pycheck NAME JSON EXPECTED: python3 checks the results in JSON against
# EXPECTED, a list of [kind, items, skipped] in task order.
pycheck() {
    if python3 - "$2" "$3" > "$tmp/py.txt" 2>&1 <<'PY'
import json, math, sys
res = json.load(open(sys.argv[1]))
want = json.loads(sys.argv[2])
if isinstance(res, dict): res = [res]
METRICS = {"ppl": {"perplexity"}, "mc": {"acc", "acc_norm"}, "arc": {"acc", "acc_norm"},
           "hellaswag": {"acc", "acc_norm"}, "winogrande": {"acc"}, "lambada": {"acc", "perplexity"},
           "gen": {"exact_match"}, "gsm8k": {"exact_match", "exact_match_flexible"}}
bad = []
if len(res) != len(want): bad.append("%d results, want %d" % (len(res), len(want)))
for r, (kind, items, skipped) in zip(res, want):
    name = r.get("task", "?")
    keys = {"task", "kind", "file", "model", "plan", "program", "settings", "metrics", "counts", "timing"}
    if set(r) != keys: bad.append("%s: keys %s" % (name, sorted(r)))
    if r["kind"] != kind: bad.append("%s: kind %s, want %s" % (name, r["kind"], kind))
    if set(r["metrics"]) != METRICS[kind]: bad.append("%s: metrics %s" % (name, sorted(r["metrics"])))
    c = r["counts"]
    if (c["items"], c["skipped"]) != (items, skipped):
        bad.append("%s: items %d skipped %d, want %d %d" % (name, c["items"], c["skipped"], items, skipped))
    if not (c["tokens"] > 0 and c["tokens_run"] >= c["tokens"]): bad.append("%s: counts %s" % (name, c))
    for m, v in r["metrics"].items():
        if m == "perplexity":
            ok = math.isfinite(v) and v > 1
        else:  # a fraction of the items
            ok = 0 <= v <= 1 and abs(v * items - round(v * items)) < 1e-9
        if not ok: bad.append("%s: %s = %r" % (name, m, v))
    t = r["timing"]
    if not (t["seconds"] > 0 and t["items_per_s"] > 0 and t["tokens_per_s"] > 0):
        bad.append("%s: timing %s" % (name, t))
    if r["plan"] == "baseline" and r["program"] != [[i] for i in range(16)]:
        bad.append("%s: program %s" % (name, r["program"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
    then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; cat "$tmp/py.txt"; fi
}

# Every format in one run: a JSON list, one result per task in order.
tasks=()
for spec in arc:arc.jsonl hellaswag:hellaswag.jsonl winogrande:winogrande.jsonl \
            lambada:lambada.jsonl mc:mc.jsonl gen:gen.jsonl ppl:ppl.txt gsm8k:gsm8k.jsonl; do
    tasks+=(--task "${spec%%:*}:$D/${spec#*:}")
done
"$P" eval "${tasks[@]}" --shots 2 --max-new 16 --json "$tmp/all.json" > "$tmp/all.txt" 2> "$tmp/all.err"
check "eval of every format" "[ $? -eq 0 ]"
cat "$tmp/all.txt"
pycheck "every format: keys and values" "$tmp/all.json" \
    '[["arc",4,0],["hellaswag",4,0],["winogrande",4,0],["lambada",4,0],["mc",4,0],["gen",4,0],["ppl",4,0],["gsm8k",3,0]]'
check "a metrics line per task" "[ \$(grep -c ' items, ' $tmp/all.txt) -eq 8 ]"
check "gsm8k settings" "python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))[7][\"settings\"]; sys.exit(s != {\"limit\": 0, \"shots\": 2, \"max_new\": 16})' $tmp/all.json"

# One task: a single JSON object; --limit; another plan.
"$P" eval --task "mc:$D/mc.jsonl" --limit 2 --plan '{"variant": "skip", "N": 4}' --json "$tmp/one.json" > /dev/null 2>&1
check "eval --limit --plan" "[ $? -eq 0 ]"
pycheck "--limit 2" "$tmp/one.json" '[["mc",2,0]]'
check "skip plan program" "python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not(isinstance(r, dict) and len(r[\"program\"]) == 9))' $tmp/one.json"

# Chunked perplexity: chunks of 16 tokens, 16 - 1 - 8 = 7 scored in each.
"$P" eval --task "ppl:$D/ppl.txt" --ctx 16 --json "$tmp/chunks.json" > /dev/null 2>&1
check "eval --ctx 16" "[ $? -eq 0 ]"
check "chunks score their second halves" "python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); c=r[\"counts\"]; sys.exit(not(c[\"items\"] >= 2 and c[\"tokens\"] == 7 * c[\"items\"] and c[\"tokens_run\"] == 16 * c[\"items\"] and r[\"settings\"][\"ctx\"] == 16))' $tmp/chunks.json"

# Malformed lines: exit 2 naming FILE:LINE.
expect "mc gold out of range" "bad/mc.jsonl:2: gold 2 is out of range" -- eval --task "mc:$D/bad/mc.jsonl"
expect "gen answer not a string" "bad/gen.jsonl:2: field \"answer\" must be a string" -- eval --task "gen:$D/bad/gen.jsonl"
expect "arc answerKey" "bad/arc.jsonl:2: answerKey \"E\"" -- eval --task "arc:$D/bad/arc.jsonl"
expect "hellaswag label" "bad/hellaswag.jsonl:2: label 7" -- eval --task "hellaswag:$D/bad/hellaswag.jsonl"
expect "winogrande no blank" "bad/winogrande.jsonl:2: sentence has no \"_\"" -- eval --task "winogrande:$D/bad/winogrande.jsonl"
expect "lambada one word" "bad/lambada.jsonl:2: text has no space" -- eval --task "lambada:$D/bad/lambada.jsonl"
expect "gsm8k no ####" "bad/gsm8k.jsonl:2: answer has no \"#### \"" -- eval --task "gsm8k:$D/bad/gsm8k.jsonl" --shots 0
expect "ppl not UTF-8" "bad/ppl.txt:2: not valid UTF-8" -- eval --task "ppl:$D/bad/ppl.txt"
printf '{"context": "a", "choices": [" b", " c"], "gold": 0}\n{"context": "a", "choices": [" b", " c"], "gold": 1} x\n' > "$tmp/trailing.jsonl"
expect "text after the JSON" "trailing.jsonl:2: text after the JSON value" -- eval --task "mc:$tmp/trailing.jsonl"
printf '{"context": "a", "choices": [" b", " c"], "gold": 0.5}\n' > "$tmp/frac.jsonl"
expect "gold not an integer" "frac.jsonl:1: field \"gold\" must be an integer" -- eval --task "mc:$tmp/frac.jsonl"
printf '[1, 2]\n' > "$tmp/list.jsonl"
expect "not an object" "list.jsonl:1: not a JSON object" -- eval --task "gen:$tmp/list.jsonl"
printf '{"context": "a", "choices": [" b", ""], "gold": 0}\n' > "$tmp/empty.jsonl"
expect "empty choice" "empty.jsonl:1: choices\[1\] is empty" -- eval --task "mc:$tmp/empty.jsonl"

# With --skip-bad: skipped and counted.
tasks=()
for f in arc.jsonl gen.jsonl gsm8k.jsonl hellaswag.jsonl lambada.jsonl mc.jsonl ppl.txt winogrande.jsonl; do
    tasks+=(--task "${f%.*}:$D/bad/$f")
done
"$P" eval "${tasks[@]}" --skip-bad --shots 1 --max-new 8 --json "$tmp/bad.json" > /dev/null 2> "$tmp/bad.err"
check "eval --skip-bad" "[ $? -eq 0 ]"
check "skipped lines named on stderr" "[ \$(grep -c '(skipped)' $tmp/bad.err) -eq 10 ]"
pycheck "--skip-bad counts" "$tmp/bad.json" \
    '[["arc",2,1],["gen",2,1],["gsm8k",1,1],["hellaswag",2,2],["lambada",2,1],["mc",2,2],["ppl",2,1],["winogrande",2,1]]'

# Usage errors.
expect "no --task" "at least one --task" -- eval
expect "--task without a value" "needs a value" -- eval --task
expect "unknown kind" "unknown kind 'bogus'" -- eval --task "bogus:$D/mc.jsonl"
expect "no kind" "expected KIND:FILE" -- eval --task "$D/mc.jsonl"
expect "missing file" "nowhere.jsonl" -- eval --task "mc:$tmp/nowhere.jsonl"
: > "$tmp/empty.txt"
expect "no items" "no items to evaluate" -- eval --task "ppl:$tmp/empty.txt"
expect "every example a shot" "after the --shots examples" -- eval --task "gsm8k:$D/gsm8k.jsonl" --shots 5
expect "bad --limit" "option --limit" -- eval --task "mc:$D/mc.jsonl" --limit 0
expect "text too short for --ctx" "needs at least 128" -- eval --task "ppl:$D/ppl.txt" --ctx 64
expect "--max-new past the context" "leaves no room" -- eval --task "gen:$D/gen.jsonl" --max-new 511
check "eval --help" "$P eval --help | grep -q 'usage: painters eval'"

echo "eval_tasks: $pass passed, $fail failed"
[ $fail -eq 0 ]
