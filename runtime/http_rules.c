/*
 * http_rules.c - the HTTP Task's refused headers and accepted endpoints
 * (http_rules.h). Pure functions; called by http_task.c before a call and
 * by the compiler's check_limits.c on static parameters.
 *
 * Layer: values
 */
#include <string.h>
#include <strings.h>

#include "http_rules.h"

bool rt_http_header_unsupported(const char *name, size_t len)
{
    /* The Developer Guide's list of headers an HTTP Task may not send. */
    static const char *const names[] = {
        "A-IM", "Accept-Charset", "Accept-Datetime", "Accept-Encoding", "Authorization",
        "Cache-Control", "Connection", "Content-Encoding", "Content-MD5", "Date", "Expect",
        "Forwarded", "From", "Host", "HTTP2-Settings", "If-Match", "If-Modified-Since",
        "If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards", "Origin", "Pragma",
        "Proxy-Authorization", "Referer", "Server", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Via", "Warning", NULL};
    for (const char *const *n = names; *n; n++)
        if (strlen(*n) == len && strncasecmp(*n, name, len) == 0)
            return true;
    /* and the prefixes AWS keeps for itself and for proxies */
    static const char *const prefixes[] = {"x-forwarded-", "x-amz-", "x-amzn-", NULL};
    for (const char *const *p = prefixes; *p; p++)
        if (len >= strlen(*p) && strncasecmp(*p, name, strlen(*p)) == 0)
            return true;
    return false;
}

rt_http_url rt_http_endpoint_kind(const char *url)
{
    if (strncmp(url, "https://", 8) == 0)
        return url[8] != '\0' ? RT_HTTP_URL_HTTPS : RT_HTTP_URL_OTHER;
    if (strncmp(url, "http://", 7) != 0)
        return RT_HTTP_URL_OTHER;
    /* Plain http only to this machine: a local stand-in for the API. */
    const char *h = url + 7;
    static const char *const local[] = {"localhost", "127.0.0.1", "[::1]", NULL};
    for (const char *const *l = local; *l; l++) {
        size_t n = strlen(*l);
        if (strncmp(h, *l, n) == 0 && (h[n] == '\0' || strchr(":/?#", h[n])))
            return RT_HTTP_URL_LOCAL;
    }
    return RT_HTTP_URL_OTHER;
}
