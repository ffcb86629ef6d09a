#!/usr/bin/env bash
# painters report on the example study folder (tests/data/study, fabricated
# figures in the shape painters study writes): the PNGs, the gnuplot scripts
# and report.html with every plan; then broken folders, each of which must end
# with exit status 2 naming FILE:LINE (under AddressSanitizer + UBSan when
# painters-asan is built), leaving an earlier report.html as it was.
set -u
P=${PAINTERS:?}
if [ -x "${PAINTERS_ASAN:-}" ]; then P=$PAINTERS_ASAN; fi
DATA=$PAINTERS_SOURCE_DIR/tests/data/study
if ! command -v gnuplot > /dev/null; then
    echo "SKIP: gnuplot is not installed (cluster/install-deps.sh installs gnuplot-nox)"
    exit 77
fi
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

check() {
    local name=$1; shift
    if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $name"; fi
}

# A fresh copy of the example folder at $tmp/NAME; prints its path.
study_copy() {
    rm -rf "${tmp:?}/$1"; cp -r "$DATA" "$tmp/$1"; echo "$tmp/$1"
}

is_png() {
    [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
}

no_sanitizer_report() { ! grep -q "Sanitizer" "$1"; }

# expect NAME PATTERN DIR: painters report DIR ends with exit 2 and PATTERN on stderr.
expect_input_error() {
    local name=$1 pattern=$2 dir=$3
    "$P" report "$dir" > "$tmp/out" 2> "$tmp/err"; local rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$pattern" "$tmp/err" && no_sanitizer_report "$tmp/err"; then
        pass=$((pass+1))
    else
        fail=$((fail+1)); echo "FAIL $name: exit $rc, wanted 2 and '$pattern'"; cat "$tmp/err"
    fi
}

d=$(study_copy good)
"$P" report "$d" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "report exits 0" [ $rc -eq 0 ]
check "report runs clean" no_sanitizer_report "$tmp/err"
[ $rc -eq 0 ] || cat "$tmp/err"
check "report names report.html" grep -q "report.html (20 plans, 3 tasks; 3 plots)" "$tmp/out"
for png in score_vs_N score_vs_latency similarity; do
    check "$png.png is a PNG" is_png "$d/$png.png"
    check "plots/$png.gp kept" test -s "$d/plots/$png.gp"
    check "report shows $png.png" grep -q "<img src=\"$png.png\" alt=\"[^\"]" "$d/report.html"
done
check "no temporary files left" test -z "$(find "$d" -name '*.tmp')"
plans=$(tail -n +2 "$d/summary.csv" | cut -d, -f1)
for plan in $plans; do
    check "plan $plan in both tables" [ "$(grep -c "<tr data-plan=\"$plan\">" "$d/report.html")" -eq 2 ]
done
check "20 plans in the example" [ "$(echo "$plans" | wc -w)" -eq 20 ]
check "run facts from results.csv" grep -q "<dd>models/painters-demo-16L</dd>" "$d/report.html"
check "git revision" grep -q "<dd>09914ef</dd>" "$d/report.html"
check "placement" grep -q "<dd>round-robin</dd>" "$d/report.html"
for task in ppl:heldout.txt mc:cloze.jsonl gen:arith.jsonl; do
    check "task $task in the per-task table" grep -q ">$task</th>" "$d/report.html"
done
check "summary sorted by variant then N" \
    [ "$(grep -o '<tr data-plan="[^"]*"' "$d/report.html" | head -20 | cut -d'"' -f2 | tr '\n' ' ')" \
      = "baseline skip_N2 skip_N4 skip_N6 middle_repeat_N2 middle_repeat_N4 middle_repeat_N6 reverse_N2 reverse_N4 reverse_N6 random_N2 random_N4 random_N6 parallel_N2 parallel_N4 parallel_N6 looped_parallel_N2 looped_parallel_N4 looped_parallel_N6 pairs " ]
check "batched decode column" grep -q '<th class="num">batched decode ms/token</th>' "$d/report.html"
check "batched decode figure" grep -q '<tr data-plan="baseline">.*>11.21 &#9733;</td><td class="num">2.400</td></tr>' "$d/report.html"
check "no external resources" bash -c "! grep -Eiq '(src|href)=\"(https?:)?//' '$d/report.html'"
check "no stylesheet links" bash -c "! grep -qi '<link' '$d/report.html'"
before=$(md5sum < "$d/report.html")
rm "$d/score_vs_N.png"
check "a kept script redraws its plot" bash -c "cd '$d/plots' && gnuplot score_vs_N.gp"
check "redrawn by hand" is_png "$d/score_vs_N.png"

# The same folder again, then without similarity.csv: the heat map goes away.
check "report is repeatable" "$P" report "$d" > /dev/null 2>&1
check "same page on a rerun" [ "$(md5sum < "$d/report.html")" = "$before" ]
rm "$d/similarity.csv"
check "report without similarity.csv" "$P" report "$d" > /dev/null 2>&1
check "no stale heat map" test ! -e "$d/similarity.png"
check "no img for the heat map" bash -c "! grep -q 'similarity.png' '$d/report.html'"

# A plan that only results.csv has still gets its rows, its median from the tasks.
d=$(study_copy results_only)
sed -i '/^skip_N4,/d' "$d/summary.csv"
check "plan only in results.csv" "$P" report "$d" > /dev/null 2>&1
check "its rows" [ "$(grep -c '<tr data-plan="skip_N4">' "$d/report.html")" -eq 2 ]
check "its median" grep -q '<tr data-plan="skip_N4">.*>0.561<' "$d/report.html"

# No score anywhere: tables without plots, and gnuplot never needed.
d=$(study_copy no_scores)
head -1 "$DATA/summary.csv" > "$d/summary.csv"
head -1 "$DATA/results.csv" > "$d/results.csv"
rm "$d/similarity.csv"
check "empty study" env PATH=/nonexistent "$P" report "$d" > /dev/null 2>&1
check "empty study page" grep -q "No plots" "$d/report.html"

# Broken folders. Each starts from a good report to check it stays untouched.
d=$(study_copy broken)
"$P" report "$d" > /dev/null 2>&1
good=$(md5sum < "$d/report.html")
broken() { # broken FILE SED-SCRIPT: the example with one file edited
    cp "$DATA/$1" "$d/$1"; sed -i "$2" "$d/$1"
}
restore() { cp "$DATA"/*.csv "$d/"; }

broken summary.csv '5s/,13,0.8328,/,13,0.83x,/'
expect_input_error "bad number" "summary.csv:5: column median_normalized: '0.83x' is not a number" "$d"
restore; broken summary.csv '3s/,5,/,five,/'
expect_input_error "bad steps" "summary.csv:3: column steps" "$d"
restore; broken summary.csv '4s/^skip_N4,/,/'
expect_input_error "empty plan" "summary.csv:4: column plan: empty" "$d"
restore; broken summary.csv '4s/$/,extra/'
expect_input_error "extra field" "summary.csv:4: 11 fields, the header has 10" "$d"
restore; broken summary.csv '1s/median_normalized/median/'
expect_input_error "summary header" "summary.csv:1: the header is not" "$d"
restore; sed -n 3p "$DATA/summary.csv" >> "$d/summary.csv"
expect_input_error "repeated plan" "summary.csv:22: column plan: plan 'skip_N2' already on line 3" "$d"
restore; broken summary.csv '3s/,4.367,/,-4.367,/'
expect_input_error "negative time" "summary.csv:3: column decode_ms_per_token: negative time" "$d"
restore; broken summary.csv '3s/,0.935$/,-0.935/'
expect_input_error "negative batched time" "summary.csv:3: column decode_batch_ms_per_token: negative time" "$d"
restore; broken results.csv '6s/,4.367,0.935,/,4.367,-0.935,/'
expect_input_error "negative batched time in results" "results.csv:6: column decode_batch_ms_per_token: negative time" "$d"
restore; broken results.csv '1s/^model/modle/'
expect_input_error "results header" "results.csv:1: the header is not" "$d"
restore; broken results.csv '7s/,09914ef$//'
expect_input_error "short row" "results.csv:7: 17 fields, the header has 18" "$d"
restore; broken results.csv '11s/,0.5383,/,,/'
expect_input_error "empty value" "results.csv:11: column value: empty" "$d"
restore; broken results.csv '10s/,3,4,round-robin,/,0,4,round-robin,/'
expect_input_error "zero ranks" "results.csv:10: column ranks" "$d"
restore; broken results.csv '12s/,skip,4,/,skip,5,/'
expect_input_error "variant or N unlike summary.csv" "results.csv:12: column variant: plan skip_N4" "$d"
restore; sed -n 3p "$DATA/results.csv" >> "$d/results.csv"
expect_input_error "repeated result" "results.csv:82: column metric" "$d"
restore; printf 'x\0y\n' >> "$d/results.csv"
expect_input_error "NUL byte" "results.csv:82: a NUL byte" "$d"
restore; : > "$d/results.csv"
expect_input_error "empty results" "results.csv:1: empty file" "$d"
restore; rm "$d/summary.csv"
expect_input_error "missing summary" "summary.csv: missing" "$d"
restore; broken similarity.csv '4d'
expect_input_error "similarity not square" "similarity.csv:17: 16 rows for 17 columns" "$d"
restore; broken similarity.csv '3s/,0.8822,/,1.8822,/'
expect_input_error "similarity out of range" "similarity.csv:3: column 2: 1.8822 is not a cosine similarity" "$d"
restore; broken similarity.csv '3s/^1,/7,/'
expect_input_error "similarity row order" "similarity.csv:3: column entry: row 1 expected" "$d"
restore; broken similarity.csv '1s/,5,/,five,/'
expect_input_error "similarity header" "similarity.csv:1: column 7 of the header is 'five'" "$d"
check "a failed report leaves report.html as it was" [ "$(md5sum < "$d/report.html")" = "$good" ]
expect_input_error "missing folder" "nowhere: no such folder" "$tmp/nowhere"
"$P" report > /dev/null 2> "$tmp/err"; rc=$?
check "no folder given" [ $rc -eq 2 ]
check "report --help" "$P" report --help > /dev/null

restore
PATH=/nonexistent "$P" report "$d" > /dev/null 2> "$tmp/err"; rc=$?
check "no gnuplot: exit 1" [ $rc -eq 1 ]
check "no gnuplot: says so" grep -q "gnuplot not found on PATH" "$tmp/err"

echo "test_report: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
