#!/usr/bin/env bash
# The simulated strong-scaling study, one command: builds build/ and the
# SMPI build (build-smpi/), synthesizes a 32-layer Llama-2-7B-shaped model
# (random Q4_0 weights, 3.5 GiB: see README.md for why Q4_0), then
#   validation: sweep.sh at 2, 3 and 5 ranks for real (mpirun) on this
#               machine and simulated on platforms/dev-2core.xml; as root also
#               across the network-namespace hosts (netns_mpirun.sh, TCP only)
#               and simulated on platforms/netns-2core.xml (3 runs each)
#   simulated:  sweep.sh over platforms/ib64.xml (1..64 stations),
#               eth16.xml and ib16.xml (1..15 stations)
# into OUT (default cluster/results/simulated): CSVs, plots, the platform
# files used. A CSV already there is kept (delete it to rerun that sweep).
# usage: simulate.sh [OUT]
# Environment: MODEL (a checkpoint to use instead), P (prompt tokens, 8),
# B (sequences in flight for throughput, 4).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/cluster/results/simulated}
p=${P:-8}
b=${B:-4}
mkdir -p "$out/platforms"
[ -x "$root/build/painters" ] || { cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$root/build" -j2 --target painters; }
[ -x "$root/build-smpi/painters" ] || "$here/build.sh"
model=${MODEL:-${TMPDIR:-/tmp}/painters-sim/llama2-7b-shape-q4_0.gguf}
if [ ! -e "$model" ]; then
    mkdir -p "$(dirname "$model")"
    "$root/build/painters" synth --config "$root/../shared/configs/llama2-7b.json" --format gguf \
        --dtype q4_0 --out "$model"
fi
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM-1}

sweep() { # sweep NAME PLATFORM|real RANKS [SKIP_LOOPED]
    local name=$1 platform=$2 ranks=$3 skip=${4:-0}
    [ -s "$out/$name.csv" ] && { echo "keeping $out/$name.csv" >&2; return 0; }
    if [ "$platform" = real ] || [ "$platform" = netns ]; then
        # Measured wall time: the load of other work on the machine shows in it.
        echo "before: $(cat /proc/loadavg)" > "$out/$name.loadavg"
        if [ "$platform" = netns ]; then # across the namespace hosts, TCP only
            MPIRUN=$here/netns_mpirun.sh MPIRUN_ARGS=--oversubscribe SKIP_LOOPED=$skip \
                "$here/sweep.sh" "$model" "$out/$name.csv.tmp" "$ranks" "$p" "$b"
        else
            SKIP_LOOPED=$skip "$here/sweep.sh" "$model" "$out/$name.csv.tmp" "$ranks" "$p" "$b"
        fi
        echo "after: $(cat /proc/loadavg)" >> "$out/$name.loadavg"
    else
        cp "$here/platforms/$platform.xml" "$out/platforms/"
        SKIP_LOOPED=$skip PLATFORM=$here/platforms/$platform.xml MPIRUN=$here/smpi_mpirun.sh MPIRUN_ARGS="" \
            PAINTERS=$root/build-smpi/painters "$here/sweep.sh" "$model" "$out/$name.csv.tmp" "$ranks" "$p" "$b"
    fi
    mv "$out/$name.csv.tmp" "$out/$name.csv"
}

sweep measured_dev2core real "2 3 5" 1
sweep simulated_dev2core dev-2core "2 3 5" 1
# Across the network-namespace hosts of tests/multihost.sh (needs root):
# measured with netns_mpirun.sh, simulated on platforms/netns-2core.xml.
if ip netns add "painters-sim-probe$$" 2> /dev/null; then
    ip netns del "painters-sim-probe$$"
    R=${R:-3} sweep measured_netns netns "2 3 5" 1
    R=${R:-3} sweep simulated_netns netns-2core "2 3 5" 1
fi
sweep simulated_ib64 ib64 "2 3 5 9 17 33 64 65"
sweep simulated_eth16 eth16 "2 3 5 9 16"
sweep simulated_ib16 ib16 "2 5 16"
"$here/validate_table.sh" "$out/measured_dev2core.csv" "$out/simulated_dev2core.csv" > "$out/validation.md"
if [ -s "$out/measured_netns.csv" ] && [ -s "$out/simulated_netns.csv" ]; then
    "$here/validate_table.sh" "$out/measured_netns.csv" "$out/simulated_netns.csv" > "$out/validation_netns.md"
fi
"$here/plot_simulated.sh" "$out"
