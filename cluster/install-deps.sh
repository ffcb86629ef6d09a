#!/usr/bin/env bash
# Installs the Debian 12 packages painters builds, tests and plots with
# (chromium: the headless check of report.html; iproute2: the network
# namespaces of the multi-host and fault tests; procps: pgrep in the tests).
# Run as root (or through sudo). Used by the quickstart and by CI.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
    build-essential cmake pkg-config \
    libopenmpi-dev openmpi-bin \
    libopenblas-dev \
    libprotobuf-c-dev protobuf-c-compiler \
    libcjson-dev \
    gnuplot-nox \
    chromium \
    iproute2 procps \
    python3
