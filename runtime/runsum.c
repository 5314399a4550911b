/*
 * runsum.c - rt_run_summarize: one pass over a run's history events that
 * counts, per state, entries, exits, Task attempts, failures and Map
 * iterations, and the transitions taken.
 *
 * Events of Parallel branches and Map iterations interleave, so "the
 * state an event belongs to" is followed along previousEventId, which
 * chains the events of one (sub-)execution (history.c): for each event id
 * we keep the state open in its chain and the state its chain exited
 * last. An Entered event whose chain last exited A is the transition
 * A -> this state. Entered / Exited / MapIteration* events name their
 * state themselves; the others (TaskScheduled, LambdaFunctionFailed, ...)
 * belong to the state open in their chain.
 *
 * Owns: the arrays of the summary; every string is borrowed from the
 * events. Called by report.c and by cli/graph_history.c.
 *
 * Layer: values
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runsum.h"

typedef struct {
    rt_run_sum *s;
    int cap_states, cap_edges, cap_visits;
    int *cur, *last; /* per event id: open state / last exited state, -1 none */
    int *visit;      /* per event id: the visit open in its chain, -1 none */
    long max_id;
} sum_ctx;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The event's "...EventDetails" object, or 0. */
static const cJSON *details_of(const cJSON *ev)
{
    for (const cJSON *c = ev->child; c; c = c->next)
        if (c->string && ends_with(c->string, "EventDetails") && cJSON_IsObject(c))
            return c;
    return NULL;
}

/* The index of the state named [name], added when new; -1 out of memory. */
static int state_index(sum_ctx *c, const char *name, const char *type)
{
    rt_run_sum *s = c->s;
    for (int i = 0; i < s->nstates; i++)
        if (strcmp(s->states[i].name, name) == 0) {
            if (strcmp(s->states[i].type, "State") == 0) /* first seen by its exit */
                s->states[i].type = type;
            return i;
        }
    if (s->nstates == c->cap_states) {
        int cap = c->cap_states ? 2 * c->cap_states : 16;
        rt_state_sum *n = realloc(s->states, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        s->states = n;
        c->cap_states = cap;
    }
    rt_state_sum *st = &s->states[s->nstates];
    memset(st, 0, sizeof *st);
    st->name = name;
    st->type = type;
    return s->nstates++;
}

static int add_edge(sum_ctx *c, int from, int to)
{
    rt_run_sum *s = c->s;
    for (int i = 0; i < s->nedges; i++)
        if (s->edges[i].from == from && s->edges[i].to == to) {
            s->edges[i].count++;
            return 0;
        }
    if (s->nedges == c->cap_edges) {
        int cap = c->cap_edges ? 2 * c->cap_edges : 16;
        rt_edge_sum *n = realloc(s->edges, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        s->edges = n;
        c->cap_edges = cap;
    }
    s->edges[s->nedges++] = (rt_edge_sum){from, to, 1};
    return 0;
}

static int add_visit(sum_ctx *c, int state, const cJSON *ev)
{
    rt_run_sum *s = c->s;
    if (s->nvisits == c->cap_visits) {
        int cap = c->cap_visits ? 2 * c->cap_visits : 64;
        rt_visit *n = realloc(s->visits, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        s->visits = n;
        c->cap_visits = cap;
    }
    s->visits[s->nvisits] = (rt_visit){.state = state, .entered = ev};
    return s->nvisits++;
}

/* The state type of a "<Type>StateEntered" event, as a static string (the
 * event's own text holds the type only as a prefix). */
static const char *type_name(const char *event_type)
{
    static const char *const kinds[] = {"Task", "Pass", "Choice", "Wait", "Succeed",
                                        "Fail", "Parallel", "Map"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (starts_with(event_type, kinds[i]) &&
            strcmp(event_type + strlen(kinds[i]), "StateEntered") == 0)
            return kinds[i];
    return "State";
}

static bool run_end(rt_run_sum *s, const char *type, const cJSON *d)
{
    static const char *const ends[][2] = {{"ExecutionSucceeded", "SUCCEEDED"},
                                          {"ExecutionFailed", "FAILED"},
                                          {"ExecutionTimedOut", "TIMED_OUT"},
                                          {"ExecutionAborted", "ABORTED"}};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (strcmp(type, ends[i][0]) == 0) {
            s->status = ends[i][1];
            s->error = str_of(d, "error");
            s->cause = str_of(d, "cause");
            s->output = str_of(d, "output");
            return true;
        }
    return false;
}

/* One event; -1 when out of memory. */
static int one_event(sum_ctx *c, const cJSON *ev, long id, long prev, const char *type,
                     const cJSON *d)
{
    rt_run_sum *s = c->s;
    int open = prev > 0 && prev <= c->max_id ? c->cur[prev] : -1;
    int left = prev > 0 && prev <= c->max_id ? c->last[prev] : -1;
    int vis = prev > 0 && prev <= c->max_id ? c->visit[prev] : -1;
    const char *name = str_of(d, "name");
    c->cur[id] = open;
    c->last[id] = left;
    c->visit[id] = vis;
    if (run_end(s, type, d))
        return 0;
    if (name && ends_with(type, "StateEntered")) {
        int i = state_index(c, name, type_name(type));
        if (i < 0 || (left >= 0 && add_edge(c, left, i) != 0) ||
            (c->visit[id] = add_visit(c, i, ev)) < 0)
            return -1;
        s->states[i].entered++;
        c->cur[id] = i;
        c->last[id] = -1;
    } else if (name && ends_with(type, "StateExited")) {
        int i = state_index(c, name, "State");
        if (i < 0)
            return -1;
        s->states[i].exited++;
        if (vis >= 0 && s->visits[vis].state == i)
            s->visits[vis].exited = ev;
        c->visit[id] = -1;
        c->cur[id] = -1;
        c->last[id] = i;
    } else if (starts_with(type, "MapIteration")) {
        int i = name ? state_index(c, name, "Map") : -1;
        if (name && i < 0)
            return -1;
        if (i >= 0 && strcmp(type, "MapIterationStarted") == 0)
            s->states[i].iterations++;
        else if (i >= 0 && (strcmp(type, "MapIterationFailed") == 0 ||
                            strcmp(type, "MapIterationAborted") == 0))
            s->states[i].iter_failed++;
        c->cur[id] = -1; /* an iteration's chain starts afresh */
        c->visit[id] = -1;
        c->last[id] = -1;
    } else if (open >= 0 && !starts_with(type, "MapState") && !starts_with(type, "MapRun") &&
               !starts_with(type, "ParallelState") && !starts_with(type, "Execution")) {
        /* Map/Parallel end events follow their last branch's chain, not
         * their own: they are left to the Entered/Exited counts. */
        rt_state_sum *st = &s->states[open];
        rt_visit *v = vis >= 0 && s->visits[vis].state == open ? &s->visits[vis] : NULL;
        if (ends_with(type, "Scheduled")) {
            st->attempts++;
            if (v)
                v->attempts++;
        } else if (ends_with(type, "Failed") || ends_with(type, "TimedOut")) {
            st->failures++;
            st->error = str_of(d, "error") ? str_of(d, "error") : type;
            st->cause = str_of(d, "cause");
            if (v) {
                v->failures++;
                v->error = st->error;
                v->cause = st->cause;
            }
        }
    }
    return 0;
}

int rt_run_summarize(const cJSON *events, rt_run_sum *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!cJSON_IsArray(events)) {
        snprintf(err, errlen, "the history is not a list of events");
        return -1;
    }
    int n = cJSON_GetArraySize(events);
    /* Ids count every event (history.c), so they stay near the count;
     * the bound keeps a hostile id from sizing a huge table. */
    sum_ctx c = {.s = out, .max_id = 4L * n + 16};
    c.cur = malloc((size_t)(c.max_id + 1) * sizeof *c.cur);
    c.last = malloc((size_t)(c.max_id + 1) * sizeof *c.last);
    c.visit = malloc((size_t)(c.max_id + 1) * sizeof *c.visit);
    int rc = c.cur && c.last && c.visit ? 0 : -1;
    if (rc)
        snprintf(err, errlen, "out of memory");
    for (long i = 0; rc == 0 && i <= c.max_id; i++)
        c.cur[i] = c.last[i] = c.visit[i] = -1;
    int k = 0;
    for (const cJSON *ev = events->child; rc == 0 && ev; ev = ev->next, k++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev, "id");
        const cJSON *prev = cJSON_GetObjectItemCaseSensitive(ev, "previousEventId");
        const char *type = cJSON_IsObject(ev) ? str_of(ev, "type") : NULL;
        if (!type || !cJSON_IsNumber(id) || (prev && !cJSON_IsNumber(prev))) {
            snprintf(err, errlen, "event %d: not an event (an object with a numeric \"id\" and a \"type\")",
                     k + 1);
            rc = -1;
        } else if (id->valuedouble < 1 || id->valuedouble > (double)c.max_id ||
                   id->valuedouble != (double)(long)id->valuedouble) {
            snprintf(err, errlen, "event %d: id %g is out of range (1 to %ld for %d events)", k + 1,
                     id->valuedouble, c.max_id, n);
            rc = -1;
        } else {
            double p = prev ? prev->valuedouble : 0;
            long pid = p >= 0 && p <= (double)c.max_id ? (long)p : 0;
            if (!out->first)
                out->first = ev;
            out->last = ev;
            if (one_event(&c, ev, (long)id->valuedouble, pid, type, details_of(ev)) != 0) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            }
        }
    }
    out->nevents = k;
    /* A run that did not succeed: the states still open failed with it
     * (a Fail state, the Task whose error ended the run, its Map...). */
    if (rc == 0 && out->status && strcmp(out->status, "SUCCEEDED") != 0)
        for (int i = 0; i < out->nstates; i++) {
            rt_state_sum *st = &out->states[i];
            if (st->entered > st->exited) {
                st->failing = true;
                if (!st->error || strcmp(st->type, "Fail") == 0) {
                    st->error = out->error ? out->error : out->status;
                    st->cause = out->cause;
                }
            }
        }
    /* An open visit of a failed run carries the run's error. */
    for (int i = 0; rc == 0 && out->status && strcmp(out->status, "SUCCEEDED") != 0 && i < out->nvisits; i++)
        if (!out->visits[i].exited && !out->visits[i].error) {
            out->visits[i].error = out->error ? out->error : out->status;
            out->visits[i].cause = out->cause;
        }
    free(c.cur);
    free(c.last);
    free(c.visit);
    if (rc != 0)
        rt_run_sum_free(out);
    return rc;
}

const rt_state_sum *rt_run_state(const rt_run_sum *s, const char *name)
{
    for (int i = 0; i < s->nstates; i++)
        if (strcmp(s->states[i].name, name) == 0)
            return &s->states[i];
    return NULL;
}

void rt_run_sum_free(rt_run_sum *s)
{
    free(s->states);
    free(s->edges);
    free(s->visits);
    memset(s, 0, sizeof *s);
}
