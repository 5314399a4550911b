/*
 * children.c - nested workflows in `aslc serve`: a Task on
 * arn:aws:states:::states:startExecution (.sync, .sync:2) with no binding
 * starts a child execution of a machine on the same server. The runtime's
 * task layer calls srv_start_child through rt_options.start_execution
 * (set for every served execution by executions.c).
 *
 * Output shapes are AWS's: startExecution answers {ExecutionArn,
 * StartDate}; .sync waits and answers the child's description with
 * PascalCase keys, Input / Output as JSON text; .sync:2 the same with
 * Input / Output as JSON values. A child that does not succeed fails the
 * Task with States.TaskFailed and that description as the cause. A parent
 * stopped while it waits stops its .sync child, as AWS does. Errors of the
 * start itself become StepFunctions.<Type>Exception, as the integration
 * names the API's exceptions. Owns nothing beyond the values it returns.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt.h"
#include "srv_internal.h"

#define S srv_store

static char *dup_s(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The epoch milliseconds AWS's integration writes for a date. */
static double ms(double s)
{
    return (double)(long long)(s * 1000.0 + 0.5);
}

/* The child's description with S.mu held; [values]: .sync:2's JSON
 * Input / Output rather than text. */
static cJSON *describe(const srv_exec *e, bool values)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "ExecutionArn", e->arn);
    cJSON *in = values ? cJSON_Parse(e->input) : NULL;
    if (in)
        cJSON_AddItemToObject(o, "Input", in);
    else
        cJSON_AddStringToObject(o, "Input", e->input);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "InputDetails"), "Included", true);
    cJSON_AddStringToObject(o, "Name", e->name);
    if (e->output) {
        cJSON *out = values ? cJSON_Parse(e->output) : NULL;
        if (out)
            cJSON_AddItemToObject(o, "Output", out);
        else
            cJSON_AddStringToObject(o, "Output", e->output);
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "OutputDetails"), "Included", true);
    }
    if (e->status != EX_SUCCEEDED && e->error)
        cJSON_AddStringToObject(o, "Error", e->error);
    if (e->status != EX_SUCCEEDED && e->cause)
        cJSON_AddStringToObject(o, "Cause", e->cause);
    cJSON_AddNumberToObject(o, "RedriveCount", 0);
    cJSON_AddStringToObject(o, "RedriveStatus", "NOT_REDRIVABLE");
    cJSON_AddNumberToObject(o, "StartDate", ms(e->start));
    cJSON_AddStringToObject(o, "StateMachineArn", e->sm_arn);
    cJSON_AddStringToObject(o, "Status", srv_status_name(e->status));
    if (e->status != EX_RUNNING)
        cJSON_AddNumberToObject(o, "StopDate", ms(e->stop));
    return o;
}

/* AWS's error reply [r] (freed) as the Task's error and cause. */
static void start_error(srv_reply r, char **error, char **cause)
{
    cJSON *o = r.body ? cJSON_Parse(r.body) : NULL;
    free(r.body);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "__type");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "message");
    const char *type = cJSON_IsString(t) ? t->valuestring : "InternalFailure";
    size_t n = strlen(type);
    bool suffix = n >= 9 && strcmp(type + n - 9, "Exception") == 0;
    char buf[256];
    snprintf(buf, sizeof buf, "StepFunctions.%s%s", type, suffix ? "" : "Exception");
    *error = strdup(buf);
    *cause = dup_s(cJSON_IsString(m) ? m->valuestring : NULL);
    cJSON_Delete(o);
}

static void stop_child(srv_exec *e)
{
    if (e->status != EX_RUNNING || e->stop_requested)
        return;
    e->stop_requested = true;
    e->status = EX_ABORTED;
    e->stop = srv_now_s();
    __atomic_store_n(&e->run.aborted, 1, __ATOMIC_SEQ_CST);
}

rt_child_end srv_start_child(asl_exec *x, const char *resource, const cJSON *params,
                             int64_t timeout_at, int64_t run_deadline, cJSON **result,
                             char **error, char **cause)
{
    *result = NULL;
    *error = *cause = NULL;
    const char *action = strstr(resource, "startExecution");
    int job = !action || !action[14] ? 0 : strcmp(action + 14, ".sync:2") == 0 ? 2 : 1;
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(params, "StateMachineArn");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "Name");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(params, "Input");
    if (!cJSON_IsString(sm) || (name && !cJSON_IsString(name))) {
        *error = strdup("StepFunctions.ValidationException");
        *cause = strdup(!cJSON_IsString(sm)
                            ? "The parameter StateMachineArn is required and must be a string"
                            : "The parameter Name must be a string");
        return RT_CHILD_FAILED;
    }
    /* Input: a JSON value, or JSON text as the API takes it. */
    char *text = !input ? strdup("{}") : cJSON_IsString(input) ? strdup(input->valuestring)
                                                               : cJSON_PrintUnformatted(input);
    if (!text) {
        *error = strdup("States.Runtime");
        *cause = strdup("Out of memory.");
        return RT_CHILD_FAILED;
    }
    srv_reply err;
    srv_exec *e = srv_exec_start(sm->valuestring, name ? name->valuestring : NULL, text, 0, &err);
    free(text);
    if (!e) {
        start_error(err, error, cause);
        return RT_CHILD_FAILED;
    }
    pthread_mutex_lock(&S.mu);
    if (job == 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ExecutionArn", e->arn);
        cJSON_AddNumberToObject(o, "StartDate", ms(e->start));
        pthread_mutex_unlock(&S.mu);
        *result = o;
        return RT_CHILD_OK;
    }
    rt_child_end end = RT_CHILD_OK;
    while (e->status == EX_RUNNING) {
        int64_t now = rt_mono_ns();
        if (rt_cancelled(x))
            end = RT_CHILD_STOPPED;
        else if (timeout_at && now >= timeout_at)
            end = RT_CHILD_TIMEOUT;
        else if (run_deadline && now >= run_deadline)
            end = RT_CHILD_RUN_TIMEOUT;
        if (end != RT_CHILD_OK) {
            stop_child(e);
            break;
        }
        /* Woken when any execution ends; sliced so a stop is seen soon. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&S.changed, &S.mu, &ts);
    }
    if (end == RT_CHILD_OK) {
        cJSON *d = describe(e, job == 2);
        if (e->status == EX_SUCCEEDED) {
            *result = d;
        } else {
            *error = strdup("States.TaskFailed");
            *cause = d ? cJSON_PrintUnformatted(d) : NULL;
            cJSON_Delete(d);
            end = RT_CHILD_FAILED;
        }
        if (e->status == EX_SUCCEEDED && !d) {
            *error = strdup("States.Runtime");
            *cause = strdup("Out of memory.");
            end = RT_CHILD_FAILED;
        }
    }
    pthread_mutex_unlock(&S.mu);
    return end;
}
