/*
 * test_task.c - Task dispatch end to end (runtime/task.c, handler.c,
 * http.c, with bindings.c and mock.c): a one-state machine whose state
 * calls asl_task_invoke as generated code does, run by rt_run_machine with
 * a bindings file or a mock configuration, checking the result or error
 * and the history events (AWS's types and detail shapes).
 *
 * Handlers are the scripts in tests/handlers/ (run from the repository
 * root, as `make unit` does), the loopback server tests/tools/http_echo
 * (next to this test's binary; the http tests are skipped without it) and
 * a native library compiled here with cc (skipped when that fails).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dispatch.h"
#include "effects.h"
#include "engine.h"
#include "rt.h"
#include "values.h"

extern char **environ;

static char handlers[PATH_MAX]; /* absolute tests/handlers */
static char tmpdir[64];          /* bindings and mock files */
static char realtmp[PATH_MAX];
static char http_base[64];       /* http://127.0.0.1:PORT, or "" */
static pid_t http_pid;
static char native_lib[PATH_MAX + 16]; /* the compiled library, or "" */

/* ==== The machine: one Task state ====================================== */

static asl_task cur;              /* the Task state's call, set per test */
static asl_task_ref refs[1] = {{.state = "Work"}};

static int st_task(asl_exec *x, cJSON **doc)
{
    cJSON *res = asl_task_invoke(x, &cur, *doc, *doc);
    if (!res)
        return ASL_NEXT_ERROR;
    cJSON_Delete(*doc);
    *doc = res;
    return ASL_NEXT_END;
}

/* For the task token test: the state also reports $$.Task.Token. */
static int st_task_token(asl_exec *x, cJSON **doc)
{
    const cJSON *ctx = rt_context(x);
    const cJSON *task = cJSON_GetObjectItemCaseSensitive(ctx, "Task");
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(task, "Token");
    char *seen = cJSON_IsString(tok) ? strdup(tok->valuestring) : strdup("");
    cJSON *res = asl_task_invoke(x, &cur, *doc, *doc);
    if (!res) {
        free(seen);
        return ASL_NEXT_ERROR;
    }
    cJSON_AddStringToObject(res, "context_token", seen);
    free(seen);
    cJSON_Delete(*doc);
    *doc = res;
    return ASL_NEXT_END;
}

static const asl_state states[] = {{"Work", "Task", st_task, 0}};
static const asl_state token_states[] = {{"Work", "Task", st_task_token, 0}};
static asl_machine machine = {.name = "M", .nstates = 1, .start = 0, .states = states,
                              .ntasks = 1, .tasks = refs};

/* ==== Running one case ================================================== */

static asl_exec x;
static rt_run run;
static rt_options opt;
static cJSON *out;
static cJSON *events[64];
static int nevents;
static double elapsed; /* seconds the run took */

static void reset(void)
{
    rt_exec_dispose(&x);
    cJSON_Delete(out);
    out = NULL;
    for (int i = 0; i < nevents; i++)
        cJSON_Delete(events[i]);
    nevents = 0;
    memset(&cur, 0, sizeof cur);
    machine.states = states;
    machine.timeout_seconds = 0;
}

/* [text] with every "%H" replaced by the handlers directory and "%U" by
 * the http server's base URL, written to tmpdir/[name]. */
static char *write_file(const char *name, const char *text)
{
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (const char *p = text; *p; p++) {
        if (p[0] == '%' && p[1] == 'H') {
            fputs(handlers, f);
            p++;
        } else if (p[0] == '%' && p[1] == 'U') {
            fputs(http_base, f);
            p++;
        } else if (p[0] == '%' && p[1] == 'L') {
            fputs(native_lib, f);
            p++;
        } else {
            fputc(*p, f);
        }
    }
    fclose(f);
    return path;
}

/* Runs the machine with Resource [resource] on [input], with bindings
 * [bindings] or mocks [mocks] (either may be 0; mocks are the
 * MockedResponses of state "Work" in machine "M", test case "T"). */
static rt_status run_case(const char *resource, const char *bindings, const char *mocks,
                          const char *input)
{
    cur.resource = resource;
    refs[0].resource = resource;
    memset(&opt, 0, sizeof opt);
    opt.wait_mode = RT_WAIT_SKIP;
    opt.history = tmpfile();
    assert_non_null(opt.history);
    char bpath[PATH_MAX + 64], mpath[PATH_MAX + 64];
    if (bindings) {
        snprintf(bpath, sizeof bpath, "%s", write_file("bindings.json", bindings));
        opt.bindings_file = bpath;
    }
    if (mocks) {
        char text[8192];
        snprintf(text, sizeof text,
                 "{\"StateMachines\":{\"M\":{\"TestCases\":{\"T\":{\"Work\":\"R\"}}}},"
                 "\"MockedResponses\":{\"R\":%s}}",
                 mocks);
        snprintf(mpath, sizeof mpath, "%s", write_file("mock.json", text));
        opt.mock_config = mpath;
        opt.test_case = "T";
    }
    char *err = NULL;
    rt_tasks *tasks = rt_tasks_open(&opt, &machine, &err);
    if (!tasks)
        fail_msg("rt_tasks_open: %s", err);
    memset(&run, 0, sizeof run);
    run.opt = &opt;
    run.tasks = tasks;
    memset(&x, 0, sizeof x);
    x.run = &run;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rt_status st = rt_run_machine(&x, &machine, cJSON_Parse(input), &out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    rt_tasks_close(tasks);
    rewind(opt.history);
    char line[1 << 16];
    while (nevents < 64 && fgets(line, sizeof line, opt.history))
        events[nevents++] = cJSON_Parse(line);
    fclose(opt.history);
    return st;
}

static const char *ev_type(int i)
{
    return i < nevents ? cJSON_GetObjectItemCaseSensitive(events[i], "type")->valuestring : "";
}

/* The event types between ExecutionStarted and the end, comma-separated. */
static void expect_events(const char *want)
{
    char got[2048] = "";
    for (int i = 0; i < nevents; i++) {
        if (i)
            strcat(got, ",");
        strcat(got, ev_type(i));
    }
    assert_string_equal(got, want);
}

static const cJSON *ev_details(int i, const char *key)
{
    return i < nevents ? cJSON_GetObjectItemCaseSensitive(events[i], key) : NULL;
}

static const char *str_at(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "(absent)";
}

static void expect_output(const char *json)
{
    cJSON *want = cJSON_Parse(json);
    assert_non_null(out);
    if (!rt_json_equal(out, want)) {
        char *got = cJSON_PrintUnformatted(out);
        fail_msg("output %s, expected %s", got, json);
    }
    cJSON_Delete(want);
}

static void expect_error(const char *error, const char *cause_part)
{
    assert_int_equal(x.status, RT_FAILED);
    assert_string_equal(x.error, error);
    if (!cause_part) {
        assert_null(x.cause);
    } else if (!x.cause || !strstr(x.cause, cause_part)) {
        fail_msg("cause '%s' lacks '%s'", x.cause ? x.cause : "(null)", cause_part);
    }
}

#define ALL_OK "ExecutionStarted,TaskStateEntered,%s,TaskStateExited,ExecutionSucceeded"

/* ==== Mocks ============================================================== */

static void task_mock_return_records_task_events(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::sns:publish", NULL,
                              "{\"0\":{\"Return\":{\"MessageId\":\"m1\"}}}", "{\"Message\":\"hi\"}"),
                     RT_SUCCEEDED);
    expect_output("{\"MessageId\":\"m1\"}");
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,"
                  "TaskStateExited,ExecutionSucceeded");
    const cJSON *d = ev_details(2, "taskScheduledEventDetails");
    assert_string_equal(str_at(d, "resourceType"), "sns");
    assert_string_equal(str_at(d, "resource"), "publish");
    assert_string_equal(str_at(d, "region"), "us-east-1");
    assert_string_equal(str_at(d, "parameters"), "{\"Message\":\"hi\"}");
    d = ev_details(3, "taskStartedEventDetails");
    assert_string_equal(str_at(d, "resourceType"), "sns");
    d = ev_details(4, "taskSucceededEventDetails");
    assert_string_equal(str_at(d, "output"), "{\"MessageId\":\"m1\"}");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(d, "outputDetails"));
    reset();
}

static void task_mock_of_a_lambda_arn_records_lambda_events(void **state)
{
    (void)state;
    reset();
    const char *arn = "arn:aws:lambda:us-east-1:111111111111:function:Function1";
    cur.timeout_seconds = 5;
    assert_int_equal(run_case(arn, NULL, "{\"0\":{\"Return\":[1,2]}}", "{\"a\":1}"), RT_SUCCEEDED);
    expect_output("[1,2]");
    expect_events("ExecutionStarted,TaskStateEntered,LambdaFunctionScheduled,"
                  "LambdaFunctionStarted,LambdaFunctionSucceeded,TaskStateExited,"
                  "ExecutionSucceeded");
    const cJSON *d = ev_details(2, "lambdaFunctionScheduledEventDetails");
    assert_string_equal(str_at(d, "resource"), arn);
    assert_string_equal(str_at(d, "input"), "{\"a\":1}");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(d, "timeoutInSeconds")->valueint, 5);
    /* LambdaFunctionStarted has no details object */
    assert_null(ev_details(3, "lambdaFunctionStartedEventDetails"));
    assert_string_equal(str_at(ev_details(4, "lambdaFunctionSucceededEventDetails"), "output"),
                        "[1,2]");
    reset();
}

static void task_mock_of_a_callback_records_submitted(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::sqs:sendMessage.waitForTaskToken", NULL,
                              "{\"0\":{\"Return\":{\"ok\":1}}}", "{}"),
                     RT_SUCCEEDED);
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,"
                  "TaskSucceeded,TaskStateExited,ExecutionSucceeded");
    assert_string_equal(str_at(ev_details(4, "taskSubmittedEventDetails"), "resource"),
                        "sendMessage.waitForTaskToken");
    reset();
}

static void task_mock_throw_fails_with_its_error(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::aws-sdk:s3:listObjects", NULL,
                              "{\"0\":{\"Throw\":{\"Error\":\"S3.NoSuchBucketException\","
                              "\"Cause\":\"no bucket\"}}}",
                              "{}"),
                     RT_FAILED);
    expect_error("S3.NoSuchBucketException", "no bucket");
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskFailed,"
                  "ExecutionFailed");
    const cJSON *d = ev_details(4, "taskFailedEventDetails");
    assert_string_equal(str_at(d, "resourceType"), "aws-sdk:s3");
    assert_string_equal(str_at(d, "resource"), "listObjects");
    assert_string_equal(str_at(d, "error"), "S3.NoSuchBucketException");
    assert_string_equal(str_at(d, "cause"), "no bucket");
    reset();
}

static void task_mock_timeout_records_timed_out_without_cause(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::lambda:invoke", NULL,
                              "{\"0\":{\"Throw\":{\"Error\":\"States.Timeout\"}}}", "{}"),
                     RT_FAILED);
    expect_error("States.Timeout", NULL);
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskTimedOut,"
                  "ExecutionFailed");
    const cJSON *d = ev_details(4, "taskTimedOutEventDetails");
    assert_string_equal(str_at(d, "error"), "States.Timeout");
    assert_string_equal(str_at(d, "cause"), "(absent)");
    reset();
}

static void task_mock_past_its_range_fails_before_scheduling(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::sns:publish", NULL, "{\"1\":{\"Return\":1}}", "{}"),
                     RT_FAILED);
    expect_error("States.Runtime", "An error occurred while executing the state 'Work' (entered "
                                   "at the event id #2). No mocked response for invocation #0 of "
                                   "this state (invocations count from #0, retries included): "
                                   "mocked response 'R' has no entry for it.");
    expect_events("ExecutionStarted,TaskStateEntered,ExecutionFailed");
    reset();
}

static void task_activity_records_activity_events(void **state)
{
    (void)state;
    reset();
    const char *arn = "arn:aws:states:us-east-1:123456789012:activity:approve";
    cur.heartbeat_seconds = 30;
    assert_int_equal(run_case(arn, NULL, "{\"0\":{\"Return\":{\"approved\":true}}}", "{\"n\":1}"),
                     RT_SUCCEEDED);
    expect_events("ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,"
                  "ActivitySucceeded,TaskStateExited,ExecutionSucceeded");
    const cJSON *d = ev_details(2, "activityScheduledEventDetails");
    assert_string_equal(str_at(d, "resource"), arn);
    assert_string_equal(str_at(d, "input"), "{\"n\":1}");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(d, "heartbeatInSeconds")->valueint, 30);
    assert_string_equal(str_at(ev_details(3, "activityStartedEventDetails"), "workerName"), "mock");
    reset();
}

/* ==== exec handlers ======================================================= */

static void task_exec_handler_gets_the_input_and_returns_its_reply(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::aws-sdk:s3:getObject",
                              "{\"resources\":{\"arn:aws:states:::aws-sdk:*\":"
                              "{\"exec\":[\"%H/echo.sh\"]}}}",
                              NULL, "{\"Bucket\":\"b\",\"Key\":[1,2.5,\"\\u00e9\"]}"),
                     RT_SUCCEEDED);
    expect_output("{\"Bucket\":\"b\",\"Key\":[1,2.5,\"\\u00e9\"]}");
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,"
                  "TaskStateExited,ExecutionSucceeded");
    reset();
}

static void task_lambda_invoke_hands_the_payload_and_wraps_the_reply(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::lambda:invoke",
                              "{\"resources\":{\"arn:aws:lambda:*:*:function:greet\":"
                              "{\"exec\":[\"sh\",\"%H/echo.sh\"]}}}",
                              NULL, "{\"FunctionName\":\"greet\",\"Payload\":{\"name\":\"Ann\"}}"),
                     RT_SUCCEEDED);
    cJSON *want = cJSON_Parse("{\"name\":\"Ann\"}");
    assert_true(rt_json_equal(cJSON_GetObjectItemCaseSensitive(out, "Payload"), want));
    cJSON_Delete(want);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(out, "StatusCode")->valueint, 200);
    assert_string_equal(str_at(out, "ExecutedVersion"), "$LATEST");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(out, "SdkHttpMetadata");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(meta, "HttpStatusCode")->valueint, 200);
    const cJSON *hh = cJSON_GetObjectItemCaseSensitive(meta, "HttpHeaders");
    assert_string_equal(str_at(hh, "Content-Length"), "14");
    assert_string_equal(str_at(hh, "X-Amz-Executed-Version"), "$LATEST");
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(meta, "AllHttpHeaders");
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(all, "Content-Type")));
    const cJSON *rm = cJSON_GetObjectItemCaseSensitive(out, "SdkResponseMetadata");
    assert_int_equal(strlen(str_at(rm, "RequestId")), 36);
    assert_string_equal(str_at(rm, "RequestId"), str_at(hh, "x-amzn-RequestId"));
    /* the lambda:invoke Task events carry the whole effective input */
    assert_string_equal(str_at(ev_details(2, "taskScheduledEventDetails"), "parameters"),
                        "{\"FunctionName\":\"greet\",\"Payload\":{\"name\":\"Ann\"}}");
    reset();
}

static void task_lambda_invoke_falls_back_to_the_resource_binding(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::lambda:invoke",
                              "{\"resources\":{\"arn:aws:states:::lambda:invoke\":"
                              "{\"exec\":[\"%H/echo.sh\"]}}}",
                              NULL, "{\"FunctionName\":\"arn:aws:lambda:eu-west-1:1:function:x\"}"),
                     RT_SUCCEEDED);
    /* no Payload: the function gets {} */
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(out, "Payload")));
    assert_null(cJSON_GetObjectItemCaseSensitive(out, "Payload")->child);
    reset();
}

static void task_lambda_invoke_callback_returns_the_reply_unwrapped(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::lambda:invoke.waitForTaskToken",
                              "{\"resources\":{\"arn:aws:lambda:*:*:function:approver\":"
                              "{\"exec\":[\"%H/echo.sh\"]}}}",
                              NULL, "{\"FunctionName\":\"approver\",\"Payload\":{\"ok\":1}}"),
                     RT_SUCCEEDED);
    expect_output("{\"ok\":1}"); /* what SendTaskSuccess would carry: no envelope */
    reset();
}

static void task_exec_error_object_raises_its_error_type(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:lambda:us-east-1:1:function:f",
                              "{\"resources\":{\"arn:aws:lambda:us-east-1:1:function:f\":"
                              "{\"exec\":[\"%H/fail.sh\"]}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("OrderRejected",
                 "{\"errorType\":\"OrderRejected\",\"errorMessage\":\"the order has no items\"}");
    expect_events("ExecutionStarted,TaskStateEntered,LambdaFunctionScheduled,"
                  "LambdaFunctionStarted,LambdaFunctionFailed,ExecutionFailed");
    assert_string_equal(str_at(ev_details(4, "lambdaFunctionFailedEventDetails"), "error"),
                        "OrderRejected");
    reset();
}

static void task_exec_failures_without_a_name_are_task_failed(void **state)
{
    (void)state;
    static const struct {
        const char *script, *cause;
    } cases[] = {
        {"crash.sh", "was killed by signal 11"},
        {"exit3.sh", "exited with status 3"},
        {"badjson.sh", "printed invalid JSON on stdout"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        reset();
        char b[256];
        snprintf(b, sizeof b, "{\"resources\":{\"arn:aws:states:::sqs:sendMessage\":"
                              "{\"exec\":[\"%%H/%s\"]}}}",
                 cases[i].script);
        assert_int_equal(run_case("arn:aws:states:::sqs:sendMessage", b, NULL, "{}"), RT_FAILED);
        expect_error("States.TaskFailed", cases[i].cause);
    }
    reset();
}

static void task_result_over_256_kib_exceeds_the_data_limit(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:states:::lambda:invoke",
                              "{\"resources\":{\"arn:aws:states:::lambda:invoke\":"
                              "{\"exec\":[\"%H/big.sh\"]}}}",
                              NULL, "{\"FunctionName\":\"f\"}"),
                     RT_FAILED);
    expect_error("States.DataLimitExceeded",
                 "The state/task 'lambda' returned a result with a size exceeding the maximum "
                 "number of bytes service limit.");
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskFailed,"
                  "ExecutionFailed");
    reset();
    const char *arn = "arn:aws:lambda:us-east-1:111111111111:function:Big";
    assert_int_equal(run_case(arn, "{\"resources\":{\"arn:aws:lambda:*\":"
                                   "{\"exec\":[\"%H/big.sh\"]}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("States.DataLimitExceeded", "The state/task "
                                             "'arn:aws:lambda:us-east-1:111111111111:function:Big'"
                                             " returned a result");
    reset();
}

static bool process_gone(pid_t pid)
{
    if (kill(pid, 0) != 0)
        return errno == ESRCH;
    /* a zombie waiting for a reaper is gone for our purposes */
    char path[64], buf[256] = "";
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] == 'Z';
}

static void task_timeout_kills_the_whole_process_group(void **state)
{
    (void)state;
    reset();
    char pidfile[PATH_MAX + 16], b[PATH_MAX * 2];
    snprintf(pidfile, sizeof pidfile, "%s/hang.pid", tmpdir);
    snprintf(b, sizeof b, "{\"resources\":{\"arn:aws:states:::ecs:runTask\":"
                          "{\"exec\":[\"%%H/hang.sh\",\"%s\"]}}}",
             pidfile);
    cur.timeout_seconds = 1;
    assert_int_equal(run_case("arn:aws:states:::ecs:runTask", b, NULL, "{}"), RT_FAILED);
    expect_error("States.Timeout", NULL);
    assert_true(elapsed >= 0.9 && elapsed < 3);
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskTimedOut,"
                  "ExecutionFailed");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(ev_details(2, "taskScheduledEventDetails"),
                                                      "timeoutInSeconds")
                         ->valueint,
                     1);
    FILE *f = fopen(pidfile, "r");
    assert_non_null(f);
    int pid = 0;
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);
    for (int i = 0; i < 50 && !process_gone(pid); i++)
        usleep(20000);
    assert_true(process_gone(pid)); /* the sleep child died with its group */
    reset();
}

static void task_heartbeats_keep_a_callback_alive(void **state)
{
    (void)state;
    reset();
    cur.heartbeat_seconds = 1;
    cur.timeout_seconds = 10;
    /* 5 heartbeats 0.25 s apart: 1.25 s in all, never 1 s without one */
    assert_int_equal(run_case("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                              "{\"resources\":{\"arn:aws:states:::sqs:*\":"
                              "{\"exec\":[\"%H/heartbeat.sh\",\"5\",\"0.25\"]}}}",
                              NULL, "{}"),
                     RT_SUCCEEDED);
    expect_output("{\"beats\":5}");
    const cJSON *d = ev_details(2, "taskScheduledEventDetails");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(d, "heartbeatInSeconds")->valueint, 1);
    reset();
}

static void task_silent_callback_times_out_at_heartbeat_seconds(void **state)
{
    (void)state;
    reset();
    cur.heartbeat_seconds = 1;
    assert_int_equal(run_case("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                              "{\"resources\":{\"arn:aws:states:::sqs:*\":"
                              "{\"exec\":[\"%H/hang.sh\"]}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("States.Timeout", NULL);
    assert_true(elapsed >= 0.9 && elapsed < 3);
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,"
                  "TaskTimedOut,ExecutionFailed");
    reset();
}

static void task_heartbeat_seconds_leave_request_response_alone(void **state)
{
    (void)state;
    reset();
    cur.heartbeat_seconds = 1;
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:publish\":"
                              "{\"exec\":[\"sh\",\"-c\",\"cat >/dev/null; sleep 1.15; echo 7\"]}}}",
                              NULL, "{}"),
                     RT_SUCCEEDED);
    expect_output("7");
    reset();
}

static void task_execution_timeout_stops_a_running_handler(void **state)
{
    (void)state;
    reset();
    machine.timeout_seconds = 1;
    assert_int_equal(run_case("arn:aws:states:::batch:submitJob",
                              "{\"resources\":{\"arn:aws:states:::batch:submitJob\":"
                              "{\"exec\":[\"%H/hang.sh\"]}}}",
                              NULL, "{}"),
                     RT_TIMED_OUT);
    assert_true(elapsed >= 0.9 && elapsed < 3);
    assert_string_equal(ev_type(nevents - 1), "ExecutionTimedOut");
    reset();
}

static void *abort_soon(void *arg)
{
    (void)arg;
    usleep(300000);
    run.aborted = SIGINT;
    return NULL;
}

static void task_abort_stops_a_running_handler(void **state)
{
    (void)state;
    reset();
    pthread_t t;
    pthread_create(&t, NULL, abort_soon, NULL);
    rt_status st = run_case("arn:aws:states:::glue:startJobRun",
                            "{\"resources\":{\"arn:aws:states:::glue:startJobRun\":"
                            "{\"exec\":[\"%H/hang.sh\"]}}}",
                            NULL, "{}");
    pthread_join(t, NULL);
    assert_int_equal(st, RT_ABORTED);
    assert_true(elapsed < 2);
    reset();
}

static void task_exec_handler_sees_its_environment_and_directory(void **state)
{
    (void)state;
    reset();
    assert_int_equal(run_case("arn:aws:lambda:us-east-1:1:function:envfn:prod",
                              "{\"resources\":{\"arn:aws:lambda:*:function:envfn*\":"
                              "{\"exec\":[\"%H/env.sh\"],\"env\":{\"EXTRA\":\"yes\"}}}}",
                              NULL, "{}"),
                     RT_SUCCEEDED);
    assert_string_equal(str_at(out, "state"), "Work");
    assert_string_equal(str_at(out, "resource"), "arn:aws:lambda:us-east-1:1:function:envfn:prod");
    assert_string_equal(str_at(out, "retry"), "0");
    assert_string_equal(str_at(out, "heartbeat_fd"), "3");
    assert_string_equal(str_at(out, "function"), "envfn");
    assert_string_equal(str_at(out, "token"), ""); /* not a callback */
    assert_string_equal(str_at(out, "extra"), "yes");
    assert_string_equal(str_at(out, "cwd"), realtmp);
    reset();
}

static void task_callback_token_is_in_context_and_environment(void **state)
{
    (void)state;
    reset();
    machine.states = token_states;
    assert_int_equal(run_case("arn:aws:states:::sns:publish.waitForTaskToken",
                              "{\"resources\":{\"arn:aws:states:::sns:*\":"
                              "{\"exec\":[\"%H/env.sh\"]}}}",
                              NULL, "{}"),
                     RT_SUCCEEDED);
    const char *tok = str_at(out, "token");
    assert_true(strlen(tok) >= 40);
    assert_string_equal(tok, str_at(out, "context_token"));
    reset();
}

static void task_no_task_token_outside_callbacks(void **state)
{
    (void)state;
    reset();
    machine.states = token_states;
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:*\":"
                              "{\"exec\":[\"%H/env.sh\"]}}}",
                              NULL, "{}"),
                     RT_SUCCEEDED);
    assert_string_equal(str_at(out, "context_token"), "");
    reset();
}

static const asl_seg t_seg[] = {{.kind = ASL_SEG_FIELD, .name = "t"}};
static const asl_path T_PATH = {.text = "$.t", .normalized = "$['t']", .root = ASL_ROOT_INPUT,
                                .definite = 1, .nsegs = 1, .segs = t_seg};

static void task_timeout_seconds_path_sets_the_timeout(void **state)
{
    (void)state;
    reset();
    cur.timeout_path = &T_PATH;
    assert_int_equal(run_case("arn:aws:states:::ecs:runTask", NULL, "{\"0\":{\"Return\":1}}",
                              "{\"t\":42}"),
                     RT_SUCCEEDED);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(ev_details(2, "taskScheduledEventDetails"),
                                                      "timeoutInSeconds")
                         ->valueint,
                     42);
    reset();
    cur.timeout_path = &T_PATH;
    assert_int_equal(run_case("arn:aws:states:::ecs:runTask",
                              "{\"resources\":{\"arn:aws:states:::ecs:runTask\":"
                              "{\"exec\":[\"%H/hang.sh\"]}}}",
                              NULL, "{\"t\":\"soon\"}"),
                     RT_FAILED);
    expect_error("States.Runtime", "The TimeoutSecondsPath parameter does not reference a "
                                   "positive integer (1 to 99999999): $.t == \"soon\"");
    expect_events("ExecutionStarted,TaskStateEntered,ExecutionFailed");
    reset();
    cur.heartbeat_path = &T_PATH;
    assert_int_equal(run_case("arn:aws:states:::ecs:runTask", NULL, "{\"0\":{\"Return\":1}}", "{}"),
                     RT_FAILED);
    expect_error("States.Runtime", "Invalid path '$.t' : No results for path: $['t']");
    reset();
}

static const asl_tmpl ROLE = {.kind = ASL_T_STRING, .str = "arn:aws:iam::1:role/r"};
static const asl_field CRED_FIELDS[] = {{"RoleArn", &ROLE}};
static const asl_tmpl CREDENTIALS = {.kind = ASL_T_OBJECT, .n = 1, .fields = CRED_FIELDS};

static void task_credentials_are_recorded(void **state)
{
    (void)state;
    reset();
    cur.credentials = &CREDENTIALS;
    assert_int_equal(run_case("arn:aws:states:::states:startExecution.sync:2", NULL,
                              "{\"0\":{\"Return\":{}}}", "{}"),
                     RT_SUCCEEDED);
    const cJSON *d = ev_details(2, "taskScheduledEventDetails");
    assert_string_equal(str_at(d, "resourceType"), "states");
    assert_string_equal(str_at(d, "resource"), "startExecution.sync:2");
    assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(d, "taskCredentials"), "roleArn"),
                        "arn:aws:iam::1:role/r");
    expect_events("ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,"
                  "TaskSucceeded,TaskStateExited,ExecutionSucceeded");
    reset();
}

static void task_large_input_to_a_handler_that_does_not_read_it(void **state)
{
    (void)state;
    reset();
    size_t n = 2 * 1024 * 1024;
    char *input = malloc(n + 16);
    input[0] = '"';
    memset(input + 1, 'x', n);
    strcpy(input + 1 + n, "\"");
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:publish\":"
                              "{\"exec\":[\"%H/noread.sh\"]}}}",
                              NULL, input),
                     RT_SUCCEEDED);
    expect_output("{\"ignored\":true}");
    free(input);
    reset();
}

/* ==== The check before a run ============================================== */

static void task_unbound_resources_stop_the_run_before_it_starts(void **state)
{
    (void)state;
    static const asl_task_ref two[] = {
        {.state = "Charge", .resource = "arn:aws:lambda:us-east-1:1:function:charge"},
        {.state = "Notify", .resource = "arn:aws:states:::sns:publish"},
        {.state = "Greet", .resource = "arn:aws:states:::lambda:invoke", .function_name = "greet"},
        {.state = "Dyn", .resource = "arn:aws:states:::lambda:invoke"},
    };
    asl_machine m = {.name = "M", .nstates = 1, .states = states, .ntasks = 4, .tasks = two};
    rt_options o = {0};
    char *err = NULL;
    assert_null(rt_tasks_open(&o, &m, &err));
    assert_non_null(strstr(err, "cannot start: 4 Task resources are neither bound nor mocked:\n"
                                "  state 'Charge': arn:aws:lambda:us-east-1:1:function:charge\n"
                                "  state 'Notify': arn:aws:states:::sns:publish\n"
                                "  state 'Greet': arn:aws:states:::lambda:invoke (FunctionName "
                                "greet)\n  state 'Dyn': arn:aws:states:::lambda:invoke\n"));
    free(err);

    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s",
             write_file("b.json", "{\"resources\":{\"arn:aws:lambda:*:function:charge\":"
                                  "{\"exec\":[\"cat\"]},"
                                  "\"arn:aws:lambda:*:function:g*\":{\"exec\":[\"cat\"]}}}"));
    o.bindings_file = path;
    assert_null(rt_tasks_open(&o, &m, &err));
    assert_non_null(strstr(err, "cannot start: 1 Task resource is neither bound nor mocked:\n"
                                "  state 'Notify': arn:aws:states:::sns:publish\n"));
    free(err);

    char mpath[PATH_MAX + 64];
    snprintf(mpath, sizeof mpath, "%s",
             write_file("m.json", "{\"StateMachines\":{\"M\":{\"TestCases\":{\"T\":{\"Notify\":"
                                  "\"R\"}}}},\"MockedResponses\":{\"R\":{\"0\":{\"Return\":1}}}}"));
    o.mock_config = mpath;
    o.test_case = "T";
    rt_tasks *t = rt_tasks_open(&o, &m, &err);
    assert_non_null(t);
    rt_tasks_close(t);
}

static void task_options_come_in_pairs(void **state)
{
    (void)state;
    rt_options o = {.mock_config = "x.json"};
    char *err = NULL;
    assert_null(rt_tasks_open(&o, &machine, &err));
    assert_non_null(strstr(err, "--mock-config needs --test-case NAME"));
    free(err);
    rt_options o2 = {.test_case = "T"};
    assert_null(rt_tasks_open(&o2, &machine, &err));
    assert_non_null(strstr(err, "--test-case needs --mock-config FILE"));
    free(err);
}

/* ==== http ================================================================ */

static void skip_without_http(void)
{
    if (!http_base[0])
        skip();
}

static void task_http_handler_posts_and_reads_the_reply(void **state)
{
    (void)state;
    skip_without_http();
    reset();
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:publish\":"
                              "{\"http\":\"%U/echo\"}}}",
                              NULL, "{\"a\":[1,2]}"),
                     RT_SUCCEEDED);
    expect_output("{\"a\":[1,2]}");
    reset();
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:publish\":"
                              "{\"http\":\"%U/headers\",\"headers\":{\"X-Test\":\"yes\"}}}}",
                              NULL, "{}"),
                     RT_SUCCEEDED);
    expect_output("{\"x-test\":\"yes\"}");
    reset();
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:publish\":"
                              "{\"http\":\"%U/empty\"}}}",
                              NULL, "{}"),
                     RT_SUCCEEDED);
    expect_output("null");
    reset();
}

static void task_http_errors_become_asl_errors(void **state)
{
    (void)state;
    skip_without_http();
    reset();
    assert_int_equal(run_case("arn:aws:lambda:us-east-1:1:function:f",
                              "{\"resources\":{\"arn:aws:lambda:us-east-1:1:function:f\":"
                              "{\"http\":\"%U/error\"}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("HttpBoom", "\"errorMessage\":\"the function failed\"");
    reset();
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:publish\":"
                              "{\"http\":\"%U/status500\"}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("States.TaskFailed", "answered HTTP 500: internal error");
    reset();
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:publish\":"
                              "{\"http\":\"http://127.0.0.1:1/nothing-listens\"}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("States.TaskFailed", "POST http://127.0.0.1:1/nothing-listens failed");
    reset();
    cur.timeout_seconds = 1;
    assert_int_equal(run_case("arn:aws:states:::sns:publish",
                              "{\"resources\":{\"arn:aws:states:::sns:publish\":"
                              "{\"http\":\"%U/slow\"}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("States.Timeout", NULL);
    assert_true(elapsed < 3);
    reset();
}

/* ==== native ============================================================== */

static void skip_without_native(void)
{
    if (!native_lib[0])
        skip();
}

static void task_native_handler_is_called_in_process(void **state)
{
    (void)state;
    skip_without_native();
    reset();
    assert_int_equal(run_case("arn:aws:states:::dynamodb:putItem",
                              "{\"resources\":{\"arn:aws:states:::dynamodb:putItem\":"
                              "{\"native\":\"%L:put_item\"}}}",
                              NULL, "{\"Item\":{\"id\":1}}"),
                     RT_SUCCEEDED);
    expect_output("{\"stored\":{\"Item\":{\"id\":1}}}");
    reset();
    assert_int_equal(run_case("arn:aws:states:::dynamodb:putItem",
                              "{\"resources\":{\"arn:aws:states:::dynamodb:putItem\":"
                              "{\"native\":\"%L:reject\"}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("DynamoDB.ConditionalCheckFailedException", "the item exists");
    reset();
    assert_int_equal(run_case("arn:aws:states:::dynamodb:putItem",
                              "{\"resources\":{\"arn:aws:states:::dynamodb:putItem\":"
                              "{\"native\":\"%L:unnamed\"}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("States.TaskFailed", NULL);
    reset();
    cur.timeout_seconds = 1;
    assert_int_equal(run_case("arn:aws:states:::dynamodb:putItem",
                              "{\"resources\":{\"arn:aws:states:::dynamodb:putItem\":"
                              "{\"native\":\"%L:slow\"}}}",
                              NULL, "{}"),
                     RT_FAILED);
    expect_error("States.Timeout", NULL);
    assert_true(elapsed < 2.5);
    reset();
}

/* ==== Set-up ============================================================== */

static const char native_src[] =
    "#include <cjson/cJSON.h>\n"
    "#include <unistd.h>\n"
    "#include \"aslhandler.h\"\n"
    "int put_item(const cJSON *in, cJSON **out, asl_error *err) {\n"
    "    (void)err; *out = cJSON_CreateObject();\n"
    "    cJSON_AddItemToObject(*out, \"stored\", cJSON_Duplicate(in, 1)); return 0; }\n"
    "int reject(const cJSON *in, cJSON **out, asl_error *err) {\n"
    "    (void)in; (void)out;\n"
    "    return asl_error_set(err, \"DynamoDB.ConditionalCheckFailedException\", "
    "\"the item exists\"); }\n"
    "int unnamed(const cJSON *in, cJSON **out, asl_error *err) {\n"
    "    (void)in; (void)out; (void)err; return 2; }\n"
    "int slow(const cJSON *in, cJSON **out, asl_error *err) {\n"
    "    (void)in; (void)err; sleep(3); *out = cJSON_CreateTrue(); return 0; }\n";

static void build_native(void)
{
    char src[PATH_MAX + 16], lib[PATH_MAX + 16], cmd[PATH_MAX * 4], cwd[PATH_MAX];
    snprintf(src, sizeof src, "%s/native.c", tmpdir);
    snprintf(lib, sizeof lib, "%s/libnative.so", tmpdir);
    FILE *f = fopen(src, "w");
    if (!f)
        return;
    fputs(native_src, f);
    fclose(f);
    if (!getcwd(cwd, sizeof cwd))
        return;
    const char *cc = getenv("CC") ? getenv("CC") : "cc";
    snprintf(cmd, sizeof cmd, "%s -shared -fPIC -I'%s/runtime' -o '%s' '%s' -lcjson 2>/dev/null",
             cc, cwd, lib, src);
    if (system(cmd) == 0)
        snprintf(native_lib, sizeof native_lib, "%s", lib);
    else
        fprintf(stderr, "test_task: cannot build a native handler with %s: native tests skipped\n",
                cc);
}

static void start_http(const char *argv0)
{
    char prog[PATH_MAX + 16];
    const char *slash = strrchr(argv0, '/');
    snprintf(prog, sizeof prog, "%.*s/http_echo", slash ? (int)(slash - argv0) : 1,
             slash ? argv0 : ".");
    if (access(prog, X_OK) != 0) {
        fprintf(stderr, "test_task: %s not built: http tests skipped\n", prog);
        return;
    }
    int p[2];
    if (pipe(p) != 0)
        return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    char *args[] = {prog, NULL};
    int rc = posix_spawn(&http_pid, prog, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    char buf[32] = "";
    ssize_t n = rc == 0 ? read(p[0], buf, sizeof buf - 1) : -1;
    close(p[0]);
    if (n > 0)
        snprintf(http_base, sizeof http_base, "http://127.0.0.1:%d", atoi(buf));
}

static int setup(void **state)
{
    (void)state;
    if (!realpath("tests/handlers", handlers)) {
        fprintf(stderr, "test_task: run me from the repository root (tests/handlers)\n");
        return -1;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aslc-test-task-XXXXXX");
    if (!mkdtemp(tmpdir) || !realpath(tmpdir, realtmp))
        return -1;
    build_native();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    reset();
    if (http_pid > 0) {
        kill(http_pid, SIGTERM);
        waitpid(http_pid, NULL, 0);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    (void)argc;
    start_http(argv[0]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(task_mock_return_records_task_events),
        cmocka_unit_test(task_mock_of_a_lambda_arn_records_lambda_events),
        cmocka_unit_test(task_mock_of_a_callback_records_submitted),
        cmocka_unit_test(task_mock_throw_fails_with_its_error),
        cmocka_unit_test(task_mock_timeout_records_timed_out_without_cause),
        cmocka_unit_test(task_mock_past_its_range_fails_before_scheduling),
        cmocka_unit_test(task_activity_records_activity_events),
        cmocka_unit_test(task_exec_handler_gets_the_input_and_returns_its_reply),
        cmocka_unit_test(task_lambda_invoke_hands_the_payload_and_wraps_the_reply),
        cmocka_unit_test(task_lambda_invoke_falls_back_to_the_resource_binding),
        cmocka_unit_test(task_lambda_invoke_callback_returns_the_reply_unwrapped),
        cmocka_unit_test(task_exec_error_object_raises_its_error_type),
        cmocka_unit_test(task_exec_failures_without_a_name_are_task_failed),
        cmocka_unit_test(task_result_over_256_kib_exceeds_the_data_limit),
        cmocka_unit_test(task_timeout_kills_the_whole_process_group),
        cmocka_unit_test(task_heartbeats_keep_a_callback_alive),
        cmocka_unit_test(task_silent_callback_times_out_at_heartbeat_seconds),
        cmocka_unit_test(task_heartbeat_seconds_leave_request_response_alone),
        cmocka_unit_test(task_execution_timeout_stops_a_running_handler),
        cmocka_unit_test(task_abort_stops_a_running_handler),
        cmocka_unit_test(task_exec_handler_sees_its_environment_and_directory),
        cmocka_unit_test(task_callback_token_is_in_context_and_environment),
        cmocka_unit_test(task_no_task_token_outside_callbacks),
        cmocka_unit_test(task_timeout_seconds_path_sets_the_timeout),
        cmocka_unit_test(task_credentials_are_recorded),
        cmocka_unit_test(task_large_input_to_a_handler_that_does_not_read_it),
        cmocka_unit_test(task_unbound_resources_stop_the_run_before_it_starts),
        cmocka_unit_test(task_options_come_in_pairs),
        cmocka_unit_test(task_http_handler_posts_and_reads_the_reply),
        cmocka_unit_test(task_http_errors_become_asl_errors),
        cmocka_unit_test(task_native_handler_is_called_in_process),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
