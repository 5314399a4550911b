/*
 * test_exec.c - the execution loop (runtime/exec.c), history (history.c)
 * and the executable's command line (main.c), driven by small hand-written
 * machines whose states are static functions here, as aslc would emit them.
 * Event sequences and cause texts follow conformance/cases (base/, wait/,
 * errorhandling/).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "effects.h"
#include "engine.h"
#include "rt.h"
#include "values.h"

/* ---- paths and state functions ---------------------------------------- */

#define FIELD_PATH(id, field)                                                          \
    static const asl_seg id##_seg[] = {{.kind = ASL_SEG_FIELD, .name = field}};         \
    static const asl_path id = {.text = "$." field, .normalized = "$['" field "']",     \
                                .root = ASL_ROOT_INPUT, .definite = 1, .nsegs = 1,      \
                                .segs = id##_seg}

FIELD_PATH(P_SECONDS, "seconds");
FIELD_PATH(P_TS, "ts");
FIELD_PATH(P_ERROR, "Error");
FIELD_PATH(P_CAUSE, "Cause");

/* Pass: adds "visited": <count> and goes to state 1. */
static int st_pass(asl_exec *x, cJSON **doc)
{
    (void)x;
    cJSON *v = cJSON_GetObjectItemCaseSensitive(*doc, "visited");
    if (v)
        cJSON_SetNumberValue(v, v->valuedouble + 1);
    else
        cJSON_AddNumberToObject(*doc, "visited", 1);
    return 1;
}

static int st_succeed(asl_exec *x, cJSON **doc)
{
    (void)x;
    (void)doc;
    return ASL_NEXT_END;
}

static int st_fail(asl_exec *x, cJSON **doc)
{
    return asl_fail_state(x, *doc, "SomeFailure",
                          "This state machines raises a 'SomeFailure' failure.", NULL, NULL);
}

static int st_fail_empty(asl_exec *x, cJSON **doc)
{
    return asl_fail_state(x, *doc, NULL, NULL, NULL, NULL);
}

static const asl_tmpl T_ERROR = {.kind = ASL_T_PATH, .path = &P_ERROR};
static const asl_tmpl T_CAUSE = {.kind = ASL_T_PATH, .path = &P_CAUSE};

static int st_fail_paths(asl_exec *x, cJSON **doc)
{
    return asl_fail_state(x, *doc, NULL, NULL, &T_ERROR, &T_CAUSE);
}

static int st_runtime_error(asl_exec *x, cJSON **doc)
{
    (void)doc;
    return asl_fail_runtime(x, "Invalid path '%s' : No results for path: %s", "$.Nope",
                            "$['Nope']");
}

static int st_wait_10(asl_exec *x, cJSON **doc)
{
    (void)doc;
    return asl_wait_seconds(x, 10) < 0 ? ASL_NEXT_ERROR : ASL_NEXT_END;
}

static int st_wait_3(asl_exec *x, cJSON **doc)
{
    (void)doc;
    return asl_wait_seconds(x, 3) < 0 ? ASL_NEXT_ERROR : ASL_NEXT_END;
}

static int st_wait_path(asl_exec *x, cJSON **doc)
{
    return asl_wait_seconds_path(x, *doc, &P_SECONDS) < 0 ? ASL_NEXT_ERROR : ASL_NEXT_END;
}

static int st_wait_ts_path(asl_exec *x, cJSON **doc)
{
    return asl_wait_timestamp_path(x, *doc, &P_TS) < 0 ? ASL_NEXT_ERROR : ASL_NEXT_END;
}

static int st_wait_bad_literal(asl_exec *x, cJSON **doc)
{
    (void)doc;
    return asl_wait_timestamp(x, "2016-12-05 21:29:29Z", 0, 0, 0) < 0 ? ASL_NEXT_ERROR
                                                                      : ASL_NEXT_END;
}

/* Replaces the document with a copy of $$. */
static int st_context(asl_exec *x, cJSON **doc)
{
    const cJSON *ctx = rt_context(x);
    if (!ctx)
        return ASL_NEXT_ERROR;
    cJSON_Delete(*doc);
    *doc = cJSON_Duplicate(ctx, 1);
    return ASL_NEXT_END;
}

static int st_raise_sigint(asl_exec *x, cJSON **doc)
{
    (void)x;
    (void)doc;
    raise(SIGINT);
    return 1;
}

/* Returns a document with a string of $.size bytes. */
static int st_big(asl_exec *x, cJSON **doc)
{
    (void)x;
    size_t n = (size_t)cJSON_GetObjectItemCaseSensitive(*doc, "size")->valuedouble;
    char *s = malloc(n + 1);
    memset(s, 'a', n);
    s[n] = '\0';
    cJSON_AddStringToObject(*doc, "Arg1", s);
    free(s);
    return ASL_NEXT_END;
}

/* Writes 100,000 bytes at $.<state name> through the path function that
 * accounts for growth, as generated Pass states do. */
static int st_grow(asl_exec *x, cJSON **doc)
{
    const char *name = x->machine->states[x->state].name;
    const asl_seg seg = {.kind = ASL_SEG_FIELD, .name = name};
    const asl_path p = {.text = name, .normalized = name, .root = ASL_ROOT_INPUT,
                        .definite = 1, .nsegs = 1, .segs = &seg};
    char *s = malloc(100001);
    memset(s, 'g', 100000);
    s[100000] = '\0';
    cJSON *v = cJSON_CreateString(s);
    free(s);
    if (asl_apply_result_path(x, &p, doc, v) != 0)
        return ASL_NEXT_ERROR;
    return x->state + 1 < x->machine->nstates ? x->state + 1 : ASL_NEXT_END;
}

/* Loops forever between states 0 and 1. */
static int st_loop(asl_exec *x, cJSON **doc)
{
    (void)doc;
    return x->state == 0 ? 1 : 0;
}

#define MACHINE(id, timeout, ...)                                                       \
    static const asl_state id##_states[] = {__VA_ARGS__};                               \
    static const asl_machine id = {.name = #id, .source = #id ".asl.json",              \
                                   .nstates = sizeof id##_states / sizeof *id##_states, \
                                   .start = 0, .states = id##_states,                   \
                                   .timeout_seconds = timeout}

MACHINE(m_success, 0, {"Init", "Pass", st_pass, 0}, {"Done", "Succeed", st_succeed, 0});
MACHINE(m_fail, 0, {"FailState", "Fail", st_fail, 0});
MACHINE(m_fail_empty, 0, {"FailState", "Fail", st_fail_empty, 0});
MACHINE(m_fail_paths, 0, {"FailState", "Fail", st_fail_paths, 0});
MACHINE(m_runtime, 0, {"First", "Pass", st_pass, 0}, {"Broken", "Pass", st_runtime_error, 0});
MACHINE(m_timeout, 5, {"WaitState", "Wait", st_wait_10, 0});
MACHINE(m_in_time, 5, {"WaitState", "Wait", st_wait_3, 0});
MACHINE(m_wait_path, 0, {"WaitState", "Wait", st_wait_path, 0});
MACHINE(m_wait_ts, 0, {"WaitUntil", "Wait", st_wait_ts_path, 0});
MACHINE(m_wait_literal, 0, {"WaitState", "Wait", st_wait_bad_literal, 0});
MACHINE(m_context, 0, {"Ctx", "Pass", st_context, 0});
MACHINE(m_abort, 0, {"Signal", "Pass", st_raise_sigint, 0}, {"Never", "Pass", st_succeed, 0});
MACHINE(m_big, 0, {"State_1", "Pass", st_big, 0});
MACHINE(m_grow, 0, {"A", "Pass", st_grow, 1}, {"B", "Pass", st_grow, 1}, {"C", "Pass", st_grow, 1});
MACHINE(m_grow_2, 0, {"A", "Pass", st_grow, 1}, {"B", "Pass", st_grow, 1});
MACHINE(m_loop, 1, {"A", "Pass", st_loop, 0}, {"B", "Pass", st_loop, 0});
MACHINE(m_loop_forever, 0, {"A", "Pass", st_loop, 0}, {"B", "Pass", st_loop, 0});

/* ---- a fixture that runs one machine ---------------------------------- */

typedef struct fixture {
    rt_options opt;
    rt_run run;
    asl_exec x;
    cJSON *output;
    char *history;   /* open_memstream buffer */
    size_t history_len;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->opt.wait_mode = RT_WAIT_SKIP;
    f->opt.execution_name = "test-run";
    f->opt.role_arn = "arn:aws:iam::123456789012:role/test";
    f->run.opt = &f->opt;
    f->x.run = &f->run;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cJSON_Delete(f->output);
    rt_exec_dispose(&f->x);
    free(f->history);
    free(f);
    return 0;
}

static rt_status run(fixture *f, const asl_machine *m, const char *input, bool history)
{
    if (history)
        f->opt.history = open_memstream(&f->history, &f->history_len);
    rt_status st = rt_run_machine(&f->x, m, cJSON_Parse(input), &f->output);
    if (history) {
        fclose(f->opt.history);
        f->opt.history = NULL;
    }
    return st;
}

/* The history as "Type:name" words, e.g. "ExecutionStarted PassStateEntered:Init". */
static char *event_list(const fixture *f)
{
    size_t cap = 4096, n = 0;
    char *out = calloc(1, cap);
    const char *p = f->history;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        cJSON *ev = cJSON_ParseWithLength(p, (size_t)(nl - p));
        assert_non_null(ev);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
        assert_true(cJSON_IsString(type));
        const char *name = NULL;
        for (const cJSON *d = ev->child; d; d = d->next)
            if (cJSON_IsObject(d)) {
                const cJSON *nm = cJSON_GetObjectItemCaseSensitive(d, "name");
                if (cJSON_IsString(nm))
                    name = nm->valuestring;
            }
        n += (size_t)snprintf(out + n, cap - n, "%s%s%s%s", n ? " " : "", type->valuestring,
                              name ? ":" : "", name ? name : "");
        cJSON_Delete(ev);
        p = nl + 1;
    }
    return out;
}

/* The [i]-th (1-based) history line, parsed. */
static cJSON *event_at(const fixture *f, int i)
{
    const char *p = f->history;
    for (int k = 1; k < i; k++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    const char *nl = strchr(p, '\n');
    assert_non_null(nl);
    cJSON *ev = cJSON_ParseWithLength(p, (size_t)(nl - p));
    assert_non_null(ev);
    return ev;
}

static void assert_events(const fixture *f, const char *want)
{
    char *got = event_list(f);
    assert_string_equal(got, want);
    free(got);
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- the loop ----------------------------------------------------------- */

static void success_runs_states_and_returns_output(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_success, "{\"a\":1}", true), RT_SUCCEEDED);
    assert_non_null(f->output);
    cJSON *want = cJSON_Parse("{\"a\":1,\"visited\":1}");
    assert_true(cJSON_Compare(f->output, want, 1));
    cJSON_Delete(want);
    assert_events(f, "ExecutionStarted PassStateEntered:Init PassStateExited:Init "
                     "SucceedStateEntered:Done SucceedStateExited:Done ExecutionSucceeded");
    assert_int_equal(f->run.last_event_id, 6);
}

static void history_lines_have_aws_shapes(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_success, "{\"a\":1}", true), RT_SUCCEEDED);

    cJSON *ev = event_at(f, 1);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(ev, "id")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(ev, "previousEventId")->valueint, 0);
    const char *ts = str_at(ev, "timestamp", NULL);
    long long sec;
    long nsec;
    assert_non_null(ts);
    assert_true(rt_parse_timestamp(ts, &sec, &nsec));
    assert_string_equal(str_at(ev, "executionStartedEventDetails", "input"), "{\"a\":1}");
    assert_string_equal(str_at(ev, "executionStartedEventDetails", "roleArn"),
                        "arn:aws:iam::123456789012:role/test");
    const cJSON *det = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(ev, "executionStartedEventDetails"), "inputDetails");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(det, "truncated")));
    cJSON_Delete(ev);

    ev = event_at(f, 2);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(ev, "id")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(ev, "previousEventId")->valueint, 1);
    assert_string_equal(str_at(ev, "type", NULL), "PassStateEntered");
    assert_string_equal(str_at(ev, "stateEnteredEventDetails", "name"), "Init");
    assert_string_equal(str_at(ev, "stateEnteredEventDetails", "input"), "{\"a\":1}");
    cJSON_Delete(ev);

    ev = event_at(f, 3);
    assert_string_equal(str_at(ev, "stateExitedEventDetails", "output"),
                        "{\"a\":1,\"visited\":1}");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(ev, "stateExitedEventDetails"), "outputDetails"));
    cJSON_Delete(ev);

    ev = event_at(f, 6);
    assert_string_equal(str_at(ev, "type", NULL), "ExecutionSucceeded");
    assert_string_equal(str_at(ev, "executionSucceededEventDetails", "output"),
                        "{\"a\":1,\"visited\":1}");
    cJSON_Delete(ev);
}

static void fail_state_ends_without_exited_event(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_fail, "{}", true), RT_FAILED);
    assert_null(f->output);
    assert_string_equal(f->x.error, "SomeFailure");
    assert_string_equal(f->x.cause, "This state machines raises a 'SomeFailure' failure.");
    assert_events(f, "ExecutionStarted FailStateEntered:FailState ExecutionFailed");
    cJSON *ev = event_at(f, 3);
    assert_string_equal(str_at(ev, "executionFailedEventDetails", "error"), "SomeFailure");
    cJSON_Delete(ev);
}

static void fail_state_without_error_or_cause_has_nulls(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_fail_empty, "{}", true), RT_FAILED);
    assert_null(f->x.error);
    assert_null(f->x.cause);
    cJSON *ev = event_at(f, 3);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "executionFailedEventDetails");
    assert_true(cJSON_IsObject(d));
    assert_null(d->child);
    cJSON_Delete(ev);
}

static void fail_state_paths_read_the_input(void **state)
{
    fixture *f = *state;
    const char *in = "{\"Error\":\"error string\",\"Cause\":\"cause string\"}";
    assert_int_equal(run(f, &m_fail_paths, in, false), RT_FAILED);
    assert_string_equal(f->x.error, "error string");
    assert_string_equal(f->x.cause, "cause string");
}

static void fail_state_error_path_must_be_a_string(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_fail_paths, "{\"Error\":5,\"Cause\":\"c\"}", false), RT_FAILED);
    assert_string_equal(f->x.error, "States.Runtime");
    assert_string_equal(f->x.cause,
                        "An error occurred while executing the state 'FailState' (entered at the "
                        "event id #2). The ErrorPath parameter does not reference a string: "
                        "$.Error == 5");
}

static void runtime_error_cause_quotes_entered_event_id(void **state)
{
    fixture *f = *state;
    /* No history: ids are still counted. */
    assert_int_equal(run(f, &m_runtime, "{}", false), RT_FAILED);
    assert_string_equal(f->x.error, "States.Runtime");
    assert_string_equal(f->x.cause,
                        "An error occurred while executing the state 'Broken' (entered at the "
                        "event id #4). Invalid path '$.Nope' : No results for path: $['Nope']");
    assert_int_equal(f->run.last_event_id, 5);
}

static void output_over_256_kib_is_data_limit_exceeded(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_big, "{\"size\": 262144}", true), RT_FAILED);
    assert_string_equal(f->x.error, "States.DataLimitExceeded");
    assert_string_equal(f->x.cause, "The state/task 'State_1' returned a result with a size "
                                    "exceeding the maximum number of bytes service limit.");
    assert_events(f, "ExecutionStarted PassStateEntered:State_1 ExecutionFailed");
}

/* States that report their growth are checked by adding it to a bound:
 * the bound must still catch the state whose output passes the limit. */
static void tracked_growth_still_meets_the_limit(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_grow, "{}", false), RT_FAILED);
    assert_string_equal(f->x.error, "States.DataLimitExceeded");
    assert_string_equal(f->x.cause, "The state/task 'C' returned a result with a size "
                                    "exceeding the maximum number of bytes service limit.");
}

static void tracked_growth_under_the_limit_passes(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_grow_2, "{}", false), RT_SUCCEEDED);
}

static void output_just_under_256_kib_passes(void **state)
{
    fixture *f = *state;
    /* {"size":262000,"Arg1":"aaa..."} is 262000 + 29 bytes. */
    assert_int_equal(run(f, &m_big, "{\"size\": 262000}", false), RT_SUCCEEDED);
}

/* ---- the clock, waits and the deadline ---------------------------------- */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void timeout_seconds_with_skip_times_out_at_deadline(void **state)
{
    fixture *f = *state;
    int64_t t0 = mono_ns();
    assert_int_equal(run(f, &m_timeout, "{}", true), RT_TIMED_OUT);
    assert_true(mono_ns() - t0 < 1000000000LL); /* nothing slept */
    /* The clock jumped to the deadline (5 s), not to the end of the wait. */
    assert_true(f->run.skipped_ns >= 4900000000LL && f->run.skipped_ns <= 5000000000LL);
    assert_string_equal(f->x.error, "States.Timeout");
    assert_events(f, "ExecutionStarted WaitStateEntered:WaitState ExecutionTimedOut");
}

static void wait_skip_advances_clock_within_deadline(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_in_time, "{}", false), RT_SUCCEEDED);
    assert_true(f->run.skipped_ns >= 2900000000LL && f->run.skipped_ns <= 3000000000LL);
}

static void wait_scale_sleeps_a_fraction(void **state)
{
    fixture *f = *state;
    f->opt.wait_mode = RT_WAIT_SCALE;
    f->opt.wait_scale = 0.01; /* 3 s -> 30 ms */
    int64_t t0 = mono_ns();
    assert_int_equal(run(f, &m_in_time, "{}", false), RT_SUCCEEDED);
    int64_t slept = mono_ns() - t0;
    assert_true(slept >= 25000000LL && slept < 1000000000LL);
    assert_true(f->run.skipped_ns >= 2900000000LL);
}

static void loop_times_out_without_waits(void **state)
{
    fixture *f = *state;
    f->opt.wait_mode = RT_WAIT_REAL;
    /* EXPRESS: a Standard run of this loop ends at 25,000 events first */
    f->opt.type = RT_TYPE_EXPRESS;
    assert_int_equal(run(f, &m_loop, "{}", false), RT_TIMED_OUT);
    assert_true(f->run.last_event_id > 100);
}

/* AWS's 25,000 events per Standard execution: event 25,000 becomes the
 * run's ExecutionFailed (States.Runtime), counted with or without a
 * history; an Express run has no such limit. */
static void standard_history_ends_at_25000_events(void **state)
{
    fixture *f = *state;
    f->opt.wait_mode = RT_WAIT_REAL;
    assert_int_equal(run(f, &m_loop_forever, "{}", true), RT_FAILED);
    assert_string_equal(f->x.error, "States.Runtime");
    assert_string_equal(f->x.cause,
                        "The execution reached the maximum number of history events (25000).");
    size_t lines = 0;
    const char *last = f->history;
    for (const char *p = f->history; p && *p; p++)
        if (*p == '\n') {
            lines++;
            if (p[1])
                last = p + 1;
        }
    assert_int_equal(lines, 25000);
    assert_non_null(strstr(last, "\"id\":25000,"));
    assert_non_null(strstr(last, "\"type\":\"ExecutionFailed\""));
    assert_non_null(strstr(last, "maximum number of history events (25000)"));
}

static void express_runs_have_express_arns(void **state)
{
    fixture *f = *state;
    f->opt.type = RT_TYPE_EXPRESS;
    assert_int_equal(run(f, &m_context, "{}", false), RT_SUCCEEDED);
    const char *id = str_at(f->output, "Execution", "Id");
    assert_non_null(id);
    char want[256];
    snprintf(want, sizeof want, "arn:aws:states:us-east-1:123456789012:express:%s:%s:", m_context.name,
             f->opt.execution_name);
    assert_memory_equal(id, want, strlen(want));
    assert_int_equal(strlen(id), strlen(want) + 36); /* then a UUID */
    assert_int_equal(f->run.deadline_ns - f->run.start_ns, 300 * 1000000000LL);
}

static void seconds_path_errors_match_aws(void **state)
{
    static const struct {
        const char *input, *cause;
    } cases[] = {
        {"{\"seconds\": -1}",
         "The SecondsPath parameter references a negative value: $.seconds == -1"},
        {"{\"seconds\": 1.5}",
         "The SecondsPath parameter cannot be parsed as a long value: $.seconds == 1.5"},
        {"{\"seconds\": -1.5}",
         "The SecondsPath parameter cannot be parsed as a long value: $.seconds == -1.5"},
        {"{\"seconds\": \"abc\"}",
         "The SecondsPath parameter cannot be parsed as a long value: $.seconds == abc"},
        {"{}", "The SecondsPath parameter does not reference an input value: $.seconds"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fixture *f;
        setup((void **)&f);
        assert_int_equal(run(f, &m_wait_path, cases[i].input, false), RT_FAILED);
        char want[512];
        snprintf(want, sizeof want,
                 "An error occurred while executing the state 'WaitState' (entered at the event "
                 "id #2). %s",
                 cases[i].cause);
        assert_string_equal(f->x.error, "States.Runtime");
        assert_string_equal(f->x.cause, want);
        teardown((void **)&f);
    }
    (void)state;
}

static void seconds_path_zero_and_positive_succeed(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_wait_path, "{\"seconds\": 0}", false), RT_SUCCEEDED);
    cJSON_Delete(f->output);
    f->output = NULL;
    assert_int_equal(run(f, &m_wait_path, "{\"seconds\": 1}", false), RT_SUCCEEDED);
    assert_true(f->run.skipped_ns >= 900000000LL);
}

static void timestamp_path_rejects_invalid_timestamps(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_wait_ts, "{\"ts\": \"2016-12-05T21:29:29\"}", true), RT_FAILED);
    assert_string_equal(f->x.cause,
                        "An error occurred while executing the state 'WaitUntil' (entered at the "
                        "event id #2). The TimestampPath parameter does not reference a valid "
                        "ISO-8601 extended offset date-time format string: $.ts == "
                        "2016-12-05T21:29:29");
    assert_events(f, "ExecutionStarted WaitStateEntered:WaitUntil ExecutionFailed");
}

static void timestamp_in_the_past_does_not_wait(void **state)
{
    fixture *f = *state;
    f->opt.wait_mode = RT_WAIT_REAL;
    assert_int_equal(run(f, &m_wait_ts, "{\"ts\": \"2016-03-14T01:59:00Z\"}", false),
                     RT_SUCCEEDED);
    assert_int_equal(f->run.skipped_ns, 0);
}

static void timestamp_literal_invalid_fails_at_run_time(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_wait_literal, "{}", false), RT_FAILED);
    assert_string_equal(f->x.cause,
                        "An error occurred while executing the state 'WaitState' (entered at the "
                        "event id #2). The Timestamp field cannot be parsed as an ISO-8601 "
                        "extended offset date-time format string: 2016-12-05 21:29:29Z");
}

/* ---- the context object and signals ------------------------------------ */

static void context_object_has_execution_state_and_machine(void **state)
{
    fixture *f = *state;
    assert_int_equal(run(f, &m_context, "{\"k\":[1,2]}", false), RT_SUCCEEDED);
    const cJSON *o = f->output;
    assert_string_equal(str_at(o, "Execution", "Id"),
                        "arn:aws:states:us-east-1:123456789012:execution:m_context:test-run");
    assert_string_equal(str_at(o, "Execution", "Name"), "test-run");
    assert_string_equal(str_at(o, "Execution", "RoleArn"), "arn:aws:iam::123456789012:role/test");
    cJSON *want = cJSON_Parse("{\"k\":[1,2]}");
    assert_true(cJSON_Compare(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "Execution"), "Input"),
        want, 1));
    cJSON_Delete(want);
    const char *start = str_at(o, "Execution", "StartTime");
    assert_non_null(start);
    assert_int_equal(strlen(start), strlen("2024-01-02T03:04:05.678Z"));
    assert_string_equal(str_at(o, "State", "Name"), "Ctx");
    assert_non_null(str_at(o, "State", "EnteredTime"));
    assert_int_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "State"), "RetryCount")
            ->valueint,
        0);
    assert_string_equal(str_at(o, "StateMachine", "Id"),
                        "arn:aws:states:us-east-1:123456789012:stateMachine:m_context");
    assert_string_equal(str_at(o, "StateMachine", "Name"), "m_context");
}

static void default_execution_name_is_a_uuid(void **state)
{
    fixture *f = *state;
    f->opt.execution_name = NULL;
    assert_int_equal(run(f, &m_context, "{}", false), RT_SUCCEEDED);
    const char *name = str_at(f->output, "Execution", "Name");
    assert_non_null(name);
    assert_int_equal(strlen(name), 36);
    assert_int_equal(name[14], '4');
    assert_int_equal(name[8], '-');
}

static void sigint_aborts_the_run(void **state)
{
    fixture *f = *state;
    /* what the process had before (a background job inherits SIGINT ignored) */
    struct sigaction before;
    sigaction(SIGINT, NULL, &before);
    assert_int_equal(run(f, &m_abort, "{}", true), RT_ABORTED);
    assert_events(f, "ExecutionStarted PassStateEntered:Signal PassStateExited:Signal "
                     "ExecutionAborted");
    /* The handler is gone after the run: the disposition is the one before it. */
    struct sigaction sa;
    sigaction(SIGINT, NULL, &sa);
    assert_true(sa.sa_handler == before.sa_handler);
}

/* ---- asl_main ----------------------------------------------------------- */

static int main_with(const char *const *args)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)"prog";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return asl_main(argc, argv, &m_success);
}

static void main_exit_codes_follow_the_contract(void **state)
{
    (void)state;
    /* Silence the messages these print. */
    fflush(stderr);
    fflush(stdout);
    int saved_err = dup(2), saved_out = dup(1);
    FILE *null = fopen("/dev/null", "w");
    dup2(fileno(null), 2);
    dup2(fileno(null), 1);

    int help = main_with((const char *[]){"--help", NULL});
    int ok = main_with((const char *[]){"--input", "{\"a\":1}", "--wait", "skip", NULL});
    int ok_eq = main_with((const char *[]){"--input={}", "--name=run-1", NULL});
    int bad_json = main_with((const char *[]){"--input", "{\"a\":", NULL});
    int bad_opt = main_with((const char *[]){"--frobnicate", NULL});
    int no_value = main_with((const char *[]){"--input", NULL});
    int bad_wait = main_with((const char *[]){"--input", "{}", "--wait", "sometimes", NULL});
    int bad_name = main_with((const char *[]){"--input", "{}", "--name", "a b", NULL});
    int both = main_with((const char *[]){"--input", "{}", "--input-file", "/x", NULL});
    int no_file = main_with((const char *[]){"--input-file", "/nonexistent/in.json", NULL});
    int bad_hist =
        main_with((const char *[]){"--input", "{}", "--history", "/nonexistent/dir/h.jsonl", NULL});

    fflush(stderr);
    fflush(stdout);
    dup2(saved_err, 2);
    dup2(saved_out, 1);
    close(saved_err);
    close(saved_out);
    fclose(null);

    assert_int_equal(help, ASL_EXIT_SUCCEEDED);
    assert_int_equal(ok, ASL_EXIT_SUCCEEDED);
    assert_int_equal(ok_eq, ASL_EXIT_SUCCEEDED);
    assert_int_equal(bad_json, ASL_EXIT_USAGE);
    assert_int_equal(bad_opt, ASL_EXIT_USAGE);
    assert_int_equal(no_value, ASL_EXIT_USAGE);
    assert_int_equal(bad_wait, ASL_EXIT_USAGE);
    assert_int_equal(bad_name, ASL_EXIT_USAGE);
    assert_int_equal(both, ASL_EXIT_USAGE);
    assert_int_equal(no_file, ASL_EXIT_USAGE);
    assert_int_equal(bad_hist, ASL_EXIT_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(success_runs_states_and_returns_output, setup, teardown),
        cmocka_unit_test_setup_teardown(history_lines_have_aws_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(fail_state_ends_without_exited_event, setup, teardown),
        cmocka_unit_test_setup_teardown(fail_state_without_error_or_cause_has_nulls, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(fail_state_paths_read_the_input, setup, teardown),
        cmocka_unit_test_setup_teardown(fail_state_error_path_must_be_a_string, setup, teardown),
        cmocka_unit_test_setup_teardown(runtime_error_cause_quotes_entered_event_id, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(tracked_growth_still_meets_the_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(tracked_growth_under_the_limit_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(output_over_256_kib_is_data_limit_exceeded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(output_just_under_256_kib_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(timeout_seconds_with_skip_times_out_at_deadline, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(wait_skip_advances_clock_within_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(wait_scale_sleeps_a_fraction, setup, teardown),
        cmocka_unit_test_setup_teardown(loop_times_out_without_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(standard_history_ends_at_25000_events, setup, teardown),
        cmocka_unit_test_setup_teardown(express_runs_have_express_arns, setup, teardown),
        cmocka_unit_test(seconds_path_errors_match_aws),
        cmocka_unit_test_setup_teardown(seconds_path_zero_and_positive_succeed, setup, teardown),
        cmocka_unit_test_setup_teardown(timestamp_path_rejects_invalid_timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(timestamp_in_the_past_does_not_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(timestamp_literal_invalid_fails_at_run_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(context_object_has_execution_state_and_machine, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(default_execution_name_is_a_uuid, setup, teardown),
        cmocka_unit_test_setup_teardown(sigint_aborts_the_run, setup, teardown),
        cmocka_unit_test(main_exit_codes_follow_the_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
