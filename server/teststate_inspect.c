/*
 * teststate_inspect.c - TestState's inspectionData at DEBUG (input,
 * afterInputPath, afterParameters / afterArguments, result,
 * afterResultSelector, afterResultPath, the Map fields, variables), each
 * intermediate step one more small run (a Pass with just that step, or a
 * Map whose processor returns its items), and the Retry rule: the first
 * matching retrier with attempts left gives RETRIABLE and the backoff it
 * would wait.
 *
 * Owns nothing past a call: every tree is returned to the caller.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teststate_impl.h"

/* Stage stateConfiguration.mapItemReaderData where the Map's ItemReader
 * reads it: the file S3_ROOT/BUCKET/KEY of a fresh S3 root (teststate_run.c),
 * BUCKET and KEY from the ItemReader's Parameters / Arguments on the
 * state's input. Returns the root (free with ts_s3_unstage), or NULL. */
static char *stage_reader_data(req *r, const cJSON *reader)
{
    cJSON *s = ts_pass_state(r);
    const cJSON *args = get(reader, r->jsonata ? "Arguments" : "Parameters");
    if (!r->jsonata && get(r->state, "InputPath"))
        put(s, "InputPath", copy(get(r->state, "InputPath")));
    if (args)
        put(s, r->jsonata ? "Output" : "Parameters", copy(args));
    cJSON *where = ts_step(r, s, r->input, NULL);
    const char *bucket = get_string(where, "Bucket"), *key = get_string(where, "Key");
    char *root = bucket && key ? ts_s3_stage(bucket, key, r->reader_data) : NULL;
    cJSON_Delete(where);
    return root;
}

/* The Map's items, the Map run with a processor that returns each item:
 * after the ItemReader (on mapItemReaderData) or ItemsPath / Items; from
 * TS_SELECTED on after ItemSelector; at TS_BATCHED after ItemBatcher (each
 * item a batch). NULL when the step fails, or when an ItemReader has no
 * mapItemReaderData to read. */
cJSON *ts_map_items(req *r, ts_items upto)
{
    const cJSON *reader = get(r->state, "ItemReader");
    if (reader && !r->reader_data)
        return NULL; /* nothing to read: AWS reads the source, aslc cannot */
    if (upto == TS_BATCHED && !get(r->state, "ItemBatcher"))
        return NULL;
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Type", "Map");
    cJSON_AddStringToObject(s, "QueryLanguage", r->jsonata ? "JSONata" : "JSONPath");
    static const struct { const char *key; ts_items from; } keys[] = {
        {"InputPath", TS_ITEMS},         {"ItemsPath", TS_ITEMS},
        {"Items", TS_ITEMS},             {"ItemReader", TS_ITEMS},
        {"ItemSelector", TS_SELECTED},   {"Parameters", TS_SELECTED},
        {"ItemBatcher", TS_BATCHED},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = get(r->state, keys[i].key);
        if (v && upto >= keys[i].from)
            put(s, keys[i].key, copy(v));
    }
    cJSON *proc = cJSON_AddObjectToObject(s, "ItemProcessor");
    const cJSON *pc = get(get(r->state, "ItemProcessor"), "ProcessorConfig");
    if (pc) /* a distributed Map's processor says so (ItemReader, ItemBatcher need it) */
        put(proc, "ProcessorConfig", copy(pc));
    cJSON_AddStringToObject(proc, "StartAt", "Item");
    cJSON *item = cJSON_AddObjectToObject(cJSON_AddObjectToObject(proc, "States"), "Item");
    cJSON_AddStringToObject(item, "Type", "Pass");
    cJSON_AddBoolToObject(item, "End", true);
    char *root = reader ? stage_reader_data(r, reader) : NULL;
    if (reader && !root) {
        cJSON_Delete(s);
        return NULL;
    }
    const char *before = r->env.s3_root;
    r->env.s3_root = root;
    cJSON *items = ts_step(r, s, r->input, NULL);
    r->env.s3_root = before;
    ts_s3_unstage(root);
    return items;
}

/* The Map's afterItemsPath (JSONPath), afterItemSelector, afterItemBatcher. */
static void add_map_items(cJSON *insp, req *r)
{
    static const struct { const char *field; ts_items upto; bool jsonpath_only; } steps[] = {
        {"afterItemsPath", TS_ITEMS, true},
        {"afterItemSelector", TS_SELECTED, false},
        {"afterItemBatcher", TS_BATCHED, false},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (steps[i].jsonpath_only && r->jsonata)
            continue;
        /* AWS reports afterItemSelector only for a Map that has one */
        if (steps[i].upto == TS_SELECTED && !get(r->state, "ItemSelector") &&
            !get(r->state, "Parameters"))
            continue;
        cJSON *items = ts_map_items(r, steps[i].upto);
        /* AWS's recorded afterItemsPath keeps the input's text */
        add_payload_of(r, insp, steps[i].field, items,
                       strcmp(steps[i].field, "afterItemsPath") == 0 ? TS_FROM_INPUT_PART
                                                                     : TS_FROM_INPUT);
        cJSON_Delete(items);
    }
}

static void add_number_field(cJSON *insp, const req *r, const char *key, const char *field)
{
    const cJSON *v = get(r->state, field);
    if (cJSON_IsNumber(v)) /* numbers in the API (Integer, Float), not JSON text */
        cJSON_AddNumberToObject(insp, key, v->valuedouble);
}

/* inspectionData at DEBUG (the data flow up to the state's output). */
cJSON *ts_inspection(req *r, const cJSON *variables, bool failed)
{
    cJSON *insp = cJSON_CreateObject();
    add_payload(r, insp, "input", r->input);
    const char *t = r->type;
    bool flow = strcmp(t, "Task") == 0 || strcmp(t, "Pass") == 0 || strcmp(t, "Map") == 0 ||
                strcmp(t, "Parallel") == 0;
    if (r->jsonata) {
        if (strcmp(t, "Task") == 0 || strcmp(t, "Parallel") == 0) {
            static const char *const args[] = {"Arguments"};
            cJSON *a = get(r->state, "Arguments") ? ts_pass_step(r, r->input, args, 1, "Output", NULL)
                                                  : copy(r->input);
            add_payload(r, insp, "afterArguments", a);
            cJSON_Delete(a);
        }
        if (strcmp(t, "Map") == 0)
            add_map_items(insp, r);
        if (flow && strcmp(t, "Pass") != 0 && strcmp(t, "Map") != 0) { /* AWS: no Map result */
            cJSON *res = failed ? NULL : copy(r->mock_result);
            add_result_payload(r, insp, "result", res);
            cJSON_Delete(res);
        }
    } else if (strcmp(t, "Fail") != 0) {
        /* A Pass with a Result shows that Result, not the input's way to it
         * (AWS's recorded answers: no afterInputPath, no afterParameters). */
        bool pass_result = strcmp(t, "Pass") == 0 && get(r->state, "Result");
        static const char *const ip[] = {"InputPath"};
        cJSON *after_ip = pass_result ? NULL
                          : get(r->state, "InputPath") ? ts_pass_step(r, r->input, ip, 1, NULL, NULL)
                                                        : copy(r->input);
        add_payload(r, insp, "afterInputPath", after_ip);
        cJSON_Delete(after_ip);
        if (strcmp(t, "Map") == 0)
            add_map_items(insp, r);
        if (flow) {
            static const char *const par[] = {"InputPath", "Parameters"};
            cJSON *after_par = NULL;
            if (strcmp(t, "Map") != 0 && !pass_result) {
                after_par = ts_pass_step(r, r->input, par, 2, NULL, NULL);
                add_payload(r, insp, "afterParameters", after_par);
            }
            cJSON *res = NULL;
            if (strcmp(t, "Pass") == 0)
                res = pass_result ? copy(get(r->state, "Result")) : copy(after_par);
            else
                res = failed ? NULL : copy(r->mock_result);
            /* AWS: no Map result, and a Pass's only when it has a Result */
            if (res && strcmp(t, "Map") != 0 && (strcmp(t, "Pass") != 0 || pass_result))
                add_result_payload(r, insp, "result", res);
            cJSON *sel = res;
            if (res && get(r->state, "ResultSelector") && strcmp(t, "Pass") != 0) {
                static const char *const rs[] = {"ResultSelector"};
                sel = ts_pass_step(r, res, rs, 1, "Parameters", NULL);
                cJSON_Delete(res);
            }
            /* a Pass has no ResultSelector: AWS shows its result there too */
            if (sel)
                add_result_payload(r, insp, "afterResultSelector", sel);
            if (sel) {
                static const char *const rp[] = {"ResultPath"};
                cJSON *s = ts_pass_state(r);
                put(s, "Result", copy(sel));
                if (get(r->state, "ResultPath"))
                    put(s, "ResultPath", copy(get(r->state, "ResultPath")));
                (void)rp;
                cJSON *after_rp = ts_step(r, s, r->input, NULL);
                add_result_payload(r, insp, "afterResultPath", after_rp);
                cJSON_Delete(after_rp);
            }
            cJSON_Delete(sel);
            cJSON_Delete(after_par);
        }
    }
    if (strcmp(t, "Map") == 0) {
        add_number_field(insp, r, "toleratedFailureCount", "ToleratedFailureCount");
        add_number_field(insp, r, "toleratedFailurePercentage", "ToleratedFailurePercentage");
        /* AWS reports maxConcurrency on every Map, 0 when it is not set */
        const cJSON *mc = get(r->state, "MaxConcurrency");
        cJSON_AddNumberToObject(insp, "maxConcurrency", cJSON_IsNumber(mc) ? mc->valuedouble : 0);
    }
    if (variables && variables->child)
        add_text(insp, "variables", variables);
    return insp;
}

/* ==== Retry ================================================================ */

static bool matches(const cJSON *equals, const char *err)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, equals) {
        const char *n = cJSON_IsString(e) ? e->valuestring : NULL;
        if (!n)
            continue;
        if (strcmp(n, "States.ALL") == 0)
            return true;
        if (strcmp(n, "States.TaskFailed") == 0 && !(err && strcmp(err, "States.Timeout") == 0))
            return true;
        if (err && strcmp(n, err) == 0)
            return true;
    }
    return false;
}

static double number_or(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = get(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* The retrier that would retry [err] after r->retry_count retries: its
 * index and backoff, or -1 (none matches, or it has no attempts left). */
int ts_retrier_for(const req *r, const char *err, long *backoff)
{
    if (err && strcmp(err, "States.Runtime") == 0)
        return -1; /* never retried, as AWS records it */
    int i = 0;
    const cJSON *rt;
    cJSON_ArrayForEach(rt, get(r->state, "Retry")) {
        if (matches(get(rt, "ErrorEquals"), err)) {
            double max = number_or(rt, "MaxAttempts", 3);
            if ((double)r->retry_count >= max)
                return -1; /* the first match decides, even when exhausted */
            double d = number_or(rt, "IntervalSeconds", 1);
            double rate = number_or(rt, "BackoffRate", 2);
            for (long k = 0; k < r->retry_count && d < 1e12; k++)
                d *= rate;
            double cap = number_or(rt, "MaxDelaySeconds", 0);
            if (cap > 0 && d > cap)
                d = cap;
            *backoff = (long)floor(d); /* jitter is left out, as AWS reports it */
            return i;
        }
        i++;
    }
    return -1;
}

