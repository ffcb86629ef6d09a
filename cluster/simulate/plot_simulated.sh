#!/usr/bin/env bash
# Plots the simulated sweeps of simulate.sh with gnuplot, every figure
# labelled "simulated". For each OUTDIR/simulated_NET.csv (NET: ib64, eth16,
# ib16):
#   OUTDIR/NET_latency.dat / .png   prefill latency (ms per token) of the
#        sequential, parallel and looped-parallel plans against stations
#   OUTDIR/NET_throughput.dat       the sequential plan's pipelined throughput,
#        speedup over 1 station and efficiency (as cluster/scaling/plot_scaling.sh)
# and prints the tables behind them.
# usage: plot_simulated.sh OUTDIR
set -euo pipefail
dir=${1:?usage: plot_simulated.sh OUTDIR}
declare -A title=([ib64]="64 nodes, 100 Gb/s InfiniBand-like, 1.5 us"
    [ib16]="16 nodes, 100 Gb/s InfiniBand-like, 1.5 us" [eth16]="16 nodes, 10 GbE, 25 us")
for net in ib64 eth16 ib16; do
    csv=$dir/simulated_$net.csv
    [ -s "$csv" ] || continue
    # columns: study stations group model plan ranks placement threads test tokens_per_s sd ms_per_token
    awk -F, 'NR > 1 && $9 ~ /^pp/ {v[$2, $1] = $12; s[$2] = 1}
        END {for (n in s) printf "%d %.3f %.3f %.3f %.3f %.3f\n", n, v[n, "sequential"], v[n, "parallel"],
                 v[n, "looped-parallel"], v[n, "parallel"] / v[n, "sequential"],
                 v[n, "looped-parallel"] / v[n, "sequential"]}' "$csv" | sort -n > "$dir/${net}_latency.dat"
    awk -F, 'NR > 1 && $1 == "sequential" && $9 ~ /^tp/ {print $2, $10}' "$csv" | sort -n |
        awk 'NR == 1 {b = $2} {printf "%d %.3f %.3f %.3f\n", $1, $2, $2 / b, $2 / b / $1}' > "$dir/${net}_throughput.dat"
    echo "# simulated, ${title[$net]}"
    echo "# stations  sequential parallel looped-parallel ms/token (prefill)  parallel/seq  looped/seq"
    cat "$dir/${net}_latency.dat"
    echo "# stations  tokens/s  speedup  efficiency   (simulated pipelined throughput, sequential plan)"
    cat "$dir/${net}_throughput.dat"
    gnuplot <<GP
set terminal pngcairo size 1100,480 font ",11" noenhanced
set output "$dir/${net}_latency.png"
set multiplot layout 1,2 title "SIMULATED (SimGrid SMPI): ${title[$net]}; 32-layer Llama-2-7B shapes, Q4_0"
set logscale x 2
set xlabel "stations (ranks - 1)"
set grid
set key top right
set ylabel "prefill ms per token (simulated)"
plot "$dir/${net}_latency.dat" using 1:2 with linespoints lw 2 pt 7 title "sequential", \
     "" using 1:3 with linespoints lw 2 pt 5 title "parallel (N=4)", \
     "" using 1:4 with linespoints lw 2 pt 9 title "looped parallel (N=4, K=3)"
set ylabel "simulated speedup (sequential / plan latency)"
set key top left
set autoscale y
plot "$dir/${net}_throughput.dat" using 1:3 with linespoints lw 2 pt 7 title "sequential throughput speedup (4 requests in flight)", \
     "$dir/${net}_latency.dat" using 1:(1/\$5) with linespoints lw 2 pt 5 title "parallel latency gain", \
     "" using 1:(1/\$6) with linespoints lw 2 pt 9 title "looped parallel latency gain"
unset multiplot
GP
    echo "wrote $dir/${net}_latency.png"
done
