#!/usr/bin/env bash
# From a fresh clone on Debian 12: install the dependencies, build, and run the
# demo on the embedded model (models/painters-demo-16L).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cluster/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
build/painters inspect
echo
echo "== generation from the demo model, baseline plan"
build/painters generate --prompt "123 + 456 =" --max-new 8
