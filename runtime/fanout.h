/*
 * fanout.h - the fan-out engine shared by Parallel and Map (runtime
 * internal, like rt.h; generated code never sees it).
 *
 * A fan-out runs n units (Parallel branches, Map iterations, distributed
 * Map child executions) with at most `limit` in flight, on the run's thread
 * pool and on the calling thread. It is built from "runners": min(limit, n)
 * loops, each taking the next unit, preparing its input under the fan-out's
 * lock, running it outside the lock and reporting back under the lock. The
 * calling thread is always one of the runners, so a fan-out makes progress
 * even when the pool has no thread to spare (nested Maps never deadlock),
 * and in-flight units can never exceed the limit: MaxConcurrency holds
 * exactly. Items are prepared only when a runner takes them, so memory
 * stays proportional to the units in flight plus the results. A cpu_bound
 * fan-out starts with the calling thread alone and adds runners only when
 * a unit proves long (pool.c).
 *
 * The lock also guards the parent execution [x]: prep() may evaluate
 * templates on it (ItemSelector reads $$ and the effective input), because
 * the thread that owns x is itself inside rt_fanout_run.
 *
 * Implemented in pool.c; used by parallel.c and map.c.
 *
 * Layer: engine
 */
#ifndef ASLRT_FANOUT_H
#define ASLRT_FANOUT_H

#include <pthread.h>
#include <stdbool.h>

#include "engine.h"
#include "rt.h"

typedef struct rt_fanout rt_fanout;

typedef struct rt_fanout_ops {
    /* Under the lock: the input of unit [i] (a fresh tree), or 0 with the
     * error set on f->x: the fan-out then stops and f->prep_failed is set. */
    cJSON *(*prep)(rt_fanout *f, long i);
    /* Outside the lock, on the unit's thread: run unit [i] on [input]
     * (taken) with [sub], a zeroed asl_exec whose run, scope and
     * prev_event_id are set. It may point sub->run elsewhere while it runs
     * (a child execution) but must restore it. Returns the status; on
     * success *out is the unit's output. */
    rt_status (*run)(rt_fanout *f, long i, asl_exec *sub, cJSON *input, cJSON **out);
    /* Under the lock: unit [i] ended with [st]; [out] (taken) is its output
     * on success, sub holds the error otherwise (done may take the error
     * strings). Returns true to stop the fan-out: no new unit starts and
     * the running ones are cancelled. */
    bool (*done)(rt_fanout *f, long i, asl_exec *sub, rt_status st, cJSON *out);
} rt_fanout_ops;

struct rt_fanout {
    /* set by the caller before rt_fanout_run */
    asl_exec *x;             /* the Parallel / Map state's execution */
    const rt_fanout_ops *ops;
    void *ctx;               /* the caller's state, for the ops */
    long n;                  /* number of units */
    long limit;              /* most units in flight at once (>= 1) */
    long start_event;        /* previousEventId of each unit's first event */
    bool isolated;           /* units see no variables of x (a distributed Map's children) */
    const char *label;       /* a Map's state name: its progress line (progress.c); 0 = none */
    /* The units cannot block (a Map processor of Pass, Choice, Succeed and
     * Fail only): the calling thread runs them alone, and helpers join (as
     * many as there are CPUs, within limit) only once a unit has taken
     * more CPU time than a hand-off costs. */
    bool cpu_bound;
    /* results, read after rt_fanout_run */
    bool stopped;            /* done() asked to stop, or prep failed */
    bool prep_failed;        /* prep() failed: the error is on x */
    long started;            /* units started */
    long peak;               /* most units that were in flight at once */
    long units_done, units_failed; /* units ended, and how many of them not SUCCEEDED */
    /* private to pool.c */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long next, in_flight, runners;
    bool helped;             /* cpu_bound: the helpers were asked for */
    bool suspect;            /* cpu_bound: the last unit took long by the clock */
    rt_scope scope;
    bool progress;           /* label set and the progress line is on */
    int64_t progress_t0, progress_shown;
};

/* Runs the fan-out: returns when every unit that started has ended. The
 * caller fills the public fields first (the rest is initialised here). */
void rt_fanout_run(rt_fanout *f);

/* ==== progress.c: the live line on a terminal ============================= */
/* Whether the run shows progress (--progress / --no-progress, else a tty). */
bool rt_progress_on(const rt_run *run);
/* A unit of [f] ended ([ok]: SUCCEEDED); called with f->mu held. */
void rt_progress_unit(rt_fanout *f, bool ok);
/* [f] ended: clears its line when it showed one. */
void rt_progress_fanout_end(rt_fanout *f);
/* A Wait in [x] has [left_ns] to go; _end clears its line. */
void rt_progress_wait(const asl_exec *x, int64_t left_ns);
void rt_progress_wait_end(const asl_exec *x);

/* Threads of the run's pool ever started (for tests and --trace). */
int rt_pool_threads(rt_run *run);

/* ==== parallel.c: the data flow both states share ========================= */
/* InputPath: *eff becomes the effective input, borrowed from *doc or from
 * *owned (a fresh {} for InputPath null, freed by the caller). Returns 0,
 * or -1 with the error set. */
int rt_flow_input(asl_exec *x, const asl_flow *fl, cJSON *const *doc, const cJSON **eff,
                  cJSON **owned);
/* ResultSelector, ResultPath, OutputPath with [result] (taken) into *doc;
 * returns fl->next, or ASL_NEXT_ERROR. */
int rt_flow_finish(asl_exec *x, const asl_flow *fl, cJSON **doc, cJSON *result);
/* Make a sub-execution's failure the state's own: [x] takes [error] and
 * [cause] (malloc'd or 0), the status and [heartbeat] (the sub-execution's
 * heartbeat_timeout: a branch or iteration Task's missed heartbeat stays
 * one for the Parallel / Map state's Retry and Catch, as on AWS). */
void rt_adopt_error(asl_exec *x, rt_status st, char *error, char *cause, bool heartbeat);

#endif
