#!/usr/bin/env bash
# Slurm's task count against the MPI world: srun without PMIx starts N
# single-rank jobs, which painters refuses (exit 2) before any work; a world
# that matches, and any world under mpirun, runs. The batch scripts parse.
set -u
P=${PAINTERS:?}
export OMPI_MCA_rmaps_base_oversubscribe=1
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
unset SLURM_NTASKS SLURM_STEP_NUM_TASKS

SLURM_NTASKS=3 timeout 60 "$P" forward --tokens 1,2,3 > "$tmp/out" 2>&1
rc=$?
check "SLURM_NTASKS=3, one process: exit 2" "[ $rc -eq 2 ]"
check "the message explains srun without PMIx" "grep -q 'SLURM_NTASKS=3' $tmp/out && grep -q 'srun --mpi=pmix' $tmp/out"
check "no work done" "! grep -q argmax $tmp/out"
SLURM_STEP_NUM_TASKS=2 SLURM_NTASKS=1 timeout 60 "$P" tokenize --text hi > "$tmp/out" 2>&1
rc=$?
check "the step's count comes first" "[ $rc -eq 2 ] && grep -q 'SLURM_STEP_NUM_TASKS=2' $tmp/out"
SLURM_NTASKS=1 timeout 60 "$P" tokenize --text hi > "$tmp/out" 2>&1
check "SLURM_NTASKS=1, one process: runs" "[ $? -eq 0 ] && grep -q '^ids:' $tmp/out"

SLURM_NTASKS=3 timeout 120 mpirun -x SLURM_NTASKS -n 3 "$P" forward --tokens 1,2,3 > "$tmp/out" 2>&1
check "mpirun -n 3, SLURM_NTASKS=3: runs" "[ $? -eq 0 ] && grep -q argmax $tmp/out"
SLURM_NTASKS=8 timeout 120 mpirun -x SLURM_NTASKS -n 3 "$P" forward --tokens 1,2,3 > "$tmp/out" 2>&1
check "mpirun -n 3 in an allocation of 8 tasks: runs" "[ $? -eq 0 ] && grep -q argmax $tmp/out"

# A launch without mpirun's variables, as srun --mpi=pmix makes it: the
# ranks find each other through PMIx, and the step's count is compared.
printf '#!/bin/sh\nunset OMPI_COMM_WORLD_SIZE\nexec "$@"\n' > "$tmp/direct.sh"
chmod +x "$tmp/direct.sh"
SLURM_STEP_NUM_TASKS=3 timeout 120 mpirun -x SLURM_STEP_NUM_TASKS -n 3 "$tmp/direct.sh" "$P" forward --tokens 1,2,3 > "$tmp/out" 2>&1
check "direct launch, 3 tasks and 3 ranks: runs" "[ $? -eq 0 ] && grep -q argmax $tmp/out"
SLURM_STEP_NUM_TASKS=4 timeout 120 mpirun -x SLURM_STEP_NUM_TASKS -n 3 "$tmp/direct.sh" "$P" forward --tokens 1,2,3 > "$tmp/out" 2>&1
rc=$?
check "direct launch, 4 tasks but 3 ranks: exit 2 before any work" "[ $rc -eq 2 ] && grep -q 'has 3 ranks' $tmp/out && ! grep -q argmax $tmp/out"

for f in painters.sbatch painters-mpirun.sbatch; do
    check "cluster/slurm/$f parses" "bash -n $PAINTERS_SOURCE_DIR/cluster/slurm/$f"
done
check "srun with PMIx, cores bound, BLAS threads per task" "grep -q 'srun --mpi=pmix.*--cpu-bind=cores' $PAINTERS_SOURCE_DIR/cluster/slurm/painters.sbatch && grep -q 'OPENBLAS_NUM_THREADS=\${SLURM_CPUS_PER_TASK' $PAINTERS_SOURCE_DIR/cluster/slurm/painters.sbatch"
check "mpirun with ppr and PE, bound to cores" "grep -q 'ppr:.*:node:PE=' $PAINTERS_SOURCE_DIR/cluster/slurm/painters-mpirun.sbatch && grep -q 'bind-to core' $PAINTERS_SOURCE_DIR/cluster/slurm/painters-mpirun.sbatch"

echo "slurm_sanity: $pass passed, $fail failed"
[ $fail -eq 0 ]
