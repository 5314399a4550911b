/*
 * states_jsonata.c - the fields of JSONata states (QueryLanguage
 * "JSONata"): Arguments, Output, Assign, Condition, Items, Wait's Seconds /
 * Timestamp, Fail's Error / Cause, evaluated with the JSONata engine
 * (jsonata_eval.h) over `$states` and the workflow variables, with AWS's
 * States.QueryEvaluationError causes and its EvaluationFailed event.
 *
 * The expressions were parsed by aslc and reach the program as static
 * trees (codegen/emit_jsonata.c); nothing is parsed here. Inputs are read
 * in place: `$states.input` and the variables are the documents
 * themselves, borrowed for the evaluation.
 *
 * Layer: engine
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effects.h"
#include "engine.h"
#include "jsonata_eval.h"
#include "timestamp.h"
#include "values.h"

/* ==== Failing as AWS does ================================================= */
/* States.QueryEvaluationError with the "An error occurred while executing
 * the state ..." head, after an EvaluationFailed event naming the field. */
int asl_fail_query(asl_exec *x, const char *field, const char *fmt, ...)
{
    char rest[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rest, sizeof rest, fmt, ap);
    va_end(ap);
    const char *name = rt_state_name(x);
    char cause[2048];
    snprintf(cause, sizeof cause,
             "An error occurred while executing the state '%s' (entered at the event id #%ld). %s",
             name, x->entered_event_id, rest);
    cJSON *d = cJSON_CreateObject();
    if (d && (!cJSON_AddStringToObject(d, "error", "States.QueryEvaluationError") ||
              !cJSON_AddStringToObject(d, "cause", cause) ||
              (field && !cJSON_AddStringToObject(d, "location", field)) ||
              !cJSON_AddStringToObject(d, "state", name))) {
        cJSON_Delete(d);
        d = NULL;
    }
    rt_event(x, "EvaluationFailed", "evaluationFailedEventDetails", d);
    return asl_fail_with(x, "States.QueryEvaluationError", cause);
}

/* The JSON type of [v] in AWS's words. */
static const char *type_name(const cJSON *v)
{
    if (cJSON_IsBool(v))
        return "boolean";
    if (cJSON_IsNumber(v))
        return "number";
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsObject(v))
        return "object";
    return "null";
}

/* ==== Where a value sits ====================================================== */
/* The field a value is in ("Arguments/Payload/x", "Items[2]"), kept as a
 * chain on the C stack and written out only when a cause needs it. */
typedef struct fpath {
    const struct fpath *up;
    const char *name;   /* a key, or the field's own name at the top */
    int index;          /* an array position when name is 0 */
} fpath;

static void put_path(const fpath *f, char *buf, size_t cap, size_t *len)
{
    if (!f)
        return;
    put_path(f->up, buf, cap, len);
    int n = f->name ? snprintf(buf + *len, cap - *len, "%s%s", f->up ? "/" : "", f->name)
                    : snprintf(buf + *len, cap - *len, "[%d]", f->index);
    if (n > 0)
        *len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

static const char *path_text(const fpath *f, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    put_path(f, buf, cap, &len);
    return buf;
}

/* ==== Evaluating one expression ============================================ */
typedef struct scope {
    asl_exec *x;
    cJSON *states;   /* {input, context, result?, errorOutput?}: references */
} scope;

static const cJSON *resolve(void *user, const char *name, size_t len)
{
    scope *s = user;
    if (len == 6 && memcmp(name, "states", 6) == 0)
        return s->states;
    return rt_var_get(s->x, name, len);
}

/* Whether [expr] may read $states.context: building the context object
 * (timestamps, names) on every evaluation is most of what a simple
 * expression costs. Conservative: any mention of "context", and any use
 * of $states other than a plain `$states.<name>` step. */
static bool reads_context(const char *expr)
{
    if (strstr(expr, "context"))
        return true;
    for (const char *p = strstr(expr, "$states"); p; p = strstr(p + 7, "$states")) {
        const char *q = p + 7;
        if (*q != '.' || !((q[1] >= 'a' && q[1] <= 'z') || (q[1] >= 'A' && q[1] <= 'Z')))
            return true;
    }
    return false;
}

static cJSON *states_object(asl_exec *x, const asl_jstates *st, bool with_context)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *ctx = with_context ? rt_context(x) : NULL;
    if (!o || (st->input && !cJSON_AddItemReferenceToObject(o, "input", (cJSON *)st->input)) ||
        (ctx && !cJSON_AddItemReferenceToObject(o, "context", (cJSON *)ctx)) ||
        (st->result && !cJSON_AddItemReferenceToObject(o, "result", (cJSON *)st->result)) ||
        (st->error_output &&
         !cJSON_AddItemReferenceToObject(o, "errorOutput", (cJSON *)st->error_output))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The value of one "{% %}": a fresh tree, or 0 with the error set. */
static cJSON *eval_expr(asl_exec *x, const asl_tmpl *t, const asl_jstates *st, const fpath *fp)
{
    char fbuf[512];
    scope s = {x, states_object(x, st, reads_context(t->str))};
    if (!s.states)
        return asl_fail_with(x, "States.Runtime", "Out of memory."), NULL;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    jn_val *v = jn_evaluate(&cx, t->jn, NULL, resolve, &s);
    cJSON *out = NULL;
    const char *field = (jn_failed(&cx) || !v || v->type == JN_FUNCTION) ? path_text(fp, fbuf, sizeof fbuf) : "";
    if (jn_failed(&cx)) {
        const jn_error *e = jn_ctx_error(&cx);
        asl_fail_query(x, field,
                     "The JSONata expression '%s' specified for the field '%s' threw an error "
                     "during evaluation. %s: %s",
                     t->str, field, e->code, e->message);
    } else if (!v) {
        asl_fail_query(x, field,
                     "The JSONata expression '%s' specified for the field '%s' returned nothing "
                     "(undefined).",
                     t->str, field);
    } else if (v->type == JN_FUNCTION) {
        asl_fail_query(x, field,
                     "The JSONata expression '%s' specified for the field '%s' returned an "
                     "unsupported result type.",
                     t->str, field);
    } else if (!(out = jn_to_json(&cx, v))) {
        asl_fail_with(x, "States.Runtime", "Out of memory.");
    }
    jn_ctx_free(&cx);
    cJSON_Delete(s.states);
    return out;
}

/* ==== Templates ============================================================== */
static cJSON *value(asl_exec *x, const asl_tmpl *t, const asl_jstates *st, const fpath *fp)
{
    cJSON *r = NULL;
    switch (t->kind) {
    case ASL_T_NULL: r = cJSON_CreateNull(); break;
    case ASL_T_TRUE: r = cJSON_CreateTrue(); break;
    case ASL_T_FALSE: r = cJSON_CreateFalse(); break;
    case ASL_T_NUMBER: r = cJSON_CreateNumber(t->num); break;
    case ASL_T_STRING: r = cJSON_CreateString(t->str ? t->str : ""); break;
    case ASL_T_JSONATA: return eval_expr(x, t, st, fp);
    case ASL_T_OBJECT:
        r = cJSON_CreateObject();
        for (int i = 0; r && i < t->n; i++) {
            const asl_field *f = &t->fields[i];
            fpath sub = {fp, f->key, 0};
            cJSON *v = value(x, f->value, st, &sub);
            if (!v) {
                cJSON_Delete(r);
                return asl_failed(x) ? NULL : (asl_fail_with(x, "States.Runtime", "Out of memory."), NULL);
            }
            cJSON_AddItemToObject(r, f->key, v);
        }
        break;
    case ASL_T_ARRAY:
        r = cJSON_CreateArray();
        for (int i = 0; r && i < t->n; i++) {
            fpath sub = {fp, NULL, i};
            cJSON *v = value(x, &t->items[i], st, &sub);
            if (!v) {
                cJSON_Delete(r);
                return asl_failed(x) ? NULL : (asl_fail_with(x, "States.Runtime", "Out of memory."), NULL);
            }
            cJSON_AddItemToArray(r, v);
        }
        break;
    default:
        return asl_fail_with(x, "States.Runtime", "A JSONata field holds a JSONPath template."), NULL;
    }
    if (!r)
        asl_fail_with(x, "States.Runtime", "Out of memory.");
    return r;
}

/* value() of a whole field named [field]. */
static cJSON *field_value(asl_exec *x, const asl_tmpl *t, const asl_jstates *s, const char *field)
{
    fpath top = {NULL, field, 0};
    return value(x, t, s, &top);
}

cJSON *asl_jn_value(asl_exec *x, const asl_tmpl *t, const asl_jstates *s, const char *field)
{
    return field_value(x, t, s, field);
}

int asl_jn_assign(asl_exec *x, const asl_tmpl *t, const asl_jstates *s)
{
    if (!t || t->kind != ASL_T_OBJECT)
        return asl_fail_with(x, "States.Runtime", "invalid Assign template");
    for (int i = 0; i < t->n; i++) {
        const asl_field *f = &t->fields[i];
        fpath top = {NULL, "Assign", 0}, sub = {&top, f->key, 0};
        cJSON *v = value(x, f->value, s, &sub);
        if (!v || rt_vars_stage(x, f->key, strlen(f->key), v) != 0) {
            if (!asl_failed(x))
                asl_fail_with(x, "States.Runtime", "Out of memory.");
            rt_vars_discard(x);
            return ASL_NEXT_ERROR;
        }
    }
    return 0;
}

int asl_jn_test(asl_exec *x, const asl_tmpl *t, const asl_jstates *s)
{
    cJSON *v = field_value(x, t, s, "Condition");
    if (!v)
        return -1;
    int r = cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
    if (r < 0) {
        char *text = rt_json_print(v);
        asl_fail_query(x, "Condition",
                     "The JSONata expression '%s' specified for the field 'Condition' returned an "
                     "unexpected result type. Expected 'boolean', but was '%s' for value: %s",
                     t->kind == ASL_T_JSONATA ? t->str : "", type_name(v), text ? text : "");
        free(text);
    }
    cJSON_Delete(v);
    return r;
}

int asl_jn_wait_seconds(asl_exec *x, const asl_tmpl *t, const asl_jstates *s)
{
    cJSON *v = field_value(x, t, s, "Seconds");
    if (!v)
        return ASL_NEXT_ERROR;
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(d == floor(d) && d >= 0 && d <= 99999999)) {
        char *text = rt_json_print(v);
        asl_fail_query(x, "Seconds",
                     "The JSONata expression '%s' specified for the field 'Seconds' returned an "
                     "unexpected result type. Expected 'integer', but was '%s' for value: %s",
                     t->kind == ASL_T_JSONATA ? t->str : "", type_name(v), text ? text : "");
        free(text);
        cJSON_Delete(v);
        return ASL_NEXT_ERROR;
    }
    cJSON_Delete(v);
    return asl_wait_seconds(x, (long long)d);
}

int asl_jn_wait_timestamp(asl_exec *x, const asl_tmpl *t, const asl_jstates *s)
{
    cJSON *v = field_value(x, t, s, "Timestamp");
    if (!v)
        return ASL_NEXT_ERROR;
    long long sec = 0;
    long nsec = 0;
    if (!cJSON_IsString(v) || !rt_parse_timestamp(v->valuestring, &sec, &nsec)) {
        char *text = cJSON_IsString(v) ? NULL : rt_json_print(v);
        asl_fail_query(x, "Timestamp",
                     "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                     "date-time format string: %s",
                     cJSON_IsString(v) ? v->valuestring : text ? text : "");
        free(text);
        cJSON_Delete(v);
        return ASL_NEXT_ERROR;
    }
    cJSON_Delete(v);
    return asl_wait_timestamp(x, NULL, 1, sec, nsec);
}

int asl_jn_fail(asl_exec *x, const asl_tmpl *error, const asl_tmpl *cause, const asl_jstates *s)
{
    cJSON *e = error ? field_value(x, error, s, "Error") : NULL;
    if (error && !e)
        return ASL_NEXT_ERROR;
    cJSON *c = cause ? field_value(x, cause, s, "Cause") : NULL;
    if (cause && !c) {
        cJSON_Delete(e);
        return ASL_NEXT_ERROR;
    }
    /* a non-string result is written as its JSON text */
    char *et = e && !cJSON_IsString(e) ? rt_json_print(e) : NULL;
    char *ct = c && !cJSON_IsString(c) ? rt_json_print(c) : NULL;
    int r = asl_fail_state(x, s->input, e ? (et ? et : e->valuestring) : NULL,
                           c ? (ct ? ct : c->valuestring) : NULL, NULL, NULL);
    free(et);
    free(ct);
    cJSON_Delete(e);
    cJSON_Delete(c);
    return r;
}

/* A positive whole number of seconds from a JSONata TimeoutSeconds /
 * HeartbeatSeconds; false with the error set. */
static bool seconds(asl_exec *x, const asl_tmpl *t, const asl_jstates *s, const char *field, long *out)
{
    cJSON *v = field_value(x, t, s, field);
    if (!v)
        return false;
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    bool ok = d == floor(d) && d >= 1 && d <= 99999999;
    if (ok)
        *out = (long)d;
    else {
        char *text = rt_json_print(v);
        asl_fail_query(x, field,
                       "The JSONata expression '%s' specified for the field '%s' returned an "
                       "unexpected result type. Expected 'integer', but was '%s' for value: %s",
                       t->kind == ASL_T_JSONATA ? t->str : "", field, type_name(v), text ? text : "");
        free(text);
    }
    cJSON_Delete(v);
    return ok;
}

cJSON *asl_jn_task_invoke(asl_exec *x, const asl_task *t, const asl_jstates *s, const cJSON *args)
{
    asl_task run = *t;
    cJSON *cred = NULL;
    if (t->timeout_jn && !seconds(x, t->timeout_jn, s, "TimeoutSeconds", &run.timeout_seconds))
        return NULL;
    if (t->heartbeat_jn && !seconds(x, t->heartbeat_jn, s, "HeartbeatSeconds", &run.heartbeat_seconds))
        return NULL;
    if (t->credentials_jn && !(cred = field_value(x, t->credentials_jn, s, "Credentials")))
        return NULL;
    run.credentials_value = cred;
    cJSON *r = asl_task_invoke(x, &run, s->input, args);
    cJSON_Delete(cred);
    return r;
}

int asl_jn_number(asl_exec *x, const asl_tmpl *t, const asl_jstates *s, const char *field, bool integer,
                  double *out)
{
    cJSON *v = field_value(x, t, s, field);
    if (!v)
        return -1;
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    int rc = 0;
    if (isnan(d) || (integer && d != floor(d))) {
        char *text = rt_json_print(v);
        asl_fail_query(x, field,
                       "The JSONata expression '%s' specified for the field '%s' returned an "
                       "unexpected result type. Expected '%s', but was '%s' for value: %s",
                       t->kind == ASL_T_JSONATA ? t->str : "", field, integer ? "integer" : "number",
                       type_name(v), text ? text : "");
        free(text);
        rc = -1;
    } else {
        *out = d;
    }
    cJSON_Delete(v);
    return rc;
}
