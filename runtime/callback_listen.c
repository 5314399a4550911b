/*
 * callback_listen.c - the --callback-port listener of `aslc run` and
 * built executables: SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat
 * (AWS JSON 1.0, POST / with X-Amz-Target: AWSStepFunctions.<Action>) on
 * 127.0.0.1 only, for the tokens of this process's run, so that
 * `aws stepfunctions send-task-success --endpoint-url http://127.0.0.1:P`
 * completes a waiting Task.
 *
 * libmicrohttpd parses HTTP; it is loaded with dlopen on first use
 * (dynlib.c), so an executable that never listens does not need it
 * installed. Requests are answered by rt_cb_api (callback_api.c), the same
 * code `aslc serve` answers with. A thread per connection: an answer never
 * waits for another.
 *
 * Layer: effects. Owns the daemon and each request's body buffer.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dynlib.h"
#include "effects.h"

/* The largest SendTask* request: a 256 KiB output, escaped, and room. */
enum { MAX_BODY = 1 << 20 };

typedef struct req {
    char *buf;
    size_t len;
    bool too_big;
} req;

static const rt_mhd_api *api;
static struct MHD_Daemon *daemon_;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int inflight; /* requests begun and not yet answered (atomic) */

static enum MHD_Result send_reply(struct MHD_Connection *c, int status, char *body)
{
    const char *text = body ? body : "{\"__type\":\"InternalFailure\",\"message\":\"out of memory\"}";
    unsigned code = (unsigned)(body ? status : 500);
    struct MHD_Response *r =
        api->create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    free(body);
    if (!r)
        return MHD_NO;
    api->add_response_header(r, "Content-Type", "application/x-amz-json-1.0");
    enum MHD_Result ok = api->queue_response(c, code, r);
    api->destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)cls, (void)url, (void)version;
    req *q = *state;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        *state = q;
        __atomic_add_fetch(&inflight, 1, __ATOMIC_ACQ_REL);
        return MHD_YES;
    }
    if (*upload_size) {
        if (!q->too_big && q->len + *upload_size <= MAX_BODY) {
            char *nb = realloc(q->buf, q->len + *upload_size + 1);
            if (!nb)
                return MHD_NO;
            q->buf = nb;
            memcpy(q->buf + q->len, upload, *upload_size);
            q->len += *upload_size;
            q->buf[q->len] = '\0';
        } else {
            q->too_big = true; /* drain, answer once at the end */
        }
        *upload_size = 0;
        return MHD_YES;
    }
    const char *target = api->lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
    static const char prefix[] = "AWSStepFunctions.";
    const char *action = target && strncmp(target, prefix, sizeof prefix - 1) == 0
                             ? target + sizeof prefix - 1
                             : NULL;
    if (strcmp(method, "POST") != 0)
        return send_reply(c, 405,
                          rt_fmt("{\"__type\":\"UnknownOperationException\",\"message\":"
                                 "\"Step Functions accepts POST requests only\"}"));
    if (q->too_big)
        return send_reply(c, 413,
                          rt_fmt("{\"__type\":\"ValidationException\",\"message\":"
                                 "\"the request body is larger than %d bytes\"}",
                                 MAX_BODY));
    char *reply = NULL;
    int status = action ? rt_cb_api(action, q->buf ? q->buf : "", q->len, &reply) : 0;
    if (!status) {
        /* Only the callback actions exist here: say so, rather than a bare 404. */
        cJSON *o = cJSON_CreateObject();
        char *msg = rt_fmt("this endpoint (a workflow's --callback-port) answers only "
                           "SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat, not '%.100s'",
                           action ? action : "(no AWSStepFunctions X-Amz-Target)");
        if (o && msg && cJSON_AddStringToObject(o, "__type", "UnknownOperationException") &&
            cJSON_AddStringToObject(o, "message", msg))
            reply = cJSON_PrintUnformatted(o);
        free(msg);
        cJSON_Delete(o);
        status = 400;
    }
    return send_reply(c, status, reply);
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    req *q = *state;
    if (q) {
        free(q->buf);
        free(q);
        __atomic_sub_fetch(&inflight, 1, __ATOMIC_ACQ_REL);
    }
    *state = NULL;
}

int rt_cb_listen(int port, char *err, size_t errlen)
{
    if (port < 0 || port > 65535) {
        snprintf(err, errlen, "the callback port %d is not between 0 and 65535", port);
        return -1;
    }
    api = rt_mhd();
    if (!api) {
        snprintf(err, errlen, "--callback-port needs %s", rt_dynlib_error());
        return -1;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only: tokens are capabilities */
    pthread_mutex_lock(&mu);
    if (daemon_) {
        pthread_mutex_unlock(&mu);
        snprintf(err, errlen, "the callback listener is already running");
        return -1;
    }
    daemon_ = api->start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, (uint16_t)port, NULL,
        NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    int bound = -1;
    if (!daemon_) {
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%d (is the port in use?)", port);
    } else {
        const union MHD_DaemonInfo *info =
            api->get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
        bound = info && info->port ? info->port : port;
    }
    pthread_mutex_unlock(&mu);
    return bound;
}

void rt_cb_listen_stop(void)
{
    /* The answer that ended the run is usually still being sent: let it
     * (and any other in flight) finish, for up to two seconds. */
    for (int i = 0; i < 200 && __atomic_load_n(&inflight, __ATOMIC_ACQUIRE) > 0; i++)
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    pthread_mutex_lock(&mu);
    if (daemon_)
        api->stop_daemon(daemon_);
    daemon_ = NULL;
    pthread_mutex_unlock(&mu);
}
