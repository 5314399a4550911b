/*
 * check_limits.c - what AWS enforces beyond the language itself, as its
 * quotas and service documentation give it, for both query languages:
 *
 *   - a definition of at most 1,048,576 characters (CreateStateMachine's
 *     length constraint on "definition", the 1 MB quota);
 *   - a Map's Label: at most 40 characters, none of those AWS forbids in
 *     names (white space, brackets, wildcards, the listed punctuation,
 *     control characters), since it becomes part of the Map Run's ARN;
 *   - a distributed Map's MaxConcurrency: AWS runs at most 10,000 child
 *     executions at once; a larger value is accepted (validators and AWS's
 *     samples use them) and acts as 10,000: a warning;
 *   - an HTTP Task (arn:aws:states:::http:invoke): its Parameters /
 *     Arguments hold only the fields it knows, and need ApiEndpoint (an
 *     https:// URL; plain http to this machine is a warning: aslc calls
 *     it, AWS could not), Method (one of the seven methods it supports)
 *     and one of Authentication / InvocationConfig with a ConnectionArn;
 *     static Headers are strings and none AWS refuses (runtime/http_rules.c
 *     holds the list the runtime applies too); Transform's two settings
 *     take the values AWS documents;
 *   - an EXPRESS workflow (u->express: `--type EXPRESS`, or the template's
 *     StateMachineType): no .sync or .waitForTaskToken integrations and no
 *     activities, which only Standard workflows support.
 *
 * One pass over every scope's states after the other rules
 * (check_machine.c); it tolerates malformed parts (reported elsewhere).
 */
#include <ctype.h>
#include <string.h>

#include "check_internal.h"
#include "http_rules.h"

enum { MAX_DEFINITION_CHARS = 1048576, MAX_LABEL_CHARS = 40, MAX_DIST_CONCURRENCY = 10000 };

static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* The definition as AWS would receive it: the file's own text for a JSON
 * file, else (YAML, a template's machine) the tree printed as JSON. */
static void definition_size(check_ctx *c, const cJSON *root)
{
    const unit *u = c->u;
    size_t n;
    if (!u->def_root && !u->yaml) {
        n = utf8_chars(u->text, u->len);
    } else {
        if (u->len / 2 < MAX_DEFINITION_CHARS)
            return; /* JSON text is never much longer than the YAML or template it came from */
        char *text = cJSON_PrintUnformatted(root);
        if (!text)
            return;
        n = utf8_chars(text, strlen(text));
        cJSON_free(text);
    }
    if (n > MAX_DEFINITION_CHARS)
        diag_val(c->u, DIAG_DEFINITION_TOO_LARGE, root,
                 "the definition is %zu characters long; AWS accepts at most %d (1 MB): \"Value at "
                 "'definition' failed to satisfy constraint: Member must have length less than or equal "
                 "to %d\"",
                 n, MAX_DEFINITION_CHARS, MAX_DEFINITION_CHARS);
}

static bool type_is(const cJSON *st, const char *t)
{
    const cJSON *v = check_get(st, "Type");
    return cJSON_IsString(v) && strcmp(v->valuestring, t) == 0;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

/* arn:PARTITION:states:REGION:ACCOUNT:activity:NAME */
static bool is_activity(const char *s)
{
    if (strncmp(s, "arn:", 4) != 0)
        return false;
    const char *p = s + 4;
    for (int field = 0; field < 4; field++) { /* partition, service, region, account */
        const char *colon = strchr(p, ':');
        if (!colon)
            return false;
        if (field == 1 && !(colon - p == 6 && strncmp(p, "states", 6) == 0))
            return false;
        p = colon + 1;
    }
    return strncmp(p, "activity:", 9) == 0;
}

static void express_resource(check_ctx *c, const cJSON *res)
{
    const char *s = res->valuestring;
    const char *why = NULL;
    if (ends_with(s, ".sync") || strstr(s, ".sync:"))
        why = "it does not support .sync (Run a Job) integrations";
    else if (ends_with(s, ".waitForTaskToken"))
        why = "it does not support .waitForTaskToken (Wait for Callback) integrations";
    else if (is_activity(s))
        why = "it does not support activities";
    if (why)
        diag_val(c->u, DIAG_INVALID_RESOURCE, res, "an EXPRESS state machine cannot use \"%s\": %s", s, why);
}

/* Member [name] of a JSONPath template, given either as is or as
 * "name.$"; NULL when neither. */
static const cJSON *field_or_path(const cJSON *obj, const char *name, bool jsonata)
{
    const cJSON *v = check_get(obj, name);
    if (v || jsonata)
        return v;
    char key[64];
    snprintf(key, sizeof key, "%s.$", name);
    return check_get(obj, key);
}

/* ==== HTTP Task ============================================================ */

/* A value known when the definition is checked: anything in a JSONPath
 * template (a ".$" key is another member), and in JSONata whatever is not
 * one "{% ... %}" expression. */
static bool is_static(const cJSON *v, bool jsonata)
{
    return v && !(jsonata && check_is_jsonata_string(v));
}

/* A JSONPath key's field name: "Headers" for "Headers" and "Headers.$". */
static size_t field_len(const char *key, bool jsonata)
{
    size_t n = strlen(key);
    return !jsonata && ends_with(key, ".$") ? n - 2 : n;
}

/* The connection, given as Authentication or as InvocationConfig (AWS's
 * recommended form), each {"ConnectionArn": ...}: exactly one of them. */
static void http_connection(check_ctx *c, const cJSON *args, const char *where, bool jsonata)
{
    const cJSON *auth = field_or_path(args, "Authentication", jsonata);
    const cJSON *inv = field_or_path(args, "InvocationConfig", jsonata);
    if (!auth && !inv)
        diag_key(c->u, DIAG_MISSING_FIELD, args,
                 "an HTTP Task's \"%s\" needs \"Authentication\" or \"InvocationConfig\" with the "
                 "\"ConnectionArn\" of the EventBridge connection the call uses",
                 where);
    check_exclusive(c, auth, inv);
    const cJSON *conn[] = {auth, inv};
    for (int i = 0; i < 2; i++) {
        const cJSON *v = conn[i];
        if (!v || ends_with(v->string, ".$") || !is_static(v, jsonata))
            continue;
        if (!cJSON_IsObject(v))
            diag_val(c->u, DIAG_WRONG_TYPE, v,
                     "\"%s\" must be an object such as {\"ConnectionArn\": \"...\"}, found %s", v->string,
                     check_type_name(v));
        else if (!field_or_path(v, "ConnectionArn", jsonata))
            diag_key(c->u, DIAG_MISSING_FIELD, v,
                     "\"%s\" needs \"ConnectionArn\" (the EventBridge connection the call uses)", v->string);
    }
}

/* ApiEndpoint: AWS calls HTTPS APIs only. aslc also calls plain http on
 * this machine (a local stand-in), which AWS could never reach. */
static void http_endpoint(check_ctx *c, const cJSON *v, bool jsonata)
{
    if (!is_static(v, jsonata))
        return;
    if (!cJSON_IsString(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v, "\"ApiEndpoint\" must be a string, found %s", check_type_name(v));
        return;
    }
    rt_http_url kind = rt_http_endpoint_kind(v->valuestring);
    if (kind == RT_HTTP_URL_LOCAL)
        diag_val(c->u, DIAG_LOCAL_HTTP_ENDPOINT, v,
                 "\"ApiEndpoint\" \"%s\" is plain http to this machine: aslc calls it, but AWS calls "
                 "https:// APIs only and could not reach it",
                 v->valuestring);
    else if (kind == RT_HTTP_URL_OTHER)
        diag_val(c->u, DIAG_INVALID_VALUE, v,
                 "\"ApiEndpoint\" must be an https:// URL (AWS calls HTTPS APIs only), found \"%s\"",
                 v->valuestring);
}

/* Headers: static values are strings, and no name is one AWS refuses.
 * The refused names go in one message, lower-cased and in order, as the
 * console words it. A "Name.$" key (JSONPath) still sets header Name. */
static void http_headers(check_ctx *c, const cJSON *h, bool jsonata)
{
    if (!is_static(h, jsonata) || ends_with(h->string, ".$"))
        return;
    if (!cJSON_IsObject(h)) {
        diag_val(c->u, DIAG_WRONG_TYPE, h, "\"Headers\" must be an object of header names and values, found %s",
                 check_type_name(h));
        return;
    }
    size_t total = 0;
    const cJSON *m;
    cJSON_ArrayForEach (m, h) {
        size_t n = field_len(m->string, jsonata);
        if (rt_http_header_unsupported(m->string, n))
            total += n + 2;
        if (n == strlen(m->string) && is_static(m, jsonata) && !cJSON_IsString(m))
            diag_val(c->u, DIAG_WRONG_TYPE, m, "header \"%s\" must be a string, found %s", m->string,
                     check_type_name(m));
    }
    if (!total)
        return;
    char *bad = arena_alloc(&c->u->arena, total + 1), *p = bad;
    cJSON_ArrayForEach (m, h) {
        size_t n = field_len(m->string, jsonata);
        if (!rt_http_header_unsupported(m->string, n))
            continue;
        if (p != bad) {
            *p++ = ',';
            *p++ = ' ';
        }
        for (size_t i = 0; i < n; i++)
            *p++ = (char)tolower((unsigned char)m->string[i]);
    }
    *p = '\0';
    diag_key(c->u, DIAG_INVALID_VALUE, h, "The 'Headers' field contains unsupported values: [%s]", bad);
}

/* Transform: {"RequestBodyEncoding": NONE | URL_ENCODED,
 * "RequestEncodingOptions": {"ArrayFormat": INDICES | REPEAT | COMMAS | BRACKETS}}. */
static void http_transform(check_ctx *c, const cJSON *t, bool jsonata)
{
    static const char *const encodings[] = {"NONE", "URL_ENCODED", NULL};
    static const char *const formats[] = {"INDICES", "REPEAT", "COMMAS", "BRACKETS", NULL};
    if (!is_static(t, jsonata) || ends_with(t->string, ".$"))
        return;
    if (!cJSON_IsObject(t)) {
        diag_val(c->u, DIAG_WRONG_TYPE, t,
                 "\"Transform\" must be an object such as {\"RequestBodyEncoding\": \"URL_ENCODED\"}, found %s",
                 check_type_name(t));
        return;
    }
    const cJSON *enc = check_get(t, "RequestBodyEncoding");
    if (is_static(enc, jsonata))
        check_enum(c, enc, encodings, DIAG_INVALID_VALUE);
    const cJSON *opts = check_get(t, "RequestEncodingOptions");
    if (!is_static(opts, jsonata) || !check_object(c, opts))
        return;
    const cJSON *af = check_get(opts, "ArrayFormat");
    if (is_static(af, jsonata))
        check_enum(c, af, formats, DIAG_INVALID_VALUE);
}

static void http_task(check_ctx *c, const cJSON *st, bool jsonata)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", NULL};
    static const char *const known[] = {"ApiEndpoint", "Method", "Authentication", "InvocationConfig",
                                        "Headers", "QueryParameters", "RequestBody", "Transform", NULL};
    const char *where = jsonata ? "Arguments" : "Parameters";
    const cJSON *args = check_get(st, where);
    if (jsonata && cJSON_IsString(args))
        return; /* one expression: its fields are known only when it runs */
    if (!cJSON_IsObject(args)) {
        if (!args)
            diag_key(c->u, DIAG_MISSING_FIELD, st,
                     "HTTP Task \"%s\" needs \"%s\" with \"ApiEndpoint\", \"Method\" and \"Authentication\" "
                     "or \"InvocationConfig\"",
                     st->string, where);
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach (m, args) {
        size_t n = field_len(m->string, jsonata);
        const char *const *k = known;
        while (*k && !(strlen(*k) == n && strncmp(*k, m->string, n) == 0))
            k++;
        if (!*k)
            diag_key(c->u, DIAG_UNKNOWN_FIELD, m,
                     "unknown field \"%s\" in an HTTP Task's \"%s\": the known ones are ApiEndpoint, Method, "
                     "Authentication, InvocationConfig, Headers, QueryParameters, RequestBody and Transform",
                     m->string, where);
    }
    static const char *const required[] = {"ApiEndpoint", "Method", NULL};
    for (const char *const *f = required; *f; f++)
        if (!field_or_path(args, *f, jsonata))
            diag_key(c->u, DIAG_MISSING_FIELD, args, "an HTTP Task's \"%s\" needs \"%s\"", where, *f);
    http_connection(c, args, where, jsonata);
    http_endpoint(c, check_get(args, "ApiEndpoint"), jsonata);
    m = check_get(args, "Method");
    if (is_static(m, jsonata) && cJSON_IsString(m)) {
        const char *const *k = methods;
        while (*k && strcmp(*k, m->valuestring) != 0)
            k++;
        if (!*k)
            diag_val(c->u, DIAG_INVALID_VALUE, m,
                     "\"Method\" must be GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD, found \"%s\"",
                     m->valuestring);
    } else if (m && !cJSON_IsString(m)) {
        diag_val(c->u, DIAG_WRONG_TYPE, m, "\"Method\" must be a string, found %s", check_type_name(m));
    }
    const cJSON *h = field_or_path(args, "Headers", jsonata);
    if (h)
        http_headers(c, h, jsonata);
    const cJSON *t = field_or_path(args, "Transform", jsonata);
    if (t)
        http_transform(c, t, jsonata);
}

/* AWS forbids in names (and so in a Label, part of the Map Run's ARN)
 * white space, brackets, wildcards, " # % \ ^ | ~ ` $ & , ; : / and
 * control characters (U+0000-001F, U+007F-009F). */
static const char *label_problem(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p == 0x7F || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", *p))
            return "white space, brackets, wildcards, control characters or any of \" # % \\ ^ | ~ ` $ & , ; : /";
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0xA0) /* U+0080-009F, and U+00A0 no-break space */
            return "white space or control characters";
    }
    return NULL;
}

static void map_limits(check_ctx *c, const cJSON *st)
{
    const cJSON *label = check_get(st, "Label");
    if (cJSON_IsString(label)) {
        size_t n = utf8_chars(label->valuestring, strlen(label->valuestring));
        const char *why = label_problem(label->valuestring);
        if (n > MAX_LABEL_CHARS)
            diag_val(c->u, DIAG_INVALID_MAP, label, "\"Label\" is %zu characters long; the limit is %d", n,
                     MAX_LABEL_CHARS);
        else if (why)
            diag_val(c->u, DIAG_INVALID_MAP, label, "\"Label\" must not contain %s", why);
    }
    const cJSON *proc = check_get(st, "ItemProcessor");
    const cJSON *mode = check_get(check_get(proc, "ProcessorConfig"), "Mode");
    bool distributed = cJSON_IsString(mode) && strcmp(mode->valuestring, "DISTRIBUTED") == 0;
    const cJSON *mc = check_get(st, "MaxConcurrency");
    if (distributed && cJSON_IsNumber(mc) && mc->valuedouble > MAX_DIST_CONCURRENCY)
        diag_val(c->u, DIAG_CONCURRENCY_ABOVE_QUOTA, mc,
                 "a distributed Map runs at most %d child executions at once: \"MaxConcurrency\" %.0f acts "
                 "as %d",
                 MAX_DIST_CONCURRENCY, mc->valuedouble, MAX_DIST_CONCURRENCY);
}

void check_service_limits(check_ctx *c, const cJSON *root)
{
    definition_size(c, root);
    for (int i = 0; i < c->nscopes; i++) {
        const check_scope *s = c->scopes[i];
        const cJSON *st;
        if (!s->states)
            continue;
        cJSON_ArrayForEach (st, s->states) {
            if (!cJSON_IsObject(st))
                continue;
            const cJSON *ql = check_get(st, "QueryLanguage");
            bool jsonata = cJSON_IsString(ql) ? strcmp(ql->valuestring, "JSONata") == 0 : s->jsonata;
            if (type_is(st, "Map")) {
                map_limits(c, st);
                continue;
            }
            const cJSON *res = check_get(st, "Resource");
            if (!type_is(st, "Task") || !cJSON_IsString(res))
                continue;
            if (c->u->express)
                express_resource(c, res);
            if (strcmp(res->valuestring, "arn:aws:states:::http:invoke") == 0)
                http_task(c, st, jsonata);
        }
    }
}
