/*
 * test_parallel.c - runtime/parallel.c through whole definitions (compiled
 * in memory by fanout_harness.h): branch outputs in order, concurrency,
 * input copies, Parameters / ResultSelector / ResultPath / OutputPath,
 * failure and prompt cancellation of the other branches, Retry, Catch,
 * a branch Task's missed heartbeat as the state's own error, nesting, and
 * the history (event types and previousEventId links).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fanout_harness.h"

/* JSON without C escapes: the preprocessor quotes it. */
#define ASL(...) #__VA_ARGS__

static void outputs_are_in_branch_order_whatever_finishes_first(void **state)
{
    (void)state;
    harness h;
    /* branch 0 waits longest, branch 2 not at all */
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "W0", "States": {"W0": {"Type": "Wait", "Seconds": 3, "Next": "R0"},
                                     "R0": {"Type": "Pass", "Result": "zero", "End": true}}},
        {"StartAt": "W1", "States": {"W1": {"Type": "Wait", "Seconds": 1, "Next": "R1"},
                                     "R1": {"Type": "Pass", "Result": "one", "End": true}}},
        {"StartAt": "R2", "States": {"R2": {"Type": "Pass", "Result": "two", "End": true}}}]}}});
    assert_int_equal(h_run_opts(&h, asl, "{}", RT_WAIT_SCALE, 0.02, NULL), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[\"zero\",\"one\",\"two\"]");
    h_free(&h);
}

static void branches_run_at_the_same_time(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 10, "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 10, "End": true}}},
        {"StartAt": "C", "States": {"C": {"Type": "Wait", "Seconds": 10, "End": true}}},
        {"StartAt": "D", "States": {"D": {"Type": "Wait", "Seconds": 10, "End": true}}}]}}});
    /* 10 s scaled to 200 ms each: in sequence 800 ms, at once 200 ms */
    assert_int_equal(h_run_opts(&h, asl, "1", RT_WAIT_SCALE, 0.02, NULL), RT_SUCCEEDED);
    print_message("4 branches of 200 ms: %.0f ms\n", h.seconds * 1000);
    assert_true(h.seconds >= 0.19 && h.seconds < 0.6);
    assert_string_equal(h_out(&h), "[1,1,1,1]");
    h_free(&h);
}

static void each_branch_works_on_its_own_copy_of_the_input(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "ResultPath": "$.r", "End": true,
        "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "changed", "ResultPath": "$.v", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]}}});
    assert_int_equal(h_run(&h, asl, "{\"v\":\"orig\"}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "{\"v\":\"orig\",\"r\":[{\"v\":\"changed\"},{\"v\":\"orig\"}]}");
    h_free(&h);
}

static void data_flow_fields_apply_around_the_branches(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel",
        "InputPath": "$.in", "Parameters": {"x.$": "$.a", "fixed": 1},
        "ResultSelector": {"first.$": "$[0]", "n.$": "States.ArrayLength($)"},
        "ResultPath": "$.in.out", "OutputPath": "$.in", "End": true,
        "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "OutputPath": "$.x", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]}}});
    assert_int_equal(h_run(&h, asl, "{\"in\":{\"a\":7},\"other\":true}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "{\"a\":7,\"out\":{\"first\":7,\"n\":2}}");
    h_free(&h);
}

static void a_failing_branch_fails_the_state_with_its_own_error(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Custom.Boom", "Cause": "it broke"}}}]}}});
    assert_int_equal(h_run(&h, asl, "{}"), RT_FAILED);
    assert_string_equal(h.x.error, "Custom.Boom");
    assert_string_equal(h.x.cause, "it broke");
    char *ev = h_events(&h);
    assert_non_null(strstr(ev, "ParallelStateFailed ExecutionFailed"));
    assert_null(strstr(ev, "ParallelStateExited"));
    assert_null(strstr(ev, "ParallelStateSucceeded"));
    free(ev);
    h_free(&h);
}

static void the_other_branches_are_stopped_promptly(void **state)
{
    (void)state;
    harness h;
    /* scaled by 0.05: the long waits would take 50 s; the failure comes
     * after 50 ms */
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 1000, "End": true}}},
        {"StartAt": "Inner", "States": {"Inner": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "Deep", "States": {"Deep": {"Type": "Wait", "Seconds": 1000, "End": true}}}]}}},
        {"StartAt": "Short", "States": {"Short": {"Type": "Wait", "Seconds": 1, "Next": "F"},
                                        "F": {"Type": "Fail", "Error": "Stop"}}}]}}});
    assert_int_equal(h_run_opts(&h, asl, "{}", RT_WAIT_SCALE, 0.05, NULL), RT_FAILED);
    print_message("stopped after %.0f ms\n", h.seconds * 1000);
    assert_true(h.seconds < 1.0);
    assert_string_equal(h.x.error, "Stop");
    /* the waits were aborted, the nested Parallel too */
    assert_int_equal(h_count_events(&h, "WaitStateAborted"), 2);
    assert_int_equal(h_count_events(&h, "ParallelStateAborted"), 1);
    assert_int_equal(h_count_events(&h, "WaitStateExited"), 1); /* only Short */
    h_free(&h);
}

static void maps_in_a_cancelled_branch_stop_without_running_their_items(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1, "End": true,
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1000, "End": true}}}}}},
        {"StartAt": "D", "States": {"D": {"Type": "Map", "End": true,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "W2", "States": {"W2": {"Type": "Wait", "Seconds": 1000, "End": true}}}}}},
        {"StartAt": "S", "States": {"S": {"Type": "Wait", "Seconds": 1, "Next": "F"},
                                    "F": {"Type": "Fail", "Error": "Stop"}}}]}}});
    assert_int_equal(h_run_opts(&h, asl, "[1,2,3,4,5,6,7,8,9,10]", RT_WAIT_SCALE, 0.01, NULL), RT_FAILED);
    assert_true(h.seconds < 1.0);
    assert_string_equal(h.x.error, "Stop"); /* not the aborted Maps' */
    assert_int_equal(h_count_events(&h, "MapStateAborted"), 2);
    assert_int_equal(h_count_events(&h, "MapRunAborted"), 1);
    assert_int_equal(h_count_events(&h, "MapRunFailed"), 0);
    assert_int_equal(h_count_events(&h, "MapStateFailed"), 0);
    assert_true(h_count_events(&h, "MapIterationStarted") <= 1);
    h_free(&h);
}

static void catch_puts_the_error_output_at_its_result_path(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E1", "Cause": "c1"}}}],
            "Catch": [{"ErrorEquals": ["Other"], "Next": "Done"},
                      {"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Caught"}]},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Pass", "End": true}}});
    assert_int_equal(h_run(&h, asl, "{\"keep\":1}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "{\"keep\":1,\"err\":{\"Error\":\"E1\",\"Cause\":\"c1\"}}");
    char *ev = h_events(&h);
    assert_non_null(strstr(ev, "ParallelStateFailed ParallelStateExited:P PassStateEntered:Caught"));
    free(ev);
    h_free(&h);
}

static void retry_runs_every_branch_again(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Retry": [{"ErrorEquals": ["E1"], "MaxAttempts": 2, "IntervalSeconds": 1}],
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E1"}}}]}}});
    assert_int_equal(h_run(&h, asl, "{}"), RT_FAILED);
    assert_int_equal(h_count_events(&h, "ParallelStateStarted"), 3);
    assert_int_equal(h_count_events(&h, "FailStateEntered"), 3);
    assert_int_equal(h_count_events(&h, "ParallelStateFailed"), 1);
    h_free(&h);
}

static void a_runtime_error_in_a_branch_is_never_caught(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
              "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$.missing", "End": true}}}]},
        "Done": {"Type": "Succeed"}}});
    assert_int_equal(h_run(&h, asl, "{}"), RT_FAILED);
    assert_string_equal(h.x.error, "States.Runtime");
    assert_non_null(strstr(h.x.cause, "'A'"));
    h_free(&h);
}

/* A Task that never answers (tests/handlers/hang.sh), for the timeouts. */
static const char *const HANG = "{\"resources\":{\"arn:aws:states:::sqs:*\":{\"exec\":[\"%H/hang.sh\"]}}}";

static void a_branch_tasks_missed_heartbeat_is_caught_as_heartbeat_timeout(void **state)
{
    (void)state;
    harness h;
    /* The branch's error is the Task's States.Timeout of a missed
     * heartbeat: the Parallel's States.HeartbeatTimeout catcher takes it,
     * as the Task's own would. */
    const char *asl = ASL({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 1,
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}}}}],
            "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.err", "Next": "Caught"}]},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Pass", "End": true}}});
    assert_int_equal(h_run_bound(&h, asl, "{\"keep\":1}", HANG), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "{\"keep\":1,\"err\":{\"Error\":\"States.Timeout\",\"Cause\":\"\"}}");
    char *ev = h_events(&h);
    assert_non_null(strstr(ev, "TaskSubmitted TaskTimedOut TaskStateAborted ParallelStateFailed "
                               "ParallelStateExited:P PassStateEntered:Caught"));
    free(ev);
    h_free(&h);
}

static void a_branch_tasks_timeout_seconds_is_not_a_heartbeat_timeout(void **state)
{
    (void)state;
    harness h;
    /* TimeoutSeconds, not HeartbeatSeconds: the same States.Timeout, which
     * States.HeartbeatTimeout must not catch at the Parallel either. */
    const char *asl = ASL({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "TimeoutSeconds": 1,
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}}}}],
            "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}});
    assert_int_equal(h_run_bound(&h, asl, "{}", HANG), RT_FAILED);
    assert_string_equal(h.x.error, "States.Timeout");
    h_free(&h);
}

static void a_heartbeat_timeout_climbs_through_a_map_in_a_branch(void **state)
{
    (void)state;
    harness h;
    /* Task in a Map iteration in a Parallel branch: both fan-outs pass the
     * missed heartbeat up; the Parallel retries on it, then catches it. */
    const char *asl = ASL({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 1,
                    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}}}}}}}],
            "Retry": [{"ErrorEquals": ["States.HeartbeatTimeout"], "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": null, "Next": "Caught"}]},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Pass", "End": true}}});
    assert_int_equal(h_run_bound(&h, asl, "{\"items\":[1]}", HANG), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "{\"items\":[1]}");
    assert_int_equal(h_count_events(&h, "ParallelStateStarted"), 2);
    assert_int_equal(h_count_events(&h, "TaskTimedOut"), 2);
    assert_int_equal(h_count_events(&h, "MapStateFailed"), 2);
    h_free(&h);
}

static void history_has_aws_events_and_previous_event_links(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]}}});
    assert_int_equal(h_run(&h, asl, "{}"), RT_SUCCEEDED);
    char *ev = h_events(&h);
    assert_true(strncmp(ev, "ExecutionStarted ParallelStateEntered:P ParallelStateStarted ", 61) == 0);
    assert_non_null(strstr(ev, "ParallelStateSucceeded ParallelStateExited:P ExecutionSucceeded"));
    free(ev);
    /* 3 is ParallelStateStarted; each branch's first event links to it */
    cJSON *started = h_event(&h, 3);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(started, "type")->valuestring,
                        "ParallelStateStarted");
    cJSON_Delete(started);
    int links_to_started = 0;
    for (long id = 4; id <= 7; id++) {
        cJSON *e = h_event(&h, id);
        const char *t = cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring;
        if (strcmp(t, "PassStateEntered") == 0 && h_num(e, "previousEventId") == 3)
            links_to_started++;
        if (strcmp(t, "PassStateExited") == 0)
            assert_int_equal(h_num(e, "previousEventId") + 0 >= 4, 1);
        cJSON_Delete(e);
    }
    assert_int_equal(links_to_started, 2);
    /* ParallelStateSucceeded follows the last branch event */
    cJSON *ok = h_event(&h, 8);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(ok, "type")->valuestring, "ParallelStateSucceeded");
    assert_int_equal(h_num(ok, "previousEventId"), 7);
    cJSON_Delete(ok);
    h_free(&h);
}

static void parallel_inside_map_inside_parallel_nests(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2, "End": true,
            "ItemProcessor": {"StartAt": "Q", "States": {"Q": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}},
                {"StartAt": "Y", "States": {"Y": {"Type": "Pass", "Result": "y", "End": true}}}]}}}}}},
        {"StartAt": "Z", "States": {"Z": {"Type": "Pass", "Result": "z", "End": true}}}]}}});
    assert_int_equal(h_run(&h, asl, "[1,2,3]"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[[[1,\"y\"],[2,\"y\"],[3,\"y\"]],\"z\"]");
    h_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outputs_are_in_branch_order_whatever_finishes_first),
        cmocka_unit_test(branches_run_at_the_same_time),
        cmocka_unit_test(each_branch_works_on_its_own_copy_of_the_input),
        cmocka_unit_test(data_flow_fields_apply_around_the_branches),
        cmocka_unit_test(a_failing_branch_fails_the_state_with_its_own_error),
        cmocka_unit_test(the_other_branches_are_stopped_promptly),
        cmocka_unit_test(maps_in_a_cancelled_branch_stop_without_running_their_items),
        cmocka_unit_test(catch_puts_the_error_output_at_its_result_path),
        cmocka_unit_test(retry_runs_every_branch_again),
        cmocka_unit_test(a_runtime_error_in_a_branch_is_never_caught),
        cmocka_unit_test(a_branch_tasks_missed_heartbeat_is_caught_as_heartbeat_timeout),
        cmocka_unit_test(a_branch_tasks_timeout_seconds_is_not_a_heartbeat_timeout),
        cmocka_unit_test(a_heartbeat_timeout_climbs_through_a_map_in_a_branch),
        cmocka_unit_test(history_has_aws_events_and_previous_event_links),
        cmocka_unit_test(parallel_inside_map_inside_parallel_nests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
