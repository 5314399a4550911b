/*
 * engine.h - the engine layer: the state loop and what the loop and the
 * states that run sub-executions share (waits, the pool). Retry / Catch,
 * Wait, Parallel and Map are public (aslrt.h); the fan-out engine Parallel
 * and Map share is fanout.h.
 *
 * Layer: engine
 */
#ifndef ASLRT_ENGINE_H
#define ASLRT_ENGINE_H

#include "rt.h"

/* ==== exec.c =============================================================== */
/* Run [m] on [input] (taken). On success returns RT_SUCCEEDED and sets
 * *output; otherwise the status, with the error on [x]. */
rt_status rt_run_machine(asl_exec *x, const asl_machine *m, cJSON *input, cJSON **output);
/* Wait [ns] nanoseconds on the execution clock, as a Wait state does
 * (sleeps, skips or scales as --wait says; the clock advances in full).
 * Used by Retry intervals. Returns 0, or ASL_NEXT_ERROR with the error set
 * when the execution timed out or was aborted meanwhile. */
int rt_wait_ns(asl_exec *x, int64_t ns);

/* Run the states of [m] from m->start on [input] (taken) with [x] (which
 * must be zeroed but for run, scope and prev_event_id): the loop of
 * rt_run_machine without the Execution* events, the run's set-up or its
 * signals. Parallel branches and Map iterations run this way. On success
 * returns RT_SUCCEEDED and sets *output; otherwise the status, with the
 * error on [x]. */
rt_status rt_exec_states(asl_exec *x, const asl_machine *m, cJSON *input, cJSON **output);
/* After the states of a run whose history filled up (run->history_full):
 * [x] ends FAILED with States.Runtime and AWS's cause, whatever stopped
 * the states afterwards; returns RT_FAILED. */
rt_status rt_end_history_full(asl_exec *x);

/* ==== pool.c =============================================================== */
/* Join and free the run's pool (rt_run_machine calls it at the end). */
void rt_pool_free(rt_run *run);

/* states_jsonata.c: States.QueryEvaluationError with AWS's "An error
 * occurred while executing the state ..." head and an EvaluationFailed
 * event naming [field] (may be 0). Returns ASL_NEXT_ERROR. */
int asl_fail_query(asl_exec *x, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A JSONata count ([integer]: a whole number): 0, or -1 with the error set. */
int asl_jn_number(asl_exec *x, const asl_tmpl *t, const asl_jstates *s, const char *field, bool integer,
                  double *out);

#endif
