/*
 * map.c - the Map state (asl_run_map): inline and distributed.
 *
 * Inline (the default, ProcessorConfig Mode INLINE, and the legacy
 * Iterator): InputPath; MaxConcurrencyPath; ItemsPath (an array, or a JSON
 * object whose key-value pairs are the items, which then needs an
 * ItemSelector: object_items_ok); then each item runs through the
 * processor as an iteration, at most MaxConcurrency at once (0, and
 * anything above, means AWS's inline limit of 40), on the run's pool
 * (fanout.h); a processor that cannot block (only Pass, Choice, Succeed,
 * Fail) runs its items on the calling thread, joined by helpers, up to the
 * CPUs, only when an item proves long. An item's input is the ItemSelector
 * (or legacy Parameters) built with $ = the effective input and
 * $$.Map.Item.{Index, Key, Value, Source}, or else a copy of the item; it
 * is made only when the item starts, so memory follows the items in
 * flight. The
 * output is the array of the iteration outputs in item order. The first
 * iteration to fail fails the state with its own error and cause (a
 * Task's missed heartbeat stays one for the Map's Retry and Catch), and
 * the iterations still running are cancelled. Then Retry, ResultSelector /
 * ResultPath / OutputPath, or Catch, as for Parallel.
 *
 * Distributed (Mode DISTRIBUTED): each item (or batch, with ItemBatcher)
 * runs as a child execution with its own $$.Execution (name, ARN, input,
 * start time) and its own event ids; its events stay out of the parent's
 * history, which records MapRunStarted and MapRunSucceeded / MapRunFailed
 * (MapRunAborted when the execution stops meanwhile) instead of iteration
 * events. Items come from ItemsPath or from an
 * ItemReader (itemreader.c); failures are tolerated up to
 * ToleratedFailureCount / ToleratedFailurePercentage (none by default),
 * past which the run fails with States.ExceedToleratedFailureThreshold.
 * Without a ResultWriter the output is the children's outputs (a failed
 * child contributes its execution record, as AWS does); with one, the
 * results go to files (resultwriter.c) and the output points at them.
 * The distributed parts are map_dist.c.
 *
 * History: MapStateStarted {"length"} (again on each retry); inline:
 * MapIterationStarted / Succeeded / Failed / Aborted {"name", "index"} per
 * item; distributed: MapRunStarted {"mapRunArn"}, MapRunSucceeded,
 * MapRunFailed {"error", "cause"} or MapRunAborted; then MapStateSucceeded,
 * or MapStateFailed once no retry is left. Errors in the Map's own fields (MaxConcurrencyPath,
 * ItemsPath, tolerated-failure paths) fail with States.Runtime and no
 * MapStateFailed, as the recorded executions show.
 *
 * Owns: during the call, the items array when an ItemReader made it, the
 * outputs and records until they are assembled, the child runs' names.
 * Called by generated state functions.
 *
 * Layer: engine
 */
#include <fcntl.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "map_impl.h"

/* AWS runs at most this many inline iterations at once. */
enum { INLINE_LIMIT = 40 };
/* A distributed Map's default concurrency (the pool caps what runs). */
enum { DISTRIBUTED_LIMIT = 10000 };


/* ==== Small helpers ========================================================== */

char *rt_map_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A value as AWS quotes it in causes: strings bare, others as JSON. */
static char *value_text(const cJSON *v)
{
    if (cJSON_IsString(v) && v->valuestring)
        return rt_map_strdup(v->valuestring);
    return rt_json_print(v);
}

int rt_map_oom(asl_exec *x)
{
    return asl_fail_with(x, "States.Runtime", "Out of memory.");
}

/* Does template [t] read the context object anywhere? Then each item's
 * ItemSelector needs $$.Map in the context. */
static bool tmpl_reads_context(const asl_tmpl *t)
{
    if (!t)
        return false;
    switch (t->kind) {
    case ASL_T_PATH:
        return t->path && t->path->root == ASL_ROOT_CONTEXT;
    case ASL_T_OBJECT:
        for (int i = 0; i < t->n; i++)
            if (tmpl_reads_context(t->fields[i].value))
                return true;
        return false;
    case ASL_T_ARRAY:
        for (int i = 0; i < t->n; i++)
            if (tmpl_reads_context(&t->items[i]))
                return true;
        return false;
    case ASL_T_CALL:
        for (int i = 0; t->call && i < t->call->nargs; i++)
            if (tmpl_reads_context(&t->call->args[i]))
                return true;
        return false;
    default:
        return false;
    }
}

/* Can no state of processor [p] wait for anything (a Task, a Wait, a nested
 * fan-out)? Its iterations are then pure computation, often of
 * microseconds, and running them one after another on the calling thread
 * beats handing each to a pool thread: the hand-off, the lock every
 * item's preparation takes and the context switches cost more than the
 * work (the map benchmark ran 10,000 such items 40 at a time on 2 cores).
 * The fan-out (cpu_bound) adds threads when an item proves long. One at a
 * time is an order AWS may show too, MaxConcurrency being an upper bound. */
static bool processor_never_blocks(const asl_machine *p)
{
    static const char *const pure[] = {"Pass", "Choice", "Succeed", "Fail"};
    if (!p || p->nstates <= 0)
        return false;
    for (int i = 0; i < p->nstates; i++) {
        const char *t = p->states[i].type;
        size_t k = 0;
        while (k < sizeof pure / sizeof *pure && !(t && strcmp(t, pure[k]) == 0))
            k++;
        if (k == sizeof pure / sizeof *pure)
            return false;
    }
    return true;
}

/* An integer-valued field given by a path (MaxConcurrencyPath, ...):
 * AWS's causes for a value that is not one. Returns 0 or -1 (error set). */
/* A number, or a string that is one in full (AWS reads "1" from a
 * variable as 1). */
static double numeric_value(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsString(v) && v->valuestring[0] && !isspace((unsigned char)v->valuestring[0])) {
        char *end;
        double d = strtod(v->valuestring, &end);
        if (*end == '\0')
            return d;
    }
    return NAN;
}

int rt_map_path_long(asl_exec *x, const asl_path *p, const cJSON *eff, const char *field,
                     long *out)
{
    const cJSON *v = asl_select(x, p, eff);
    if (!v)
        return -1;
    double d = numeric_value(v);
    if (!(d == floor(d) && d >= -9.2e18 && d <= 9.2e18)) {
        char *t = value_text(v);
        asl_fail_runtime(x, "The %s field refers to value \"%s\" which is not a valid integer: %s",
                         field, t ? t : "", p->text);
        free(t);
        return -1;
    }
    *out = (long)d;
    return 0;
}

int rt_map_path_double(asl_exec *x, const asl_path *p, const cJSON *eff, const char *field,
                       double *out)
{
    const cJSON *v = asl_select(x, p, eff);
    if (!v)
        return -1;
    double d = numeric_value(v);
    if (isnan(d)) {
        char *t = value_text(v);
        asl_fail_runtime(x, "The %s field refers to value \"%s\" which is not a valid float: %s",
                         field, t ? t : "", p->text);
        free(t);
        return -1;
    }
    *out = d;
    return 0;
}

/* Records an event with {"name": state, "index": i} under [key]. */
static long iteration_event(asl_exec *x, const char *type, const char *key, const char *name,
                            long index)
{
    if (!rt_recording(x))
        return rt_event(x, type, key, NULL); /* the id only */
    cJSON *d = cJSON_CreateObject();
    if (d && !(cJSON_AddStringToObject(d, "name", name) &&
               cJSON_AddNumberToObject(d, "index", (double)index))) {
        cJSON_Delete(d);
        d = NULL;
    }
    return rt_event(x, type, key, d);
}

/* A v4-style UUID from a 64-bit state (child execution and Map Run names:
 * unique, not secret). */
static uint64_t mix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void rt_map_uuid(uint64_t *seed, char out[37])
{
    unsigned char b[16];
    uint64_t a = mix64(seed), c = mix64(seed);
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(a >> (8 * i));
        b[8 + i] = (unsigned char)(c >> (8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

static uint64_t random_seed(const asl_exec *x)
{
    uint64_t s = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &s, sizeof s) != (ssize_t)sizeof s)
            s = 0;
        close(fd);
    }
    return s ^ (uint64_t)rt_now_ns(x) ^ ((uint64_t)(uintptr_t)x << 20);
}

static void ctx_free(map_ctx *c)
{
    if (c->outputs)
        for (long i = 0; i < c->nunits; i++)
            cJSON_Delete(c->outputs[i]);
    free(c->outputs);
    if (c->recs)
        for (long i = 0; i < c->nunits; i++) {
            free(c->recs[i].input_text);
            free(c->recs[i].error);
            free(c->recs[i].cause);
        }
    free(c->recs);
    free(c->error);
    free(c->cause);
    free(c->batch_start);
    cJSON_Delete(c->batch_input);
    free(c->child_sm_name);
    free(c->child_sm_arn);
    free(c->exec_arn_prefix);
    free(c->map_run_id);
    free(c->map_run_arn);
}

/* ==== Items ================================================================== */

/* Item [i], walking the array in order (units start in index order, so
 * this is O(1) per item rather than O(i)). Called under the lock. */
static const cJSON *item_at(map_ctx *c, long i)
{
    const cJSON *it;
    if (c->cursor && c->cursor_index == i)
        it = c->cursor;
    else
        it = cJSON_GetArrayItem(c->items, (int)i);
    c->cursor = it ? it->next : NULL;
    c->cursor_index = i + 1;
    return it;
}

/* $$.Map.Item.Value: a reference to the item when it has children or text
 * (as $$.Execution.Input refers to the input, context_object.c: nothing
 * writes through $$, whatever reads it copies, and the items outlive the
 * fan-out, after which rt_map_clear_item drops it), else a copy, without
 * the key an object's pair carries. */
static cJSON *item_value(const cJSON *item)
{
    switch (item->type & 0xFF) {
    case cJSON_Object: return cJSON_CreateObjectReference(item->child);
    case cJSON_Array: return cJSON_CreateArrayReference(item->child);
    case cJSON_String: return cJSON_CreateStringReference(item->valuestring);
    default: {
        cJSON *v = cJSON_Duplicate(item, 0);
        if (v && v->string) {
            if (!(v->type & cJSON_StringIsConst))
                cJSON_free(v->string);
            v->string = NULL;
            v->type &= ~cJSON_StringIsConst;
        }
        return v;
    }
    }
}

/* A string member that refers to [s] (which outlives the object). */
static bool add_ref(cJSON *o, const char *k, const char *s)
{
    cJSON *r = cJSON_CreateStringReference(s);
    return r && (cJSON_AddItemToObject(o, k, r) || (cJSON_Delete(r), false));
}

/* Puts "Map": {"Item": {"Index": i, "Key": k, "Value": item, "Source": s}}
 * into x's context object, replacing an earlier one; Key only when the
 * items are an object's pairs. Source is "STATE_DATA" for items from the
 * state's input, else where the ItemReader read the item (itemreader.c).
 * The Map object made for the first item serves the following ones,
 * updated in place: a new object and a copy of the item per item cost
 * more than the rest of a small iteration. Key and Source are string
 * references (to the pair's key, to the reader's URIs, which outlive the
 * fan-out), so updating them is a pointer store. */
static bool context_set_item(map_ctx *c, long i, const cJSON *item)
{
    asl_exec *x = c->x;
    if (!rt_context(x))
        return false;
    const char *src = c->srcs ? rt_item_source(c->srcs, i) : NULL;
    if (!src)
        src = "STATE_DATA";
    const char *key = c->object && item->string ? item->string : "";
    cJSON *old = cJSON_GetObjectItemCaseSensitive(x->context, "Map");
    if (c->ctx_item && old && old->child == c->ctx_item) {
        cJSON *idx = c->ctx_item->child; /* Index, Key?, Value, Source, as made below */
        cJSON_SetNumberValue(idx, (double)i);
        cJSON *prev = idx->next;
        if (c->object) {
            prev->valuestring = (char *)key; /* a reference: nothing frees it */
            prev = prev->next;
        }
        prev->next->valuestring = (char *)src; /* Source, a reference too */
        if ((item->type & 0xFF) == cJSON_Number && (prev->type & ~cJSON_StringIsConst) == cJSON_Number) {
            cJSON_SetNumberValue(prev, item->valuedouble); /* a number for a number */
            return true;
        }
        cJSON *val = item_value(item);
        if (!val)
            return false;
        val->string = (char *)"Value"; /* cJSON frees no const key */
        val->type |= cJSON_StringIsConst;
        if (cJSON_ReplaceItemViaPointer(c->ctx_item, prev, val))
            return true;
        cJSON_Delete(val);
        return false;
    }
    cJSON *val = item_value(item);
    if (!val)
        return false;
    cJSON *map = cJSON_CreateObject();
    cJSON *it = map ? cJSON_AddObjectToObject(map, "Item") : NULL;
    bool ok = it && cJSON_AddNumberToObject(it, "Index", (double)i) &&
              (!c->object || add_ref(it, "Key", key)) && cJSON_AddItemToObject(it, "Value", val);
    bool val_owned = it && cJSON_GetObjectItemCaseSensitive(it, "Value") == val;
    ok = ok && add_ref(it, "Source", src);
    if (!ok) {
        if (!val_owned)
            cJSON_Delete(val);
        cJSON_Delete(map);
        return false;
    }
    if (old ? !cJSON_ReplaceItemInObjectCaseSensitive(x->context, "Map", map)
            : !cJSON_AddItemToObject(x->context, "Map", map)) {
        cJSON_Delete(map);
        return false;
    }
    c->ctx_item = it;
    return true;
}

void rt_map_clear_item(asl_exec *x)
{
    if (x->context)
        cJSON_DeleteItemFromObjectCaseSensitive(x->context, "Map");
}

/* The input an item gets: ItemSelector built for it, or a copy. Called
 * under the lock (it uses the parent execution). 0 with the error set. */
cJSON *rt_map_item_input(map_ctx *c, long i)
{
    asl_exec *x = c->x;
    const cJSON *item = item_at(c, i);
    if (!item) {
        asl_fail_runtime(x, "The item at index %ld is missing.", i);
        return NULL;
    }
    const asl_tmpl *sel = c->m->item_selector;
    if (!sel) {
        cJSON *in = cJSON_Duplicate(item, 1);
        if (!in)
            rt_map_oom(x);
        return in;
    }
    if (c->selector_context && !context_set_item(c, i, item)) {
        if (!asl_failed(x))
            rt_map_oom(x);
        return NULL;
    }
    int mark = x->nscratch;
    asl_jstates js = {c->eff, NULL, NULL};
    cJSON *in = c->m->flow.jsonata ? asl_jn_value(x, sel, &js, "ItemSelector") : asl_build(x, sel, c->eff);
    /* the build's temporaries: gone now, not when the whole Map ends */
    while (x->nscratch > mark)
        cJSON_Delete(x->scratch[--x->nscratch]);
    return in;
}

/* ==== Inline iterations ====================================================== */

static cJSON *inline_prep(rt_fanout *f, long i)
{
    return rt_map_item_input(f->ctx, i);
}

static rt_status inline_run(rt_fanout *f, long i, asl_exec *sub, cJSON *input, cJSON **out)
{
    const map_ctx *c = f->ctx;
    iteration_event(sub, "MapIterationStarted", "mapIterationStartedEventDetails", c->state_name, i);
    rt_status st = rt_exec_states(sub, c->m->processor, input, out);
    if (st == RT_SUCCEEDED)
        iteration_event(sub, "MapIterationSucceeded", "mapIterationSucceededEventDetails",
                        c->state_name, i);
    else if (st == RT_ABORTED)
        iteration_event(sub, "MapIterationAborted", "mapIterationAbortedEventDetails",
                        c->state_name, i);
    else
        iteration_event(sub, "MapIterationFailed", "mapIterationFailedEventDetails",
                        c->state_name, i);
    return st;
}

/* The first failure fails the state: keep its error (taken from [sub]). */
static void note_failure(map_ctx *c, asl_exec *sub, rt_status st)
{
    if (c->failed)
        return;
    c->failed = true;
    c->status = st;
    c->error = sub->error;
    c->cause = sub->cause;
    c->heartbeat = sub->heartbeat_timeout;
    sub->error = sub->cause = NULL;
}

static bool inline_done(rt_fanout *f, long i, asl_exec *sub, rt_status st, cJSON *out)
{
    map_ctx *c = f->ctx;
    if (st == RT_SUCCEEDED) {
        c->outputs[i] = out;
        return false;
    }
    note_failure(c, sub, st);
    return true;
}

static const rt_fanout_ops inline_ops = {inline_prep, inline_run, inline_done};

/* ==== The state ============================================================== */

/* One attempt: MapStateStarted, the fan-out, its events. Returns the
 * state's result (before ResultSelector), or 0 with the error set on x;
 * *map_failed then says whether the failure came from the items (and so
 * gets a MapStateFailed event) rather than from the Map's own fields. */
static cJSON *map_attempt(map_ctx *c, long limit, bool *map_failed)
{
    asl_exec *x = c->x;
    *map_failed = false;

    cJSON *d = cJSON_CreateObject();
    if (d && !cJSON_AddNumberToObject(d, "length", (double)c->nitems)) {
        cJSON_Delete(d);
        d = NULL;
    }
    long started = rt_event(x, "MapStateStarted", "mapStateStartedEventDetails", d);

    c->failed = false;
    c->heartbeat = false;
    c->nfailed = 0;
    c->cursor = c->items ? c->items->child : NULL;
    c->cursor_index = 0;
    if (c->dist) {
        if (rt_map_dist_tolerance(c) != 0 || rt_map_dist_names(c) != 0 || rt_map_dist_batches(c) != 0)
            return NULL;
        c->recs = calloc((size_t)(c->nunits > 0 ? c->nunits : 1), sizeof *c->recs);
        if (!c->recs)
            return rt_map_oom(x), NULL;
        cJSON *md = cJSON_CreateObject();
        if (md && !cJSON_AddStringToObject(md, "mapRunArn", c->map_run_arn)) {
            cJSON_Delete(md);
            md = NULL;
        }
        started = rt_event(x, "MapRunStarted", "mapRunStartedEventDetails", md);
    } else {
        c->nunits = c->nitems;
    }
    c->outputs = calloc((size_t)(c->nunits > 0 ? c->nunits : 1), sizeof *c->outputs);
    if (!c->outputs)
        return rt_map_oom(x), NULL;

    rt_fanout f = {.x = x, .ops = c->dist ? &rt_map_dist_ops : &inline_ops, .ctx = c,
                   .isolated = c->dist, .label = c->state_name, .n = c->nunits,
                   .limit = limit, .start_event = started,
                   .cpu_bound = !c->dist && processor_never_blocks(c->m->processor)};
    rt_fanout_run(&f);
    rt_map_clear_item(x);
    c->ctx_item = NULL;
    x->prev_event_id = __atomic_load_n(&x->run->last_event_id, __ATOMIC_RELAXED);

    cJSON *result = NULL;
    if (f.prep_failed) {
        /* ItemSelector (or BatchInput) failed on the parent: its error */
    } else if (!c->dist) {
        if (!c->failed && f.started < c->nunits) {
            /* cancelled from outside before every item ran */
            note_failure(c, &(asl_exec){0}, RT_ABORTED);
        }
        if (c->failed) {
            rt_adopt_error(x, c->status, c->error, c->cause, c->heartbeat);
            c->error = c->cause = NULL;
            *map_failed = true;
        } else if ((result = cJSON_CreateArray())) {
            for (long i = 0; i < c->nunits; i++) {
                if (!cJSON_AddItemToArray(result, c->outputs[i])) {
                    cJSON_Delete(result);
                    result = NULL;
                    rt_map_oom(x);
                    break;
                }
                c->outputs[i] = NULL;
            }
        } else {
            rt_map_oom(x);
        }
    } else {
        if (!c->failed && rt_cancelled(x)) {
            /* the run was aborted, or an enclosing fan-out cancelled this
             * one: the children that stopped say nothing about the run */
            c->failed = true;
            c->status = RT_ABORTED;
        }
        result = rt_map_dist_result(c);
        if (c->failed && c->status == RT_ABORTED) {
            /* AWS: the Map Run is aborted with the execution (no details) */
            rt_event(x, "MapRunAborted", NULL, NULL);
            rt_adopt_error(x, c->status, c->error, c->cause, false);
            c->error = c->cause = NULL;
            *map_failed = true;
        } else if (c->failed) {
            cJSON *fd = cJSON_CreateObject();
            if (fd && !((!c->error || cJSON_AddStringToObject(fd, "error", c->error)) &&
                        (!c->cause || cJSON_AddStringToObject(fd, "cause", c->cause)))) {
                cJSON_Delete(fd);
                fd = NULL;
            }
            rt_event(x, "MapRunFailed", "mapRunFailedEventDetails", fd);
            /* the run's own error, never a child's: no heartbeat flag */
            rt_adopt_error(x, c->status, c->error, c->cause, false);
            c->error = c->cause = NULL;
            *map_failed = true;
        } else if (result) {
            rt_event(x, "MapRunSucceeded", NULL, NULL);
        } else {
            rt_event(x, "MapRunFailed", NULL, NULL);
            *map_failed = true;
        }
    }
    return result;
}

/* Forget one attempt's per-unit state (a retry starts afresh). */
static void attempt_reset(map_ctx *c)
{
    const asl_map *m = c->m;
    asl_exec *x = c->x;
    const cJSON *eff = c->eff, *items = c->items;
    long nitems = c->nitems;
    bool selctx = c->selector_context, object = c->object;
    const rt_item_srcs *srcs = c->srcs;
    uint64_t seed = c->seed;
    ctx_free(c);
    memset(c, 0, sizeof *c);
    c->m = m;
    c->x = x;
    c->state_name = rt_state_name(x);
    c->eff = eff;
    c->items = items;
    c->nitems = nitems;
    c->object = object;
    c->srcs = srcs;
    c->selector_context = selctx;
    c->dist = m->distributed != 0;
    c->seed = seed;
}

/* A JSONata Map's items: Items' value, or the state's input; an array, an
 * object (its pairs) when there is an ItemSelector, or
 * States.QueryEvaluationError with AWS's causes. A fresh tree or 0. */
static cJSON *jsonata_items(asl_exec *x, const asl_map *m, const cJSON *input)
{
    asl_jstates js = {input, NULL, NULL};
    cJSON *v = m->items ? asl_jn_value(x, m->items, &js, "Items") : cJSON_Duplicate(input, 1);
    if (!v) {
        if (!asl_failed(x))
            rt_map_oom(x);
        return NULL;
    }
    /* An object's pairs with an ItemSelector. Without one, AWS's recorded
     * executions (from before it iterated objects) fail as below; they win
     * over a cause of aslc's own (object_items_ok, for JSONPath). */
    if (cJSON_IsArray(v) || (cJSON_IsObject(v) && m->item_selector))
        return v;
    char *t = rt_json_print(v);
    static const char *const types[] = {"null", "boolean", "number", "string", "object"};
    const char *type = cJSON_IsBool(v) ? types[1] : cJSON_IsNumber(v) ? types[2]
                     : cJSON_IsString(v) ? types[3] : cJSON_IsObject(v) ? types[4] : types[0];
    if (m->items && m->items->kind == ASL_T_JSONATA)
        asl_fail_query(x, "Items",
                       "The JSONata expression '%s' specified for the field 'Items' returned an "
                       "unexpected result type. Expected 'array', but was '%s' for value: %s",
                       m->items->str, type, t ? t : "");
    else
        asl_fail_query(x, NULL, "Map state input must be an array but was: %s", t ? t : "");
    free(t);
    cJSON_Delete(v);
    return NULL;
}

/* Items that are a JSON object run one iteration per key-value pair, in
 * the object's order, with $$.Map.Item.Key. AWS does not document the
 * input such an iteration gets without an ItemSelector, so aslc asks for
 * one rather than guess: false with States.Runtime when there is none.
 * (A JSONata Map never gets here without one: jsonata_items.) */
static bool object_items_ok(asl_exec *x, const asl_map *m)
{
    if (m->item_selector)
        return true;
    asl_fail_runtime(x, "The Map state's items (ItemsPath) are a JSON object. aslc iterates an "
                        "object's key-value pairs only with an ItemSelector, because AWS does not "
                        "document the shape of the pair an iteration receives without one. Add, "
                        "for example, \"ItemSelector\": {\"key.$\": \"$$.Map.Item.Key\", "
                        "\"value.$\": \"$$.Map.Item.Value\"}.");
    return false;
}

int asl_run_map(asl_exec *x, const asl_map *m, cJSON **doc)
{
    const asl_flow *fl = &m->flow;
    const cJSON *eff;
    cJSON *owned;
    if (rt_flow_input(x, fl, doc, &eff, &owned) != 0)
        return ASL_NEXT_ERROR;

    /* MaxConcurrency: a bad path fails before MapStateStarted */
    long mc = m->max_concurrency;
    if (m->max_concurrency_jn) {
        asl_jstates js = {*doc, NULL, NULL};
        cJSON *v = asl_jn_value(x, m->max_concurrency_jn, &js, "MaxConcurrency");
        if (!v) {
            cJSON_Delete(owned);
            return ASL_NEXT_ERROR;
        }
        double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        cJSON_Delete(v);
        if (!(d == floor(d) && d >= 0 && d < 1e9)) {
            cJSON_Delete(owned);
            return asl_fail_runtime(x, "The MaxConcurrency field must be a non-negative integer.");
        }
        mc = (long)d;
    }
    if (m->max_concurrency_path &&
        rt_map_path_long(x, m->max_concurrency_path, eff, "MaxConcurrencyPath", &mc) != 0) {
        cJSON_Delete(owned);
        return ASL_NEXT_ERROR;
    }
    if (mc < 0) {
        cJSON_Delete(owned);
        return asl_fail_runtime(x, "MaxConcurrency cannot be negative.");
    }
    long limit = m->distributed ? (mc > 0 ? mc : DISTRIBUTED_LIMIT)
                                : (mc > 0 && mc < INLINE_LIMIT ? mc : INLINE_LIMIT);

    /* the items: from the ItemReader, or ItemsPath over the effective input */
    cJSON *read = NULL;
    const cJSON *items;
    rt_item_srcs srcs = {0};
    if (m->dist && m->dist->reader_resource) {
        cJSON *args = NULL;
        asl_map_dist dd = *m->dist; /* MaxItems from its expression */
        if (dd.max_items_jn) {
            asl_jstates js = {*doc, NULL, NULL};
            double jv;
            if (asl_jn_number(x, dd.max_items_jn, &js, "MaxItems", true, &jv) != 0) {
                cJSON_Delete(owned);
                rt_event(x, "MapStateFailed", NULL, NULL);
                return asl_catch(x, m->flow.catchers, m->flow.ncatch, doc);
            }
            if (jv < 0)
                jv = -1;
            dd.max_items = jv > 1e8 ? 100000000L : (long)jv;
        }
        if (m->dist->jsonata && m->dist->reader_parameters) {
            asl_jstates js = {*doc, NULL, NULL};
            args = asl_jn_value(x, m->dist->reader_parameters, &js, "ItemReader/Arguments");
        }
        items = read = (m->dist->jsonata && m->dist->reader_parameters && !args)
                           ? NULL
                           : rt_read_items(x, &dd, eff, args, &srcs);
        cJSON_Delete(args);
    } else if (m->flow.jsonata) {
        items = read = jsonata_items(x, m, *doc);
    } else {
        items = m->items_path ? asl_select(x, m->items_path, eff) : eff;
        if (items && !cJSON_IsArray(items) && !cJSON_IsObject(items)) {
            char *t = rt_json_print(items);
            asl_fail_runtime(x, "Map state input must be an array but was: %s", t ? t : "");
            free(t);
            items = NULL;
        }
    }
    if (items && cJSON_IsObject(items) && !object_items_ok(x, m)) {
        cJSON_Delete(read);
        cJSON_Delete(owned);
        rt_item_srcs_free(&srcs);
        return asl_catch(x, fl->catchers, fl->ncatch, doc); /* States.Runtime: not caught */
    }
    if (!items) {
        cJSON_Delete(owned);
        rt_item_srcs_free(&srcs);
        if (m->flow.jsonata && asl_failed(x))
            rt_event(x, "MapStateFailed", NULL, NULL);
        /* an ItemReader failure can be caught; States.Runtime never is */
        return asl_catch(x, fl->catchers, fl->ncatch, doc);
    }

    map_ctx c = {.m = m, .x = x};
    c.eff = eff;
    c.items = items;
    c.nitems = cJSON_GetArraySize(items); /* an object's pairs count alike */
    c.object = cJSON_IsObject(items);
    c.srcs = srcs.n > 0 ? &srcs : NULL;
    c.selector_context = m->flow.jsonata || tmpl_reads_context(m->item_selector);
    c.seed = m->distributed ? random_seed(x) : 0;
    attempt_reset(&c);

    int *attempts = calloc((size_t)(fl->nretry > 0 ? fl->nretry : 1), sizeof *attempts);
    cJSON *result = NULL;
    bool map_failed = false;
    for (;;) {
        if (!attempts) {
            rt_map_oom(x);
            break;
        }
        result = map_attempt(&c, limit, &map_failed);
        if (result || !map_failed)
            break;
        if (!asl_retry(x, fl->retry, fl->nretry, attempts))
            break;
        attempt_reset(&c);
    }
    free(attempts);
    ctx_free(&c);
    cJSON_Delete(read);
    rt_item_srcs_free(&srcs);
    cJSON_Delete(owned);
    if (!result) {
        /* Only a failure of the items gets MapStateFailed; the Map's own
         * fields fail with States.Runtime, which no Catch takes. An
         * aborted run gets MapStateAborted from the loop instead. */
        if (map_failed && x->status == RT_FAILED)
            rt_event(x, "MapStateFailed", NULL, NULL);
        return asl_catch(x, fl->catchers, fl->ncatch, doc);
    }
    rt_event(x, "MapStateSucceeded", NULL, NULL);
    return rt_flow_finish(x, fl, doc, result);
}
