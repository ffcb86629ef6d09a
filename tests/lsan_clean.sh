#!/usr/bin/env bash
# LeakSanitizer on painters-asan: forward, generate, eval over every task
# format (malformed lines skipped too), a study run and resumed, report,
# similarity, bench, inspect, tokenize, synth and a broken input, in one
# process; forward and a study over 3 ranks. No run may report a leak
# (tests/lsan.supp names Open MPI's and OpenBLAS's own).
set -u
A=${PAINTERS_ASAN:-}
[ -x "$A" ] || { echo "skipped: painters-asan not built (PAINTERS_SANITIZED=OFF)"; exit 77; }
S=$PAINTERS_SOURCE_DIR
T=$S/tasks/painters-demo
D=$S/tests/data/tasks
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$S/tests/lsan.supp:print_suppressions=0
export OMPI_MCA_rmaps_base_oversubscribe=1
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0

# clean STATUS COMMAND...: the command ends with STATUS and reports no leak.
clean() {
    local want=$1
    shift
    n=$((n + 1))
    timeout 300 "$@" > "$tmp/run$n.log" 2>&1
    local rc=$?
    if [ $rc -eq "$want" ] && ! grep -q 'LeakSanitizer' "$tmp/run$n.log"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL (status $rc, expected $want): ${*:1:6}"
        grep -A25 'LeakSanitizer' "$tmp/run$n.log" | head -60
    fi
}

STUDY=(--variants skip,parallel --N 4 --task "ppl:$T/heldout.txt" --task "mc:$T/cloze.jsonl"
       --task "gen:$T/arith.jsonl" --limit 8 --similarity 2)
TASKS=()
for spec in ppl:ppl.txt mc:mc.jsonl gen:gen.jsonl arc:arc.jsonl hellaswag:hellaswag.jsonl \
            winogrande:winogrande.jsonl lambada:lambada.jsonl gsm8k:gsm8k.jsonl; do
    TASKS+=(--task "${spec%%:*}:$D/${spec#*:}")
done
BAD=()
for spec in ppl:ppl.txt mc:mc.jsonl gen:gen.jsonl arc:arc.jsonl; do BAD+=(--task "${spec%%:*}:$D/bad/${spec#*:}"); done

clean 0 "$A" forward --tokens 1,351,526,99 --plan "$S/plans/looped_parallel.json" --out "$tmp/l.safetensors"
clean 0 "$A" generate --prompt "Once upon a time" --max-new 8 --plan '{"variant": "random", "N": 2}'
clean 0 "$A" eval "${TASKS[@]}" --shots 1 --max-new 8 --json "$tmp/tasks.json"
clean 0 "$A" eval --task "ppl:$D/ppl.txt" --ctx 16 --no-pack
clean 0 "$A" eval "${BAD[@]}" --skip-bad --max-new 4
clean 2 "$A" eval --task "mc:$D/bad/mc.jsonl"
clean 0 "$A" study "$tmp/study" "${STUDY[@]}"
clean 0 "$A" study "$tmp/study" "${STUDY[@]}"
clean 0 "$A" report "$tmp/study"
clean 0 "$A" similarity --task "ppl:$T/heldout.txt" --limit 4 --out "$tmp/similarity"
clean 0 "$A" bench -p 16 -n 4 -r 1 -d 4 --recompute --json "$tmp/bench.json"
clean 0 "$A" inspect --placement round-robin -n 3
clean 0 "$A" tokenize --text "Hello, world"
clean 0 "$A" synth --config "$S/models/painters-demo-16L/config.json" --layers 2 --out "$tmp/synth"
clean 0 mpirun -n 3 "$A" forward --tokens 1,351,526,99 --placement round-robin --plan "$S/plans/looped_parallel.json"
clean 0 mpirun -n 3 "$A" study "$tmp/study3" "${STUDY[@]}" --placement round-robin --no-report

echo "lsan_clean: $pass passed, $fail failed"
[ $fail -eq 0 ]
