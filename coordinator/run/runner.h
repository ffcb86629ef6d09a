/* runner.h: runs a program over sequences: embed, route the canvas through
 * the program's steps, head. Keeps each sequence's KV caches, so a later call
 * continues the same sequence (cached decoding).
 *
 * With one rank every layer is applied in this process. Under mpirun with K
 * ranks, rank 0 runs the Runner and ranks 1..K-1 are stations (station_main);
 * runner_open broadcasts the program and placement to them and the canvases
 * travel station to station (route.h).
 *
 *   Runner *r = runner_open(&(RunnerOptions){.model = "models/x", .plan = NULL});
 *   runner_feed(r, tokens, T, logits, RUNNER_ALL_LOGITS);  // prefill: logits (T, V)
 *   runner_feed(r, &next, 1, logits, RUNNER_LAST_LOGITS);  // one more token
 *   runner_close(r);
 *
 * A BERT encoder (runner_is_encoder) has no decoding: runner_encode_batch
 * gives each sequence's last hidden state, and runner_bert_* its heads;
 * runner_feed, runner_score_batch and runner_batch_submit are die_input.
 */
#ifndef PAINTERS_RUNNER_H
#define PAINTERS_RUNNER_H

#include <stdio.h>

#include "formats/checkpoint.h"
#include "run/dispatch.h"
#include "program/placement.h"
#include "program/plan.h"
#include "program/route.h"
#include "station/station.h"
#include "base/trace.h"
#include "compute/matmul.h"
#include "compute/weights.h"

typedef struct {
    const char *model;     /* checkpoint path (directory, .safetensors or llama2.c .bin) */
    const char *plan;      /* plan file, inline JSON, or NULL for the baseline */
    const char *placement; /* block (NULL), round-robin, or JSON */
    int inflight;          /* requests in flight with stations (0: 2 per station) */
    double timeout_s;      /* longest silence of a rank before the job ends (0: 600 s) */
    const char *trace;     /* JSONL file of receive/apply/send events, or NULL */
    int verbose;           /* print station memory at start and station figures at the end */
    int pack_tokens;       /* batch scoring packs sequences into canvases of up to this many
                              tokens (0: RUNNER_PACK_TOKENS; < 0: one sequence at a time) */
    int batch;             /* sequences decoded together in one canvas (0: RUNNER_BATCH) */
    MatmulCompute compute; /* prefill products on BF16 weights, every rank (0: auto) */
} RunnerOptions;

#define RUNNER_PACK_TOKENS 1024
/* Sequences a batch canvas holds by default: enough that decoding reads
 * each weight row once for many tokens (and, with stations, that each lane's
 * canvas keeps a station busy while rank 0 works on another's head). */
#define RUNNER_BATCH 32

typedef enum { RUNNER_LAST_LOGITS, RUNNER_ALL_LOGITS } RunnerLogits;

/* One station's figures for the runs since the last report. */
typedef struct {
    int rank;
    int n_layers; /* layers hosted */
    double compute_ms, wait_ms, send_ms;
    uint64_t bytes_in, bytes_out, steps, layers;
    double gflop;
    uint64_t weight_bytes;
} StationFigures;

/* One canvas of a batch: n sequences, sequence k continuing KV cache set
 * seq[k] after pos0[k] cached tokens (0: a new sequence) with the canvas's
 * tokens [start[k], start[k + 1]). */
typedef struct {
    int n;
    int seq[WIRE_MAX_BATCH], pos0[WIRE_MAX_BATCH], start[WIRE_MAX_BATCH + 1];
} RunnerBatch;

typedef struct {
    int busy;
    RunnerBatch b;
    float *y;   /* (b.start[b.n], D) one rank: the result */
    size_t cap; /* floats of y */
} RunnerBatchLane;

typedef struct {
    RunnerOptions opts;
    Checkpoint *ck;
    HeadWeights *head;
    Program *program;
    int world; /* MPI ranks in the job */
    /* One rank: every layer here. */
    Station *station;
    ProgramKV *kv;
    /* Several ranks: the stations' routes and the requests in flight. */
    Placement *placement;
    Route *route;
    Dispatch *dispatch;
    int n_slots;
    StationFigures *figures; /* (world) per rank, filled at the end of each run */
    Trace trace;
    char *trace_text; /* collected JSONL of every rank; owned */
    size_t trace_len;
    int n_past;        /* tokens of the current sequence so far */
    float *x, *normed; /* (cap, D) canvas and head work buffer */
    size_t cap;
    float *gather; /* (cap_gather, D) a packed sequence's rows, its shared prefix first */
    size_t cap_gather;
    double seconds_layers, seconds_head;
    /* Batches (runner_batch_*): KV cache sets [0, n_seqs), lanes in flight. */
    int n_seqs, n_lanes;
    ProgramKV **seq_kv;     /* (n_seqs) one rank: each made on first use */
    RunnerBatchLane *lanes; /* (n_lanes) */
} Runner;

/* Opens the model and plan (and, with stations, sends them the setup).
 * Caller owns; runner_close() frees. */
Runner *runner_open(const RunnerOptions *o);
/* Ends the stations' run (collecting their figures and trace) and frees. */
void runner_close(Runner *r); /* accepts NULL */

/* Feeds T new tokens of the current sequence. logits receives (T, V) for
 * RUNNER_ALL_LOGITS or (V) for the last token with RUNNER_LAST_LOGITS. */
void runner_feed(Runner *r, const int *tokens, int T, float *logits, RunnerLogits which);

/* x (T, D) <- the current program applied to canvas x of a new sequence (no
 * embedding, no head); the KV caches start empty and are left reset. */
void runner_run_canvas(Runner *r, float *x, int T);

/* Receives the logits (T, V) of sequence i of a batch; valid only during the call. */
typedef void (*RunnerScoreFn)(void *ctx, int i, const float *logits, int T);

/* Runs n independent sequences, each from an empty cache, and calls fn for
 * each with its logits, in order i = 0..n-1: rows from[i] .. T-1 (from NULL:
 * every row; the rows before from[i] may hold anything). Sequences are packed
 * into canvases (RunnerOptions.pack_tokens) and, with stations, several
 * canvases are in flight at once so that every station has work. */
void runner_score_batch(Runner *r, int n, const int *const *seqs, const int *lens, const int *from,
                        RunnerScoreFn fn, void *ctx);

/* Batches in flight at once: 1 with one rank, the request slots with stations. */
int runner_batch_lanes(const Runner *r);
/* KV cache sets a batch may name: [0, runner_batch_sequences(r)), enough for
 * RunnerOptions.batch sequences in each lane. */
int runner_batch_sequences(const Runner *r);
/* Sends batch b, its b->start[b->n] tokens in `tokens`, into lane, which must
 * be free (with one rank it runs here and now). A batch forgets runner_feed's
 * sequence (as runner_reset). */
void runner_batch_submit(Runner *r, int lane, const RunnerBatch *b, const int *tokens);
/* Waits for lane's batch: logits (b->n, V), the last row of each sequence. */
void runner_batch_collect(Runner *r, int lane, float *logits);

/* 1 when the model is an encoder (BERT), 0 for a decoder (Llama family). */
int runner_is_encoder(const Runner *r);

/* Receives sequence i's last hidden state (len, D) under the program; valid
 * only during the call. */
typedef void (*RunnerEncodeFn)(void *ctx, int i, const float *hidden, int len);

/* Encoders: n sequences (token ids seqs[i] and token-type ids type_ids[i];
 * type_ids NULL or type_ids[i] NULL: all 0) packed into canvases of up to
 * RunnerOptions.pack_tokens tokens (< 0: one sequence per canvas), each
 * sequence attending only within itself, and pipelined over stations as
 * runner_score_batch does. fn is called once per sequence, in any order. */
void runner_encode_batch(Runner *r, int n, const int *const *seqs, const int *const *type_ids,
                         const int *lens, RunnerEncodeFn fn, void *ctx);
/* pooled (D) from a sequence's hidden state (len, D): the pooler, or row 0
 * (the [CLS] row) when the checkpoint has none. */
void runner_bert_pooled(const Runner *r, const float *hidden, float *pooled);
/* MLM logits (len, V) of hidden (len, D); die_input without an MLM head. */
void runner_bert_mlm_logits(Runner *r, const float *hidden, int len, float *logits);
/* Classifier logits (num_labels) of pooled (D); die_input without a classifier. */
void runner_bert_classify(const Runner *r, const float *pooled, float *logits);

/* Grows the canvas buffers r->x and r->normed to T rows (their contents are
 * lost); for the runner's own files (runner.c, runner_encode.c). */
void runner_reserve(Runner *r, int T);

/* Starts a new sequence (forgets the KV caches). */
void runner_reset(Runner *r);
/* Replaces the program (the runner takes ownership of p) and starts a new
 * sequence; the weights stay loaded. */
void runner_set_program(Runner *r, Program *p);
/* With stations: ends the current run, collecting each station's figures
 * (r->figures) since the last collection, and starts the next with the same
 * program. Nothing with one rank. */
void runner_collect_figures(Runner *r);
/* Prints the per-station figures of the last finished run (stations only). */
void runner_print_stations(const Runner *r, FILE *f);

#endif
