/*
 * lambda_stub.c - a stand-in for the AWS Lambda Runtime API, for testing a
 * built executable as a custom runtime `bootstrap` (tests/lambda/check.sh).
 *
 *   lambda_stub EVENTS LOG
 *
 * Listens on 127.0.0.1 (any free port), prints the port on stdout, then
 * serves the events of EVENTS, a JSON array of
 *   {"id": REQUEST_ID, "event": ANY, "deadline_in_ms": N, "trace": TEXT}
 * (deadline_in_ms default 60000, trace optional; "raw": TEXT instead of
 * "event" serves TEXT as it is, e.g. broken JSON) one per
 * `GET /2018-06-01/runtime/invocation/next`, with the headers
 * Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms (now + N),
 * Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id. When
 * they are all served, `next` answers 410 and the stub stops.
 *
 * Every POST is answered 202 (404 for a path the Runtime API does not
 * have) and written to LOG as one JSON line, in arrival order:
 *   {"path": ..., "error_type": <Lambda-Runtime-Function-Error-Type or null>,
 *    "content_type": ..., "body": <parsed JSON, or the text if not JSON>,
 *    "before_deadline": <true when it came before its event's deadline>}
 * Exits 0 after the 410, 1 when nothing asked for an event within 60 s
 * (a test must never hang).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#define API "/2018-06-01/runtime"

static cJSON *events;
static int next_event;
static long long *deadlines; /* per event, epoch ms; 0 = not served yet */
static FILE *log_file;
static volatile int done;
static long long last_activity_ms;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct upload {
    char *p;
    size_t n;
} upload;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result serve_next(struct MHD_Connection *c)
{
    pthread_mutex_lock(&lock);
    int n = cJSON_GetArraySize(events);
    if (next_event >= n) {
        done = 1;
        pthread_mutex_unlock(&lock);
        return reply(c, 410, "{\"errorType\":\"NoMoreEvents\"}");
    }
    int i = next_event++;
    const cJSON *e = cJSON_GetArrayItem(events, i);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
    const cJSON *dl = cJSON_GetObjectItemCaseSensitive(e, "deadline_in_ms");
    const cJSON *trace = cJSON_GetObjectItemCaseSensitive(e, "trace");
    long long deadline = now_ms() + (cJSON_IsNumber(dl) ? (long long)dl->valuedouble : 60000);
    deadlines[i] = deadline;
    pthread_mutex_unlock(&lock);

    const cJSON *raw = cJSON_GetObjectItemCaseSensitive(e, "raw");
    char *body = cJSON_IsString(raw) ? strdup(raw->valuestring)
                                     : cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(e, "event"));
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body ? strlen(body) : 2, body ? body : (void *)"{}",
        body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    char num[32];
    snprintf(num, sizeof num, "%lld", deadline);
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id",
                            cJSON_IsString(id) ? id->valuestring : "");
    MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", num);
    MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:us-east-1:123456789012:function:workflow");
    if (cJSON_IsString(trace))
        MHD_add_response_header(r, "Lambda-Runtime-Trace-Id", trace->valuestring);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

/* The deadline of the event whose request id is the path's
 * /invocation/ID/... part; 0 when none was served. */
static long long deadline_of(const char *url)
{
    const char *p = url + strlen(API "/invocation/");
    const char *slash = strchr(p, '/');
    if (!slash)
        return 0;
    long long d = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < next_event; i++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(events, i), "id");
        if (cJSON_IsString(id) && strlen(id->valuestring) == (size_t)(slash - p) &&
            strncmp(id->valuestring, p, (size_t)(slash - p)) == 0)
            d = deadlines[i];
    }
    pthread_mutex_unlock(&lock);
    return d;
}

static void record(struct MHD_Connection *c, const char *url, const upload *u)
{
    long long at = now_ms();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", url);
    const char *et =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
    if (et)
        cJSON_AddStringToObject(o, "error_type", et);
    else
        cJSON_AddNullToObject(o, "error_type");
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (ct)
        cJSON_AddStringToObject(o, "content_type", ct);
    else
        cJSON_AddNullToObject(o, "content_type");
    cJSON *body = cJSON_ParseWithLength(u->p ? u->p : "", u->n);
    cJSON_AddItemToObject(o, "body", body ? body : cJSON_CreateString(u->p ? u->p : ""));
    if (strncmp(url, API "/invocation/", strlen(API "/invocation/")) == 0) {
        long long d = deadline_of(url);
        cJSON_AddBoolToObject(o, "before_deadline", d > 0 && at < d);
    }
    char *line = cJSON_PrintUnformatted(o);
    pthread_mutex_lock(&lock);
    if (line)
        fprintf(log_file, "%s\n", line);
    fflush(log_file);
    pthread_mutex_unlock(&lock);
    cJSON_free(line);
    cJSON_Delete(o);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *data, size_t *data_size, void **state)
{
    (void)cls;
    (void)version;
    last_activity_ms = now_ms();
    if (strcmp(method, "GET") == 0) {
        if (strcmp(url, API "/invocation/next") == 0)
            return serve_next(c);
        return reply(c, 404, "{\"errorType\":\"NotFound\"}");
    }
    upload *u = *state;
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        *state = u;
        return MHD_YES;
    }
    if (*data_size) {
        char *p = realloc(u->p, u->n + *data_size + 1);
        if (!p)
            return MHD_NO;
        memcpy(p + u->n, data, *data_size);
        u->p = p;
        u->n += *data_size;
        u->p[u->n] = '\0';
        *data_size = 0;
        return MHD_YES;
    }
    record(c, url, u);
    if (strcmp(url, API "/init/error") == 0)
        done = 1; /* the runtime exits after reporting it */
    bool known = strcmp(method, "POST") == 0 &&
                 (strcmp(url, API "/init/error") == 0 ||
                  (strncmp(url, API "/invocation/", strlen(API "/invocation/")) == 0 &&
                   (ends_with(url, "/response") || ends_with(url, "/error"))));
    return known ? reply(c, 202, "{\"status\":\"OK\"}")
                 : reply(c, 404, "{\"errorType\":\"NotFound\"}");
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    upload *u = *state;
    if (u) {
        free(u->p);
        free(u);
    }
    *state = NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p)
        p[n] = '\0';
    fclose(f);
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: lambda_stub EVENTS LOG\n");
        return 2;
    }
    char *text = slurp(argv[1]);
    events = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsArray(events)) {
        fprintf(stderr, "lambda_stub: %s: not a JSON array of events\n", argv[1]);
        return 2;
    }
    deadlines = calloc((size_t)cJSON_GetArraySize(events) + 1, sizeof *deadlines);
    log_file = fopen(argv[2], "w");
    if (!deadlines || !log_file) {
        fprintf(stderr, "lambda_stub: cannot write %s\n", argv[2]);
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
        on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "lambda_stub: cannot listen on 127.0.0.1\n");
        return 2;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("%u\n", info ? (unsigned)info->port : 0u);
    fflush(stdout);
    last_activity_ms = now_ms();
    int rc = 0;
    while (!done) {
        usleep(20000);
        if (now_ms() - last_activity_ms > 60000) {
            fprintf(stderr, "lambda_stub: no request for 60 s; giving up\n");
            rc = 1;
            break;
        }
    }
    usleep(100000); /* let the 410 reach the client */
    MHD_stop_daemon(d);
    fclose(log_file);
    cJSON_Delete(events);
    free(deadlines);
    return rc;
}
