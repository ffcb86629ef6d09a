#!/usr/bin/env bash
# `painters eval --task demo` on the embedded demo model under the baseline
# plan reproduces ../shared/fixtures/painters-demo-16L/study-baseline.json as
# its protocol says: held-out perplexity within 1e-4 relative with the same
# token count, cloze acc and acc_norm identical, arith exact match identical.
# usage: test_eval_demo.sh [RANKS]   (with RANKS > 1, under mpirun with stations)
set -u
P=${PAINTERS:?}
RANKS=${1:-1}
LAUNCH=()
if [ "$RANKS" -gt 1 ]; then LAUNCH=(mpirun -n "$RANKS" --oversubscribe); fi
source "$PAINTERS_SOURCE_DIR/tests/shared.sh"
FIXTURE=$SHARED/fixtures/painters-demo-16L/study-baseline.json
[ -f "$FIXTURE" ] || shared_missing "$FIXTURE"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if ! "${LAUNCH[@]}" "$P" eval --task demo --plan "$PAINTERS_SOURCE_DIR/plans/baseline.json" --json "$tmp/demo.json" \
        > "$tmp/out.txt" 2> "$tmp/err.txt"; then
    echo "FAIL painters eval --task demo"; cat "$tmp/out.txt" "$tmp/err.txt"; exit 1
fi
cat "$tmp/out.txt"
python3 - "$FIXTURE" "$tmp/demo.json" <<'PY'
import json, math, sys
ref = json.load(open(sys.argv[1]))["results"]["baseline"]
got = {r["kind"]: r for r in json.load(open(sys.argv[2]))}
passed = failed = 0
def check(name, ok, detail=""):
    global passed, failed
    if ok: passed += 1
    else: failed += 1; print("FAIL", name, detail)
check("three tasks", sorted(got) == ["gen", "mc", "ppl"], sorted(got))
ppl, mc, gen = got["ppl"], got["mc"], got["gen"]
for r in (ppl, mc, gen):
    check(r["kind"] + " program", r["program"] == ref["program"], r["program"])
    check(r["kind"] + " plan", r["plan"] == "baseline", r["plan"])
    check(r["kind"] + " nothing skipped", r["counts"]["skipped"] == 0)
check("heldout 100 documents", ppl["counts"]["items"] == 100, ppl["counts"])
for r in (ppl, mc, gen):  # cJSON writes a NaN or an infinity as null
    for m, v in r["metrics"].items():
        check("%s %s finite" % (r["kind"], m), isinstance(v, (int, float)) and math.isfinite(v), v)
rel = abs(ppl["metrics"]["perplexity"] - ref["heldout_ppl"]) / ref["heldout_ppl"]
check("heldout perplexity within 1e-4", rel <= 1e-4, (ppl["metrics"]["perplexity"], ref["heldout_ppl"]))
check("heldout tokens", ppl["counts"]["tokens"] == ref["heldout_tokens"], ppl["counts"]["tokens"])
check("cloze 200 items", mc["counts"]["items"] == 200, mc["counts"])
check("cloze acc", mc["metrics"]["acc"] == ref["cloze_acc"], mc["metrics"])
check("cloze acc_norm", mc["metrics"]["acc_norm"] == ref["cloze_acc_norm"], mc["metrics"])
check("arith 200 items", gen["counts"]["items"] == 200, gen["counts"])
check("arith exact match", gen["metrics"]["exact_match"] == ref["arith_em"], gen["metrics"])
print("perplexity %.8f (fixture %.8f, relative difference %.2e)" % (ppl["metrics"]["perplexity"], ref["heldout_ppl"], rel))
print("eval_demo: %d passed, %d failed" % (passed, failed))
sys.exit(failed != 0)
PY
