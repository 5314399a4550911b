/*
 * http_rules.h - what Step Functions' HTTP Task (arn:aws:states:::http:invoke)
 * refuses in its parameters, as the Developer Guide's "Call HTTPS APIs"
 * page lists it. Shared by the runtime (http_task.c refuses such a call
 * with States.Runtime) and by the compiler (`aslc check` reports static
 * values), so that both apply one list. Self-contained: no cJSON, no other
 * aslc header.
 *
 * Layer: values
 */
#ifndef ASLRT_HTTP_RULES_H
#define ASLRT_HTTP_RULES_H

#include <stdbool.h>
#include <stddef.h>

/* True when the header name [name] (its first [len] bytes) is one AWS
 * does not let an HTTP Task set; names compare case-insensitively. */
bool rt_http_header_unsupported(const char *name, size_t len);

typedef enum {
    RT_HTTP_URL_HTTPS, // https:// and something after it: what AWS calls
    RT_HTTP_URL_LOCAL, // http:// to localhost, 127.0.0.1 or [::1]: aslc only
    RT_HTTP_URL_OTHER, // anything else: refused
} rt_http_url;

/* What kind of ApiEndpoint [url] is. */
rt_http_url rt_http_endpoint_kind(const char *url);

#endif
