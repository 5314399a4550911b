/*
 * lower.c - builds the ir_program (ir.h) from a definition that passed
 * every check: states with resolved indices, parsed paths, payload
 * templates with ".$" stripped and `constant` computed, Choice rules,
 * Wait and Fail fields, Retry / Catch, and nested machines for Parallel
 * branches and Map processors, each with a unique id in
 * program->machines (top level 0, then nested ones in definition order).
 *
 * Everything is allocated in the unit's arena; `json` fields point into
 * the unit's cJSON tree. Because the checks ran first, a failure here is
 * our bug, not the user's: lower_bug() says where and aborts.
 *
 * Called by check_and_lower() (check_machine.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_jsonata.h"
#include "check_internal.h"
#include "intrinsic.h"
#include "path.h"
#include "timestamp.h"

#define lower_bug(what) lower_bug_at(__FILE__, __LINE__, (what))

static _Noreturn void lower_bug_at(const char *file, int line, const char *what)
{
    fprintf(stderr, "aslc: internal error at %s:%d: %s\n", file, line, what);
    abort();
}

typedef struct lname {
    const char *name;
    int index;
    struct lname *next;
} lname;

typedef struct lower_ctx {
    unit *u;
    ir_program *prog;
    int capmachines;
    lname *buckets[1024];
    bool top_jsonata; /* the definition's QueryLanguage is JSONata */
} lower_ctx;

/* ==== Helpers =========================================================== */

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* State names are unique in the whole definition (checked), so one table
 * serves every machine. */
static void name_put(lower_ctx *L, const char *name, int index)
{
    lname *e = arena_new(&L->u->arena, lname);
    e->name = name;
    e->index = index;
    size_t h = hash_str(name) & 1023;
    e->next = L->buckets[h];
    L->buckets[h] = e;
}

static int name_index(lower_ctx *L, const cJSON *v)
{
    if (!cJSON_IsString(v))
        lower_bug("transition target is not a string");
    for (const lname *e = L->buckets[hash_str(v->valuestring) & 1023]; e; e = e->next)
        if (strcmp(e->name, v->valuestring) == 0)
            return e->index;
    lower_bug("unresolved transition target");
}

static ir_pos pos_at(lower_ctx *L, size_t off)
{
    ir_pos p = {0, 0};
    unit_linecol(L->u, off, &p.line, &p.col);
    return p;
}

static ir_pos val_pos(lower_ctx *L, const cJSON *v) { return pos_at(L, load_val_off(L->u, v)); }

static ir_pos key_pos(lower_ctx *L, const cJSON *v)
{
    size_t off = load_key_off(L->u, v);
    return pos_at(L, off != NO_OFFSET ? off : load_val_off(L->u, v));
}

static const char *dup(lower_ctx *L, const char *s) { return arena_strdup(&L->u->arena, s); }

static bool ends_with_dollar(const char *k)
{
    size_t n = strlen(k);
    return n >= 2 && strcmp(k + n - 2, ".$") == 0;
}

/* ==== Paths, calls, templates ========================================== */

static void note_context_call(lower_ctx *L, const ir_call *call);

static ir_path *lower_path(lower_ctx *L, const cJSON *v, unsigned flags)
{
    path_error pe;
    ir_path *p = path_parse(&L->u->arena, v->valuestring, flags, &pe);
    if (!p)
        lower_bug("a checked path does not parse");
    p->pos = val_pos(L, v);
    if (p->root == IR_ROOT_CONTEXT)
        L->prog->uses_context = true;
    return p;
}

static ir_opt_path lower_opt_path(lower_ctx *L, const cJSON *v, unsigned flags)
{
    ir_opt_path o = {IR_OPT_DEFAULT, NULL};
    if (!v)
        return o;
    if (cJSON_IsNull(v)) {
        o.kind = IR_OPT_NULL;
        return o;
    }
    o.kind = IR_OPT_PATH;
    o.path = lower_path(L, v, flags);
    return o;
}

static void note_context_call(lower_ctx *L, const ir_call *call)
{
    for (int k = 0; k < call->nargs; k++) {
        const ir_tmpl *a = call->args[k];
        if (a->kind == IR_T_PATH && a->path->root == IR_ROOT_CONTEXT)
            L->prog->uses_context = true;
        else if (a->kind == IR_T_CALL)
            note_context_call(L, a->call);
    }
}

static void set_call_pos(ir_call *call, ir_pos pos)
{
    call->pos = pos;
    for (int k = 0; k < call->nargs; k++) {
        ir_tmpl *a = call->args[k];
        a->pos = pos;
        if (a->kind == IR_T_PATH)
            a->path->pos = pos;
        else if (a->kind == IR_T_CALL)
            set_call_pos(a->call, pos);
    }
}

/* The value of a ".$" key, ErrorPath or CausePath: a PATH or CALL node. */
static ir_tmpl *lower_dynamic(lower_ctx *L, const cJSON *v)
{
    ir_tmpl *t = arena_new(&L->u->arena, ir_tmpl);
    t->pos = val_pos(L, v);
    if (v->valuestring[0] == '$') {
        t->kind = IR_T_PATH;
        t->path = lower_path(L, v, 0);
        return t;
    }
    intr_error ie;
    ir_call *call = intr_parse(&L->u->arena, v->valuestring, &ie);
    if (!call)
        lower_bug("a checked intrinsic call does not parse");
    set_call_pos(call, t->pos);
    note_context_call(L, call);
    t->kind = IR_T_CALL;
    t->call = call;
    return t;
}

/* A template from JSON. [literal]: Pass "Result", where ".$" keys are
 * ordinary keys. */
static ir_tmpl *lower_tmpl(lower_ctx *L, const cJSON *v, bool literal)
{
    ir_tmpl *t = arena_new(&L->u->arena, ir_tmpl);
    t->pos = val_pos(L, v);
    t->constant = true;
    if (cJSON_IsNull(v)) {
        t->kind = IR_T_NULL;
    } else if (cJSON_IsTrue(v)) {
        t->kind = IR_T_TRUE;
    } else if (cJSON_IsFalse(v)) {
        t->kind = IR_T_FALSE;
    } else if (cJSON_IsNumber(v)) {
        t->kind = IR_T_NUMBER;
        t->num = v->valuedouble;
    } else if (cJSON_IsString(v)) {
        t->kind = IR_T_STRING;
        t->str = dup(L, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        t->kind = IR_T_ARRAY;
        t->n = cJSON_GetArraySize(v);
        t->items = t->n ? arena_array(&L->u->arena, (size_t)t->n, sizeof *t->items) : NULL;
        int k = 0;
        const cJSON *e;
        cJSON_ArrayForEach (e, v) {
            t->items[k] = lower_tmpl(L, e, literal);
            t->constant &= t->items[k]->constant;
            k++;
        }
    } else if (cJSON_IsObject(v)) {
        t->kind = IR_T_OBJECT;
        t->n = cJSON_GetArraySize(v);
        t->fields = t->n ? arena_array(&L->u->arena, (size_t)t->n, sizeof *t->fields) : NULL;
        int k = 0;
        const cJSON *m;
        cJSON_ArrayForEach (m, v) {
            ir_field *f = &t->fields[k++];
            f->pos = key_pos(L, m);
            if (!literal && ends_with_dollar(m->string)) {
                f->key = arena_strndup(&L->u->arena, m->string, strlen(m->string) - 2);
                f->value = lower_dynamic(L, m);
            } else {
                f->key = dup(L, m->string);
                f->value = lower_tmpl(L, m, literal);
            }
            t->constant &= f->value->constant;
        }
    } else {
        lower_bug("unexpected JSON value in a template");
    }
    return t;
}

static ir_tmpl *opt_tmpl(lower_ctx *L, const cJSON *v) { return v ? lower_tmpl(L, v, false) : NULL; }

/* ==== Choice rules ====================================================== */

static ir_rule *lower_rule(lower_ctx *L, const cJSON *rule, bool top)
{
    ir_rule *r = arena_new(&L->u->arena, ir_rule);
    r->pos = val_pos(L, rule);
    r->next = top ? name_index(L, check_get(rule, "Next")) : -1;
    if (top)
        r->assign = opt_tmpl(L, check_get(rule, "Assign"));
    const cJSON *v;
    if ((v = check_get(rule, "And")) || (v = check_get(rule, "Or"))) {
        r->kind = strcmp(v->string, "And") == 0 ? IR_RULE_AND : IR_RULE_OR;
        r->n = cJSON_GetArraySize(v);
        r->subs = arena_array(&L->u->arena, (size_t)r->n, sizeof *r->subs);
        int k = 0;
        const cJSON *e;
        cJSON_ArrayForEach (e, v)
            r->subs[k++] = lower_rule(L, e, false);
        return r;
    }
    if ((v = check_get(rule, "Not"))) {
        r->kind = IR_RULE_NOT;
        r->n = 1;
        r->subs = arena_array(&L->u->arena, 1, sizeof *r->subs);
        r->subs[0] = lower_rule(L, v, false);
        return r;
    }
    r->kind = IR_RULE_TEST;
    r->variable = lower_path(L, check_get(rule, "Variable"), PATH_REFERENCE);
    const check_op *op = NULL;
    const cJSON *m;
    cJSON_ArrayForEach (m, rule)
        if ((op = check_choice_op(m->string)))
            break;
    if (!op)
        lower_bug("a checked Choice rule has no operator");
    r->op_name = op->name;
    r->type = op->type;
    r->cmp = op->cmp;
    r->pos = key_pos(L, m);
    if (op->path) {
        r->rhs_is_path = true;
        r->rhs_path = lower_path(L, m, PATH_REFERENCE);
        return r;
    }
    switch (op->type) {
    case IR_TEST_STRING:
    case IR_TEST_MATCHES: r->str = dup(L, m->valuestring); break;
    case IR_TEST_NUMERIC: r->num = m->valuedouble; break;
    case IR_TEST_TIMESTAMP:
        r->str = dup(L, m->valuestring);
        if (!rt_parse_timestamp(m->valuestring, &r->ts_sec, &r->ts_nsec))
            lower_bug("a checked timestamp does not parse");
        break;
    default: /* BooleanEquals, Is* */ r->boolean = cJSON_IsTrue(m); break;
    }
    return r;
}

/* ==== Retry / Catch ===================================================== */

static const char **error_names(lower_ctx *L, const cJSON *obj, int *n)
{
    const cJSON *ee = check_get(obj, "ErrorEquals"), *e;
    *n = cJSON_GetArraySize(ee);
    const char **out = arena_array(&L->u->arena, (size_t)*n, sizeof *out);
    int k = 0;
    cJSON_ArrayForEach (e, ee)
        out[k++] = dup(L, e->valuestring);
    return out;
}

static void lower_retry_catch(lower_ctx *L, ir_state *s, const cJSON *st)
{
    const cJSON *list = check_get(st, "Retry"), *e, *v;
    if (list) {
        s->nretry = cJSON_GetArraySize(list);
        s->retry = arena_array(&L->u->arena, (size_t)s->nretry, sizeof *s->retry);
        int k = 0;
        cJSON_ArrayForEach (e, list) {
            ir_retrier *r = &s->retry[k++];
            r->errors = error_names(L, e, &r->nerrors);
            r->interval_seconds = (v = check_get(e, "IntervalSeconds")) ? v->valuedouble : 1;
            r->max_attempts = (v = check_get(e, "MaxAttempts")) ? (int)v->valuedouble : 3;
            r->backoff_rate = (v = check_get(e, "BackoffRate")) ? v->valuedouble : 2.0;
            r->max_delay_seconds = (v = check_get(e, "MaxDelaySeconds")) ? (long)v->valuedouble : 0;
            v = check_get(e, "JitterStrategy");
            r->jitter = v && strcmp(v->valuestring, "FULL") == 0 ? IR_JITTER_FULL : IR_JITTER_NONE;
            r->pos = val_pos(L, e);
        }
    }
    list = check_get(st, "Catch");
    if (list) {
        s->ncatch = cJSON_GetArraySize(list);
        s->catch_ = arena_array(&L->u->arena, (size_t)s->ncatch, sizeof *s->catch_);
        int k = 0;
        cJSON_ArrayForEach (e, list) {
            ir_catcher *cat = &s->catch_[k++];
            cat->errors = error_names(L, e, &cat->nerrors);
            cat->next = name_index(L, check_get(e, "Next"));
            cat->result_path =
                lower_opt_path(L, check_get(e, "ResultPath"), PATH_REFERENCE | PATH_NO_CONTEXT);
            cat->assign = opt_tmpl(L, check_get(e, "Assign"));
            cat->pos = val_pos(L, e);
        }
    }
}

/* ==== States and machines =============================================== */

static ir_machine *lower_machine(lower_ctx *L, const cJSON *obj, ir_machine *parent);

static bool kind_of(const cJSON *type, ir_state_kind *out)
{
    for (int k = 0; k < IR_NUM_KINDS; k++)
        if (strcmp(type->valuestring, ir_kind_name((ir_state_kind)k)) == 0) {
            *out = (ir_state_kind)k;
            return true;
        }
    return false;
}

static void lower_wait(lower_ctx *L, ir_state *s, const cJSON *st)
{
    const cJSON *v;
    if ((v = check_get(st, "Seconds"))) {
        s->wait_kind = IR_WAIT_SECONDS;
        s->wait_seconds = (long long)v->valuedouble;
    } else if ((v = check_get(st, "Timestamp"))) {
        s->wait_kind = IR_WAIT_TIMESTAMP;
        s->wait_timestamp = dup(L, v->valuestring);
        s->wait_ts_valid = rt_parse_timestamp(v->valuestring, &s->wait_ts_sec, &s->wait_ts_nsec);
    } else if ((v = check_get(st, "SecondsPath"))) {
        s->wait_kind = IR_WAIT_SECONDS_PATH;
        s->wait_path = lower_path(L, v, PATH_REFERENCE);
    } else if ((v = check_get(st, "TimestampPath"))) {
        s->wait_kind = IR_WAIT_TIMESTAMP_PATH;
        s->wait_path = lower_path(L, v, PATH_REFERENCE);
    } else {
        lower_bug("a checked Wait state has no duration");
    }
}

static void lower_task(lower_ctx *L, ir_state *s, const cJSON *st)
{
    const cJSON *v;
    s->resource = dup(L, check_get(st, "Resource")->valuestring);
    if ((v = check_get(st, "TimeoutSeconds")))
        s->timeout_seconds = (long)v->valuedouble;
    if ((v = check_get(st, "TimeoutSecondsPath")))
        s->timeout_path = lower_path(L, v, PATH_REFERENCE);
    if ((v = check_get(st, "HeartbeatSeconds")))
        s->heartbeat_seconds = (long)v->valuedouble;
    if ((v = check_get(st, "HeartbeatSecondsPath")))
        s->heartbeat_path = lower_path(L, v, PATH_REFERENCE);
    s->credentials = opt_tmpl(L, check_get(st, "Credentials"));
}

static const char *opt_str(lower_ctx *L, const cJSON *v)
{
    return cJSON_IsString(v) ? dup(L, v->valuestring) : NULL;
}

/* The fields only a distributed Map has (check_map.c checked their types):
 * NULL when the state has none of them. */
static ir_map_dist *lower_map_dist(lower_ctx *L, const cJSON *st, const cJSON *cfg)
{
    const cJSON *rd = check_get(st, "ItemReader"), *bt = check_get(st, "ItemBatcher");
    const cJSON *wr = check_get(st, "ResultWriter"), *label = check_get(st, "Label");
    const cJSON *tc = check_get(st, "ToleratedFailureCount");
    const cJSON *tcp = check_get(st, "ToleratedFailureCountPath");
    const cJSON *tp = check_get(st, "ToleratedFailurePercentage");
    const cJSON *tpp = check_get(st, "ToleratedFailurePercentagePath");
    const cJSON *et = check_get(cfg, "ExecutionType");
    if (!rd && !bt && !wr && !label && !tc && !tcp && !tp && !tpp && !et)
        return NULL;
    ir_map_dist *d = arena_new(&L->u->arena, ir_map_dist);
    const cJSON *v;
    d->label = opt_str(L, label);
    d->execution_type = opt_str(L, et);
    if (rd) {
        d->reader_resource = opt_str(L, check_get(rd, "Resource"));
        d->reader_parameters = opt_tmpl(L, check_get(rd, "Parameters"));
        const cJSON *rc = check_get(rd, "ReaderConfig");
        d->input_type = opt_str(L, check_get(rc, "InputType"));
        d->csv_header_location = opt_str(L, check_get(rc, "CSVHeaderLocation"));
        d->csv_delimiter = opt_str(L, check_get(rc, "CSVDelimiter"));
        d->manifest_type = opt_str(L, check_get(rc, "ManifestType"));
        d->items_pointer = opt_str(L, check_get(rc, "ItemsPointer"));
        if ((v = check_get(rc, "CSVHeaders")) && cJSON_IsArray(v)) {
            d->ncsv_headers = cJSON_GetArraySize(v);
            d->csv_headers = arena_array(&L->u->arena, (size_t)d->ncsv_headers + 1, sizeof *d->csv_headers);
            int k = 0;
            const cJSON *h;
            cJSON_ArrayForEach (h, v)
                d->csv_headers[k++] = cJSON_IsString(h) ? dup(L, h->valuestring) : "";
        }
        if ((v = check_get(rc, "MaxItems")) && cJSON_IsNumber(v))
            d->max_items = (long)v->valuedouble;
        if ((v = check_get(rc, "MaxItemsPath")))
            d->max_items_path = lower_path(L, v, PATH_REFERENCE);
    }
    if (bt) {
        d->has_batcher = true;
        if ((v = check_get(bt, "MaxItemsPerBatch")) && cJSON_IsNumber(v))
            d->max_items_per_batch = (long)v->valuedouble;
        if ((v = check_get(bt, "MaxItemsPerBatchPath")))
            d->max_items_per_batch_path = lower_path(L, v, PATH_REFERENCE);
        if ((v = check_get(bt, "MaxInputBytesPerBatch")) && cJSON_IsNumber(v))
            d->max_bytes_per_batch = (long)v->valuedouble;
        if ((v = check_get(bt, "MaxInputBytesPerBatchPath")))
            d->max_bytes_per_batch_path = lower_path(L, v, PATH_REFERENCE);
        d->batch_input = opt_tmpl(L, check_get(bt, "BatchInput"));
    }
    if (tc && cJSON_IsNumber(tc)) {
        d->has_tolerated_count = true;
        d->tolerated_count = (long)tc->valuedouble;
    }
    if (tcp)
        d->tolerated_count_path = lower_path(L, tcp, PATH_REFERENCE);
    if (tp && cJSON_IsNumber(tp)) {
        d->has_tolerated_percentage = true;
        d->tolerated_percentage = tp->valuedouble;
    }
    if (tpp)
        d->tolerated_percentage_path = lower_path(L, tpp, PATH_REFERENCE);
    if (wr) {
        d->has_writer = true;
        d->writer_resource = opt_str(L, check_get(wr, "Resource"));
        d->writer_parameters = opt_tmpl(L, check_get(wr, "Parameters"));
        const cJSON *wc = check_get(wr, "WriterConfig");
        d->output_type = opt_str(L, check_get(wc, "OutputType"));
        d->transformation = opt_str(L, check_get(wc, "Transformation"));
    }
    return d;
}

static void lower_map(lower_ctx *L, ir_machine *m, ir_state *s, const cJSON *st)
{
    const cJSON *proc = check_get(st, "ItemProcessor"), *v;
    if (!proc)
        proc = check_get(st, "Iterator");
    s->processor = lower_machine(L, proc, m);
    const cJSON *cfg = check_get(proc, "ProcessorConfig");
    v = check_get(cfg, "Mode");
    s->distributed = cJSON_IsString(v) && strcmp(v->valuestring, "DISTRIBUTED") == 0;
    s->items_path = lower_opt_path(L, check_get(st, "ItemsPath"), 0);
    /* The legacy "Parameters" of a Map is what ItemSelector is now: it
     * shapes each item, not the state's input. */
    v = check_get(st, "ItemSelector");
    if (!v)
        v = check_get(st, "Parameters");
    s->item_selector = opt_tmpl(L, v);
    if ((v = check_get(st, "MaxConcurrency")))
        s->max_concurrency = (long)v->valuedouble;
    if ((v = check_get(st, "MaxConcurrencyPath")))
        s->max_concurrency_path = lower_path(L, v, PATH_REFERENCE);
    s->dist = lower_map_dist(L, st, cfg);
}

/* ==== JSONata states ===================================================== */

static ir_tmpl *jn(lower_ctx *L, const cJSON *v)
{
    if (!v)
        return NULL;
    ir_tmpl *t = lower_jsonata_tmpl(&L->u->arena, v);
    if (!t)
        lower_bug("a checked JSONata expression does not parse");
    return t;
}

/* Arguments / Output / Assign / Condition replace the JSONPath data flow;
 * Retry is the same, Catch gains Output and Assign over the error output. */
static void lower_jsonata_state(lower_ctx *L, ir_state *s, const cJSON *st)
{
    const cJSON *v;
    s->jsonata = true;
    s->output = jn(L, check_get(st, "Output"));
    s->assign = jn(L, check_get(st, "Assign"));
    switch (s->kind) {
    case IR_TASK:
        lower_task(L, s, st);
        s->arguments = jn(L, check_get(st, "Arguments"));
        s->credentials = NULL;
        s->credentials_jn = jn(L, check_get(st, "Credentials"));
        if (cJSON_IsString(v = check_get(st, "TimeoutSeconds"))) {
            s->timeout_seconds = 0;
            s->timeout_jn = jn(L, v);
        }
        if (cJSON_IsString(v = check_get(st, "HeartbeatSeconds"))) {
            s->heartbeat_seconds = 0;
            s->heartbeat_jn = jn(L, v);
        }
        lower_retry_catch(L, s, st);
        for (int i = 0; i < s->ncatch; i++) {
            const cJSON *c = cJSON_GetArrayItem(check_get(st, "Catch"), i);
            s->catch_[i].output = jn(L, check_get(c, "Output"));
            s->catch_[i].assign = jn(L, check_get(c, "Assign"));
        }
        break;
    case IR_CHOICE: {
        const cJSON *choices = check_get(st, "Choices"), *e;
        s->nrules = cJSON_GetArraySize(choices);
        s->rules = arena_array(&L->u->arena, (size_t)s->nrules, sizeof *s->rules);
        int k = 0;
        cJSON_ArrayForEach (e, choices) {
            ir_rule *r = arena_new(&L->u->arena, ir_rule);
            r->pos = val_pos(L, e);
            r->next = name_index(L, check_get(e, "Next"));
            r->condition = jn(L, check_get(e, "Condition"));
            r->output = jn(L, check_get(e, "Output"));
            r->assign = jn(L, check_get(e, "Assign"));
            s->rules[k++] = r;
        }
        if ((v = check_get(st, "Default")))
            s->default_next = name_index(L, v);
        break;
    }
    case IR_WAIT:
        if ((v = check_get(st, "Seconds"))) {
            s->wait_kind = cJSON_IsString(v) ? IR_WAIT_SECONDS_JSONATA : IR_WAIT_SECONDS;
            if (cJSON_IsString(v))
                s->wait_jn = jn(L, v);
            else
                s->wait_seconds = (long long)v->valuedouble;
        } else if ((v = check_get(st, "Timestamp"))) {
            s->wait_kind = IR_WAIT_TIMESTAMP_JSONATA;
            s->wait_jn = jn(L, v);
        } else {
            lower_bug("a checked Wait state has no duration");
        }
        break;
    case IR_FAIL:
        s->error_jn = jn(L, check_get(st, "Error"));
        s->cause_jn = jn(L, check_get(st, "Cause"));
        break;
    default:
        break;
    }
}

static void lower_state(lower_ctx *L, ir_machine *m, ir_state *s, const cJSON *st)
{
    const cJSON *v;
    if (!kind_of(check_get(st, "Type"), &s->kind))
        lower_bug("a checked state has an unknown Type");
    if ((v = check_get(st, "Comment")))
        s->comment = dup(L, v->valuestring);
    s->next = -1;
    s->default_next = -1;
    if ((v = check_get(st, "Next")))
        s->next = name_index(L, v);
    s->end = cJSON_IsTrue(check_get(st, "End"));
    bool jsonata = lower_is_jsonata(st, L->top_jsonata);
    if (jsonata && s->kind != IR_MAP && s->kind != IR_PARALLEL) {
        lower_jsonata_state(L, s, st);
        return;
    }
    s->input_path = lower_opt_path(L, check_get(st, "InputPath"), 0);
    s->output_path = lower_opt_path(L, check_get(st, "OutputPath"), 0);
    s->result_path = lower_opt_path(L, check_get(st, "ResultPath"), PATH_REFERENCE | PATH_NO_CONTEXT);
    if (s->kind != IR_MAP)
        s->parameters = opt_tmpl(L, check_get(st, "Parameters"));
    s->result_selector = opt_tmpl(L, check_get(st, "ResultSelector"));
    s->assign = opt_tmpl(L, check_get(st, "Assign"));

    switch (s->kind) {
    case IR_PASS:
        if ((v = check_get(st, "Result")))
            s->result = lower_tmpl(L, v, true);
        break;
    case IR_TASK:
        lower_task(L, s, st);
        lower_retry_catch(L, s, st);
        break;
    case IR_CHOICE: {
        const cJSON *choices = check_get(st, "Choices"), *e;
        s->nrules = cJSON_GetArraySize(choices);
        s->rules = arena_array(&L->u->arena, (size_t)s->nrules, sizeof *s->rules);
        int k = 0;
        cJSON_ArrayForEach (e, choices)
            s->rules[k++] = lower_rule(L, e, true);
        if ((v = check_get(st, "Default")))
            s->default_next = name_index(L, v);
        break;
    }
    case IR_WAIT: lower_wait(L, s, st); break;
    case IR_SUCCEED: break;
    case IR_FAIL:
        if ((v = check_get(st, "Error")))
            s->error = dup(L, v->valuestring);
        if ((v = check_get(st, "Cause")))
            s->cause = dup(L, v->valuestring);
        if ((v = check_get(st, "ErrorPath")))
            s->error_path = lower_dynamic(L, v);
        if ((v = check_get(st, "CausePath")))
            s->cause_path = lower_dynamic(L, v);
        break;
    case IR_PARALLEL: {
        const cJSON *br = check_get(st, "Branches"), *e;
        s->nbranches = cJSON_GetArraySize(br);
        s->branches =
            s->nbranches ? arena_array(&L->u->arena, (size_t)s->nbranches, sizeof *s->branches) : NULL;
        int k = 0;
        cJSON_ArrayForEach (e, br)
            s->branches[k++] = lower_machine(L, e, m);
        lower_retry_catch(L, s, st);
        break;
    }
    case IR_MAP:
        lower_map(L, m, s, st);
        lower_retry_catch(L, s, st);
        break;
    case IR_NUM_KINDS: lower_bug("IR_NUM_KINDS is not a state kind");
    }
    if (jsonata) {
        /* a JSONata Map / Parallel: the fan-out as lowered above, with
         * JSONata's fields in place of the JSONPath data flow */
        s->jsonata = true;
        s->input_path = s->output_path = s->result_path = (ir_opt_path){0};
        s->parameters = s->result_selector = NULL;
        s->items_path = (ir_opt_path){0};
        s->output = jn(L, check_get(st, "Output"));
        s->assign = jn(L, check_get(st, "Assign"));
        s->arguments = jn(L, check_get(st, "Arguments"));
        if (s->kind == IR_MAP) {
            s->items_jn = jn(L, check_get(st, "Items"));
            s->item_selector = jn(L, check_get(st, "ItemSelector"));
            if (cJSON_IsString(v = check_get(st, "MaxConcurrency"))) {
                s->max_concurrency = 0;
                s->max_concurrency_jn = jn(L, v);
            }
            if (s->dist) { /* Arguments in place of Parameters */
                s->dist->jsonata = true;
                s->dist->reader_parameters = jn(L, check_get(check_get(st, "ItemReader"), "Arguments"));
                s->dist->batch_input = jn(L, check_get(check_get(st, "ItemBatcher"), "BatchInput"));
                s->dist->writer_parameters = jn(L, check_get(check_get(st, "ResultWriter"), "Arguments"));
                const cJSON *bt = check_get(st, "ItemBatcher");
                const cJSON *rc = check_get(check_get(st, "ItemReader"), "ReaderConfig");
                ir_map_dist *d = s->dist;
                if (cJSON_IsString(v = check_get(st, "ToleratedFailureCount")))
                    d->tolerated_count_jn = jn(L, v);
                if (cJSON_IsString(v = check_get(st, "ToleratedFailurePercentage")))
                    d->tolerated_percentage_jn = jn(L, v);
                if (cJSON_IsString(v = check_get(rc, "MaxItems")))
                    d->max_items_jn = jn(L, v);
                if (cJSON_IsString(v = check_get(bt, "MaxItemsPerBatch")))
                    d->max_items_per_batch_jn = jn(L, v);
                if (cJSON_IsString(v = check_get(bt, "MaxInputBytesPerBatch")))
                    d->max_bytes_per_batch_jn = jn(L, v);
            }
        }
        for (int i = 0; i < s->ncatch; i++) {
            const cJSON *c = cJSON_GetArrayItem(check_get(st, "Catch"), i);
            s->catch_[i].output = jn(L, check_get(c, "Output"));
            s->catch_[i].assign = jn(L, check_get(c, "Assign"));
            s->catch_[i].result_path = (ir_opt_path){0};
        }
    }
}

static void add_machine(lower_ctx *L, ir_machine *m)
{
    ir_program *p = L->prog;
    if (p->nmachines == L->capmachines) {
        int cap = L->capmachines ? L->capmachines * 2 : 8;
        ir_machine **n = arena_array(&L->u->arena, (size_t)cap, sizeof *n);
        if (p->nmachines)
            memcpy(n, p->machines, (size_t)p->nmachines * sizeof *n);
        p->machines = n;
        L->capmachines = cap;
    }
    m->id = p->nmachines;
    p->machines[p->nmachines++] = m;
}

static ir_machine *lower_machine(lower_ctx *L, const cJSON *obj, ir_machine *parent)
{
    ir_machine *m = arena_new(&L->u->arena, ir_machine);
    m->parent = parent;
    add_machine(L, m);
    const cJSON *states = check_get(obj, "States"), *st, *v;
    m->nstates = cJSON_GetArraySize(states);
    m->states = arena_array(&L->u->arena, (size_t)m->nstates, sizeof *m->states);
    int k = 0;
    cJSON_ArrayForEach (st, states) {
        ir_state *s = arena_new(&L->u->arena, ir_state);
        s->index = k;
        s->name = dup(L, st->string);
        s->pos = key_pos(L, st);
        s->json = st;
        name_put(L, st->string, k);
        m->states[k++] = s;
    }
    m->start = name_index(L, check_get(obj, "StartAt"));
    if ((v = check_get(obj, "Comment")))
        m->comment = dup(L, v->valuestring);
    if (!parent && (v = check_get(obj, "TimeoutSeconds")))
        m->timeout_seconds = (long)v->valuedouble;
    k = 0;
    cJSON_ArrayForEach (st, states)
        lower_state(L, m, m->states[k++], st);
    return m;
}

/* "dir/orders.asl.json" -> "orders". */
static const char *base_name(lower_ctx *L, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 9 && strcmp(b + n - 9, ".asl.json") == 0)
        n -= 9;
    else if (n > 5 && strcmp(b + n - 5, ".json") == 0)
        n -= 5;
    if (n == 0 || strcmp(b, "-") == 0)
        return "StateMachine";
    return arena_strndup(&L->u->arena, b, n);
}

ir_program *lower_program(unit *u)
{
    lower_ctx *L = calloc(1, sizeof *L);
    if (!L) {
        fputs("aslc: out of memory\n", stderr);
        exit(2);
    }
    L->u = u;
    L->prog = arena_new(&u->arena, ir_program);
    L->prog->source_name = u->path;
    /* A template's machine is named by its logical id. */
    L->prog->machine_name = u->def_name ? arena_strdup(&u->arena, u->def_name) : base_name(L, u->path);
    L->prog->express = u->express;
    const cJSON *root = u->def_root ? u->def_root : u->root; /* a template's machine, or the file */
    L->top_jsonata = lower_is_jsonata(root, false);
    L->prog->top = lower_machine(L, root, NULL);
    ir_program *p = L->prog;
    free(L);
    return p;
}
