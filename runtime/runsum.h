/*
 * runsum.h - what one execution did, read from its history events: per
 * state how often it was entered, exited, retried and failed, a Map's
 * iterations, the transitions taken, and how the run ended.
 *
 * One reader of history events for both drawings of a run: `aslc graph
 * --history` (cli/graph_history.c) and the --report page (report.c).
 * A pure function of the event documents: no I/O.
 *
 * Layer: values
 */
#ifndef ASLRT_RUNSUM_H
#define ASLRT_RUNSUM_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct rt_state_sum {
    const char *name;   /* borrowed from the events */
    const char *type;   /* "Task", "Map", ... (the Entered event's prefix); borrowed */
    int entered, exited;
    int attempts;       /* Task invocations scheduled (retries = attempts - entered) */
    int failures;       /* *Failed / *TimedOut events of the state's own work */
    int iterations, iter_failed; /* Map: MapIterationStarted / Failed or Aborted */
    bool failing;       /* the run's error arose here (or it was still open when it failed) */
    const char *error, *cause; /* the error seen here last (borrowed), or 0 */
} rt_state_sum;

typedef struct rt_edge_sum {
    int from, to;       /* indexes into rt_run_sum.states */
    int count;
} rt_edge_sum;

/* One entry into a state, with the events that began and ended it. */
typedef struct rt_visit {
    int state;                   /* index into rt_run_sum.states */
    const cJSON *entered;        /* the Entered event (borrowed) */
    const cJSON *exited;         /* the Exited event, or 0 (still open, or it failed) */
    int attempts, failures;      /* Task invocations scheduled / failed in it */
    const char *error, *cause;   /* its last failure, or 0 */
} rt_visit;

typedef struct rt_run_sum {
    int nstates;
    rt_state_sum *states; /* in order of first entry */
    int nedges;
    rt_edge_sum *edges;
    int nvisits;
    rt_visit *visits;     /* in order of entry */
    const cJSON *first, *last; /* the first and last events (timestamps) */
    const char *status;   /* SUCCEEDED FAILED TIMED_OUT ABORTED, or 0 (no end event) */
    const char *error, *cause, *output; /* of the end event; borrowed */
    int nevents;
} rt_run_sum;

/* Summarizes [events] (a JSON array of history events as --history writes
 * them, one object each). Strings in the result are borrowed from
 * [events], which must outlive it. Returns 0, or -1 with a message in
 * [err] (an event that is not an object, an id out of range, ...). */
int rt_run_summarize(const cJSON *events, rt_run_sum *out, char *err, size_t errlen);
/* The state named [name] in [s], or 0. */
const rt_state_sum *rt_run_state(const rt_run_sum *s, const char *name);
/* Frees what rt_run_summarize allocated (not the events). */
void rt_run_sum_free(rt_run_sum *s);

#endif
