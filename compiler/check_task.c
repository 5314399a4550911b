/*
 * check_task.c - Task states (Resource, timeouts, Credentials) and the
 * Retry / Catch fields that Task, Parallel and Map share.
 *
 * Limits follow AWS: timeouts below 99999999 seconds, IntervalSeconds at
 * least 1, MaxAttempts 0 or more, BackoffRate at least 1, MaxDelaySeconds
 * 1 to 31622400, JitterStrategy FULL or NONE, and "States.ALL" alone in
 * the last retrier / catcher.
 */
#include <string.h>

#include "check_internal.h"
#include "path.h"

#define MAX_SECONDS       99999998LL
#define MAX_DELAY_SECONDS 31622400LL

/* A URI as RFC 3986 starts: a scheme (a letter, then letters, digits, '+',
 * '-' or '.'), ':', and something after it. AWS asks for an ARN; the ASL
 * spec only for a URI, which is what is checked here. */
static bool is_uri(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return false;
    for (s++; *s && *s != ':'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '+' ||
              *s == '-' || *s == '.'))
            return false;
    return s[0] == ':' && s[1] != '\0';
}

/* arn:partition:service:region:account:resource (region and account may
 * be empty, the resource may hold more colons). */
static bool is_arn(const char *s)
{
    if (strncmp(s, "arn:", 4) != 0)
        return false;
    int colons = 0;
    for (; *s; s++)
        colons += *s == ':';
    return colons >= 5;
}

void check_task(check_ctx *c, check_scope *scope, const cJSON *st)
{
    /* clang-format off */
    static const char *const fields[] = {
        "Type", "Comment", "QueryLanguage", "Next", "End", "InputPath", "OutputPath", "ResultPath",
        "Parameters", "ResultSelector", "Retry", "Catch", "Resource", "TimeoutSeconds",
        "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Assign", NULL};
    /* clang-format on */
    check_fields(c, st, fields, check_any_state_fields(), "a Task state");
    check_next_end(c, scope, st);
    check_data_flow(c, st);
    check_retry_catch(c, scope, st);

    const cJSON *res = check_get(st, "Resource");
    if (!res)
        diag_key(c->u, DIAG_MISSING_FIELD, st, "Task state \"%s\" has no \"Resource\"", st->string);
    else if (check_string(c, res) && !is_uri(res->valuestring))
        diag_val(c->u, DIAG_INVALID_RESOURCE, res,
                 "\"Resource\" must be a URI such as \"arn:aws:states:::lambda:invoke\", found \"%s\"",
                 res->valuestring);
    else if (cJSON_IsString(res) && !is_arn(res->valuestring))
        diag_val(c->u, DIAG_RESOURCE_NOT_ARN, res,
                 "\"Resource\" \"%s\" is a URI but not an AWS ARN "
                 "(arn:partition:service:region:account:resource); "
                 "AWS refuses it when the state machine is created",
                 res->valuestring);

    const cJSON *to = check_get(st, "TimeoutSeconds"), *top = check_get(st, "TimeoutSecondsPath");
    const cJSON *hb = check_get(st, "HeartbeatSeconds"), *hbp = check_get(st, "HeartbeatSecondsPath");
    bool to_ok = to && check_int_range(c, to, 1, MAX_SECONDS, DIAG_INVALID_VALUE);
    bool hb_ok = hb && check_int_range(c, hb, 1, MAX_SECONDS, DIAG_INVALID_VALUE);
    check_path_field(c, top, PATH_REFERENCE);
    check_path_field(c, hbp, PATH_REFERENCE);
    check_exclusive(c, to, top);
    check_exclusive(c, hb, hbp);
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
            check_template(c, cred);
    }
}

bool check_error_equals(check_ctx *c, const cJSON *obj, diag_code code)
{
    const cJSON *ee = check_get(obj, "ErrorEquals");
    if (!ee) {
        diag_val(c->u, code, obj, "\"ErrorEquals\" is missing");
        return false;
    }
    if (!check_array(c, ee))
        return false;
    int n = cJSON_GetArraySize(ee);
    if (n == 0) {
        diag_val(c->u, code, ee, "\"ErrorEquals\" must name at least one error");
        return false;
    }
    bool all = false;
    const cJSON *e;
    cJSON_ArrayForEach (e, ee) {
        if (!cJSON_IsString(e)) {
            diag_val(c->u, DIAG_WRONG_TYPE, e, "error names in \"ErrorEquals\" must be strings, found %s",
                     check_type_name(e));
            continue;
        }
        if (strcmp(e->valuestring, "States.ALL") == 0) {
            all = true;
            if (n > 1)
                diag_val(c->u, code, e, "\"States.ALL\" must appear alone in \"ErrorEquals\"");
        }
    }
    return all;
}

static void check_retrier(check_ctx *c, const cJSON *r, bool last)
{
    static const char *const fields[] = {"ErrorEquals",     "IntervalSeconds", "MaxAttempts", "BackoffRate",
                                         "MaxDelaySeconds", "JitterStrategy",  "Comment",     NULL};
    static const char *const jitter[] = {"FULL", "NONE", NULL};
    if (!cJSON_IsObject(r)) {
        diag_val(c->u, DIAG_INVALID_RETRY, r, "a retrier must be an object, found %s", check_type_name(r));
        return;
    }
    check_fields(c, r, fields, NULL, "a retrier");
    if (check_error_equals(c, r, DIAG_INVALID_RETRY) && !last)
        diag_val(c->u, DIAG_INVALID_RETRY, check_get(r, "ErrorEquals"),
                 "a retrier with \"States.ALL\" must be the last one");
    const cJSON *v;
    if ((v = check_get(r, "IntervalSeconds")))
        check_int_range(c, v, 1, MAX_SECONDS + 1, DIAG_INVALID_RETRY);
    if ((v = check_get(r, "MaxAttempts")))
        check_int_range(c, v, 0, MAX_SECONDS, DIAG_INVALID_RETRY);
    if ((v = check_get(r, "MaxDelaySeconds")))
        check_int_range(c, v, 1, MAX_DELAY_SECONDS, DIAG_INVALID_RETRY);
    if ((v = check_get(r, "BackoffRate"))) {
        if (!cJSON_IsNumber(v))
            diag_val(c->u, DIAG_WRONG_TYPE, v, "\"BackoffRate\" must be a number, found %s",
                     check_type_name(v));
        else if (v->valuedouble < 1.0)
            diag_val(c->u, DIAG_INVALID_RETRY, v, "\"BackoffRate\" must be at least 1.0, found %g",
                     v->valuedouble);
        else if (v->valuedouble > (double)MAX_SECONDS)
            diag_val(c->u, DIAG_INVALID_RETRY, v, "\"BackoffRate\" must be at most %lld, found %g",
                     MAX_SECONDS, v->valuedouble);
    }
    if ((v = check_get(r, "Comment")))
        check_string(c, v);
    check_enum(c, check_get(r, "JitterStrategy"), jitter, DIAG_INVALID_RETRY);
}

bool check_catcher_common(check_ctx *c, check_scope *scope, const cJSON *k, bool last)
{
    if (!cJSON_IsObject(k)) {
        diag_val(c->u, DIAG_INVALID_CATCH, k, "a catcher must be an object, found %s", check_type_name(k));
        return false;
    }
    if (check_error_equals(c, k, DIAG_INVALID_CATCH) && !last)
        diag_val(c->u, DIAG_INVALID_CATCH, check_get(k, "ErrorEquals"),
                 "a catcher with \"States.ALL\" must be the last one");
    const cJSON *next = check_get(k, "Next");
    if (next)
        check_target(c, scope, next, "Next");
    else
        diag_val(c->u, DIAG_INVALID_CATCH, k, "a catcher needs \"Next\"");
    const cJSON *v;
    if ((v = check_get(k, "Comment")))
        check_string(c, v);
    return true;
}

/* A JSONPath catcher: the common rules, then its fields, ResultPath and
 * Assign. */
static void check_catcher(check_ctx *c, check_scope *scope, const cJSON *k, bool last)
{
    static const char *const fields[] = {"ErrorEquals", "Next", "ResultPath", "Comment", "Assign", NULL};
    static const char *const jsonata_only[] = {"Output", NULL};
    if (!check_catcher_common(c, scope, k, last))
        return;
    check_fields(c, k, fields, jsonata_only, "a catcher");
    check_path_field(c, check_get(k, "ResultPath"),
                     PATH_REFERENCE | PATH_NO_CONTEXT | PATH_NO_VARIABLE | CHECK_PATH_NULL_OK);
    check_assign(c, check_get(k, "Assign"));
}

void check_retriers(check_ctx *c, const cJSON *retry)
{
    const cJSON *e;
    if (retry && check_array(c, retry))
        cJSON_ArrayForEach (e, retry)
            check_retrier(c, e, e->next == NULL);
}

void check_retry_catch(check_ctx *c, check_scope *scope, const cJSON *st)
{
    const cJSON *catch_ = check_get(st, "Catch"), *e;
    check_retriers(c, check_get(st, "Retry"));
    if (catch_ && check_array(c, catch_))
        cJSON_ArrayForEach (e, catch_)
            check_catcher(c, scope, e, e->next == NULL);
}
