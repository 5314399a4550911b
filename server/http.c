/*
 * http.c - the HTTP side of `aslc serve`, on libmicrohttpd: one POST per
 * request, the body gathered up to a limit, handed to srv_dispatch, the
 * reply sent as application/x-amz-json-1.0.
 *
 * libmicrohttpd parses HTTP; nothing here does. A thread per connection
 * (bounded) so a long-polling request never blocks the others; a
 * connection timeout drops slow or vanished clients. Owns the daemon and
 * each request's body buffer. Called by srv_main's caller (serve_cmd.c).
 * libmicrohttpd is loaded when the server starts (runtime/dynlib.c), so
 * that aslc's other commands do not load it and GnuTLS behind it.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/resource.h>

#include "dynlib.h"
#include "serve.h"
#include "srv_internal.h"

/* AWS's quota: 1 MB per Step Functions request. A body announced larger
 * is refused before it is read; a chunked one is read (and dropped) up to
 * DRAIN_MAX to be answered, then the connection is closed. */
enum { SRV_MAX_BODY = 1 << 20, DRAIN_MAX = 8 << 20 };
/* Seconds a connection may stay silent. Only the client's silence counts:
 * a request that waits in its handler (a long poll, StartSyncExecution)
 * is not timed out by it. */
enum { IDLE_TIMEOUT = 20 };
/* At most this many connections, each with its thread; more are closed at
 * once, and the ones served are not slowed. */
enum { MAX_CONNECTIONS = 1000 };

typedef struct req {
    char *buf;
    size_t len, seen;
    bool too_big;
} req;

/* SIGINT / SIGTERM may land on any thread: the handler writes to a pipe
 * that the main thread reads. */
static int stop_pipe[2] = {-1, -1};

/* libmicrohttpd's functions, loaded by srv_main before the daemon starts. */
static const rt_mhd_api *mhd;

static void on_signal(int sig)
{
    char c = (char)sig;
    int saved = errno;
    if (write(stop_pipe[1], &c, 1) < 0) {
        /* the pipe is full: a stop is pending already */
    }
    errno = saved;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, srv_reply r)
{
    const char *body = r.body ? r.body : "{}";
    struct MHD_Response *resp =
        mhd->create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    free(r.body);
    if (!resp)
        return MHD_NO;
    mhd->add_response_header(resp, "Content-Type", "application/x-amz-json-1.0");
    char id[37]; /* what the SDKs log with an error */
    rt_uuid_v4(id);
    mhd->add_response_header(resp, "x-amzn-RequestId", id);
    enum MHD_Result ok = mhd->queue_response(c, (unsigned)r.status, resp);
    mhd->destroy_response(resp);
    return ok;
}

static srv_reply too_big(void)
{
    return srv_error(413, "ValidationException",
                     "1 validation error detected: the request is larger than the %d bytes "
                     "(1 MB) a Step Functions request may have", SRV_MAX_BODY);
}

/* True when [s] ([n] bytes) is well-formed UTF-8: AWS refuses anything
 * else, and every string the server keeps must be valid text. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else { /* a continuation byte first, or 0xf8..0xff */
            return false;
        }
        if (n - i <= k) /* cut short */
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            c = c << 6 | (s[i + j] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state)
{
    (void)cls, (void)url, (void)version;
    req *r = *state;
    if (!r) { /* first call: headers only */
        const char *cl = mhd->lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        /* A body past the limit is drained and then refused, so that the
         * client, still sending, reads the answer instead of a reset; one
         * too big to drain is answered unread and the connection closed. */
        if (cl && strtoull(cl, NULL, 10) > DRAIN_MAX)
            return send_reply(c, too_big());
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        *state = r;
        return MHD_YES;
    }
    if (*upload_size) {
        r->seen += *upload_size;
        if (!r->too_big && r->len + *upload_size <= SRV_MAX_BODY) {
            char *nb = realloc(r->buf, r->len + *upload_size + 1);
            if (!nb)
                return MHD_NO;
            r->buf = nb;
            memcpy(r->buf + r->len, upload, *upload_size);
            r->len += *upload_size;
            r->buf[r->len] = '\0';
        } else {
            r->too_big = true; /* keep draining, answer once at the end */
            free(r->buf);
            r->buf = NULL;
            r->len = 0;
            if (r->seen > DRAIN_MAX)
                return MHD_NO; /* a client that will not stop: closed */
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0)
        return send_reply(c, srv_error(405, "UnknownOperationException",
                                       "Step Functions accepts POST requests only"));
    if (r->too_big)
        return send_reply(c, too_big());
    if (!utf8_ok((const unsigned char *)(r->buf ? r->buf : ""), r->len))
        return send_reply(c, srv_error(400, "SerializationException",
                                       "the request body is not valid UTF-8"));
    const char *target = mhd->lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
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

/* The connection limit the descriptors allow: the soft limit raised to
 * the hard one, less room for the store, handlers and Tasks' pipes. */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 200;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 2 * MAX_CONNECTIONS)
        return MAX_CONNECTIONS;
    return rl.rlim_cur > 256 ? (unsigned)(rl.rlim_cur / 2) : 64;
}

int srv_main(const srv_opts *o)
{
    if (!(mhd = rt_mhd())) {
        fprintf(stderr, "aslc serve: %s\n", rt_dynlib_error());
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) {
        fprintf(stderr, "aslc serve: --host '%s' is not an IPv4 address\n", o->host);
        return 2;
    }
    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        fprintf(stderr, "aslc serve: cannot create a pipe: %s\n", strerror(errno));
        return 2;
    }
    fcntl(stop_pipe[0], F_SETFL, 0); /* the main thread blocks on it */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a vanished client is an error on write, not a death */
    srv_actions_init(o);
    if (o->state_dir) {
        char err[2048];
        if (!srv_store_open(o->state_dir, err, sizeof err)) {
            fprintf(stderr, "aslc serve: --state-dir: %s\n", err);
            srv_actions_close();
            return 2;
        }
    }
    struct MHD_Daemon *d = mhd->start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
            MHD_USE_ERROR_LOG,
        (uint16_t)o->port, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "aslc serve: cannot listen on %s:%d\n", o->host, o->port);
        srv_store_close();
        srv_actions_close();
        return 2;
    }
    const union MHD_DaemonInfo *info = mhd->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int port = info ? info->port : o->port;
    fprintf(stderr, "aslc serve: listening on http://%s:%d\n", o->host, port);
    if (o->port_file) {
        FILE *f = fopen(o->port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }
    char sig;
    while (read(stop_pipe[0], &sig, 1) < 0 && errno == EINTR)
        ;
    /* No new connections; the running executions saved as aborted, then
     * stopped, so that requests waiting on them (StartSyncExecution) end
     * and the daemon's threads can be joined. */
    MHD_socket ls = mhd->quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    srv_store_close();
    srv_executions_stop();
    srv_activities_stop(); /* GetActivityTask long polls end too */
    mhd->stop_daemon(d);
    srv_actions_close();
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    fprintf(stderr, "aslc serve: stopped\n");
    return 0;
}
