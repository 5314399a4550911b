/*
 * test_retry.c - Retry and Catch (runtime/retry.c), driven through the
 * execution loop by a hand-written state that runs the loop aslc emits for
 * a Task with Retry and Catch, with a scripted "call" in place of
 * asl_task_invoke: attempt k fails with script[k] (or succeeds once the
 * script is used up). What is checked follows the recorded executions in
 * conformance/cases/errorhandling (first matching retrier, MaxAttempts 0,
 * States.Runtime never handled, {"Error","Cause"} with nulls, ...).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "effects.h"
#include "engine.h"
#include "rt.h"
#include "values.h"

/* ---- the scripted state ------------------------------------------------ */

typedef struct step {
    const char *error; /* 0: a failure without an error name */
    const char *cause;
} step;

enum { MAX_ATTEMPTS_SEEN = 64 };

static const step *script;
static int script_len;
static int calls;
static int retry_counts[MAX_ATTEMPTS_SEEN]; /* $$.State.RetryCount at each attempt */
static int64_t attempt_ns[MAX_ATTEMPTS_SEEN]; /* execution clock at each attempt */
static const asl_retrier *retriers;
static int nretriers;
static const asl_catcher *catchers;
static int ncatchers;

static void configure(const step *s, int n, const asl_retrier *r, int nr, const asl_catcher *c, int nc)
{
    script = s;
    script_len = n;
    calls = 0;
    retriers = r;
    nretriers = nr;
    catchers = c;
    ncatchers = nc;
    memset(retry_counts, 0, sizeof retry_counts);
    memset(attempt_ns, 0, sizeof attempt_ns);
}

/* The shape of an emitted Task state with Retry and Catch. On success the
 * output is {"attempts": n}. */
static int st_task(asl_exec *x, cJSON **doc)
{
    int attempts[8] = {0};
    for (;;) {
        do {
            const cJSON *ctx = rt_context(x);
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(ctx, "State");
            const cJSON *rc = cJSON_GetObjectItemCaseSensitive(st, "RetryCount");
            if (calls < MAX_ATTEMPTS_SEEN) {
                retry_counts[calls] = cJSON_IsNumber(rc) ? rc->valueint : -1;
                attempt_ns[calls] = rt_now_ns(x);
            }
            if (calls < script_len) {
                const step *s = &script[calls++];
                asl_fail_with(x, s->error, s->cause);
                break;
            }
            calls++;
            cJSON_Delete(*doc);
            *doc = cJSON_CreateObject();
            cJSON_AddNumberToObject(*doc, "attempts", calls);
            return ASL_NEXT_END;
        } while (0);
        if (asl_retry(x, retriers, nretriers, attempts))
            continue;
        return asl_catch(x, catchers, ncatchers, doc);
    }
}

static int st_caught(asl_exec *x, cJSON **doc)
{
    (void)x;
    (void)doc;
    return ASL_NEXT_END;
}

static const asl_state states[] = {
    {"Task", "Task", st_task, 0},
    {"Caught", "Pass", st_caught, 0},
};
static const asl_machine machine = {.name = "retry", .source = "test_retry.c", .nstates = 2,
                                    .start = 0, .states = states};
static const asl_machine machine_timeout = {.name = "retry", .source = "test_retry.c",
                                            .nstates = 2, .start = 0, .states = states,
                                            .timeout_seconds = 5};

/* ---- a fixture that runs the machine ----------------------------------- */

typedef struct fixture {
    rt_options opt;
    rt_run run;
    asl_exec x;
    cJSON *output;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->opt.wait_mode = RT_WAIT_SKIP;
    f->opt.execution_name = "retry-test";
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
    free(f);
    return 0;
}

static rt_status run(fixture *f, const asl_machine *m, const char *input)
{
    return rt_run_machine(&f->x, m, cJSON_Parse(input), &f->output);
}

static void assert_output(const fixture *f, const char *json)
{
    assert_non_null(f->output);
    cJSON *want = cJSON_Parse(json);
    assert_non_null(want);
    if (!rt_json_equal(f->output, want)) {
        char *got = rt_json_print(f->output);
        fail_msg("output %s, expected %s", got, json);
    }
    cJSON_Delete(want);
}

static double seconds_between(int a, int b)
{
    return (double)(attempt_ns[b] - attempt_ns[a]) / 1e9;
}

/* ---- error names --------------------------------------------------------- */

static const char *const E_ALL[] = {"States.ALL"};
static const char *const E_TASKFAILED[] = {"States.TaskFailed"};
static const char *const E_TIMEOUT[] = {"States.Timeout"};
static const char *const E_CUSTOM[] = {"Custom"};
static const char *const E_OTHER[] = {"NoSuchError", "Other"};
static const char *const E_RUNTIME[] = {"States.Runtime"};
static const char *const E_LIMIT[] = {"States.DataLimitExceeded"};

#define RETRIER(names, max) \
    {.nerrors = (int)(sizeof names / sizeof *names), .errors = names, .interval_seconds = 1, \
     .max_attempts = max, .backoff_rate = 2.0}
#define CATCHER(names, nx) {.nerrors = (int)(sizeof names / sizeof *names), .errors = names, .next = nx}

static const step CUSTOM = {"Custom", "custom cause"};
static const step OTHER = {"Other", "other cause"};
static const step TIMEOUT = {"States.Timeout", NULL};
static const step RUNTIME = {"States.Runtime", "An error occurred while executing the state 'Task'."};

/* ---- Retry ------------------------------------------------------------------ */

static void retry_runs_until_success_and_counts_in_context(void **state)
{
    fixture *f = *state;
    static const step s[] = {{"Custom", "c"}, {"Custom", "c"}};
    static const asl_retrier r[] = {RETRIER(E_ALL, 3)};
    configure(s, 2, r, 1, NULL, 0);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    assert_output(f, "{\"attempts\": 3}");
    assert_int_equal(retry_counts[0], 0);
    assert_int_equal(retry_counts[1], 1);
    assert_int_equal(retry_counts[2], 2);
}

static void retry_exhausted_fails_with_the_last_error(void **state)
{
    fixture *f = *state;
    static const step s[] = {{"Custom", "1"}, {"Custom", "2"}, {"Custom", "3"}, {"Custom", "4"}};
    static const asl_retrier r[] = {RETRIER(E_CUSTOM, 3)};
    configure(s, 4, r, 1, NULL, 0);
    assert_int_equal(run(f, &machine, "{}"), RT_FAILED);
    assert_int_equal(calls, 4); /* the first attempt and three retries */
    assert_string_equal(f->x.error, "Custom");
    assert_string_equal(f->x.cause, "4");
}

static void max_attempts_zero_never_retries(void **state)
{
    fixture *f = *state;
    static const asl_retrier r[] = {RETRIER(E_ALL, 0)};
    configure(&CUSTOM, 1, r, 1, NULL, 0);
    assert_int_equal(run(f, &machine, "{}"), RT_FAILED);
    assert_int_equal(calls, 1);
}

static void only_the_first_matching_retrier_is_used(void **state)
{
    fixture *f = *state;
    /* as map_state_retry_multiple_retriers: a non-matching retrier, then
     * the matching one with 1 attempt; a later matching one is ignored
     * once the first is spent */
    static const step s[] = {{"Custom", "c"}, {"Custom", "c"}, {"Custom", "c"}};
    static const asl_retrier r[] = {RETRIER(E_OTHER, 5), RETRIER(E_CUSTOM, 1), RETRIER(E_ALL, 5)};
    configure(s, 3, r, 3, NULL, 0);
    assert_int_equal(run(f, &machine, "{}"), RT_FAILED);
    assert_int_equal(calls, 2);
}

static void each_retrier_keeps_its_own_count(void **state)
{
    fixture *f = *state;
    static const step s[] = {{"Custom", "c"}, {"Other", "o"}, {"Custom", "c"}, {"Other", "o"}, {"Other", "o"}};
    static const asl_retrier r[] = {RETRIER(E_CUSTOM, 2), RETRIER(E_OTHER, 2)};
    configure(s, 5, r, 2, NULL, 0);
    assert_int_equal(run(f, &machine, "{}"), RT_FAILED);
    /* Custom, Other, Custom, Other are retried; the third Other is not */
    assert_int_equal(calls, 5);
    assert_string_equal(f->x.error, "Other");
    assert_int_equal(retry_counts[4], 4);
}

static void backoff_waits_on_the_execution_clock(void **state)
{
    fixture *f = *state;
    static const step s[] = {CUSTOM, CUSTOM, CUSTOM, CUSTOM};
    static const asl_retrier r[] = {
        {.nerrors = 1, .errors = E_ALL, .interval_seconds = 3, .max_attempts = 4, .backoff_rate = 2.0,
         .max_delay_seconds = 10},
    };
    configure(s, 4, r, 1, NULL, 0);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    /* 3, 6, then 12 capped at 10, 24 capped at 10; --wait skip adds them to the clock */
    assert_true(seconds_between(0, 1) >= 3.0 && seconds_between(0, 1) < 3.5);
    assert_true(seconds_between(1, 2) >= 6.0 && seconds_between(1, 2) < 6.5);
    assert_true(seconds_between(2, 3) >= 10.0 && seconds_between(2, 3) < 10.5);
    assert_true(seconds_between(3, 4) >= 10.0 && seconds_between(3, 4) < 10.5);
}

static void defaults_wait_one_two_four_seconds(void **state)
{
    fixture *f = *state;
    static const step s[] = {CUSTOM, CUSTOM, CUSTOM};
    static const asl_retrier r[] = {RETRIER(E_ALL, 3)};
    configure(s, 3, r, 1, NULL, 0);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    assert_true(seconds_between(0, 1) >= 1.0 && seconds_between(0, 1) < 1.5);
    assert_true(seconds_between(1, 2) >= 2.0 && seconds_between(1, 2) < 2.5);
    assert_true(seconds_between(2, 3) >= 4.0 && seconds_between(2, 3) < 4.5);
}

static void full_jitter_waits_at_most_the_backoff(void **state)
{
    fixture *f = *state;
    static const step s[] = {CUSTOM, CUSTOM, CUSTOM, CUSTOM, CUSTOM, CUSTOM};
    static const asl_retrier r[] = {
        {.nerrors = 1, .errors = E_ALL, .interval_seconds = 4, .max_attempts = 6, .backoff_rate = 1.0,
         .jitter = ASL_JITTER_FULL},
    };
    configure(s, 6, r, 1, NULL, 0);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    for (int i = 0; i < 6; i++)
        assert_true(seconds_between(i, i + 1) < 4.5);
}

static void retry_past_the_execution_timeout_times_out(void **state)
{
    fixture *f = *state;
    static const step s[] = {CUSTOM, CUSTOM};
    static const asl_retrier r[] = {
        {.nerrors = 1, .errors = E_ALL, .interval_seconds = 10, .max_attempts = 3, .backoff_rate = 1.0},
    };
    static const asl_catcher c[] = {CATCHER(E_ALL, 1)};
    configure(s, 2, r, 1, c, 1);
    assert_int_equal(run(f, &machine_timeout, "{}"), RT_TIMED_OUT);
    assert_int_equal(calls, 1); /* the wait hit the deadline; no catcher handled it */
    assert_string_equal(f->x.error, "States.Timeout");
}

static void states_runtime_is_never_retried_or_caught(void **state)
{
    fixture *f = *state;
    static const asl_retrier r[] = {RETRIER(E_RUNTIME, 3), RETRIER(E_ALL, 3)};
    static const asl_catcher c[] = {CATCHER(E_RUNTIME, 1), CATCHER(E_ALL, 1)};
    configure(&RUNTIME, 1, r, 2, c, 2);
    assert_int_equal(run(f, &machine, "{}"), RT_FAILED);
    assert_int_equal(calls, 1);
    assert_string_equal(f->x.error, "States.Runtime");
}

/* ---- Catch ------------------------------------------------------------------ */

static void catch_default_result_path_replaces_the_input(void **state)
{
    fixture *f = *state;
    static const asl_catcher c[] = {CATCHER(E_ALL, 1)};
    configure(&CUSTOM, 1, NULL, 0, c, 1);
    assert_int_equal(run(f, &machine, "{\"in\": 1}"), RT_SUCCEEDED);
    assert_output(f, "{\"Error\": \"Custom\", \"Cause\": \"custom cause\"}");
}

static const asl_seg ERR_SEG[] = {{.kind = ASL_SEG_FIELD, .name = "err"}};
static const asl_path P_ERR = {.text = "$.err", .normalized = "$['err']", .root = ASL_ROOT_INPUT,
                               .definite = 1, .nsegs = 1, .segs = ERR_SEG};

static void catch_result_path_merges_into_the_raw_input(void **state)
{
    fixture *f = *state;
    static const asl_catcher c[] = {
        {.nerrors = 1, .errors = E_CUSTOM, .next = 1, .result_path = &P_ERR},
    };
    configure(&CUSTOM, 1, NULL, 0, c, 1);
    assert_int_equal(run(f, &machine, "{\"in\": 1}"), RT_SUCCEEDED);
    assert_output(f, "{\"in\": 1, \"err\": {\"Error\": \"Custom\", \"Cause\": \"custom cause\"}}");
}

static void catch_result_path_null_keeps_the_input(void **state)
{
    fixture *f = *state;
    static const asl_catcher c[] = {{.nerrors = 1, .errors = E_ALL, .next = 1, .result_path_null = 1}};
    configure(&CUSTOM, 1, NULL, 0, c, 1);
    assert_int_equal(run(f, &machine, "{\"in\": 1}"), RT_SUCCEEDED);
    assert_output(f, "{\"in\": 1}");
}

static void catch_without_cause_or_name_writes_nulls(void **state)
{
    fixture *f = *state;
    static const step s[] = {{NULL, NULL}};
    /* as callback.sqs_failure_in_wait_for_task_tok_no_error_field: States.Runtime does not
     * match a nameless failure, States.ALL does */
    static const asl_catcher c[] = {CATCHER(E_RUNTIME, 1), CATCHER(E_ALL, 1)};
    configure(s, 1, NULL, 0, c, 2);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    assert_output(f, "{\"Error\": null, \"Cause\": null}");
}

static void task_failed_matches_all_but_timeout(void **state)
{
    fixture *f = *state;
    static const asl_catcher c[] = {
        {.nerrors = 1, .errors = E_TASKFAILED, .next = 1, .result_path = &P_ERR},
        CATCHER(E_TIMEOUT, 1),
    };
    configure(&OTHER, 1, NULL, 0, c, 2);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    assert_output(f, "{\"err\": {\"Error\": \"Other\", \"Cause\": \"other cause\"}}");

    cJSON_Delete(f->output);
    f->output = NULL;
    configure(&TIMEOUT, 1, NULL, 0, c, 2);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    assert_output(f, "{\"Error\": \"States.Timeout\", \"Cause\": \"\"}"); /* as AWS records it */
}

static void states_all_catches_timeout_and_data_limit(void **state)
{
    fixture *f = *state;
    static const step s[] = {{"States.DataLimitExceeded", "too big"}};
    static const asl_catcher c[] = {CATCHER(E_ALL, 1)};
    configure(s, 1, NULL, 0, c, 1);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    assert_output(f, "{\"Error\": \"States.DataLimitExceeded\", \"Cause\": \"too big\"}");

    cJSON_Delete(f->output);
    f->output = NULL;
    static const asl_catcher c2[] = {CATCHER(E_LIMIT, 1)};
    configure(s, 1, NULL, 0, c2, 1);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);

    cJSON_Delete(f->output);
    f->output = NULL;
    configure(&TIMEOUT, 1, NULL, 0, c, 1);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
}

static void unmatched_error_is_not_caught(void **state)
{
    fixture *f = *state;
    static const asl_catcher c[] = {CATCHER(E_OTHER, 1), CATCHER(E_TIMEOUT, 1)};
    configure(&CUSTOM, 1, NULL, 0, c, 2);
    assert_int_equal(run(f, &machine, "{}"), RT_FAILED);
    assert_string_equal(f->x.error, "Custom");
    assert_string_equal(f->x.cause, "custom cause");
}

static void exhausted_retry_falls_through_to_catch(void **state)
{
    fixture *f = *state;
    static const step s[] = {CUSTOM, CUSTOM, CUSTOM};
    static const asl_retrier r[] = {RETRIER(E_ALL, 2)};
    static const asl_catcher c[] = {CATCHER(E_ALL, 1)};
    configure(s, 3, r, 1, c, 1);
    assert_int_equal(run(f, &machine, "{}"), RT_SUCCEEDED);
    assert_int_equal(calls, 3);
    assert_output(f, "{\"Error\": \"Custom\", \"Cause\": \"custom cause\"}");
}

static void catch_into_a_non_object_is_a_runtime_error(void **state)
{
    fixture *f = *state;
    static const asl_catcher c[] = {
        {.nerrors = 1, .errors = E_ALL, .next = 1, .result_path = &P_ERR},
    };
    configure(&CUSTOM, 1, NULL, 0, c, 1);
    assert_int_equal(run(f, &machine, "[1, 2]"), RT_FAILED);
    assert_string_equal(f->x.error, "States.Runtime");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(retry_runs_until_success_and_counts_in_context),
        T(retry_exhausted_fails_with_the_last_error),
        T(max_attempts_zero_never_retries),
        T(only_the_first_matching_retrier_is_used),
        T(each_retrier_keeps_its_own_count),
        T(backoff_waits_on_the_execution_clock),
        T(defaults_wait_one_two_four_seconds),
        T(full_jitter_waits_at_most_the_backoff),
        T(retry_past_the_execution_timeout_times_out),
        T(states_runtime_is_never_retried_or_caught),
        T(catch_default_result_path_replaces_the_input),
        T(catch_result_path_merges_into_the_raw_input),
        T(catch_result_path_null_keeps_the_input),
        T(catch_without_cause_or_name_writes_nulls),
        T(task_failed_matches_all_but_timeout),
        T(states_all_catches_timeout_and_data_limit),
        T(unmatched_error_is_not_caught),
        T(exhausted_retry_falls_through_to_catch),
        T(catch_into_a_non_object_is_a_runtime_error),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
