#!/usr/bin/env bash
# The SimGrid platform files of cluster/simulate/platforms/ are well-formed
# XML; where smpirun and the SMPI build (build-smpi/painters, made by
# cluster/simulate/build.sh) exist, SimGrid loads each one and runs
# `painters --help` on 2 simulated ranks, which also checks that rank 0
# releases the stations when its command returns. Skipped (77) without
# SimGrid. Builds nothing.
set -euo pipefail
src=${PAINTERS_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
fail=0
for f in "$src"/cluster/simulate/platforms/*.xml; do
    if python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$f"; then
        echo "ok: $(basename "$f") is well-formed"
    else
        echo "not ok: $(basename "$f") is not well-formed XML" >&2
        fail=1
    fi
done
[ "$fail" -eq 0 ] || exit 1
smpi=$src/build-smpi/painters
if ! command -v smpirun > /dev/null || [ ! -x "$smpi" ]; then
    echo "skipped: SimGrid's smpirun or $smpi absent (cluster/simulate/install.sh, build.sh)"
    exit 77
fi
for f in "$src"/cluster/simulate/platforms/*.xml; do
    if PLATFORM=$f "$src/cluster/simulate/smpi_mpirun.sh" -n 2 "$smpi" --help > /dev/null 2>&1; then
        echo "ok: SimGrid runs painters on $(basename "$f")"
    else
        echo "not ok: SimGrid fails on $(basename "$f")" >&2
        fail=1
    fi
done
exit "$fail"
