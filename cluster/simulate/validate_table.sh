#!/usr/bin/env bash
# The validation table (Markdown): each test of a measured sweep.sh CSV beside
# the same test simulated, ms per token (a ppP test: prefill latency / P; a
# tpBxP test: the pipelined throughput's inverse) and the simulator's error
# relative to the measurement.
# usage: validate_table.sh MEASURED.csv SIMULATED.csv
set -euo pipefail
measured=${1:?usage: validate_table.sh MEASURED.csv SIMULATED.csv}
simulated=${2:?usage: validate_table.sh MEASURED.csv SIMULATED.csv}
echo "| ranks | plan | test | measured ms/token | simulated ms/token | relative error |"
echo "|---:|---|---|---:|---:|---:|"
# columns: study stations group model plan ranks placement threads test tokens_per_s sd ms_per_token
awk -F, 'FNR == 1 {next}
    NR == FNR {sim[$1 "," $2 "," $9] = $12; next}
    {key = $1 "," $2 "," $9
     if (key in sim) printf "| %d | %s | %s | %.1f | %.1f | %+.1f%% |\n", $2 + 1, $1, $9, $12, sim[key], 100 * (sim[key] - $12) / $12}' \
    "$simulated" "$measured"
