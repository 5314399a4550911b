/*
 * activities.c - the activity actions of `aslc serve`: CreateActivity,
 * DescribeActivity, ListActivities (paging), DeleteActivity, and
 * GetActivityTask, which long-polls for up to 60 s (then answers {} with no
 * token, as Step Functions does) for a Task whose Resource is the activity's
 * ARN. The queue of waiting activity tasks is the runtime's token registry
 * (runtime/callback.c): a worker takes the oldest, gets its token and
 * input, and answers with SendTaskSuccess / SendTaskFailure /
 * SendTaskHeartbeat (callbacks.c).
 *
 * Owns the activity records (in memory; newest first), under srv_store.mu.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_internal.h"

#define S srv_store

typedef struct activity {
    char *name, *arn;
    double created;
    struct activity *next;
} activity;

static activity *activities;    /* under srv_store.mu */
static volatile int stopping;   /* the server is stopping: polls end at once */

/* AWS holds a GetActivityTask for up to 60 seconds. */
enum { POLL_SECONDS = 60 };

static bool is_activity_arn(const char *arn)
{
    return strncmp(arn, "arn:aws:states:", 15) == 0 && strstr(arn, ":activity:") != NULL;
}

/* With srv_store.mu held. */
static activity *find(const char *arn)
{
    for (activity *a = activities; a; a = a->next)
        if (strcmp(a->arn, arn) == 0)
            return a;
    return NULL;
}

static cJSON *describe(const activity *a)
{
    cJSON *o = cJSON_CreateObject();
    if (o && (!cJSON_AddStringToObject(o, "activityArn", a->arn) ||
              !cJSON_AddStringToObject(o, "name", a->name) ||
              !cJSON_AddNumberToObject(o, "creationDate", a->created))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

bool srv_activity_restore(const char *arn, const char *name, double created)
{
    activity *a = calloc(1, sizeof *a);
    if (!a)
        return false;
    a->name = strdup(name);
    a->arn = strdup(arn);
    a->created = created;
    if (!a->name || !a->arn) {
        free(a->name);
        free(a->arn);
        free(a);
        return false;
    }
    a->next = activities;
    activities = a;
    return true;
}

srv_reply srv_create_activity(const cJSON *req)
{
    srv_reply err;
    const char *name;
    if (!srv_get_str(req, "name", true, &name, &err))
        return err;
    if (!srv_valid_name(name))
        return srv_error(400, "InvalidName", "Invalid Name: '%s'", name);
    char arn[512];
    snprintf(arn, sizeof arn, "arn:aws:states:%s:%s:activity:%s", S.opt->region, S.opt->account,
             name);
    pthread_mutex_lock(&S.mu);
    activity *a = find(arn); /* AWS: creating an existing activity returns it */
    if (!a && (a = calloc(1, sizeof *a))) {
        a->name = strdup(name);
        a->arn = strdup(arn);
        a->created = srv_now_s();
        if (!a->name || !a->arn) {
            free(a->name);
            free(a->arn);
            free(a);
            a = NULL;
        } else {
            a->next = activities;
            activities = a;
            srv_store_put_activity(a->arn, a->name, a->created);
        }
    }
    cJSON *o = a ? cJSON_CreateObject() : NULL;
    if (o && (!cJSON_AddStringToObject(o, "activityArn", a->arn) ||
              !cJSON_AddNumberToObject(o, "creationDate", a->created))) {
        cJSON_Delete(o);
        o = NULL;
    }
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

/* The "activityArn" of [req], checked: false with *err set. */
static bool arn_of(const cJSON *req, const char **arn, srv_reply *err)
{
    if (!srv_get_str(req, "activityArn", true, arn, err))
        return false;
    if (!is_activity_arn(*arn)) {
        *err = srv_error(400, "InvalidArn", "Invalid Arn: '%s'", *arn);
        return false;
    }
    return true;
}

srv_reply srv_describe_activity(const cJSON *req)
{
    srv_reply err;
    const char *arn;
    if (!arn_of(req, &arn, &err))
        return err;
    pthread_mutex_lock(&S.mu);
    activity *a = find(arn);
    cJSON *o = a ? describe(a) : NULL;
    pthread_mutex_unlock(&S.mu);
    if (!a)
        return srv_error(400, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn);
    return srv_ok(o);
}

srv_reply srv_list_activities(const cJSON *req)
{
    srv_reply err;
    int max, start;
    if (!srv_paging(req, 100, &max, &start, &err))
        return err;
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "activities");
    if (!arr) {
        cJSON_Delete(o);
        return srv_error(500, "InternalFailure", "out of memory");
    }
    pthread_mutex_lock(&S.mu);
    int i = 0, n = 0;
    for (activity *a = activities; a; a = a->next, i++) {
        if (i < start)
            continue;
        if (n == max) {
            srv_next_token(o, i);
            break;
        }
        cJSON *e = describe(a);
        if (!e || !cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            pthread_mutex_unlock(&S.mu);
            cJSON_Delete(o);
            return srv_error(500, "InternalFailure", "out of memory");
        }
        n++;
    }
    pthread_mutex_unlock(&S.mu);
    return srv_ok(o);
}

static void free_activity(activity *a)
{
    free(a->name);
    free(a->arn);
    free(a);
}

srv_reply srv_delete_activity(const cJSON *req)
{
    srv_reply err;
    const char *arn;
    if (!arn_of(req, &arn, &err))
        return err;
    pthread_mutex_lock(&S.mu);
    for (activity **p = &activities; *p; p = &(*p)->next)
        if (strcmp((*p)->arn, arn) == 0) {
            activity *a = *p;
            *p = a->next;
            srv_store_drop_activity(a->arn);
            free_activity(a);
            break;
        }
    pthread_mutex_unlock(&S.mu); /* AWS answers success for an unknown ARN too */
    return srv_ok(cJSON_CreateObject());
}

srv_reply srv_get_activity_task(const cJSON *req)
{
    srv_reply err;
    const char *arn, *worker;
    if (!arn_of(req, &arn, &err) || !srv_get_str(req, "workerName", false, &worker, &err))
        return err;
    if (worker && strlen(worker) > 80)
        return srv_error(400, "ValidationException",
                         "1 validation error detected: Value at 'workerName' failed to satisfy "
                         "constraint: Member must have length less than or equal to 80");
    pthread_mutex_lock(&S.mu);
    bool known = find(arn) != NULL;
    pthread_mutex_unlock(&S.mu);
    if (!known)
        return srv_error(400, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", arn);
    char token[RT_CB_TOKEN_MAX];
    char *input = NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return srv_error(500, "InternalFailure", "out of memory");
    if (rt_cb_take(arn, worker, (int64_t)POLL_SECONDS * 1000000000, &stopping, token, &input) &&
        (!cJSON_AddStringToObject(o, "taskToken", token) ||
         !cJSON_AddStringToObject(o, "input", input))) {
        /* The task stays taken: its Task times out as a lost worker's would. */
        cJSON_Delete(o);
        o = NULL;
    }
    free(input);
    return srv_ok(o); /* {} when no task came within the poll */
}

void srv_activities_stop(void)
{
    stopping = 1;
}

void srv_activities_close(void)
{
    pthread_mutex_lock(&S.mu);
    while (activities) {
        activity *a = activities;
        activities = a->next;
        free_activity(a);
    }
    pthread_mutex_unlock(&S.mu);
}
