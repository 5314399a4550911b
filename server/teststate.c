/*
 * teststate.c - TestState offline: the request, AWS's rules for it, and
 * the response (status, nextState, output, error, cause, inspectionData).
 *
 * How one state is run: teststate_build.c puts it into a small machine
 * whose exits report where it went; a mock reaches it through Step
 * Functions Local's mock configuration, so the data flow (InputPath,
 * Parameters / Arguments, ResultSelector, ResultPath, OutputPath, Output,
 * Assign, Catch) is the runtime's own; teststate_run.c runs it.
 * teststate_inspect.c adds DEBUG's inspectionData and the Retry rule.
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
#include "srv_internal.h"
#include "teststate.h"
#include "teststate_impl.h"

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
    cJSON *m = ts_machine_around(r, s, states, r->input, &in);
    /* TRACE: an HTTP Task describes its call (http_task.c) */
    r->trace.reveal = cJSON_IsTrue(get(r->body, "revealSecrets"));
    r->env.http_trace = strcmp(r->level, "TRACE") == 0 ? &r->trace : NULL;
    ts_run(&r->env, m, in, NULL, &r->invoked);
    r->env.http_trace = NULL;
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

/* Is the request's context one AWS accepts? Its members and their types;
 * [err] says what is not (AWS's wording after "Invalid Context object
 * provided: "). */
static bool context_allowed(const req *r, const char *resource, char *err, size_t cap)
{
    static const struct { const char *part, *field; bool string; } known[] = {
        {"Execution", "Id", true},        {"Execution", "Input", false},
        {"Execution", "Name", true},      {"Execution", "RoleArn", true},
        {"Execution", "StartTime", true}, {"Execution", "RedriveCount", false},
        {"Execution", "RedriveTime", true}, {"State", "EnteredTime", true},
        {"State", "Name", true},          {"State", "RetryCount", false},
        {"StateMachine", "Id", true},     {"StateMachine", "Name", true},
        {"Task", "Token", true},
    };
    if (!cJSON_IsObject(r->context)) {
        snprintf(err, cap, "%s", "the context must be a JSON object");
        return false;
    }
    const cJSON *part;
    cJSON_ArrayForEach(part, r->context) {
        const char *p = part->string;
        if (strcmp(p, "Map") == 0) {
            snprintf(err, cap, "%s", "'Map' field is not supported when mocking a Context object");
            return false;
        }
        bool part_known = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            part_known = part_known || strcmp(known[i].part, p) == 0;
        if (!part_known) {
            snprintf(err, cap, "Field '%s' is not allowed", p);
            return false;
        }
        if (!cJSON_IsObject(part)) {
            snprintf(err, cap, "%s must be an object", p);
            return false;
        }
        const cJSON *f;
        cJSON_ArrayForEach(f, part) {
            size_t i = 0;
            while (i < sizeof known / sizeof known[0] &&
                   !(strcmp(known[i].part, p) == 0 && strcmp(known[i].field, f->string) == 0))
                i++;
            if (i == sizeof known / sizeof known[0]) {
                snprintf(err, cap, "Field '%s' is not allowed", f->string);
                return false;
            }
            if (known[i].string && !cJSON_IsString(f)) {
                snprintf(err, cap, "%s.%s must be a string", p, f->string);
                return false;
            }
            if (!known[i].string && strcmp(f->string, "Input") != 0 && !cJSON_IsNumber(f)) {
                snprintf(err, cap, "%s.%s must be a number", p, f->string);
                return false;
            }
        }
        if (strcmp(p, "Task") == 0 && !(resource && needs_mock(resource) &&
                                       strstr(resource, ":activity:") == NULL)) {
            snprintf(err, cap, "%s", "Context object contains 'Task' when state is not a Task "
                     "state with a '.sync' or '.waitForTaskToken' service integration pattern");
            return false;
        }
    }
    return true;
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
            *rep = invalid("State type '%s' is not supported when a mock is specified", r->type);
            return false;
        }
        const cJSON *eo = get(mock, "errorOutput");
        bool has_result = get(mock, "result") && !cJSON_IsNull(get(mock, "result"));
        if (has_result && eo && !cJSON_IsNull(eo)) {
            *rep = invalid("%s", "A test mock should have only one of the following fields: "
                                 "[result, errorOutput].");
            return false;
        }
        if (!has_result && !(eo && !cJSON_IsNull(eo))) {
            *rep = invalid("%s", "A test mock should have one of the following fields: "
                                 "[result, errorOutput].");
            return false;
        }
        if (has_result && !json_member(mock, "result", &r->mock_result, err, sizeof err)) {
            *rep = invalid("%s", "Mocked result must be valid JSON");
            return false;
        }
        if (has_result)
            r->mock_text = ts_text_scan(get_string(mock, "result"), r->mock_result);
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
            if (!cJSON_IsArray(r->mock_result)) {
                *rep = invalid("%s", "Mocked result must be an array.");
                return false;
            }
            if (cJSON_GetArraySize(r->mock_result) != cJSON_GetArraySize(get(r->state, "Branches"))) {
                *rep = invalid("%s", "Mocked result must contain the same number of items as "
                                     "number of Parallel branches.");
                return false;
            }
        }
        if (has_result && strcmp(r->type, "Map") == 0) {
            /* with a ResultWriter a Map's result is the writer's summary object */
            bool writer = get(r->state, "ResultWriter") != NULL;
            if (writer ? !cJSON_IsObject(r->mock_result) : !cJSON_IsArray(r->mock_result)) {
                *rep = invalid("%s", writer ? "Mocked result must be a JSON object."
                                            : "Mocked result must be an array.");
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
        if (r->context && !context_allowed(r, resource, err, sizeof err)) {
            *rep = invalid("Invalid Context object provided: %s", err);
            return false;
        }
        const cJSON *rs = get(r->body, "revealSecrets");
        if (cJSON_IsTrue(rs)) {
            *rep = invalid("%s", "TestState does not support RevealSecrets when a mock is specified.");
            return false;
        }
    } else {
        if (fan) {
            *rep = srv_error(400, "InvalidDefinition", "%s",
                             "TestState API does not support Map or Parallel states. Supported "
                             "state types include: [Task, Wait, Pass, Succeed, Fail, Choice]");
            return false;
        }
        if (task && !get_string(r->body, "roleArn")) {
            /* AWS's rule: a Task that really runs needs the role it runs as */
            *rep = invalid("%s", "RoleArn must be specified when testing a Task state");
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
    /* TRACE adds the HTTP request and response of an HTTP Task; AWS accepts
     * it for every state (recorded on Map states) and answers as DEBUG. */
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
    const cJSON *rd = get(cfg, "mapItemReaderData");
    if (rd && !cJSON_IsNull(rd)) {
        if (!cJSON_IsString(rd)) {
            *rep = invalid("%s", "stateConfiguration.mapItemReaderData must be a string: the data "
                                 "the ItemReader reads, as found in its source");
            return false;
        }
        if (strcmp(r->type, "Map") != 0 || !get(r->state, "ItemReader")) {
            *rep = invalid("%s", "mapItemReaderData applies to a Map state with an ItemReader only");
            return false;
        }
        r->reader_data = rd->valuestring;
    }
    const char *by = get_string(cfg, "errorCausedByState");
    if (by) {
        if (!fan || !r->mock_throws) {
            *rep = invalid("%s", "errorCausedByState applies to a Map or Parallel state with a "
                                 "mocked errorOutput only");
            return false;
        }
        if (strcmp(by, r->name) != 0 && !ts_find_state(r->state, by) && !ts_find_state(get(r->state, "ItemProcessor"), by) &&
            !ts_find_state(get(r->state, "Iterator"), by)) {
            const cJSON *b;
            bool found = false;
            cJSON_ArrayForEach(b, get(r->state, "Branches"))
                found = found || ts_find_state(b, by);
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
    ts_text_free(r->input_text);
    ts_text_free(r->mock_text);
    cJSON_Delete(r->trace.request);
    cJSON_Delete(r->trace.response);
    cJSON_Delete(r->context);
    ts_clear_exits(r);
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

/* $$ of the runs: the request's context, which is all of it (AWS answers
 * {} for a context {}); without one, laid over what the runtime builds:
 * $$.Map.Item {Index 0, Value: the input} for a state inside a Map (AWS's
 * default) and $$.Execution.Input = the input when the variables seed
 * wraps the run's input. */
static void set_context(req *r)
{
    if (r->context) { /* the request's: all of $$, as AWS answers */
        r->env.context = r->context;
        r->env.context_whole = true;
        return;
    }
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
        r->state = r->name ? ts_find_state_in(r->def, r->name, &r->in_map) : NULL;
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
    else
        r->input_text = ts_text_scan(get_string(r->body, "input"), r->input);
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
 * Without ToleratedFailureCount / Percentage the count changes nothing, as
 * AWS answers (its recordings: SUCCEEDED with the mocked result). */
static bool map_over_tolerance(req *r)
{
    if (!r->has_map_failures || r->map_failures == 0)
        return false;
    const cJSON *count = get(r->state, "ToleratedFailureCount");
    const cJSON *pct = get(r->state, "ToleratedFailurePercentage");
    if (!cJSON_IsNumber(count) && !cJSON_IsNumber(pct))
        return false;
    if (cJSON_IsNumber(count) && (double)r->map_failures <= count->valuedouble)
        return false;
    if (cJSON_IsNumber(pct)) {
        cJSON *items = ts_map_items(r, TS_ITEMS);
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
    if (r->has_map_failures) {
        /* the guide: the count "cannot exceed the number of items in the input" */
        cJSON *items = ts_map_items(r, TS_ITEMS);
        int n = cJSON_GetArraySize(items);
        bool known = cJSON_IsArray(items);
        cJSON_Delete(items);
        if (known && r->map_failures > n) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "stateConfiguration.mapIterationFailureCount (%ld) cannot exceed the number "
                     "of items in the Map state's input (%d)",
                     r->map_failures, n);
            return invalid("%s", msg);
        }
    }
    cJSON *in = NULL;
    cJSON *mock = map_over_tolerance(r) ? ts_mock_config(r, NULL, TOLERATED_ERROR, TOLERATED_CAUSE)
                                        : ts_mock_config(r, NULL, NULL, NULL);
    cJSON *m = ts_tested_machine(r, false, &in);
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
        int ri = ts_retrier_for(r, out.error, &backoff);
        detail = cJSON_CreateObject();
        if (ri >= 0) {
            status = "RETRIABLE";
            cJSON_AddNumberToObject(detail, "retryBackoffIntervalSeconds", (double)backoff);
            cJSON_AddNumberToObject(detail, "retryIndex", ri);
        } else if (get(r->state, "Catch") && !(out.error && !strcmp(out.error, "States.Runtime"))) {
            /* run again with the Catch, failing the same way */
            cJSON *m2 = ts_tested_machine(r, true, &in);
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
        add_result_payload(r, resp, "output", output);
    if (strcmp(r->level, "INFO") != 0) {
        cJSON *insp = ts_inspection(r, vars, out.kind == TS_FAILED);
        if (r->trace.request) { /* TRACE of an HTTP Task */
            put(insp, "request", r->trace.request);
            r->trace.request = NULL;
        }
        if (r->trace.response) {
            put(insp, "response", r->trace.response);
            r->trace.response = NULL;
        }
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
    /* the server's --bindings: its Tasks and HTTP Tasks' connections */
    const char *bindings = srv_store.opt ? srv_store.opt->bindings : NULL;
    int status = body ? srv_test_state(body, strlen(body), bindings, &out) : 500;
    cJSON_free(body);
    if (!out)
        return srv_error(500, "InternalFailure", "out of memory");
    return (srv_reply){status, out};
}
