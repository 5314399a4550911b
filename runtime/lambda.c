/*
 * lambda.c - the Lambda Runtime API loop: a built executable deployed as
 * the `bootstrap` of a custom runtime (provided.al2023) runs one execution
 * per invocation.
 *
 *   GET  http://API/2018-06-01/runtime/invocation/next      (no timeout)
 *   POST .../runtime/invocation/REQUEST_ID/response         the output
 *   POST .../runtime/invocation/REQUEST_ID/error            a failed run:
 *        {"errorType": ASL error, "errorMessage": cause} and the header
 *        Lambda-Runtime-Function-Error-Type: ASL error
 *   POST .../runtime/init/error                              start-up failed
 *
 * The event is the execution input, the request id its name,
 * Lambda-Runtime-Deadline-Ms (epoch milliseconds) bounds it a little
 * before Lambda would kill the process (the run ends States.Timeout, as
 * with TimeoutSeconds), Lambda-Runtime-Trace-Id goes to _X_AMZN_TRACE_ID
 * for the Tasks the run calls. The task dispatcher (bindings, mocks) is
 * opened once and reused by every invocation; everything else belongs to
 * one invocation and is freed before the next `next`.
 *
 * Owns: one curl easy handle for the loop, the per-invocation buffers.
 * Called by main.c (asl_main).
 *
 * Layer: entry
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "dynlib.h"
#include "effects.h"
#include "engine.h"
#include "lambda.h"

/* How long before Lambda's deadline the run is stopped, so that its
 * States.Timeout error can still be posted. */
#define LAMBDA_MARGIN_NS (100 * 1000000LL)

/* Events and outputs are bounded by Lambda (6 MB synchronous payloads);
 * a larger reply from the API is refused rather than buffered forever. */
#define LAMBDA_MAX_EVENT (16u * 1024 * 1024)

typedef struct lam_buf {
    char *p;
    size_t n, cap;
    bool too_big;
} lam_buf;

/* The headers of one `next` reply. */
typedef struct lam_next {
    char request_id[128];
    char trace_id[512];
    long long deadline_ms;
} lam_next;

typedef struct lam {
    const char *prog;
    const rt_curl_api *cu; /* libcurl, loaded at start (dynlib.c) */
    CURL *curl;
    char base[512]; /* http://API/2018-06-01/runtime */
} lam;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    lam_buf *b = arg;
    size_t len = size * n;
    if (b->n + len + 1 > LAMBDA_MAX_EVENT) {
        b->too_big = true;
        return 0;
    }
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    b->p[b->n] = '\0';
    return len;
}

/* Copies the value of header [name] from the line [data] into [out]
 * (trimmed, truncated to [cap]); false when the line is another header. */
static bool header_value(const char *data, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(data, name, nl) != 0 || data[nl] != ':')
        return false;
    size_t i = nl + 1, end = len;
    while (i < end && (data[i] == ' ' || data[i] == '\t'))
        i++;
    while (end > i && isspace((unsigned char)data[end - 1]))
        end--;
    size_t k = end - i < cap - 1 ? end - i : cap - 1;
    memcpy(out, data + i, k);
    out[k] = '\0';
    return true;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    lam_next *h = arg;
    size_t len = size * n;
    char num[32];
    if (header_value(data, len, "Lambda-Runtime-Aws-Request-Id", h->request_id,
                     sizeof h->request_id) ||
        header_value(data, len, "Lambda-Runtime-Trace-Id", h->trace_id, sizeof h->trace_id))
        return len;
    if (header_value(data, len, "Lambda-Runtime-Deadline-Ms", num, sizeof num)) {
        char *end;
        errno = 0;
        long long v = strtoll(num, &end, 10);
        h->deadline_ms = (*end || errno || v <= 0) ? 0 : v;
    }
    return len;
}

/* Sends one request; [body] 0 for GET. Returns the HTTP status, or 0 with
 * the reason on stderr when there was no reply. */
static long lam_request(lam *L, const char *path, const char *body, const char *error_type,
                        lam_buf *reply, lam_next *next)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", L->base, path);
    CURL *c = L->curl;
    L->cu->easy_reset(c);
    L->cu->easy_setopt(c, CURLOPT_URL, url);
    L->cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    L->cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    /* `next` blocks until Lambda has an event: no timeout on it. A post
     * gets a generous bound so that a broken API cannot hang the process. */
    L->cu->easy_setopt(c, CURLOPT_TIMEOUT, body ? 30L : 0L);
    L->cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    L->cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    lam_buf sink = {0};
    L->cu->easy_setopt(c, CURLOPT_WRITEDATA, reply ? reply : &sink);
    if (next) {
        L->cu->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        L->cu->easy_setopt(c, CURLOPT_HEADERDATA, next);
    }
    struct curl_slist *hdrs = NULL, *h;
    char type_hdr[300];
    if (body) {
        L->cu->easy_setopt(c, CURLOPT_POSTFIELDS, body);
        L->cu->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        hdrs = L->cu->slist_append(hdrs, "Content-Type: application/json");
        if (error_type && hdrs) {
            /* An error name comes from the definition or a handler: no byte
             * of it may end the header line. */
            snprintf(type_hdr, sizeof type_hdr, "Lambda-Runtime-Function-Error-Type: %s",
                     error_type);
            for (char *p = type_hdr; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7F)
                    *p = '?';
            h = L->cu->slist_append(hdrs, type_hdr);
            hdrs = h ? h : hdrs;
        }
        L->cu->easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    }
    CURLcode rc = L->cu->easy_perform(c);
    long status = 0;
    if (rc == CURLE_OK)
        L->cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else if (reply && reply->too_big)
        fprintf(stderr, "%s: lambda: %s: the reply is larger than %u bytes\n", L->prog, url,
                LAMBDA_MAX_EVENT);
    else
        fprintf(stderr, "%s: lambda: %s: %s\n", L->prog, url, L->cu->easy_strerror(rc));
    L->cu->slist_free_all(hdrs);
    free(sink.p);
    return status;
}

/* Posts {"errorType":..,"errorMessage":..} to [path]. */
static void post_error(lam *L, const char *path, const char *type, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    char *body = NULL;
    if (o && cJSON_AddStringToObject(o, "errorType", type ? type : "States.Runtime") &&
        cJSON_AddStringToObject(o, "errorMessage", message ? message : ""))
        body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    long st = lam_request(L, path, body ? body : "{\"errorType\":\"States.Runtime\"}",
                          type ? type : "States.Runtime", NULL, NULL);
    if (st && st != 202)
        fprintf(stderr, "%s: lambda: POST %s answered HTTP %ld\n", L->prog, path, st);
    cJSON_free(body);
}

/* Request ids are UUIDs; anything else is not used as an execution name
 * (a generated UUID is), so that no id can make $$.Execution.Id odd. */
static bool usable_name(const char *s)
{
    if (!*s || strlen(s) > 80)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

/* Runs one invocation whose event is [ev] and posts its outcome. */
static void invoke(lam *L, rt_options *opt, rt_tasks *tasks, const asl_machine *m,
                   const lam_next *h, lam_buf *ev)
{
    char path[256];
    snprintf(path, sizeof path, "/invocation/%s/error", h->request_id);
    char err[256] = "";
    cJSON *input = rt_json_parse(ev->p ? ev->p : "", ev->n, err, sizeof err);
    if (!input) {
        char msg[400];
        snprintf(msg, sizeof msg, "The invocation event is not valid JSON: %s",
                 err[0] ? err : "parse error");
        post_error(L, path, "States.Runtime", msg);
        return;
    }
    if (h->trace_id[0])
        setenv("_X_AMZN_TRACE_ID", h->trace_id, 1);
    else
        unsetenv("_X_AMZN_TRACE_ID");
    opt->execution_name = usable_name(h->request_id) ? h->request_id : NULL;
    opt->deadline_ns = 0;
    if (h->deadline_ms > 0) {
        long long ns = h->deadline_ms * 1000000LL - LAMBDA_MARGIN_NS;
        opt->deadline_ns = ns > 0 ? ns : 1;
    }

    rt_run run = {.opt = opt, .tasks = tasks};
    asl_exec x = {.run = &run};
    cJSON *output = NULL;
    rt_status st = rt_run_machine(&x, m, input, &output);
    if (st == RT_SUCCEEDED) {
        char *out = rt_json_print(output);
        if (out) {
            snprintf(path, sizeof path, "/invocation/%s/response", h->request_id);
            long code = lam_request(L, path, out, NULL, NULL, NULL);
            if (code && code != 202)
                fprintf(stderr, "%s: lambda: POST %s answered HTTP %ld\n", L->prog, path, code);
            free(out);
        } else {
            post_error(L, path, "States.Runtime", "Out of memory printing the output.");
        }
    } else {
        /* An abort has no ASL error of its own; Lambda still needs one. */
        post_error(L, path, x.error ? x.error : "States.Runtime",
                   x.cause ? x.cause : (st == RT_ABORTED ? "The execution was aborted." : ""));
    }
    cJSON_Delete(output);
    rt_exec_dispose(&x);
}

int rt_lambda_main(const char *prog, const char *api, rt_options *opt, const asl_machine *m,
                   const char *history_file)
{
    lam L = {.prog = prog};
    if (!api || !*api || strlen(api) > 400 || strpbrk(api, "/ \t\r\n")) {
        fprintf(stderr, "%s: AWS_LAMBDA_RUNTIME_API must be HOST:PORT (got '%s')\n", prog,
                api ? api : "");
        return ASL_EXIT_USAGE;
    }
    snprintf(L.base, sizeof L.base, "http://%s/2018-06-01/runtime", api);
    if (!(L.cu = rt_curl())) {
        fprintf(stderr, "%s: lambda: %s\n", prog, rt_dynlib_error());
        return ASL_EXIT_USAGE;
    }
    if (L.cu->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(L.curl = L.cu->easy_init())) {
        fprintf(stderr, "%s: lambda: cannot initialise libcurl\n", prog);
        return ASL_EXIT_USAGE;
    }

    char *terr = NULL;
    rt_tasks *tasks = rt_tasks_open(opt, m, &terr);
    if (!tasks || (history_file && !(opt->history = fopen(history_file, "w")))) {
        char msg[600];
        if (!tasks)
            snprintf(msg, sizeof msg, "%s", terr ? terr : "out of memory");
        else
            snprintf(msg, sizeof msg, "cannot write history file '%s': %s", history_file,
                     strerror(errno));
        fprintf(stderr, "%s: %s\n", prog, msg);
        post_error(&L, "/init/error", "States.Runtime", msg);
        free(terr);
        rt_tasks_close(tasks);
        L.cu->easy_cleanup(L.curl);
        return ASL_EXIT_USAGE;
    }

    int code = ASL_EXIT_FAILED;
    for (;;) {
        lam_next h = {0};
        lam_buf ev = {0};
        long st = lam_request(&L, "/invocation/next", NULL, NULL, &ev, &h);
        if (st != 200) {
            if (st)
                fprintf(stderr, "%s: lambda: invocation/next answered HTTP %ld; stopping\n",
                        prog, st);
            free(ev.p);
            break;
        }
        if (!h.request_id[0] || strpbrk(h.request_id, "/?#% ")) {
            /* Without a usable id there is nowhere to post the outcome. */
            fprintf(stderr, "%s: lambda: an event without a usable Lambda-Runtime-Aws-Request-Id\n",
                    prog);
            free(ev.p);
            continue;
        }
        invoke(&L, opt, tasks, m, &h, &ev);
        free(ev.p);
        if (opt->history)
            fflush(opt->history);
    }
    if (opt->history)
        fclose(opt->history);
    opt->history = NULL;
    rt_tasks_close(tasks);
    L.cu->easy_cleanup(L.curl);
    return code;
}
