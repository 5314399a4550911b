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

static cJSON *states_object(asl_exec *x, const asl_jstates *st)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *ctx = rt_context(x);
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
static cJSON *eval_expr(asl_exec *x, const asl_tmpl *t, const asl_jstates *st, const char *field)
{
    scope s = {x, states_object(x, st)};
    if (!s.states)
        return asl_fail_with(x, "States.Runtime", "Out of memory."), NULL;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    jn_val *v = jn_evaluate(&cx, t->jn, NULL, resolve, &s);
    cJSON *out = NULL;
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
static cJSON *value(asl_exec *x, const asl_tmpl *t, const asl_jstates *st, const char *field)
{
    cJSON *r = NULL;
    switch (t->kind) {
    case ASL_T_NULL: r = cJSON_CreateNull(); break;
    case ASL_T_TRUE: r = cJSON_CreateTrue(); break;
    case ASL_T_FALSE: r = cJSON_CreateFalse(); break;
    case ASL_T_NUMBER: r = cJSON_CreateNumber(t->num); break;
    case ASL_T_STRING: r = cJSON_CreateString(t->str ? t->str : ""); break;
    case ASL_T_JSONATA: return eval_expr(x, t, st, field);
    case ASL_T_OBJECT:
        r = cJSON_CreateObject();
        for (int i = 0; r && i < t->n; i++) {
            const asl_field *f = &t->fields[i];
            char *sub = rt_fmt("%s/%s", field, f->key);
            cJSON *v = sub ? value(x, f->value, st, sub) : NULL;
            free(sub);
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
            char *sub = rt_fmt("%s[%d]", field, i);
            cJSON *v = sub ? value(x, &t->items[i], st, sub) : NULL;
            free(sub);
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

cJSON *asl_jn_value(asl_exec *x, const asl_tmpl *t, const asl_jstates *s, const char *field)
{
    return value(x, t, s, field);
}

int asl_jn_assign(asl_exec *x, const asl_tmpl *t, const asl_jstates *s)
{
    if (!t || t->kind != ASL_T_OBJECT)
        return asl_fail_with(x, "States.Runtime", "invalid Assign template");
    for (int i = 0; i < t->n; i++) {
        const asl_field *f = &t->fields[i];
        char *field = rt_fmt("Assign/%s", f->key);
        cJSON *v = field ? value(x, f->value, s, field) : NULL;
        free(field);
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
    cJSON *v = value(x, t, s, "Condition");
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
    cJSON *v = value(x, t, s, "Seconds");
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
    cJSON *v = value(x, t, s, "Timestamp");
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
    cJSON *e = error ? value(x, error, s, "Error") : NULL;
    if (error && !e)
        return ASL_NEXT_ERROR;
    cJSON *c = cause ? value(x, cause, s, "Cause") : NULL;
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
    cJSON *v = value(x, t, s, field);
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
    if (t->credentials_jn && !(cred = value(x, t->credentials_jn, s, "Credentials")))
        return NULL;
    run.credentials_value = cred;
    cJSON *r = asl_task_invoke(x, &run, s->input, args);
    cJSON_Delete(cred);
    return r;
}
