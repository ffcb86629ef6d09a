/* mpi_start.h: joining the MPI job. Every program that runs the model under
 * mpirun (the painters binary, the tests) starts with painters_mpi_start():
 * rank 0 goes on to run the coordinator's work; every other rank serves as a
 * painter station until rank 0 is done, then the call exits the process. */
#ifndef PAINTERS_MPI_START_H
#define PAINTERS_MPI_START_H

/* Initializes MPI when started by a launcher (mpirun, srun; otherwise painters
 * runs as one process without MPI). On ranks other than 0 this serves as a
 * station and never returns. On rank 0 it returns, having arranged that any
 * exit releases the stations and finalizes MPI. Returns the world size. */
int painters_mpi_start(int *argc, char ***argv);

/* Rank 0, once its command has returned: releases the stations and
 * finalizes MPI now rather than from the exit handler, which never runs
 * under SMPI (every rank is a thread of the simulator's one process, and
 * returning from main ends only that rank). Does nothing without MPI or
 * when called again. */
void painters_mpi_finish(void);

#endif
