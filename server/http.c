/*
 * http.c - the HTTP side of `aslc serve`, on libmicrohttpd: one POST per
 * request, the body gathered up to a limit, handed to srv_dispatch, the
 * reply sent as application/x-amz-json-1.0.
 *
 * libmicrohttpd parses HTTP; nothing here does. A thread per connection
 * (bounded) so a long-polling request never blocks the others; a
 * connection timeout drops slow or vanished clients. Owns the daemon and
 * each request's body buffer. Called by srv_main's caller (serve_cmd.c).
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "serve.h"
#include "srv_internal.h"

/* AWS caps Step Functions requests well below this; a larger body is
 * refused without being read in full. */
enum { SRV_MAX_BODY = 1 << 20 };

typedef struct req {
    char *buf;
    size_t len;
    int too_big;
} req;

static volatile sig_atomic_t srv_stop;

static void on_signal(int sig)
{
    (void)sig;
    srv_stop = 1;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, srv_reply r)
{
    const char *body = r.body ? r.body : "{}";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    free(r.body);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/x-amz-json-1.0");
    MHD_add_response_header(resp, "x-amzn-RequestId", "00000000-0000-0000-0000-000000000000");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state)
{
    (void)cls, (void)url, (void)version;
    req *r = *state;
    if (!r) { /* first call: headers only */
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        *state = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big && r->len + *upload_size <= SRV_MAX_BODY) {
            char *nb = realloc(r->buf, r->len + *upload_size + 1);
            if (!nb)
                return MHD_NO;
            r->buf = nb;
            memcpy(r->buf + r->len, upload, *upload_size);
            r->len += *upload_size;
            r->buf[r->len] = '\0';
        } else {
            r->too_big = 1; /* keep draining, answer once at the end */
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0)
        return send_reply(c, srv_error(405, "UnknownOperationException",
                                       "Step Functions accepts POST requests only"));
    if (r->too_big)
        return send_reply(c, srv_error(413, "ValidationException",
                                       "the request body is larger than %d bytes", SRV_MAX_BODY));
    const char *target = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
    const char *action = NULL;
    static const char prefix[] = "AWSStepFunctions.";
    if (target && strncmp(target, prefix, sizeof prefix - 1) == 0)
        action = target + sizeof prefix - 1;
    return send_reply(c, srv_dispatch(action, r->buf ? r->buf : "", r->len));
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    req *r = *state;
    if (r) {
        free(r->buf);
        free(r);
    }
    *state = NULL;
}

int srv_main(const srv_opts *o)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) {
        fprintf(stderr, "aslc serve: --host '%s' is not an IPv4 address\n", o->host);
        return 2;
    }
    srv_actions_init(o);
    if (o->state_dir) {
        char err[2048];
        if (!srv_store_open(o->state_dir, err, sizeof err)) {
            fprintf(stderr, "aslc serve: --state-dir: %s\n", err);
            srv_actions_close();
            return 2;
        }
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
            MHD_USE_ERROR_LOG,
        (uint16_t)o->port, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)90, /* > a 60 s long poll */
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "aslc serve: cannot listen on %s:%d\n", o->host, o->port);
        srv_store_close();
        srv_actions_close();
        return 2;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int port = info ? info->port : o->port;
    fprintf(stderr, "aslc serve: listening on http://%s:%d\n", o->host, port);
    if (o->port_file) {
        FILE *f = fopen(o->port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    while (!srv_stop)
        pause();
    /* No new connections; the running executions saved as aborted, then
     * stopped, so that requests waiting on them (StartSyncExecution) end
     * and the daemon's threads can be joined. */
    MHD_quiesce_daemon(d);
    srv_store_close();
    srv_executions_stop();
    srv_activities_stop(); /* GetActivityTask long polls end too */
    MHD_stop_daemon(d);
    srv_actions_close();
    fprintf(stderr, "aslc serve: stopped\n");
    return 0;
}
