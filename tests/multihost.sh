#!/usr/bin/env bash
# Stations on three hosts: network namespaces joined by a bridge, Open MPI
# over TCP only, its daemons started through an agent instead of ssh
# (tests/netns_hosts.sh). forward's logits and a short study's results must
# be those of the same ranks on one host. Exit 77 without root.
set -u
P=${PAINTERS:?}
HERE=$PAINTERS_SOURCE_DIR/tests
T=$PAINTERS_SOURCE_DIR/tasks/painters-demo
source "$HERE/netns_hosts.sh"
netns_require
export OMPI_MCA_rmaps_base_oversubscribe=1
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'netns_hosts_down; rm -rf "$tmp"' EXIT
netns_hosts_up "$tmp" || { echo "FAIL could not set up the namespaces"; exit 1; }

# Where the ranks run: host by host, each on its own address.
netns_mpirun 60 -n 5 sh -c 'echo "$OMPI_COMM_WORLD_RANK $(ip -o -4 addr show pt0 | awk "{print \$4}")"' \
    | sort > "$tmp/where"
check "ranks 0..4 on hosts 1,2,3,1,2" "[ \"\$(tr '\n' ' ' < $tmp/where)\" = '0 10.77.0.11/24 1 10.77.0.12/24 2 10.77.0.13/24 3 10.77.0.11/24 4 10.77.0.12/24 ' ]"

rx_bytes() { ip -n "$1" -s -j link show pt0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["bytes"])'; }
rx0=$(rx_bytes "${NETNS_HOSTS[2]}")

# forward: looped-parallel on round-robin placement (parallel groups spread
# over the hosts) and the baseline, 5 ranks. The exact float32 products
# (--compute f32): BF16 ones may vary with a rank's thread count.
toks=$(python3 -c "print(','.join(str(1 + i * 37 % 4000) for i in range(48)))")
for plan in looped_parallel baseline; do
    FWD=(forward --placement round-robin --plan "$PAINTERS_SOURCE_DIR/plans/$plan.json" --tokens "$toks" --timeout 60 --compute f32)
    netns_mpirun 120 -n 5 "$P" "${FWD[@]}" --out "$tmp/hosts_$plan.safetensors" > "$tmp/hosts_$plan.log" 2>&1
    check "$plan: forward on three hosts" "[ \$? -eq 0 ]"
    timeout 120 mpirun -n 5 "$P" "${FWD[@]}" --out "$tmp/one_$plan.safetensors" > /dev/null 2>&1
    timeout 120 "$P" "${FWD[@]}" --out "$tmp/single_$plan.safetensors" > /dev/null 2>&1
    check "$plan: logits as 5 ranks on one host, bit for bit" "python3 $HERE/compare_logits.py $tmp/one_$plan.safetensors $tmp/hosts_$plan.safetensors 0"
    check "$plan: logits as one process, within 1e-6" "python3 $HERE/compare_logits.py $tmp/single_$plan.safetensors $tmp/hosts_$plan.safetensors 1e-6"
done

# A short study: 2 variants, N = 4, three tasks of 8 items.
STUDY=(--variants skip,parallel --N 4 --task "ppl:$T/heldout.txt" --task "mc:$T/cloze.jsonl"
       --task "gen:$T/arith.jsonl" --limit 8 --similarity 0 --no-report --placement round-robin --timeout 60 --compute f32)
netns_mpirun 180 -n 5 "$P" study "$tmp/study_hosts" "${STUDY[@]}" > "$tmp/study_hosts.log" 2>&1
check "study on three hosts" "[ \$? -eq 0 ] && grep -q 'study done' $tmp/study_hosts.log"
timeout 180 mpirun -n 5 "$P" study "$tmp/study_one" "${STUDY[@]}" > "$tmp/study_one.log" 2>&1
check "study: results as 5 ranks on one host" "python3 $HERE/same_results.py $tmp/study_one/results.csv $tmp/study_hosts/results.csv"
check "study: the ranks column says 5" "python3 -c \"import csv; assert {r['ranks'] for r in csv.DictReader(open('$tmp/study_hosts/results.csv'))} == {'5'}\""

rx1=$(rx_bytes "${NETNS_HOSTS[2]}")
echo "host 3 received $((rx1 - rx0)) bytes over its link"
check "the canvases crossed host 3's link" "[ $((rx1 - rx0)) -gt 1000000 ]"

echo "multihost: $pass passed, $fail failed"
[ $fail -eq 0 ]
