/*
 * task.c - Task state dispatch: asl_task_invoke.
 *
 * One call of asl_task_invoke is one attempt of a Task state (Retry calls
 * it again). It
 *   1. evaluates TimeoutSecondsPath / HeartbeatSecondsPath and Credentials;
 *   2. resolves the Resource: a state that the selected mock test case
 *      names takes its next mocked response (mock.c); any other state goes
 *      to the bindings (bindings.c) by resource ARN - for
 *      arn:aws:states:::lambda:invoke first by the ARN of the FunctionName
 *      in the effective input, then by the resource itself;
 *   3. records AWS's events: TaskScheduled, TaskStarted, (TaskSubmitted
 *      for .waitForTaskToken and .sync), then TaskSucceeded / TaskFailed /
 *      TaskTimedOut; LambdaFunction* for a Lambda function ARN used as the
 *      Resource; Activity* for an activity ARN;
 *   4. runs the handler (handler.c, http.c; the real service with --aws or
 *      an {"aws": true} binding, aws*.c) and turns its reply into the
 *      result or an ASL error (see reply_* below), wraps the reply of a
 *      bound lambda:invoke in Lambda's response envelope, and enforces the
 *      256 KiB result limit (States.DataLimitExceeded).
 *
 * Timeouts: TimeoutSeconds (default: none, as AWS's 99999999) counts from
 * TaskStarted. HeartbeatSeconds applies where AWS applies it: callbacks
 * (.waitForTaskToken), jobs (.sync) and activities; an exec handler sends a
 * heartbeat by writing to fd 3 ($ASL_HEARTBEAT_FD). Both raise
 * States.Timeout with no cause, as AWS records it, and kill the handler.
 * The execution's own TimeoutSeconds and SIGINT / SIGTERM also stop a
 * running handler, and end the run TIMED_OUT / ABORTED.
 *
 * The run's dispatcher (bindings, mocks) is set up by task_setup.c; what
 * a Resource names is resource.c's; the callback token is the context
 * object's (context_object.c), which hands it to $$.Task.Token too.
 *
 * Layer: effects. Owns every intermediate value of one invocation; the
 * result is handed to the caller. Called by generated code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"
#include "dispatch.h"
#include "effects.h"
#include "values.h"

/* AWS's limit on a task result: 256 KiB of JSON text. */
enum { RT_RESULT_LIMIT = 262144 };

/* The run's dispatcher: a distributed Map's child run uses its root's. */
static rt_tasks *tasks_of(const asl_exec *x)
{
    for (const rt_run *r = x->run; r; r = r->parent)
        if (r->tasks)
            return r->tasks;
    return NULL;
}

/* ==== Events =============================================================== */

/* "<key>": text, "<key>Details": {"truncated": false}. */
static bool add_text(cJSON *d, const char *key, const char *details_key, const char *text)
{
    cJSON *det;
    return cJSON_AddStringToObject(d, key, text ? text : "null") &&
           (det = cJSON_AddObjectToObject(d, details_key)) &&
           cJSON_AddFalseToObject(det, "truncated");
}

/* What one invocation records, decided once. */
typedef struct inv {
    asl_exec *x;
    const char *resource;      /* as written */
    rt_resource ri;
    long timeout, heartbeat;   /* seconds; 0 = not set */
    bool heartbeat_applies;
    cJSON *credentials;        /* evaluated Credentials, or 0 */
    bool rec;
} inv;

static const char *const event_prefix[] = {
    [RT_RES_LAMBDA] = "LambdaFunction", [RT_RES_ACTIVITY] = "Activity", [RT_RES_SERVICE] = "Task"};
static const char *const details_prefix[] = {
    [RT_RES_LAMBDA] = "lambdaFunction", [RT_RES_ACTIVITY] = "activity", [RT_RES_SERVICE] = "task"};

/* {resourceType, resource} for Task* events. */
static cJSON *service_details(const inv *v)
{
    cJSON *d = cJSON_CreateObject();
    if (d && (!cJSON_AddStringToObject(d, "resourceType", v->ri.type) ||
              !cJSON_AddStringToObject(d, "resource", v->ri.action))) {
        cJSON_Delete(d);
        return NULL;
    }
    return d;
}

static void event(const inv *v, const char *what, cJSON *d)
{
    char type[64], key[80];
    snprintf(type, sizeof type, "%s%s", event_prefix[v->ri.kind], what);
    snprintf(key, sizeof key, "%s%sEventDetails", details_prefix[v->ri.kind], what);
    rt_event(v->x, type, d ? key : NULL, d);
}

static bool add_credentials(cJSON *d, const cJSON *cred)
{
    if (!cred)
        return true;
    cJSON *tc = cJSON_AddObjectToObject(d, "taskCredentials");
    const cJSON *role = cJSON_IsObject(cred) ? cJSON_GetObjectItemCaseSensitive(cred, "RoleArn")
                                             : NULL;
    return tc && (!cJSON_IsString(role) ||
                  cJSON_AddStringToObject(tc, "roleArn", role->valuestring));
}

static void ev_scheduled(const inv *v, const char *input_text)
{
    if (!v->rec) {
        event(v, "Scheduled", NULL); /* counts the event id */
        return;
    }
    cJSON *d = v->ri.kind == RT_RES_SERVICE ? service_details(v) : cJSON_CreateObject();
    bool ok = d != NULL;
    if (ok && v->ri.kind == RT_RES_SERVICE) {
        ok = cJSON_AddStringToObject(d, "region", v->ri.region) &&
             cJSON_AddStringToObject(d, "parameters", input_text);
    } else if (ok) {
        ok = cJSON_AddStringToObject(d, "resource", v->resource) &&
             add_text(d, "input", "inputDetails", input_text);
    }
    if (ok && v->timeout)
        ok = cJSON_AddNumberToObject(d, "timeoutInSeconds", (double)v->timeout) != NULL;
    if (ok && v->heartbeat && v->ri.kind != RT_RES_LAMBDA)
        ok = cJSON_AddNumberToObject(d, "heartbeatInSeconds", (double)v->heartbeat) != NULL;
    if (ok && v->ri.kind != RT_RES_ACTIVITY)
        ok = add_credentials(d, v->credentials);
    if (!ok) {
        cJSON_Delete(d);
        d = NULL;
    }
    event(v, "Scheduled", d);
}

static void ev_started(const inv *v, const char *worker)
{
    cJSON *d = NULL;
    if (v->rec && v->ri.kind == RT_RES_SERVICE) {
        d = service_details(v);
    } else if (v->rec && v->ri.kind == RT_RES_ACTIVITY) {
        d = cJSON_CreateObject();
        if (d && !cJSON_AddStringToObject(d, "workerName", worker)) {
            cJSON_Delete(d);
            d = NULL;
        }
    }
    event(v, "Started", d);
}

/* [output_text]: the integration's answer (0: none recorded). */
static void ev_submitted(const inv *v, const char *output_text)
{
    cJSON *d = v->rec ? service_details(v) : NULL;
    if (d && output_text && !add_text(d, "output", "outputDetails", output_text)) {
        cJSON_Delete(d);
        d = NULL;
    }
    event(v, "Submitted", d);
}

static void ev_succeeded(const inv *v, const char *output_text)
{
    cJSON *d = NULL;
    if (v->rec) {
        d = v->ri.kind == RT_RES_SERVICE ? service_details(v) : cJSON_CreateObject();
        if (d && !add_text(d, "output", "outputDetails", output_text)) {
            cJSON_Delete(d);
            d = NULL;
        }
    }
    event(v, "Succeeded", d);
}

static void ev_failed(const inv *v, const char *error, const char *cause)
{
    cJSON *d = NULL;
    if (v->rec) {
        d = v->ri.kind == RT_RES_SERVICE ? service_details(v) : cJSON_CreateObject();
        if (d && ((error && !cJSON_AddStringToObject(d, "error", error)) ||
                  (cause && !cJSON_AddStringToObject(d, "cause", cause)))) {
            cJSON_Delete(d);
            d = NULL;
        }
    }
    /* AWS records a timeout as its own event type, with the same details. */
    event(v, error && strcmp(error, "States.Timeout") == 0 ? "TimedOut" : "Failed", d);
}

/* ==== Outcomes ============================================================= */

typedef enum {
    OUT_RESULT,      /* result holds the task's result */
    OUT_ERROR,       /* error / cause: the task failed (catchable) */
    OUT_RUN_TIMEOUT, /* the execution timed out while the task ran */
    OUT_ABORTED      /* the execution was aborted */
} out_kind;

typedef struct outcome {
    out_kind kind;
    cJSON *result;
    char *error, *cause;
    bool heartbeat; /* the States.Timeout of a missed heartbeat */
} outcome;

/* A failure named [error] ("States.TaskFailed" when 0 or empty). */
static void set_error(outcome *o, const char *error, char *cause_taken)
{
    o->kind = OUT_ERROR;
    free(o->error);
    free(o->cause);
    o->error = rt_utf8_valid_take(rt_fmt("%s", error && *error ? error : "States.TaskFailed"));
    /* A handler's bytes may be anything (printf '\377'): the cause becomes
     * JSON in the history, the status line and Catch's output. */
    o->cause = rt_utf8_valid_take(cause_taken);
}

static void outcome_free(outcome *o)
{
    cJSON_Delete(o->result);
    free(o->error);
    free(o->cause);
}

/* The handler's text without surrounding blanks. */
static const char *trim(const char *s, size_t *len)
{
    size_t n = *len;
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    *len = n;
    return s;
}

/* A Lambda error reply: an object with a string "errorType" and nothing but
 * errorType, errorMessage, stackTrace, requestId and cause. A result that
 * merely has more fields is a result. */
static bool lambda_error(const cJSON *v)
{
    if (!cJSON_IsObject(v) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "errorType")))
        return false;
    static const char *const keys[] = {"errorType", "errorMessage", "stackTrace", "requestId",
                                       "cause"};
    for (const cJSON *c = v->child; c; c = c->next) {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            known = known || strcmp(c->string, keys[i]) == 0;
        if (!known)
            return false;
    }
    return true;
}

/* A short excerpt of handler output for causes, cut between characters
 * (set_error makes the rest of it valid UTF-8). */
static char *excerpt(const char *s, size_t n)
{
    size_t max = rt_utf8_prefix(s, n, 200);
    return n > max ? rt_fmt("%.*s... (%zu bytes)", (int)max, s, n) : rt_fmt("%.*s", (int)n, s);
}

static const char *signal_name(int sig)
{
    const char *s = strsignal(sig);
    return s ? s : "unknown signal";
}

static void stop_outcome(outcome *o, rt_end end)
{
    if (end == RT_END_RUN_TIMEOUT)
        o->kind = OUT_RUN_TIMEOUT;
    else if (end == RT_END_ABORTED)
        o->kind = OUT_ABORTED;
    else /* TIMEOUT, HEARTBEAT: AWS records States.Timeout with no cause */
        set_error(o, "States.Timeout", NULL);
    o->heartbeat = end == RT_END_HEARTBEAT;
}

static char *too_big_cause(const inv *v)
{
    return rt_fmt("The state/task '%s' returned a result with a size exceeding the maximum "
                  "number of bytes service limit.",
                  v->ri.kind == RT_RES_SERVICE ? v->ri.type : v->resource);
}

/* An exec handler's end. */
static void reply_exec(const inv *v, const rt_binding *b, rt_exec_result *r, outcome *o)
{
    const char *prog = b->argv[0];
    switch (r->end) {
    case RT_END_DONE: break;
    case RT_END_FAILED:
        set_error(o, NULL, rt_fmt("The handler for '%s' could not start: %s", v->resource, r->msg));
        return;
    case RT_END_TOO_BIG: set_error(o, "States.DataLimitExceeded", too_big_cause(v)); return;
    default: stop_outcome(o, r->end); return;
    }
    size_t n = r->outlen;
    const char *text = r->out ? trim(r->out, &n) : "";
    char perr[200] = "";
    cJSON *val = n ? rt_json_parse(text, n, perr, sizeof perr) : NULL;
    bool ok_exit = r->exited && r->code == 0;
    if (ok_exit) {
        if (!n) {
            set_error(o, NULL, rt_fmt("The handler '%s' exited with status 0 but printed nothing "
                                      "on stdout (print a JSON value, e.g. {} or null)",
                                      prog));
        } else if (!val) {
            char *ex = excerpt(text, n);
            set_error(o, NULL, rt_fmt("The handler '%s' printed invalid JSON on stdout (%s): %s",
                                      prog, perr, ex ? ex : ""));
            free(ex);
        } else if (lambda_error(val)) {
            set_error(o, cJSON_GetObjectItemCaseSensitive(val, "errorType")->valuestring,
                      rt_fmt("%.*s", (int)n, text));
        } else {
            o->kind = OUT_RESULT;
            o->result = val;
            val = NULL;
        }
        cJSON_Delete(val);
        return;
    }
    /* A failure: the handler may say which error it is. */
    const cJSON *et = cJSON_IsObject(val) ? cJSON_GetObjectItemCaseSensitive(val, "errorType") : NULL;
    const cJSON *ee = cJSON_IsObject(val) ? cJSON_GetObjectItemCaseSensitive(val, "Error") : NULL;
    const cJSON *em = cJSON_IsObject(val) ? cJSON_GetObjectItemCaseSensitive(val, "errorMessage")
                                          : NULL;
    if (cJSON_IsString(et)) {
        set_error(o, et->valuestring, rt_fmt("%.*s", (int)n, text));
    } else if (cJSON_IsString(ee)) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(val, "Cause");
        set_error(o, ee->valuestring,
                  cJSON_IsString(c) ? rt_fmt("%s", c->valuestring) : NULL);
    } else if (em) {
        set_error(o, NULL, rt_fmt("%.*s", (int)n, text));
    } else if (r->exited) {
        set_error(o, NULL, rt_fmt("The handler '%s' exited with status %d", prog, r->code));
    } else {
        set_error(o, NULL, rt_fmt("The handler '%s' was killed by signal %d (%s)", prog, r->code,
                                  signal_name(r->code)));
    }
    cJSON_Delete(val);
}

/* An http handler's reply. */
static void reply_http(const inv *v, const rt_binding *b, rt_http_result *r, outcome *o)
{
    switch (r->end) {
    case RT_END_DONE: break;
    case RT_END_FAILED:
        set_error(o, NULL, rt_fmt("POST %s failed: %s", b->url, r->msg));
        return;
    case RT_END_TOO_BIG: set_error(o, "States.DataLimitExceeded", too_big_cause(v)); return;
    default: stop_outcome(o, r->end); return;
    }
    size_t n = r->bodylen;
    const char *text = r->body ? trim(r->body, &n) : "";
    char perr[200] = "";
    cJSON *val = n ? rt_json_parse(text, n, perr, sizeof perr) : NULL;
    bool ok_status = r->status >= 200 && r->status < 300;
    const cJSON *et = cJSON_IsObject(val) ? cJSON_GetObjectItemCaseSensitive(val, "errorType") : NULL;
    if (ok_status && !r->function_error) {
        if (n && !val) {
            char *ex = excerpt(text, n);
            set_error(o, NULL, rt_fmt("POST %s answered %ld with invalid JSON (%s): %s", b->url,
                                      r->status, perr, ex ? ex : ""));
            free(ex);
        } else if (lambda_error(val)) {
            set_error(o, et->valuestring, rt_fmt("%.*s", (int)n, text));
        } else {
            /* An empty body (204 No Content) is the value null. */
            o->kind = OUT_RESULT;
            o->result = val ? val : cJSON_CreateNull();
            val = NULL;
        }
    } else if (cJSON_IsString(et)) {
        set_error(o, et->valuestring, rt_fmt("%.*s", (int)n, text));
    } else {
        char *ex = excerpt(text, n);
        set_error(o, NULL,
                  r->function_error
                      ? rt_fmt("%.*s", (int)n, text)
                      : rt_fmt("POST %s answered HTTP %ld: %s", b->url, r->status, ex ? ex : ""));
        free(ex);
    }
    cJSON_Delete(val);
}

static void reply_native(const inv *v, const rt_binding *b, rt_native_result *r, outcome *o)
{
    (void)v;
    if (!r) {
        set_error(o, NULL, rt_fmt("out of memory calling '%s:%s'", b->lib, b->symbol));
        return;
    }
    if (r->end != RT_END_DONE) {
        stop_outcome(o, r->end);
        return;
    }
    if (r->rc != 0) {
        set_error(o, r->err.error, r->err.cause[0] ? rt_fmt("%s", r->err.cause) : NULL);
        return;
    }
    o->kind = OUT_RESULT;
    o->result = r->out ? r->out : cJSON_CreateNull();
    r->out = NULL;
}

/* ==== Lambda's response envelope ========================================= */

/* "Tue, 03 Jun 2025 10:00:00 GMT" for the execution clock's now. */
static void http_date(const asl_exec *x, char *buf, size_t n)
{
    time_t t = (time_t)(rt_now_ns(x) / 1000000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void random_hex(char *out, int n)
{
    unsigned char b[32];
    int bytes = (n + 1) / 2;
    rt_unique_bytes(b, (size_t)bytes);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < n; i++)
        out[i] = hex[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    out[n] = '\0';
}

/* Wraps [payload] (taken) as AWS's lambda:invoke result: Payload,
 * StatusCode 200, ExecutedVersion $LATEST and the SDK's HTTP metadata, so
 * that ResultSelector {"x.$": "$.Payload.x"} works as on AWS. Returns 0
 * when out of memory (payload freed). */
static cJSON *lambda_envelope(const asl_exec *x, cJSON *payload)
{
    char date[64], rid[37], trace[48], len[32];
    http_date(x, date, sizeof date);
    char h[33];
    random_hex(h, 32);
    snprintf(rid, sizeof rid, "%.8s-%.4s-4%.3s-a%.3s-%.12s", h, h + 8, h + 12, h + 15, h + 18);
    random_hex(h, 32);
    snprintf(trace, sizeof trace, "Root=1-%08lx-%.24s", (unsigned long)(rt_now_ns(x) / 1000000000),
             h);
    char *text = rt_json_print(payload);
    snprintf(len, sizeof len, "%zu", text ? strlen(text) : (size_t)0);
    free(text);

    cJSON *env = cJSON_CreateObject();
    cJSON *meta = NULL, *all = NULL, *hh = NULL, *resp = NULL;
    bool ok = env && cJSON_AddStringToObject(env, "ExecutedVersion", "$LATEST") &&
              cJSON_AddItemToObject(env, "Payload", payload);
    if (!ok)
        cJSON_Delete(payload);
    ok = ok && (meta = cJSON_AddObjectToObject(env, "SdkHttpMetadata")) &&
         (all = cJSON_AddObjectToObject(meta, "AllHttpHeaders")) &&
         (hh = cJSON_AddObjectToObject(meta, "HttpHeaders"));
    const char *headers[][2] = {
        {"Connection", "keep-alive"},        {"Content-Length", len},
        {"Content-Type", "application/json"}, {"Date", date},
        {"X-Amz-Executed-Version", "$LATEST"}, {"x-amzn-Remapped-Content-Length", "0"},
        {"x-amzn-RequestId", rid},            {"X-Amzn-Trace-Id", trace},
    };
    for (size_t i = 0; ok && i < sizeof headers / sizeof *headers; i++) {
        cJSON *arr = cJSON_AddArrayToObject(all, headers[i][0]);
        cJSON *s = arr ? cJSON_CreateString(headers[i][1]) : NULL;
        if (!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            ok = false;
        }
        ok = ok && cJSON_AddStringToObject(hh, headers[i][0], headers[i][1]);
    }
    ok = ok && cJSON_AddNumberToObject(meta, "HttpStatusCode", 200) &&
         (resp = cJSON_AddObjectToObject(env, "SdkResponseMetadata")) &&
         cJSON_AddStringToObject(resp, "RequestId", rid) &&
         cJSON_AddNumberToObject(env, "StatusCode", 200);
    if (!ok) {
        cJSON_Delete(env);
        return NULL;
    }
    return env;
}

/* ==== Invocation =========================================================== */

/* Sets the run's end (TIMED_OUT / ABORTED), which no Catch can take, the
 * way exec.c ends a run from outside a state. */
static void end_run(asl_exec *x, rt_status status)
{
    if (x->failed && (x->status == RT_TIMED_OUT || x->status == RT_ABORTED))
        return;
    free(x->error);
    free(x->cause);
    x->error = status == RT_TIMED_OUT ? rt_fmt("States.Timeout") : NULL;
    x->cause = NULL;
    x->failed = true;
    x->status = status;
}

/* TimeoutSecondsPath / HeartbeatSecondsPath: a positive integer. */
static bool seconds_from_path(asl_exec *x, const asl_path *p, const cJSON *in, const char *field,
                              long *out)
{
    const cJSON *v = asl_select(x, p, in);
    if (!v)
        return false;
    if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 99999999 &&
        v->valuedouble == (double)(long)v->valuedouble) {
        *out = (long)v->valuedouble;
        return true;
    }
    char *t = rt_json_print(v);
    asl_fail_runtime(x, "The %s parameter does not reference a positive integer (1 to 99999999): "
                        "%s == %s",
                     field, p->text, t ? t : "");
    free(t);
    return false;
}

/* The real-time limits of one attempt, from now (TaskStarted). */
static void limits(const inv *v, rt_limits *lim)
{
    asl_exec *x = v->x;
    int64_t now = rt_mono_ns();
    memset(lim, 0, sizeof *lim);
    if (v->timeout)
        lim->timeout_at = now + (int64_t)v->timeout * 1000000000;
    if (v->heartbeat && v->heartbeat_applies)
        lim->heartbeat_ns = (int64_t)v->heartbeat * 1000000000;
    if (x->run && x->run->deadline_ns) {
        int64_t left = x->run->deadline_ns - rt_now_ns(x);
        lim->run_deadline = now + (left > 0 ? left : 0);
        if (!lim->run_deadline)
            lim->run_deadline = 1;
    }
    lim->x = x;
}

/* NAME=VALUE for the handler's environment. */
static void env_add(char **env, int *n, const char *name, const char *value)
{
    if (value)
        env[(*n)++] = rt_fmt("%s=%s", name, value);
}

static void run_binding(inv *v, const rt_binding *b, const cJSON *hin, const char *fn_arn,
                        outcome *o)
{
    asl_exec *x = v->x;
    rt_limits lim;
    limits(v, &lim);
    char *text = rt_json_print(hin);
    if (!text) {
        set_error(o, "States.Runtime", rt_fmt("Out of memory."));
        return;
    }
    if (b->kind == RT_BIND_EXEC) {
        char *env[16] = {0};
        int n = 0;
        char num[32];
        env_add(env, &n, "ASL_RESOURCE", v->resource);
        env_add(env, &n, "ASL_STATE_NAME", rt_state_name(x));
        env_add(env, &n, "ASL_EXECUTION_NAME", x->run ? x->run->execution_name : NULL);
        env_add(env, &n, "ASL_EXECUTION_ARN", x->run ? x->run->execution_arn : NULL);
        const rt_run *root = x->run ? rt_root_run(x->run) : NULL;
        env_add(env, &n, "ASL_STATE_MACHINE_NAME",
                root && root->machine ? root->machine->name : NULL);
        snprintf(num, sizeof num, "%d", x->retry_count);
        env_add(env, &n, "ASL_RETRY_COUNT", num);
        env_add(env, &n, "ASL_HEARTBEAT_FD", "3");
        if (v->ri.callback)
            env_add(env, &n, "ASL_TASK_TOKEN", rt_task_token(x));
        if (v->timeout) {
            snprintf(num, sizeof num, "%ld", v->timeout);
            env_add(env, &n, "ASL_TIMEOUT_SECONDS", num);
        }
        if (lim.heartbeat_ns) {
            snprintf(num, sizeof num, "%ld", v->heartbeat);
            env_add(env, &n, "ASL_HEARTBEAT_SECONDS", num);
        }
        char *fname = fn_arn ? rt_function_name_of(fn_arn) : NULL;
        env_add(env, &n, "AWS_LAMBDA_FUNCTION_NAME", fname);
        free(fname);
        rt_exec_result r;
        rt_exec_run(b, env, text, strlen(text), &lim, &r);
        reply_exec(v, b, &r, o);
        free(r.out);
        for (int i = 0; i < n; i++)
            free(env[i]);
    } else if (b->kind == RT_BIND_HTTP) {
        rt_http_result r;
        rt_http_post(b, text, strlen(text), &lim, &r);
        reply_http(v, b, &r, o);
        free(r.body);
    } else {
        rt_native_result *r = rt_native_run(b, hin, &lim);
        reply_native(v, b, r, o);
        rt_native_result_free(r);
    }
    free(text);
}

/* A call's end (aws*.c, http_task.c) as the Task's outcome: a stop, an
 * error or a result. Takes [error], [cause] and [result]. */
static void take_outcome(outcome *o, rt_end end, char *error, char *cause, cJSON *result)
{
    if (end != RT_END_DONE) {
        stop_outcome(o, end);
    } else if (error) {
        set_error(o, error, cause);
        cause = NULL;
    } else {
        o->kind = OUT_RESULT;
        o->result = result;
        result = NULL;
    }
    free(error);
    free(cause);
    cJSON_Delete(result);
}

/* The real service (--aws, {"aws": true}): aws*.c builds AWS's own result. */
static void run_aws(inv *v, const cJSON *input, outcome *o)
{
    rt_limits lim;
    limits(v, &lim);
    rt_aws_out a;
    rt_aws_task(v->x, &v->ri, v->resource, input, v->credentials, &lim, &a);
    if (a.end == RT_END_DONE && !a.error && !a.result)
        a.result = cJSON_CreateNull();
    take_outcome(o, a.end, a.error, a.cause, a.result);
}

/* An HTTP Task that no binding covers: aslc makes the call (http_task.c). */
static void run_http_task(inv *v, const rt_tasks *tk, const cJSON *params, outcome *o)
{
    rt_limits lim;
    limits(v, &lim);
    const rt_options *opt = v->x->run ? rt_root_run(v->x->run)->opt : NULL;
    rt_http_task_out h;
    rt_http_task(v->x, tk ? tk->bindings : NULL, params, &lim, opt ? opt->http_trace : NULL, &h);
    take_outcome(o, h.end, h.error, h.cause, h.result);
}

/* A Task on arn:aws:states:::states:startExecution (.sync, .sync:2). */
static bool is_start_execution(const rt_resource *ri)
{
    return strcmp(ri->type, "states") == 0 &&
           (strcmp(ri->action, "startExecution") == 0 ||
            strcmp(ri->action, "startExecution.sync") == 0 ||
            strcmp(ri->action, "startExecution.sync:2") == 0);
}

/* The run's child-execution hook (aslc serve), or 0. */
static rt_child_fn child_hook(const asl_exec *x)
{
    const rt_run *root = rt_root_run(x->run);
    return root && root->opt ? root->opt->start_execution : 0;
}

/* A child execution through the hook, bounded as a handler would be. */
static void run_child(inv *v, rt_child_fn fn, const cJSON *params, outcome *o)
{
    rt_limits lim;
    limits(v, &lim);
    cJSON *res = NULL;
    char *error = NULL, *cause = NULL;
    rt_child_end end =
        fn(v->x, v->resource, params, lim.timeout_at, lim.run_deadline, &res, &error, &cause);
    switch (end) {
    case RT_CHILD_OK:
        o->kind = OUT_RESULT;
        o->result = res;
        res = NULL;
        break;
    case RT_CHILD_FAILED: set_error(o, error, cause), cause = NULL; break;
    case RT_CHILD_TIMEOUT: stop_outcome(o, RT_END_TIMEOUT); break;
    case RT_CHILD_RUN_TIMEOUT: stop_outcome(o, RT_END_RUN_TIMEOUT); break;
    case RT_CHILD_STOPPED: stop_outcome(o, RT_END_ABORTED); break;
    }
    cJSON_Delete(res);
    free(error);
    free(cause);
}

/* ==== Waiting for the token (callback.c) =================================== */

/* A .waitForTaskToken Task with rt_options.callbacks, or an activity Task
 * no binding covers with rt_options.activities: registers the token, calls
 * the handler [b] if any (a failure fails the task; a result is recorded
 * in TaskSubmitted and otherwise ignored), then waits for SendTaskSuccess /
 * SendTaskFailure, TimeoutSeconds counting from TaskStarted and
 * HeartbeatSeconds from the submission (an activity's from the moment a
 * worker takes it). */
static void run_waiting(inv *v, const rt_binding *b, const cJSON *hin, const char *fn_arn,
                        const cJSON *input, outcome *o)
{
    asl_exec *x = v->x;
    bool activity = v->ri.kind == RT_RES_ACTIVITY && !b;
    rt_limits lim;
    limits(v, &lim);
    char *input_text = activity ? rt_json_print(input) : NULL;
    rt_cb *c = (!activity || input_text)
                   ? rt_cb_open(rt_task_token(x), activity ? v->resource : NULL, input_text)
                   : NULL;
    free(input_text);
    if (!c) {
        set_error(o, "States.Runtime", rt_fmt("Out of memory."));
        return;
    }
    if (activity) {
        char *worker = NULL;
        rt_end end = rt_cb_await_worker(c, &lim, &worker);
        if (end != RT_END_DONE) {
            stop_outcome(o, end);
            rt_cb_close(c);
            return;
        }
        ev_started(v, worker ? worker : "");
        free(worker);
    } else if (b) {
        run_binding(v, b, hin, fn_arn, o);
        if (o->kind != OUT_RESULT) {
            rt_cb_close(c);
            return;
        }
        char *text = v->rec ? rt_json_print(o->result) : NULL;
        ev_submitted(v, text);
        free(text);
        cJSON_Delete(o->result);
        o->result = NULL;
        o->kind = OUT_ERROR;
    } else {
        ev_submitted(v, NULL);
    }
    /* The history so far is on disk while the Task waits: a client may
     * read the token from it ($$.Task.Token in TaskScheduled). */
    const rt_options *opt = rt_root_run(x->run)->opt;
    if (opt && opt->history)
        fflush(opt->history);
    rt_cb_result r;
    rt_end end = rt_cb_await(c, &lim, &r);
    rt_cb_close(c);
    if (end != RT_END_DONE) {
        stop_outcome(o, end);
        return;
    }
    if (r.failed) {
        /* SendTaskFailure without an error name records none (AWS's). */
        set_error(o, "", r.cause);
        r.cause = NULL;
        free(o->error);
        o->error = r.error;
        r.error = NULL;
    } else {
        char perr[200] = "";
        o->result = rt_json_parse(r.output, strlen(r.output), perr, sizeof perr);
        if (o->result)
            o->kind = OUT_RESULT;
        else
            set_error(o, "States.Runtime", rt_fmt("Out of memory."));
    }
    rt_cb_result_free(&r);
}

cJSON *asl_task_invoke(asl_exec *x, const asl_task *t, const cJSON *in, const cJSON *input)
{
    inv v = {.x = x, .resource = t && t->resource ? t->resource : ""};
    rt_resource_classify(v.resource, &v.ri);
    v.rec = rt_recording(x);
    const char *state = rt_state_name(x);

    /* 1. Limits and credentials, from the state input. */
    v.timeout = t ? t->timeout_seconds : 0;
    v.heartbeat = t ? t->heartbeat_seconds : 0;
    if (t && t->timeout_path &&
        !seconds_from_path(x, t->timeout_path, in, "TimeoutSecondsPath", &v.timeout))
        return NULL;
    if (t && t->heartbeat_path &&
        !seconds_from_path(x, t->heartbeat_path, in, "HeartbeatSecondsPath", &v.heartbeat))
        return NULL;
    v.heartbeat_applies = v.ri.callback || v.ri.job || v.ri.kind == RT_RES_ACTIVITY;
    if (t && t->credentials && !(v.credentials = asl_build(x, t->credentials, in)))
        return NULL;
    if (t && t->credentials_value && !(v.credentials = cJSON_Duplicate(t->credentials_value, 1)))
        return asl_fail_with(x, "States.Runtime", "Out of memory."), NULL;
    const rt_options *opt = x->run ? rt_root_run(x->run)->opt : NULL;
    /* rt_options.callbacks / .activities: the Task waits for its token. */
    bool waits = opt && opt->callbacks && v.ri.callback;
    bool activity_waits = opt && opt->activities && v.ri.kind == RT_RES_ACTIVITY;

    /* 2. Mock or binding. */
    rt_tasks *tk = tasks_of(x);
    bool mocked = tk && tk->mocks && rt_mocks_has(tk->mocks, state);
    rt_mock_answer ans = {.kind = RT_MOCK_NONE};
    const rt_binding *b = NULL;
    rt_child_fn child = 0; /* a child execution on the server instead */
    bool http_native = false;
    const cJSON *hin = input; /* what the handler receives */
    char *fn_arn = NULL;
    cJSON *result = NULL;
    outcome o = {.kind = OUT_ERROR};
    if (mocked) {
        ans = rt_mocks_next(tk->mocks, state);
        if (ans.kind == RT_MOCK_NONE) {
            /* Step Functions Local fails the state the same way. */
            char ends[64];
            snprintf(ends, sizeof ends, "ends at invocation #%ld", ans.covered - 1);
            asl_fail_runtime(x, "No mocked response for invocation #%ld of this state "
                                "(invocations count from #0, retries included): mocked response "
                                "'%s' %s.",
                             ans.invocation, ans.response,
                             !ans.covered                    ? "has no invocations"
                             : ans.invocation < ans.covered ? "has no entry for it"
                                                             : ends);
            goto out;
        }
    } else {
        if (v.ri.lambda_invoke) {
            const cJSON *fn = cJSON_GetObjectItemCaseSensitive(input, "FunctionName");
            if (cJSON_IsString(fn) && (fn_arn = rt_function_arn(fn->valuestring)))
                b = tk ? rt_bindings_find(tk->bindings, fn_arn) : NULL;
            const cJSON *payload = cJSON_GetObjectItemCaseSensitive(input, "Payload");
            hin = payload;
        } else if (v.ri.kind == RT_RES_LAMBDA) {
            fn_arn = rt_fmt("%s", v.resource);
        }
        if (!b)
            b = tk ? rt_bindings_find(tk->bindings, v.resource) : NULL;
        if (!b && is_start_execution(&v.ri) && child_hook(x))
            child = child_hook(x);
        http_native = !b && v.ri.http_invoke; /* aslc calls the API (http_task.c) */
        /* --aws: not for a Task that waits for its token on aslc serve
         * (it waits without the call) */
        if (!b && !child && !http_native && tk && tk->aws && !waits && !activity_waits)
            b = &tk->aws_default;
        if (!b && !child && !http_native && !waits && !activity_waits) {
            if (fn_arn && v.ri.lambda_invoke)
                asl_fail_runtime(x, "No binding for the Lambda function '%s' (FunctionName) or "
                                    "for the resource '%s'; add one to the bindings file or mock "
                                    "this state.",
                                 fn_arn, v.resource);
            else
                asl_fail_runtime(x, "No binding for the resource '%s'; add one to the bindings "
                                    "file or mock this state.",
                                 v.resource);
            goto out;
        }
    }
    cJSON *empty = NULL;
    if (!hin)
        hin = empty = cJSON_CreateObject(); /* lambda:invoke without Payload: {} */

    /* 3. Scheduled, Started, Submitted. */
    char *input_text = v.rec ? rt_json_print(input) : NULL;
    ev_scheduled(&v, input_text);
    free(input_text);
    bool waiting = !mocked && !child && !http_native && (waits || (activity_waits && !b));
    if (!waiting || b || !activity_waits) /* an activity's starts with its worker */
        ev_started(&v, mocked ? "mock"
                       : child ? "aslc serve"
                       : http_native ? "aslc"
                       : !b    ? "callback"
                       : b->kind == RT_BIND_EXEC ? b->argv[0]
                       : b->kind == RT_BIND_HTTP ? b->url
                       : b->kind == RT_BIND_AWS  ? "aws"
                                                 : b->symbol);
    if ((v.ri.callback || v.ri.job) && !waiting)
        ev_submitted(&v, NULL);

    /* 4. The call. */
    if (mocked) {
        if (ans.kind == RT_MOCK_RETURN) {
            o.kind = OUT_RESULT;
            o.result = cJSON_Duplicate(ans.value, 1);
            if (!o.result)
                set_error(&o, "States.Runtime", rt_fmt("Out of memory."));
        } else {
            /* as mocked, even without an error name (Error: null) */
            set_error(&o, "", ans.cause ? rt_fmt("%s", ans.cause) : NULL);
            free(o.error);
            o.error = ans.error ? rt_fmt("%s", ans.error) : NULL;
        }
    } else if (child) {
        run_child(&v, child, input, &o);
    } else if (http_native) {
        run_http_task(&v, tk, input, &o);
    } else if (waiting) {
        run_waiting(&v, b, hin, fn_arn, input, &o);
    } else if (b->kind == RT_BIND_AWS) {
        run_aws(&v, input, &o);
    } else {
        run_binding(&v, b, hin, fn_arn, &o);
        if (o.kind == OUT_RESULT && v.ri.lambda_invoke && !v.ri.callback) {
            o.result = lambda_envelope(x, o.result);
            if (!o.result)
                set_error(&o, "States.Runtime", rt_fmt("Out of memory."));
        }
    }
    cJSON_Delete(empty);

    /* 5. The outcome. */
    if (o.kind == OUT_RESULT) {
        char *text = rt_json_print(o.result);
        if (!text) {
            set_error(&o, "States.Runtime", rt_fmt("Out of memory."));
        } else if (strlen(text) > RT_RESULT_LIMIT) {
            set_error(&o, "States.DataLimitExceeded", too_big_cause(&v));
        } else {
            ev_succeeded(&v, text);
            result = o.result;
            o.result = NULL;
        }
        free(text);
    }
    switch (o.kind) {
    case OUT_RESULT: break;
    case OUT_ERROR:
        cJSON_Delete(o.result);
        o.result = NULL;
        ev_failed(&v, o.error, o.cause);
        if (!x->failed) /* the first error wins (asl_fail_with) */
            x->heartbeat_timeout = o.heartbeat;
        asl_fail_with(x, o.error, o.cause);
        break;
    case OUT_RUN_TIMEOUT: end_run(x, RT_TIMED_OUT); break;
    case OUT_ABORTED: end_run(x, RT_ABORTED); break;
    }
out:
    outcome_free(&o);
    free(fn_arn);
    cJSON_Delete(v.credentials);
    return result;
}
