/*
 * teststate_impl.h - what the pieces of TestState share: teststate.c (the
 * request, the rules, the response) and teststate_run.c (running a small
 * definition through aslc's pipeline: load -> check -> lower -> codegen ->
 * libtcc -> the runtime's engine).
 */
#ifndef ASLC_SERVER_TESTSTATE_IMPL_H
#define ASLC_SERVER_TESTSTATE_IMPL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

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
    const cJSON *context;  /* laid over $$ (rt_options.context), or NULL */
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

/* teststate_mock.c: does the mocked [result] of a Task on [resource] have
 * the shape that integration returns, as [mode] (STRICT, PRESENT, NONE)
 * asks? Known shapes: Lambda invoke and the Step Functions integrations;
 * any result passes for others. False with [err] set when it does not. */
bool ts_check_mock_shape(const char *resource, const cJSON *result, const char *mode, char *err,
                         size_t cap);

/* The machine name runs use (the mock configuration's key). */
#define TS_MACHINE "TestState"
#define TS_CASE "T"

#endif
