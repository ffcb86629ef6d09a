#!/usr/bin/env bash
# Draws the timeline of a painters trace (--trace FILE.jsonl) with gnuplot:
# one row per rank, one bar per receive / apply / send / bcast / reduce event.
# usage: cluster/plot_trace.sh TRACE.jsonl OUT.png [REQUEST_LIMIT]
set -euo pipefail
trace=${1:?usage: plot_trace.sh TRACE.jsonl OUT.png [REQUEST_LIMIT]}
out=${2:?usage: plot_trace.sh TRACE.jsonl OUT.png [REQUEST_LIMIT]}
limit=${3:-1000000}
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
# Columns: start_ms end_ms rank kind_index  (times relative to the first event)
awk -v limit="$limit" '
  function field(name,   m) {
    if (match($0, "\"" name "\": \"?[^,}\"]*")) {
      m = substr($0, RSTART, RLENGTH); sub(/^[^:]*: "?/, "", m); return m
    }
    return ""
  }
  {
    if (field("request") + 0 > limit) next
    kinds["recv"] = 0; kinds["apply"] = 1; kinds["send"] = 2; kinds["bcast"] = 3; kinds["reduce"] = 4
    n++; s[n] = field("start") + 0; e[n] = field("end") + 0; r[n] = field("rank"); k[n] = kinds[field("event")]
    if (n == 1 || s[n] < t0) t0 = s[n]
  }
  END { for (i = 1; i <= n; i++) printf "%.3f %.3f %s %d\n", (s[i] - t0) * 1e3, (e[i] - t0) * 1e3, r[i], k[i] }
' "$trace" > "$dat"
ranks=$(awk '{ if ($3 > m) m = $3 } END { print m + 0 }' "$dat")
gnuplot <<GP
set terminal pngcairo size 1400,$((200 + 60 * ranks)) font ",10"
set output "$out"
set title "painters trace: $(basename "$trace")"
set xlabel "time (ms)"
set ylabel "rank"
set yrange [-0.7:$ranks + 0.7]
set ytics 1
set grid xtics
set key outside right
set style fill solid 0.8 noborder
kind(k) = k == 0 ? "recv" : k == 1 ? "apply" : k == 2 ? "send" : k == 3 ? "bcast" : "reduce"
lane(k) = k == 1 ? 0 : k == 0 ? -0.3 : 0.3
height(k) = k == 1 ? 0.18 : 0.1
plot for [k=0:4] "$dat" using ((\$1+\$2)/2):(\$4 == k ? \$3 + lane(k) : 1/0):((\$2-\$1)/2):(height(k)) \
     with boxxyerror title kind(k) lc k+1
GP
echo "wrote $out"
