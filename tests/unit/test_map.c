/*
 * test_map.c - runtime/map.c and itemreader.c through whole definitions
 * (compiled in memory by fanout_harness.h).
 *
 * Inline: results in item order, MaxConcurrency honoured exactly (the
 * peak number of iterations in flight is read from the history) and
 * reached, the 40-at-a-time inline limit, real overlap of blocking
 * iterations (40 items of 1 s, 10 at a time, take about 4 s), ItemsPath,
 * ItemSelector and legacy Parameters with $$.Map.Item, MaxConcurrencyPath,
 * failure with cancellation, Retry, Catch (an iteration Task's missed
 * heartbeat too), the history, and memory that follows the items in
 * flight rather than the item count.
 * Distributed: child executions with their own $$.Execution, tolerated
 * failures (a child's missed heartbeat among them), ItemBatcher,
 * ItemReader (CSV, JSON, JSONL, listing, manifest) with each item's
 * $$.Map.Item.Source, and ResultWriter files, under a temporary --s3-root.
 * Items that are a JSON object's pairs ($$.Map.Item.Key).
 */
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fanout_harness.h"

#define ASL(...) #__VA_ARGS__

/* ---- inline Map ------------------------------------------------------------ */

static void results_are_in_item_order(void **state)
{
    (void)state;
    harness h;
    /* later items finish first: item i waits 10 - i seconds (scaled) */
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 0, "End": true,
        "ItemSelector": {"w.$": "$$.Map.Item.Value.w", "i.$": "$$.Map.Item.Index"},
        "ItemProcessor": {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "SecondsPath": "$.w", "Next": "R"},
            "R": {"Type": "Pass", "OutputPath": "$.i", "End": true}}}}}});
    assert_int_equal(h_run_opts(&h, asl, "[{\"w\":9},{\"w\":7},{\"w\":5},{\"w\":3},{\"w\":1}]",
                                RT_WAIT_SCALE, 0.01, NULL),
                     RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[0,1,2,3,4]");
    h_free(&h);
}

static void check_peak(long mc, int items, int expect)
{
    harness h;
    char asl[1024];
    snprintf(asl, sizeof asl, ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": %ld, "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}}}}}), mc);
    char input[4096] = "[";
    for (int i = 0; i < items; i++)
        snprintf(input + strlen(input), sizeof input - strlen(input), "%s%d", i ? "," : "", i);
    strcat(input, "]");
    assert_int_equal(h_run_opts(&h, asl, input, RT_WAIT_SCALE, 0.01, NULL), RT_SUCCEEDED);
    int peak = h_peak_in_flight(&h);
    print_message("MaxConcurrency %ld, %d items: peak %d in flight\n", mc, items, peak);
    assert_int_equal(peak, expect);
    assert_int_equal(h_count_events(&h, "MapIterationSucceeded"), items);
    h_free(&h);
}

static void max_concurrency_is_honoured_exactly(void **state)
{
    (void)state;
    check_peak(1, 12, 1);
    check_peak(3, 12, 3);
    check_peak(10, 30, 10);
    check_peak(25, 5, 5);
}

static void max_concurrency_zero_runs_up_to_the_inline_limit_of_40(void **state)
{
    (void)state;
    check_peak(0, 100, 40);
    check_peak(500, 100, 40); /* AWS caps inline Maps at 40 whatever is asked */
}

/* A processor that cannot block (Pass, Choice, Succeed, Fail) runs its
 * iterations one after another on the calling thread: deterministic
 * histories, and a first failure that stops the items after it. */
static void iterations_that_cannot_block_run_one_at_a_time_in_order(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 0, "End": true,
        "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.v", "NumericEquals": -1, "Next": "F"}],
                  "Default": "P"},
            "P": {"Type": "Pass", "Parameters": {"r.$": "States.MathAdd($.v, $.i)"}, "OutputPath": "$.r",
                  "End": true},
            "F": {"Type": "Fail", "Error": "Item.Failed", "Cause": "a -1"}}}}}});
    char input[1024] = "[";
    char expect[1024] = "[";
    for (int i = 0; i < 60; i++) {
        snprintf(input + strlen(input), sizeof input - strlen(input), "%s%d", i ? "," : "", 2 * i);
        snprintf(expect + strlen(expect), sizeof expect - strlen(expect), "%s%d", i ? "," : "", 3 * i);
    }
    strcat(input, "]");
    strcat(expect, "]");
    assert_int_equal(h_run(&h, asl, input), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), expect);
    assert_int_equal(h_peak_in_flight(&h), 1);
    char *ev = h_events(&h);
    assert_non_null(strstr(ev, "MapStateStarted MapIterationStarted:M ChoiceStateEntered:C ChoiceStateExited:C "
                               "PassStateEntered:P PassStateExited:P MapIterationSucceeded:M "
                               "MapIterationStarted:M ChoiceStateEntered:C"));
    free(ev);
    h_free(&h);
    /* item 3 fails: items 0-3 started, none after, nothing to abort */
    assert_int_equal(h_run(&h, asl, "[0,1,2,-1,4,5,6,7,8,9]"), RT_FAILED);
    assert_string_equal(h.x.error, "Item.Failed");
    assert_int_equal(h_count_events(&h, "MapIterationStarted"), 4);
    assert_int_equal(h_count_events(&h, "MapIterationSucceeded"), 3);
    assert_int_equal(h_count_events(&h, "MapIterationFailed"), 1);
    assert_int_equal(h_count_events(&h, "MapIterationAborted"), 0);
    h_free(&h);
}

static void blocking_iterations_overlap_40_items_of_1s_by_10_take_4s(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 10, "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}}}});
    char input[512] = "[";
    for (int i = 0; i < 40; i++)
        snprintf(input + strlen(input), sizeof input - strlen(input), "%s%d", i ? "," : "", i);
    strcat(input, "]");
    assert_int_equal(h_run_opts(&h, asl, input, RT_WAIT_REAL, 0, NULL), RT_SUCCEEDED);
    print_message("40 items x 1 s, MaxConcurrency 10, --wait real: %.2f s\n", h.seconds);
    assert_true(h.seconds >= 3.9 && h.seconds < 5.0);
    assert_int_equal(h_peak_in_flight(&h), 10);
    h_free(&h);
}

static void item_selector_sees_map_item_index_and_value(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.list", "End": true,
        "ItemSelector": {"idx.$": "$$.Map.Item.Index", "val.$": "$$.Map.Item.Value", "tag.$": "$.tag", "k": 1},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, asl, "{\"tag\":\"t\",\"list\":[\"a\",{\"b\":2}]}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"idx\":0,\"val\":\"a\",\"tag\":\"t\",\"k\":1},"
                                   "{\"idx\":1,\"val\":{\"b\":2},\"tag\":\"t\",\"k\":1}]");
    h_free(&h);
}

/* ... but items that take long (here a Choice + Pass loop that builds a
 * 1,000-item array per turn) get helper threads on a machine with several CPUs. */
static void long_iterations_that_cannot_block_get_helpers(void **state)
{
    (void)state;
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        print_message("one CPU: no helpers to expect\n");
        return;
    }
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 0, "End": true,
        "ItemSelector": {"i": 0, "n.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "S"}],
                  "Default": "D"},
            "S": {"Type": "Pass", "Next": "C", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n",
                  "k.$": "States.ArrayLength(States.ArrayRange(1, 1000, 1))"}},
            "D": {"Type": "Pass", "OutputPath": "$.i", "End": true}}}}}});
    const char *items = "[150,151,152,153,154,155,156,157,158,159,160,161]";
    assert_int_equal(h_run(&h, asl, items), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), items);
    int peak = h_peak_in_flight(&h);
    print_message("12 items of some 300 transitions building 1,000-item arrays: peak %d in flight\n", peak);
    assert_true(peak >= 2);
    h_free(&h);
}

/* $$.Map is updated in place from item to item, Value referring to the
 * item: every kind of item, and the whole $$.Map copied out, come out
 * right for every index. */
static void map_item_context_is_right_for_every_item_and_kind(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemSelector": {"m.$": "$$.Map", "v.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, asl, "[{\"a\":[1,2]},[3,{}],\"s\",4.5,-7,null,true,{},8,9]"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h),
        "[{\"m\":{\"Item\":{\"Index\":0,\"Value\":{\"a\":[1,2]},\"Source\":\"STATE_DATA\"}},\"v\":{\"a\":[1,2]}},"
        "{\"m\":{\"Item\":{\"Index\":1,\"Value\":[3,{}],\"Source\":\"STATE_DATA\"}},\"v\":[3,{}]},"
        "{\"m\":{\"Item\":{\"Index\":2,\"Value\":\"s\",\"Source\":\"STATE_DATA\"}},\"v\":\"s\"},"
        "{\"m\":{\"Item\":{\"Index\":3,\"Value\":4.5,\"Source\":\"STATE_DATA\"}},\"v\":4.5},"
        "{\"m\":{\"Item\":{\"Index\":4,\"Value\":-7,\"Source\":\"STATE_DATA\"}},\"v\":-7},"
        "{\"m\":{\"Item\":{\"Index\":5,\"Value\":null,\"Source\":\"STATE_DATA\"}},\"v\":null},"
        "{\"m\":{\"Item\":{\"Index\":6,\"Value\":true,\"Source\":\"STATE_DATA\"}},\"v\":true},"
        "{\"m\":{\"Item\":{\"Index\":7,\"Value\":{},\"Source\":\"STATE_DATA\"}},\"v\":{}},"
        "{\"m\":{\"Item\":{\"Index\":8,\"Value\":8,\"Source\":\"STATE_DATA\"}},\"v\":8},"
        "{\"m\":{\"Item\":{\"Index\":9,\"Value\":9,\"Source\":\"STATE_DATA\"}},\"v\":9}]");
    h_free(&h);
    const char *jn = ASL({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "Items": "{% $states.input.list %}",
        "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}", "v": "{% $states.context.Map.Item.Value %}"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, jn, "{\"list\":[\"x\",[1],{\"k\":2}]}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"i\":0,\"v\":\"x\"},{\"i\":1,\"v\":[1]},{\"i\":2,\"v\":{\"k\":2}}]");
    h_free(&h);
    /* an object's pairs: Key too, and a number after a string (the fast
     * path's in-place updates of Key, Value and Source) */
    assert_int_equal(h_run(&h, "{\"StartAt\": \"M\", \"States\": {\"M\": {\"Type\": \"Map\", \"End\": true, "
                               "\"ItemsPath\": \"$.o\", \"ItemSelector\": {\"m.$\": \"$$.Map\"}, "
                               "\"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", "
                               "\"End\": true}}}}}}",
                         "{\"o\":{\"z\":1,\"a\":2,\"s\":\"t\",\"n\":3,\"o\":{\"p\":[]},\"last\":null}}"),
                     RT_SUCCEEDED);
    assert_string_equal(h_out(&h),
        "[{\"m\":{\"Item\":{\"Index\":0,\"Key\":\"z\",\"Value\":1,\"Source\":\"STATE_DATA\"}}},"
        "{\"m\":{\"Item\":{\"Index\":1,\"Key\":\"a\",\"Value\":2,\"Source\":\"STATE_DATA\"}}},"
        "{\"m\":{\"Item\":{\"Index\":2,\"Key\":\"s\",\"Value\":\"t\",\"Source\":\"STATE_DATA\"}}},"
        "{\"m\":{\"Item\":{\"Index\":3,\"Key\":\"n\",\"Value\":3,\"Source\":\"STATE_DATA\"}}},"
        "{\"m\":{\"Item\":{\"Index\":4,\"Key\":\"o\",\"Value\":{\"p\":[]},\"Source\":\"STATE_DATA\"}}},"
        "{\"m\":{\"Item\":{\"Index\":5,\"Key\":\"last\",\"Value\":null,\"Source\":\"STATE_DATA\"}}}]");
    h_free(&h);
}

/* Items that are a JSON object: one iteration per pair, in order, with an
 * ItemSelector (JSONPath and JSONata, inline and distributed); an empty
 * object gives []; without an ItemSelector, States.Runtime says why. */
static void an_object_is_iterated_pair_by_pair_with_an_item_selector(void **state)
{
    (void)state;
    harness h;
    const char *jp = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.prices",
        "ItemSelector": {"sku.$": "$$.Map.Item.Key", "price.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index",
                         "cur.$": "$.currency"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, jp, "{\"currency\":\"EUR\",\"prices\":{\"b\":2,\"a\":1.5}}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"sku\":\"b\",\"price\":2,\"i\":0,\"cur\":\"EUR\"},"
                                   "{\"sku\":\"a\",\"price\":1.5,\"i\":1,\"cur\":\"EUR\"}]");
    h_free(&h);
    assert_int_equal(h_run(&h, jp, "{\"currency\":\"EUR\",\"prices\":{}}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[]");
    h_free(&h);

    const char *jn = ASL({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "Items": "{% $states.input.prices %}",
        "ItemSelector": {"sku": "{% $states.context.Map.Item.Key %}", "price": "{% $states.context.Map.Item.Value %}",
                         "i": "{% $states.context.Map.Item.Index %}"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, jn, "{\"prices\":{\"b\":2,\"a\":{\"x\":1}}}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"sku\":\"b\",\"price\":2,\"i\":0},{\"sku\":\"a\",\"price\":{\"x\":1},\"i\":1}]");
    h_free(&h);

    const char *dist = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.o",
        "ItemSelector": {"k.$": "$$.Map.Item.Key", "v.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, dist, "{\"o\":{\"x\":[1],\"y\":\"z\"}}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"k\":\"x\",\"v\":[1]},{\"k\":\"y\",\"v\":\"z\"}]");
    h_free(&h);

    const char *bare = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.o",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, bare, "{\"o\":{\"a\":1}}"), RT_FAILED);
    assert_string_equal(h.x.error, "States.Runtime");
    assert_non_null(strstr(h.x.cause, "are a JSON object. aslc iterates an object's key-value pairs only with an "
                                      "ItemSelector, because AWS does not document"));
    assert_non_null(strstr(h.x.cause, "\"key.$\": \"$$.Map.Item.Key\""));
    char *ev = h_events(&h);
    assert_string_equal(ev, "ExecutionStarted MapStateEntered:M ExecutionFailed");
    free(ev);
    h_free(&h);
}

static void legacy_iterator_and_parameters_work_like_the_new_fields(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "Parameters": {"v.$": "$$.Map.Item.Value"},
        "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, asl, "[1,2]"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"v\":1},{\"v\":2}]");
    h_free(&h);
}

static void items_path_must_select_an_array_or_an_object(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.x", "End": true,
        "ItemSelector": {"v.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, asl, "{\"x\":\"foo\"}"), RT_FAILED);
    assert_string_equal(h.x.error, "States.Runtime");
    assert_string_equal(h.x.cause, "An error occurred while executing the state 'M' (entered at the event id #2). "
                                   "Map state input must be an array but was: \"foo\"");
    h_free(&h);
    assert_int_equal(h_run(&h, asl, "{\"x\":7}"), RT_FAILED);
    assert_string_equal(h.x.cause, "An error occurred while executing the state 'M' (entered at the event id #2). "
                                   "Map state input must be an array but was: 7");
    h_free(&h);
    /* JSONata without an ItemSelector: AWS's recorded error for an object */
    const char *jn = ASL({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "Items": "{% $states.input.o %}",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, jn, "{\"o\":{\"foo\":\"bar\"}}"), RT_FAILED);
    assert_string_equal(h.x.error, "States.QueryEvaluationError");
    assert_non_null(strstr(h.x.cause, "Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"));
    h_free(&h);
}

static void max_concurrency_path_reads_the_input_and_rejects_non_integers(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.v",
        "MaxConcurrencyPath": "$.mc", "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}}}});
    assert_int_equal(h_run_opts(&h, asl, "{\"mc\":2,\"v\":[1,2,3,4,5,6]}", RT_WAIT_SCALE, 0.01, NULL),
                     RT_SUCCEEDED);
    assert_int_equal(h_peak_in_flight(&h), 2);
    h_free(&h);
    assert_int_equal(h_run(&h, asl, "{\"mc\":1.5,\"v\":[1]}"), RT_FAILED);
    assert_string_equal(h.x.cause, "An error occurred while executing the state 'M' (entered at the event id #2). "
                                   "The MaxConcurrencyPath field refers to value \"1.5\" which is not a valid "
                                   "integer: $.mc");
    char *ev = h_events(&h);
    assert_string_equal(ev, "ExecutionStarted MapStateEntered:M ExecutionFailed");
    free(ev);
    h_free(&h);
}

static void the_first_failing_item_fails_the_map_and_aborts_the_others(void **state)
{
    (void)state;
    harness h;
    /* item 2 fails after 20 s (200 ms scaled: long enough for the other
     * three of the first four to have started on a loaded machine, where
     * 10 ms was not); the others would wait 1000 s */
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 4, "End": true,
        "ItemProcessor": {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Soon"}],
                  "Default": "Long"},
            "Long": {"Type": "Wait", "Seconds": 1000, "End": true},
            "Soon": {"Type": "Wait", "Seconds": 20, "Next": "F"},
            "F": {"Type": "Fail", "Error": "Item.Failed", "Cause": "item 2"}}}}}});
    assert_int_equal(h_run_opts(&h, asl, "[0,1,2,3,4,5,6,7]", RT_WAIT_SCALE, 0.01, NULL), RT_FAILED);
    print_message("failed and stopped after %.0f ms\n", h.seconds * 1000);
    assert_true(h.seconds < 2.0);
    assert_string_equal(h.x.error, "Item.Failed");
    assert_string_equal(h.x.cause, "item 2");
    assert_int_equal(h_count_events(&h, "MapIterationFailed"), 1);
    assert_int_equal(h_count_events(&h, "MapIterationAborted"), 3);
    assert_int_equal(h_count_events(&h, "MapIterationStarted"), 4); /* none started after */
    assert_int_equal(h_count_events(&h, "MapStateFailed"), 1);
    h_free(&h);
}

static void retry_runs_the_map_again_and_catch_routes_its_error(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {
        "M": {"Type": "Map", "Next": "Done",
              "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2}],
              "Catch": [{"ErrorEquals": ["E"], "ResultPath": "$.error", "Next": "Caught"}],
              "ItemsPath": "$.items",
              "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Pass", "End": true}}});
    assert_int_equal(h_run(&h, asl, "{\"items\":[1]}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "{\"items\":[1],\"error\":{\"Error\":\"E\",\"Cause\":\"c\"}}");
    assert_int_equal(h_count_events(&h, "MapStateStarted"), 3);
    char *ev = h_events(&h);
    assert_non_null(strstr(ev, "MapIterationFailed:M MapStateFailed MapStateExited:M PassStateEntered:Caught"));
    free(ev);
    h_free(&h);
}

/* A Task that never answers (tests/handlers/hang.sh), for the heartbeats. */
static const char *const HANG = "{\"resources\":{\"arn:aws:states:::sqs:*\":{\"exec\":[\"%H/hang.sh\"]}}}";

static void an_iteration_tasks_missed_heartbeat_is_retried_and_caught_at_the_map(void **state)
{
    (void)state;
    harness h;
    /* The iteration's error is the Task's States.Timeout of a missed
     * heartbeat: the Map's States.HeartbeatTimeout retrier and catcher
     * both take it, as the Task's own would. */
    const char *asl = ASL({"StartAt": "M", "States": {
        "M": {"Type": "Map", "Next": "Done", "ItemsPath": "$.items",
              "Retry": [{"ErrorEquals": ["States.HeartbeatTimeout"], "MaxAttempts": 1}],
              "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.error", "Next": "Caught"}],
              "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
                  "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 1,
                  "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}}}}},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Pass", "End": true}}});
    assert_int_equal(h_run_bound(&h, asl, "{\"items\":[1]}", HANG), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "{\"items\":[1],\"error\":{\"Error\":\"States.Timeout\",\"Cause\":\"\"}}");
    assert_int_equal(h_count_events(&h, "MapStateStarted"), 2);
    char *ev = h_events(&h);
    assert_non_null(strstr(ev, "TaskTimedOut TaskStateAborted MapIterationFailed:M MapStateFailed "
                               "MapStateExited:M PassStateEntered:Caught"));
    free(ev);
    h_free(&h);
}

static void a_distributed_childs_missed_heartbeat_is_only_a_failed_child(void **state)
{
    (void)state;
    harness h;
    /* A child execution's failure counts against the tolerated failures;
     * the Map's own error is States.ExceedToleratedFailureThreshold, which
     * a States.HeartbeatTimeout catcher does not take. */
    const char *asl = ASL({"StartAt": "M", "States": {
        "M": {"Type": "Map", "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Done"}],
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                  "StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
                  "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 1,
                  "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}}}}},
        "Done": {"Type": "Succeed"}}});
    assert_int_equal(h_run_bound(&h, asl, "[1]", HANG), RT_FAILED);
    assert_string_equal(h.x.error, "States.ExceedToleratedFailureThreshold");
    h_free(&h);
}

static void an_empty_array_gives_an_empty_result_without_iterations(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, asl, "[]"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[]");
    char *ev = h_events(&h);
    assert_string_equal(ev, "ExecutionStarted MapStateEntered:M MapStateStarted MapStateSucceeded "
                            "MapStateExited:M ExecutionSucceeded");
    free(ev);
    h_free(&h);
}

static void history_events_carry_length_name_index_and_links(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1, "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, asl, "[\"a\",\"b\"]"), RT_SUCCEEDED);
    cJSON *st = h_event(&h, 3);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(st, "mapStateStartedEventDetails");
    assert_int_equal(h_num(d, "length"), 2);
    cJSON_Delete(st);
    cJSON *it = h_event(&h, 7);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(it, "type")->valuestring, "MapIterationSucceeded");
    d = cJSON_GetObjectItemCaseSensitive(it, "mapIterationSucceededEventDetails");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(d, "name")->valuestring, "M");
    assert_int_equal(h_num(d, "index"), 0);
    cJSON_Delete(it);
    /* the second iteration starts from MapStateStarted (#3), not from #7 */
    cJSON *second = h_event(&h, 8);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(second, "type")->valuestring, "MapIterationStarted");
    assert_int_equal(h_num(second, "previousEventId"), 3);
    cJSON_Delete(second);
    h_free(&h);
}

/* ---- memory: live cJSON bytes, through counting hooks ---------------------- */

static long live_bytes, peak_bytes;

static void *count_malloc(size_t n)
{
    void *p = malloc(n);
    if (p) {
        long now = __atomic_add_fetch(&live_bytes, (long)malloc_usable_size(p), __ATOMIC_RELAXED);
        long peak = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED);
        while (now > peak && !__atomic_compare_exchange_n(&peak_bytes, &peak, now, false,
                                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
    }
    return p;
}

static void count_free(void *p)
{
    if (p)
        __atomic_sub_fetch(&live_bytes, (long)malloc_usable_size(p), __ATOMIC_RELAXED);
    free(p);
}

static void check_memory(const char *asl);

static void memory_follows_items_in_flight_not_the_item_count(void **state)
{
    (void)state;
    check_memory(ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 4, "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": true}}}}}}));
    /* iterations that read $$ do not copy the execution input either */
    check_memory(ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 4, "End": true,
        "ItemSelector": {"i.$": "$$.Map.Item.Index", "n.$": "$$.Execution.Name"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass",
            "Parameters": {"s.$": "$$.State.Name", "n.$": "$$.Execution.Name"}, "End": true}}}}}}));
}

static void check_memory(const char *asl)
{
    /* 2000 items of 2 KB (4 MB of input); each iteration returns 1. A
     * runtime that copied every item up front would hold another 4 MB. */
    size_t n = 2000, sz = 2048;
    char *input = malloc(n * (sz + 4) + 16), *p = input;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        memset(p, 'x', sz);
        p += sz;
        *p++ = '"';
    }
    strcpy(p, "]");
    harness h;
    memset(&h, 0, sizeof h);
    h.opt.wait_mode = RT_WAIT_SKIP;
    h.run.opt = &h.opt;
    h.x.run = &h.run;
    const asl_machine *m = h_compile(&h, asl);
    assert_non_null(m);
    cJSON *doc = cJSON_Parse(input);
    free(input);
    assert_non_null(doc);
    long before = __atomic_load_n(&live_bytes, __ATOMIC_RELAXED);
    __atomic_store_n(&peak_bytes, before, __ATOMIC_RELAXED);
    assert_int_equal(rt_run_machine(&h.x, m, doc, &h.output), RT_SUCCEEDED);
    long extra = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED) - before;
    /* the run keeps one copy of the input for $$.Execution.Input (4 MB);
     * beyond that only the items in flight and the results */
    print_message("input %zu KB; peak extra during the run %ld KB\n", n * sz / 1024, extra / 1024);
    assert_true(extra < (long)(n * sz) + 1024 * 1024);
    assert_int_equal(cJSON_GetArraySize(h.output), (int)n);
    h_free(&h);
}

/* ---- distributed Map --------------------------------------------------------- */

static void distributed_children_are_executions_of_their_own(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "Lbl", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
                "in.$": "$$.Execution.Input", "sm.$": "$$.StateMachine.Name", "name.$": "$$.Execution.Name"},
                "End": true}}}}}});
    assert_int_equal(h_run(&h, asl, "[10,20]"), RT_SUCCEEDED);
    const cJSON *first = cJSON_GetArrayItem(h.output, 0);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(first, "in")->valueint, 10);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "sm")->valuestring, "test/Lbl");
    assert_string_not_equal(cJSON_GetObjectItemCaseSensitive(first, "name")->valuestring, "test-run");
    /* the parent's history has the Map Run, not the children's events */
    char *ev = h_events(&h);
    assert_string_equal(ev, "ExecutionStarted MapStateEntered:M MapStateStarted MapRunStarted MapRunSucceeded "
                            "MapStateSucceeded MapStateExited:M ExecutionSucceeded");
    free(ev);
    h_free(&h);
}

static const char *tolerant_asl(const char *tolerance)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, ASL({"StartAt": "M", "States": {"M": {"Type": "Map", %s "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericLessThan": 0, "Next": "F"}],
                  "Default": "P"},
            "F": {"Type": "Fail", "Error": "Negative", "Cause": "below zero"},
            "P": {"Type": "Pass", "End": true}}}}}}), tolerance);
    return buf;
}

static void distributed_failures_are_tolerated_up_to_the_threshold(void **state)
{
    (void)state;
    harness h;
    const char *in = "[1,-1,2,-2,3,-3,4,5,6,7]"; /* 3 of 10 fail */
    assert_int_equal(h_run(&h, tolerant_asl("\"ToleratedFailureCount\": 3,"), in), RT_SUCCEEDED);
    assert_int_equal(cJSON_GetArraySize(h.output), 10);
    /* a failed child contributes its execution record */
    const cJSON *rec = cJSON_GetArrayItem(h.output, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(rec, "Status")->valuestring, "FAILED");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(rec, "Error")->valuestring, "Negative");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(rec, "Input")->valuestring, "-1");
    assert_int_equal(cJSON_GetArrayItem(h.output, 0)->valueint, 1);
    h_free(&h);

    assert_int_equal(h_run(&h, tolerant_asl("\"ToleratedFailureCount\": 2,"), in), RT_FAILED);
    assert_string_equal(h.x.error, "States.ExceedToleratedFailureThreshold");
    assert_string_equal(h.x.cause, "The specified tolerated failure threshold was exceeded");
    char *ev = h_events(&h);
    assert_non_null(strstr(ev, "MapRunStarted MapRunFailed MapStateFailed ExecutionFailed"));
    free(ev);
    h_free(&h);

    assert_int_equal(h_run(&h, tolerant_asl("\"ToleratedFailurePercentage\": 30,"), in), RT_SUCCEEDED);
    h_free(&h);
    assert_int_equal(h_run(&h, tolerant_asl("\"ToleratedFailurePercentage\": 29.9,"), in), RT_FAILED);
    h_free(&h);
    /* no tolerance given: none tolerated */
    assert_int_equal(h_run(&h, tolerant_asl(""), in), RT_FAILED);
    assert_string_equal(h.x.error, "States.ExceedToleratedFailureThreshold");
    h_free(&h);
}

static void item_batcher_groups_items_with_batch_input(void **state)
{
    (void)state;
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemBatcher": {"MaxItemsPerBatch": 3, "BatchInput": {"tag.$": "$.tag"}}, "ItemsPath": "$.v",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run(&h, asl, "{\"tag\":\"t\",\"v\":[1,2,3,4,5,6,7]}"), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"BatchInput\":{\"tag\":\"t\"},\"Items\":[1,2,3]},"
                                   "{\"BatchInput\":{\"tag\":\"t\"},\"Items\":[4,5,6]},"
                                   "{\"BatchInput\":{\"tag\":\"t\"},\"Items\":[7]}]");
    h_free(&h);
    /* by size: each item is 12 bytes ("xxxxxxxxxx" and a comma), the
     * frame {"Items":[]} 12: 50 bytes hold 3 items */
    const char *by_bytes = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemBatcher": {"MaxInputBytesPerBatch": 50},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "OutputPath": "$.Items", "End": true}}}}}});
    assert_int_equal(h_run(&h, by_bytes, "[\"xxxxxxxxxx\",\"xxxxxxxxxx\",\"xxxxxxxxxx\",\"xxxxxxxxxx\"]"),
                     RT_SUCCEEDED);
    assert_int_equal(cJSON_GetArraySize(h.output), 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetArrayItem(h.output, 0)), 3);
    h_free(&h);
}

/* A fresh temporary folder standing for S3 (removed by the caller with
 * rm -r through system(): tests only). */
static char *s3_dir(void)
{
    char tmpl[] = "/tmp/aslc-test-s3-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void put_file(const char *root, const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0777);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *get_file(const char *root, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void remove_dir(char *d)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

static char *reader_asl(const char *reader)
{
    static char buf[2048];
    snprintf(buf, sizeof buf, ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemReader": %s,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "End": true}}}}}}), reader);
    return buf;
}

static void item_reader_reads_csv_json_and_jsonl_from_the_s3_folder(void **state)
{
    (void)state;
    char *root = s3_dir();
    put_file(root, "data/in/rows.csv", "id,name,note\n1,Ann,\"hello, world\"\n2,Bob,\"say \"\"hi\"\"\"\n");
    put_file(root, "data/in/given.csv", "1|a\n2|b\n");
    put_file(root, "data/in/items.json", "{\"wrap\":{\"list\":[{\"a\":1},{\"a\":2},{\"a\":3}]}}");
    put_file(root, "data/in/items.jsonl", "{\"a\":1}\n\n{\"a\":2}\n");
    harness h;

    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Parameters": {"Bucket": "data", "Key.$": "$.key"}})), "{\"key\":\"in/rows.csv\"}", RT_WAIT_SKIP, 0, root),
        RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"id\":\"1\",\"name\":\"Ann\",\"note\":\"hello, world\"},"
                                   "{\"id\":\"2\",\"name\":\"Bob\",\"note\":\"say \\\"hi\\\"\"}]");
    h_free(&h);

    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["n", "l"],
                         "CSVDelimiter": "PIPE", "MaxItems": 1},
        "Parameters": {"Bucket": "data", "Key": "in/given.csv"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"n\":\"1\",\"l\":\"a\"}]");
    h_free(&h);

    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/wrap/list"},
        "Parameters": {"Bucket": "data", "Key": "in/items.json"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"a\":1},{\"a\":2},{\"a\":3}]");
    h_free(&h);

    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSONL"},
        "Parameters": {"Bucket": "data", "Key": "in/items.jsonl"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"a\":1},{\"a\":2}]");
    h_free(&h);

    /* a missing object, and one that leaves the root */
    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": "data", "Key": "in/none.json"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_FAILED);
    assert_string_equal(h.x.error, "States.ItemReaderFailed");
    h_free(&h);
    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": "data", "Key": "../../etc/passwd"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_FAILED);
    assert_string_equal(h.x.error, "States.ItemReaderFailed");
    h_free(&h);
    remove_dir(root);
}

/* AWS refuses a CSV header (first row or CSVHeaders) naming a column twice,
 * rather than letting the later column win. */
static void item_reader_fails_on_duplicate_csv_headers(void **state)
{
    (void)state;
    char *root = s3_dir();
    put_file(root, "data/dup.csv", "id,name,id\n1,Ann,2\n");
    put_file(root, "data/plain.csv", "1,a\n");
    harness h;

    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Parameters": {"Bucket": "data", "Key": "dup.csv"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_FAILED);
    assert_string_equal(h.x.error, "States.ItemReaderFailed");
    assert_string_equal(h.x.cause, "CSV headers cannot contain duplicates.");
    h_free(&h);

    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["k", "k"]},
        "Parameters": {"Bucket": "data", "Key": "plain.csv"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_FAILED);
    assert_string_equal(h.x.error, "States.ItemReaderFailed");
    assert_string_equal(h.x.cause, "CSV headers cannot contain duplicates.");
    h_free(&h);

    /* names differing only in case are distinct columns */
    put_file(root, "data/case.csv", "a,A\n1,2\n");
    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Parameters": {"Bucket": "data", "Key": "case.csv"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"a\":\"1\",\"A\":\"2\"}]");
    h_free(&h);
    remove_dir(root);
}

/* Stops the run [arg] (a harness) 100 ms from now, as StopExecution does. */
static void *stop_soon(void *arg)
{
    harness *h = arg;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    h->run.aborted = 1;
    return NULL;
}

/* Aborting the execution while a distributed Map's children run aborts
 * the Map Run too: MapRunAborted, not MapRunFailed. */
static void aborting_the_execution_aborts_the_map_run(void **state)
{
    (void)state;
    harness h;
    memset(&h, 0, sizeof h);
    h.opt.wait_mode = RT_WAIT_REAL;
    h.opt.execution_name = "test-run";
    h.opt.external_stop = true;
    h.run.opt = &h.opt;
    h.x.run = &h.run;
    const asl_machine *m = h_compile(&h, ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "W",
                          "States": {"W": {"Type": "Wait", "Seconds": 1000, "End": true}}}}}}));
    assert_non_null(m);
    h.opt.history = open_memstream(&h.history, &h.history_len);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stop_soon, &h), 0);
    double t0 = h_now();
    h.status = rt_run_machine(&h.x, m, cJSON_Parse("[1,2,3]"), &h.output);
    h.seconds = h_now() - t0;
    pthread_join(t, NULL);
    fclose(h.opt.history);
    h.opt.history = NULL;
    assert_int_equal(h.status, RT_ABORTED);
    assert_true(h.seconds < 5.0);
    assert_int_equal(h_count_events(&h, "MapRunStarted"), 1);
    assert_int_equal(h_count_events(&h, "MapRunAborted"), 1);
    assert_int_equal(h_count_events(&h, "MapRunFailed"), 0);
    assert_int_equal(h_count_events(&h, "ExecutionAborted"), 1);
    h_free(&h);
}

static void item_reader_lists_objects_and_reads_inventory_manifests(void **state)
{
    (void)state;
    char *root = s3_dir();
    put_file(root, "bkt/img/b.txt", "bb");
    put_file(root, "bkt/img/a.txt", "a");
    put_file(root, "bkt/other/c.txt", "c");
    put_file(root, "inv/data/part1.csv", "\"bkt\",\"img/a.txt\",\"1\"\n\"bkt\",\"img/b.txt\",\"2\"\n");
    put_file(root, "inv/manifest.json",
              "{\"sourceBucket\":\"bkt\",\"destinationBucket\":\"arn:aws:s3:::inv\",\"fileFormat\":\"CSV\","
              "\"fileSchema\":\"Bucket, Key, Size\",\"files\":[{\"key\":\"data/part1.csv\",\"size\":40}]}");
    harness h;
    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "bkt", "Prefix": "img/"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_SUCCEEDED);
    assert_int_equal(cJSON_GetArraySize(h.output), 2);
    const cJSON *a = cJSON_GetArrayItem(h.output, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "Key")->valuestring, "img/a.txt");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(a, "Size")->valueint, 1);
    /* md5("a") */
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "Etag")->valuestring,
                        "\"0cc175b9c0f1b6a831c399e269772661\"");
    h_free(&h);

    assert_int_equal(h_run_opts(&h, reader_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "MANIFEST"},
        "Parameters": {"Bucket": "inv", "Key": "manifest.json"}})), "{}", RT_WAIT_SKIP, 0, root),
        RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"Bucket\":\"bkt\",\"Key\":\"img/a.txt\",\"Size\":\"1\"},"
                                   "{\"Bucket\":\"bkt\",\"Key\":\"img/b.txt\",\"Size\":\"2\"}]");
    h_free(&h);
    remove_dir(root);
}

/* A reader Map whose ItemSelector shows each item's Source (and Index). */
static char *source_asl(const char *reader)
{
    static char buf[2048];
    snprintf(buf, sizeof buf, ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemReader": %s, "ItemSelector": {"s.$": "$$.Map.Item.Source", "i.$": "$$.Map.Item.Index"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "End": true}}}}}}), reader);
    return buf;
}

/* $$.Map.Item.Source: the object's URI for getObject, the bucket's for a
 * listing, and for a manifest the data file each item came from. */
static void item_source_says_where_each_read_item_came_from(void **state)
{
    (void)state;
    char *root = s3_dir();
    put_file(root, "data/in/items.json", "[1,2]");
    put_file(root, "data/in/rows.csv", "a\nx\n");
    put_file(root, "bkt/img/a.txt", "a");
    put_file(root, "bkt/img/b.txt", "b");
    put_file(root, "inv/data/part1.csv", "\"bkt\",\"img/a.txt\"\n");
    put_file(root, "inv/data/empty.csv", "");
    put_file(root, "inv/data/part2.csv", "\"bkt\",\"img/b.txt\"\n\"bkt\",\"img/c.txt\"\n");
    put_file(root, "inv/manifest.json",
              "{\"destinationBucket\":\"arn:aws:s3:::inv\",\"fileFormat\":\"CSV\",\"fileSchema\":\"Bucket, Key\","
              "\"files\":[{\"key\":\"data/part1.csv\"},{\"key\":\"data/empty.csv\"},{\"key\":\"data/part2.csv\"}]}");
    put_file(root, "ath/q/one.csv", "n\n1\n2\n");
    put_file(root, "ath/q/two.csv", "n\n3\n");
    put_file(root, "ath/q/manifest.csv", "s3://ath/q/one.csv\ns3://ath/q/two.csv\n");
    harness h;

    assert_int_equal(h_run_opts(&h, source_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"}, "Parameters": {"Bucket": "data", "Key": "in/items.json"}})),
        "{}", RT_WAIT_SKIP, 0, root), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"s\":\"S3://data/in/items.json\",\"i\":0},"
                                   "{\"s\":\"S3://data/in/items.json\",\"i\":1}]");
    h_free(&h);

    assert_int_equal(h_run_opts(&h, source_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV"}, "Parameters": {"Bucket": "data", "Key": "in/rows.csv"}})),
        "{}", RT_WAIT_SKIP, 0, root), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"s\":\"S3://data/in/rows.csv\",\"i\":0}]");
    h_free(&h);

    assert_int_equal(h_run_opts(&h, source_asl(ASL({"Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "bkt", "Prefix": "img/"}})), "{}", RT_WAIT_SKIP, 0, root), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"s\":\"S3://bkt\",\"i\":0},{\"s\":\"S3://bkt\",\"i\":1}]");
    h_free(&h);

    /* an inventory: the listed data files, an empty one among them */
    assert_int_equal(h_run_opts(&h, source_asl(ASL({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "MANIFEST"}, "Parameters": {"Bucket": "inv", "Key": "manifest.json"}})),
        "{}", RT_WAIT_SKIP, 0, root), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"s\":\"S3://inv/data/part1.csv\",\"i\":0},"
                                   "{\"s\":\"S3://inv/data/part2.csv\",\"i\":1},"
                                   "{\"s\":\"S3://inv/data/part2.csv\",\"i\":2}]");
    h_free(&h);

    /* Athena: each item's data file; in a JSONata Map too */
    assert_int_equal(h_run_opts(&h, ASL({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map",
        "End": true, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "MANIFEST", "ManifestType": "ATHENA_DATA"},
            "Arguments": {"Bucket": "ath", "Key": "q/manifest.csv"}},
        "ItemSelector": {"s": "{% $states.context.Map.Item.Source %}", "n": "{% $states.context.Map.Item.Value.n %}"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P",
                          "States": {"P": {"Type": "Pass", "End": true}}}}}}),
        "{}", RT_WAIT_SKIP, 0, root), RT_SUCCEEDED);
    assert_string_equal(h_out(&h), "[{\"s\":\"S3://ath/q/one.csv\",\"n\":\"1\"},{\"s\":\"S3://ath/q/one.csv\",\"n\":\"2\"},"
                                   "{\"s\":\"S3://ath/q/two.csv\",\"n\":\"3\"}]");
    h_free(&h);
    remove_dir(root);
}

static void result_writer_writes_the_files_aws_writes(void **state)
{
    (void)state;
    char *root = s3_dir();
    harness h;
    const char *asl = ASL({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ToleratedFailureCount": 1,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "out", "Prefix": "runs"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericLessThan": 0, "Next": "F"}],
                  "Default": "P"},
            "F": {"Type": "Fail", "Error": "Negative"},
            "P": {"Type": "Pass", "End": true}}}}}});
    assert_int_equal(h_run_opts(&h, asl, "[1,-1,2]", RT_WAIT_SKIP, 0, root), RT_SUCCEEDED);
    const cJSON *det = cJSON_GetObjectItemCaseSensitive(h.output, "ResultWriterDetails");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(det, "Bucket")->valuestring, "out");
    const char *key = cJSON_GetObjectItemCaseSensitive(det, "Key")->valuestring;
    assert_true(strncmp(key, "runs/", 5) == 0 && strstr(key, "/manifest.json"));
    const char *arn = cJSON_GetObjectItemCaseSensitive(h.output, "MapRunArn")->valuestring;
    assert_non_null(strstr(arn, ":mapRun:test/M:"));

    char rel[512];
    snprintf(rel, sizeof rel, "out/%s", key);
    char *mtext = get_file(root, rel);
    assert_non_null(mtext);
    cJSON *man = cJSON_Parse(mtext);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(man, "DestinationBucket")->valuestring, "out");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(man, "ResultFiles");
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(files, "SUCCEEDED");
    assert_int_equal(cJSON_GetArraySize(ok), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(files, "FAILED")), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(files, "PENDING")), 0);
    const char *skey = cJSON_GetObjectItemCaseSensitive(ok->child, "Key")->valuestring;
    assert_non_null(strstr(skey, "/SUCCEEDED_0.json"));
    snprintf(rel, sizeof rel, "out/%s", skey);
    char *stext = get_file(root, rel);
    assert_non_null(stext);
    assert_int_equal((long)strlen(stext), h_num(ok->child, "Size"));
    cJSON *recs = cJSON_Parse(stext);
    assert_int_equal(cJSON_GetArraySize(recs), 2);
    const cJSON *r0 = cJSON_GetArrayItem(recs, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r0, "Status")->valuestring, "SUCCEEDED");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r0, "Input")->valuestring, "1");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r0, "Output")->valuestring, "1");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(r0, "ExecutionArn"));
    cJSON_Delete(recs);
    cJSON_Delete(man);
    free(stext);
    free(mtext);
    h_free(&h);
    remove_dir(root);
}

int main(void)
{
    /* count cJSON's memory (before any cJSON allocation, and for good) */
    cJSON_Hooks hooks = {count_malloc, count_free};
    cJSON_InitHooks(&hooks);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(results_are_in_item_order),
        cmocka_unit_test(max_concurrency_is_honoured_exactly),
        cmocka_unit_test(max_concurrency_zero_runs_up_to_the_inline_limit_of_40),
        cmocka_unit_test(iterations_that_cannot_block_run_one_at_a_time_in_order),
        cmocka_unit_test(map_item_context_is_right_for_every_item_and_kind),
        cmocka_unit_test(long_iterations_that_cannot_block_get_helpers),
        cmocka_unit_test(blocking_iterations_overlap_40_items_of_1s_by_10_take_4s),
        cmocka_unit_test(item_selector_sees_map_item_index_and_value),
        cmocka_unit_test(legacy_iterator_and_parameters_work_like_the_new_fields),
        cmocka_unit_test(items_path_must_select_an_array_or_an_object),
        cmocka_unit_test(an_object_is_iterated_pair_by_pair_with_an_item_selector),
        cmocka_unit_test(max_concurrency_path_reads_the_input_and_rejects_non_integers),
        cmocka_unit_test(the_first_failing_item_fails_the_map_and_aborts_the_others),
        cmocka_unit_test(retry_runs_the_map_again_and_catch_routes_its_error),
        cmocka_unit_test(an_iteration_tasks_missed_heartbeat_is_retried_and_caught_at_the_map),
        cmocka_unit_test(a_distributed_childs_missed_heartbeat_is_only_a_failed_child),
        cmocka_unit_test(an_empty_array_gives_an_empty_result_without_iterations),
        cmocka_unit_test(history_events_carry_length_name_index_and_links),
        cmocka_unit_test(memory_follows_items_in_flight_not_the_item_count),
        cmocka_unit_test(distributed_children_are_executions_of_their_own),
        cmocka_unit_test(distributed_failures_are_tolerated_up_to_the_threshold),
        cmocka_unit_test(item_batcher_groups_items_with_batch_input),
        cmocka_unit_test(item_reader_reads_csv_json_and_jsonl_from_the_s3_folder),
        cmocka_unit_test(item_reader_fails_on_duplicate_csv_headers),
        cmocka_unit_test(aborting_the_execution_aborts_the_map_run),
        cmocka_unit_test(item_reader_lists_objects_and_reads_inventory_manifests),
        cmocka_unit_test(item_source_says_where_each_read_item_came_from),
        cmocka_unit_test(result_writer_writes_the_files_aws_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
