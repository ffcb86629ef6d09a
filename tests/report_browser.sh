#!/usr/bin/env bash
# report.html of the example study in headless Chromium: the page loads with
# no failed resource, every <img> has decoded (the page's own load check sets
# data-images-loaded="OK/ALL" and data-load-errors on <body>, read back with
# --dump-dom), both tables have a row per plan, and a screenshot is kept.
# usage: [STUDY_DIR=OUT] report_browser.sh [SCREENSHOT.png]   (default: the example study;
# report_screenshot.png here)
set -u
P=${PAINTERS:?}
DATA=${STUDY_DIR:-$PAINTERS_SOURCE_DIR/tests/data/study}
shot=${1:-$PWD/report_screenshot.png}
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
    echo "SKIP: chromium is not installed (Debian package chromium; cluster/install-deps.sh installs it)"
    exit 77
fi
if ! command -v gnuplot > /dev/null; then
    echo "SKIP: gnuplot is not installed (cluster/install-deps.sh installs gnuplot-nox)"
    exit 77
fi
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache
mkdir -p "$HOME"

check() {
    local name=$1; shift
    if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $name"; fi
}

# chromium ARGS... URL: one headless run with a profile of its own, stderr to $tmp/chromium.err.
chromium_run() {
    local profile; profile=$(mktemp -d "$tmp/profile.XXXXXX")
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@" 2>> "$tmp/chromium.err"
}

cp -r "$DATA" "$tmp/study"
if ! "$P" report "$tmp/study" > "$tmp/out" 2>&1; then
    cat "$tmp/out"; echo "FAIL painters report"; exit 1
fi
url="file://$tmp/study/report.html"

chromium_run --virtual-time-budget=5000 --dump-dom "$url" > "$tmp/dom.html"; rc=$?
check "chromium --dump-dom exits 0" [ $rc -eq 0 ]
check "page loaded and its check ran" grep -q 'data-images-loaded="' "$tmp/dom.html"
check "every image decoded" grep -q '<body[^>]* data-images-loaded="3/3"' "$tmp/dom.html"
check "no load errors in the page" grep -q 'data-load-errors="none"' "$tmp/dom.html"
check "no failed resource in chromium's log" \
    bash -c "! grep -Eq 'ERR_FILE_NOT_FOUND|ERR_ACCESS_DENIED|Failed to load resource|Uncaught' '$tmp/chromium.err'"
for png in score_vs_N score_vs_latency similarity; do
    check "img $png in the DOM" grep -q "<img src=\"$png.png\" alt=\"[^\"]" "$tmp/dom.html"
done
n_plans=$(($(grep -cv '^\s*$' "$DATA/summary.csv") - 1))
rows=$(grep -o '<tr data-plan="[^"]*">' "$tmp/dom.html" | wc -l)
check "a row per plan in both tables ($rows for $n_plans plans)" [ "$rows" -eq $((2 * n_plans)) ]
for plan in $(tail -n +2 "$DATA/summary.csv" | cut -d, -f1); do
    check "plan $plan shown" grep -q "<tr data-plan=\"$plan\"><td>$plan</td>" "$tmp/dom.html"
done
check "summary table in the DOM" grep -q '<table id="summary">' "$tmp/dom.html"
check "per-task table in the DOM" grep -q '<table id="per-task">' "$tmp/dom.html"

rm -f "$shot"
chromium_run --virtual-time-budget=5000 --hide-scrollbars --screenshot="$shot" \
    --window-size=1400,3000 "$url" > /dev/null; rc=$?
check "chromium --screenshot exits 0" [ $rc -eq 0 ]
check "screenshot is a PNG" bash -c "[ \"\$(head -c 8 '$shot' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ]"
# IHDR width and height: bytes 16..23, big-endian.
size=$(od -An -tu1 -j16 -N8 "$shot" 2>/dev/null | awk '{ printf "%dx%d", (($1*256+$2)*256+$3)*256+$4, (($5*256+$6)*256+$7)*256+$8 }')
check "screenshot is 1400x3000 ($size)" [ "$size" = "1400x3000" ]
check "screenshot is not blank" [ "$(stat -c %s "$shot" 2>/dev/null || echo 0)" -gt 100000 ]
echo "screenshot: $shot"

if [ $fail -ne 0 ]; then echo "--- chromium stderr"; grep -v dbus "$tmp/chromium.err" | tail -20; fi
echo "report_browser: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
