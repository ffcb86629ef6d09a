# netns_hosts.sh: three "hosts" on one machine for the MPI tests, sourced by
# tests/multihost.sh and tests/faults.sh. Each host is a network namespace
# with one veth link (pt0, 10.77.0.1N/24) to a bridge in a switch namespace;
# Open MPI reaches them over TCP only, and its launcher starts the remote
# daemons through an agent that runs the command in the host's namespace
# (where ssh would run it on another machine). Each host also has its own
# host name (a UTS namespace): Open MPI names its session directories after
# it, under DIR (where a killed host's are removed with DIR). Needs root
# (CAP_SYS_ADMIN).
#
# netns_hosts_up DIR: creates the hosts, DIR/agent.sh and DIR/hostfile.
# netns_hosts_down: kills what runs in them and deletes them (call from a trap).
# netns_mpirun SECONDS ARGS...: mpirun in host 1 over the three hosts, killed
#   (status 124 or 137) if it runs longer than SECONDS.

NETNS_PREFIX=${NETNS_PREFIX:-pt$$}
NETNS_SWITCH=${NETNS_PREFIX}sw
NETNS_HOSTS=("${NETNS_PREFIX}h1" "${NETNS_PREFIX}h2" "${NETNS_PREFIX}h3")
NETNS_IPS=(10.77.0.11 10.77.0.12 10.77.0.13)
NETNS_DIR=""

# Exits 77 (skipped) unless namespaces can be made here.
netns_require() {
    if ! command -v ip > /dev/null; then
        echo "skipped: the ip command (Debian package iproute2) is not installed"; exit 77
    fi
    if ! ip netns add "${NETNS_PREFIX}probe" 2> /dev/null; then
        echo "skipped: cannot create network namespaces (needs root, CAP_SYS_ADMIN)"; exit 77
    fi
    ip netns del "${NETNS_PREFIX}probe"
}

netns_hosts_up() {
    NETNS_DIR=$1
    ip netns add "$NETNS_SWITCH" || return 1
    ip -n "$NETNS_SWITCH" link add br0 type bridge || return 1
    ip -n "$NETNS_SWITCH" link set br0 up || return 1
    for i in 0 1 2; do
        local ns=${NETNS_HOSTS[$i]}
        ip netns add "$ns" || return 1
        ip -n "$NETNS_SWITCH" link add "port$i" type veth peer name pt0 netns "$ns" || return 1
        ip -n "$NETNS_SWITCH" link set "port$i" master br0 up || return 1
        ip -n "$ns" addr add "${NETNS_IPS[$i]}/24" dev pt0 || return 1
        ip -n "$ns" link set pt0 up || return 1
        ip -n "$ns" link set lo up || return 1
    done
    {
        echo '#!/bin/sh'
        echo '# Called by mpirun as ssh would be: agent.sh [options] HOST COMMAND...'
        echo 'while [ $# -gt 0 ]; do case $1 in -*) shift ;; *) break ;; esac; done'
        echo 'host=$1; shift'
        echo 'case $host in'
        for i in 0 1 2; do echo "    ${NETNS_IPS[$i]}) ns=${NETNS_HOSTS[$i]} ;;"; done
        echo '    *) echo "agent.sh: unknown host $host" >&2; exit 255 ;;'
        echo 'esac'
        echo 'exec ip netns exec "$ns" unshare --uts sh -c "hostname $ns && $*"'
    } > "$NETNS_DIR/agent.sh"
    chmod +x "$NETNS_DIR/agent.sh"
    printf '%s slots=2\n' "${NETNS_IPS[@]}" > "$NETNS_DIR/hostfile"
}

netns_hosts_down() {
    local ns
    for ns in "${NETNS_HOSTS[@]}" "$NETNS_SWITCH"; do
        [ -e "/run/netns/$ns" ] || continue
        local pids
        pids=$(ip netns pids "$ns" 2> /dev/null)
        [ -n "$pids" ] && kill -9 $pids 2> /dev/null
        ip netns del "$ns" 2> /dev/null
    done
}

netns_mpirun() {
    local limit=$1
    shift
    OMPI_MCA_orte_tmpdir_base=$NETNS_DIR timeout -k 5 "$limit" ip netns exec "${NETNS_HOSTS[0]}" unshare --uts \
        sh -c 'hostname "$0" && exec "$@"' "${NETNS_HOSTS[0]}" mpirun --hostfile "$NETNS_DIR/hostfile" --map-by node \
        --mca plm_rsh_agent "$NETNS_DIR/agent.sh" \
        --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 \
        --mca oob_tcp_if_include 10.77.0.0/24 "$@"
}
