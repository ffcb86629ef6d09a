/* job_end.h: how a job with stations ends cleanly: every released station
 * checks out with rank 0, and no rank calls MPI_Finalize before rank 0 has
 * heard every station.
 *
 * MPI_Finalize waits for every rank without a limit, and Open MPI 4.1's
 * mpirun can deadlock in its own teardown (PMIx_server_finalize) when the
 * job is aborted while a rank sits in MPI_Finalize waiting for a stopped
 * one: so a station that is done waits for rank 0's word (WIRE_TAG_DONE
 * back to it), bounded by rank 0's silence, and only then finalizes; a
 * stopped station is named by rank 0 while every other rank is still in a
 * painters wait, which MPI_Abort ends cleanly. */
#ifndef PAINTERS_JOB_END_H
#define PAINTERS_JOB_END_H

/* Rank 0, after the quit setup: hears every station say it is done (bounded
 * by each one's silence, liveness.h; without heartbeats by --timeout), then
 * tells each to finalize. A station that does not check out ends the job
 * (die_runtime) naming it. */
void job_end_hear_stations(int world);

/* A released station: tells rank 0 it is done and waits for its word to
 * finalize (bounded by rank 0's silence, wire_wait_forever). */
void job_end_station_check_out(void);

#endif
