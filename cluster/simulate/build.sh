#!/usr/bin/env bash
# Builds the painters binary for SimGrid's simulator, SMPI: CMake with
# CMAKE_C_COMPILER=smpicc and -DPAINTERS_SMPI=ON in a build folder of its own
# (default build-smpi beside build/), target painters only. The binary runs
# only under smpirun (cluster/simulate/simulate.sh). Needs libsimgrid-dev
# (cluster/simulate/install.sh).
# usage: build.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/build-smpi}
command -v smpicc > /dev/null || {
    echo "build.sh: smpicc not found: install SimGrid (cluster/simulate/install.sh)" >&2
    exit 2
}
mkdir -p "$dir"
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$(command -v smpicc)" \
    -DPAINTERS_SMPI=ON > "$dir/configure.log" 2>&1 || {
    cat "$dir/configure.log" >&2
    exit 1
}
cmake --build "$dir" -j"${JOBS:-2}" --target painters
echo "built $dir/painters (SMPI: run it with smpirun)"
