/*
 * parallel.c - the Parallel state (asl_run_parallel), and the data-flow
 * steps that Parallel and Map share (fanout.h: rt_flow_*).
 *
 * A Parallel state: InputPath, then Parameters (built once), then every
 * branch at once, each on its own copy of that input, on the run's pool
 * (fanout.h). The output is the array of the branch outputs in branch
 * order. When a branch fails, the state fails with that branch's error and
 * cause (AWS passes them up unchanged; a Task's missed heartbeat, recorded
 * as States.Timeout, still matches States.HeartbeatTimeout here), and the
 * other branches are cancelled: they stop at their next state, a Wait
 * wakes at once, and task dispatch sees rt_cancelled. Then Retry (the
 * whole state runs again from the same effective input), ResultSelector /
 * ResultPath / OutputPath, or Catch with the raw input.
 *
 * History, as AWS records it: ParallelStateStarted (again for each retry),
 * the branches' events as they happen (each branch chains its
 * previousEventId from ParallelStateStarted), then ParallelStateSucceeded,
 * or ParallelStateFailed once no retry is left. (LocalStack's snapshots, the
 * source of ../shared/conformance, drop ParallelStateSucceeded through a
 * normalisation bug; AWS's event list and recorded histories have it.)
 *
 * Owns: during the call, the effective input when InputPath is null, the
 * built Parameters, the branch outputs until they are assembled. Called by
 * generated state functions.
 *
 * Layer: engine
 */
#include <stdlib.h>
#include <string.h>

#include "effects.h"
#include "fanout.h"
#include "values.h"

/* ==== Shared data flow ===================================================== */

int rt_flow_input(asl_exec *x, const asl_flow *fl, cJSON *const *doc, const cJSON **eff,
                  cJSON **owned)
{
    *owned = NULL;
    if (fl->input_path_null) {
        *owned = cJSON_CreateObject();
        if (!*owned)
            return asl_fail_with(x, "States.Runtime", "Out of memory."), -1;
        *eff = *owned;
        return 0;
    }
    if (fl->input_path) {
        *eff = asl_select(x, fl->input_path, *doc);
        return *eff ? 0 : -1;
    }
    *eff = *doc;
    return 0;
}

int rt_flow_finish(asl_exec *x, const asl_flow *fl, cJSON **doc, cJSON *result)
{
    if (fl->jsonata) {
        asl_jstates js = {*doc, result, NULL};
        if (fl->assign && asl_jn_assign(x, fl->assign, &js) != 0) {
            cJSON_Delete(result);
            return ASL_NEXT_ERROR;
        }
        cJSON *out = fl->output ? asl_jn_value(x, fl->output, &js, "Output") : result;
        if (fl->output)
            cJSON_Delete(result);
        if (!out)
            return ASL_NEXT_ERROR;
        cJSON_Delete(*doc);
        *doc = out;
        return fl->next;
    }
    if (fl->result_selector) {
        cJSON *sel = asl_build(x, fl->result_selector, result);
        cJSON_Delete(result);
        if (!sel)
            return ASL_NEXT_ERROR;
        result = sel;
    }
    /* Assign sees the result after ResultSelector */
    if (fl->assign && asl_assign(x, fl->assign, result) != 0) {
        cJSON_Delete(result);
        return ASL_NEXT_ERROR;
    }
    if (fl->result_path_null) {
        cJSON_Delete(result); /* the output is the raw input */
    } else if (!fl->result_path) {
        cJSON_Delete(*doc);
        *doc = result;
    } else if (asl_apply_result_path(x, fl->result_path, doc, result) != 0) {
        return ASL_NEXT_ERROR;
    }
    if (fl->output_path_null)
        asl_set_empty(doc);
    else if (fl->output_path && asl_apply_path(x, fl->output_path, doc) != 0)
        return ASL_NEXT_ERROR;
    return fl->next;
}

void rt_adopt_error(asl_exec *x, rt_status st, char *error, char *cause, bool heartbeat)
{
    free(x->error);
    free(x->cause);
    x->error = error;
    x->cause = cause;
    x->failed = true;
    x->heartbeat_timeout = heartbeat;
    x->status = st == RT_SUCCEEDED ? RT_FAILED : st;
}

/* ==== Parallel ============================================================== */

typedef struct par_ctx {
    const asl_parallel *p;
    const cJSON *input;     /* what every branch gets a copy of */
    cJSON **outputs;        /* one per branch */
    bool failed;            /* the first failure is below */
    rt_status status;
    char *error, *cause;
    bool heartbeat;         /* ... and was a Task's missed heartbeat */
} par_ctx;

static cJSON *par_prep(rt_fanout *f, long i)
{
    (void)i;
    const par_ctx *c = f->ctx;
    cJSON *in = cJSON_Duplicate(c->input, 1);
    if (!in)
        asl_fail_with(f->x, "States.Runtime", "Out of memory while copying a branch input.");
    return in;
}

static rt_status par_run(rt_fanout *f, long i, asl_exec *sub, cJSON *input, cJSON **out)
{
    const par_ctx *c = f->ctx;
    return rt_exec_states(sub, c->p->branches[i], input, out);
}

static bool par_done(rt_fanout *f, long i, asl_exec *sub, rt_status st, cJSON *out)
{
    par_ctx *c = f->ctx;
    if (st == RT_SUCCEEDED) {
        c->outputs[i] = out;
        return false;
    }
    if (!c->failed) {
        /* The first branch to fail decides: the others were cancelled
         * because of it, so their (aborted) endings say nothing. */
        c->failed = true;
        c->status = st;
        c->error = sub->error;
        c->cause = sub->cause;
        c->heartbeat = sub->heartbeat_timeout;
        sub->error = sub->cause = NULL;
    }
    return true;
}

static const rt_fanout_ops par_ops = {par_prep, par_run, par_done};

/* One attempt: every branch. Returns the outputs array, or 0 with the
 * error set on x. */
static cJSON *par_attempt(asl_exec *x, const asl_parallel *p, const cJSON *input)
{
    par_ctx c = {.p = p, .input = input};
    c.outputs = calloc((size_t)(p->nbranches > 0 ? p->nbranches : 1), sizeof *c.outputs);
    if (!c.outputs) {
        asl_fail_with(x, "States.Runtime", "Out of memory.");
        return NULL;
    }
    long started = rt_event(x, "ParallelStateStarted", NULL, NULL);
    rt_fanout f = {.x = x, .ops = &par_ops, .ctx = &c, .n = p->nbranches,
                   .limit = p->nbranches, .start_event = started};
    rt_fanout_run(&f);
    /* the state's next event follows the last one its branches recorded */
    x->prev_event_id = __atomic_load_n(&x->run->last_event_id, __ATOMIC_RELAXED);

    if (!c.failed && f.started < p->nbranches) {
        /* cancelled from outside before every branch started */
        c.failed = true;
        c.status = RT_ABORTED;
    }
    cJSON *arr = NULL;
    if (f.prep_failed) {
        /* the error is already on x */
    } else if (c.failed) {
        rt_adopt_error(x, c.status, c.error, c.cause, c.heartbeat);
        c.error = c.cause = NULL;
    } else if (!(arr = cJSON_CreateArray())) {
        asl_fail_with(x, "States.Runtime", "Out of memory.");
    } else {
        for (int i = 0; i < p->nbranches; i++) {
            if (!cJSON_AddItemToArray(arr, c.outputs[i])) {
                cJSON_Delete(arr);
                arr = NULL;
                asl_fail_with(x, "States.Runtime", "Out of memory.");
                break;
            }
            c.outputs[i] = NULL;
        }
    }
    for (int i = 0; i < p->nbranches; i++)
        cJSON_Delete(c.outputs[i]);
    free(c.outputs);
    free(c.error);
    free(c.cause);
    return arr;
}

int asl_run_parallel(asl_exec *x, const asl_parallel *p, cJSON **doc)
{
    const asl_flow *fl = &p->flow;
    const cJSON *eff;
    cJSON *owned;
    if (rt_flow_input(x, fl, doc, &eff, &owned) != 0)
        return ASL_NEXT_ERROR;
    cJSON *params = NULL;
    if (fl->jsonata && fl->arguments) {
        asl_jstates js = {*doc, NULL, NULL};
        if (!(params = asl_jn_value(x, fl->arguments, &js, "Arguments"))) {
            cJSON_Delete(owned);
            return asl_catch(x, fl->catchers, fl->ncatch, doc);
        }
    } else if (fl->parameters) {
        params = asl_build(x, fl->parameters, eff);
        if (!params) {
            cJSON_Delete(owned);
            return ASL_NEXT_ERROR;
        }
    }
    const cJSON *input = params ? params : eff;

    int *attempts = calloc((size_t)(fl->nretry > 0 ? fl->nretry : 1), sizeof *attempts);
    cJSON *result = NULL;
    for (;;) {
        if (!attempts) {
            asl_fail_with(x, "States.Runtime", "Out of memory.");
            break;
        }
        result = par_attempt(x, p, input);
        if (result)
            break;
        if (!asl_retry(x, fl->retry, fl->nretry, attempts))
            break;
    }
    free(attempts);
    cJSON_Delete(params);
    cJSON_Delete(owned);
    if (!result) {
        /* An aborted or timed-out run gets no Failed event (the loop
         * records ParallelStateAborted for an abort). */
        if (x->status == RT_FAILED)
            rt_event(x, "ParallelStateFailed", NULL, NULL);
        return asl_catch(x, fl->catchers, fl->ncatch, doc);
    }
    rt_event(x, "ParallelStateSucceeded", NULL, NULL);
    return rt_flow_finish(x, fl, doc, result);
}
