/*
 * callback.c - the process's task token registry: a .waitForTaskToken Task
 * (or an activity Task) registers its token, then blocks until someone
 * answers SendTaskSuccess / SendTaskFailure, with TimeoutSeconds and
 * HeartbeatSeconds enforced (SendTaskHeartbeat resets the heartbeat
 * clock) and the run's abort honoured within a few milliseconds.
 *
 * One registry per process, because the answer comes from another thread:
 * the callback listener of `aslc run --callback-port` (callback_listen.c)
 * or the request threads of `aslc serve` (server/callbacks.c,
 * server/activities.c). A token that was closed (answered, timed out,
 * aborted) is remembered for a while so that a late answer gets AWS's
 * TaskTimedOut rather than TaskDoesNotExist.
 *
 * Layer: effects. Owns every rt_cb entry (freed by rt_cb_close) and the
 * strings in it; a waiter's result strings are handed to the caller.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch.h"
#include "effects.h"

struct rt_cb {
    char token[RT_CB_TOKEN_MAX];
    char *activity;       /* activity ARN; 0 for a callback */
    char *input;          /* activity: the task input handed to the worker */
    bool taken;           /* activity: a worker has it */
    char *worker;         /* its workerName */
    int64_t beat_ns;      /* rt_mono_ns of the last heartbeat (or the start) */
    bool done, failed;
    char *output, *error, *cause;
    struct rt_cb *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed; /* any entry answered, queued or taken */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct rt_cb *head, *tail; /* registration order: activities are FIFO */

/* Closed tokens, a ring: enough for late answers to be told TaskTimedOut. */
enum { CLOSED_MAX = 4096 };
static char (*closed)[RT_CB_TOKEN_MAX];
static int closed_next, closed_n;

static void init(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&changed, &a);
    pthread_condattr_destroy(&a);
}

bool rt_cb_token_valid(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n != RT_CB_TOKEN_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static char *dup_or_null(const char *s)
{
    return s ? rt_fmt("%s", s) : NULL;
}

rt_cb *rt_cb_open(const char *token, const char *activity_arn, const char *input)
{
    pthread_once(&once, init);
    rt_cb *c = calloc(1, sizeof *c);
    if (!c || strlen(token) >= sizeof c->token)
        return free(c), NULL;
    snprintf(c->token, sizeof c->token, "%s", token);
    c->activity = dup_or_null(activity_arn);
    c->input = dup_or_null(activity_arn ? (input ? input : "{}") : NULL);
    if ((activity_arn && (!c->activity || !c->input))) {
        free(c->activity);
        free(c->input);
        free(c);
        return NULL;
    }
    c->beat_ns = rt_mono_ns();
    pthread_mutex_lock(&mu);
    if (tail)
        tail->next = c;
    else
        head = c;
    tail = c;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&mu);
    return c;
}

void rt_cb_close(rt_cb *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&mu);
    rt_cb *prev = NULL;
    for (rt_cb *e = head; e; prev = e, e = e->next)
        if (e == c) {
            if (prev)
                prev->next = e->next;
            else
                head = e->next;
            if (tail == e)
                tail = prev;
            break;
        }
    if (!closed)
        closed = calloc(CLOSED_MAX, sizeof *closed);
    if (closed) {
        memcpy(closed[closed_next], c->token, sizeof c->token);
        closed_next = (closed_next + 1) % CLOSED_MAX;
        if (closed_n < CLOSED_MAX)
            closed_n++;
    }
    pthread_mutex_unlock(&mu);
    free(c->activity);
    free(c->input);
    free(c->worker);
    free(c->output);
    free(c->error);
    free(c->cause);
    free(c);
}

/* With [mu] held. */
static rt_cb *find(const char *token)
{
    for (rt_cb *e = head; e; e = e->next)
        if (strcmp(e->token, token) == 0)
            return e;
    return NULL;
}

/* With [mu] held: the answer for a token that is not waiting. */
static rt_cb_status gone(const char *token)
{
    for (int i = 0; closed && i < closed_n; i++)
        if (strcmp(closed[i], token) == 0)
            return RT_CB_CLOSED;
    return RT_CB_UNKNOWN;
}

rt_cb_status rt_cb_answer(const char *token, bool failed, const char *output, const char *error,
                          const char *cause)
{
    if (!rt_cb_token_valid(token))
        return RT_CB_BAD_TOKEN;
    if (!failed) {
        cJSON *v = output ? rt_json_parse(output, strlen(output), NULL, 0) : NULL;
        if (!v)
            return RT_CB_BAD_OUTPUT;
        cJSON_Delete(v);
    }
    pthread_once(&once, init);
    char *o = failed ? NULL : dup_or_null(output);
    char *e = failed ? dup_or_null(error) : NULL;
    char *k = failed ? dup_or_null(cause) : NULL;
    if ((!failed && !o) || (error && failed && !e) || (cause && failed && !k)) {
        free(o), free(e), free(k);
        return RT_CB_NO_MEMORY;
    }
    pthread_mutex_lock(&mu);
    rt_cb *c = find(token);
    rt_cb_status st = RT_CB_OK;
    if (!c || c->done) {
        st = c ? RT_CB_CLOSED : gone(token);
        free(o), free(e), free(k);
    } else {
        c->done = true;
        c->failed = failed;
        c->output = o;
        c->error = e;
        c->cause = k;
        pthread_cond_broadcast(&changed);
    }
    pthread_mutex_unlock(&mu);
    return st;
}

rt_cb_status rt_cb_heartbeat(const char *token)
{
    if (!rt_cb_token_valid(token))
        return RT_CB_BAD_TOKEN;
    pthread_once(&once, init);
    pthread_mutex_lock(&mu);
    rt_cb *c = find(token);
    rt_cb_status st = RT_CB_OK;
    if (!c || c->done)
        st = c ? RT_CB_CLOSED : gone(token);
    else
        c->beat_ns = rt_mono_ns();
    pthread_mutex_unlock(&mu);
    return st;
}

/* Waits on [changed] until [until_ns] (rt_mono_ns), at most a slice, so
 * that cancellation is seen promptly. With [mu] held. */
static void wait_slice(int64_t until_ns)
{
    enum { SLICE_NS = 20 * 1000 * 1000 };
    int64_t now = rt_mono_ns();
    int64_t t = until_ns && until_ns - now < SLICE_NS ? until_ns : now + SLICE_NS;
    if (t <= now)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t abs_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + (t - now);
    ts.tv_sec = (time_t)(abs_ns / 1000000000);
    ts.tv_nsec = (long)(abs_ns % 1000000000);
    pthread_cond_timedwait(&changed, &mu, &ts);
}

/* Which limit of [lim] has passed, if any (RT_END_DONE: none). With [mu]
 * held; [beats] says whether the heartbeat clock runs. */
static rt_end passed(const rt_cb *c, const rt_limits *lim, bool beats, int64_t *next)
{
    int64_t now = rt_mono_ns();
    *next = 0;
    if (rt_cancelled(lim->x))
        return RT_END_ABORTED;
    if (lim->run_deadline && now >= lim->run_deadline)
        return RT_END_RUN_TIMEOUT;
    if (lim->timeout_at && now >= lim->timeout_at)
        return RT_END_TIMEOUT;
    int64_t hb = beats && lim->heartbeat_ns ? c->beat_ns + lim->heartbeat_ns : 0;
    if (hb && now >= hb)
        return RT_END_HEARTBEAT;
    int64_t cand[] = {lim->run_deadline, lim->timeout_at, hb};
    for (size_t i = 0; i < sizeof cand / sizeof *cand; i++)
        if (cand[i] && (!*next || cand[i] < *next))
            *next = cand[i];
    return RT_END_DONE;
}

rt_end rt_cb_await_worker(rt_cb *c, const rt_limits *lim, char **worker)
{
    *worker = NULL;
    pthread_mutex_lock(&mu);
    rt_end end = RT_END_DONE;
    int64_t next;
    while (!c->taken && !c->done && (end = passed(c, lim, false, &next)) == RT_END_DONE)
        wait_slice(next);
    if (end == RT_END_DONE) {
        c->beat_ns = rt_mono_ns(); /* the heartbeat clock starts with the worker */
        *worker = c->worker;
        c->worker = NULL;
    }
    pthread_mutex_unlock(&mu);
    return end;
}

rt_end rt_cb_await(rt_cb *c, const rt_limits *lim, rt_cb_result *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_lock(&mu);
    rt_end end = RT_END_DONE;
    int64_t next;
    while (!c->done && (end = passed(c, lim, true, &next)) == RT_END_DONE)
        wait_slice(next);
    if (end == RT_END_DONE) {
        r->failed = c->failed;
        r->output = c->output;
        r->error = c->error;
        r->cause = c->cause;
        c->output = c->error = c->cause = NULL;
    } else {
        c->done = true; /* a late answer is told TaskTimedOut */
    }
    pthread_mutex_unlock(&mu);
    return end;
}

void rt_cb_result_free(rt_cb_result *r)
{
    free(r->output);
    free(r->error);
    free(r->cause);
    memset(r, 0, sizeof *r);
}

bool rt_cb_take(const char *activity_arn, const char *worker, int64_t wait_ns,
                const volatile int *stop, char token[RT_CB_TOKEN_MAX], char **input)
{
    pthread_once(&once, init);
    *input = NULL;
    int64_t until = rt_mono_ns() + wait_ns;
    pthread_mutex_lock(&mu);
    for (;;) {
        for (rt_cb *e = head; e; e = e->next)
            if (e->activity && !e->taken && !e->done && strcmp(e->activity, activity_arn) == 0) {
                char *in = dup_or_null(e->input);
                char *w = dup_or_null(worker ? worker : "");
                if (!in || !w) {
                    free(in), free(w);
                    pthread_mutex_unlock(&mu);
                    return false;
                }
                e->taken = true;
                e->worker = w;
                memcpy(token, e->token, RT_CB_TOKEN_MAX);
                *input = in;
                pthread_cond_broadcast(&changed);
                pthread_mutex_unlock(&mu);
                return true;
            }
        if (rt_mono_ns() >= until || (stop && *stop))
            break;
        wait_slice(until);
    }
    pthread_mutex_unlock(&mu);
    return false;
}
