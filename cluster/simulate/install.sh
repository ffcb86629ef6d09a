#!/usr/bin/env bash
# Installs SimGrid (Debian 12's libsimgrid-dev 3.32: smpicc, smpirun), which
# only the simulated scaling studies of cluster/simulate/ need. Kept out of
# cluster/install-deps.sh's default set because it pulls in Boost's headers
# (some 150 MB) that nothing else uses; install-deps.sh --simgrid runs this.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get install -y --no-install-recommends libsimgrid-dev
