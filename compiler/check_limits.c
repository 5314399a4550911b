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
 *     Arguments need ApiEndpoint, Method (one of the seven methods it
 *     supports) and Authentication with a ConnectionArn;
 *   - an EXPRESS workflow (u->express: `--type EXPRESS`, or the template's
 *     StateMachineType): no .sync or .waitForTaskToken integrations and no
 *     activities, which only Standard workflows support.
 *
 * One pass over every scope's states after the other rules
 * (check_machine.c); it tolerates malformed parts (reported elsewhere).
 */
#include <string.h>

#include "check_internal.h"

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

static void http_task(check_ctx *c, const cJSON *st, bool jsonata)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", NULL};
    const char *where = jsonata ? "Arguments" : "Parameters";
    const cJSON *args = check_get(st, where);
    if (jsonata && cJSON_IsString(args))
        return; /* one expression: its fields are known only when it runs */
    if (!cJSON_IsObject(args)) {
        if (!args)
            diag_key(c->u, DIAG_MISSING_FIELD, st,
                     "HTTP Task \"%s\" needs \"%s\" with \"ApiEndpoint\", \"Method\" and \"Authentication\"",
                     st->string, where);
        return;
    }
    static const char *const required[] = {"ApiEndpoint", "Method", "Authentication", NULL};
    for (const char *const *f = required; *f; f++)
        if (!field_or_path(args, *f, jsonata))
            diag_key(c->u, DIAG_MISSING_FIELD, args, "an HTTP Task's \"%s\" needs \"%s\"", where, *f);
    const cJSON *m = check_get(args, "Method");
    if (cJSON_IsString(m) && !check_is_jsonata_string(m)) {
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
    const cJSON *auth = check_get(args, "Authentication");
    if (auth && !cJSON_IsObject(auth) && !check_is_jsonata_string(auth))
        diag_val(c->u, DIAG_WRONG_TYPE, auth,
                 "\"Authentication\" must be an object such as {\"ConnectionArn\": \"...\"}, found %s",
                 check_type_name(auth));
    else if (cJSON_IsObject(auth) && !field_or_path(auth, "ConnectionArn", jsonata))
        diag_key(c->u, DIAG_MISSING_FIELD, auth,
                 "\"Authentication\" needs \"ConnectionArn\" (the EventBridge connection the call uses)");
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
