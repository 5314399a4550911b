/*
 * history_api.c - GetExecutionHistory for `aslc serve`: an execution's
 * in-memory event log (rt_options.events: the lines --history writes, with
 * id and previousEventId) served in AWS's shape, with maxResults,
 * nextToken (an offset into the log), reverseOrder and
 * includeExecutionData.
 *
 * The log's lines are the runtime's; this file reads them under the log's
 * mutex and changes only what the wire format needs: the timestamp as
 * epoch seconds (the JSON 1.0 protocol's timestamps), the data left out
 * when includeExecutionData is false, and the error and cause of a
 * StopExecution on its ExecutionAborted event. Owns nothing beyond a reply.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_internal.h"
#include "timestamp.h"

#define S srv_store

/* The data fields of an event's details, as AWS leaves them out. */
static const char *const data_keys[] = {"input", "inputDetails", "output", "outputDetails",
                                        "parameters", "assignedVariables",
                                        "assignedVariablesDetails"};

/* The wire form of one log line, or NULL when it is not JSON (never, but
 * the line is the runtime's text). */
static cJSON *wire_event(const char *line, bool data, const srv_exec *e)
{
    cJSON *ev = cJSON_Parse(line);
    if (!ev)
        return NULL;
    cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
    long long sec;
    long nsec;
    if (cJSON_IsString(ts) && rt_parse_timestamp(ts->valuestring, &sec, &nsec))
        cJSON_ReplaceItemInObjectCaseSensitive(
            ev, "timestamp", cJSON_CreateNumber((double)sec + (double)(nsec / 1000000) / 1e3));
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
    for (cJSON *d = ev->child; d; d = d->next) {
        if (!cJSON_IsObject(d) || !d->string || !strstr(d->string, "EventDetails"))
            continue;
        if (!data)
            for (size_t i = 0; i < sizeof data_keys / sizeof data_keys[0]; i++)
                cJSON_DeleteItemFromObjectCaseSensitive(d, data_keys[i]);
        /* The runtime ends a stopped run without knowing StopExecution's words. */
        if (cJSON_IsString(type) && strcmp(type->valuestring, "ExecutionAborted") == 0 &&
            e->stop_requested) {
            if (e->error && !cJSON_GetObjectItemCaseSensitive(d, "error"))
                cJSON_AddStringToObject(d, "error", e->error);
            if (e->cause && !cJSON_GetObjectItemCaseSensitive(d, "cause"))
                cJSON_AddStringToObject(d, "cause", e->cause);
        }
    }
    return ev;
}

srv_reply srv_get_execution_history(const cJSON *req)
{
    srv_reply err;
    int max, from;
    if (!srv_paging(req, 100, &max, &from, &err))
        return err;
    const cJSON *rev = cJSON_GetObjectItemCaseSensitive(req, "reverseOrder");
    const cJSON *inc = cJSON_GetObjectItemCaseSensitive(req, "includeExecutionData");
    if ((rev && !cJSON_IsNull(rev) && !cJSON_IsBool(rev)) ||
        (inc && !cJSON_IsNull(inc) && !cJSON_IsBool(inc)))
        return srv_error(400, "SerializationException",
                         "'reverseOrder' and 'includeExecutionData' must be booleans");
    bool reverse = cJSON_IsTrue(rev);
    bool data = !cJSON_IsFalse(inc); /* AWS's default: included */
    pthread_mutex_lock(&S.mu);
    srv_exec *e = srv_lookup_exec(req, &err);
    if (!e) {
        pthread_mutex_unlock(&S.mu);
        return err;
    }
    srv_store_load_history(e); /* --state-dir: read from the store on first use */
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "events");
    pthread_mutex_lock(&e->events.mu);
    size_t n = e->events.n;
    if ((size_t)from > n) {
        pthread_mutex_unlock(&e->events.mu);
        pthread_mutex_unlock(&S.mu);
        cJSON_Delete(o);
        return srv_error(400, "InvalidToken", "Invalid Token: '%d'", from);
    }
    int added = 0;
    /* The token counts events already returned, in the order asked for. */
    for (size_t k = (size_t)from; k < n; k++) {
        if (added == max) {
            srv_next_token(o, (int)k);
            break;
        }
        const char *line = e->events.lines[reverse ? n - 1 - k : k];
        cJSON *ev = wire_event(line, data, e);
        if (ev && cJSON_AddItemToArray(arr, ev))
            added++;
        else
            cJSON_Delete(ev);
    }
    bool oom = e->events.oom;
    pthread_mutex_unlock(&e->events.mu);
    pthread_mutex_unlock(&S.mu);
    if (oom) {
        cJSON_Delete(o);
        return srv_error(500, "InternalFailure",
                         "the server ran out of memory recording this execution's history");
    }
    return srv_ok(o);
}
