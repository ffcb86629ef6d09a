#!/usr/bin/env bash
# From a fresh clone on Debian 12: install the dependencies, build, and run the
# main job on the embedded demo model: the paper's study (every variant for
# N = 2, 4, 6 on three tasks, with measured latency) under mpirun with two
# painter stations, the same study on the embedded demo BERT, then a generation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cluster/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
out=${1:-study-out}
mpirun -n 3 build/painters study "$out"
echo
echo "== the report: $(realpath "$out")/report.html (results.csv, summary.csv, results.json, plots beside it)"
echo
echo "== the same study on the embedded demo BERT (the paper's encoder half)"
mpirun -n 3 build/painters study "$out-bert" --model models/painters-demo-bert
echo
echo "== its report: $(realpath "$out-bert")/report.html"
echo
echo "== a generation from the demo model, baseline plan"
build/painters generate --prompt "123 + 456 =" --max-new 8
