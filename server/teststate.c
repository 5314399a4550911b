/*
 * teststate.c - TestState offline: the request, AWS's rules for it, and
 * the response (status, nextState, output, error, cause, inspectionData).
 *
 * How one state is run: it is put into a small machine with its exits
 * (Next, End, a Choice's targets, a catcher's Next) replaced by reporting
 * states that return {"k": exit, "o": output, "v": variables}; an optional
 * first state assigns the request's variables. A Map or Parallel becomes a
 * Task on the mock (their result is mocked whole), and a mock reaches the
 * state through Step Functions Local's mock configuration, so the data flow
 * (InputPath, Parameters / Arguments, ResultSelector, ResultPath,
 * OutputPath, Output, Assign, Catch) is the runtime's own. Retry is not
 * run: the first matching retrier with attempts left gives RETRIABLE and
 * the backoff it would wait. The intermediate steps at DEBUG are each one
 * more small run (a Pass with just that step). Definitions are built here;
 * teststate_run.c runs them.
 *
 * Owns the parsed request and every tree it builds; one mutex serialises
 * requests (TinyCC keeps global state).
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "teststate.h"
#include "teststate_impl.h"

#define EXIT_PREFIX "__aslc_exit_"
#define SEED_STATE "__aslc_seed"
#define TOLERATED_ERROR "States.ExceedToleratedFailureThreshold"
#define TOLERATED_CAUSE "The specified tolerated failure threshold was exceeded"
#define MOCK_RESOURCE "arn:aws:lambda:us-east-1:123456789012:function:aslc-teststate-mock"

typedef struct req {
    cJSON *body;              /* the request */
    const char *level;        /* INFO, DEBUG, TRACE */
    cJSON *def;               /* the parsed definition */
    const cJSON *state;       /* the tested state, inside def */
    const char *name;         /* its name */
    const char *type;
    bool jsonata;
    bool in_map;              /* inside a Map's item processor */
    cJSON *input;
    cJSON *variables;         /* an object, or NULL */
    /* mock */
    bool mocked;
    cJSON *mock_result;       /* parsed mock.result, or NULL */
    const char *mock_error, *mock_cause;
    bool mock_throws;
    ts_out invoked;           /* an unmocked Task's one real call (owns its error, cause) */
    cJSON *context;           /* laid over $$: the request's, the defaults added */
    const char *field_mode;   /* STRICT (default), PRESENT, NONE */
    /* stateConfiguration */
    long retry_count;
    long map_failures;
    bool has_map_failures;
    ts_env env;
    /* the exits of the built machine: names of the real targets (NULL: End) */
    char *exits[260];
    int nexits;
} req;

typedef srv_reply reply;

/* ==== replies ============================================================ */

static reply invalid(const char *fmt, const char *arg)
{
    return srv_error(400, "ValidationException", fmt, arg);
}

/* ==== small JSON helpers ================================================== */

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *get_string(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void put(cJSON *o, const char *key, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    if (v && !cJSON_AddItemToObject(o, key, v))
        cJSON_Delete(v);
}

static void drop(cJSON *o, const char *key)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
}

static cJSON *copy(const cJSON *v)
{
    return cJSON_Duplicate(v, 1);
}

/* Compact JSON text as AWS returns payloads (malloc'd). */
static char *text_of(const cJSON *v)
{
    return cJSON_PrintUnformatted(v);
}

static void add_text(cJSON *o, const char *key, const cJSON *v)
{
    char *t = v ? text_of(v) : NULL;
    if (t)
        cJSON_AddStringToObject(o, key, t);
    cJSON_free(t);
}

static bool is_identifier(const char *s)
{
    if (!s || !*s || !(s[0] == '_' || ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')))
        return false;
    for (const char *p = s; *p; p++)
        if (!(*p == '_' || (*p >= '0' && *p <= '9') || ((*p | 32) >= 'a' && (*p | 32) <= 'z')))
            return false;
    return true;
}

/* ==== finding the state =================================================== */

/* The state [name] in the machine [m] or any of its branches / processors;
 * *in_map (may be NULL) is set when it is inside a Map's item processor. */
static const cJSON *find_state_in(const cJSON *m, const char *name, bool *in_map)
{
    const cJSON *states = get(m, "States");
    const cJSON *s;
    cJSON_ArrayForEach(s, states) {
        if (s->string && strcmp(s->string, name) == 0)
            return s;
    }
    cJSON_ArrayForEach(s, states) {
        const cJSON *b;
        cJSON_ArrayForEach(b, get(s, "Branches")) {
            const cJSON *f = find_state_in(b, name, in_map);
            if (f)
                return f;
        }
        const cJSON *p = get(s, "ItemProcessor") ? get(s, "ItemProcessor") : get(s, "Iterator");
        const cJSON *f = p ? find_state_in(p, name, in_map) : NULL;
        if (f) {
            if (in_map) /* anywhere inside an iteration: $$.Map.Item is defined */
                *in_map = true;
            return f;
        }
    }
    return NULL;
}

static const cJSON *find_state(const cJSON *m, const char *name)
{
    return find_state_in(m, name, NULL);
}

/* ==== building machines =================================================== */

/* The variables a reporting state may read: the request's and those the
 * [assign] object (may be NULL) sets. */
static bool add_variable_ref(cJSON *v, const char *name, size_t n)
{
    /* "NAME.$": "$NAME", sized to the name: a long name is never cut. */
    char *path = malloc(n + 3), *ref = malloc(n + 2);
    bool ok = path && ref;
    if (ok) {
        memcpy(path, name, n);
        memcpy(path + n, ".$", 3);
        ref[0] = '$';
        memcpy(ref + 1, name, n);
        ref[n + 1] = '\0';
        ok = cJSON_AddStringToObject(v, path, ref) != NULL;
    }
    free(path);
    free(ref);
    return ok;
}

static cJSON *variables_template(const req *r, const cJSON *assign)
{
    cJSON *v = cJSON_CreateObject();
    const cJSON *e;
    cJSON_ArrayForEach(e, r->variables) {
        if (!is_identifier(e->string) || get(assign, e->string))
            continue;
        add_variable_ref(v, e->string, strlen(e->string));
    }
    cJSON_ArrayForEach(e, assign) {
        const char *key = e->string ? e->string : "";
        size_t n = strlen(key);
        char *name = strdup(key);
        if (!name)
            continue;
        if (n > 2 && strcmp(name + n - 2, ".$") == 0)
            name[n -= 2] = '\0';
        if (is_identifier(name))
            add_variable_ref(v, name, n);
        free(name);
    }
    return v;
}

static void clear_exits(req *r)
{
    for (int i = 0; i < r->nexits; i++)
        free(r->exits[i]);
    r->nexits = 0;
}

/* A new exit of the built machine leading to [target] (NULL: End); the
 * name of the reporting state to put in its place. */
static const char *new_exit(req *r, const char *target, char *buf, size_t cap)
{
    if (r->nexits >= (int)(sizeof r->exits / sizeof r->exits[0]))
        return NULL;
    r->exits[r->nexits] = target ? strdup(target) : NULL;
    snprintf(buf, cap, EXIT_PREFIX "%d", r->nexits);
    r->nexits++;
    return buf;
}

/* The reporting state of exit [k]: {"k": k, "o": its input, "v": vars}. */
static cJSON *exit_state(const req *r, int k, const cJSON *assign)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Type", "Pass");
    cJSON_AddStringToObject(s, "QueryLanguage", "JSONPath");
    cJSON *p = cJSON_AddObjectToObject(s, "Parameters");
    cJSON_AddNumberToObject(p, "k", k);
    cJSON_AddStringToObject(p, "o.$", "$");
    put(p, "v", variables_template(r, assign));
    cJSON_AddBoolToObject(s, "End", true);
    return s;
}

/* Replace the transition of [s] (Next / End) by a new exit. */
static bool rewire(req *r, cJSON *s, cJSON *states, const cJSON *assign)
{
    char name[64];
    const char *next = get_string(s, "Next");
    if (!new_exit(r, next, name, sizeof name))
        return false;
    drop(s, "End");
    put(s, "Next", cJSON_CreateString(name));
    put(states, name, exit_state(r, r->nexits - 1, assign));
    return true;
}

/* A machine {StartAt, States} around [s] (taken), with the request's
 * variables assigned first when there are any. *input becomes the input to
 * give it: [base], wrapped with the variables when there are any. */
static cJSON *machine_around(const req *r, cJSON *s, cJSON *states, const cJSON *base,
                             cJSON **input)
{
    cJSON *m = cJSON_CreateObject();
    *input = copy(base);
    const char *start = r->name;
    put(states, r->name, s);
    if (r->variables && r->variables->child) {
        cJSON *seed = cJSON_CreateObject();
        cJSON_AddStringToObject(seed, "Type", "Pass");
        cJSON_AddStringToObject(seed, "QueryLanguage", "JSONPath");
        cJSON *a = cJSON_AddObjectToObject(seed, "Assign");
        const cJSON *e;
        cJSON_ArrayForEach(e, r->variables) {
            if (!is_identifier(e->string))
                continue;
            char key[300], path[320];
            snprintf(key, sizeof key, "%s.$", e->string);
            snprintf(path, sizeof path, "$.v.%s", e->string);
            cJSON_AddStringToObject(a, key, path);
        }
        cJSON_AddStringToObject(seed, "OutputPath", "$.i");
        cJSON_AddStringToObject(seed, "Next", start);
        put(states, SEED_STATE, seed);
        cJSON *wrapped = cJSON_CreateObject();
        put(wrapped, "i", *input);
        put(wrapped, "v", copy(r->variables));
        *input = wrapped;
        cJSON_AddStringToObject(m, "StartAt", SEED_STATE);
    } else {
        cJSON_AddStringToObject(m, "StartAt", start);
    }
    put(m, "States", states);
    return m;
}

/* The tested state as it runs: its QueryLanguage explicit, no Retry, a
 * Map or Parallel turned into a Task on the mock, its exits reporting. With
 * [catching], its Catch kept with each catcher's Next reporting too. */
static cJSON *tested_machine(req *r, bool catching, cJSON **input)
{
    cJSON *s = copy(r->state);
    cJSON *states = cJSON_CreateObject();
    clear_exits(r);
    put(s, "QueryLanguage", cJSON_CreateString(r->jsonata ? "JSONata" : "JSONPath"));
    drop(s, "Retry");
    if (!catching)
        drop(s, "Catch");
    if (strcmp(r->type, "Map") == 0 || strcmp(r->type, "Parallel") == 0) {
        static const char *const keep[] = {"Type", "QueryLanguage", "Comment", "InputPath",
                                           "ResultSelector", "ResultPath", "OutputPath",
                                           "Output", "Assign", "Catch", "Next", "End"};
        cJSON *t = cJSON_CreateObject();
        for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
            const cJSON *v = get(s, keep[i]);
            if (v)
                put(t, keep[i], copy(v));
        }
        put(t, "Type", cJSON_CreateString("Task"));
        put(t, "Resource", cJSON_CreateString(MOCK_RESOURCE));
        cJSON_Delete(s);
        s = t;
    }
    if (strcmp(r->type, "Choice") == 0) {
        cJSON *c;
        cJSON_ArrayForEach(c, get(s, "Choices")) {
            char name[64];
            const char *next = get_string(c, "Next");
            if (!next || !new_exit(r, next, name, sizeof name))
                continue;
            put(c, "Next", cJSON_CreateString(name));
            put(states, name, exit_state(r, r->nexits - 1, get(c, "Assign")));
        }
        const char *def = get_string(s, "Default");
        char name[64];
        if (def && new_exit(r, def, name, sizeof name)) {
            put(s, "Default", cJSON_CreateString(name));
            put(states, name, exit_state(r, r->nexits - 1, NULL));
        }
    } else if (strcmp(r->type, "Succeed") != 0 && strcmp(r->type, "Fail") != 0) {
        rewire(r, s, states, get(s, "Assign"));
    }
    if (catching) {
        cJSON *c;
        cJSON_ArrayForEach(c, get(s, "Catch")) {
            char name[64];
            if (!new_exit(r, get_string(c, "Next"), name, sizeof name))
                continue;
            put(c, "Next", cJSON_CreateString(name));
            put(states, name, exit_state(r, r->nexits - 1, get(c, "Assign")));
        }
    }
    return machine_around(r, s, states, r->input, input);
}

/* The mock configuration for the tested state, or NULL without a mock.
 * [result] overrides the request's mock result when not NULL. */
static cJSON *mock_config(const req *r, const cJSON *result, const char *error, const char *cause)
{
    if (!r->mocked && !result && !error)
        return NULL;
    cJSON *cfg = cJSON_CreateObject();
    cJSON *sm = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cfg, "StateMachines"), TS_MACHINE);
    cJSON *tc = cJSON_AddObjectToObject(cJSON_AddObjectToObject(sm, "TestCases"), TS_CASE);
    cJSON_AddStringToObject(tc, r->name, "R");
    cJSON *resp = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cfg, "MockedResponses"), "R");
    cJSON *first = cJSON_AddObjectToObject(resp, "0");
    if (error || (!result && r->mock_throws)) {
        cJSON *t = cJSON_AddObjectToObject(first, "Throw");
        cJSON_AddStringToObject(t, "Error", error ? error : r->mock_error);
        const char *c = error ? cause : r->mock_cause;
        if (c)
            cJSON_AddStringToObject(t, "Cause", c);
    } else {
        put(first, "Return", copy(result ? result : r->mock_result));
    }
    return cfg;
}

/* ==== one step of the data flow, for DEBUG ================================ */

/* Run a one-state machine {StartAt: name, States: {name: s}} (s taken) on
 * [input]; the output (fresh) or NULL when the step failed. */
static cJSON *step(req *r, cJSON *s, const cJSON *input, const cJSON *mock)
{
    cJSON *states = cJSON_CreateObject();
    cJSON_AddBoolToObject(s, "End", true);
    cJSON *in = NULL;
    cJSON *m = machine_around(r, s, states, input, &in);
    ts_out out;
    ts_run(&r->env, m, in, mock, &out);
    cJSON_Delete(m);
    cJSON_Delete(in);
    cJSON *res = out.kind == TS_OK ? out.output : NULL;
    out.output = NULL;
    ts_out_free(&out);
    return res;
}

static cJSON *pass_state(const req *r)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Type", "Pass");
    cJSON_AddStringToObject(s, "QueryLanguage", r->jsonata ? "JSONata" : "JSONPath");
    return s;
}

/* A Pass with the state's [keys] copied; run on [input]. */
static cJSON *pass_step(req *r, const cJSON *input, const char *const *keys, int n,
                        const char *as, const cJSON *as_value)
{
    cJSON *s = pass_state(r);
    for (int i = 0; i < n; i++) {
        const cJSON *v = get(r->state, keys[i]);
        if (v)
            put(s, i == n - 1 && as ? as : keys[i], copy(v));
    }
    if (as_value)
        put(s, as, copy(as_value));
    return step(r, s, input, NULL);
}

/* Call an unmocked Task once, with its result kept whole, and make that
 * outcome the mock of every later run: the main one, the Catch re-run and
 * the DEBUG steps then see one invocation, as AWS makes one. Returns false
 * with *rep set when the call could not be made (an unbound resource). */
static bool invoke_once(req *r, reply *rep)
{
    cJSON *s = copy(r->state);
    put(s, "QueryLanguage", cJSON_CreateString(r->jsonata ? "JSONata" : "JSONPath"));
    static const char *const gone[] = {"Retry", "Catch", "ResultSelector", "OutputPath",
                                       "Assign", "Output", "Next", "End"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        drop(s, gone[i]);
    if (r->jsonata)
        put(s, "Output", cJSON_CreateString("{% $states.result %}"));
    else
        put(s, "ResultPath", cJSON_CreateString("$"));
    cJSON *states = cJSON_CreateObject(), *in = NULL;
    cJSON_AddBoolToObject(s, "End", true);
    cJSON *m = machine_around(r, s, states, r->input, &in);
    ts_run(&r->env, m, in, NULL, &r->invoked);
    cJSON_Delete(m);
    cJSON_Delete(in);
    ts_out *o = &r->invoked;
    if (o->kind == TS_INVALID || o->kind == TS_SETUP) {
        *rep = o->kind == TS_INVALID ? srv_error(400, "InvalidDefinition",
                                                 "Invalid State Machine Definition: '%s'", o->message)
                                     : invalid("%s", o->message);
        return false;
    }
    r->mocked = true;
    if (o->kind == TS_OK) {
        r->mock_result = o->output;
        o->output = NULL;
    } else {
        r->mock_throws = true;
        r->mock_error = o->error ? o->error : "States.TaskFailed";
        r->mock_cause = o->cause;
    }
    return true;
}

/* The Map's items after ItemsPath / Items and ItemSelector: the Map run
 * with a processor that returns each item. */
static cJSON *map_items(req *r, bool selected)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Type", "Map");
    cJSON_AddStringToObject(s, "QueryLanguage", r->jsonata ? "JSONata" : "JSONPath");
    static const char *const keys[] = {"InputPath", "ItemsPath", "Items", "ItemSelector",
                                       "Parameters"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = get(r->state, keys[i]);
        if (v && (selected || i < 3))
            put(s, keys[i], copy(v));
    }
    cJSON *proc = cJSON_AddObjectToObject(s, "ItemProcessor");
    cJSON_AddStringToObject(proc, "StartAt", "Item");
    cJSON *item = cJSON_AddObjectToObject(cJSON_AddObjectToObject(proc, "States"), "Item");
    cJSON_AddStringToObject(item, "Type", "Pass");
    cJSON_AddBoolToObject(item, "End", true);
    return step(r, s, r->input, NULL);
}

static void add_number_field(cJSON *insp, const req *r, const char *key, const char *field)
{
    const cJSON *v = get(r->state, field);
    if (cJSON_IsNumber(v))
        add_text(insp, key, v);
}

/* inspectionData at DEBUG (the data flow up to the state's output). */
static cJSON *inspection(req *r, const cJSON *variables)
{
    cJSON *insp = cJSON_CreateObject();
    add_text(insp, "input", r->input);
    const char *t = r->type;
    bool flow = strcmp(t, "Task") == 0 || strcmp(t, "Pass") == 0 || strcmp(t, "Map") == 0 ||
                strcmp(t, "Parallel") == 0;
    if (r->jsonata) {
        if (strcmp(t, "Task") == 0 || strcmp(t, "Parallel") == 0) {
            static const char *const args[] = {"Arguments"};
            cJSON *a = get(r->state, "Arguments") ? pass_step(r, r->input, args, 1, "Output", NULL)
                                                  : copy(r->input);
            add_text(insp, "afterArguments", a);
            cJSON_Delete(a);
        }
        if (strcmp(t, "Map") == 0) {
            cJSON *items = map_items(r, true);
            add_text(insp, "afterItemSelector", items);
            cJSON_Delete(items);
        }
        if (flow && strcmp(t, "Pass") != 0) {
            cJSON *res = copy(r->mock_result);
            add_text(insp, "result", res);
            cJSON_Delete(res);
        }
    } else if (strcmp(t, "Fail") != 0) {
        static const char *const ip[] = {"InputPath"};
        cJSON *after_ip = get(r->state, "InputPath") ? pass_step(r, r->input, ip, 1, NULL, NULL)
                                                      : copy(r->input);
        add_text(insp, "afterInputPath", after_ip);
        cJSON_Delete(after_ip);
        if (strcmp(t, "Map") == 0) {
            cJSON *items = map_items(r, false);
            add_text(insp, "afterItemsPath", items);
            cJSON_Delete(items);
            items = map_items(r, true);
            add_text(insp, "afterItemSelector", items);
            cJSON_Delete(items);
        }
        if (flow) {
            static const char *const par[] = {"InputPath", "Parameters"};
            cJSON *after_par = NULL;
            if (strcmp(t, "Map") != 0) {
                after_par = pass_step(r, r->input, par, 2, NULL, NULL);
                add_text(insp, "afterParameters", after_par);
            }
            cJSON *res = NULL;
            if (strcmp(t, "Pass") == 0)
                res = get(r->state, "Result") ? copy(get(r->state, "Result")) : copy(after_par);
            else
                res = copy(r->mock_result);
            if (res && strcmp(t, "Pass") != 0)
                add_text(insp, "result", res);
            cJSON *sel = res;
            if (res && get(r->state, "ResultSelector") && strcmp(t, "Pass") != 0) {
                static const char *const rs[] = {"ResultSelector"};
                sel = pass_step(r, res, rs, 1, "Parameters", NULL);
                cJSON_Delete(res);
            }
            if (sel && strcmp(t, "Pass") != 0)
                add_text(insp, "afterResultSelector", sel);
            if (sel) {
                static const char *const rp[] = {"ResultPath"};
                cJSON *s = pass_state(r);
                put(s, "Result", copy(sel));
                if (get(r->state, "ResultPath"))
                    put(s, "ResultPath", copy(get(r->state, "ResultPath")));
                (void)rp;
                cJSON *after_rp = step(r, s, r->input, NULL);
                add_text(insp, "afterResultPath", after_rp);
                cJSON_Delete(after_rp);
            }
            cJSON_Delete(sel);
            cJSON_Delete(after_par);
        }
    }
    if (strcmp(t, "Map") == 0) {
        add_number_field(insp, r, "toleratedFailureCount", "ToleratedFailureCount");
        add_number_field(insp, r, "toleratedFailurePercentage", "ToleratedFailurePercentage");
        add_number_field(insp, r, "maxConcurrency", "MaxConcurrency");
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
static int retrier_for(const req *r, const char *err, long *backoff)
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

/* ==== the request =========================================================== */

/* A JSON-text member [key] of [o] parsed; *out NULL when absent. */
static bool json_member(const cJSON *o, const char *key, cJSON **out, char *err, size_t cap)
{
    *out = NULL;
    const cJSON *v = get(o, key);
    if (!v || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsString(v)) {
        snprintf(err, cap, "'%s' must be a string of JSON text", key);
        return false;
    }
    const char *end = NULL;
    *out = cJSON_ParseWithOpts(v->valuestring, &end, true);
    if (!*out) {
        snprintf(err, cap, "%s is not valid JSON (at offset %ld)", key,
                 end ? (long)(end - v->valuestring) : 0L);
        return false;
    }
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Resources TestState runs only with a mock. */
static bool needs_mock(const char *resource)
{
    return ends_with(resource, ".sync") || ends_with(resource, ".sync:2") ||
           ends_with(resource, ".waitForTaskToken") || strstr(resource, ":activity:") != NULL;
}

/* The mock and stateConfiguration members, with AWS's rules on them. */
static bool read_mock(req *r, reply *rep)
{
    char err[512];
    const cJSON *mock = get(r->body, "mock");
    bool task = strcmp(r->type, "Task") == 0;
    bool fan = strcmp(r->type, "Map") == 0 || strcmp(r->type, "Parallel") == 0;
    const char *resource = task ? get_string(r->state, "Resource") : NULL;
    if (mock && !cJSON_IsNull(mock)) {
        if (!cJSON_IsObject(mock)) {
            *rep = invalid("%s", "mock must be an object with result or errorOutput");
            return false;
        }
        if (!task && !fan) {
            *rep = invalid("Mocks are supported only for Task, Map and Parallel states, not for "
                           "a %s state", r->type);
            return false;
        }
        const cJSON *eo = get(mock, "errorOutput");
        bool has_result = get(mock, "result") && !cJSON_IsNull(get(mock, "result"));
        if (has_result == (eo && !cJSON_IsNull(eo))) {
            *rep = invalid("%s", "mock must have exactly one of result and errorOutput");
            return false;
        }
        if (has_result && !json_member(mock, "result", &r->mock_result, err, sizeof err)) {
            *rep = invalid("%s", err);
            return false;
        }
        if (!has_result) {
            r->mock_throws = true;
            r->mock_error = get_string(eo, "error");
            r->mock_cause = get_string(eo, "cause");
            if (!r->mock_error) {
                *rep = invalid("%s", "mock.errorOutput must have an error");
                return false;
            }
        }
        r->mocked = true;
        r->field_mode = get_string(mock, "fieldValidationMode");
        if (!r->field_mode)
            r->field_mode = "STRICT";
        if (strcmp(r->field_mode, "STRICT") && strcmp(r->field_mode, "PRESENT") &&
            strcmp(r->field_mode, "NONE")) {
            *rep = invalid("1 validation error detected: Value '%s' at 'mock.fieldValidationMode' "
                           "failed to satisfy constraint: Member must satisfy enum value set: "
                           "[STRICT, PRESENT, NONE]", r->field_mode);
            return false;
        }
        if (has_result && strcmp(r->type, "Parallel") == 0) {
            int n = cJSON_GetArraySize(get(r->state, "Branches"));
            if (!cJSON_IsArray(r->mock_result) || cJSON_GetArraySize(r->mock_result) != n) {
                snprintf(err, sizeof err, "The mocked result of a Parallel state must be an array "
                         "with one element per branch (%d)", n);
                *rep = invalid("%s", err);
                return false;
            }
        }
        if (has_result && task && resource &&
            !ts_check_mock_shape(resource, r->mock_result, r->field_mode, err, sizeof err)) {
            *rep = invalid("%s", err);
            return false;
        }
        if (!json_member(r->body, "context", &r->context, err, sizeof err)) {
            *rep = invalid("%s", err);
            return false;
        }
        if (r->context && !cJSON_IsObject(r->context)) {
            *rep = invalid("%s", "context must be a JSON object (the context object: Execution, "
                                 "State, StateMachine, Task, Map)");
            return false;
        }
        const cJSON *rs = get(r->body, "revealSecrets");
        if (cJSON_IsTrue(rs)) {
            *rep = invalid("%s", "revealSecrets cannot be used with a mock");
            return false;
        }
    } else {
        if (fan) {
            *rep = invalid("A mock is required to test a %s state", r->type);
            return false;
        }
        if (resource && needs_mock(resource)) {
            *rep = invalid("A mock is required to test a Task with the resource '%s' (an "
                           "activity, .sync or .waitForTaskToken)", resource);
            return false;
        }
        const cJSON *ctx = get(r->body, "context");
        if (ctx && !cJSON_IsNull(ctx)) {
            *rep = invalid("%s", "context can only be given with a mock");
            return false;
        }
    }
    if (strcmp(r->level, "TRACE") == 0 &&
        !(resource && strcmp(resource, "arn:aws:states:::http:invoke") == 0)) {
        *rep = invalid("%s", "The TRACE inspection level is supported only for HTTP Tasks");
        return false;
    }
    const cJSON *cfg = get(r->body, "stateConfiguration");
    const cJSON *rc = get(cfg, "retrierRetryCount");
    if (rc && !cJSON_IsNull(rc)) {
        if (!cJSON_IsNumber(rc) || rc->valuedouble < 0 || rc->valuedouble != floor(rc->valuedouble)) {
            *rep = invalid("%s", "stateConfiguration.retrierRetryCount must be a whole number >= 0");
            return false;
        }
        r->retry_count = (long)rc->valuedouble;
    }
    const cJSON *mf = get(cfg, "mapIterationFailureCount");
    if (mf && !cJSON_IsNull(mf)) {
        if (!cJSON_IsNumber(mf) || mf->valuedouble < 0 || mf->valuedouble != floor(mf->valuedouble)) {
            *rep = invalid("%s", "stateConfiguration.mapIterationFailureCount must be a whole "
                                 "number >= 0");
            return false;
        }
        if (strcmp(r->type, "Map") != 0) {
            *rep = invalid("%s", "mapIterationFailureCount applies to Map states only");
            return false;
        }
        r->map_failures = (long)mf->valuedouble;
        r->has_map_failures = true;
    }
    const char *by = get_string(cfg, "errorCausedByState");
    if (by) {
        if (!fan || !r->mock_throws) {
            *rep = invalid("%s", "errorCausedByState applies to a Map or Parallel state with a "
                                 "mocked errorOutput only");
            return false;
        }
        if (!find_state(r->state, by) && !find_state(get(r->state, "ItemProcessor"), by) &&
            !find_state(get(r->state, "Iterator"), by)) {
            const cJSON *b;
            bool found = false;
            cJSON_ArrayForEach(b, get(r->state, "Branches"))
                found = found || find_state(b, by);
            if (!found) {
                *rep = invalid("errorCausedByState '%s' is not a state of this Map or Parallel", by);
                return false;
            }
        }
    }
    return true;
}

static void req_free(req *r)
{
    cJSON_Delete(r->body);
    cJSON_Delete(r->def);
    cJSON_Delete(r->input);
    cJSON_Delete(r->variables);
    cJSON_Delete(r->mock_result);
    ts_out_free(&r->invoked);
    cJSON_Delete(r->context);
    clear_exits(r);
}

/* The object member [key] of [o], made when absent or not an object. */
static cJSON *object_member(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsObject(v))
        return v;
    drop(o, key);
    return cJSON_AddObjectToObject(o, key);
}

/* What the runs lay over $$: the request's context, and where it does not
 * say, $$.Map.Item {Index 0, Value: the input} for a state inside a Map
 * (AWS's default) and $$.Execution.Input = the input when the variables
 * seed wraps the run's input. */
static void set_context(req *r)
{
    bool wrapped = r->variables && r->variables->child;
    if (!r->context && (r->in_map || wrapped))
        r->context = cJSON_CreateObject();
    if (r->in_map) {
        cJSON *item = object_member(object_member(r->context, "Map"), "Item");
        if (!get(item, "Index"))
            cJSON_AddNumberToObject(item, "Index", 0);
        if (!get(item, "Value"))
            put(item, "Value", copy(r->input));
    }
    if (wrapped) {
        cJSON *ex = object_member(r->context, "Execution");
        if (!get(ex, "Input"))
            put(ex, "Input", copy(r->input));
    }
    r->env.context = r->context;
}

/* Add a stand-in state [name] (a Succeed) to [states] unless it is there
 * or is the tested state. */
static void add_target(cJSON *states, const char *name)
{
    if (name && strcmp(name, "TestState") != 0 && !get(states, name)) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "Type", "Succeed");
        put(states, name, s);
    }
}

/* A single-state definition checked as AWS checks it (exactly one of Next
 * and End, the fields its type allows, ...): its text, verbatim from its
 * second line on, is the state "TestState" of a machine whose other states
 * stand in for its targets, so that positions are the user's own. */
static bool check_single_state(req *r, const char *def, reply *rep)
{
    cJSON *targets = cJSON_CreateObject();
    add_target(targets, get_string(r->state, "Next"));
    add_target(targets, get_string(r->state, "Default"));
    const cJSON *c;
    cJSON_ArrayForEach(c, get(r->state, "Choices"))
        add_target(targets, get_string(c, "Next"));
    cJSON_ArrayForEach(c, get(r->state, "Catch"))
        add_target(targets, get_string(c, "Next"));
    char *rest = cJSON_PrintUnformatted(targets); /* {...}: its members follow the state */
    cJSON_Delete(targets);
    size_t n = strlen(def), m = rest ? strlen(rest) : 0;
    static const char head[] = "{\"StartAt\":\"TestState\",\"States\":{\"TestState\":\n";
    char *text = rest ? malloc(sizeof head + n + m + 8) : NULL;
    if (!text) {
        cJSON_free(rest);
        *rep = srv_error(500, "InternalFailure", "%s", "out of memory");
        return false;
    }
    /* rest is "{}" or "{MEMBERS}": MEMBERS after a comma */
    snprintf(text, sizeof head + n + m + 8, "%s%s\n%s%.*s}}", head, def, m > 2 ? "," : "",
             m > 2 ? (int)(m - 2) : 0, rest + 1);
    cJSON_free(rest);
    char err[2048];
    bool bad = ts_check(text, 1, err, sizeof err);
    free(text);
    if (bad) {
        *rep = srv_error(400, "InvalidDefinition", "Invalid State Machine Definition: '%s'", err);
        return false;
    }
    return true;
}

/* Read and check the request. Returns true, or false with *rep set. */
static bool read_request(req *r, const char *body, size_t len, reply *rep)
{
    char err[512];
    r->body = len ? cJSON_ParseWithLength(body, len) : cJSON_CreateObject();
    if (!r->body || !cJSON_IsObject(r->body)) {
        *rep = srv_error(400, "SerializationException", "the request body is not a JSON object");
        return false;
    }
    const char *def = get_string(r->body, "definition");
    if (!def) {
        *rep = invalid("1 validation error detected: Value null at '%s' failed to satisfy "
                       "constraint: Member must not be null", "definition");
        return false;
    }
    r->level = get_string(r->body, "inspectionLevel");
    if (!r->level)
        r->level = "INFO";
    if (strcmp(r->level, "INFO") && strcmp(r->level, "DEBUG") && strcmp(r->level, "TRACE")) {
        *rep = invalid("1 validation error detected: Value '%s' at 'inspectionLevel' failed to "
                       "satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]",
                       r->level);
        return false;
    }
    r->env.role_arn = get_string(r->body, "roleArn");

    /* the definition: one state, or a machine and stateName */
    r->def = cJSON_Parse(def);
    if (!r->def || !cJSON_IsObject(r->def)) {
        *rep = srv_error(400, "InvalidDefinition",
                           "Invalid State Machine Definition: 'the definition is not a JSON object'");
        return false;
    }
    const char *sname = get_string(r->body, "stateName");
    if (get(r->def, "Type")) {
        if (sname) {
            *rep = invalid("%s", "stateName is only allowed with a definition that is a whole "
                                 "state machine (with StartAt and States)");
            return false;
        }
        r->state = r->def;
        r->name = "TestState";
        if (!check_single_state(r, def, rep))
            return false;
    } else {
        if (ts_check(def, 0, err, sizeof err)) {
            *rep = srv_error(400, "InvalidDefinition", "Invalid State Machine Definition: '%s'",
                               err);
            return false;
        }
        r->name = sname ? sname : get_string(r->def, "StartAt");
        r->state = r->name ? find_state_in(r->def, r->name, &r->in_map) : NULL;
        if (!r->state) {
            *rep = invalid("State '%s' was not found in the state machine definition",
                           r->name ? r->name : "");
            return false;
        }
    }
    r->type = get_string(r->state, "Type");
    if (!r->type) {
        *rep = srv_error(400, "InvalidDefinition",
                           "Invalid State Machine Definition: 'the state has no Type'");
        return false;
    }
    const char *ql = get_string(r->state, "QueryLanguage");
    if (!ql && r->state != r->def)
        ql = get_string(r->def, "QueryLanguage");
    r->jsonata = ql && strcmp(ql, "JSONata") == 0;

    /* input and variables */
    if (!json_member(r->body, "input", &r->input, err, sizeof err)) {
        *rep = srv_error(400, "InvalidExecutionInput",
                           "Invalid State Machine Execution Input: '%s'", err);
        return false;
    }
    if (!r->input)
        r->input = cJSON_CreateObject();
    if (!json_member(r->body, "variables", &r->variables, err, sizeof err)) {
        *rep = invalid("%s", err);
        return false;
    }
    if (r->variables && !cJSON_IsObject(r->variables)) {
        *rep = invalid("%s", "variables must be a JSON object of variable names and values");
        return false;
    }
    if (!read_mock(r, rep))
        return false;
    set_context(r);
    return true;
}

/* ==== running =============================================================== */

static void add_str(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
}

/* Do r->map_failures failed iterations exceed what the Map tolerates?
 * Without ToleratedFailureCount / Percentage, one failure is too many. */
static bool map_over_tolerance(req *r)
{
    if (!r->has_map_failures || r->map_failures == 0)
        return false;
    const cJSON *count = get(r->state, "ToleratedFailureCount");
    const cJSON *pct = get(r->state, "ToleratedFailurePercentage");
    if (!cJSON_IsNumber(count) && !cJSON_IsNumber(pct))
        return true;
    if (cJSON_IsNumber(count) && (double)r->map_failures <= count->valuedouble)
        return false;
    if (cJSON_IsNumber(pct)) {
        cJSON *items = map_items(r, false);
        int n = cJSON_GetArraySize(items);
        cJSON_Delete(items);
        if (n > 0 && (double)r->map_failures * 100.0 / n <= pct->valuedouble)
            return false;
    }
    return true;
}

static reply answer(req *r)
{
    reply rep;
    if (strcmp(r->type, "Task") == 0 && !r->mocked && !invoke_once(r, &rep))
        return rep;
    cJSON *in = NULL;
    cJSON *mock = map_over_tolerance(r) ? mock_config(r, NULL, TOLERATED_ERROR, TOLERATED_CAUSE)
                                        : mock_config(r, NULL, NULL, NULL);
    cJSON *m = tested_machine(r, false, &in);
    ts_out out;
    ts_run(&r->env, m, in, mock, &out);
    cJSON_Delete(m);
    cJSON_Delete(in);
    if (out.kind == TS_INVALID || out.kind == TS_SETUP) {
        rep = out.kind == TS_INVALID
                        ? srv_error(400, "InvalidDefinition",
                                      "Invalid State Machine Definition: '%s'", out.message)
                        : invalid("%s", out.message);
        ts_out_free(&out);
        cJSON_Delete(mock);
        return rep;
    }
    cJSON *resp = cJSON_CreateObject();
    const char *status = "SUCCEEDED";
    const cJSON *output = NULL, *vars = NULL;
    const char *next = NULL;
    cJSON *detail = NULL;
    ts_out caught = {0};
    if (out.kind == TS_OK) {
        const cJSON *k = get(out.output, "k");
        if (strcmp(r->type, "Succeed") == 0 || !cJSON_IsNumber(k)) {
            output = out.output;
        } else {
            next = k->valueint >= 0 && k->valueint < r->nexits ? r->exits[k->valueint] : NULL;
            output = get(out.output, "o");
            vars = get(out.output, "v");
        }
    } else {
        long backoff = 0;
        int ri = retrier_for(r, out.error, &backoff);
        detail = cJSON_CreateObject();
        if (ri >= 0) {
            status = "RETRIABLE";
            cJSON_AddNumberToObject(detail, "retryBackoffIntervalSeconds", (double)backoff);
            cJSON_AddNumberToObject(detail, "retryIndex", ri);
        } else if (get(r->state, "Catch") && !(out.error && !strcmp(out.error, "States.Runtime"))) {
            /* run again with the Catch, failing the same way */
            cJSON *m2 = tested_machine(r, true, &in);
            cJSON *mock2 = mock ? copy(mock) : NULL;
            ts_run(&r->env, m2, in, mock2, &caught);
            cJSON_Delete(m2);
            cJSON_Delete(in);
            cJSON_Delete(mock2);
            const cJSON *k = caught.kind == TS_OK ? get(caught.output, "k") : NULL;
            int first_catch = r->nexits - cJSON_GetArraySize(get(r->state, "Catch"));
            if (cJSON_IsNumber(k) && k->valueint >= first_catch && k->valueint < r->nexits) {
                status = "CAUGHT_ERROR";
                next = r->exits[k->valueint];
                output = get(caught.output, "o");
                vars = get(caught.output, "v");
                cJSON_AddNumberToObject(detail, "catchIndex", k->valueint - first_catch);
            } else {
                status = "FAILED";
            }
        } else {
            status = "FAILED";
        }
        add_str(resp, "error", out.error);
        add_str(resp, "cause", out.cause);
    }
    if (output)
        add_text(resp, "output", output);
    if (strcmp(r->level, "INFO") != 0) {
        cJSON *insp = inspection(r, vars);
        if (detail && detail->child) {
            put(insp, "errorDetails", detail);
            detail = NULL;
        }
        put(resp, "inspectionData", insp);
    }
    add_str(resp, "nextState", next);
    cJSON_AddStringToObject(resp, "status", status);
    cJSON_Delete(detail);
    ts_out_free(&out);
    ts_out_free(&caught);
    cJSON_Delete(mock);
    char *body = cJSON_PrintUnformatted(resp);
    cJSON_Delete(resp);
    return body ? (reply){200, body} : srv_error(500, "InternalFailure", "%s", "out of memory");
}

static pthread_mutex_t one_at_a_time = PTHREAD_MUTEX_INITIALIZER;

int srv_test_state(const char *body, size_t len, const char *bindings, char **out)
{
    pthread_mutex_lock(&one_at_a_time);
    req r = {.env = {.bindings = bindings}};
    reply rep;
    if (read_request(&r, body, len, &rep))
        rep = answer(&r);
    req_free(&r);
    pthread_mutex_unlock(&one_at_a_time);
    *out = rep.body;
    return rep.status;
}

/* `aslc serve`'s TestState action: the same answer, from the parsed body. */
srv_reply srv_test_state_action(const cJSON *request)
{
    char *body = cJSON_PrintUnformatted(request);
    char *out = NULL;
    int status = body ? srv_test_state(body, strlen(body), NULL, &out) : 500;
    cJSON_free(body);
    if (!out)
        return srv_error(500, "InternalFailure", "out of memory");
    return (srv_reply){status, out};
}
