/* mpi_start.c: see mpi_start.h. */
#include "cli/mpi_start.h"

#include "cli/job_end.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "compute/machine.h"
#include "program/setup.h"
#include "station/station_serve.h"
#include "base/util.h"
#include "wire/liveness.h"
#include "wire/wire.h"

static int g_world = 1;

/* Started by an MPI launcher? Without one, painters runs as a single process
 * and skips MPI_Init's start-up cost. The SMPI build (PAINTERS_SMPI, built by
 * cluster/simulate/build.sh) runs only under smpirun, which sets none of
 * these variables: its ranks are threads of one simulator process. */
static int launched_by_mpi(void) {
#ifdef PAINTERS_SMPI
    return 1;
#endif
    const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i])) return 1;
    return 0;
}

/* The tasks Slurm started for this step: SLURM_STEP_NUM_TASKS (set by srun),
 * else SLURM_NTASKS; 0 outside Slurm. */
static int slurm_tasks(const char **var) {
    const char *vars[] = {"SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) {
            *var = vars[i];
            return atoi(v);
        }
    }
    return 0;
}

/* srun without PMIx starts every task as its own single-rank job: each would
 * run the whole command as rank 0. Refused before any work. Under Open MPI's
 * mpirun (OMPI_COMM_WORLD_SIZE set) the world is what mpirun was asked for,
 * whatever the allocation's task count, so it is not compared. */
static void check_slurm_world(int world) {
    if (getenv("OMPI_COMM_WORLD_SIZE")) return;
    const char *var = NULL;
    int tasks = slurm_tasks(&var);
    if (tasks <= 0 || tasks == world) return;
    die_input("Slurm started %d tasks (%s=%d) but this MPI job has %d rank%s: srun without PMIx "
              "starts each task as its own single-rank job, and each would run the whole command. "
              "Launch with srun --mpi=pmix (cluster/slurm/painters.sbatch) or with mpirun inside "
              "the allocation (cluster/slurm/painters-mpirun.sbatch)",
              tasks, var, tasks, world, world == 1 ? "" : "s");
}

/* Rank 0 on any exit (a command returning, --help): release the stations.
 * Runs inside exit() or from painters_mpi_finish(): a failure here (a station
 * that does not answer) must not call exit() again, hence util_set_exiting()
 * first. A second call does nothing (MPI is finalized). */
static void release_stations(void) {
    util_set_exiting();
    int inited = 0, finalized = 0;
    MPI_Initialized(&inited);
    if (!inited) return;
    MPI_Finalized(&finalized);
    if (finalized) return;
    if (g_world > 1) {
        JobSetup quit = {.quit = 1};
        setup_broadcast(&quit);
        job_end_hear_stations(g_world);
    }
    liveness_stop();
    MPI_Finalize();
}

/* Slurm's cores per task (srun/sbatch --cpus-per-task), 0 outside Slurm or
 * without --cpus-per-task. */
static int slurm_cpus_per_task(void) {
    const char *v = getenv("SLURM_CPUS_PER_TASK");
    if (!v || !*v) return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < 1 || n > 4096)
        die_input("SLURM_CPUS_PER_TASK=\"%s\": not a core count (1 to 4096)", v);
    return (int)n;
}

/* Threads per rank (BLAS and OpenMP alike): OPENBLAS_NUM_THREADS or
 * OMP_NUM_THREADS if set; else the cores Slurm gave each task
 * (SLURM_CPUS_PER_TASK); else the cores of this node shared among its
 * ranks (ranks_here: OMPI_COMM_WORLD_LOCAL_SIZE under mpirun, 1 alone).
 * Under SMPI one thread: the simulator times only each rank's own thread,
 * so work on other threads would cost no simulated time. */
static void share_cores(int ranks_here) {
#ifdef PAINTERS_SMPI
    machine_set_threads(1);
    return;
#endif
    if (machine_env_threads() > 0) {
        machine_set_threads(0);
        return;
    }
    int threads = slurm_cpus_per_task();
    if (threads == 0) threads = machine_cores() / (ranks_here > 0 ? ranks_here : 1);
    machine_set_threads(threads > 0 ? threads : 1);
}

int painters_mpi_start(int *argc, char ***argv) {
    if (!launched_by_mpi()) {
        check_slurm_world(1);
        if (slurm_cpus_per_task() > 0)
            share_cores(1);
        else
            machine_set_threads(0); /* the environment's count, else OpenMP's default */
        return 1;
    }
    int provided, rank;
    /* MPI_THREAD_MULTIPLE for the heartbeat thread (liveness.h); the main
     * thread alone makes every other MPI call. */
    MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_world);
    util_set_rank(rank, g_world);
    int beating = liveness_start(provided);
#ifdef PAINTERS_SMPI
    beating = 1; /* no heartbeats in a simulation (liveness.c): nothing to warn of */
#endif
    if (!beating && g_world > 1 && rank == 0)
        warn_msg("MPI grants no MPI_THREAD_MULTIPLE: no heartbeats, so --timeout bounds each "
                 "wait (including the work it waits for), not silence");
    if (rank == 0) check_slurm_world(g_world);
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    share_cores(local ? atoi(local) : 1);
    if (rank != 0) {
        station_main();
        job_end_station_check_out();
        liveness_stop();
        MPI_Finalize();
        exit(0);
    }
    atexit(release_stations);
    return g_world;
}

void painters_mpi_finish(void) {
    if (launched_by_mpi()) release_stations();
}
