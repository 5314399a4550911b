/*
 * exec.c - the execution loop, Wait and Fail. The context object ($$) is
 * context_object.c's, the clock clock.c's.
 *
 * rt_run_machine drives a compiled asl_machine: each state function gets
 * the current document and returns the index of the next state (or
 * ASL_NEXT_END / ASL_NEXT_ERROR). Around each call the loop records the
 * <Type>StateEntered / <Type>StateExited events, frees the state's scratch
 * values, checks the output against AWS's 256 KiB limit
 * (States.DataLimitExceeded), and checks the execution deadline
 * (TimeoutSeconds) and SIGINT / SIGTERM. A state that fails gets no Exited
 * event, as on AWS.
 *
 * The per-transition path is kept lean (the loop benchmark runs millions of
 * transitions a second): no allocation, no time formatting, no printing and,
 * unless TimeoutSeconds is set, not even a clock read. The context object
 * is built only when a path reads $$, and the state's EnteredTime is taken
 * at the first moment something needs it (a history event, or $$ itself),
 * microseconds after the state was entered.
 *
 * Waits and the clock: rt_now_ns (clock.c) is real time plus
 * run->skipped_ns. --wait skip adds
 * a Wait's duration to skipped_ns instead of sleeping and --wait scale=X
 * sleeps X times the duration and skips the rest, so timestamps, Wait
 * Timestamp targets and TimeoutSeconds behave as if the full time passed.
 *
 * Owns: while running, the document; the run's names, ARNs and input copy
 * (freed before rt_run_machine returns). Called by main.c (asl_main) and by the unit
 * tests; generated code calls the asl_wait_* / asl_fail_state functions.
 *
 * Layer: engine
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "effects.h"
#include "engine.h"
#include "fanout.h"
#include "values.h"

/* Where generated ARNs live: AWS's documentation account and region. */
#define RT_ARN_PREFIX "arn:aws:states:us-east-1:123456789012:"
#define RT_DEFAULT_ROLE "arn:aws:iam::123456789012:role/service-role/StepFunctions-%s-role"

static const rt_options default_options = {.wait_mode = RT_WAIT_REAL};

static const rt_options *options_of(const rt_run *run)
{
    return run->opt ? run->opt : &default_options;
}

/* ==== Small helpers ======================================================== */

static char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* printf of up to two strings into a fresh string (0 when out of memory);
 * [fmt] may use fewer conversions than arguments given. */
static char *str_printf(const char *fmt, const char *a, const char *b)
{
    int n = snprintf(NULL, 0, fmt, a, b);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        snprintf(s, (size_t)n + 1, fmt, a, b);
    return s;
}

/* A value as AWS quotes it in causes ("$.p == <value>"): strings bare,
 * everything else as compact JSON. Returns a malloc'd string. */
static char *value_text(const cJSON *v)
{
    if (cJSON_IsString(v) && v->valuestring)
        return str_dup(v->valuestring);
    return rt_json_print(v);
}

/* ==== Terminal states other than FAILED =================================== */

/* Like asl_fail_with, but the run ends as TIMED_OUT / ABORTED. The first
 * error still wins, except that these two override a failure that has not
 * ended the run yet (they come from outside the state). */
static int end_run(asl_exec *x, rt_status status, const char *error, const char *cause)
{
    if (x->failed && (x->status == RT_TIMED_OUT || x->status == RT_ABORTED))
        return ASL_NEXT_ERROR;
    free(x->error);
    free(x->cause);
    x->error = error ? str_dup(error) : NULL;
    x->cause = cause ? str_dup(cause) : NULL;
    x->failed = true;
    x->status = status;
    return ASL_NEXT_ERROR;
}

static int timed_out(asl_exec *x)
{
    return end_run(x, RT_TIMED_OUT, "States.Timeout", NULL);
}

static int aborted(asl_exec *x)
{
    return end_run(x, RT_ABORTED, NULL, NULL);
}

/* ==== Signals ============================================================== */

/* The run that SIGINT / SIGTERM abort. One run at a time per process. */
static rt_run *volatile signal_run;

static void on_signal(int sig)
{
    rt_run *run = signal_run;
    if (run)
        run->aborted = sig;
}

static bool add_string(cJSON *o, const char *key, const char *val)
{
    return cJSON_AddStringToObject(o, key, val ? val : "") != NULL;
}

/* ==== Events =============================================================== */

/* {"<key>": "<doc as JSON text>", "<key>Details": {"truncated": false}}
 * added to [d]; documents are never truncated here. */
static bool add_doc(cJSON *d, const char *key, const char *details_key, const cJSON *doc)
{
    char *text = doc ? rt_json_print(doc) : NULL;
    bool ok = cJSON_AddStringToObject(d, key, text ? text : "null") != NULL;
    free(text);
    cJSON *det = ok ? cJSON_AddObjectToObject(d, details_key) : NULL;
    return det && cJSON_AddFalseToObject(det, "truncated");
}

/* Records <Type>StateEntered / <Type>StateExited for the current state;
 * an Exited event carries the state's [assigned] variables (taken; 0 when
 * it assigned none) as name -> JSON text. */
static long state_event(asl_exec *x, bool entered, const cJSON *doc, cJSON *assigned)
{
    const asl_state *st = &x->machine->states[x->state];
    char type[64];
    snprintf(type, sizeof type, "%s%s", st->type, entered ? "StateEntered" : "StateExited");
    if (entered)
        (void)rt_entered_ns(x); /* the Entered event's time is the state's EnteredTime */
    cJSON *d = cJSON_CreateObject();
    if (d && !(add_string(d, "name", st->name) &&
               add_doc(d, entered ? "input" : "output", entered ? "inputDetails" : "outputDetails",
                       doc))) {
        cJSON_Delete(d);
        d = NULL;
    }
    if (d && assigned) {
        cJSON *det = NULL;
        if (!cJSON_AddItemToObject(d, "assignedVariables", assigned))
            cJSON_Delete(assigned); /* not linked: still ours */
        else
            det = cJSON_AddObjectToObject(d, "assignedVariablesDetails");
        if (!det || !cJSON_AddFalseToObject(det, "truncated")) {
            cJSON_Delete(d);
            d = NULL;
        }
    } else {
        cJSON_Delete(assigned);
    }
    return rt_event(x, type, entered ? "stateEnteredEventDetails" : "stateExitedEventDetails", d);
}

static void execution_started(asl_exec *x, const cJSON *input)
{
    cJSON *d = NULL;
    if (rt_recording(x)) {
        d = cJSON_CreateObject();
        if (d && !(add_doc(d, "input", "inputDetails", input) &&
                   add_string(d, "roleArn", x->run->role_arn))) {
            cJSON_Delete(d);
            d = NULL;
        }
    }
    rt_event(x, "ExecutionStarted", "executionStartedEventDetails", d);
}

/* The terminal event for a run that did not succeed. */
static void execution_ended(asl_exec *x)
{
    static const char *const types[] = {
        [RT_FAILED] = "ExecutionFailed",
        [RT_TIMED_OUT] = "ExecutionTimedOut",
        [RT_ABORTED] = "ExecutionAborted",
    };
    static const char *const keys[] = {
        [RT_FAILED] = "executionFailedEventDetails",
        [RT_TIMED_OUT] = "executionTimedOutEventDetails",
        [RT_ABORTED] = "executionAbortedEventDetails",
    };
    rt_status s = x->status == RT_SUCCEEDED ? RT_FAILED : x->status;
    cJSON *d = NULL;
    if (rt_recording(x)) {
        d = cJSON_CreateObject();
        /* AWS records an empty details object for a timeout. */
        if (d && s != RT_TIMED_OUT) {
            if ((x->error && !add_string(d, "error", x->error)) ||
                (x->cause && !add_string(d, "cause", x->cause))) {
                cJSON_Delete(d);
                d = NULL;
            }
        }
    }
    rt_event(x, types[s], keys[s], d);
}

/* ==== The loop ============================================================= */

/* AWS's limit on a state's output: 256 KiB of JSON text, UTF-8. */
enum { RT_DATA_LIMIT = 262144 };

/* A bound of the current document's size, carried from state to state:
 * a state that reports its growth (x->doc_growth) is checked by adding it,
 * and the document is walked again only when the sum passes the limit or
 * the growth is unknown. Choice and Pass states in a loop over a large
 * document then cost what they touch, not the document's size. */
typedef struct {
    size_t bytes;
    bool known;
} doc_bound;

/* True when [doc] is larger than AWS lets a state return; updates [b]. */
static bool over_data_limit(const cJSON *doc, size_t growth, doc_bound *b)
{
    if (b->known && growth != RT_GROWTH_UNKNOWN && growth <= RT_DATA_LIMIT &&
        b->bytes + growth <= RT_DATA_LIMIT) {
        b->bytes += growth;
        return false;
    }
    b->known = false;
    if (!doc)
        return false;
    size_t n = rt_json_size_bound(doc, RT_DATA_LIMIT);
    if (n > RT_DATA_LIMIT) {
        char *text = rt_json_print(doc);
        n = text ? strlen(text) : RT_GROWTH_UNKNOWN;
        free(text);
        if (n > RT_DATA_LIMIT)
            return true;
    }
    b->bytes = n;
    b->known = true;
    return false;
}



/* Fills in the run's names, ARNs, clock and input copy. Returns false when
 * out of memory. */
static bool run_begin(asl_exec *x, const asl_machine *m, const cJSON *input)
{
    rt_run *run = x->run;
    const rt_options *opt = options_of(run);
    run->machine = m;
    const char *mname = m->name ? m->name : "StateMachine";
    char uuid[37];
    const char *ename = opt->execution_name;
    if (!ename) {
        rt_uuid_v4(uuid); /* the default execution name, as in AWS's console */
        ename = uuid;
    }
    run->execution_name = str_dup(ename);
    const char *prefix = opt->arn_prefix ? opt->arn_prefix : RT_ARN_PREFIX;
    run->express = opt->type == RT_TYPE_EXPRESS || (opt->type == RT_TYPE_OF_MACHINE && m->express);
    if (opt->execution_arn) { /* aslc serve: the ARN it answered StartExecution with */
        run->execution_arn = str_dup(opt->execution_arn);
    } else if (run->express) {
        /* AWS: arn:...:express:MACHINE:NAME:UUID (a fresh id per execution) */
        char id[37];
        rt_uuid_v4(id);
        run->execution_arn = rt_fmt("%sexpress:%s:%s:%s", prefix, mname, ename, id);
    } else {
        run->execution_arn = rt_fmt("%sexecution:%s:%s", prefix, mname, ename);
    }
    run->state_machine_arn = rt_fmt("%sstateMachine:%s", prefix, mname);
    run->role_arn =
        opt->role_arn ? str_dup(opt->role_arn) : str_printf(RT_DEFAULT_ROLE, mname, NULL);
    run->input = cJSON_Duplicate(input, 1);
    run->last_event_id = 0;
    run->history_full = 0;
    run->skipped_ns = 0;
    if (!opt->external_stop) /* else the owner's: a stop may come before the start */
        run->aborted = 0;
    run->start_ns = rt_real_ns();
    run->deadline_ns = 0;
    if (m->timeout_seconds > 0) {
        /* Saturate: a deadline past year 2262 is no deadline in practice. */
        if (m->timeout_seconds > (INT64_MAX - run->start_ns) / 1000000000)
            run->deadline_ns = INT64_MAX;
        else
            run->deadline_ns = run->start_ns + (int64_t)m->timeout_seconds * 1000000000;
    }
    /* An Express execution lasts at most five minutes, whatever TimeoutSeconds says. */
    if (run->express) {
        int64_t cap = run->start_ns + (int64_t)RT_EXPRESS_MAX_SECONDS * 1000000000;
        if (run->deadline_ns == 0 || cap < run->deadline_ns)
            run->deadline_ns = cap;
    }
    /* An outer deadline (a Lambda invocation's) bounds the run like TimeoutSeconds. */
    if (opt->deadline_ns > 0 && (run->deadline_ns == 0 || opt->deadline_ns < run->deadline_ns))
        run->deadline_ns = opt->deadline_ns;
    return run->execution_name && run->execution_arn && run->state_machine_arn &&
           run->role_arn && run->input;
}

static void run_end(rt_run *run)
{
    free(run->execution_name);
    free(run->execution_arn);
    free(run->state_machine_arn);
    free(run->role_arn);
    cJSON_Delete(run->input);
    run->execution_name = run->execution_arn = run->state_machine_arn = run->role_arn = NULL;
    run->input = NULL;
}

/* [x] must be zero-initialised except x->run, which points at an rt_run
 * whose opt is set (or 0 for defaults). Takes ownership of [input]. A
 * state function that returns ASL_NEXT_ERROR leaves in *doc either 0 or a
 * tree that the loop frees. */
rt_status rt_run_machine(asl_exec *x, const asl_machine *m, cJSON *input, cJSON **output)
{
    rt_run *run = x->run;
    *output = NULL;
    x->machine = m;
    x->state = -1;
    /* Whatever an earlier run on this x left (error, $$) describes that run. */
    rt_exec_dispose(x);
    x->failed = false;
    x->heartbeat_timeout = false;
    x->status = RT_SUCCEEDED;
    if (!input) {
        asl_fail_with(x, "States.Runtime", "Out of memory: no input document.");
        return x->status;
    }
    if (m->nstates <= 0 || m->start < 0 || m->start >= m->nstates) {
        cJSON_Delete(input);
        asl_fail_with(x, "States.Runtime", "The state machine has no start state.");
        return x->status;
    }
    if (!run_begin(x, m, input)) {
        run_end(run);
        cJSON_Delete(input);
        asl_fail_with(x, "States.Runtime", "Out of memory while starting the execution.");
        return x->status;
    }

    /* A run stopped from another thread (aslc serve) leaves the process's
     * signals to its owner: many such runs share the process. */
    const bool signals = !options_of(run)->external_stop;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a sleeping Wait must wake up to abort. */
    if (signals) {
        signal_run = run;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
    }

    execution_started(x, input);

    cJSON *doc = NULL;
    bool ok = rt_exec_states(x, m, input, &doc) == RT_SUCCEEDED && !run->history_full;
    if (run->history_full) {
        /* The history's last event already says so (history.c). */
        cJSON_Delete(doc);
        doc = NULL;
        rt_end_history_full(x);
    } else if (ok) {
        x->status = RT_SUCCEEDED;
        cJSON *d = NULL;
        if (rt_recording(x)) {
            d = cJSON_CreateObject();
            if (d && !add_doc(d, "output", "outputDetails", doc)) {
                cJSON_Delete(d);
                d = NULL;
            }
        }
        rt_event(x, "ExecutionSucceeded", "executionSucceededEventDetails", d);
        *output = doc;
    } else {
        execution_ended(x);
    }

    if (signals) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        signal_run = NULL;
    }
    rt_pool_free(run); /* joins the Map / Parallel threads, if any started */
    cJSON_Delete(x->context); /* it refers to run->input, freed next */
    x->context = NULL;
    run_end(run);
    return ok ? RT_SUCCEEDED : x->status;
}

rt_status rt_end_history_full(asl_exec *x)
{
    /* whatever stopped the states afterwards (an abort by rt_cancelled)
     * is not what the execution ended with */
    free(x->error);
    free(x->cause);
    x->error = str_dup("States.Runtime");
    x->cause = str_dup(RT_HISTORY_FULL_CAUSE);
    x->failed = true;
    x->status = RT_FAILED;
    return RT_FAILED;
}

/* A state that takes time (Task, Wait, Parallel, Map) and ends in an error
 * inside a Parallel branch or Map iteration, or when the run is aborted,
 * gets <Type>StateAborted after its own failure events, as AWS records it
 * (a branch's failing Task: TaskFailed, then TaskStateAborted). */
static void state_aborted(asl_exec *x)
{
    const char *type = x->machine->states[x->state].type;
    if (!type || !(strcmp(type, "Task") == 0 || strcmp(type, "Wait") == 0 ||
                   strcmp(type, "Parallel") == 0 || strcmp(type, "Map") == 0))
        return;
    if (!x->scope && x->status != RT_ABORTED)
        return;
    char ev[64];
    snprintf(ev, sizeof ev, "%sStateAborted", type);
    rt_event(x, ev, NULL, NULL);
}

rt_status rt_exec_states(asl_exec *x, const asl_machine *m, cJSON *input, cJSON **output)
{
    rt_run *run = x->run;
    *output = NULL;
    x->machine = m;
    x->state = -1;
    x->failed = false;
    x->heartbeat_timeout = false;
    x->status = RT_SUCCEEDED;
    if (!input) {
        asl_fail_with(x, "States.Runtime", "Out of memory: no input document.");
        return x->status;
    }
    if (m->nstates <= 0 || m->start < 0 || m->start >= m->nstates) {
        cJSON_Delete(input);
        asl_fail_with(x, "States.Runtime", "The state machine has no start state.");
        return x->status;
    }

    const bool rec = rt_recording(x);
    const int64_t deadline = run->deadline_ns;
    cJSON *doc = input;
    doc_bound bound = {0, false};
    int cur = m->start;
    bool ok = false;
    /* Cheap states in a row since the clock was last read. A JSONPath
     * Pass, Choice or Succeed (one that tracks its growth or measures its
     * output) costs at most a walk of a document under 256 KiB, well under
     * a millisecond; a Wait enforces the deadline itself. So the clock is
     * read before every state that follows anything else, and otherwise
     * every 16th state: a run of cheap states overshoots the deadline by
     * less than the coarse clock's tick, not by a full timeout. */
    unsigned cheap_run = 0;
    rt_node_cache_enter(); /* freed documents' nodes serve the next state's */
    for (;;) {
        if (run->aborted || run->history_full || (x->scope && rt_cancelled(x))) {
            aborted(x);
            break;
        }
        x->entered_ns = 0; /* read on first use (rt_entered_ns) */
        if (deadline && cheap_run % 16 == 0 && !rt_before_deadline(x, deadline)) {
            timed_out(x);
            break;
        }
        const asl_state *st = &m->states[cur];
        x->state = cur;
        x->retry_count = 0;
        x->context_stale = true;
        x->entered_event_id = rec ? state_event(x, true, doc, NULL) : rt_loop_event_id(x);

        x->doc_growth = st->tracks_growth ? 0 : RT_GROWTH_UNKNOWN;
        x->doc_bytes = RT_GROWTH_UNKNOWN;
        int next = st->run(x, &doc);
        if (x->nscratch) /* most states keep no scratch values: skip the call */
            rt_scratch_reset(x);

        if (next == ASL_NEXT_ERROR || x->failed) {
            rt_vars_discard(x);
            if (!x->failed)
                asl_fail_runtime(x, "The state failed without saying why.");
            if (rec)
                state_aborted(x);
            break;
        }
        cheap_run = st->tracks_growth || x->doc_bytes != RT_GROWTH_UNKNOWN ? cheap_run + 1 : 0;
        size_t growth = x->doc_growth;
        if (x->doc_bytes != RT_GROWTH_UNKNOWN) { /* the state measured its whole output */
            bound = (doc_bound){x->doc_bytes, true};
            growth = 0;
        }
        if (over_data_limit(doc, growth, &bound)) {
            /* AWS's cause has no "An error occurred..." prefix here. */
            char *cause = str_printf("The state/task '%s' returned a result with a size "
                                     "exceeding the maximum number of bytes service limit.",
                                     st->name, NULL);
            asl_fail_with(x, "States.DataLimitExceeded", cause);
            free(cause);
            rt_vars_discard(x);
            break;
        }
        cJSON *assigned = rec && rt_vars_pending(x) ? cJSON_CreateObject() : NULL;
        /* (x->staged is 0 unless the state assigned: skip the call) */
        if (x->staged && rt_vars_commit(x, assigned) != 0) {
            cJSON_Delete(assigned);
            if (rec)
                state_aborted(x);
            break;
        }
        if (rec)
            state_event(x, false, doc, assigned);
        else
            x->prev_event_id = rt_loop_event_id(x);
        if (next == ASL_NEXT_END) {
            if (deadline && rt_now_ns(x) >= deadline)
                timed_out(x);
            else if (run->aborted)
                aborted(x);
            else
                ok = true;
            break;
        }
        if (next < 0 || next >= m->nstates) {
            asl_fail_runtime(x, "Failed to transition out of the state. The state does not "
                                "point to a next state.");
            break;
        }
        cur = next;
    }

    rt_node_cache_leave();
    if (ok) {
        *output = doc;
        return RT_SUCCEEDED;
    }
    cJSON_Delete(doc);
    return x->status;
}

/* ==== Wait ================================================================= */

/* Sleeps [ns] of real time; returns early when the run is aborted. Inside
 * a Parallel branch or Map iteration, or in a run stopped from another
 * thread, it sleeps in slices, so that a failing sibling (which cancels
 * the scope) or a StopExecution stops it within a few milliseconds:
 * signals reach only one thread, and a scope has no signal at all. */
static void sleep_real(const asl_exec *x, int64_t ns)
{
    const rt_run *run = x->run;
    enum { SLICE_NS = 5000000 };
    enum { SHOW_SLICE_NS = 200000000 };
    /* A Wait of about a second or more (what is left of `"Seconds": 1` when
     * the sleep starts) shows its time left on a terminal; not one inside a
     * Map or Parallel, whose line is the Map's. */
    const bool shown = ns >= 900000000 && !x->scope && rt_progress_on(run);
    const bool sliced = x->scope || options_of(run)->external_stop;
    while (ns > 0 && !run->aborted && !(x->scope && rt_cancelled(x))) {
        if (shown)
            rt_progress_wait(x, ns);
        int64_t step = sliced && ns > SLICE_NS ? SLICE_NS : ns;
        if (shown && step > SHOW_SLICE_NS)
            step = SHOW_SLICE_NS;
        struct timespec req = {.tv_sec = (time_t)(step / 1000000000),
                               .tv_nsec = (long)(step % 1000000000)};
        struct timespec rem;
        int64_t before = rt_real_ns();
        while (!run->aborted && nanosleep(&req, &rem) != 0 && errno == EINTR)
            req = rem;
        ns -= sliced || shown ? rt_real_ns() - before : step;
    }
    if (shown)
        rt_progress_wait_end(x);
}

/* Moves the shared execution clock forward to at least [target] (never
 * back: concurrent branches that wait overlap, as on AWS). */
static void skip_to(asl_exec *x, int64_t target)
{
    rt_run *r = rt_root_run(x->run);
    int64_t old = __atomic_load_n(&r->skipped_ns, __ATOMIC_RELAXED);
    for (;;) {
        int64_t after;
        if (__builtin_add_overflow(rt_real_ns(), old, &after) || after >= target)
            return;
        if (__atomic_compare_exchange_n(&r->skipped_ns, &old, old + (target - after), false,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return;
    }
}

/* Waits until [target] on the execution clock. A target at or past the
 * deadline ends the run as TIMED_OUT once the deadline is reached. */
static int wait_until(asl_exec *x, int64_t target)
{
    rt_run *run = x->run;
    const rt_options *opt = options_of(run);
    bool times_out = false;
    if (run->deadline_ns && target >= run->deadline_ns) {
        target = run->deadline_ns;
        times_out = true;
    }
    int64_t now = rt_now_ns(x);
    if (target > now) {
        int64_t dur = target - now;
        switch (opt->wait_mode) {
        case RT_WAIT_REAL:
            sleep_real(x, dur);
            break;
        case RT_WAIT_SCALE: {
            double scaled = (double)dur * opt->wait_scale;
            if (scaled > 0)
                sleep_real(x, scaled >= 9.2e18 ? INT64_MAX : (int64_t)scaled);
            break;
        }
        case RT_WAIT_SKIP:
            break;
        }
        /* skip and scale: the execution clock still advances to the target
         * (an abort stops the clock where it is). */
        if (opt->wait_mode != RT_WAIT_REAL && !run->aborted && !(x->scope && rt_cancelled(x)))
            skip_to(x, target);
    }
    if (run->aborted || (x->scope && rt_cancelled(x)))
        return aborted(x);
    if (times_out)
        return timed_out(x);
    return 0;
}

/* now + seconds, saturating. */
static int64_t after_seconds(const asl_exec *x, long long seconds)
{
    int64_t now = rt_now_ns(x);
    if (seconds <= 0)
        return now;
    if (seconds > (INT64_MAX - now) / 1000000000)
        return INT64_MAX;
    return now + (int64_t)seconds * 1000000000;
}

int rt_wait_ns(asl_exec *x, int64_t ns)
{
    int64_t now = rt_now_ns(x);
    if (ns <= 0)
        return wait_until(x, now);
    return wait_until(x, ns > INT64_MAX - now ? INT64_MAX : now + ns);
}

/* AWS fails a Wait longer than 2^31 - 1 seconds with this cause (its
 * delay is a 32-bit count of seconds). Checked before any arithmetic, it
 * also keeps every instant a Wait reaches inside int64 nanoseconds. */
#define WAIT_MAX_SECONDS 2147483647LL

static int wait_too_long(asl_exec *x)
{
    return asl_fail_runtime(x, "Wait state delay is too long");
}

int asl_wait_seconds(asl_exec *x, long long seconds)
{
    if (seconds < 0)
        return asl_fail_runtime(x, "The Seconds field references a negative value: %lld",
                                seconds);
    if (seconds > WAIT_MAX_SECONDS)
        return wait_too_long(x);
    return wait_until(x, after_seconds(x, seconds));
}

/* Java's Long.parseLong on the value's text, which is how AWS reads
 * SecondsPath (its cause says "cannot be parsed as a long value"): an
 * integral number, or a string of an optional sign and decimal digits. */
static bool value_long(const cJSON *v, long long *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
            return false;
        *out = (long long)d;
        return true;
    }
    if (!cJSON_IsString(v) || !v->valuestring)
        return false;
    const char *s = v->valuestring;
    bool neg = false;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (!*s)
        return false;
    unsigned long long acc = 0, limit = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (acc > (limit - d) / 10)
            return false;
        acc = acc * 10 + d;
    }
    *out = neg ? (long long)(0 - acc) : (long long)acc;
    return true;
}

int asl_wait_seconds_path(asl_exec *x, const cJSON *in, const asl_path *p)
{
    const cJSON *v = asl_select_quiet(x, p, in);
    if (asl_failed(x))
        return ASL_NEXT_ERROR;
    if (!v)
        return asl_fail_runtime(
            x, "The SecondsPath parameter does not reference an input value: %s", p->text);
    long long secs = 0;
    bool parsed = value_long(v, &secs);
    if (!parsed || secs < 0) {
        char *t = value_text(v);
        if (parsed)
            asl_fail_runtime(x, "The SecondsPath parameter references a negative value: %s == %s",
                             p->text, t ? t : "");
        else
            asl_fail_runtime(x,
                             "The SecondsPath parameter cannot be parsed as a long value: %s == %s",
                             p->text, t ? t : "");
        free(t);
        return ASL_NEXT_ERROR;
    }
    if (secs > WAIT_MAX_SECONDS)
        return wait_too_long(x);
    return wait_until(x, after_seconds(x, secs));
}

/* Epoch (sec, nsec) as execution-clock nanoseconds, saturating. */
static int64_t instant_ns(long long sec, long nsec)
{
    if (sec >= INT64_MAX / 1000000000)
        return INT64_MAX;
    if (sec <= INT64_MIN / 1000000000)
        return INT64_MIN + 1000000000;
    return (int64_t)sec * 1000000000 + nsec;
}

/* Waits until the epoch instant (sec, nsec), or fails as AWS does when that
 * is more than WAIT_MAX_SECONDS away (compared in seconds: no overflow). */
static int wait_until_instant(asl_exec *x, long long sec, long nsec)
{
    long long now_sec = (long long)(rt_now_ns(x) / 1000000000);
    if (sec > now_sec && sec - now_sec > WAIT_MAX_SECONDS)
        return wait_too_long(x);
    return wait_until(x, instant_ns(sec, nsec));
}

int asl_wait_timestamp(asl_exec *x, const char *text, int valid, long long sec, long nsec)
{
    if (!valid)
        return asl_fail_runtime(x,
                                "The Timestamp field cannot be parsed as an ISO-8601 extended "
                                "offset date-time format string: %s",
                                text ? text : "");
    return wait_until_instant(x, sec, nsec);
}

int asl_wait_timestamp_path(asl_exec *x, const cJSON *in, const asl_path *p)
{
    const cJSON *v = asl_select_quiet(x, p, in);
    if (asl_failed(x))
        return ASL_NEXT_ERROR;
    if (!v)
        return asl_fail_runtime(x,
                                "The TimestampPath parameter does not reference an input value: %s",
                                p->text);
    long long sec;
    long nsec;
    if (!cJSON_IsString(v) || !v->valuestring || !rt_parse_timestamp(v->valuestring, &sec, &nsec)) {
        char *t = value_text(v);
        asl_fail_runtime(x,
                         "The TimestampPath parameter does not reference a valid ISO-8601 "
                         "extended offset date-time format string: %s == %s",
                         p->text, t ? t : "");
        free(t);
        return ASL_NEXT_ERROR;
    }
    return wait_until_instant(x, sec, nsec);
}

/* ==== Fail ================================================================= */

/* Evaluates ErrorPath / CausePath into a fresh string. A PATH template
 * borrows its selection; a CALL builds one. The value must be a string
 * (AWS documents it so; what AWS does otherwise is not recorded, so we fail
 * loudly rather than guess a rendering). Returns 0 with the error set. */
static char *fail_field(asl_exec *x, const cJSON *in, const asl_tmpl *t, const char *field)
{
    const cJSON *v;
    cJSON *built = NULL;
    const char *text;
    if (t->kind == ASL_T_PATH) {
        /* Nothing there: AWS's text names the field and repeats the input
         * (as for a "key.$" field, flow.c), not Jayway's "No results". */
        v = asl_select_quiet(x, t->path, in);
        text = t->path->text;
        if (!v && !asl_failed(x)) {
            char *doc = rt_json_print(in);
            asl_fail_runtime(x,
                             "The JSONPath '%s' specified for the field '%s' could not be found "
                             "in the input '%s'",
                             text ? text : "", field, doc ? doc : "null");
            free(doc);
            return NULL;
        }
    } else {
        v = built = asl_build(x, t, in);
        text = t->kind == ASL_T_CALL && t->call ? t->call->name : field;
    }
    if (!v) {
        if (!asl_failed(x))
            asl_fail_runtime(x, "The %s parameter does not reference an input value: %s", field,
                             text);
        return NULL;
    }
    char *s = NULL;
    if (cJSON_IsString(v) && v->valuestring) {
        s = str_dup(v->valuestring);
        if (!s)
            asl_fail_with(x, "States.Runtime", "Out of memory.");
    } else {
        char *vt = value_text(v);
        asl_fail_runtime(x, "The %s parameter does not reference a string: %s == %s", field, text,
                         vt ? vt : "");
        free(vt);
    }
    cJSON_Delete(built);
    return s;
}

int asl_fail_state(asl_exec *x, const cJSON *in, const char *error, const char *cause,
                   const asl_tmpl *error_path, const asl_tmpl *cause_path)
{
    char *e = NULL, *c = NULL;
    if (error_path && !(e = fail_field(x, in, error_path, "ErrorPath")))
        return ASL_NEXT_ERROR;
    if (cause_path && !(c = fail_field(x, in, cause_path, "CausePath"))) {
        free(e);
        return ASL_NEXT_ERROR;
    }
    asl_fail_with(x, e ? e : error, c ? c : cause);
    free(e);
    free(c);
    return ASL_NEXT_ERROR;
}
