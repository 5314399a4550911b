/*
 * context_object.c - the context object ($$) of the current state:
 * Execution (Id, Input, Name, RoleArn, StartTime, RedriveCount), State
 * (EnteredTime, Name, RetryCount), StateMachine (Id, Name) and, in a
 * .waitForTaskToken Task state, Task.Token. TestState's context
 * (rt_options.context) is either all of $$ (a context the request gives,
 * as AWS answers) or laid over what is built here (its defaults).
 *
 * $$ is built only when a path reads it and refreshed when the state or
 * the attempt changes. The task token of a callback attempt is made on
 * first use (here or by task.c, which hands it to the handler) and kept
 * on the asl_exec for that attempt.
 *
 * Layer: values. Owns x->context (freed by rt_exec_dispose) and
 * x->task_token.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "values.h"

static bool add_string(cJSON *o, const char *key, const char *val)
{
    return cJSON_AddStringToObject(o, key, val ? val : "") != NULL;
}

/* The members of [over] laid over [dst]: objects merged member by member,
 * other values replacing (copies). */
static void overlay(cJSON *dst, const cJSON *over)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, over) {
        if (!m->string)
            continue;
        cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, m->string);
        if (cJSON_IsObject(d) && cJSON_IsObject(m)) {
            overlay(d, m);
            continue;
        }
        cJSON *c = cJSON_Duplicate(m, 1);
        if (c && !(d ? cJSON_ReplaceItemViaPointer(dst, d, c)
                     : cJSON_AddItemToObject(dst, m->string, c)))
            cJSON_Delete(c);
    }
}

/* The member [key] of the context laid over $$ (rt_options.context), or NULL. */
static const cJSON *given(const asl_exec *x, const char *key)
{
    const rt_options *opt = x->run ? x->run->opt : NULL;
    return opt && opt->context && !opt->context_whole
               ? cJSON_GetObjectItemCaseSensitive(opt->context, key)
               : NULL;
}

/* Is $$ exactly the given context (rt_options.context_whole)? */
static bool whole(const asl_exec *x)
{
    const rt_options *opt = x->run ? x->run->opt : NULL;
    return opt && opt->context && opt->context_whole;
}

/* The State part of $$: name, entry time, retry count of the current state. */
static cJSON *context_state(asl_exec *x)
{
    cJSON *st = cJSON_CreateObject();
    char ts[40];
    rt_format_timestamp(rt_entered_ns(x), ts, sizeof ts);
    const char *name = "";
    if (x->machine && x->state >= 0 && x->state < x->machine->nstates)
        name = x->machine->states[x->state].name;
    if (!st || !add_string(st, "EnteredTime", ts) || !add_string(st, "Name", name) ||
        !cJSON_AddNumberToObject(st, "RetryCount", x->retry_count)) {
        cJSON_Delete(st);
        return NULL;
    }
    overlay(st, given(x, "State"));
    return st;
}

static cJSON *context_build(asl_exec *x)
{
    rt_run *run = x->run;
    if (whole(x))
        return cJSON_Duplicate(run->opt->context, 1);
    char ts[40];
    rt_format_timestamp(run->start_ns, ts, sizeof ts);
    /* Objects added with cJSON_AddObjectToObject belong to ctx at once, so
     * one cJSON_Delete(ctx) cleans up after any failure. */
    cJSON *ctx = cJSON_CreateObject();
    cJSON *ex = ctx ? cJSON_AddObjectToObject(ctx, "Execution") : NULL;
    if (!ex || !add_string(ex, "Id", run->execution_arn))
        goto fail;
    /* $$.Execution.Input refers to the run's copy of the input instead of
     * copying it again: every Map iteration and Parallel branch that reads
     * $$ builds a context, and a copy each would cost the whole input per
     * item. The runtime's one use of cJSON's references, safe because
     * nothing writes through $$ and run->input outlives every context
     * (rt_run_machine drops the context before it frees the input). */
    cJSON *in = !run->input ? cJSON_CreateObject()
                : cJSON_IsObject(run->input) ? cJSON_CreateObjectReference(run->input->child)
                : cJSON_IsArray(run->input)  ? cJSON_CreateArrayReference(run->input->child)
                                             : cJSON_Duplicate(run->input, 1);
    if (!in || !cJSON_AddItemToObject(ex, "Input", in)) {
        cJSON_Delete(in);
        goto fail;
    }
    if (!add_string(ex, "Name", run->execution_name) ||
        !add_string(ex, "RoleArn", run->role_arn) ||
        !add_string(ex, "StartTime", ts) || !cJSON_AddNumberToObject(ex, "RedriveCount", 0))
        goto fail;
    cJSON *st = context_state(x);
    if (!st || !cJSON_AddItemToObject(ctx, "State", st)) {
        cJSON_Delete(st);
        goto fail;
    }
    cJSON *sm = cJSON_AddObjectToObject(ctx, "StateMachine");
    if (!sm || !add_string(sm, "Id", run->state_machine_arn) ||
        !add_string(sm, "Name", x->machine ? x->machine->name : ""))
        goto fail;
    if (run->opt && run->opt->context)
        overlay(ctx, run->opt->context); /* not whole: see above */
    return ctx;
fail:
    cJSON_Delete(ctx);
    return NULL;
}

static bool is_callback_resource(const char *arn)
{
    rt_resource ri;
    rt_resource_classify(arn, &ri);
    return ri.callback;
}

/* The listed Task state named like the current state (names are unique in
 * a whole definition), from the top-level machine's list or, failing that,
 * the current machine's. */
static const asl_task_ref *current_ref(const asl_exec *x)
{
    const char *name = rt_state_name(x);
    const asl_machine *ms[2] = {x->run ? rt_root_run(x->run)->machine : NULL, x->machine};
    for (int k = 0; k < 2; k++)
        for (int i = 0; ms[k] && i < ms[k]->ntasks; i++)
            if (ms[k]->tasks[i].state && strcmp(ms[k]->tasks[i].state, name) == 0)
                return &ms[k]->tasks[i];
    return NULL;
}

/* The token of the current attempt, made on first use: 56 random URL-safe
 * base64 characters (AWS's tokens are opaque strings too; RT_CB_TOKEN_LEN
 * in effects.h, which callback.c checks tokens against). */
const char *rt_task_token(asl_exec *x)
{
    if (x->task_token[0] && x->task_token_event == x->entered_event_id &&
        x->task_token_retry == x->retry_count)
        return x->task_token;
    unsigned char b[42];
    /* Tokens are capabilities (SendTaskSuccess takes any holder's word):
     * random when the kernel can, merely unique otherwise. */
    if (!rt_random_bytes(b, sizeof b))
        rt_unique_bytes(b, sizeof b);
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int o = 0;
    for (size_t i = 0; i + 2 < sizeof b; i += 3) {
        unsigned v = (unsigned)b[i] << 16 | (unsigned)b[i + 1] << 8 | b[i + 2];
        x->task_token[o++] = b64[v >> 18 & 63];
        x->task_token[o++] = b64[v >> 12 & 63];
        x->task_token[o++] = b64[v >> 6 & 63];
        x->task_token[o++] = b64[v & 63];
    }
    x->task_token[o] = '\0';
    x->task_token_event = x->entered_event_id;
    x->task_token_retry = x->retry_count;
    return x->task_token;
}

static void task_context(asl_exec *x, cJSON *ctx)
{
    if (!ctx)
        return;
    if (whole(x))
        return; /* the given context says all, Task.Token included */
    cJSON_DeleteItemFromObjectCaseSensitive(ctx, "Task");
    const cJSON *task_given = given(x, "Task");
    if (task_given) { /* TestState's context names the token */
        cJSON *t = cJSON_Duplicate(task_given, 1);
        if (t && !cJSON_AddItemToObject(ctx, "Task", t))
            cJSON_Delete(t);
        return;
    }
    const asl_task_ref *ref = current_ref(x);
    if (!ref || !ref->resource || !is_callback_resource(ref->resource))
        return;
    cJSON *task = cJSON_CreateObject();
    if (!task || !cJSON_AddStringToObject(task, "Token", rt_task_token(x)) ||
        !cJSON_AddItemToObject(ctx, "Task", task))
        cJSON_Delete(task);
}

const cJSON *rt_context(asl_exec *x)
{
    if (!x->context) {
        x->context = context_build(x);
        x->context_stale = false;
        if (!x->context) {
            /* asl_select treats a missing root like a missing value, so
             * say what really happened. */
            asl_fail_runtime(x, "Out of memory while building the context object.");
        }
        task_context(x, x->context); /* $$.Task.Token of a callback Task */
    } else if (x->context_stale && whole(x)) {
        x->context_stale = false;
    } else if (x->context_stale) {
        cJSON *st = context_state(x);
        if (st && !cJSON_ReplaceItemInObjectCaseSensitive(x->context, "State", st))
            cJSON_Delete(st);
        x->context_stale = false;
        task_context(x, x->context);
    }
    return x->context;
}
