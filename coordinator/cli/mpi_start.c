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
 * and skips MPI_Init's start-up cost. */
static int launched_by_mpi(void) {
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
 * Runs inside exit(): a failure here (a station that does not answer) must
 * not call exit() again, hence util_set_exiting() first. */
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

/* Threads per rank (BLAS and OpenMP alike): the cores of this node shared
 * among its ranks, unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS says
 * otherwise. */
static void share_cores(void) {
    if (machine_env_threads() > 0) {
        machine_set_threads(0);
        return;
    }
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    int ranks_here = local ? atoi(local) : 1;
    int threads = machine_cores() / (ranks_here > 0 ? ranks_here : 1);
    machine_set_threads(threads > 0 ? threads : 1);
}

int painters_mpi_start(int *argc, char ***argv) {
    if (!launched_by_mpi()) {
        check_slurm_world(1);
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
    if (!liveness_start(provided) && g_world > 1 && rank == 0)
        warn_msg("MPI grants no MPI_THREAD_MULTIPLE: no heartbeats, so --timeout bounds each "
                 "wait (including the work it waits for), not silence");
    if (rank == 0) check_slurm_world(g_world);
    share_cores();
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
