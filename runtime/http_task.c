/*
 * http_task.c - the HTTP Task, arn:aws:states:::http:invoke, when no
 * binding or mock covers it: aslc calls the API itself, the way the
 * Developer Guide's "Call HTTPS APIs" page says Step Functions does.
 *
 * The effective Parameters / Arguments hold ApiEndpoint, Method, the
 * connection (Authentication.ConnectionArn or InvocationConfig.ConnectionArn),
 * Headers, QueryParameters, RequestBody and Transform. The connection is
 * the bindings file's "connections" entry for that ARN (bindings.c, in
 * EventBridge's CreateConnection shape); none is
 * Events.ConnectionResource.ResourceNotFound. Its InvocationHttpParameters
 * are merged in, the connection's value winning on a clash, then its
 * authorization: BASIC and OAUTH_CLIENT_CREDENTIALS (a client-credentials
 * token fetched from AuthorizationEndpoint) as an Authorization header,
 * API_KEY as the named header. Step Functions' own headers go last:
 * User-Agent Amazon|StepFunctions|HttpInvoke|REGION, Range bytes=0-262144,
 * and for a body without a Content-Type "application/json; charset=UTF-8".
 * The request times out after 60 seconds (or the Task's TimeoutSeconds,
 * whichever is sooner) and follows no redirects. GET and HEAD carry no body.
 *
 * Refused with States.Runtime before anything is sent, as AWS does: a
 * header on AWS's list of unsupported ones (Authorization, Host, x-amz-*,
 * ...), a string RequestBody beside connection body parameters, fields of
 * the wrong type. A reply whose Content-Type is application/octet-stream,
 * an image, video or audio type, or whose body is not valid UTF-8, fails the
 * same way.
 *
 * The result: {"Headers": {lower-case name: [values]}, "ResponseBody": the
 * body (parsed when the reply says it is JSON, else text), "StatusCode",
 * "StatusText"}. A status outside 2xx fails the Task with
 * States.Http.StatusCode.NNN, the cause that result as JSON text; a
 * transport failure with States.Http.Socket.
 *
 * For TestState's TRACE (rt_options.http_trace) the call is also described
 * as AWS's InspectionDataRequest / InspectionDataResponse: every field a
 * string, the request's headers as "[Name: value, ...]" without the
 * Content-Type. What the connection adds is left out unless revealSecrets
 * asked for it: its authorization always, its parameters when
 * IsValueSecret.
 *
 * Owns everything it builds; the result goes to the caller. Called by
 * task.c.
 *
 * Layer: effects
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws.h"
#include "dispatch.h"
#include "http_rules.h"
#include "rt.h"

/* "HTTP task requests will timeout after 60 seconds." */
enum { HTTP_TASK_TIMEOUT_S = 60 };

#define UNSUPPORTED "States.Runtime"

/* ==== Name / value lists ==================================================== */

typedef struct nv {
    char *name, *value;
    bool secret;     /* from the connection: shown only with revealSecrets */
} nv;

typedef struct nvlist {
    nv *v;
    int n, cap;
    bool nocase;     /* header names compare case-insensitively */
    bool oom;
} nvlist;

/* Sets [name] to [value]: an existing entry of that name is replaced where
 * it stands (the connection wins a clash), otherwise one is appended. With
 * [repeat] an existing name is not replaced (a repeated query key). */
static void nv_put(nvlist *l, const char *name, const char *value, bool secret, bool repeat)
{
    for (int i = 0; !repeat && i < l->n; i++)
        if (l->nocase ? strcasecmp(l->v[i].name, name) == 0 : strcmp(l->v[i].name, name) == 0) {
            char *v = rt_fmt("%s", value);
            if (!v) {
                l->oom = true;
                return;
            }
            free(l->v[i].value);
            l->v[i].value = v;
            l->v[i].secret = secret;
            return;
        }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        nv *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) {
            l->oom = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    nv *e = &l->v[l->n];
    e->name = rt_fmt("%s", name);
    e->value = rt_fmt("%s", value);
    e->secret = secret;
    if (!e->name || !e->value) {
        free(e->name);
        free(e->value);
        l->oom = true;
        return;
    }
    l->n++;
}

static const nv *nv_get(const nvlist *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcasecmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

static void nv_free(nvlist *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].value);
    }
    free(l->v);
}

/* ==== Encoding ============================================================== */

/* [s] percent-encoded: everything but RFC 3986's unreserved characters
 * (SigV4's encoding, aws_xml.c, is that one). */
static void put_escaped(rt_sbuf *b, const char *s)
{
    char *e = rt_aws_uri_encode(s, false);
    if (e)
        rt_sb_str(b, e);
    else
        b->oom = true;
    free(e);
}

/* [s] as it is, but what may not stand in a URL (blanks, controls,
 * non-ASCII bytes, " < > \ ^ ` { | } and the characters of [also])
 * percent-encoded, as a browser sends a typed URL. */
static void put_url_text(rt_sbuf *b, const char *s, const char *also)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"<>\\^`{|}", *p) || strchr(also, *p)) {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rt_sb_put(b, e, 3);
        } else {
            rt_sb_put(b, (const char *)p, 1);
        }
    }
}

/* A scalar's text in a query or form: a string as it is, a number or a
 * boolean as JSON writes it, null as nothing. Malloc'd. */
static char *scalar_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return rt_fmt("%s", v->valuestring);
    if (cJSON_IsNull(v))
        return rt_fmt("%s", "");
    return rt_json_print(v);
}

typedef enum { ARR_INDICES, ARR_REPEAT, ARR_COMMAS, ARR_BRACKETS } array_format;

/* One form field [key]=[v] (v made text), '&'-separated. */
static void form_pair(rt_sbuf *b, const char *key, const char *text)
{
    if (b->n)
        rt_sb_put(b, "&", 1);
    put_escaped(b, key);
    rt_sb_put(b, "=", 1);
    put_escaped(b, text);
}

/* [v] under [key] as form fields: objects as key[member], arrays as the
 * ArrayFormat says (AWS's examples: INDICES array[0]=a, REPEAT array=a,
 * COMMAS array=a,b, BRACKETS array[]=a). */
static void form_value(rt_sbuf *b, const char *key, const cJSON *v, array_format af)
{
    if (cJSON_IsObject(v)) {
        for (const cJSON *c = v->child; c; c = c->next) {
            char *k = key ? rt_fmt("%s[%s]", key, c->string) : rt_fmt("%s", c->string);
            if (!k) {
                b->oom = true;
                return;
            }
            form_value(b, k, c, af);
            free(k);
        }
    } else if (cJSON_IsArray(v) && af == ARR_COMMAS) {
        rt_sbuf joined = {0};
        for (const cJSON *c = v->child; c; c = c->next) {
            char *t = cJSON_IsObject(c) || cJSON_IsArray(c) ? rt_json_print(c) : scalar_text(c);
            if (c != v->child)
                rt_sb_put(&joined, ",", 1);
            rt_sb_str(&joined, t ? t : "");
            free(t);
        }
        form_pair(b, key, joined.p ? joined.p : "");
        b->oom |= joined.oom;
        free(joined.p);
    } else if (cJSON_IsArray(v)) {
        int i = 0;
        for (const cJSON *c = v->child; c; c = c->next, i++) {
            char *k = af == ARR_INDICES    ? rt_fmt("%s[%d]", key, i)
                      : af == ARR_BRACKETS ? rt_fmt("%s[]", key)
                                           : rt_fmt("%s", key);
            if (!k) {
                b->oom = true;
                return;
            }
            form_value(b, k, c, af);
            free(k);
        }
    } else {
        char *t = scalar_text(v);
        if (!t) {
            b->oom = true;
            return;
        }
        form_pair(b, key, t);
        free(t);
    }
}

/* "Basic " and base64 of "[user]:[password]", malloc'd; 0 when out of memory. */
static char *basic_authorization(const char *user, const char *password)
{
    char *up = rt_fmt("%s:%s", user, password);
    char *enc = up ? malloc(4 * ((strlen(up) + 2) / 3) + 1) : NULL;
    if (enc)
        rt_base64_encode(enc, (const unsigned char *)up, strlen(up));
    char *h = enc ? rt_fmt("Basic %s", enc) : NULL;
    free(up);
    free(enc);
    return h;
}

/* Appends [q]'s pairs to the URL in [b], percent-encoded, after '?' the
 * first time (*first) and '&' after that; secret ones only with [all]. */
static void put_query(rt_sbuf *b, const nvlist *q, bool all, bool *first)
{
    for (int i = 0; i < q->n; i++) {
        if (q->v[i].secret && !all)
            continue;
        rt_sb_str(b, *first ? "?" : "&");
        *first = false;
        put_escaped(b, q->v[i].name);
        rt_sb_put(b, "=", 1);
        put_escaped(b, q->v[i].value);
    }
}

/* ==== The request =========================================================== */

typedef struct call {
    asl_exec *x;
    const rt_limits *lim;
    const char *endpoint, *method;
    const char *conn_arn;
    const cJSON *headers, *query, *body, *transform;
    const rt_connection *conn;
    nvlist hdr;               /* what is sent, in order */
    nvlist qry;
    cJSON *json_body;         /* the merged body (an object or the given value) */
    bool form;                /* Transform URL_ENCODED */
    array_format af;
    char *body_text;
    const char *content_type; /* 0: the Headers hold it (or there is no body) */
    char *url;
    char *error, *cause;      /* the Task's failure, malloc'd */
    rt_end end;               /* a stop instead of an answer */
} call;

static bool fail(call *c, const char *error, char *cause)
{
    if (!c->error) {
        c->error = rt_fmt("%s", error);
        c->cause = cause;
    } else {
        free(cause);
    }
    return false;
}

static const char *field_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A header name is an RFC 9110 token; a value has no line break. */
static bool header_ok(const char *name, const char *value)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("!#$%&'*+-.^_`|~", *p)))
            return false;
    return !strpbrk(value, "\r\n");
}

/* Reads the effective Parameters / Arguments. */
static bool read_params(call *c, const cJSON *p)
{
    static const char *const known[] = {"ApiEndpoint", "Method", "Authentication",
                                        "InvocationConfig", "Headers", "QueryParameters",
                                        "RequestBody", "Transform", NULL};
    if (!cJSON_IsObject(p))
        return fail(c, UNSUPPORTED, rt_fmt("The HTTP Task's parameters must be an object."));
    for (const cJSON *f = p->child; f; f = f->next) {
        const char *const *k = known;
        while (*k && strcmp(*k, f->string) != 0)
            k++;
        if (!*k)
            return fail(c, UNSUPPORTED,
                        rt_fmt("The field '%s' is not supported by the HTTP Task: it takes "
                               "ApiEndpoint, Method, Authentication or InvocationConfig, Headers, "
                               "QueryParameters, RequestBody and Transform.",
                               f->string));
    }
    c->endpoint = field_str(p, "ApiEndpoint");
    if (!c->endpoint || rt_http_endpoint_kind(c->endpoint) == RT_HTTP_URL_OTHER)
        return fail(c, UNSUPPORTED,
                    rt_fmt("The HTTP Task's ApiEndpoint must be an https:// URL (http:// only to "
                           "localhost, 127.0.0.1 or [::1]), found %s.",
                           c->endpoint ? c->endpoint : "no string"));
    c->method = field_str(p, "Method");
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
                                          "HEAD", NULL};
    const char *const *m = methods;
    while (c->method && *m && strcmp(*m, c->method) != 0)
        m++;
    if (!c->method || !*m)
        return fail(c, UNSUPPORTED,
                    rt_fmt("The HTTP Task's Method must be GET, POST, PUT, DELETE, PATCH, OPTIONS "
                           "or HEAD, found %s.",
                           c->method ? c->method : "no string"));
    const cJSON *auth = cJSON_GetObjectItemCaseSensitive(p, "InvocationConfig");
    if (!auth)
        auth = cJSON_GetObjectItemCaseSensitive(p, "Authentication");
    c->conn_arn = field_str(auth, "ConnectionArn");
    if (!c->conn_arn)
        return fail(c, UNSUPPORTED,
                    rt_fmt("The HTTP Task needs Authentication (or InvocationConfig) with a "
                           "ConnectionArn string."));
    c->headers = cJSON_GetObjectItemCaseSensitive(p, "Headers");
    c->query = cJSON_GetObjectItemCaseSensitive(p, "QueryParameters");
    c->body = cJSON_GetObjectItemCaseSensitive(p, "RequestBody");
    c->transform = cJSON_GetObjectItemCaseSensitive(p, "Transform");
    if (c->headers && !cJSON_IsObject(c->headers))
        return fail(c, UNSUPPORTED,
                    rt_fmt("The HTTP Task's Headers must be an object of header names and values."));
    if (c->query && !cJSON_IsObject(c->query) && !cJSON_IsString(c->query))
        return fail(c, UNSUPPORTED,
                    rt_fmt("The HTTP Task's QueryParameters must be an object of names and values, "
                           "or a query string."));
    if (c->transform && !cJSON_IsObject(c->transform))
        return fail(c, UNSUPPORTED, rt_fmt("The HTTP Task's Transform must be an object."));
    return true;
}

/* The definition's Headers, refused when AWS refuses them. */
static bool task_headers(call *c)
{
    rt_sbuf bad = {0};
    for (const cJSON *h = c->headers ? c->headers->child : NULL; h; h = h->next) {
        char *v = cJSON_IsObject(h) || cJSON_IsArray(h) ? NULL : scalar_text(h);
        if (!v || !header_ok(h->string, v)) {
            free(v);
            free(bad.p);
            return fail(c, UNSUPPORTED,
                        rt_fmt("The 'Headers' field has an invalid header: '%s' (a name is a token "
                               "such as Content-Type, a value a string without line breaks).",
                               h->string));
        }
        if (rt_http_header_unsupported(h->string, strlen(h->string))) {
            if (bad.n)
                rt_sb_str(&bad, ", ");
            for (const char *p = h->string; *p; p++)
                rt_sb_fmt(&bad, "%c", tolower((unsigned char)*p));
        } else if (strcasecmp(h->string, "User-Agent") != 0 && strcasecmp(h->string, "Range") != 0 &&
                   strcasecmp(h->string, "Content-Length") != 0) {
            /* Step Functions sets User-Agent and Range itself; curl counts the body */
            nv_put(&c->hdr, h->string, v, false, false);
        }
        free(v);
    }
    if (bad.n) {
        char *cause = rt_fmt("The 'Headers' field contains unsupported values: [%s]", bad.p);
        free(bad.p);
        return fail(c, UNSUPPORTED, cause);
    }
    free(bad.p);
    return true;
}

/* The definition's QueryParameters: scalars, or arrays of them (a key
 * repeated). A string is a ready query string, appended as it is. */
static bool task_query(call *c, rt_sbuf *raw)
{
    if (cJSON_IsString(c->query)) {
        const char *q = c->query->valuestring;
        put_url_text(raw, *q == '?' ? q + 1 : q, "#");
        return true;
    }
    for (const cJSON *q = c->query ? c->query->child : NULL; q; q = q->next) {
        const cJSON *one = cJSON_IsArray(q) ? q->child : q;
        for (; one; one = cJSON_IsArray(q) ? one->next : NULL) {
            if (cJSON_IsObject(one) || cJSON_IsArray(one))
                return fail(c, UNSUPPORTED,
                            rt_fmt("The HTTP Task's QueryParameters value '%s' must be a string, "
                                   "number, boolean or an array of them.",
                                   q->string));
            char *v = scalar_text(one);
            if (!v)
                return fail(c, "States.Runtime", rt_fmt("Out of memory."));
            nv_put(&c->qry, q->string, v, false, cJSON_IsArray(q));
            free(v);
        }
    }
    return true;
}

/* Adds a connection's {Key, Value, IsValueSecret} list through [put]. */
static void conn_params(const cJSON *list, nvlist *into)
{
    for (const cJSON *e = list ? list->child : NULL; e; e = e->next)
        nv_put(into, field_str(e, "Key"), field_str(e, "Value"),
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "IsValueSecret")), false);
}

static bool oauth_token(call *c, const cJSON *op, char **token);

/* The connection: its parameters merged in, then its authorization. */
static bool apply_connection(call *c, nvlist *body_params)
{
    const cJSON *spec = c->conn->spec;
    const cJSON *ap = cJSON_GetObjectItemCaseSensitive(spec, "AuthParameters");
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(ap, "InvocationHttpParameters");
    conn_params(cJSON_GetObjectItemCaseSensitive(inv, "HeaderParameters"), &c->hdr);
    conn_params(cJSON_GetObjectItemCaseSensitive(inv, "QueryStringParameters"), &c->qry);
    conn_params(cJSON_GetObjectItemCaseSensitive(inv, "BodyParameters"), body_params);
    const char *type = field_str(spec, "AuthorizationType");
    if (strcmp(type, "BASIC") == 0) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(ap, "BasicAuthParameters");
        char *h = basic_authorization(field_str(b, "Username"), field_str(b, "Password"));
        if (h)
            nv_put(&c->hdr, "Authorization", h, true, false);
        else
            c->hdr.oom = true;
        free(h);
    } else if (strcmp(type, "API_KEY") == 0) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(ap, "ApiKeyAuthParameters");
        nv_put(&c->hdr, field_str(k, "ApiKeyName"), field_str(k, "ApiKeyValue"), true, false);
    } else {
        char *token = NULL;
        if (!oauth_token(c, cJSON_GetObjectItemCaseSensitive(ap, "OAuthParameters"), &token))
            return false;
        char *h = rt_fmt("Bearer %s", token);
        if (h)
            nv_put(&c->hdr, "Authorization", h, true, false);
        free(h);
        free(token);
    }
    return true;
}

/* [b] as the request's body: a form with Transform URL_ENCODED, else
 * JSON. Malloc'd; 0 when out of memory. */
static char *body_text_of(const call *c, const cJSON *b)
{
    if (!c->form)
        return rt_json_print(b);
    rt_sbuf t = {0};
    form_value(&t, NULL, b, c->af);
    if (t.oom) {
        free(t.p);
        return NULL;
    }
    return t.p ? t.p : rt_fmt("%s", "");
}

/* The body: RequestBody with the connection's body parameters merged in,
 * serialised as JSON or, with Transform URL_ENCODED, as a form. */
static bool build_body(call *c, const nvlist *params)
{
    bool has_body = strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0;
    if (!has_body || (!c->body && params->n == 0))
        return true;
    if (cJSON_IsString(c->body) && params->n > 0)
        return fail(c, UNSUPPORTED,
                    rt_fmt("The HTTP Task's RequestBody is a string, so the connection's body "
                           "parameters cannot be merged into it."));
    if (params->n > 0 && c->body && !cJSON_IsObject(c->body))
        return fail(c, UNSUPPORTED,
                    rt_fmt("The HTTP Task's RequestBody must be an object to take the connection's "
                           "body parameters."));
    c->json_body = c->body ? cJSON_Duplicate(c->body, 1) : cJSON_CreateObject();
    for (int i = 0; c->json_body && i < params->n; i++) {
        cJSON *v = cJSON_CreateString(params->v[i].value);
        if (!v || (cJSON_GetObjectItemCaseSensitive(c->json_body, params->v[i].name)
                       ? !cJSON_ReplaceItemInObjectCaseSensitive(c->json_body, params->v[i].name, v)
                       : !cJSON_AddItemToObject(c->json_body, params->v[i].name, v))) {
            cJSON_Delete(v);
            return fail(c, "States.Runtime", rt_fmt("Out of memory."));
        }
    }
    if (!c->json_body)
        return fail(c, "States.Runtime", rt_fmt("Out of memory."));
    const char *enc = field_str(c->transform, "RequestBodyEncoding");
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(c->transform, "RequestEncodingOptions");
    const char *af = field_str(opts, "ArrayFormat");
    if (enc && strcmp(enc, "NONE") != 0 && strcmp(enc, "URL_ENCODED") != 0)
        return fail(c, UNSUPPORTED,
                    rt_fmt("Transform.RequestBodyEncoding must be NONE or URL_ENCODED, found '%s'.",
                           enc));
    static const char *const formats[] = {"INDICES", "REPEAT", "COMMAS", "BRACKETS", NULL};
    int fmt = 0;
    while (af && formats[fmt] && strcmp(formats[fmt], af) != 0)
        fmt++;
    if (af && !formats[fmt])
        return fail(c, UNSUPPORTED,
                    rt_fmt("Transform.RequestEncodingOptions.ArrayFormat must be INDICES, REPEAT, "
                           "COMMAS or BRACKETS, found '%s'.",
                           af));
    c->form = enc && strcmp(enc, "URL_ENCODED") == 0;
    c->af = af ? (array_format)fmt : ARR_INDICES;
    if (c->form && !cJSON_IsObject(c->json_body))
        return fail(c, UNSUPPORTED,
                    rt_fmt("Transform URL_ENCODED needs the RequestBody to be an object."));
    c->content_type = c->form ? "application/x-www-form-urlencoded" : "application/json; charset=UTF-8";
    c->body_text = body_text_of(c, c->json_body);
    if (!c->body_text)
        return fail(c, "States.Runtime", rt_fmt("Out of memory."));
    if (nv_get(&c->hdr, "Content-Type"))
        c->content_type = NULL; /* the Task's or the connection's */
    return true;
}

/* ApiEndpoint with the query appended; with [all] false the connection's
 * secret parameters are left out (the TRACE view). */
static char *build_url(const call *c, const char *raw, bool all)
{
    rt_sbuf b = {0};
    put_url_text(&b, c->endpoint, "");
    bool first = !strchr(c->endpoint, '?');
    if (raw && *raw) {
        rt_sb_str(&b, first ? "?" : "&");
        rt_sb_str(&b, raw);
        first = false;
    }
    put_query(&b, &c->qry, all, &first);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* "Amazon|StepFunctions|HttpInvoke|REGION", the region from the execution's ARN. */
static char *user_agent(const asl_exec *x)
{
    const char *arn = x->run ? rt_root_run(x->run)->execution_arn : NULL;
    const char *p = arn && strncmp(arn, "arn:", 4) == 0 ? arn : NULL;
    for (int i = 0; p && i < 3; i++)
        p = (p = strchr(p, ':')) ? p + 1 : NULL;
    const char *e = p ? strchr(p, ':') : NULL;
    return e && e > p ? rt_fmt("Amazon|StepFunctions|HttpInvoke|%.*s", (int)(e - p), p)
                      : rt_fmt("Amazon|StepFunctions|HttpInvoke|us-east-1");
}

/* ==== The reply ============================================================= */

/* The reason phrase of the last status line in [headers], or a standard
 * one when the reply had none (HTTP/2). */
static char *status_text(const char *headers, long status)
{
    const char *line = NULL;
    for (const char *p = headers; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, "HTTP/", 5) == 0)
            line = p;
    const char *sp = line ? strchr(line, ' ') : NULL;
    sp = sp ? strchr(sp + 1, ' ') : NULL;
    if (sp) {
        size_t n = strcspn(sp + 1, "\r\n");
        if (n > 0)
            return rt_fmt("%.*s", (int)n, sp + 1);
    }
    static const struct { long code; const char *text; } known[] = {
        {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
        {301, "Moved Permanently"}, {302, "Found"}, {304, "Not Modified"},
        {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
        {405, "Method Not Allowed"}, {409, "Conflict"}, {422, "Unprocessable Entity"},
        {429, "Too Many Requests"}, {500, "Internal Server Error"}, {502, "Bad Gateway"},
        {503, "Service Unavailable"}, {504, "Gateway Timeout"}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (known[i].code == status)
            return rt_fmt("%s", known[i].text);
    return rt_fmt("%s", "");
}

/* Calls [f](name, value) for each header line of the last block in
 * [headers] (after its status line). */
static void each_header(const char *headers, void (*f)(void *, const char *, size_t, const char *, size_t),
                        void *arg)
{
    const char *start = headers;
    for (const char *p = headers; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, "HTTP/", 5) == 0)
            start = p;
    for (const char *p = start; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t len = strcspn(p, "\r\n");
        const char *colon = memchr(p, ':', len);
        if (strncmp(p, "HTTP/", 5) == 0 || !colon || colon == p)
            continue;
        const char *v = colon + 1, *e = p + len;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        f(arg, p, (size_t)(colon - p), v, (size_t)(e - v));
    }
}

/* Headers as the result holds them: {lower-case name: [values]}. */
static void add_result_header(void *arg, const char *n, size_t nl, const char *v, size_t vl)
{
    cJSON *o = arg;
    char *name = rt_fmt("%.*s", (int)nl, n);
    char *value = rt_fmt("%.*s", (int)vl, v);
    if (name && value) {
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        char *ok = rt_utf8_valid_take(value);
        value = NULL;
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, name);
        if (!arr)
            arr = cJSON_AddArrayToObject(o, name);
        cJSON *s = ok ? cJSON_CreateString(ok) : NULL;
        if (!arr || !s || !cJSON_AddItemToArray(arr, s))
            cJSON_Delete(s);
        free(ok);
    }
    free(name);
    free(value);
}

/* Headers as TRACE shows them: "Name: value, " appended. */
static void add_trace_header(void *arg, const char *n, size_t nl, const char *v, size_t vl)
{
    rt_sbuf *b = arg;
    if (b->n > 1)
        rt_sb_str(b, ", ");
    rt_sb_put(b, n, nl);
    rt_sb_str(b, ": ");
    rt_sb_put(b, v, vl);
}

/* The reply's Content-Type, lower-cased, into ct[CT_MAX] ("" when none).
 * (No thread-local buffer: TinyCC cannot link them into an executable.) */
enum { CT_MAX = 128 };
static void take_content_type(void *arg, const char *n, size_t nl, const char *v, size_t vl)
{
    char *ct = arg;
    if (nl == 12 && strncasecmp(n, "content-type", 12) == 0) {
        size_t k = vl < CT_MAX ? vl : CT_MAX - 1;
        for (size_t i = 0; i < k; i++)
            ct[i] = (char)tolower((unsigned char)v[i]);
        ct[k] = '\0';
    }
}

static const char *content_type_of(const char *headers, char *ct)
{
    ct[0] = '\0';
    each_header(headers, take_content_type, ct);
    return ct;
}

static bool json_type(const char *ct)
{
    size_t n = strcspn(ct, ";");
    const char *plus = memchr(ct, '+', n);
    return (n == 16 && strncmp(ct, "application/json", 16) == 0) ||
           (plus && n - (size_t)(plus - ct) == 5 && strncmp(plus, "+json", 5) == 0);
}

static bool binary_type(const char *ct)
{
    return strncmp(ct, "application/octet-stream", 24) == 0 || strncmp(ct, "image/", 6) == 0 ||
           strncmp(ct, "video/", 6) == 0 || strncmp(ct, "audio/", 6) == 0;
}

/* ==== OAuth client credentials ============================================= */

/* A token from the connection's AuthorizationEndpoint: the client ID and
 * secret as Basic authorization, OAuthHttpParameters added (the body
 * parameters as a form, grant_type=client_credentials unless they give
 * one), "access_token" taken from the JSON reply. */
static bool oauth_token(call *c, const cJSON *op, char **token)
{
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(op, "ClientParameters");
    const cJSON *hp = cJSON_GetObjectItemCaseSensitive(op, "OAuthHttpParameters");
    const char *method = field_str(op, "HttpMethod");
    nvlist h = {.nocase = true}, q = {0}, body = {0};
    conn_params(cJSON_GetObjectItemCaseSensitive(hp, "HeaderParameters"), &h);
    conn_params(cJSON_GetObjectItemCaseSensitive(hp, "QueryStringParameters"), &q);
    conn_params(cJSON_GetObjectItemCaseSensitive(hp, "BodyParameters"), &body);
    if (!nv_get(&body, "grant_type"))
        nv_put(&body, "grant_type", "client_credentials", false, false);
    char *basic = basic_authorization(field_str(cp, "ClientID"), field_str(cp, "ClientSecret"));
    if (basic)
        nv_put(&h, "Authorization", basic, true, false);
    rt_sbuf url = {0}, form = {0};
    rt_sb_str(&url, field_str(op, "AuthorizationEndpoint"));
    bool first = !strchr(url.p ? url.p : "", '?');
    put_query(&url, &q, true, &first);
    for (int i = 0; i < body.n; i++)
        form_pair(&form, body.v[i].name, body.v[i].value);
    char **lines = calloc((size_t)h.n + 1, sizeof *lines);
    for (int i = 0; lines && i < h.n; i++)
        lines[i] = rt_fmt("%s: %s", h.v[i].name, h.v[i].value);
    bool ok = false;
    if (!lines || !basic || url.oom || form.oom || h.oom || q.oom || body.oom) {
        fail(c, "States.Runtime", rt_fmt("Out of memory."));
    } else {
        rt_http_req rq = {.method = method,
                          .url = url.p,
                          .content_type = "application/x-www-form-urlencoded",
                          .headers = lines,
                          .keep_headers = true};
        rt_http_result r;
        bool get = strcmp(method, "GET") == 0;
        rt_http_send(&rq, get ? NULL : form.p, get || !form.p ? 0 : form.n, c->lim, &r);
        char perr[128] = "";
        cJSON *reply = r.end == RT_END_DONE && r.status >= 200 && r.status < 300 && r.body
                           ? rt_json_parse(r.body, r.bodylen, perr, sizeof perr)
                           : NULL;
        const char *tok = field_str(reply, "access_token");
        if (r.end != RT_END_DONE && r.end != RT_END_FAILED) {
            c->end = r.end;
        } else if (!tok || !*tok || strpbrk(tok, "\r\n")) {
            fail(c, "Events.ConnectionResource.InvalidConnectionState",
                 r.end == RT_END_FAILED
                     ? rt_fmt("The connection's OAuth authorization endpoint %s could not be "
                              "reached: %s",
                              url.p, r.msg)
                     : rt_fmt("The connection's OAuth authorization endpoint %s answered %ld "
                              "without an access_token.",
                              url.p, r.status));
        } else {
            *token = rt_fmt("%s", tok);
            ok = *token != NULL;
        }
        cJSON_Delete(reply);
        free(r.body);
        free(r.headers);
    }
    for (int i = 0; lines && i < h.n; i++)
        free(lines[i]);
    free(lines);
    free(url.p);
    free(form.p);
    free(basic);
    nv_free(&h);
    nv_free(&q);
    nv_free(&body);
    return ok;
}

/* ==== The call ============================================================== */

static cJSON *str_item(cJSON *o, const char *key, const char *value)
{
    return cJSON_AddStringToObject(o, key, value ? value : "");
}

/* TRACE's request: what was sent, the connection's secrets left out
 * unless [reveal]. */
static cJSON *trace_request(const call *c, const char *raw_query, bool reveal)
{
    cJSON *o = cJSON_CreateObject();
    char *url = build_url(c, raw_query, reveal);
    rt_sbuf h = {0};
    rt_sb_str(&h, "[");
    for (int i = 0; i < c->hdr.n; i++) {
        const nv *e = &c->hdr.v[i];
        if ((e->secret && !reveal) || strcasecmp(e->name, "Content-Type") == 0)
            continue;
        if (h.n > 1)
            rt_sb_str(&h, ", ");
        rt_sb_str(&h, e->name);
        rt_sb_str(&h, ": ");
        rt_sb_str(&h, e->value);
    }
    rt_sb_str(&h, "]");
    /* the body without the connection's secret body parameters */
    char *body = NULL;
    const cJSON *ap = cJSON_GetObjectItemCaseSensitive(c->conn->spec, "AuthParameters");
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(ap, "InvocationHttpParameters");
    const cJSON *bp = cJSON_GetObjectItemCaseSensitive(inv, "BodyParameters");
    cJSON *shown = !reveal && bp && cJSON_IsObject(c->json_body) ? cJSON_Duplicate(c->json_body, 1)
                                                                 : NULL;
    for (const cJSON *e = bp ? bp->child : NULL; shown && e; e = e->next)
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "IsValueSecret")))
            cJSON_DeleteItemFromObjectCaseSensitive(shown, field_str(e, "Key"));
    body = shown ? body_text_of(c, shown) : rt_fmt("%s", c->body_text ? c->body_text : "");
    cJSON_Delete(shown);
    str_item(o, "protocol", strncmp(c->endpoint, "https:", 6) == 0 ? "https" : "http");
    str_item(o, "method", c->method);
    str_item(o, "url", url);
    str_item(o, "headers", h.p);
    str_item(o, "body", body);
    free(url);
    free(h.p);
    free(body);
    return o;
}

static cJSON *trace_response(const call *c, const rt_http_result *r, const char *text)
{
    cJSON *o = cJSON_CreateObject();
    char code[24];
    snprintf(code, sizeof code, "%ld", r->status);
    char *st = status_text(r->headers, r->status);
    rt_sbuf h = {0};
    rt_sb_str(&h, "[");
    each_header(r->headers, add_trace_header, &h);
    rt_sb_str(&h, "]");
    str_item(o, "protocol", strncmp(c->endpoint, "https:", 6) == 0 ? "https" : "http");
    str_item(o, "statusCode", code);
    str_item(o, "statusMessage", st);
    str_item(o, "headers", h.p);
    str_item(o, "body", text);
    free(st);
    free(h.p);
    return o;
}

void rt_http_task(asl_exec *x, const rt_bindings *bs, const cJSON *params, const rt_limits *lim,
                  rt_http_trace *trace, rt_http_task_out *out)
{
    memset(out, 0, sizeof *out);
    out->end = RT_END_DONE;
    /* the 60-second limit of every HTTP Task request */
    rt_limits l = *lim;
    int64_t cap = rt_mono_ns() + (int64_t)HTTP_TASK_TIMEOUT_S * 1000000000;
    bool capped = !l.timeout_at || l.timeout_at > cap;
    if (capped)
        l.timeout_at = cap;
    call c = {.x = x, .lim = &l, .hdr = {.nocase = true}, .end = RT_END_DONE};
    nvlist body_params = {0};
    rt_sbuf raw_query = {0};
    char *agent = NULL;
    char **lines = NULL;
    rt_http_result r = {0};
    if (!read_params(&c, params) || !task_headers(&c) || !task_query(&c, &raw_query))
        goto out;
    if (!(c.conn = rt_connection_find(bs, c.conn_arn))) {
        fail(&c, "Events.ConnectionResource.ResourceNotFound",
             rt_fmt("No connection '%s': add it to the bindings file's \"connections\" (the "
                    "shape of EventBridge's CreateConnection; see README, \"HTTP Tasks\").",
                    c.conn_arn));
        goto out;
    }
    if (!apply_connection(&c, &body_params) || c.end != RT_END_DONE || !build_body(&c, &body_params))
        goto out;
    agent = user_agent(x);
    nv_put(&c.hdr, "User-Agent", agent ? agent : "", false, false);
    nv_put(&c.hdr, "Range", "bytes=0-262144", false, false);
    c.url = build_url(&c, raw_query.p, true);
    lines = calloc((size_t)c.hdr.n + 1, sizeof *lines);
    for (int i = 0; lines && i < c.hdr.n; i++)
        if (!(lines[i] = rt_fmt("%s: %s", c.hdr.v[i].name, c.hdr.v[i].value)))
            c.hdr.oom = true;
    if (!c.url || !lines || c.hdr.oom || c.qry.oom || body_params.oom || raw_query.oom) {
        fail(&c, "States.Runtime", rt_fmt("Out of memory."));
        goto out;
    }
    if (trace) {
        cJSON_Delete(trace->request);
        cJSON_Delete(trace->response);
        trace->response = NULL;
        trace->request = trace_request(&c, raw_query.p, trace->reveal);
    }
    rt_http_req q = {.method = c.method,
                     .url = c.url,
                     .content_type = c.content_type ? c.content_type : "",
                     .headers = lines,
                     .keep_headers = true};
    rt_http_send(&q, c.body_text, c.body_text ? strlen(c.body_text) : 0, &l, &r);
    if (r.end == RT_END_FAILED) {
        fail(&c, "States.Http.Socket", rt_fmt("%s", r.msg));
        goto out;
    }
    if (r.end == RT_END_TIMEOUT && capped) {
        fail(&c, "States.Http.Socket",
             rt_fmt("The HTTP request to %s timed out after %d seconds.", c.endpoint,
                    HTTP_TASK_TIMEOUT_S));
        goto out;
    }
    if (r.end != RT_END_DONE) {
        c.end = r.end == RT_END_TOO_BIG ? RT_END_DONE : r.end;
        if (r.end == RT_END_TOO_BIG)
            fail(&c, "States.DataLimitExceeded",
                 rt_fmt("The HTTP response of %s is larger than %d bytes.", c.endpoint,
                        RT_HANDLER_MAX_OUTPUT));
        goto out;
    }
    char ctbuf[CT_MAX];
    const char *ct = content_type_of(r.headers, ctbuf);
    char *text = r.body ? rt_utf8_valid(r.body, r.bodylen) : rt_fmt("%s", "");
    bool valid = text && (!r.body || (strlen(text) == r.bodylen && memcmp(text, r.body, r.bodylen) == 0));
    if (trace)
        trace->response = trace_response(&c, &r, text);
    if (binary_type(ct) || !valid) {
        free(text);
        fail(&c, UNSUPPORTED,
             rt_fmt("The HTTP response of %s cannot be read as text (%s).", c.endpoint,
                    binary_type(ct) ? ct : "it is not valid UTF-8"));
        goto out;
    }
    cJSON *res = cJSON_CreateObject();
    cJSON *hdrs = cJSON_AddObjectToObject(res, "Headers");
    if (hdrs)
        each_header(r.headers, add_result_header, hdrs);
    char perr[64] = "";
    cJSON *parsed = json_type(ct) && *text ? rt_json_parse(text, strlen(text), perr, sizeof perr)
                                           : NULL;
    cJSON *body = parsed ? parsed : cJSON_CreateString(text);
    free(text);
    char *st = status_text(r.headers, r.status);
    if (!res || !hdrs || !body || !cJSON_AddItemToObject(res, "ResponseBody", body) ||
        !cJSON_AddNumberToObject(res, "StatusCode", (double)r.status) || !st ||
        !cJSON_AddStringToObject(res, "StatusText", st)) {
        if (res && !cJSON_GetObjectItemCaseSensitive(res, "ResponseBody"))
            cJSON_Delete(body);
        cJSON_Delete(res);
        free(st);
        fail(&c, "States.Runtime", rt_fmt("Out of memory."));
        goto out;
    }
    free(st);
    if (r.status < 200 || r.status > 299) {
        char name[48];
        snprintf(name, sizeof name, "States.Http.StatusCode.%ld", r.status);
        fail(&c, name, rt_json_print(res));
        cJSON_Delete(res);
    } else {
        out->result = res;
    }
out:
    out->end = c.end;
    out->error = c.error;
    out->cause = c.cause;
    for (int i = 0; lines && i < c.hdr.n; i++)
        free(lines[i]);
    free(lines);
    free(r.body);
    free(r.headers);
    free(agent);
    free(raw_query.p);
    free(c.url);
    free(c.body_text);
    cJSON_Delete(c.json_body);
    nv_free(&c.hdr);
    nv_free(&c.qry);
    nv_free(&body_params);
}
