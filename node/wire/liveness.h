/* liveness.h: every rank shows that it is alive while it computes, so that
 * --timeout bounds silence, not work.
 *
 * Each rank runs one heartbeat thread (liveness_start, after MPI_Init_thread
 * granted MPI_THREAD_MULTIPLE). Rank 0's thread sends a heartbeat to every
 * station, and each station's thread one to rank 0, every min(1 s,
 * --timeout / 4) (WIRE_TAG_HEARTBEAT); each thread receives the heartbeats
 * sent to it and notes when it last heard from each rank it watches: rank 0
 * watches every station, a station watches rank 0. A station's thread also
 * answers rank 0's probe (wire.h) with what its main thread is doing
 * (liveness_doing). The main thread never waits on the thread: its waits
 * (wire.c) read the longest silence and end the job once a watched rank has
 * been silent for longer than --timeout, naming it. Silence counts only
 * while the listening thread runs: a whole job stopped and continued (a
 * suspended Slurm job, ^Z and fg) starts counting again.
 *
 * Why a thread and not heartbeats sent between layers: a thread keeps beating
 * through anything the main thread does (one long GEMM, loading weights,
 * tokenizing, writing files on rank 0), so no code path has to remember to
 * tick, and a stopped process (SIGSTOP stops every thread) or a cut link
 * still falls silent. Open MPI 4.1 supports MPI_THREAD_MULTIPLE with its
 * shared-memory and TCP transports; the thread only calls nonblocking
 * MPI_Isend/MPI_Test/MPI_Iprobe/MPI_Recv on its own tags, which the main
 * thread never receives. Where the library grants less (another MPI, a
 * simulator), liveness_start declines and the waits fall back to bounding
 * each wait by --timeout (wire.c). */
#ifndef PAINTERS_LIVENESS_H
#define PAINTERS_LIVENESS_H

/* Starts the heartbeat thread when more than one rank runs and `provided`
 * (from MPI_Init_thread) is MPI_THREAD_MULTIPLE; returns 1 if it runs. */
int liveness_start(int provided);
/* Stops and joins the thread (before MPI_Finalize); no-op if not running. */
void liveness_stop(void);
int liveness_running(void);

/* The timeout that sets the heartbeats' period (wire_set_timeout calls it). */
void liveness_set_timeout(double seconds);
/* The --timeout rank 0 announced in its heartbeats (0 before any): a station
 * knows it before its first setup arrives. */
double liveness_announced_timeout(void);

/* What the main thread is doing, for rank 0's probe ("step 4: waiting for
 * the canvas from rank 1"); copied. */
void liveness_doing(const char *what);

/* The longest silence, in seconds, of a rank this rank watches, counted
 * only while this rank's thread was listening; *rank (if not NULL) is that
 * rank. 0 (and *rank -1) when the thread does not run. */
double liveness_longest_silence(int *rank);
/* The silence of one watched rank, counted the same way (0 for a rank not
 * watched, or when the thread does not run). */
double liveness_silence(int rank);

#endif
