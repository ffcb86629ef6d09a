#!/usr/bin/env bash
# mpirun's interface over SimGrid's smpirun: `smpi_mpirun.sh -n K PROGRAM ARGS...`
# runs the SMPI build of painters as K ranks on the simulated platform
# PLATFORM (an XML file of platforms/), rank r on the platform's r-th host
# (rank 0, the coordinator, on a node of its own), so that scripts written for
# mpirun (MPIRUN=...) run simulated. Settings, as cluster/simulate/README.md
# explains:
#   smpi/host-speed:1Gf   the platforms' hosts run at 1Gf: a burst of CPU time
#                         measured between two MPI calls is charged as is
#   smpi/bw-factor:0:1, smpi/lat-factor:0:1
#                         the plain link model: bandwidth and latency as written
#                         in the platform file, no MPI-specific corrections
# smpirun splits arguments at spaces whatever the quoting: pass plans as files.
# Environment: PLATFORM (required), SMPI_ARGS (more smpirun arguments).
set -euo pipefail
platform=${PLATFORM:?smpi_mpirun.sh: set PLATFORM to a SimGrid platform file (cluster/simulate/platforms/)}
[ -r "$platform" ] || { echo "smpi_mpirun.sh: cannot read platform file $platform" >&2; exit 2; }
[ "${1:-}" = "-n" ] && [ -n "${2:-}" ] || { echo "usage: smpi_mpirun.sh -n K PROGRAM ARGS..." >&2; exit 2; }
k=$2
shift 2
command -v smpirun > /dev/null || { echo "smpi_mpirun.sh: smpirun not found (cluster/simulate/install.sh)" >&2; exit 2; }
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
# The hosts in platform order: every <host id=...>, or a <cluster>'s
# prefix+radical+suffix names.
python3 - "$platform" > "$hosts" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for el in root.iter():
    if el.tag == "host":
        print(el.get("id"))
    elif el.tag == "cluster":
        for part in el.get("radical").split(","):
            lo, _, hi = part.partition("-")
            for i in range(int(lo), int(hi or lo) + 1):
                print(f'{el.get("prefix")}{i}{el.get("suffix")}')
PY
n_hosts=$(wc -l < "$hosts")
if [ "$n_hosts" -gt 1 ] && [ "$k" -gt "$n_hosts" ]; then
    echo "smpi_mpirun.sh: $k ranks but $platform has $n_hosts hosts (one rank per node)" >&2
    exit 2
fi
# smpirun loads the program beside libsimgrid, whose libblas.so.3 is
# OpenBLAS's pthreads build: preload the OpenMP build painters links.
omp_blas=/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0
[ -e "$omp_blas" ] && export LD_PRELOAD=$omp_blas${LD_PRELOAD:+:$LD_PRELOAD}
read -r -a extra <<< "${SMPI_ARGS:-}"
# smpirun exits 0 even when a rank calls MPI_Abort or the simulation
# deadlocks: read its messages and fail then.
log=$(mktemp)
trap 'rm -f "$hosts" "$log"' EXIT
status=0
smpirun -np "$k" -platform "$platform" -hostfile "$hosts" \
    --cfg=smpi/host-speed:1Gf --cfg=smpi/bw-factor:0:1 --cfg=smpi/lat-factor:0:1 \
    --log=root.thres:warning "${extra[@]}" "$@" 2> >(tee "$log" >&2) || status=$?
wait
if [ "$status" -eq 0 ] && grep -qE "MPI_Abort was called|Deadlock detected" "$log"; then status=1; fi
exit "$status"
