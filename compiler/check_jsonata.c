/*
 * check_jsonata.c - JSONata in a definition: the fields of states whose
 * query language is JSONata, and the {% %} expressions inside them.
 *
 * Expressions are parsed by compiler/jsonata_parse.c, the parser whose
 * tree the engine evaluates (jsonata-js 2.0.6's grammar and static errors,
 * the version Step Functions runs), so that what `check` accepts is what
 * AWS accepts and what `run` can evaluate. On the tree come the States
 * Language's restrictions: no "$" or unqualified field name at the top
 * level of an expression, no "$$", $states.result only in the Output and
 * Assign of a Task, Map or Parallel state, $states.errorOutput only in a
 * catcher.
 * Free variable references are handed to check_vars.c.
 *
 * Called by check_state() for JSONata states (check_jsonata_state) and by
 * anything holding a JSONata-evaluated value (check_jsonata_value).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "jsonata_parse.h"
#include "timestamp.h"

#define NOWHERE ((size_t)-1)

/* ==== What an expression reads ========================================== */
/* A walk over the tree of compiler/jsonata_parse.c (the parser the engine
 * evaluates too) for what the States Language restricts. "Nested" is
 * anything whose context is not the state's input: steps after the first,
 * predicates, group-bys, lambda bodies, transforms. */

typedef struct ja_walk {
    check_ja_info *info;
    const char *text;
    /* names bound inside the expression (:=, lambda parameters, @ and #) */
    struct bound {
        const char *name;
        size_t len;
    } bound[64];
    int nbound;
} ja_walk;

static void first_at(size_t *slot, size_t at)
{
    if (*slot == NOWHERE || at < *slot)
        *slot = at;
}

static bool name_is(const asl_jnode *n, const char *name)
{
    size_t k = strlen(name);
    return n->str && n->len == k && memcmp(n->str, name, k) == 0;
}

static void bind_name(ja_walk *w, const char *name, size_t len)
{
    if (name && w->nbound < (int)(sizeof w->bound / sizeof *w->bound)) {
        w->bound[w->nbound].name = name;
        w->bound[w->nbound].len = len;
        w->nbound++;
    }
}

static void walk(ja_walk *w, const asl_jnode *n, bool nested);

static void walk_decorations(ja_walk *w, const asl_jnode *n)
{
    bind_name(w, n->focus, n->focus ? strlen(n->focus) : 0);
    bind_name(w, n->index, n->index ? strlen(n->index) : 0);
    for (int i = 0; i < n->nstages; i++) {
        const asl_jnode *st = n->stages[i];
        if (st->type == ASL_JN_INDEX)
            bind_name(w, st->str, st->len);
        else
            walk(w, st, true);
    }
    if (n->group)
        walk(w, n->group, true);
}

static void walk(ja_walk *w, const asl_jnode *n, bool nested)
{
    check_ja_info *info = w->info;
    size_t at = (size_t)n->src;
    walk_decorations(w, n);
    switch (n->type) {
    case ASL_JN_PATH: {
        /* $states.result / $states.errorOutput */
        if (n->nkids >= 2 && n->kids[0]->type == ASL_JN_VARIABLE && name_is(n->kids[0], "states") &&
            n->kids[1]->type == ASL_JN_NAME && n->kids[1]->nstages == 0 && !n->kids[1]->group) {
            if (name_is(n->kids[1], "result"))
                first_at(&info->result_at, (size_t)n->kids[0]->src);
            if (name_is(n->kids[1], "errorOutput"))
                first_at(&info->error_output_at, (size_t)n->kids[0]->src);
        }
        for (int i = 0; i < n->nkids; i++)
            walk(w, n->kids[i], nested || i > 0);
        return;
    }
    case ASL_JN_NAME:
    case ASL_JN_WILDCARD:
    case ASL_JN_DESCENDANT:
        if (!nested)
            first_at(&info->context_at, at);
        return;
    case ASL_JN_VARIABLE:
        if (n->len == 0) {
            if (!nested)
                first_at(&info->context_at, at);
        } else if (n->len == 1 && n->str[0] == '$') {
            first_at(&info->root_at, at);
        } else if (!name_is(n, "states") &&
                   info->nrefs < (int)(sizeof info->refs / sizeof *info->refs)) {
            info->refs[info->nrefs].at = at + 1;
            info->refs[info->nrefs].len = n->len;
            info->nrefs++;
        }
        return;
    case ASL_JN_FUNCTION:
        if (n->kids[0]->type == ASL_JN_VARIABLE && name_is(n->kids[0], "eval"))
            first_at(&info->eval_at, (size_t)n->kids[0]->src);
        break;
    case ASL_JN_LAMBDA:
        for (int i = 0; i + 1 < n->nkids; i++)
            bind_name(w, n->kids[i]->str, n->kids[i]->len);
        walk(w, n->kids[n->nkids - 1], true);
        return;
    case ASL_JN_BIND:
        bind_name(w, n->kids[0]->str, n->kids[0]->len);
        walk(w, n->kids[1], nested);
        return;
    case ASL_JN_TRANSFORM:
    case ASL_JN_SORT:
        nested = true;
        break;
    default: break;
    }
    for (int i = 0; i < n->nkids; i++)
        walk(w, n->kids[i], nested);
}

/* JSONata 2.0.6's built-in functions and the ones Step Functions adds:
 * a reference to one of these is not a variable. */
static bool is_builtin(const char *s, size_t n)
{
    static const char *const names[] = {
        "sum", "count", "max", "min", "average", "string", "substring", "substringBefore", "substringAfter",
        "lowercase", "uppercase", "length", "trim", "pad", "match", "contains", "replace", "split", "join",
        "formatNumber", "formatBase", "formatInteger", "parseInteger", "number", "floor", "ceil", "round",
        "abs", "sqrt", "power", "random", "millis", "toMillis", "fromMillis", "now", "boolean", "not",
        "exists", "append", "sort", "reverse", "shuffle", "distinct", "zip", "keys", "lookup", "spread",
        "merge", "each", "sift", "error", "assert", "type", "map", "filter", "single", "reduce",
        "base64encode", "base64decode", "encodeUrlComponent", "encodeUrl", "decodeUrlComponent", "decodeUrl",
        "eval", "clone",
        /* Step Functions */
        "partition", "range", "hash", "uuid", "parse", NULL};
    for (const char *const *k = names; *k; k++)
        if (strlen(*k) == n && memcmp(*k, s, n) == 0)
            return true;
    return false;
}

bool check_jsonata_parse(const char *text, size_t len, check_ja_info *info)
{
    memset(info, 0, sizeof *info);
    info->context_at = info->root_at = info->result_at = info->error_output_at = info->eval_at = NOWHERE;
    arena a = {0};
    jsonata_syntax_error err;
    const asl_jnode *root = jsonata_parse(&a, text, len, &err);
    if (!root) {
        info->error_at = err.byte_offset;
        /* The 2.1 operators get a hint: Step Functions runs 2.0.6. */
        const char *q = memchr(text, '?', len);
        bool newer = false;
        for (; q && q + 1 < text + len; q = memchr(q + 1, '?', (size_t)(text + len - q - 1)))
            newer = newer || q[1] == ':' || q[1] == '?';
        snprintf(info->error, sizeof info->error, "%.200s (%s)%s", err.message, err.code,
                 newer ? "; '?:' and '?\?' are operators of JSONata 2.1, and Step Functions runs 2.0.6" : "");
        arena_free(&a);
        return false;
    }
    ja_walk w = {.info = info, .text = text};
    walk(&w, root, false);
    /* Keep only free references: not bound in the expression, not a
     * built-in function. */
    int k = 0;
    for (int i = 0; i < info->nrefs; i++) {
        const char *name = text + info->refs[i].at;
        size_t n = info->refs[i].len;
        bool bound = is_builtin(name, n);
        for (int j = 0; !bound && j < w.nbound; j++)
            bound = w.bound[j].len == n && memcmp(w.bound[j].name, name, n) == 0;
        if (!bound)
            info->refs[k++] = info->refs[i];
    }
    info->nrefs = k;
    arena_free(&a);
    return true;
}

/* ==== JSONata values in a definition ==================================== */

bool check_is_jsonata_string(const cJSON *v)
{
    if (!cJSON_IsString(v))
        return false;
    size_t n = strlen(v->valuestring);
    return n >= 4 && memcmp(v->valuestring, "{%", 2) == 0 && memcmp(v->valuestring + n - 2, "%}", 2) == 0;
}

static const char *name_of(const cJSON *v) { return v->string ? v->string : "value"; }

static void check_expression(check_ctx *c, const cJSON *v, unsigned flags)
{
    const char *s = v->valuestring;
    size_t n = strlen(s);
    check_ja_info info;
    unit *u = c->u;
    if (!check_jsonata_parse(s + 2, n - 4, &info)) {
        diag_at(u, DIAG_INVALID_JSONATA, check_str_off(u, v, 2 + info.error_at),
                "in \"%s\": invalid JSONata: %s", name_of(v), info.error);
        return;
    }
    if (info.context_at != NOWHERE)
        diag_at(u, DIAG_JSONATA_RESTRICTION, check_str_off(u, v, 2 + info.context_at),
                "in \"%s\": a JSONata expression cannot read the state input with '$' or an unqualified "
                "field name at its top level; use $states.input",
                name_of(v));
    if (info.root_at != NOWHERE)
        diag_at(u, DIAG_JSONATA_RESTRICTION, check_str_off(u, v, 2 + info.root_at),
                "in \"%s\": '$$' cannot be used in Step Functions JSONata; use $states.input or "
                "$states.context",
                name_of(v));
    /* AWS evaluates these to nothing where they are not provided, and the
     * state fails when it runs: warnings, not errors. */
    if (info.result_at != NOWHERE && !(flags & CHECK_JA_RESULT))
        diag_at(u, DIAG_UNAVAILABLE_STATES_FIELD, check_str_off(u, v, 2 + info.result_at),
                "in \"%s\": $states.result is only available in the \"Output\" and \"Assign\" of a Task, "
                "Map or Parallel state",
                name_of(v));
    if (info.error_output_at != NOWHERE && !(flags & CHECK_JA_ERROR_OUTPUT))
        diag_at(u, DIAG_UNAVAILABLE_STATES_FIELD, check_str_off(u, v, 2 + info.error_output_at),
                "in \"%s\": $states.errorOutput is only available in the \"Output\" and \"Assign\" of a "
                "catcher",
                name_of(v));
    if (info.eval_at != NOWHERE)
        diag_at(u, DIAG_UNSUPPORTED_FUNCTION, check_str_off(u, v, 2 + info.eval_at),
                "in \"%s\": Step Functions does not provide $eval; use $parse", name_of(v));
    for (int i = 0; i < info.nrefs; i++)
        check_var_ref(c, s + 2 + info.refs[i].at, info.refs[i].len,
                      check_str_off(u, v, 2 + info.refs[i].at - 1));
}

void check_jsonata_value(check_ctx *c, const cJSON *v, unsigned flags)
{
    if (!v)
        return;
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        const cJSON *e;
        cJSON_ArrayForEach (e, v) {
            if (cJSON_IsObject(v)) {
                size_t n = strlen(e->string);
                if (n > 2 && strcmp(e->string + n - 2, ".$") == 0)
                    diag_key(
                        c->u, DIAG_DOLLAR_KEY_IN_JSONATA, e,
                        "\"%s\": in a JSONata state a key ending in \".$\" is kept as it is; the value is "
                        "not a path (write \"%.*s\": \"{%% ... %%}\")",
                        e->string, (int)(n - 2), e->string);
            }
            check_jsonata_value(c, e, flags);
        }
        return;
    }
    if (check_is_jsonata_string(v)) {
        check_expression(c, v, flags);
        return;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        size_t n = strlen(s), lead = strspn(s, " \t\r\n");
        bool opens = strncmp(s + lead, "{%", 2) == 0;
        size_t end = n;
        while (end > 0 && strchr(" \t\r\n", s[end - 1]))
            end--;
        bool closes = end >= 2 && strncmp(s + end - 2, "%}", 2) == 0;
        if (opens && closes && end - lead >= 4)
            diag_val(c->u, DIAG_MALFORMED_JSONATA, v,
                     "\"%s\" is not evaluated: a JSONata expression must start with \"{%%\" and end with "
                     "\"%%}\" with nothing around them",
                     name_of(v));
        else if (opens && !closes && strstr(s, "%}") == NULL)
            diag_val(
                c->u, DIAG_MALFORMED_JSONATA, v,
                "\"%s\" starts like a JSONata expression but has no closing \"%%}\": it is a plain string",
                name_of(v));
    }
}

/* ==== JSONata states ==================================================== */

/* Fields only JSONPath states have, and what replaces them in JSONata. */
static const char *jsonpath_replacement(const char *f)
{
    static const char *const map[][2] = {
        {"InputPath", "\"Arguments\" with $states.input"},
        {"Parameters", "\"Arguments\""},
        {"ResultSelector", "\"Output\""},
        {"ResultPath", "\"Output\""},
        {"OutputPath", "\"Output\""},
        {"Result", "\"Output\""},
        {"ItemsPath", "\"Items\""},
        {"SecondsPath", "\"Seconds\" with a JSONata expression"},
        {"TimestampPath", "\"Timestamp\" with a JSONata expression"},
        {"TimeoutSecondsPath", "\"TimeoutSeconds\" with a JSONata expression"},
        {"HeartbeatSecondsPath", "\"HeartbeatSeconds\" with a JSONata expression"},
        {"ErrorPath", "\"Error\" with a JSONata expression"},
        {"CausePath", "\"Cause\" with a JSONata expression"},
        {"MaxConcurrencyPath", "\"MaxConcurrency\" with a JSONata expression"},
        {"ToleratedFailureCountPath", "\"ToleratedFailureCount\" with a JSONata expression"},
        {"ToleratedFailurePercentagePath", "\"ToleratedFailurePercentage\" with a JSONata expression"},
        {"MaxItemsPath", "\"MaxItems\" with a JSONata expression"},
        {"MaxItemsPerBatchPath", "\"MaxItemsPerBatch\" with a JSONata expression"},
        {"MaxInputBytesPerBatchPath", "\"MaxInputBytesPerBatch\" with a JSONata expression"},
        {"Variable", "\"Condition\""},
    };
    for (size_t k = 0; k < sizeof map / sizeof *map; k++)
        if (strcmp(map[k][0], f) == 0)
            return map[k][1];
    return NULL;
}

static bool listed(const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(key, *list) == 0)
            return true;
    return false;
}

/* Like check_fields(), with JSONata's wording for JSONPath-only fields. */
static void ja_fields(check_ctx *c, const cJSON *obj, const char *const *allowed, const char *where)
{
    const cJSON *m;
    cJSON_ArrayForEach (m, obj) {
        if (listed(m->string, allowed))
            continue;
        const char *rep = jsonpath_replacement(m->string);
        if (rep)
            diag_key(c->u, DIAG_FIELD_NOT_ALLOWED, m,
                     "\"%s\" is a JSONPath field and cannot be used in %s (\"QueryLanguage\": \"JSONata\"); "
                     "use %s",
                     m->string, where, rep);
        else if (listed(m->string, check_any_state_fields()))
            diag_key(c->u, DIAG_FIELD_NOT_ALLOWED, m, "\"%s\" is not allowed in %s", m->string, where);
        else
            diag_key(c->u, DIAG_UNKNOWN_FIELD, m, "unknown field \"%s\" in %s", m->string, where);
    }
}

/* An integer in [lo, hi], or a JSONata string that must evaluate to one. */
static bool ja_int(check_ctx *c, const cJSON *v, long long lo, long long hi, diag_code code)
{
    if (!v)
        return false;
    if (check_is_jsonata_string(v)) {
        check_jsonata_value(c, v, 0);
        return false;
    }
    if (!cJSON_IsNumber(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v,
                 "\"%s\" must be an integer or a JSONata expression \"{%% ... %%}\", found %s", name_of(v),
                 cJSON_IsString(v) ? "a string that is not one" : check_type_name(v));
        return false;
    }
    return check_int_range(c, v, lo, hi, code);
}

/* A string, either literal or a JSONata string. */
static void ja_string(check_ctx *c, const cJSON *v)
{
    if (v && check_string(c, v))
        check_jsonata_value(c, v, 0);
}

/* An object, or a JSONata string that evaluates to one ("Arguments"). */
static void ja_object_or_expr(check_ctx *c, const cJSON *v, unsigned flags)
{
    if (!v)
        return;
    if (!cJSON_IsObject(v) && !check_is_jsonata_string(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v,
                 "\"%s\" must be an object or a JSONata expression \"{%% ... %%}\", found %s", name_of(v),
                 cJSON_IsString(v) ? "a string that is not one" : check_type_name(v));
        return;
    }
    check_jsonata_value(c, v, flags);
}

static void ja_assign(check_ctx *c, const cJSON *v, unsigned flags)
{
    if (!v)
        return;
    if (!cJSON_IsObject(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v, "\"Assign\" must be an object of variable names, found %s",
                 check_type_name(v));
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach (m, v) {
        check_var_assign(c, m, false);
        check_jsonata_value(c, m, flags);
    }
}

static void ja_resource(check_ctx *c, const cJSON *st)
{
    const cJSON *res = check_get(st, "Resource");
    if (!res) {
        diag_key(c->u, DIAG_MISSING_FIELD, st, "Task state \"%s\" has no \"Resource\"", st->string);
        return;
    }
    if (!check_string(c, res))
        return;
    /* A URI: scheme ':' something (as check_task.c reads a JSONPath Task's). */
    const char *s = res->valuestring, *q = s;
    bool ok = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z');
    if (ok) {
        for (q++; *q && *q != ':'; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
                  *q == '+' || *q == '-' || *q == '.')) {
                ok = false;
                break;
            }
        ok = ok && q[0] == ':' && q[1] != '\0';
    }
    if (!ok) {
        diag_val(c->u, DIAG_INVALID_RESOURCE, res,
                 "\"Resource\" must be a URI such as \"arn:aws:states:::lambda:invoke\", found \"%s\"", s);
        return;
    }
    int colons = 0;
    for (q = s; *q; q++)
        colons += *q == ':';
    if (strncmp(s, "arn:", 4) != 0 || colons < 5)
        diag_val(c->u, DIAG_RESOURCE_NOT_ARN, res,
                 "\"Resource\" \"%s\" is a URI but not an AWS ARN "
                 "(arn:partition:service:region:account:resource); "
                 "AWS refuses it when the state machine is created",
                 s);
}

/* Retry and Catch of a JSONata state: check_task.c's one checker, with a
 * JSONata catcher's own fields (Output, no ResultPath). */
static void ja_retry_catch(check_ctx *c, check_scope *scope, const cJSON *st)
{
    static const char *const fields[] = {"ErrorEquals", "Next", "Output", "Assign", "Comment", NULL};
    const cJSON *catch_ = check_get(st, "Catch"), *k;
    check_retriers(c, check_get(st, "Retry"));
    if (!catch_ || !check_array(c, catch_))
        return;
    cJSON_ArrayForEach (k, catch_) {
        if (!check_catcher_common(c, scope, k, k->next == NULL))
            continue;
        ja_fields(c, k, fields, "a JSONata catcher");
        check_jsonata_value(c, check_get(k, "Output"), CHECK_JA_ERROR_OUTPUT);
        ja_assign(c, check_get(k, "Assign"), CHECK_JA_ERROR_OUTPUT);
    }
}

static void ja_choice(check_ctx *c, check_scope *scope, const cJSON *st)
{
    const cJSON *choices = check_get(st, "Choices");
    if (!choices) {
        diag_key(c->u, DIAG_MISSING_FIELD, st, "Choice state \"%s\" has no \"Choices\"", st->string);
    } else if (check_array(c, choices)) {
        if (cJSON_GetArraySize(choices) == 0)
            diag_val(c->u, DIAG_INVALID_CHOICE_RULE, choices, "\"Choices\" must hold at least one rule");
        static const char *const fields[] = {"Condition", "Next", "Output", "Assign", "Comment", NULL};
        const cJSON *r;
        cJSON_ArrayForEach (r, choices) {
            if (!cJSON_IsObject(r)) {
                diag_val(c->u, DIAG_INVALID_CHOICE_RULE, r, "a Choice rule must be an object, found %s",
                         check_type_name(r));
                continue;
            }
            const cJSON *m;
            cJSON_ArrayForEach (m, r) {
                if (listed(m->string, fields))
                    continue;
                if (strcmp(m->string, "Variable") == 0 || strcmp(m->string, "And") == 0 ||
                    strcmp(m->string, "Or") == 0 || strcmp(m->string, "Not") == 0 ||
                    check_choice_op(m->string))
                    diag_key(c->u, DIAG_FIELD_NOT_ALLOWED, m,
                             "\"%s\" belongs to JSONPath Choice rules; a JSONata rule tests \"Condition\"",
                             m->string);
                else
                    diag_key(c->u, DIAG_UNKNOWN_FIELD, m, "unknown field \"%s\" in a JSONata Choice rule",
                             m->string);
            }
            const cJSON *cond = check_get(r, "Condition");
            if (!cond)
                diag_val(c->u, DIAG_INVALID_CHOICE_RULE, r, "a JSONata Choice rule needs \"Condition\"");
            else if (check_is_jsonata_string(cond))
                check_jsonata_value(c, cond, 0);
            else if (!cJSON_IsBool(cond))
                diag_val(c->u, DIAG_INVALID_CHOICE_RULE, cond,
                         "\"Condition\" must be a boolean or a JSONata expression \"{%% ... %%}\", found %s",
                         cJSON_IsString(cond) ? "a string that is not one" : check_type_name(cond));
            const cJSON *next = check_get(r, "Next");
            if (next)
                check_target(c, scope, next, "Next");
            else
                diag_val(c->u, DIAG_INVALID_CHOICE_RULE, r, "a top-level Choice rule needs \"Next\"");
            if ((m = check_get(r, "Comment")))
                check_string(c, m);
            check_jsonata_value(c, check_get(r, "Output"), 0);
            ja_assign(c, check_get(r, "Assign"), 0);
        }
    }
    const cJSON *def = check_get(st, "Default");
    if (def)
        check_target(c, scope, def, "Default");
}

static void ja_wait(check_ctx *c, const cJSON *st)
{
    const cJSON *sec = check_get(st, "Seconds"), *ts = check_get(st, "Timestamp");
    if (sec && ts)
        check_exclusive(c, sec, ts);
    else if (!sec && !ts)
        diag_key(c->u, DIAG_MISSING_FIELD, st, "Wait state \"%s\" needs \"Seconds\" or \"Timestamp\"",
                 st->string);
    ja_int(c, sec, 0, 99999999LL, DIAG_INVALID_VALUE);
    if (ts && check_string(c, ts)) {
        if (check_is_jsonata_string(ts)) {
            check_jsonata_value(c, ts, 0);
        } else {
            long long s;
            long ns;
            if (!rt_parse_timestamp(ts->valuestring, &s, &ns))
                diag_val(
                    c->u, DIAG_INVALID_TIMESTAMP, ts,
                    "\"Timestamp\" \"%s\" is not an RFC 3339 timestamp such as 2016-03-14T01:59:00Z; the "
                    "state will fail when it runs",
                    ts->valuestring);
        }
    }
}

static void ja_task(check_ctx *c, const cJSON *st)
{
    ja_resource(c, st);
    ja_object_or_expr(c, check_get(st, "Arguments"), 0);
    const cJSON *to = check_get(st, "TimeoutSeconds"), *hb = check_get(st, "HeartbeatSeconds");
    bool to_ok = ja_int(c, to, 1, 99999999LL, DIAG_INVALID_VALUE);
    bool hb_ok = ja_int(c, hb, 1, 99999999LL, DIAG_INVALID_VALUE);
    if (to_ok && hb_ok && hb->valuedouble >= to->valuedouble)
        diag_val(c->u, DIAG_INVALID_VALUE, hb,
                 "\"HeartbeatSeconds\" (%.0f) must be less than \"TimeoutSeconds\" (%.0f)", hb->valuedouble,
                 to->valuedouble);
    const cJSON *cred = check_get(st, "Credentials");
    if (cred) {
        if (!cJSON_IsObject(cred))
            diag_val(c->u, DIAG_WRONG_TYPE, cred,
                     "\"Credentials\" must be an object such as {\"RoleArn\": \"...\"}, found %s",
                     check_type_name(cred));
        else
            check_jsonata_value(c, cred, 0);
    }
}

static void ja_item_reader(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {"Resource", "Arguments", "ReaderConfig", NULL};
    static const char *const cfg_fields[] = {"InputType", "CSVHeaderLocation", "CSVHeaders",   "CSVDelimiter",
                                             "MaxItems",  "ManifestType",      "ItemsPointer", NULL};
    if (!v || !check_object(c, v))
        return;
    ja_fields(c, v, fields, "a JSONata \"ItemReader\"");
    const cJSON *res = check_get(v, "Resource");
    if (!res)
        diag_key(c->u, DIAG_INVALID_MAP, v, "\"ItemReader\" needs \"Resource\"");
    else
        check_string(c, res);
    ja_object_or_expr(c, check_get(v, "Arguments"), 0);
    const cJSON *cfg = check_get(v, "ReaderConfig");
    if (cfg && check_object(c, cfg)) {
        ja_fields(c, cfg, cfg_fields, "a JSONata \"ReaderConfig\"");
        ja_int(c, check_get(cfg, "MaxItems"), 1, 100000000LL, DIAG_INVALID_MAP);
        const cJSON *e;
        if ((e = check_get(cfg, "CSVHeaders")) && check_array(c, e)) {
            const cJSON *h;
            cJSON_ArrayForEach (h, e)
                check_string(c, h);
        }
        check_reader_config_values(c, cfg);
    }
}

static void ja_result_writer(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {"Resource", "Arguments", "WriterConfig", NULL};
    static const char *const cfg_fields[] = {"OutputType", "Transformation", NULL};
    static const char *const outputs[] = {"JSON", "JSONL", NULL};
    static const char *const transforms[] = {"NONE", "COMPACT", "FLATTEN", NULL};
    if (!v || !check_object(c, v))
        return;
    ja_fields(c, v, fields, "a JSONata \"ResultWriter\"");
    check_writer_sets(c, v, "Arguments");
    const cJSON *res = check_get(v, "Resource");
    if (res)
        check_string(c, res);
    ja_object_or_expr(c, check_get(v, "Arguments"), 0);
    const cJSON *cfg = check_get(v, "WriterConfig");
    if (cfg && check_object(c, cfg)) {
        check_fields(c, cfg, cfg_fields, NULL, "\"WriterConfig\"");
        const cJSON *o = check_get(cfg, "OutputType");
        if (!o)
            diag_key(c->u, DIAG_INVALID_MAP, cfg, "\"WriterConfig\" needs \"OutputType\"");
        else
            check_enum(c, o, outputs, DIAG_INVALID_MAP);
        check_enum(c, check_get(cfg, "Transformation"), transforms, DIAG_INVALID_MAP);
    }
}

static void ja_item_batcher(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {"MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput", NULL};
    if (!v || !check_object(c, v))
        return;
    ja_fields(c, v, fields, "a JSONata \"ItemBatcher\"");
    const cJSON *items = check_get(v, "MaxItemsPerBatch"), *bytes = check_get(v, "MaxInputBytesPerBatch");
    ja_int(c, items, 1, 9000000000000000000LL, DIAG_INVALID_MAP);
    ja_int(c, bytes, 1, 262144, DIAG_INVALID_MAP);
    check_jsonata_value(c, check_get(v, "BatchInput"), 0);
    if (!items && !bytes)
        diag_key(c->u, DIAG_INVALID_MAP, v,
                 "\"ItemBatcher\" needs \"MaxItemsPerBatch\" or \"MaxInputBytesPerBatch\"");
}

static void ja_map(check_ctx *c, check_scope *scope, const cJSON *st)
{
    const cJSON *it = check_get(st, "Iterator"), *proc = check_get(st, "ItemProcessor");
    if (!it && !proc)
        diag_key(c->u, DIAG_INVALID_MAP, st,
                 "Map state \"%s\" needs \"ItemProcessor\" (or the older \"Iterator\")", st->string);
    check_exclusive(c, it, proc);
    if (it)
        check_machine(c, it, CHECK_ITERATOR, scope, c->top_jsonata);
    if (proc)
        check_machine(c, proc, CHECK_PROCESSOR, scope, c->top_jsonata);
    const cJSON *items = check_get(st, "Items");
    if (items) {
        if (cJSON_IsArray(items) || check_is_jsonata_string(items))
            check_jsonata_value(c, items, 0);
        else
            diag_val(c->u, DIAG_WRONG_TYPE, items,
                     "\"Items\" must be an array or a JSONata expression \"{%% ... %%}\", found %s",
                     cJSON_IsString(items) ? "a string that is not one" : check_type_name(items));
    }
    check_jsonata_value(c, check_get(st, "ItemSelector"), 0);
    ja_int(c, check_get(st, "MaxConcurrency"), 0, 9000000000000000000LL, DIAG_INVALID_MAP);
    ja_int(c, check_get(st, "ToleratedFailureCount"), 0, 9000000000000000000LL, DIAG_INVALID_MAP);
    const cJSON *pct = check_get(st, "ToleratedFailurePercentage");
    if (pct) {
        if (check_is_jsonata_string(pct))
            check_jsonata_value(c, pct, 0);
        else if (!cJSON_IsNumber(pct))
            diag_val(c->u, DIAG_WRONG_TYPE, pct,
                     "\"ToleratedFailurePercentage\" must be a number or a JSONata expression, found %s",
                     check_type_name(pct));
        else if (pct->valuedouble < 0 || pct->valuedouble > 100)
            diag_val(c->u, DIAG_INVALID_MAP, pct,
                     "\"ToleratedFailurePercentage\" must be between 0 and 100, found %g", pct->valuedouble);
    }
    const cJSON *label = check_get(st, "Label");
    if (label)
        check_string(c, label);
    ja_item_reader(c, check_get(st, "ItemReader"));
    ja_result_writer(c, check_get(st, "ResultWriter"));
    ja_item_batcher(c, check_get(st, "ItemBatcher"));
}

void check_jsonata_state(check_ctx *c, check_scope *scope, const cJSON *st, ir_state_kind kind)
{
    /* clang-format off */
    static const char *const pass[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "Output", "Assign", NULL};
    static const char *const task[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "Resource", "Arguments",
        "Output", "Assign", "TimeoutSeconds", "HeartbeatSeconds", "Credentials", "Retry", "Catch", NULL};
    static const char *const choice[] = {"Type", "Comment", "QueryLanguage", "Choices", "Default", "Output",
        "Assign", NULL};
    static const char *const wait[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "Seconds", "Timestamp",
        "Output", "Assign", NULL};
    static const char *const succeed[] = {"Type", "Comment", "QueryLanguage", "Output", NULL};
    static const char *const fail_[] = {"Type", "Comment", "QueryLanguage", "Error", "Cause", NULL};
    static const char *const parallel[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "Branches",
        "Arguments", "Output", "Assign", "Retry", "Catch", NULL};
    static const char *const map[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "ItemProcessor",
        "Iterator", "Items", "ItemSelector", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency",
        "ToleratedFailureCount", "ToleratedFailurePercentage", "Label", "Output", "Assign", "Retry", "Catch", NULL};
    /* clang-format on */
    static const char *const *const fields[IR_NUM_KINDS + 1] = {
        [IR_PASS] = pass,       [IR_TASK] = task,  [IR_CHOICE] = choice,     [IR_WAIT] = wait,
        [IR_SUCCEED] = succeed, [IR_FAIL] = fail_, [IR_PARALLEL] = parallel, [IR_MAP] = map,
    };
    static const char *const where[IR_NUM_KINDS + 1] = {
        [IR_PASS] = "a JSONata Pass state",         [IR_TASK] = "a JSONata Task state",
        [IR_CHOICE] = "a JSONata Choice state",     [IR_WAIT] = "a JSONata Wait state",
        [IR_SUCCEED] = "a JSONata Succeed state",   [IR_FAIL] = "a JSONata Fail state",
        [IR_PARALLEL] = "a JSONata Parallel state", [IR_MAP] = "a JSONata Map state",
    };
    if (kind >= IR_NUM_KINDS || !fields[kind])
        return;
    ja_fields(c, st, fields[kind], where[kind]);
    const cJSON *v;
    if ((v = check_get(st, "Comment")))
        check_string(c, v);
    if (kind != IR_CHOICE && kind != IR_SUCCEED && kind != IR_FAIL)
        check_next_end(c, scope, st);
    bool has_result = kind == IR_TASK || kind == IR_MAP || kind == IR_PARALLEL;
    unsigned out_flags = has_result ? CHECK_JA_RESULT : 0;
    if (kind != IR_FAIL)
        check_jsonata_value(c, check_get(st, "Output"), out_flags);
    if (kind != IR_SUCCEED && kind != IR_FAIL)
        ja_assign(c, check_get(st, "Assign"), out_flags);
    switch (kind) {
    case IR_TASK:
        ja_task(c, st);
        ja_retry_catch(c, scope, st);
        break;
    case IR_CHOICE: ja_choice(c, scope, st); break;
    case IR_WAIT: ja_wait(c, st); break;
    case IR_FAIL:
        ja_string(c, check_get(st, "Error"));
        ja_string(c, check_get(st, "Cause"));
        break;
    case IR_PARALLEL: {
        ja_object_or_expr(c, check_get(st, "Arguments"), 0);
        ja_retry_catch(c, scope, st);
        const cJSON *br = check_get(st, "Branches");
        if (!br) {
            diag_key(c->u, DIAG_INVALID_PARALLEL, st, "Parallel state \"%s\" has no \"Branches\"",
                     st->string);
        } else if (check_array(c, br)) {
            const cJSON *b;
            cJSON_ArrayForEach (b, br)
                check_machine(c, b, CHECK_BRANCH, scope, c->top_jsonata);
        }
        break;
    }
    case IR_MAP:
        ja_map(c, scope, st);
        ja_retry_catch(c, scope, st);
        break;
    default: break;
    }
}
