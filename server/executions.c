/*
 * executions.c - the executions of `aslc serve`: StartExecution,
 * StartSyncExecution, DescribeExecution, ListExecutions, StopExecution,
 * DescribeStateMachineForExecution.
 *
 * Each execution runs its machine's compiled program (the one current at
 * StartExecution, counted in srv_prog) through the runtime's engine, on a
 * thread of its own (StartSyncExecution: on the request's thread), with
 * the server's bindings, mock file and wait mode, an in-memory history
 * (rt_options.events) and external_stop: StopExecution sets run.aborted,
 * which ends Waits (sliced sleeps) and running Tasks (handlers poll
 * rt_cancelled). Owns every execution record in srv_store.execs; records
 * change under srv_store.mu, except the run itself, which only the
 * execution's thread touches while it is RUNNING.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effects.h"
#include "engine.h"
#include "jit.h"
#include "rt.h"
#include "srv_internal.h"

#define S srv_store

/* StartExecution's limit on the input: 256 KiB of UTF-8 text. */
enum { MAX_INPUT = 262144 };

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

const char *srv_status_name(srv_status s)
{
    static const char *const names[] = {
        [EX_RUNNING] = "RUNNING", [EX_SUCCEEDED] = "SUCCEEDED", [EX_FAILED] = "FAILED",
        [EX_TIMED_OUT] = "TIMED_OUT", [EX_ABORTED] = "ABORTED",
    };
    return names[s];
}

/* --wait of the server, checked by serve_cmd.c already. */
static void wait_mode(rt_options *o)
{
    const char *w = S.opt->wait;
    o->wait_mode = RT_WAIT_REAL;
    o->wait_scale = 1.0;
    if (w && strcmp(w, "skip") == 0) {
        o->wait_mode = RT_WAIT_SKIP;
    } else if (w && strncmp(w, "scale=", 6) == 0) {
        char *end;
        double x = strtod(w + 6, &end);
        if (!*end && isfinite(x) && x >= 0) {
            o->wait_mode = RT_WAIT_SCALE;
            o->wait_scale = x;
        }
    }
}

static void free_exec(srv_exec *e)
{
    srv_prog_unref(e->prog); /* S.mu held by the callers */
    free(e->arn);
    free(e->name);
    free(e->sm_arn);
    free(e->sm_name);
    free(e->definition);
    free(e->role_arn);
    free(e->type);
    free(e->input);
    free(e->output);
    free(e->error);
    free(e->cause);
    free((char *)e->opt.arn_prefix);
    free(e->test_case);
    rt_event_log_free(&e->events);
    pthread_mutex_destroy(&e->events.mu);
    rt_tasks_close(e->tasks);
    cJSON_Delete(e->input_doc);
    free(e);
}

srv_exec *srv_find_exec(const char *arn)
{
    for (srv_exec *e = S.execs; e; e = e->next)
        if (strcmp(e->arn, arn) == 0)
            return e;
    return NULL;
}

srv_exec *srv_lookup_exec(const cJSON *req, srv_reply *err)
{
    const char *arn;
    if (!srv_get_str(req, "executionArn", true, &arn, err))
        return NULL;
    if (strncmp(arn, "arn:aws:states:", 15) != 0 ||
        (!strstr(arn, ":execution:") && !strstr(arn, ":express:"))) {
        *err = srv_error(400, "InvalidArn", "Invalid Arn: '%s'", arn);
        return NULL;
    }
    srv_exec *e = srv_find_exec(arn);
    if (!e)
        *err = srv_error(400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
    return e;
}

/* ==== running ============================================================ */

/* The run of [e] to its end; records the outcome under S.mu. */
static void run_exec(srv_exec *e)
{
    const asl_machine *m = jit_machine(e->prog->jit);
    asl_exec x = {.run = &e->run};
    cJSON *out = NULL;
    cJSON *in = e->input_doc;
    e->input_doc = NULL;
    rt_status st = rt_run_machine(&x, m, in, &out);
    /* Printed now: the output may hold keys in the program's static data. */
    char *text = st == RT_SUCCEEDED ? rt_json_print(out) : NULL;
    cJSON_Delete(out);
    pthread_mutex_lock(&S.mu);
    if (e->stop_requested) {
        e->status = EX_ABORTED; /* error and cause: StopExecution's */
    } else if (st == RT_SUCCEEDED && text) {
        e->status = EX_SUCCEEDED;
        e->output = text;
        text = NULL;
    } else {
        e->status = st == RT_TIMED_OUT ? EX_TIMED_OUT : st == RT_ABORTED ? EX_ABORTED : EX_FAILED;
        if (st == RT_SUCCEEDED) { /* the output could not be printed */
            e->error = strdup("States.Runtime");
            e->cause = strdup("out of memory printing the execution output");
        } else {
            e->error = dup_or_null(x.error);
            e->cause = dup_or_null(x.cause);
        }
    }
    if (!e->stop_requested) /* else stopDate is StopExecution's */
        e->stop = srv_now_s();
    rt_tasks_close(e->tasks);
    e->tasks = NULL;
    srv_store_put_exec(e);
    pthread_mutex_unlock(&S.mu);
    free(text);
    rt_exec_dispose(&x);
}

void srv_exec_run_here(srv_exec *e)
{
    pthread_mutex_lock(&S.mu);
    bool run = e->status == EX_RUNNING && !e->stop_requested;
    pthread_mutex_unlock(&S.mu);
    if (run)
        run_exec(e);
    pthread_mutex_lock(&S.mu);
    S.running--;
    pthread_cond_broadcast(&S.changed);
    pthread_mutex_unlock(&S.mu);
}

static void *exec_thread(void *arg)
{
    srv_exec *e = arg;
    run_exec(e);
    pthread_mutex_lock(&S.mu);
    S.running--;
    pthread_cond_broadcast(&S.changed);
    pthread_mutex_unlock(&S.mu);
    return NULL;
}

/* Ends [e] before it ran (its program did not compile, or no thread). */
static void fail_early(srv_exec *e, const char *cause)
{
    e->status = EX_FAILED;
    e->error = strdup("States.Runtime");
    e->cause = strdup(cause);
    e->stop = srv_now_s();
}

/* ==== StartExecution ===================================================== */

/* A new record for machine [m], with S.mu held. NULL when out of memory. */
static srv_exec *new_exec(const srv_machine *m, const char *arn, const char *name,
                          const char *input, cJSON *doc, const char *test_case)
{
    srv_exec *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    pthread_mutex_init(&e->events.mu, NULL);
    char prefix[256];
    snprintf(prefix, sizeof prefix, "arn:aws:states:%s:%s:", S.opt->region, S.opt->account);
    e->arn = strdup(arn);
    e->name = strdup(name);
    e->sm_arn = strdup(m->arn);
    e->sm_name = strdup(m->name);
    e->definition = strdup(m->definition);
    e->role_arn = strdup(m->role_arn);
    e->type = strdup(m->type);
    e->input = strdup(input);
    e->test_case = dup_or_null(test_case);
    e->opt.arn_prefix = strdup(prefix);
    e->sm_updated = m->updated;
    e->input_doc = doc;
    e->prog = m->prog;
    if (e->prog)
        e->prog->refs++;
    e->status = EX_RUNNING;
    e->start = srv_now_s();
    if (!e->arn || !e->name || !e->sm_arn || !e->sm_name || !e->definition || !e->role_arn ||
        !e->type || !e->input || (test_case && !e->test_case) || !e->opt.arn_prefix) {
        e->input_doc = NULL; /* the caller's still */
        free_exec(e);
        return NULL;
    }
    wait_mode(&e->opt);
    e->opt.execution_name = e->name;
    e->opt.execution_arn = e->arn; /* $$.Execution.Id is the ARN the client sees */
    e->opt.bindings_file = S.opt->bindings;
    e->opt.aws = S.opt->aws;
    if (test_case) {
        e->opt.mock_config = S.opt->mock_config;
        e->opt.test_case = e->test_case;
    }
    e->opt.role_arn = e->role_arn;
    e->opt.events = &e->events;
    e->opt.external_stop = true;
    e->opt.start_execution = srv_start_child; /* nested workflows, children.c */
    e->opt.callbacks = e->opt.activities = true; /* tokens: callbacks.c, activities.c */
    /* The type CreateStateMachine gave: EXPRESS runs at most five minutes. */
    e->opt.type = strcmp(m->type, "EXPRESS") == 0 ? RT_TYPE_EXPRESS : RT_TYPE_STANDARD;
    e->run.opt = &e->opt;
    return e;
}

srv_exec *srv_exec_start(const char *sm_arn_in, const char *name, const char *input,
                         int flags, srv_reply *err)
{
    bool idempotent = flags & SRV_START_IDEMPOTENT, sync = flags & SRV_START_SYNC;
    /* Step Functions Local: "ARN#TestCase" runs test case TestCase of the mock file. */
    char sm_arn[1024];
    snprintf(sm_arn, sizeof sm_arn, "%s", sm_arn_in);
    char *hash = strchr(sm_arn, '#');
    const char *test_case = NULL;
    if (hash) {
        *hash = '\0';
        test_case = hash + 1;
    }
    if (strlen(sm_arn_in) >= sizeof sm_arn || !srv_is_sm_arn(sm_arn) ||
        (test_case && !*test_case)) {
        *err = srv_error(400, "InvalidArn", "Invalid Arn: '%s'", sm_arn_in);
        return NULL;
    }
    char uuid[37];
    if (!name) {
        rt_uuid_v4(uuid);
        name = uuid;
    } else if (!srv_valid_name(name)) {
        *err = srv_error(400, "InvalidName", "Invalid Name: '%s'", name);
        return NULL;
    }
    if (!input)
        input = "{}";
    size_t len = strlen(input);
    if (len > MAX_INPUT) {
        *err = srv_error(400, "InvalidExecutionInput",
                         "Invalid State Machine Execution Input: 'the input is %zu bytes; at most "
                         "262144 bytes (256 KiB) are allowed'", len);
        return NULL;
    }
    char perr[256] = "";
    cJSON *doc = rt_json_parse(input, len, perr, sizeof perr);
    if (!doc) {
        *err = srv_error(400, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'",
                         perr[0] ? perr : "not valid JSON");
        return NULL;
    }
    if (test_case && !S.opt->mock_config) {
        cJSON_Delete(doc);
        *err = srv_error(400, "ValidationException",
                         "test case '%s' asked for, but the server has no mock configuration "
                         "(start it with --mock-config FILE or SFN_MOCK_CONFIG)", test_case);
        return NULL;
    }

    pthread_mutex_lock(&S.mu);
    srv_machine *m = S.closing ? NULL : srv_find_machine(sm_arn);
    if (!m) {
        pthread_mutex_unlock(&S.mu);
        cJSON_Delete(doc);
        *err = srv_error(400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'",
                         sm_arn);
        return NULL;
    }
    char arn[1024];
    bool express = strcmp(m->type, "EXPRESS") == 0;
    if (express) { /* AWS's express ARN: names of express executions may repeat */
        char id[37];
        rt_uuid_v4(id);
        snprintf(arn, sizeof arn, "arn:aws:states:%s:%s:express:%s:%s:%s", S.opt->region,
                 S.opt->account, m->name, name, id);
    } else {
        snprintf(arn, sizeof arn, "arn:aws:states:%s:%s:execution:%s:%s", S.opt->region,
                 S.opt->account, m->name, name);
    }
    if (sync && !express) {
        pthread_mutex_unlock(&S.mu);
        cJSON_Delete(doc);
        *err = srv_error(400, "StateMachineTypeNotSupported",
                         "This operation is not supported by this type of state machine");
        return NULL;
    }
    srv_exec *old = srv_find_exec(arn);
    if (old) {
        /* AWS: a STANDARD StartExecution with a running execution's name and
         * input answers that execution again; anything else is refused. */
        bool same = idempotent && old->status == EX_RUNNING && strcmp(old->input, input) == 0;
        pthread_mutex_unlock(&S.mu);
        cJSON_Delete(doc);
        if (same)
            return old;
        *err = srv_error(400, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn);
        return NULL;
    }
    srv_exec *e = new_exec(m, arn, name, input, doc, test_case);
    if (!e) {
        pthread_mutex_unlock(&S.mu);
        cJSON_Delete(doc);
        *err = srv_error(500, "InternalFailure", "out of memory");
        return NULL;
    }
    pthread_mutex_unlock(&S.mu);

    /* Bindings and mocks are read per execution (each has its own mock
     * counters); a Task left unbound refuses the start, as aslc run does. */
    char *terr = NULL;
    const asl_machine *am = e->prog && e->prog->jit ? jit_machine(e->prog->jit) : NULL;
    if (am && !(e->tasks = rt_tasks_open(&e->opt, am, &terr))) {
        *err = srv_error(400, "ValidationException", "The execution cannot start: %s",
                         terr ? terr : "out of memory");
        free(terr);
        pthread_mutex_lock(&S.mu);
        free_exec(e);
        pthread_mutex_unlock(&S.mu);
        return NULL;
    }
    e->run.tasks = e->tasks;
    e->sync = sync;

    pthread_mutex_lock(&S.mu);
    if (srv_find_exec(arn)) { /* a concurrent start of the same name won */
        free_exec(e);
        pthread_mutex_unlock(&S.mu);
        *err = srv_error(400, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn);
        return NULL;
    }
    e->seq = ++S.last_seq;
    e->next = S.execs;
    S.execs = e;
    if (!am) {
        fail_early(e, "the state machine's definition could not be compiled");
    } else if (sync) {
        S.running++; /* srv_exec_run_here runs it, and counts it down */
    } else {
        pthread_attr_t at;
        pthread_t t;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &at, exec_thread, e);
        pthread_attr_destroy(&at);
        if (rc == 0)
            S.running++;
        else
            fail_early(e, "cannot start a thread for the execution");
    }
    srv_store_put_exec(e);
    pthread_mutex_unlock(&S.mu);
    return e;
}

static void add_date(cJSON *o, const char *key, double t)
{
    cJSON_AddNumberToObject(o, key, t);
}

srv_reply srv_start_execution(const cJSON *req)
{
    srv_reply err;
    const char *sm, *name, *input, *trace;
    if (!srv_get_str(req, "stateMachineArn", true, &sm, &err) ||
        !srv_get_str(req, "name", false, &name, &err) ||
        !srv_get_str(req, "input", false, &input, &err) ||
        !srv_get_str(req, "traceHeader", false, &trace, &err))
        return err;
    srv_exec *e = srv_exec_start(sm, name, input, SRV_START_IDEMPOTENT, &err);
    if (!e)
        return err;
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&S.mu);
    cJSON_AddStringToObject(o, "executionArn", e->arn);
    add_date(o, "startDate", e->start);
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

/* ==== describing ========================================================= */

/* Adds input/output/error/cause of [e] to [o] as DescribeExecution and
 * StartSyncExecution answer them. With S.mu held. */
static void add_io(cJSON *o, const srv_exec *e)
{
    cJSON_AddStringToObject(o, "input", e->input);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "inputDetails"), "included", true);
    if (e->output) {
        cJSON_AddStringToObject(o, "output", e->output);
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "outputDetails"), "included", true);
    }
    if (e->status != EX_RUNNING && e->status != EX_SUCCEEDED) {
        if (e->error)
            cJSON_AddStringToObject(o, "error", e->error);
        if (e->cause)
            cJSON_AddStringToObject(o, "cause", e->cause);
    }
}

srv_reply srv_start_sync_execution(const cJSON *req)
{
    srv_reply err;
    const char *sm, *name, *input, *trace;
    if (!srv_get_str(req, "stateMachineArn", true, &sm, &err) ||
        !srv_get_str(req, "name", false, &name, &err) ||
        !srv_get_str(req, "input", false, &input, &err) ||
        !srv_get_str(req, "traceHeader", false, &trace, &err))
        return err;
    srv_exec *e = srv_exec_start(sm, name, input, SRV_START_SYNC, &err);
    if (!e)
        return err;
    srv_exec_run_here(e);
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&S.mu);
    cJSON_AddStringToObject(o, "executionArn", e->arn);
    cJSON_AddStringToObject(o, "stateMachineArn", e->sm_arn);
    cJSON_AddStringToObject(o, "name", e->name);
    add_date(o, "startDate", e->start);
    add_date(o, "stopDate", e->stop);
    cJSON_AddStringToObject(o, "status", srv_status_name(e->status));
    add_io(o, e);
    /* AWS bills express executions by 100 ms and 64 MB steps. */
    double ms = ceil((e->stop - e->start) * 1000.0 / 100.0) * 100.0;
    cJSON *b = cJSON_AddObjectToObject(o, "billingDetails");
    cJSON_AddNumberToObject(b, "billedMemoryUsedInMB", 64);
    cJSON_AddNumberToObject(b, "billedDurationInMilliseconds", ms < 100 ? 100 : ms);
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

srv_reply srv_describe_execution(const cJSON *req)
{
    srv_reply err;
    pthread_mutex_lock(&S.mu);
    srv_exec *e = srv_lookup_exec(req, &err);
    if (!e) {
        pthread_mutex_unlock(&S.mu);
        return err;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "executionArn", e->arn);
    cJSON_AddStringToObject(o, "stateMachineArn", e->sm_arn);
    cJSON_AddStringToObject(o, "name", e->name);
    cJSON_AddStringToObject(o, "status", srv_status_name(e->status));
    add_date(o, "startDate", e->start);
    if (e->status != EX_RUNNING)
        add_date(o, "stopDate", e->stop);
    add_io(o, e);
    cJSON_AddNumberToObject(o, "redriveCount", 0);
    cJSON_AddStringToObject(o, "redriveStatus", "NOT_REDRIVABLE");
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

srv_reply srv_describe_sm_for_execution(const cJSON *req)
{
    srv_reply err;
    pthread_mutex_lock(&S.mu);
    srv_exec *e = srv_lookup_exec(req, &err);
    if (!e) {
        pthread_mutex_unlock(&S.mu);
        return err;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "stateMachineArn", e->sm_arn);
    cJSON_AddStringToObject(o, "name", e->sm_name);
    cJSON_AddStringToObject(o, "definition", e->definition);
    cJSON_AddStringToObject(o, "roleArn", e->role_arn);
    add_date(o, "updateDate", e->sm_updated);
    cJSON *lc = cJSON_AddObjectToObject(o, "loggingConfiguration");
    cJSON_AddStringToObject(lc, "level", "OFF");
    cJSON_AddBoolToObject(lc, "includeExecutionData", false);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "tracingConfiguration"), "enabled", false);
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

/* ==== ListExecutions ===================================================== */

static bool parse_status(const char *s, srv_status *out)
{
    for (srv_status i = EX_RUNNING; i <= EX_ABORTED; i++)
        if (strcmp(s, srv_status_name(i)) == 0) {
            *out = i;
            return true;
        }
    return false;
}

srv_reply srv_list_executions(const cJSON *req)
{
    srv_reply err;
    const char *sm, *filter, *maprun;
    int max, from;
    if (!srv_get_str(req, "stateMachineArn", false, &sm, &err) ||
        !srv_get_str(req, "statusFilter", false, &filter, &err) ||
        !srv_get_str(req, "mapRunArn", false, &maprun, &err) || !srv_paging(req, 100, &max, &from, &err))
        return err;
    if (!sm && !maprun)
        return srv_error(400, "ValidationException",
                         "Must provide a StateMachine ARN or MapRun ARN");
    if (maprun)
        return srv_error(400, "ResourceNotFound", "Resource not found: '%s'", maprun);
    srv_status want = EX_RUNNING;
    bool filtered = filter != NULL;
    if (filter && strcmp(filter, "PENDING_REDRIVE") != 0 && !parse_status(filter, &want))
        return srv_error(400, "ValidationException",
                         "1 validation error detected: Value '%s' at 'statusFilter' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, "
                         "TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]", filter);
    bool none = filter && strcmp(filter, "PENDING_REDRIVE") == 0; /* nothing is redriven here */
    if (!srv_is_sm_arn(sm))
        return srv_error(400, "InvalidArn", "Invalid Arn: '%s'", sm);
    pthread_mutex_lock(&S.mu);
    if (!srv_find_machine(sm)) {
        pthread_mutex_unlock(&S.mu);
        return srv_error(400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", sm);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "executions");
    int n = 0;
    /* Newest first; the token is the seq of the next one to list, so that
     * executions started between pages do not shift them. */
    for (srv_exec *e = S.execs; e && !none; e = e->next) {
        if (strcmp(e->sm_arn, sm) != 0 || (from && e->seq > from) ||
            (filtered && e->status != want))
            continue;
        if (n == max) {
            srv_next_token(o, (int)e->seq);
            break;
        }
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "executionArn", e->arn);
        cJSON_AddStringToObject(x, "stateMachineArn", e->sm_arn);
        cJSON_AddStringToObject(x, "name", e->name);
        cJSON_AddStringToObject(x, "status", srv_status_name(e->status));
        add_date(x, "startDate", e->start);
        if (e->status != EX_RUNNING)
            add_date(x, "stopDate", e->stop);
        cJSON_AddNumberToObject(x, "redriveCount", 0);
        cJSON_AddItemToArray(arr, x);
        n++;
    }
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

/* ==== StopExecution ====================================================== */

srv_reply srv_stop_execution(const cJSON *req)
{
    srv_reply err;
    const char *error, *cause;
    if (!srv_get_str(req, "error", false, &error, &err) ||
        !srv_get_str(req, "cause", false, &cause, &err))
        return err;
    if (error && strlen(error) > 256)
        return srv_error(400, "ValidationException",
                         "1 validation error detected: Value at 'error' failed to satisfy "
                         "constraint: Member must have length less than or equal to 256");
    if (cause && strlen(cause) > 32768)
        return srv_error(400, "ValidationException",
                         "1 validation error detected: Value at 'cause' failed to satisfy "
                         "constraint: Member must have length less than or equal to 32768");
    pthread_mutex_lock(&S.mu);
    srv_exec *e = srv_lookup_exec(req, &err);
    if (!e) {
        pthread_mutex_unlock(&S.mu);
        return err;
    }
    if (e->status == EX_RUNNING && !e->stop_requested) {
        e->stop_requested = true;
        e->error = dup_or_null(error);
        e->cause = dup_or_null(cause);
        e->stop = srv_now_s();
        e->status = EX_ABORTED; /* at once, as AWS; the thread ends soon after */
        __atomic_store_n(&e->run.aborted, 1, __ATOMIC_SEQ_CST);
        srv_store_put_exec(e);
    }
    cJSON *o = cJSON_CreateObject();
    add_date(o, "stopDate", e->stop);
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

/* ==== shutdown =========================================================== */

void srv_executions_stop(void)
{
    pthread_mutex_lock(&S.mu);
    S.closing = true;
    for (srv_exec *e = S.execs; e; e = e->next)
        if (e->status == EX_RUNNING)
            __atomic_store_n(&e->run.aborted, 1, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&S.changed); /* waiters see S.closing */
    pthread_mutex_unlock(&S.mu);
}

void srv_executions_close(void)
{
    srv_executions_stop();
    pthread_mutex_lock(&S.mu);
    while (S.running > 0)
        pthread_cond_wait(&S.changed, &S.mu);
    while (S.execs) {
        srv_exec *e = S.execs;
        S.execs = e->next;
        free_exec(e);
    }
    pthread_mutex_unlock(&S.mu);
}
