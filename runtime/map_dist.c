/*
 * map_dist.c - a distributed Map's child executions: their names, ARNs
 * and inputs (items or ItemBatcher batches), the tolerated failure
 * threshold, and the state's result (the children's outputs or records,
 * or the ResultWriter's files). The state itself is map.c.
 *
 * Layer: engine. Owns, while the state runs, the child runs' names and
 * records (freed by map.c's ctx_free).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "map_impl.h"

#define TOLERATED_ERROR "States.ExceedToleratedFailureThreshold"
#define TOLERATED_CAUSE "The specified tolerated failure threshold was exceeded"

/* ==== Distributed children =================================================== */

/* The input of unit [i]: an item, or with ItemBatcher {"BatchInput",
 * "Items"}. Under the lock. */
static cJSON *dist_prep(rt_fanout *f, long i)
{
    map_ctx *c = f->ctx;
    cJSON *in;
    if (!c->batch_start) {
        in = rt_map_item_input(c, i);
    } else {
        in = cJSON_CreateObject();
        cJSON *arr = in ? cJSON_CreateArray() : NULL;
        if (!arr) {
            cJSON_Delete(in);
            rt_map_oom(c->x);
            return NULL;
        }
        if (c->batch_input) {
            cJSON *bi = cJSON_Duplicate(c->batch_input, 1);
            if (!bi || !cJSON_AddItemToObject(in, "BatchInput", bi)) {
                cJSON_Delete(bi);
                cJSON_Delete(arr);
                cJSON_Delete(in);
                rt_map_oom(c->x);
                return NULL;
            }
        }
        if (!cJSON_AddItemToObject(in, "Items", arr)) {
            cJSON_Delete(arr);
            cJSON_Delete(in);
            rt_map_oom(c->x);
            return NULL;
        }
        for (long k = c->batch_start[i]; k < c->batch_start[i + 1]; k++) {
            cJSON *one = rt_map_item_input(c, k);
            if (!one || !cJSON_AddItemToArray(arr, one)) {
                if (one) {
                    cJSON_Delete(one);
                    rt_map_oom(c->x);
                }
                cJSON_Delete(in);
                return NULL;
            }
        }
    }
    if (in) {
        unit_rec *r = &c->recs[i];
        rt_map_uuid(&c->seed, r->name);
        r->input_text = rt_json_print(in);
        r->ran = true;
    }
    return in;
}

static char *concat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

/* Runs unit [i] as a child execution: its own rt_run (names, ARN, input,
 * event ids, no history file) chained to the parent's for the clock, the
 * pool, the task dispatcher and aborts. */
static rt_status dist_run(rt_fanout *f, long i, asl_exec *sub, cJSON *input, cJSON **out)
{
    map_ctx *c = f->ctx;
    unit_rec *r = &c->recs[i];
    rt_run *parent = sub->run;
    /* Field by field: other threads update the parent's counters and
     * clock while this runs, so it is not copied whole. */
    rt_run child;
    memset(&child, 0, sizeof child);
    child.opt = &c->child_opt;
    child.parent = parent;
    child.machine = &c->child_machine;
    child.execution_name = r->name;
    child.execution_arn = concat3(c->exec_arn_prefix, r->name, "");
    child.state_machine_arn = c->child_sm_arn;
    child.role_arn = parent->role_arn;
    child.deadline_ns = parent->deadline_ns; /* the parent's timeout stops it too */
    child.express = c->child_express;
    if (child.express) { /* five minutes at most, as any Express execution */
        int64_t cap = rt_now_ns(sub) + (int64_t)RT_EXPRESS_MAX_SECONDS * 1000000000;
        if (child.deadline_ns == 0 || cap < child.deadline_ns)
            child.deadline_ns = cap;
    }
    child.tasks = parent->tasks;             /* bindings, mocks and their counters */
    child.input = cJSON_Duplicate(input, 1);
    child.start_ns = rt_now_ns(sub);
    r->start_ns = child.start_ns;
    rt_status st;
    if (!child.execution_arn || !child.input) {
        cJSON_Delete(input);
        asl_fail_with(sub, "States.Runtime", "Out of memory while starting a child execution.");
        st = RT_FAILED;
    } else {
        sub->run = &child;
        sub->prev_event_id = 0;
        rt_event(sub, "ExecutionStarted", NULL, NULL); /* id 1 of the child's own history */
        st = rt_exec_states(sub, &c->child_machine, input, out);
        if (child.history_full) { /* its own 25,000 events (a Standard child) */
            cJSON_Delete(*out);
            *out = NULL;
            st = rt_end_history_full(sub);
        }
        /* its context refers to child.input, freed below */
        cJSON_Delete(sub->context);
        sub->context = NULL;
        sub->run = parent;
    }
    r->stop_ns = rt_now_ns(sub);
    free(child.execution_arn);
    cJSON_Delete(child.input);
    return st;
}

/* Past the tolerated failures? [failed] of [total] units failed. */
static bool over_threshold(const map_ctx *c, long failed, long total)
{
    if (failed == 0)
        return false;
    if (!c->has_count && !c->has_pct)
        return true;
    bool over_count = c->has_count && failed > c->tolerated_count;
    bool over_pct = c->has_pct && total > 0 && (double)failed * 100.0 / (double)total > c->tolerated_pct;
    if (c->has_count && c->has_pct)
        return over_count || over_pct;
    return c->has_count ? over_count : over_pct;
}

static bool dist_done(rt_fanout *f, long i, asl_exec *sub, rt_status st, cJSON *out)
{
    map_ctx *c = f->ctx;
    unit_rec *r = &c->recs[i];
    r->status = st;
    if (st == RT_SUCCEEDED) {
        c->outputs[i] = out;
        return false;
    }
    r->error = sub->error;
    r->cause = sub->cause;
    sub->error = sub->cause = NULL;
    if (st == RT_ABORTED)
        return c->failed; /* cancelled with the run, or by the threshold */
    c->nfailed++;
    if (!over_threshold(c, c->nfailed, c->nunits))
        return false;
    if (!c->failed) {
        c->failed = true;
        c->status = RT_FAILED;
        c->error = rt_map_strdup(TOLERATED_ERROR);
        c->cause = rt_map_strdup(TOLERATED_CAUSE);
    }
    return true;
}

const rt_fanout_ops rt_map_dist_ops = {dist_prep, dist_run, dist_done};

/* ==== Distributed set-up ===================================================== */

/* Names and ARNs of this Map Run and of its children, derived from the
 * parent's state machine ARN ("<prefix>stateMachine:<name>"). */
int rt_map_dist_names(map_ctx *c)
{
    asl_exec *x = c->x;
    const rt_run *run = x->run;
    const asl_map_dist *d = c->m->dist;
    const char *label = d && d->label ? d->label : c->state_name;
    const char *sm_arn = run->state_machine_arn ? run->state_machine_arn : "";
    const char *mname = run->machine && run->machine->name ? run->machine->name : "StateMachine";
    const char *colon = strstr(sm_arn, "stateMachine:");
    size_t plen = colon ? (size_t)(colon - sm_arn) : 0;
    char *prefix = malloc(plen + 1);
    if (!prefix)
        return rt_map_oom(x), -1;
    memcpy(prefix, sm_arn, plen);
    prefix[plen] = '\0';
    bool express = d && d->execution_type && strcmp(d->execution_type, "EXPRESS") == 0;
    c->child_express = express;
    char id[37];
    rt_map_uuid(&c->seed, id);
    c->child_sm_name = concat3(mname, "/", label);
    c->map_run_id = rt_map_strdup(id);
    char *a = c->child_sm_name ? concat3(prefix, "stateMachine:", c->child_sm_name) : NULL;
    c->child_sm_arn = a;
    char *b = c->child_sm_name ? concat3(prefix, express ? "express:" : "execution:", c->child_sm_name) : NULL;
    c->exec_arn_prefix = b ? concat3(b, ":", "") : NULL;
    free(b);
    char *mr = c->child_sm_name ? concat3(prefix, "mapRun:", c->child_sm_name) : NULL;
    c->map_run_arn = mr ? concat3(mr, ":", id) : NULL;
    free(mr);
    free(prefix);
    if (!c->child_sm_name || !c->map_run_id || !c->child_sm_arn || !c->exec_arn_prefix ||
        !c->map_run_arn)
        return rt_map_oom(x), -1;
    c->child_machine = *c->m->processor;
    c->child_machine.name = c->child_sm_name;
    c->child_opt = *(run->opt ? run->opt : &c->child_opt);
    c->child_opt.history = NULL; /* a child's history is its own, not the parent's */
    return 0;
}

/* Tolerated failures from the literals or their paths (after
 * MapStateStarted, where AWS evaluates them). */
int rt_map_dist_tolerance(map_ctx *c)
{
    const asl_map_dist *d = c->m->dist;
    asl_exec *x = c->x;
    if (!d)
        return 0;
    asl_jstates js = {c->eff, NULL, NULL};
    double jv;
    if (d->tolerated_count_jn) {
        if (asl_jn_number(x, d->tolerated_count_jn, &js, "ToleratedFailureCount", true, &jv) != 0)
            return -1;
        c->tolerated_count = jv < -1e15 ? -1 : jv > 1e15 ? (long)1e15 : (long)jv;
        c->has_count = true;
    } else if (d->tolerated_count_path) {
        if (rt_map_path_long(x, d->tolerated_count_path, c->eff, "ToleratedFailureCountPath",
                      &c->tolerated_count) != 0)
            return -1;
        c->has_count = true;
    } else if (d->has_tolerated_count) {
        c->tolerated_count = d->tolerated_count;
        c->has_count = true;
    }
    if (c->has_count && c->tolerated_count < 0)
        return asl_fail_runtime(x, "ToleratedFailureCount cannot be negative."), -1;
    if (d->tolerated_percentage_jn) {
        if (asl_jn_number(x, d->tolerated_percentage_jn, &js, "ToleratedFailurePercentage", false, &jv) != 0)
            return -1;
        c->tolerated_pct = jv;
        c->has_pct = true;
    } else if (d->tolerated_percentage_path) {
        if (rt_map_path_double(x, d->tolerated_percentage_path, c->eff, "ToleratedFailurePercentagePath",
                        &c->tolerated_pct) != 0)
            return -1;
        c->has_pct = true;
    } else if (d->has_tolerated_percentage) {
        c->tolerated_pct = d->tolerated_percentage;
        c->has_pct = true;
    }
    if (c->has_pct && !(c->tolerated_pct >= 0 && c->tolerated_pct <= 100))
        return asl_fail_runtime(x, "ToleratedFailurePercentage must be between 0 and 100."), -1;
    return 0;
}

/* Compact JSON size of [v] (ItemBatcher's byte limit). */
static size_t json_size(const cJSON *v)
{
    char *t = rt_json_print(v);
    size_t n = t ? strlen(t) : 0;
    free(t);
    return n;
}

/* ItemBatcher: splits the items into units, none over MaxItemsPerBatch
 * items or MaxInputBytesPerBatch bytes (a lone item over the byte limit
 * still makes a batch of one). Builds BatchInput. */
int rt_map_dist_batches(map_ctx *c)
{
    const asl_map_dist *d = c->m->dist;
    asl_exec *x = c->x;
    c->nunits = c->nitems;
    if (!d || !d->has_batcher)
        return 0;
    long max_items = d->max_items_per_batch, max_bytes = d->max_bytes_per_batch;
    asl_jstates js = {c->eff, NULL, NULL};
    double jv;
    if (d->max_items_per_batch_jn) {
        if (asl_jn_number(x, d->max_items_per_batch_jn, &js, "MaxItemsPerBatch", true, &jv) != 0)
            return -1;
        max_items = jv < -1e15 ? -1 : jv > 1e15 ? (long)1e15 : (long)jv;
    }
    if (d->max_bytes_per_batch_jn) {
        if (asl_jn_number(x, d->max_bytes_per_batch_jn, &js, "MaxInputBytesPerBatch", true, &jv) != 0)
            return -1;
        max_bytes = jv < -1e15 ? -1 : jv > 1e15 ? (long)1e15 : (long)jv;
    }
    if (d->max_items_per_batch_path &&
        rt_map_path_long(x, d->max_items_per_batch_path, c->eff, "MaxItemsPerBatchPath", &max_items) != 0)
        return -1;
    if (d->max_bytes_per_batch_path &&
        rt_map_path_long(x, d->max_bytes_per_batch_path, c->eff, "MaxInputBytesPerBatchPath", &max_bytes) != 0)
        return -1;
    if (max_items < 0)
        return asl_fail_runtime(x, "MaxItemsPerBatch cannot be negative."), -1;
    if (max_bytes < 0 || max_bytes > 262144)
        return asl_fail_runtime(x, "MaxInputBytesPerBatch must be between 0 and 262144."), -1;
    if (d->batch_input) {
        c->batch_input = d->jsonata ? asl_jn_value(x, d->batch_input, &js, "ItemBatcher/BatchInput")
                                    : asl_build(x, d->batch_input, c->eff);
        if (!c->batch_input)
            return -1;
    }
    c->batch_start = malloc((size_t)(c->nitems + 1) * sizeof *c->batch_start);
    if (!c->batch_start)
        return rt_map_oom(x), -1;
    /* {"BatchInput":...,"Items":[]} around the items, then a comma each */
    size_t base = 12 + (c->batch_input ? 14 + json_size(c->batch_input) : 0);
    long nb = 0, count = 0;
    size_t bytes = base;
    const cJSON *it = c->items ? c->items->child : NULL;
    for (long k = 0; k < c->nitems; k++, it = it ? it->next : NULL) {
        size_t sz = 0;
        if (max_bytes > 0) {
            if (c->m->item_selector) {
                /* the item as its child will see it: ItemSelector applied */
                cJSON *sel = rt_map_item_input(c, k);
                if (!sel)
                    return -1;
                sz = json_size(sel);
                cJSON_Delete(sel);
            } else {
                sz = json_size(it);
            }
        }
        /* the item and, after the first, its comma */
        bool full = count > 0 && ((max_items > 0 && count >= max_items) ||
                                  (max_bytes > 0 && bytes + 1 + sz > (size_t)max_bytes));
        if (count == 0 || full) {
            c->batch_start[nb++] = k;
            count = 0;
            bytes = base;
        }
        bytes += (count > 0 ? 1 : 0) + sz;
        count++;
    }
    c->batch_start[nb] = c->nitems;
    c->nunits = nb;
    c->cursor = c->items ? c->items->child : NULL;
    c->cursor_index = 0;
    rt_map_clear_item(x);
    c->ctx_item = NULL;
    return 0;
}

/* ==== Distributed results ==================================================== */

static bool add_str(cJSON *o, const char *k, const char *v)
{
    return cJSON_AddStringToObject(o, k, v ? v : "") != NULL;
}

static bool add_included(cJSON *o, const char *k)
{
    cJSON *d = cJSON_AddObjectToObject(o, k);
    return d && cJSON_AddTrueToObject(d, "Included");
}

/* A child's execution record, as the ResultWriter's NONE transformation
 * (and a tolerated failure in the output) shows it. */
static cJSON *unit_record(const map_ctx *c, long i)
{
    const unit_rec *r = &c->recs[i];
    static const char *const status_names[] = {
        [RT_SUCCEEDED] = "SUCCEEDED", [RT_FAILED] = "FAILED",
        [RT_TIMED_OUT] = "TIMED_OUT", [RT_ABORTED] = "ABORTED"};
    char start[40], stop[40];
    rt_format_timestamp(r->start_ns, start, sizeof start);
    rt_format_timestamp(r->stop_ns, stop, sizeof stop);
    char *arn = concat3(c->exec_arn_prefix, r->name, "");
    cJSON *o = cJSON_CreateObject();
    bool ok = o && arn && add_str(o, "ExecutionArn", arn) && add_str(o, "Input", r->input_text) &&
              add_included(o, "InputDetails") && add_str(o, "Name", r->name);
    if (ok && r->status == RT_SUCCEEDED) {
        char *out = rt_json_print(c->outputs[i]);
        ok = out && add_str(o, "Output", out) && add_included(o, "OutputDetails");
        free(out);
    } else if (ok) {
        ok = (!r->error || add_str(o, "Error", r->error)) && (!r->cause || add_str(o, "Cause", r->cause));
    }
    ok = ok && cJSON_AddNumberToObject(o, "RedriveCount", 0) &&
         add_str(o, "RedriveStatus", r->status == RT_SUCCEEDED ? "NOT_REDRIVABLE" : "REDRIVABLE") &&
         (r->status != RT_SUCCEEDED ||
          add_str(o, "RedriveStatusReason", "Execution is SUCCEEDED and cannot be redriven")) &&
         add_str(o, "StartDate", start) && add_str(o, "StateMachineArn", c->child_sm_arn) &&
         add_str(o, "Status", status_names[r->status]) && add_str(o, "StopDate", stop);
    free(arn);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* A unit that never ran, for PENDING_n.json. */
static cJSON *pending_record(const map_ctx *c, long i)
{
    cJSON *o = cJSON_CreateObject();
    const char *text = c->recs[i].input_text;
    bool ok = o && (!text || add_str(o, "Input", text)) && add_included(o, "InputDetails") &&
              add_str(o, "Status", "PENDING");
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Appends what unit [i] contributes under [transformation] to [arr]:
 * its output (FLATTEN splices an array output), or its record. */
static bool append_result(map_ctx *c, long i, const char *transformation, cJSON *arr)
{
    const unit_rec *r = &c->recs[i];
    bool none = transformation && strcmp(transformation, "NONE") == 0;
    if (r->status != RT_SUCCEEDED || none) {
        cJSON *rec = unit_record(c, i);
        return rec && (cJSON_AddItemToArray(arr, rec) || (cJSON_Delete(rec), false));
    }
    cJSON *out = c->outputs[i];
    c->outputs[i] = NULL;
    if (transformation && strcmp(transformation, "FLATTEN") == 0 && cJSON_IsArray(out)) {
        while (out->child) {
            cJSON *e = cJSON_DetachItemViaPointer(out, out->child);
            if (!cJSON_AddItemToArray(arr, e)) {
                cJSON_Delete(e);
                cJSON_Delete(out);
                return false;
            }
        }
        cJSON_Delete(out);
        return true;
    }
    return cJSON_AddItemToArray(arr, out) || (cJSON_Delete(out), false);
}

/* The Map's result once the run is over (or failed: then only the files
 * are written, and 0 is returned with the run's error still to come). */
cJSON *rt_map_dist_result(map_ctx *c)
{
    asl_exec *x = c->x;
    const asl_map_dist *d = c->m->dist;
    bool files = d && d->has_writer && d->writer_resource;
    /* With files and no WriterConfig, AWS writes the full records. */
    const char *tr = d && d->transformation ? d->transformation : files ? "NONE" : "COMPACT";
    if (!files) {
        if (c->failed)
            return NULL;
        cJSON *arr = cJSON_CreateArray();
        for (long i = 0; arr && i < c->nunits; i++)
            if (c->recs[i].ran && !append_result(c, i, tr, arr)) {
                cJSON_Delete(arr);
                arr = NULL;
            }
        if (!arr)
            rt_map_oom(x);
        return arr;
    }
    cJSON *ok = cJSON_CreateArray(), *bad = cJSON_CreateArray(), *pending = cJSON_CreateArray();
    bool good = ok && bad && pending;
    for (long i = 0; good && i < c->nunits; i++) {
        const unit_rec *r = &c->recs[i];
        if (!r->ran || r->status == RT_ABORTED) {
            cJSON *p = pending_record(c, i);
            good = p && (cJSON_AddItemToArray(pending, p) || (cJSON_Delete(p), false));
        } else {
            good = append_result(c, i, tr, r->status == RT_SUCCEEDED ? ok : bad);
        }
    }
    cJSON *res = NULL;
    if (!good) {
        rt_map_oom(x);
    } else {
        /* A failed run still leaves its files, but its error is the run's
         * (x has none yet: the caller adopts it after this). */
        cJSON *args = NULL;
        if (d->jsonata && d->writer_parameters) {
            asl_jstates js = {c->eff, NULL, NULL};
            args = asl_jn_value(x, d->writer_parameters, &js, "ResultWriter/Arguments");
        }
        res = (d->jsonata && d->writer_parameters && !args)
                  ? NULL
                  : rt_write_results(x, d, c->eff, args, c->map_run_arn, c->map_run_id, ok, bad, pending);
        cJSON_Delete(args);
        if (c->failed) {
            cJSON_Delete(res);
            res = NULL;
            free(x->error);
            free(x->cause);
            x->error = x->cause = NULL;
            x->failed = false;
            x->heartbeat_timeout = false;
            x->status = RT_SUCCEEDED;
        }
    }
    cJSON_Delete(ok);
    cJSON_Delete(bad);
    cJSON_Delete(pending);
    return res;
}
