#!/usr/bin/env bash
# Plots a strong_scaling.sh CSV with gnuplot:
#   OUTDIR/throughput_speedup.png   pipelined throughput (tp) speedup and efficiency
#                                   against stations (speedup relative to 1 station)
#   OUTDIR/parallel_latency.png     prefill latency of a parallel group over G stations
#                                   against running the same G layers in sequence
# and prints the tables behind them.
# usage: plot_scaling.sh SCALING.csv OUTDIR
set -euo pipefail
csv=${1:?usage: plot_scaling.sh SCALING.csv OUTDIR}
out=${2:?usage: plot_scaling.sh SCALING.csv OUTDIR}
mkdir -p "$out"
# columns: study stations group model plan ranks placement threads test tokens_per_s ...
awk -F, 'NR > 1 && $1 == "sequential" && $9 ~ /^tp/ {print $2, $10}' "$csv" | sort -n > "$out/throughput.dat"
base=$(awk 'NR == 1 {print $2}' "$out/throughput.dat")
awk -v b="$base" '{printf "%d %.3f %.3f %.3f\n", $1, $2, $2 / b, $2 / b / $1}' "$out/throughput.dat" > "$out/throughput_speedup.dat"
awk -F, 'NR > 1 && ($1 == "parallel" || $1 == "sequential-G") && $9 ~ /^pp/ {print $1, $3, $12}' "$csv" |
    awk '{ if ($1 == "parallel") par[$2] = $3; else seq[$2] = $3 }
         END { for (g in par) if (g in seq) printf "%d %.4f %.4f %.3f\n", g, par[g], seq[g], par[g] / seq[g] }' |
    sort -n > "$out/parallel_latency.dat"
echo "# stations  tokens/s  speedup  efficiency   (pipelined throughput, sequential plan)"
cat "$out/throughput_speedup.dat"
echo "# group  parallel_ms/token  sequential_ms/token  ratio   (prefill latency)"
cat "$out/parallel_latency.dat"
gnuplot <<GP
set terminal pngcairo size 1100,480 font ",11"
set output "$out/throughput_speedup.png"
set multiplot layout 1,2 title "Pipelined throughput of the sequential plan (strong scaling)"
set xlabel "stations (ranks - 1)"
set grid
set key top left
set ylabel "speedup over 1 station"
plot "$out/throughput_speedup.dat" using 1:3 with linespoints lw 2 pt 7 title "measured", x with lines dt 2 title "ideal"
set ylabel "efficiency (speedup / stations)"
set yrange [0:1.1]
plot "$out/throughput_speedup.dat" using 1:4 with linespoints lw 2 pt 7 title "measured", 0.8 with lines dt 2 title "80% target"
unset multiplot
set output "$out/parallel_latency.png"
set multiplot layout 1,2 title "A parallel group of G layers on G stations against the same layers in sequence"
set autoscale y
set xlabel "group width G (layers = stations)"
set ylabel "prefill ms per token"
plot "$out/parallel_latency.dat" using 1:2 with linespoints lw 2 pt 7 title "parallel group", "" using 1:3 with linespoints lw 2 pt 5 title "in sequence"
set ylabel "parallel / sequential latency"
set yrange [0:1.1]
plot "$out/parallel_latency.dat" using 1:4 with linespoints lw 2 pt 7 title "measured", 0.2 with lines dt 2 title "1/5 target"
unset multiplot
GP
echo "wrote $out/throughput_speedup.png $out/parallel_latency.png"
