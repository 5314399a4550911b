/*
 * teststate_build.c - the small machines TestState runs: the tested state
 * with its exits (Next, End, a Choice's targets, a catcher's Next) replaced
 * by reporting states that return {"k": exit, "o": output, "v": variables},
 * an optional first state that assigns the request's variables, a Map or
 * Parallel turned into a Task on the mock (their result is mocked whole),
 * the mock configuration (Step Functions Local's format) that feeds a mock
 * to the state, and the one-step machines DEBUG's inspection runs.
 *
 * Owns nothing past a call: every tree is returned to the caller.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teststate_impl.h"

/* ==== finding the state =================================================== */

/* The state [name] in the machine [m] or any of its branches / processors;
 * *in_map (may be NULL) is set when it is inside a Map's item processor. */
const cJSON *ts_find_state_in(const cJSON *m, const char *name, bool *in_map)
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
            const cJSON *f = ts_find_state_in(b, name, in_map);
            if (f)
                return f;
        }
        const cJSON *p = get(s, "ItemProcessor") ? get(s, "ItemProcessor") : get(s, "Iterator");
        const cJSON *f = p ? ts_find_state_in(p, name, in_map) : NULL;
        if (f) {
            if (in_map) /* anywhere inside an iteration: $$.Map.Item is defined */
                *in_map = true;
            return f;
        }
    }
    return NULL;
}

const cJSON *ts_find_state(const cJSON *m, const char *name)
{
    return ts_find_state_in(m, name, NULL);
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

void ts_clear_exits(req *r)
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
cJSON *ts_machine_around(const req *r, cJSON *s, cJSON *states, const cJSON *base,
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
cJSON *ts_tested_machine(req *r, bool catching, cJSON **input)
{
    cJSON *s = copy(r->state);
    cJSON *states = cJSON_CreateObject();
    ts_clear_exits(r);
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
    return ts_machine_around(r, s, states, r->input, input);
}

/* The mock configuration for the tested state, or NULL without a mock.
 * [result] overrides the request's mock result when not NULL. */
cJSON *ts_mock_config(const req *r, const cJSON *result, const char *error, const char *cause)
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
cJSON *ts_step(req *r, cJSON *s, const cJSON *input, const cJSON *mock)
{
    cJSON *states = cJSON_CreateObject();
    cJSON_AddBoolToObject(s, "End", true);
    cJSON *in = NULL;
    cJSON *m = ts_machine_around(r, s, states, input, &in);
    ts_out out;
    ts_run(&r->env, m, in, mock, &out);
    cJSON_Delete(m);
    cJSON_Delete(in);
    cJSON *res = out.kind == TS_OK ? out.output : NULL;
    out.output = NULL;
    ts_out_free(&out);
    return res;
}

cJSON *ts_pass_state(const req *r)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Type", "Pass");
    cJSON_AddStringToObject(s, "QueryLanguage", r->jsonata ? "JSONata" : "JSONPath");
    return s;
}

/* A Pass with the state's [keys] copied; run on [input]. */
cJSON *ts_pass_step(req *r, const cJSON *input, const char *const *keys, int n,
                        const char *as, const cJSON *as_value)
{
    cJSON *s = ts_pass_state(r);
    for (int i = 0; i < n; i++) {
        const cJSON *v = get(r->state, keys[i]);
        if (v)
            put(s, i == n - 1 && as ? as : keys[i], copy(v));
    }
    if (as_value)
        put(s, as, copy(as_value));
    return ts_step(r, s, input, NULL);
}

