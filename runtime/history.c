/*
 * history.c - execution events: ids, the --history JSON lines, the --trace
 * lines.
 *
 * Every event gets the next id (ids are counted even when nothing is
 * written, because AWS's causes quote "entered at the event id #N").
 * With --history each event becomes one line shaped like an event of
 * GetExecutionHistory:
 *   {"id":2,"previousEventId":1,"timestamp":"...","type":"PassStateEntered",
 *    "stateEnteredEventDetails":{"name":"S","input":"{...}",...}}
 * With --trace a readable line goes to stderr:
 *   [  0.000s] #2 enter Pass 'S' input={...}
 *
 * Thread-safe: Parallel branches and Map iterations record events from
 * several threads. One lock covers taking the next id and writing the
 * line (and the trace line), so the file lists events in id order. The
 * previousEventId of an event is the id of the event before it in the same
 * (sub-)execution (asl_exec.prev_event_id): in a sequential run that is
 * id - 1, in a branch or iteration it chains back to the event that
 * started it, as AWS numbers them.
 *
 * Owns: nothing beyond the details object handed to rt_event, which it
 * frees. Writes to rt_options.history (opened and closed by main.c) and
 * appends to rt_options.events (an in-memory log, `aslc serve`), whose
 * lines it allocates and rt_event_log_free frees.
 * Called by exec.c (execution and state events); later by task, map and
 * parallel code for their own event types.
 *
 * Layer: effects
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "effects.h"
#include "values.h"

/* Serialises ids, history lines and trace lines across the threads of a
 * run (one lock per process: a process runs one execution at a time). */
static pthread_mutex_t history_lock = PTHREAD_MUTEX_INITIALIZER;

/* Trace lines show at most this many bytes of a document. */
enum { TRACE_DOC_MAX = 200 };

static void trace_doc(FILE *f, const char *label, const char *text)
{
    if (!text)
        return;
    size_t n = strlen(text);
    if (n <= TRACE_DOC_MAX)
        fprintf(f, " %s=%s", label, text);
    else
        fprintf(f, " %s=%.*s... (%zu bytes)", label, TRACE_DOC_MAX, text, n);
}

static const char *detail_str(const cJSON *details, const char *key)
{
    const cJSON *v = details ? cJSON_GetObjectItemCaseSensitive(details, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* One readable line per event. State events say enter/exit with the state
 * type (the event type minus its suffix); others print their type. */
static void trace_event(asl_exec *x, long id, const char *type, const cJSON *details, int64_t now)
{
    FILE *f = stderr;
    int64_t el = now - x->run->start_ns;
    if (el < 0)
        el = 0;
    fprintf(f, "[%3lld.%03llds] #%ld ", (long long)(el / 1000000000),
            (long long)(el / 1000000 % 1000), id);

    static const char entered[] = "StateEntered", exited[] = "StateExited";
    const char *name = detail_str(details, "name");
    if (ends_with(type, entered) && name) {
        fprintf(f, "enter %.*s '", (int)(strlen(type) - strlen(entered)), type);
        rt_put_terminal(f, name);
        fputc('\'', f);
        trace_doc(f, "input", detail_str(details, "input"));
    } else if (ends_with(type, exited) && name) {
        fprintf(f, "exit  %.*s '", (int)(strlen(type) - strlen(exited)), type);
        rt_put_terminal(f, name);
        fputc('\'', f);
        trace_doc(f, "output", detail_str(details, "output"));
    } else {
        fputs(type, f);
        trace_doc(f, "input", detail_str(details, "input"));
        trace_doc(f, "output", detail_str(details, "output"));
        const char *err = detail_str(details, "error"), *cause = detail_str(details, "cause");
        if (err) {
            fputs(" error=", f);
            rt_put_terminal(f, err);
        }
        if (cause) {
            fputs(" cause=", f);
            rt_put_terminal(f, cause);
        }
    }
    fputc('\n', f);
}

/* The event as one line of JSON text, keys in the order of the
 * executable's contract (id, previousEventId, timestamp, type, details).
 * [details] stays the caller's: it is lent to the event for printing and
 * taken back. Returns cJSON_malloc'd text, or 0 when out of memory. */
static char *event_text(long id, long prev, const char *type, const char *details_key,
                        cJSON *details, int64_t now)
{
    char ts[40];
    rt_format_timestamp(now, ts, sizeof ts);
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return NULL;
    bool ok = cJSON_AddNumberToObject(ev, "id", (double)id) &&
              cJSON_AddNumberToObject(ev, "previousEventId", (double)prev) &&
              cJSON_AddStringToObject(ev, "timestamp", ts) &&
              cJSON_AddStringToObject(ev, "type", type);
    bool lent = ok && details_key && details && cJSON_AddItemToObject(ev, details_key, details);
    char *text = ok ? cJSON_PrintUnformatted(ev) : NULL;
    if (lent)
        cJSON_DetachItemViaPointer(ev, details);
    cJSON_Delete(ev);
    return text;
}

/* Keeps [text] (taken) in [l]; the caller holds l->mu. */
static void log_append(rt_event_log *l, char *text)
{
    if (!text) {
        l->oom = true;
        return;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->lines, cap * sizeof *p);
        if (!p) {
            l->oom = true;
            cJSON_free(text);
            return;
        }
        l->lines = p;
        l->cap = cap;
    }
    l->lines[l->n++] = text;
}

void rt_event_log_free(rt_event_log *l)
{
    for (size_t i = 0; i < l->n; i++)
        cJSON_free(l->lines[i]);
    free(l->lines);
    l->lines = NULL;
    l->n = l->cap = 0;
}

bool rt_recording(const asl_exec *x)
{
    const rt_options *o = x->run ? x->run->opt : NULL;
    return o && (o->history || o->trace || o->events);
}

/* What becomes of an event, by its id: recorded, recorded as the
 * execution's failure (the history is full) or dropped (past the quota). */
typedef enum { EV_RECORD, EV_HISTORY_FULL, EV_DROP } ev_fate;

static bool execution_end_type(const char *type)
{
    return strcmp(type, "ExecutionSucceeded") == 0 || strcmp(type, "ExecutionFailed") == 0 ||
           strcmp(type, "ExecutionTimedOut") == 0 || strcmp(type, "ExecutionAborted") == 0;
}

/* Takes the next id for [type] and says what becomes of the event. */
static ev_fate take_id(asl_exec *x, const char *type, long *id_out, bool solo)
{
    rt_run *run = x->run;
    long id;
    if (solo) { /* no other thread adds now: no locked instruction */
        id = __atomic_load_n(&run->last_event_id, __ATOMIC_RELAXED) + 1;
        __atomic_store_n(&run->last_event_id, id, __ATOMIC_RELAXED);
    } else {
        id = __atomic_add_fetch(&run->last_event_id, 1, __ATOMIC_RELAXED);
    }
    *id_out = id;
    if (id < RT_HISTORY_MAX || run->express) /* Express executions have no such limit */
        return EV_RECORD;
    /* The last event allowed: an execution's own end stands as it is;
     * anything else means the execution cannot go on. */
    if (id == RT_HISTORY_MAX && execution_end_type(type))
        return EV_RECORD;
    run->history_full = 1;
    return id == RT_HISTORY_MAX ? EV_HISTORY_FULL : EV_DROP;
}

long rt_event_id(asl_exec *x, const char *type)
{
    long id;
    (void)take_id(x, type, &id, false);
    x->prev_event_id = id;
    return id;
}

long rt_loop_event_id(asl_exec *x)
{
    /* Between two states of a top-level execution nothing else runs on
     * its rt_run: Map and Parallel children (whose x->scope is set) have
     * finished with the state that started them, so the count needs no
     * atomic add. The type matters only for the run's last allowed event. */
    long id;
    (void)take_id(x, "StateEvent", &id, !x->scope);
    x->prev_event_id = id;
    return id;
}

long rt_event(asl_exec *x, const char *type, const char *details_key, cJSON *details)
{
    rt_run *run = x->run;
    const rt_options *opt = run->opt;
    if (!opt || (!opt->history && !opt->trace && !opt->events)) {
        long id = rt_event_id(x, type);
        cJSON_Delete(details);
        return id;
    }
    /* The file and trace are the process's; an in-memory log is the run's
     * own, so runs that only keep a log do not wait for each other. */
    bool shared = opt->history || opt->trace;
    if (shared)
        pthread_mutex_lock(&history_lock);
    if (opt->events)
        pthread_mutex_lock(&opt->events->mu);
    long id;
    ev_fate fate = take_id(x, type, &id, false);
    long prev = x->prev_event_id;
    x->prev_event_id = id;
    if (fate == EV_HISTORY_FULL) {
        /* AWS's ExecutionFailed as the last event of the full history */
        cJSON_Delete(details);
        details = cJSON_CreateObject();
        if (details && (!cJSON_AddStringToObject(details, "error", "States.Runtime") ||
                        !cJSON_AddStringToObject(details, "cause", RT_HISTORY_FULL_CAUSE))) {
            cJSON_Delete(details);
            details = NULL;
        }
        type = "ExecutionFailed";
        details_key = "executionFailedEventDetails";
    }
    int64_t now = rt_now_ns(x);
    if (fate != EV_DROP && (opt->history || opt->events)) {
        char *text = event_text(id, prev, type, details_key, details, now);
        if (opt->history && text) {
            fputs(text, opt->history);
            fputc('\n', opt->history);
        }
        if (opt->events)
            log_append(opt->events, text);
        else
            cJSON_free(text);
    }
    if (fate != EV_DROP && opt->trace)
        trace_event(x, id, type, details, now);
    if (opt->events)
        pthread_mutex_unlock(&opt->events->mu);
    if (shared)
        pthread_mutex_unlock(&history_lock);
    cJSON_Delete(details);
    return id;
}
