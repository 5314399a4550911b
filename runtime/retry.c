/*
 * retry.c - Retry and Catch of Task (and later Parallel and Map) states.
 *
 * A generated state function runs its work in a loop; when an attempt
 * fails it calls asl_retry, and when that declines, asl_catch:
 *
 *     int attempts[N] = {0};
 *     for (;;) {
 *         ... InputPath, Parameters, asl_task_invoke, ResultSelector ...
 *         if (ok) return next;
 *         if (asl_retry(x, retriers, N, attempts)) continue;
 *         return asl_catch(x, catchers, M, doc);
 *     }
 *
 * The rules, as AWS applies them (the conformance cases decide where the
 * documentation disagrees):
 * - the FIRST retrier (catcher) whose ErrorEquals matches is the one used;
 *   a retrier that matches but has no attempts left ends the retrying,
 *   later retriers are not consulted;
 * - "States.ALL" matches every error, "States.TaskFailed" every error but
 *   "States.Timeout"; "States.HeartbeatTimeout" the States.Timeout of a
 *   missed heartbeat (AWS records both as States.Timeout); other names
 *   match exactly. A failure without an
 *   error name (a task that threw {"Error": null}) is matched by those two
 *   wildcards only;
 * - "States.Runtime" is never retried and never caught, whatever the
 *   ErrorEquals says (AWS records it so);
 * - "States.DataLimitExceeded" is retried and caught like any other error
 *   (AWS's documentation says States.ALL cannot catch it; the recorded
 *   executions show that it does);
 * - nothing is retried or caught once the execution itself has timed out
 *   or been aborted (x->status is then RT_TIMED_OUT / RT_ABORTED);
 * - the n-th retry of a retrier (n from 0) waits IntervalSeconds *
 *   BackoffRate^n seconds, at most MaxDelaySeconds when set; with
 *   JitterStrategy FULL a uniformly random part of that. The wait is on
 *   the execution clock, so --wait skip makes it instant while timestamps
 *   and $$ move on as if it had passed;
 * - each retry adds one to $$.State.RetryCount;
 * - a catcher's error output is {"Error": name, "Cause": cause} (JSON null
 *   for what the failure did not carry, but "" for the missing cause of a
 *   States.Timeout, as recorded), written into the state's raw input at
 *   the catcher's ResultPath ("$" by default; null keeps the input).
 *
 * Owns nothing between calls. Takes the error strings off the execution
 * when it clears an error. Called by generated code only.
 *
 * Layer: engine
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "values.h"

/* ==== Matching ============================================================= */

/* May the current error be retried or caught at all? */
static bool handleable(const asl_exec *x)
{
    if (!x->failed || x->status != RT_FAILED)
        return false; /* no error, or the whole execution timed out / was aborted */
    return !(x->error && strcmp(x->error, "States.Runtime") == 0);
}

/* Does one of the [n] ErrorEquals [names] match error [err] (0: no name)?
 * [heartbeat]: err is a missed heartbeat's States.Timeout, which
 * "States.HeartbeatTimeout" matches as well. */
static bool error_matches(const char *const *names, int n, const char *err, bool heartbeat)
{
    for (int i = 0; i < n; i++) {
        const char *name = names[i];
        if (!name)
            continue;
        if (strcmp(name, "States.ALL") == 0)
            return true;
        if (strcmp(name, "States.TaskFailed") == 0 && !(err && strcmp(err, "States.Timeout") == 0))
            return true;
        if (err && strcmp(name, err) == 0)
            return true;
        if (heartbeat && strcmp(name, "States.HeartbeatTimeout") == 0)
            return true;
    }
    return false;
}

/* Forget the current error: the state goes on (retry) or moves to a
 * catcher's Next. Hands the error strings to the caller (either pointer
 * may be 0; free both with free()). */
static void take_error(asl_exec *x, char **error, char **cause)
{
    *error = x->error;
    *cause = x->cause;
    x->error = x->cause = NULL;
    x->failed = false;
    x->heartbeat_timeout = false;
    x->status = RT_SUCCEEDED;
}

/* ==== Retry ================================================================ */

/* Seconds to wait before retry number [n] (0-based) of [r], before jitter. */
static double backoff_seconds(const asl_retrier *r, int n)
{
    double d = r->interval_seconds;
    /* Stop multiplying long past any wait that could matter: a rate of 2
     * and 99999998 attempts must neither loop for long nor overflow. */
    for (int k = 0; k < n && d < 1e12; k++)
        d *= r->backoff_rate;
    if (r->max_delay_seconds > 0 && d > (double)r->max_delay_seconds)
        d = (double)r->max_delay_seconds;
    return d < 0 ? 0 : d;
}

/* A number in [0, 1) for FULL jitter. It needs to spread retries, not to
 * be unpredictable, and it must not share state between threads (Map and
 * Parallel run sub-executions concurrently): a splitmix64 finaliser over
 * the clock, the execution's address and its retry count. */
static double jitter_unit(const asl_exec *x)
{
    uint64_t s = (uint64_t)rt_now_ns(x) ^ ((uint64_t)(uintptr_t)x << 16) ^
                 (uint64_t)(unsigned)x->retry_count * 0x9E3779B97F4A7C15ULL;
    s ^= s >> 30;
    s *= 0xBF58476D1CE4E5B9ULL;
    s ^= s >> 27;
    s *= 0x94D049BB133111EBULL;
    s ^= s >> 31;
    return (double)(s >> 11) / 9007199254740992.0; /* 2^53 */
}

/* --trace: one line per retry (not a history event: AWS records none, and
 * event ids must stay as AWS numbers them). */
static void trace_retry(const asl_exec *x, const char *error, double seconds, int attempt, int max)
{
    const rt_options *o = x->run ? x->run->opt : NULL;
    if (!o || !o->trace)
        return;
    int64_t el = rt_now_ns(x) - x->run->start_ns;
    if (el < 0)
        el = 0;
    const char *name = "";
    if (x->machine && x->state >= 0 && x->state < x->machine->nstates)
        name = x->machine->states[x->state].name;
    fprintf(stderr, "[%3lld.%03llds]    retry '", (long long)(el / 1000000000),
            (long long)(el / 1000000 % 1000));
    rt_put_terminal(stderr, name);
    fputs("' error=", stderr);
    rt_put_terminal(stderr, error ? error : "null");
    fprintf(stderr, ": attempt %d of %d after %.3fs\n", attempt, max, seconds);
}

int asl_retry(asl_exec *x, const asl_retrier *r, int n, int *attempts)
{
    if (!handleable(x) || !r || n <= 0 || !attempts)
        return 0;
    int i = 0;
    while (i < n && !error_matches(r[i].errors, r[i].nerrors, x->error, x->heartbeat_timeout))
        i++;
    if (i == n || attempts[i] >= r[i].max_attempts)
        return 0; /* no retrier for this error, or the one that matches is spent */

    double secs = backoff_seconds(&r[i], attempts[i]);
    if (r[i].jitter == ASL_JITTER_FULL)
        secs *= jitter_unit(x);
    attempts[i]++;
    trace_retry(x, x->error, secs, attempts[i], r[i].max_attempts);

    char *error, *cause;
    take_error(x, &error, &cause);
    free(error);
    free(cause);
    x->retry_count++;
    x->context_stale = true; /* $$.State.RetryCount changed */

    /* 9.2e9 s is past what int64 nanoseconds hold: wait "forever", which
     * the execution's TimeoutSeconds (if any) cuts short. */
    int64_t ns = secs >= 9.2e9 ? INT64_MAX : (int64_t)(secs * 1e9);
    if (rt_wait_ns(x, ns) != 0)
        return 0; /* timed out or aborted while waiting: the error says so */
    return 1;
}

/* ==== Catch ================================================================ */

/* {"Error": error, "Cause": cause}, null for what is missing; except that
 * a States.Timeout without a cause gets "Cause": "" (AWS records that for
 * a timed-out task; task_service_lambda.invoke_timeout), while a failure
 * with neither name nor cause gets two nulls (callback cases). */
static cJSON *error_output(const char *error, const char *cause)
{
    if (!cause && error && strcmp(error, "States.Timeout") == 0)
        cause = "";
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON *e = error ? cJSON_CreateString(error) : cJSON_CreateNull();
    if (!e || !cJSON_AddItemToObject(o, "Error", e)) {
        cJSON_Delete(e);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON *c = cause ? cJSON_CreateString(cause) : cJSON_CreateNull();
    if (!c || !cJSON_AddItemToObject(o, "Cause", c)) {
        cJSON_Delete(c);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int asl_catch(asl_exec *x, const asl_catcher *c, int n, cJSON **doc)
{
    if (!handleable(x) || !c || n <= 0 || !doc)
        return ASL_NEXT_ERROR;
    int i = 0;
    while (i < n && !error_matches(c[i].errors, c[i].nerrors, x->error, x->heartbeat_timeout))
        i++;
    if (i == n)
        return ASL_NEXT_ERROR;

    char *error, *cause;
    take_error(x, &error, &cause);
    cJSON *out = error_output(error, cause);
    free(error);
    free(cause);
    if (!out)
        return asl_fail_with(x, "States.Runtime", "Out of memory while building the error output.");
    /* the state's own Assign does not happen; the catcher's does, with $ =
     * the error output, into the scope the state runs in */
    rt_vars_discard(x);
    if (c[i].jsonata) {
        asl_jstates js = {*doc, NULL, out};
        if (c[i].assign && asl_jn_assign(x, c[i].assign, &js) != 0) {
            cJSON_Delete(out);
            return ASL_NEXT_ERROR;
        }
        cJSON *o = c[i].output ? asl_jn_value(x, c[i].output, &js, "Output") : out;
        if (c[i].output)
            cJSON_Delete(out);
        if (!o)
            return ASL_NEXT_ERROR;
        cJSON_Delete(*doc);
        *doc = o;
        return c[i].next;
    }
    if (c[i].assign && asl_assign(x, c[i].assign, out) != 0) {
        cJSON_Delete(out);
        return ASL_NEXT_ERROR;
    }

    if (c[i].result_path_null) {
        cJSON_Delete(out); /* ResultPath null: the state's input goes on unchanged */
    } else if (!c[i].result_path) {
        cJSON_Delete(*doc); /* ResultPath "$" (the default): the error output is all */
        *doc = out;
    } else if (asl_apply_result_path(x, c[i].result_path, doc, out) != 0) {
        return ASL_NEXT_ERROR;
    }
    return c[i].next;
}
