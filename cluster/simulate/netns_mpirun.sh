#!/usr/bin/env bash
# mpirun's "-n K PROGRAM ARGS..." over the three network-namespace hosts of
# tests/netns_hosts.sh (Open MPI over TCP only, ranks placed host by host),
# for sweep.sh's measured runs across hosts (MPIRUN=.../netns_mpirun.sh
# MPIRUN_ARGS=--oversubscribe). Sets the hosts up and tears them down around
# each run. Needs root; exit 77 where namespaces cannot be made.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../tests/netns_hosts.sh
source "$root/tests/netns_hosts.sh"
netns_require
dir=$(mktemp -d)
trap 'netns_hosts_down; rm -rf "$dir"' EXIT
netns_hosts_up "$dir" || { echo "netns_mpirun.sh: could not set up the namespaces" >&2; exit 1; }
netns_mpirun 1800 "$@"
