/*
 * http.c - `http` Task handlers: POST the effective input to a URL with
 * libcurl and read the reply.
 *
 * The request is `POST <url>` with `Content-Type: application/json`, the
 * binding's extra headers and the input as the body; redirects are not
 * followed. The reply's status, body and whether it carried
 * X-Amz-Function-Error (how Lambda, and the Runtime Interface Emulator,
 * flag a function error inside a 200 reply) go back to task.c, which turns
 * them into a result or an ASL error. TimeoutSeconds, the execution's
 * deadline and (since an HTTP call cannot send heartbeats)
 * HeartbeatSeconds bound the whole request; an abort (SIGINT / SIGTERM)
 * stops it within a fraction of a second.
 *
 * Owns: one curl easy handle per call. libcurl is loaded on first use
 * (dynlib.c): rt_http_global_init loads it and runs curl_global_init once,
 * from rt_tasks_open on the main thread, before any Map or Parallel thread
 * exists, and only when the workflow has an http binding. Called by task.c.
 *
 * Layer: effects
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dispatch.h"
#include "dynlib.h"
#include "rt.h"

bool rt_http_global_init(void)
{
    static bool done;
    const rt_curl_api *cu = rt_curl();
    if (!done && cu)
        done = cu->global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return done;
}

typedef struct reply {
    rt_http_result *r;
    size_t cap;
    bool too_big;
    bool keep_headers;
    size_t hcap;
    const rt_limits *lim;
} reply;

/* Appends [len] bytes to the growing buffer *buf (NUL-terminated). */
static bool grow_append(char **buf, size_t *n, size_t *cap, const char *data, size_t len)
{
    if (*n + len + 1 > *cap) {
        size_t ncap = *cap ? *cap : 4096;
        while (ncap < *n + len + 1)
            ncap *= 2;
        char *b = realloc(*buf, ncap);
        if (!b)
            return false;
        *buf = b;
        *cap = ncap;
    }
    memcpy(*buf + *n, data, len);
    *n += len;
    (*buf)[*n] = '\0';
    return true;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    reply *rp = arg;
    rt_http_result *r = rp->r;
    size_t len = size * n;
    if (r->bodylen + len > (size_t)RT_HANDLER_MAX_OUTPUT) {
        rp->too_big = true;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    return grow_append(&r->body, &r->bodylen, &rp->cap, data, len) ? len : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    reply *rp = arg;
    size_t len = size * n;
    /* A redirect or 100-continue starts a new header block: keep the last. */
    if (rp->keep_headers && len > 5 && strncmp(data, "HTTP/", 5) == 0)
        rp->r->headerslen = 0;
    if (rp->keep_headers && rp->r->headerslen + len < 65536 &&
        !grow_append(&rp->r->headers, &rp->r->headerslen, &rp->hcap, data, len))
        return 0;
    static const char name[] = "x-amz-function-error:";
    if (len >= sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        /* An empty value does not flag an error. */
        for (size_t i = sizeof name - 1; i < len; i++)
            if (!isspace((unsigned char)data[i])) {
                rp->r->function_error = true;
                break;
            }
    }
    return len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    const reply *rp = arg;
    return rp->lim->x && rt_cancelled(rp->lim->x) ? 1 : 0;
}

void rt_http_post(const rt_binding *b, const char *body, size_t len, const rt_limits *lim,
                  rt_http_result *r)
{
    rt_http_req q = {.url = b->url, .headers = b->headers};
    rt_http_send(&q, body, len, lim, r);
}

void rt_http_send(const rt_http_req *q, const char *body, size_t len, const rt_limits *lim,
                  rt_http_result *r)
{
    memset(r, 0, sizeof *r);
    r->end = RT_END_FAILED;
    reply rp = {.r = r, .lim = lim, .keep_headers = q->keep_headers};
    const rt_curl_api *cu = rt_curl();
    if (!cu) {
        snprintf(r->msg, sizeof r->msg, "%s", rt_dynlib_error());
        return;
    }
    CURL *c = cu->easy_init();
    char ctype[160];
    snprintf(ctype, sizeof ctype, "Content-Type: %s",
             q->content_type ? q->content_type : "application/json");
    /* "" sends no Content-Type (the caller's headers may hold one); curl
     * needs a list to start from, and drops a header given as "Name:". */
    struct curl_slist *hdrs =
        cu->slist_append(NULL, q->content_type && !*q->content_type ? "Content-Type:" : ctype);
    for (char *const *h = q->headers; hdrs && h && *h; h++) {
        struct curl_slist *n = cu->slist_append(hdrs, *h);
        if (!n) {
            cu->slist_free_all(hdrs);
            hdrs = NULL;
        } else {
            hdrs = n;
        }
    }
    if (!c || !hdrs) {
        snprintf(r->msg, sizeof r->msg, "out of memory");
        goto out;
    }
    int64_t start = rt_mono_ns();
    /* Heartbeats cannot arrive over HTTP: HeartbeatSeconds bounds the call. */
    int64_t deadline = 0;
    rt_end which = RT_END_DONE;
    if (lim->timeout_at) {
        deadline = lim->timeout_at;
        which = RT_END_TIMEOUT;
    }
    if (lim->heartbeat_ns && (!deadline || start + lim->heartbeat_ns < deadline)) {
        deadline = start + lim->heartbeat_ns;
        which = RT_END_HEARTBEAT;
    }
    if (lim->run_deadline && (!deadline || lim->run_deadline <= deadline)) {
        deadline = lim->run_deadline;
        which = RT_END_RUN_TIMEOUT;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    cu->easy_setopt(c, CURLOPT_URL, q->url);
    if (q->method && strcmp(q->method, "GET") == 0) {
        cu->easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (q->method && strcmp(q->method, "HEAD") == 0) {
        cu->easy_setopt(c, CURLOPT_NOBODY, 1L); /* a HEAD reply has no body to wait for */
    } else {
        cu->easy_setopt(c, CURLOPT_POST, 1L);
        cu->easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        cu->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        if (q->method && strcmp(q->method, "POST") != 0)
            cu->easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    }
    if (q->sigv4) {
        cu->easy_setopt(c, CURLOPT_AWS_SIGV4, q->sigv4);
        cu->easy_setopt(c, CURLOPT_USERPWD, q->userpwd);
    }
    cu->easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    cu->easy_setopt(c, CURLOPT_WRITEDATA, &rp);
    cu->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    cu->easy_setopt(c, CURLOPT_HEADERDATA, &rp);
    cu->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    cu->easy_setopt(c, CURLOPT_XFERINFODATA, &rp);
    cu->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cu->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    cu->easy_setopt(c, CURLOPT_USERAGENT, "aslc-runtime");
    if (deadline) {
        int64_t ms = (deadline - start) / 1000000;
        cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, ms > 0 ? (long)ms : 1L);
    }
    CURLcode rc = cu->easy_perform(c);
    if (rc == CURLE_OK) {
        cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        r->end = RT_END_DONE;
    } else if (rp.too_big) {
        r->end = RT_END_TOO_BIG;
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        r->end = RT_END_ABORTED;
    } else if (rc == CURLE_OPERATION_TIMEDOUT && deadline) {
        r->end = which;
    } else {
        snprintf(r->msg, sizeof r->msg, "%s", errbuf[0] ? errbuf : cu->easy_strerror(rc));
    }
out:
    cu->slist_free_all(hdrs);
    if (c)
        cu->easy_cleanup(c);
}
