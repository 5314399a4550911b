/*
 * teststate_impl.h - what the pieces of TestState share: teststate.c (the
 * request, AWS's rules on it, the response), teststate_build.c (the small
 * machines each run uses), teststate_inspect.c (inspectionData at DEBUG,
 * and the Retry rule), teststate_mock.c (fieldValidationMode) and
 * teststate_run.c (running a small definition through aslc's pipeline:
 * load -> check -> lower -> codegen -> libtcc -> the runtime's engine).
 */
#ifndef ASLC_SERVER_TESTSTATE_IMPL_H
#define ASLC_SERVER_TESTSTATE_IMPL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "effects.h"
#include "serve.h"

/* How one run ended. */
typedef enum {
    TS_OK,      /* succeeded: output */
    TS_FAILED,  /* the run failed: error, cause (either may be NULL) */
    TS_INVALID, /* aslc refused the definition: message */
    TS_SETUP,   /* a Task could not be bound, or out of memory: message */
} ts_kind;

typedef struct ts_out {
    ts_kind kind;
    cJSON *output;
    char *error, *cause, *message;
} ts_out;

/* What every run of one request shares. */
typedef struct ts_env {
    const char *bindings;  /* a bindings file, or NULL */
    const char *role_arn;  /* $$.Execution.RoleArn, or NULL */
    const cJSON *context;  /* $$ or laid over it (rt_options.context), or NULL */
    bool context_whole;    /* context is all of $$ (the request gave it) */
    const char *s3_root;   /* the local folder standing for S3, or NULL */
    rt_http_trace *http_trace; /* TRACE: an HTTP Task's request and response, or NULL */
} ts_env;

/* Run the machine [def] (borrowed) on a copy of [input]. [mock], when not
 * NULL, is the Step Functions Local mock configuration the run uses
 * ({"StateMachines": {"TestState": ...}} with test case "T"). Waits are
 * skipped. Fills *out (free with ts_out_free). */
void ts_run(const ts_env *env, const cJSON *def, const cJSON *input, const cJSON *mock,
            ts_out *out);
void ts_out_free(ts_out *o);

/* The error diagnostics of a definition [text] that check refuses, as one
 * message in [buf]; returns false when check accepts it. Positions are
 * reported [line_shift] lines up: the user's text starts that many lines
 * into [text] (a single state wrapped into a machine). */
bool ts_check(const char *text, int line_shift, char *buf, size_t cap);

/* A fresh S3 root (a temporary folder) holding [data] as the object
 * s3://[bucket]/[key]; NULL when it cannot be made or the names would
 * leave it. ts_s3_unstage removes it (and takes NULL) and frees [root]. */
char *ts_s3_stage(const char *bucket, const char *key, const char *data);
void ts_s3_unstage(char *root);

/* teststate_mock.c: does the mocked [result] of a Task on [resource] have
 * the shape that integration returns, as [mode] (STRICT, PRESENT, NONE)
 * asks? Known shapes: Lambda invoke and the Step Functions integrations;
 * any result passes for others. False with [err] set when it does not. */
bool ts_check_mock_shape(const char *resource, const cJSON *result, const char *mode, char *err,
                         size_t cap);

/* The machine name runs use (the mock configuration's key). */
#define TS_MACHINE "TestState"
#define TS_CASE "T"

/* ==== the parsed request (teststate.c owns it) ============================ */
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
    struct ts_text *input_text; /* the request's input as written (teststate_text.c) */
    struct ts_text *mock_text;  /* its mocked result as written */
    cJSON *variables;         /* an object, or NULL */
    /* mock */
    bool mocked;
    cJSON *mock_result;       /* parsed mock.result, or NULL */
    const char *mock_error, *mock_cause;
    bool mock_throws;
    ts_out invoked;           /* an unmocked Task's one real call (owns its error, cause) */
    rt_http_trace trace;      /* that call's HTTP request and response (an HTTP Task) */
    cJSON *context;           /* laid over $$: the request's, the defaults added */
    const char *field_mode;   /* STRICT (default), PRESENT, NONE */
    /* stateConfiguration */
    long retry_count;
    long map_failures;
    bool has_map_failures;
    const char *reader_data;  /* mapItemReaderData, or NULL */
    ts_env env;
    /* the exits of the built machine: names of the real targets (NULL: End) */
    char *exits[260];
    int nexits;
} req;

typedef srv_reply reply;

/* ==== teststate_text.c ====================================================== */
/* The values of a request's JSON text, each with the span it was written
 * as (AWS prints an untouched value so). */
typedef struct ts_text {
    const char *text;        /* borrowed from the request */
    struct ts_span *spans;   /* every value, in document order */
    int count;
} ts_text;
/* Scans [text], whose parse is [parsed]; NULL when it is too long or the
 * two disagree (every payload is then compact). */
ts_text *ts_text_scan(const char *text, const cJSON *parsed);
/* The text a value equal to [v] was written as in [t] (malloc'd), or NULL:
 * the first such value in document order, or with [whole] only the
 * document itself. */
char *ts_text_of(const ts_text *t, const cJSON *v, bool whole);
void ts_text_free(ts_text *t);


/* ==== replies ============================================================ */

static inline reply invalid(const char *fmt, const char *arg)
{
    return srv_error(400, "ValidationException", fmt, arg);
}

/* ==== small JSON helpers ================================================== */

static inline const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static inline const char *get_string(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline void put(cJSON *o, const char *key, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    if (v && !cJSON_AddItemToObject(o, key, v))
        cJSON_Delete(v);
}

static inline void drop(cJSON *o, const char *key)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, key);
}

static inline cJSON *copy(const cJSON *v)
{
    return cJSON_Duplicate(v, 1);
}

/* Compact JSON text as AWS returns payloads (malloc'd). */
static inline char *text_of(const cJSON *v)
{
    return cJSON_PrintUnformatted(v);
}

static inline void add_text(cJSON *o, const char *key, const cJSON *v)
{
    char *t = v ? text_of(v) : NULL;
    if (t)
        cJSON_AddStringToObject(o, key, t);
    cJSON_free(t);
}

/* Where a payload may come from untouched (teststate_text.c says why). */
typedef enum {
    TS_FROM_INPUT = 1,      /* the whole input */
    TS_FROM_INPUT_PART = 2, /* a value inside the input (a Map's afterItemsPath) */
    TS_FROM_MOCK = 4        /* the whole mocked result (result and after) */
} ts_from;

/* A payload of the response: compact JSON text, except that a value equal
 * to what [from] allows is the text it was written as. */
static inline void add_payload_of(const req *r, cJSON *o, const char *key, const cJSON *v,
                                  int from)
{
    char *raw = NULL;
    if (from & (TS_FROM_INPUT | TS_FROM_INPUT_PART))
        raw = ts_text_of(r->input_text, v, !(from & TS_FROM_INPUT_PART));
    if (!raw && (from & TS_FROM_MOCK))
        raw = ts_text_of(r->mock_text, v, true);
    if (raw)
        cJSON_AddStringToObject(o, key, raw);
    else
        add_text(o, key, v);
    free(raw);
}

/* The state's input and what follows from it before the result. */
static inline void add_payload(const req *r, cJSON *o, const char *key, const cJSON *v)
{
    add_payload_of(r, o, key, v, TS_FROM_INPUT);
}

/* The result and what follows from it: the output may be either. */
static inline void add_result_payload(const req *r, cJSON *o, const char *key, const cJSON *v)
{
    add_payload_of(r, o, key, v, TS_FROM_INPUT | TS_FROM_MOCK);
}

static inline bool is_identifier(const char *s)
{
    if (!s || !*s || !(s[0] == '_' || ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')))
        return false;
    for (const char *p = s; *p; p++)
        if (!(*p == '_' || (*p >= '0' && *p <= '9') || ((*p | 32) >= 'a' && (*p | 32) <= 'z')))
            return false;
    return true;
}

/* ==== teststate_build.c: the machines the runs use ======================== */

/* The state [name] in the machine [m] or any of its branches / processors;
 * *in_map (may be NULL) is set when it is inside a Map's item processor. */
const cJSON *ts_find_state_in(const cJSON *m, const char *name, bool *in_map);
const cJSON *ts_find_state(const cJSON *m, const char *name);
void ts_clear_exits(req *r);
/* A machine {StartAt, States} around [s] (taken) with the request's
 * variables seeded; *input is the input to give it ([base], wrapped). */
cJSON *ts_machine_around(const req *r, cJSON *s, cJSON *states, const cJSON *base,
                         cJSON **input);
/* The tested state as it runs, its exits reporting {"k", "o", "v"}; with
 * [catching], its Catch kept. */
cJSON *ts_tested_machine(req *r, bool catching, cJSON **input);
/* The mock configuration of the tested state, or NULL without a mock. */
cJSON *ts_mock_config(const req *r, const cJSON *result, const char *error, const char *cause);
/* Run the one state [s] (taken) on [input]: its output, or NULL. */
cJSON *ts_step(req *r, cJSON *s, const cJSON *input, const cJSON *mock);
cJSON *ts_pass_state(const req *r);
/* A Pass with the state's [keys] copied (the last one as [as] when not
 * NULL, [as_value] set as [as]), run on [input]. */
cJSON *ts_pass_step(req *r, const cJSON *input, const char *const *keys, int n, const char *as,
                    const cJSON *as_value);

/* ==== teststate_inspect.c: DEBUG's inspectionData, Retry ================== */

/* How far ts_map_items takes a Map's items. */
typedef enum { TS_ITEMS, TS_SELECTED, TS_BATCHED } ts_items;
/* The Map's items: after ItemReader (on mapItemReaderData) or ItemsPath /
 * Items, then ItemSelector, then ItemBatcher, as far as [upto] says. */
cJSON *ts_map_items(req *r, ts_items upto);
/* inspectionData (the data flow up to the state's output; when the state
 * [failed], up to its task: no result or what follows from it). */
cJSON *ts_inspection(req *r, const cJSON *variables, bool failed);
/* The retrier that retries [err] after r->retry_count retries: its index
 * and the backoff it waits, or -1. */
int ts_retrier_for(const req *r, const char *err, long *backoff);

#endif
