/*
 * bindings.c - the --bindings file: which local handler runs a Task
 * resource.
 *
 *   {"resources": {
 *     "arn:aws:lambda:*:*:function:greet": {"exec": ["python3", "handlers/greet.py"]},
 *     "arn:aws:lambda:us-east-1:123456789012:function:charge":
 *         {"http": "http://127.0.0.1:9000/2015-03-31/functions/function/invocations"},
 *     "arn:aws:states:::dynamodb:putItem": {"native": "./libhandlers.so:put_item"}
 *   }}
 *
 * A key is an exact resource ARN or a glob (fnmatch: * ? [...]; '*' also
 * matches ':' and '/'). An exact key wins; otherwise the matching glob
 * with the most literal characters wins, and on a tie the first one in the
 * file. Each value holds exactly one of:
 *   "exec": [PROGRAM, ARG...]  run without a shell; optional "cwd" (the
 *           working directory) and "env" ({"NAME": "VALUE"} added to the
 *           environment);
 *   "http": URL                POST; optional "headers" ({"Name": "value"});
 *   "native": "LIB.so:SYMBOL"  a function with aslhandler.h's signature;
 *   "aws": true                the real service, signed with SigV4 (aws*.c).
 * Relative paths are relative to the directory of the bindings file: the
 * native library, "cwd", and an exec PROGRAM that contains a slash (a bare
 * PROGRAM is looked up in PATH). The working directory of an exec handler
 * defaults to that directory too, so relative arguments such as
 * "handlers/greet.py" name files beside the bindings file.
 *
 * An optional "connections" object stands in for the EventBridge
 * connections that HTTP Tasks name (Authentication.ConnectionArn), keyed
 * by connection ARN or glob as resources are, each in the shape of
 * EventBridge's CreateConnection request:
 *   "connections": {"arn:aws:events:*:*:connection/stripe/abc":
 *     {"AuthorizationType": "API_KEY", "AuthParameters":
 *       {"ApiKeyAuthParameters": {"ApiKeyName": "Authorization", "ApiKeyValue": "Bearer sk"}}}}
 * (http_task.c applies them).
 *
 * Everything is checked when the file is read (programs exist and are
 * executable, libraries and symbols load), so a broken binding stops the
 * run before it starts.
 *
 * Owns: the parsed bindings and the dlopen handles (closed by
 * rt_bindings_free). Called by task.c.
 *
 * Layer: effects
 */
#include <dlfcn.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "rt.h"

static char *dup_str(const char *s)
{
    return s ? rt_fmt("%s", s) : NULL;
}

static void free_list(char **v)
{
    for (char **p = v; p && *p; p++)
        free(*p);
    free(v);
}

/* [rel] made absolute against directory [dir] (when it is relative). */
static char *resolve(const char *dir, const char *rel)
{
    if (rel[0] == '/')
        return dup_str(rel);
    return rt_fmt("%s/%s", dir, rel);
}

/* The directory holding [file], absolute. */
static char *dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    char *d = slash ? rt_fmt("%.*s", (int)(slash - file), file) : dup_str(".");
    if (d && !*d) {
        free(d);
        d = dup_str("/");
    }
    if (!d)
        return NULL;
    char buf[PATH_MAX];
    if (realpath(d, buf)) {
        free(d);
        return dup_str(buf);
    }
    return d;
}

/* True when a program named without a slash is found in PATH. */
static bool in_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *cand = n ? rt_fmt("%.*s/%s", (int)n, p, prog) : rt_fmt("./%s", prog);
        bool ok = cand && access(cand, X_OK) == 0;
        free(cand);
        if (ok)
            return true;
        if (!end)
            return false;
        p = end + 1;
    }
}

/* {"NAME": "VALUE", ...} as a NULL-terminated list of "NAME<sep>VALUE".
 * Returns 0 with *why set on a bad shape. */
static char **string_map(const cJSON *obj, const char *sep, const char *what, char **why)
{
    if (!cJSON_IsObject(obj)) {
        *why = rt_fmt("\"%s\" must be an object of strings", what);
        return NULL;
    }
    int n = cJSON_GetArraySize(obj);
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v) {
        *why = rt_fmt("out of memory");
        return NULL;
    }
    int i = 0;
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!cJSON_IsString(c) || !*c->string || strpbrk(c->string, sep[0] == '=' ? "=" : ":\r\n") ||
            strpbrk(c->valuestring, "\r\n")) {
            *why = rt_fmt("\"%s\": entry \"%s\" must be a string value with a name free of '%c' "
                          "and line breaks",
                          what, c->string, sep[0]);
            free_list(v);
            return NULL;
        }
        if (!(v[i++] = rt_fmt("%s%s%s", c->string, sep, c->valuestring))) {
            *why = rt_fmt("out of memory");
            free_list(v);
            return NULL;
        }
    }
    return v;
}

static char *parse_exec(rt_binding *b, const cJSON *e, const char *dir)
{
    const cJSON *argv = cJSON_GetObjectItemCaseSensitive(e, "exec");
    int n = cJSON_GetArraySize(argv);
    if (!cJSON_IsArray(argv) || n == 0)
        return rt_fmt("\"exec\" must be a non-empty array of strings: [PROGRAM, ARG...]");
    b->argv = calloc((size_t)n + 1, sizeof *b->argv);
    if (!b->argv)
        return rt_fmt("out of memory");
    int i = 0;
    for (const cJSON *a = argv->child; a; a = a->next, i++) {
        if (!cJSON_IsString(a) || (i == 0 && !*a->valuestring))
            return rt_fmt("\"exec\" must be a non-empty array of strings: [PROGRAM, ARG...]");
        b->argv[i] = i == 0 && strchr(a->valuestring, '/') ? resolve(dir, a->valuestring)
                                                           : dup_str(a->valuestring);
        if (!b->argv[i])
            return rt_fmt("out of memory");
    }
    const cJSON *cwd = cJSON_GetObjectItemCaseSensitive(e, "cwd");
    if (cwd && (!cJSON_IsString(cwd) || !*cwd->valuestring))
        return rt_fmt("\"cwd\" must be a directory name");
    b->cwd = cwd ? resolve(dir, cwd->valuestring) : dup_str(dir);
    if (!b->cwd)
        return rt_fmt("out of memory");
    if (access(b->cwd, X_OK) != 0)
        return rt_fmt("working directory '%s' is not accessible", b->cwd);
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(e, "env");
    char *why = NULL;
    if (env && !(b->env = string_map(env, "=", "env", &why)))
        return why;
    const char *prog = b->argv[0];
    if (strchr(prog, '/') ? access(prog, X_OK) != 0 : !in_path(prog))
        return rt_fmt("program '%s' %s", prog,
                      strchr(prog, '/') ? "does not exist or is not executable"
                                        : "is not found in PATH");
    return NULL;
}

static char *parse_http(rt_binding *b, const cJSON *e)
{
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(e, "http");
    if (!cJSON_IsString(url) || (strncmp(url->valuestring, "http://", 7) != 0 &&
                                 strncmp(url->valuestring, "https://", 8) != 0))
        return rt_fmt("\"http\" must be an http:// or https:// URL");
    if (!(b->url = dup_str(url->valuestring)))
        return rt_fmt("out of memory");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(e, "headers");
    char *why = NULL;
    if (h && !(b->headers = string_map(h, ": ", "headers", &why)))
        return why;
    return NULL;
}

static char *parse_native(rt_binding *b, const cJSON *e, const char *dir)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(e, "native");
    const char *colon = cJSON_IsString(spec) ? strrchr(spec->valuestring, ':') : NULL;
    if (!colon || colon == spec->valuestring || !colon[1])
        return rt_fmt("\"native\" must be \"LIBRARY.so:SYMBOL\"");
    char *lib = rt_fmt("%.*s", (int)(colon - spec->valuestring), spec->valuestring);
    b->lib = lib ? resolve(dir, lib) : NULL;
    free(lib);
    b->symbol = dup_str(colon + 1);
    if (!b->lib || !b->symbol)
        return rt_fmt("out of memory");
    b->dl = dlopen(b->lib, RTLD_NOW | RTLD_LOCAL);
    if (!b->dl) {
        const char *d = dlerror();
        return rt_fmt("cannot load '%s': %s", b->lib, d ? d : "unknown error");
    }
    dlerror();
    void *sym = dlsym(b->dl, b->symbol);
    const char *d = dlerror();
    if (d || !sym)
        return rt_fmt("no function '%s' in '%s'%s%s", b->symbol, b->lib, d ? ": " : "",
                      d ? d : "");
    /* dlsym hands back an object pointer; POSIX guarantees that it converts
     * to a function pointer. memcpy keeps -Wpedantic quiet about it. */
    memcpy(&b->fn, &sym, sizeof b->fn);
    return NULL;
}

static int count_literal(const char *p, bool *glob)
{
    int n = 0;
    *glob = false;
    for (; *p; p++) {
        if (*p == '*' || *p == '?') {
            *glob = true;
        } else if (*p == '[' && p[1] && strchr(p + 2, ']')) {
            /* a bracket expression; a ']' right after '[' is a member */
            *glob = true;
            p = strchr(p + 2, ']');
        } else if (*p == '\\' && p[1]) {
            p++;
            n++;
        } else {
            n++;
        }
    }
    return n;
}

static const char *const handler_keys[] = {"exec", "http", "native", "aws"};
static const char *const allowed_keys[] = {"exec", "http", "native", "aws", "cwd", "env",
                                           "headers", "Comment"};

/* Parses entry [e] into [b]. Returns a malloc'd message or 0. */
static char *parse_binding(rt_binding *b, const cJSON *e, const char *dir)
{
    if (!cJSON_IsObject(e))
        return rt_fmt("expected an object with one of \"exec\", \"http\", \"native\" or "
                      "\"aws\"");
    int kinds = 0;
    for (int k = 0; k < 4; k++)
        if (cJSON_GetObjectItemCaseSensitive(e, handler_keys[k])) {
            kinds++;
            b->kind = (rt_bind_kind)k;
        }
    if (kinds != 1)
        return rt_fmt("needs exactly one of \"exec\", \"http\", \"native\" or \"aws\"");
    for (const cJSON *f = e->child; f; f = f->next) {
        bool ok = false;
        for (size_t k = 0; k < sizeof allowed_keys / sizeof *allowed_keys; k++)
            ok = ok || strcmp(f->string, allowed_keys[k]) == 0;
        if (ok && b->kind != RT_BIND_EXEC &&
            (strcmp(f->string, "cwd") == 0 || strcmp(f->string, "env") == 0))
            ok = false;
        if (ok && b->kind != RT_BIND_HTTP && strcmp(f->string, "headers") == 0)
            ok = false;
        if (!ok)
            return rt_fmt("unknown or misplaced field \"%s\"", f->string);
    }
    switch (b->kind) {
    case RT_BIND_EXEC: return parse_exec(b, e, dir);
    case RT_BIND_HTTP: return parse_http(b, e);
    case RT_BIND_NATIVE: return parse_native(b, e, dir);
    case RT_BIND_AWS:
        return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "aws"))
                   ? NULL
                   : rt_fmt("\"aws\" must be true (the resource calls the real service)");
    }
    return NULL;
}

/* How well key [pattern] matches [arn], for rt_bindings_find and
 * rt_connection_find: -1 not at all, INT_MAX exactly, else a glob's
 * literal characters. The highest wins; on a tie, the first in the file. */
static int match_rank(const char *pattern, bool glob, int literal, const char *arn)
{
    if (!glob)
        return strcmp(pattern, arn) == 0 ? INT_MAX : -1;
    return fnmatch(pattern, arn, 0) == 0 ? literal : -1;
}

/* ==== connections: stand-ins for EventBridge connections (http_task.c) ==== */

/* A malloc'd message when [o] (called [what]) has a field outside [allowed]. */
static char *unknown_field(const cJSON *o, const char *const *allowed, const char *what)
{
    for (const cJSON *f = o->child; f; f = f->next) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, f->string) != 0)
            a++;
        if (!*a)
            return rt_fmt("%s: unknown field \"%s\"", what, f->string);
    }
    return NULL;
}

/* A malloc'd message unless [o] is an object with the non-empty strings
 * [names] (NULL-terminated) and no other fields. */
static char *string_fields(const cJSON *o, const char *const *names, const char *what)
{
    if (!cJSON_IsObject(o))
        return rt_fmt("\"%s\" must be an object", what);
    for (const char *const *n = names; *n; n++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *n);
        if (!cJSON_IsString(v) || !*v->valuestring || strpbrk(v->valuestring, "\r\n"))
            return rt_fmt("\"%s\" needs \"%s\": a non-empty string on one line", what, *n);
    }
    char *quoted = rt_fmt("\"%s\"", what);
    char *why = quoted ? unknown_field(o, names, quoted) : rt_fmt("out of memory");
    free(quoted);
    return why;
}

/* {"HeaderParameters" | "QueryStringParameters" | "BodyParameters":
 *  [{"Key", "Value", "IsValueSecret"}]}, as CreateConnection takes them. */
static char *http_parameters(const cJSON *o, const char *what)
{
    static const char *const lists[] = {"HeaderParameters", "QueryStringParameters",
                                        "BodyParameters", NULL};
    static const char *const kv[] = {"Key", "Value", "IsValueSecret", NULL};
    if (!cJSON_IsObject(o))
        return rt_fmt("\"%s\" must be an object", what);
    char *why = unknown_field(o, lists, what);
    for (const char *const *l = lists; !why && *l; l++) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, *l);
        if (arr && !cJSON_IsArray(arr))
            return rt_fmt("\"%s\".\"%s\" must be an array of {\"Key\", \"Value\"}", what, *l);
        for (const cJSON *e = arr ? arr->child : NULL; !why && e; e = e->next) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "Key");
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "Value");
            const cJSON *sec = cJSON_GetObjectItemCaseSensitive(e, "IsValueSecret");
            if (!cJSON_IsObject(e) || !cJSON_IsString(k) || !*k->valuestring ||
                !cJSON_IsString(v) || (sec && !cJSON_IsBool(sec)) ||
                (strcmp(*l, "HeaderParameters") == 0 &&
                 (strpbrk(k->valuestring, ": \r\n") || strpbrk(v->valuestring, "\r\n"))))
                return rt_fmt("\"%s\".\"%s\": each entry must be {\"Key\": NAME, \"Value\": "
                              "STRING, \"IsValueSecret\": BOOL (optional)}%s",
                              what, *l,
                              strcmp(*l, "HeaderParameters") == 0
                                  ? ", a header name without ':', blanks or line breaks"
                                  : "");
            why = unknown_field(e, kv, what);
        }
    }
    return why;
}

/* Checks one "connections" entry: CreateConnection's AuthorizationType and
 * AuthParameters, the parameters of that type present. */
static char *parse_connection(const cJSON *e)
{
    static const char *const top[] = {"AuthorizationType", "AuthParameters", "Comment", NULL};
    static const char *const params[] = {"BasicAuthParameters", "ApiKeyAuthParameters",
                                         "OAuthParameters", "InvocationHttpParameters", NULL};
    static const char *const basic[] = {"Username", "Password", NULL};
    static const char *const apikey[] = {"ApiKeyName", "ApiKeyValue", NULL};
    static const char *const client[] = {"ClientID", "ClientSecret", NULL};
    static const char *const oauth[] = {"AuthorizationEndpoint", "HttpMethod", "ClientParameters",
                                        "OAuthHttpParameters", NULL};
    if (!cJSON_IsObject(e))
        return rt_fmt("expected {\"AuthorizationType\": ..., \"AuthParameters\": {...}} (the shape "
                      "of EventBridge's CreateConnection)");
    char *why = unknown_field(e, top, "the connection");
    if (why)
        return why;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "AuthorizationType");
    const cJSON *ap = cJSON_GetObjectItemCaseSensitive(e, "AuthParameters");
    const char *t = cJSON_IsString(type) ? type->valuestring : "";
    const char *need = strcmp(t, "BASIC") == 0                      ? "BasicAuthParameters"
                       : strcmp(t, "API_KEY") == 0                  ? "ApiKeyAuthParameters"
                       : strcmp(t, "OAUTH_CLIENT_CREDENTIALS") == 0 ? "OAuthParameters"
                                                                    : NULL;
    if (!need)
        return rt_fmt("\"AuthorizationType\" must be BASIC, API_KEY or OAUTH_CLIENT_CREDENTIALS");
    if (!cJSON_IsObject(ap) || !cJSON_GetObjectItemCaseSensitive(ap, need))
        return rt_fmt("AuthorizationType %s needs \"AuthParameters\": {\"%s\": {...}}", t, need);
    if ((why = unknown_field(ap, params, "\"AuthParameters\"")))
        return why;
    for (const char *const *p = params; *p; p++)
        if (strcmp(*p, need) != 0 && strcmp(*p, "InvocationHttpParameters") != 0 &&
            cJSON_GetObjectItemCaseSensitive(ap, *p))
            return rt_fmt("\"AuthParameters\": \"%s\" does not go with AuthorizationType %s", *p, t);
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(ap, need);
    if (strcmp(need, "BasicAuthParameters") == 0) {
        why = string_fields(sub, basic, need);
    } else if (strcmp(need, "ApiKeyAuthParameters") == 0) {
        why = string_fields(sub, apikey, need);
        if (!why && strpbrk(cJSON_GetObjectItemCaseSensitive(sub, "ApiKeyName")->valuestring, ": \t"))
            why = rt_fmt("\"ApiKeyAuthParameters\": \"ApiKeyName\" is a header name: no ':' or "
                         "blanks");
    } else if (!cJSON_IsObject(sub))
        why = rt_fmt("\"OAuthParameters\" must be an object");
    else if (!(why = unknown_field(sub, oauth, need))) {
        const cJSON *ep = cJSON_GetObjectItemCaseSensitive(sub, "AuthorizationEndpoint");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(sub, "HttpMethod");
        const cJSON *hp = cJSON_GetObjectItemCaseSensitive(sub, "OAuthHttpParameters");
        if (!cJSON_IsString(ep) || (strncmp(ep->valuestring, "https://", 8) != 0 &&
                                    strncmp(ep->valuestring, "http://", 7) != 0))
            why = rt_fmt("\"OAuthParameters\" needs \"AuthorizationEndpoint\": an https:// URL");
        else if (!cJSON_IsString(m) || (strcmp(m->valuestring, "GET") != 0 &&
                                        strcmp(m->valuestring, "POST") != 0 &&
                                        strcmp(m->valuestring, "PUT") != 0))
            why = rt_fmt("\"OAuthParameters\" needs \"HttpMethod\": GET, POST or PUT");
        else if (!(why = string_fields(cJSON_GetObjectItemCaseSensitive(sub, "ClientParameters"),
                                       client, "ClientParameters")) &&
                 hp)
            why = http_parameters(hp, "OAuthHttpParameters");
    }
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(ap, "InvocationHttpParameters");
    if (!why && inv)
        why = http_parameters(inv, "InvocationHttpParameters");
    return why;
}

/* The file's "connections": {ARN-or-glob: connection}. */
static char *load_connections(rt_bindings *bs, const cJSON *conns, const char *path)
{
    if (!cJSON_IsObject(conns))
        return rt_fmt("bindings file '%s': \"connections\" must be an object: {CONNECTION-ARN-or-"
                      "glob: {\"AuthorizationType\": ..., \"AuthParameters\": {...}}}",
                      path);
    int n = cJSON_GetArraySize(conns);
    bs->conn = calloc(n > 0 ? (size_t)n : 1, sizeof *bs->conn);
    if (!bs->conn)
        return rt_fmt("out of memory");
    for (const cJSON *e = conns->child; e; e = e->next) {
        rt_connection *c = &bs->conn[bs->nconn++];
        if (!*e->string)
            return rt_fmt("bindings file '%s': a connection key is empty", path);
        for (int i = 0; i < bs->nconn - 1; i++)
            if (strcmp(bs->conn[i].pattern, e->string) == 0)
                return rt_fmt("bindings file '%s': connection \"%s\" is given twice", path,
                              e->string);
        char *w = parse_connection(e);
        if (w) {
            char *why = rt_fmt("bindings file '%s', connection \"%s\": %s", path, e->string, w);
            free(w);
            return why;
        }
        c->literal = count_literal(e->string, &c->glob);
        if (!(c->pattern = dup_str(e->string)) || !(c->spec = cJSON_Duplicate(e, 1)))
            return rt_fmt("out of memory");
    }
    return NULL;
}

const rt_connection *rt_connection_find(const rt_bindings *bs, const char *arn)
{
    const rt_connection *best = NULL;
    int best_rank = -1;
    for (int i = 0; bs && arn && i < bs->nconn; i++) {
        const rt_connection *c = &bs->conn[i];
        int rank = match_rank(c->pattern, c->glob, c->literal, arn);
        if (rank > best_rank) {
            best = c;
            best_rank = rank;
        }
    }
    return best;
}

rt_bindings *rt_bindings_load(const char *path, char **err)
{
    *err = NULL;
    size_t len = 0;
    char *text = rt_read_text(path, "bindings file", &len, err);
    if (!text)
        return NULL;
    char perr[256] = "";
    cJSON *root = rt_json_parse(text, len, perr, sizeof perr);
    free(text);
    if (!root) {
        *err = rt_fmt("bindings file '%s' is not valid JSON: %s", path,
                      perr[0] ? perr : "parse error");
        return NULL;
    }
    rt_bindings *bs = calloc(1, sizeof *bs);
    char *dir = dir_of(path);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "resources");
    char *why = NULL;
    if (!bs || !dir || !(bs->file = dup_str(path))) {
        why = rt_fmt("out of memory");
        goto out;
    }
    const cJSON *conns = cJSON_GetObjectItemCaseSensitive(root, "connections");
    if (!cJSON_IsObject(root) || (res ? !cJSON_IsObject(res) : !conns)) {
        why = rt_fmt("bindings file '%s': expected {\"resources\": {ARN-or-glob: {\"exec\" | "
                     "\"http\" | \"native\": ...}}}",
                     path);
        goto out;
    }
    for (const cJSON *f = root->child; f; f = f->next)
        if (strcmp(f->string, "resources") != 0 && strcmp(f->string, "connections") != 0 &&
            strcmp(f->string, "Comment") != 0) {
            why = rt_fmt("bindings file '%s': unknown top-level field \"%s\"", path, f->string);
            goto out;
        }
    if (conns && (why = load_connections(bs, conns, path)))
        goto out;
    int n = cJSON_GetArraySize(res);
    bs->b = calloc(n > 0 ? (size_t)n : 1, sizeof *bs->b);
    if (!bs->b) {
        why = rt_fmt("out of memory");
        goto out;
    }
    for (const cJSON *e = res ? res->child : NULL; e; e = e->next) {
        rt_binding *b = &bs->b[bs->n++];
        b->order = bs->n - 1;
        b->pattern = dup_str(e->string);
        if (!b->pattern) {
            why = rt_fmt("out of memory");
            goto out;
        }
        for (int i = 0; i < bs->n - 1; i++)
            if (strcmp(bs->b[i].pattern, e->string) == 0) {
                why = rt_fmt("bindings file '%s': \"%s\" is bound twice", path, e->string);
                goto out;
            }
        if (!*e->string) {
            why = rt_fmt("bindings file '%s': a resource key is empty", path);
            goto out;
        }
        b->literal = count_literal(e->string, &b->glob);
        char *w = parse_binding(b, e, dir);
        if (w) {
            why = rt_fmt("bindings file '%s', resource \"%s\": %s", path, e->string, w);
            free(w);
            goto out;
        }
        if (b->kind == RT_BIND_HTTP)
            bs->any_http = true;
        if (b->kind == RT_BIND_AWS)
            bs->any_aws = true;
    }
out:
    free(dir);
    cJSON_Delete(root);
    if (why) {
        *err = why;
        rt_bindings_free(bs);
        return NULL;
    }
    return bs;
}

const rt_binding *rt_bindings_find(const rt_bindings *bs, const char *arn)
{
    const rt_binding *best = NULL;
    int best_rank = -1;
    for (int i = 0; bs && arn && i < bs->n; i++) {
        const rt_binding *b = &bs->b[i];
        int rank = match_rank(b->pattern, b->glob, b->literal, arn);
        if (rank > best_rank) {
            best = b;
            best_rank = rank;
        }
    }
    return best;
}

void rt_bindings_free(rt_bindings *bs)
{
    if (!bs)
        return;
    for (int i = 0; i < bs->n; i++) {
        rt_binding *b = &bs->b[i];
        free(b->pattern);
        free_list(b->argv);
        free(b->cwd);
        free_list(b->env);
        free(b->url);
        free_list(b->headers);
        free(b->lib);
        free(b->symbol);
        if (b->dl)
            dlclose(b->dl);
    }
    free(bs->b);
    for (int i = 0; i < bs->nconn; i++) {
        free(bs->conn[i].pattern);
        cJSON_Delete(bs->conn[i].spec);
    }
    free(bs->conn);
    free(bs->file);
    free(bs);
}
