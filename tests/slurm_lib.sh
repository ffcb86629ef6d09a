# shellcheck shell=bash
# slurm_lib.sh: sourced by the tests that run painters under a real Slurm.
# Starts a one-node cluster on localhost in a temporary folder, without
# systemd and without touching /etc: munged (as the munge user, with its own
# key and socket), slurmctld and slurmd (as root, in the foreground, their
# PIDs kept) on free ports, with a generated slurm.conf that every client
# command finds through SLURM_CONF. slurm_stop (run on EXIT) cancels the jobs
# and stops every daemon it started by its PID.
#
#   source tests/slurm_lib.sh
#   slurm_need_packages          # skip (exit 77) where Slurm is absent; fail under CI
#   slurm_start "$tmp/slurm"     # the cluster; the node idle on return
#   id=$(slurm_submit -n3 -O script.sbatch args)
#   slurm_wait_job "$id"         # prints the end state (COMPLETED, FAILED...)
#   slurm_stop                   # also on EXIT
#
# Needs root (slurmd runs the jobs as their submitters; a cluster started by
# an ordinary user cannot). SLURM_NODE: the node's name (this host's short
# name); SLURM_CONF: the generated slurm.conf.

SLURM_LIB_PIDS=()
SLURM_LIB_DIR=""

slurm_in_ci() { [ -n "${CI:-}" ] && [ "$CI" != 0 ] && [ "$CI" != false ]; }

# slurm_need_packages: returns if munged, slurmctld, slurmd, sbatch and srun
# are installed and this is root; else exits 77 with the reason, or 1 under
# CI (cluster/install-deps.sh installs them, so there a lack is a failure).
slurm_need_packages() {
    local why="" p
    for p in munged slurmctld slurmd sbatch srun scontrol scancel setpriv; do
        command -v "$p" > /dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$p" > /dev/null 2>&1 ||
            why="$why $p"
    done
    [ -n "$why" ] && why="not installed:$why (cluster/install-deps.sh installs Debian's munge, slurmctld, slurmd, slurm-client)"
    [ -z "$why" ] && [ "$(id -u)" -ne 0 ] && why="needs root (slurmd runs jobs as their submitters)"
    [ -z "$why" ] && return 0
    if slurm_in_ci; then
        echo "FAIL: Slurm $why: under CI=$CI this test may not skip"
        exit 1
    fi
    echo "skipped: Slurm $why"
    exit 77
}

# slurm_free_port: prints a TCP port of 20000-59999 that nothing listens on.
slurm_free_port() {
    local p i
    for i in $(seq 1 200); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if [ -z "$(ss -ltnH "sport = :$p" 2> /dev/null)" ] &&
            [ -z "$(ss -ltnH "sport = :$((p + 1))" 2> /dev/null)" ]; then
            echo "$p"
            return 0
        fi
    done
    echo "slurm_lib: no free port pair found in 20000-59999" >&2
    return 1
}

# slurm_write_conf DIR CTLD_PORT: DIR/slurm.conf for one node, this host.
slurm_write_conf() {
    local dir=$1 port=$2
    local cpus mem
    cpus=$(nproc --all)
    mem=$(awk '/^MemTotal:/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
    cat > "$dir/slurm.conf" << EOF
# Written by tests/slurm_lib.sh: a one-node cluster on localhost.
ClusterName=$SLURM_CLUSTER
SlurmctldHost=$SLURM_NODE(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: a requeued job waits this long (+1 s) before it may start
# again (default 120 s).
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=pmix
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
NodeName=$SLURM_NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$SLURM_NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
}

# slurm_logs: the daemons' logs, for a failure's message.
slurm_logs() {
    local f
    for f in "$SLURM_LIB_DIR"/log/* "$SLURM_LIB_DIR/munge/munged.log"; do
        [ -f "$f" ] || continue
        echo "---- $f (last 30 lines)"
        tail -n 30 "$f"
    done
}

# slurm_start DIR: the cluster under DIR (created), the node idle on
# return; exits 1 with the daemons' logs if it does not come up in 120 s.
# Registers slurm_stop on EXIT (after any EXIT trap already set: call
# slurm_start after setting one's own trap, or call slurm_stop in it).
slurm_start() {
    SLURM_LIB_DIR=$1
    mkdir -p "$SLURM_LIB_DIR"/{state,spool,log,munge}
    chmod 755 "$SLURM_LIB_DIR"
    local parent
    parent=$(dirname "$SLURM_LIB_DIR")
    # munged refuses a socket folder that others reach through a folder
    # only its owner may enter; the path to it must be traversable.
    while [ "$parent" != / ]; do
        [ "$(stat -c %u "$parent")" = 0 ] && chmod o+x "$parent"
        parent=$(dirname "$parent")
    done
    SLURM_NODE=$(hostname -s)
    export SLURM_NODE
    export SLURM_CONF=$SLURM_LIB_DIR/slurm.conf
    export PATH=$PATH:/usr/sbin
    local port
    port=$(slurm_free_port) || exit 1
    SLURM_CLUSTER=painters$port
    slurm_write_conf "$SLURM_LIB_DIR" "$port"

    local m=$SLURM_LIB_DIR/munge
    dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none
    chown -R munge:munge "$m"
    chmod 755 "$m" # every client (job tasks too) reaches the socket
    chmod 400 "$m/munge.key"
    setpriv --reuid=munge --regid=munge --init-groups munged -F --force \
        --key-file="$m/munge.key" --socket="$m/munge.socket" --pid-file="$m/munged.pid" \
        --log-file="$m/munged.log" --seed-file="$m/munged.seed" > "$SLURM_LIB_DIR/log/munged.out" 2>&1 &
    SLURM_LIB_PIDS+=($!)
    trap slurm_stop EXIT
    local i
    for i in $(seq 1 300); do
        [ -S "$m/munge.socket" ] && break
        sleep 0.1
    done
    if [ ! -S "$m/munge.socket" ]; then
        echo "FAIL: slurm_lib: munged did not open $m/munge.socket within 30 s"
        slurm_logs
        exit 1
    fi

    slurmctld -D -f "$SLURM_CONF" > "$SLURM_LIB_DIR/log/slurmctld.out" 2>&1 &
    SLURM_LIB_PIDS+=($!)
    # slurmd only once slurmctld answers, so that its registration is heard
    # (on a loaded machine slurmctld may take seconds to listen).
    for i in $(seq 1 300); do
        scontrol ping 2> /dev/null | grep -q 'is UP' && break
        sleep 0.1
    done
    slurmd -D -f "$SLURM_CONF" -N "$SLURM_NODE" > "$SLURM_LIB_DIR/log/slurmd.out" 2>&1 &
    SLURM_LIB_PIDS+=($!)
    local state="" resumed=0
    for i in $(seq 1 1200); do
        state=$(scontrol show node "$SLURM_NODE" 2> /dev/null | sed -n 's/.*State=\([A-Z+_]*\).*/\1/p')
        [ "$state" = IDLE ] && return 0
        # A node marked not responding while slurmd was still starting:
        # once slurmd has registered (its log says so), ask for it again.
        if [ $resumed = 0 ] && [ "${state#*NOT_RESPONDING}" != "$state" ] && [ $i -gt 100 ]; then
            scontrol update nodename="$SLURM_NODE" state=resume 2> /dev/null || true
            resumed=1
        fi
        sleep 0.1
    done
    echo "FAIL: slurm_lib: node $SLURM_NODE not idle within 120 s (state: ${state:-none})"
    slurm_logs
    exit 1
}

# slurm_submit SBATCH_ARGS...: sbatch --parsable; prints the job id.
slurm_submit() {
    local out
    if ! out=$(sbatch --parsable "$@" 2>&1); then
        echo "FAIL: slurm_lib: sbatch $*: $out" >&2
        return 1
    fi
    echo "${out%%;*}"
}

# slurm_job_field ID FIELD: one field of `scontrol show job ID` (JobState,
# RestartCnt, ExitCode...), empty if the job is unknown.
slurm_job_field() {
    scontrol show job "$1" 2> /dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# slurm_wait_job ID [SECONDS]: waits (default 300 s) for job ID to end and
# prints its end state; for an array job (ID alone), until every task ends,
# printing one state per task. Returns 1, printing the state so far and
# the daemons' logs to stderr, if the wait runs out.
slurm_wait_job() {
    local id=$1 limit=${2:-300} i states
    for i in $(seq 1 $((limit * 5))); do
        states=$(scontrol show job "$id" 2> /dev/null | tr ' ' '\n' | sed -n 's/^JobState=//p')
        if [ -n "$states" ] && ! echo "$states" | grep -qE '^(PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|REQUEUE_HOLD|REQUEUE_FED|RESIZING|SUSPENDED|SIGNALING|STAGE_OUT)$'; then
            echo "$states"
            return 0
        fi
        sleep 0.2
    done
    echo "FAIL: slurm_lib: job $id not ended within $limit s (states: $states)" >&2
    slurm_logs >&2
    return 1
}

# slurm_wait_running ID [SECONDS]: waits (default 120 s) until job ID runs.
slurm_wait_running() {
    local id=$1 limit=${2:-120} i
    for i in $(seq 1 $((limit * 5))); do
        [ "$(slurm_job_field "$id" JobState)" = RUNNING ] && return 0
        sleep 0.2
    done
    echo "FAIL: slurm_lib: job $id not running within $limit s" >&2
    return 1
}

# slurm_requeue ID: puts a running job (or array task ID_N) back in the
# queue; Slurm raises its RestartCnt and SLURM_RESTART_COUNT.
slurm_requeue() {
    scontrol requeue "$1"
}

# slurm_cluster_procs: the PIDs of the processes this cluster started and
# left: a daemon or slurmstepd started under our SLURM_CONF, or a job's task
# (its SLURM_CLUSTER_NAME is our cluster's). Not the test's own commands.
slurm_cluster_procs() {
    local e pid comm env
    [ -n "$SLURM_LIB_DIR" ] || return 0
    for e in /proc/[0-9]*/environ; do
        pid=${e#/proc/}
        pid=${pid%/environ}
        env=$(tr '\0' '\n' 2> /dev/null < "$e") || continue
        grep -qxF "SLURM_CONF=$SLURM_CONF" <<< "$env" || continue
        comm=$(cat "/proc/$pid/comm" 2> /dev/null) || continue
        case $comm in
        munged | slurmctld | slurmd | slurmstepd) echo "$pid" ;;
        *) grep -qxF "SLURM_CLUSTER_NAME=$SLURM_CLUSTER" <<< "$env" && echo "$pid" ;;
        esac
    done
    return 0
}

# slurm_stop: cancels the jobs, stops the daemons (TERM, then KILL after
# 10 s) by their PIDs, then ends anything else the cluster left. Safe to
# call twice.
slurm_stop() {
    [ ${#SLURM_LIB_PIDS[@]} -gt 0 ] || return 0
    scancel --full --quiet --user=root 2> /dev/null || true
    local i pid alive
    for i in $(seq 1 50); do
        [ -z "$(squeue -h -o %i 2> /dev/null)" ] && break
        sleep 0.2
    done
    for ((i = ${#SLURM_LIB_PIDS[@]} - 1; i >= 0; i--)); do
        kill -TERM "${SLURM_LIB_PIDS[$i]}" 2> /dev/null || true
    done
    for i in $(seq 1 100); do
        alive=0
        for pid in "${SLURM_LIB_PIDS[@]}"; do kill -0 "$pid" 2> /dev/null && alive=1; done
        [ $alive -eq 0 ] && break
        sleep 0.1
    done
    for pid in "${SLURM_LIB_PIDS[@]}" $(slurm_cluster_procs); do
        kill -KILL "$pid" 2> /dev/null || true
    done
    for pid in "${SLURM_LIB_PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
    SLURM_LIB_PIDS=()
}
