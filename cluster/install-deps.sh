#!/usr/bin/env bash
# Installs the Debian 12 packages painters builds, tests and plots with.
# Run as root (or through sudo). Used by the quickstart and by CI. chromium
# runs the headless check of report.html; clang-14 and libclang-rt-14-dev
# (which holds libFuzzer) build the fuzz tests (tests/fuzz); iproute2 makes
# the network namespaces of the multi-host and fault tests; procps: pgrep;
# clang-format checks the sources against .clang-format (tests/format.sh);
# libpcre2-dev and libutf8proc-dev: the Hugging Face tokenizers' regexes and
# Unicode normalization. libopenblas-openmp-dev: OpenBLAS's OpenMP build, so
# that BLAS calls and painters' own OpenMP loops (16-bit matmuls, attention)
# share libgomp's one pool of threads instead of two pools spinning beside
# each other (CMakeLists.txt prefers it to whatever build the alternatives
# name "openblas"); libdnnl-dev (oneDNN) runs the BF16 prefill matrix
# products at the CPU's BF16 rate (--compute bf16); liblinear-dev trains the
# logistic regression of the frozen GLUE protocol. slurmctld, slurmd,
# slurm-client and munge: the one-node Slurm of tests/slurm_cluster.sh
# (srun --mpi=pmix comes with slurm-wlm-basic-plugins; Open MPI's libpmix2
# with libopenmpi-dev). Their packages start their daemons on install where
# no policy-rc.d forbids it, and fail without a slurm.conf: a temporary
# policy-rc.d keeps every daemon stopped; the test starts its own.
# --simgrid also installs SimGrid (libsimgrid-dev), which only the simulated
# scaling studies need (cluster/simulate/install.sh; CI does not run them).
# usage: install-deps.sh [--simgrid]
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# cluster/install-deps.sh: no daemon starts on install\nexit 101\n' | $SUDO tee "$POLICY" > /dev/null
    $SUDO chmod 755 "$POLICY"
    trap '$SUDO rm -f "$POLICY"' EXIT
fi
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
    build-essential cmake pkg-config \
    libopenmpi-dev openmpi-bin \
    libopenblas-openmp-dev \
    libdnnl-dev \
    libprotobuf-c-dev protobuf-c-compiler \
    libcjson-dev \
    liblinear-dev \
    libpcre2-dev libutf8proc-dev \
    clang-14 libclang-rt-14-dev clang-format \
    gnuplot-nox \
    chromium \
    iproute2 procps \
    slurmctld slurmd slurm-client munge \
    python3
if [ "${1:-}" = "--simgrid" ]; then "$(dirname "$0")/simulate/install.sh"; fi
