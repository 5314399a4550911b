/*
 * test_mock.c - the Step Functions Local mock configuration (runtime/mock.c):
 * invocation keys and ranges, counting per state (retries included), what
 * happens past the mocked range, and every shape problem the file can have,
 * each reported before a run starts.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dispatch.h"
#include "effects.h"
#include "engine.h"
#include "rt.h"
#include "values.h"

/* Writes [text] to a fresh temporary file; returns its malloc'd path. */
static char *temp_file(const char *text)
{
    char *path = strdup("/tmp/aslc-test-mock-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* Loads [text] as machine "M", test case "T"; returns the mocks or 0 with
 * the message in *err. */
static rt_mocks *load(const char *text, char **err)
{
    char *path = temp_file(text);
    rt_mocks *m = rt_mocks_load(path, "M", false, "T", NULL, 0, err);
    unlink(path);
    free(path);
    return m;
}

static const char *const ORDERS =
    "{\"StateMachines\":{\"M\":{\"TestCases\":{\"T\":{\"Charge\":\"ChargeMock\","
    "\"Ship\":\"ShipMock\"}}}},"
    "\"MockedResponses\":{"
    "\"ChargeMock\":{\"0\":{\"Throw\":{\"Error\":\"Payment.Declined\",\"Cause\":\"card\"}},"
    "\"1-2\":{\"Throw\":{\"Error\":\"Lambda.TimeoutException\"}},"
    "\"3\":{\"Return\":{\"charged\":true}}},"
    "\"ShipMock\":{\"0\":{\"Return\":\"parcel-1\"}},"
    "\"Unused\":{\"bad key\":{\"Nothing\":1}}}}";

static void mock_answers_invocations_in_order_with_ranges(void **state)
{
    (void)state;
    char *err = NULL;
    rt_mocks *m = load(ORDERS, &err);
    assert_non_null(m);
    assert_null(err);
    rt_mock_answer a = rt_mocks_next(m, "Charge");
    assert_int_equal(a.kind, RT_MOCK_THROW);
    assert_string_equal(a.error, "Payment.Declined");
    assert_string_equal(a.cause, "card");
    assert_int_equal(a.invocation, 0);
    for (int i = 1; i <= 2; i++) {
        a = rt_mocks_next(m, "Charge");
        assert_int_equal(a.kind, RT_MOCK_THROW);
        assert_string_equal(a.error, "Lambda.TimeoutException");
        assert_null(a.cause); /* a Throw may leave Cause out */
        assert_int_equal(a.invocation, i);
    }
    a = rt_mocks_next(m, "Charge");
    assert_int_equal(a.kind, RT_MOCK_RETURN);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a.value, "charged")));
    rt_mocks_free(m);
}

static void mock_counts_each_state_on_its_own(void **state)
{
    (void)state;
    char *err = NULL;
    rt_mocks *m = load(ORDERS, &err);
    assert_non_null(m);
    assert_int_equal(rt_mocks_next(m, "Charge").invocation, 0);
    rt_mock_answer s = rt_mocks_next(m, "Ship");
    assert_int_equal(s.invocation, 0);
    assert_int_equal(s.kind, RT_MOCK_RETURN);
    assert_string_equal(s.value->valuestring, "parcel-1"); /* Return may be any JSON value */
    assert_int_equal(rt_mocks_next(m, "Charge").invocation, 1);
    rt_mocks_free(m);
}

static void mock_past_the_last_invocation_answers_none(void **state)
{
    (void)state;
    char *err = NULL;
    rt_mocks *m = load(ORDERS, &err);
    assert_non_null(m);
    rt_mocks_next(m, "Ship");
    rt_mock_answer a = rt_mocks_next(m, "Ship");
    assert_int_equal(a.kind, RT_MOCK_NONE);
    assert_int_equal(a.invocation, 1);
    assert_int_equal(a.covered, 1);
    assert_string_equal(a.response, "ShipMock");
    rt_mocks_free(m);
}

static void mock_invocation_in_a_gap_answers_none(void **state)
{
    (void)state;
    char *err = NULL;
    rt_mocks *m = load("{\"StateMachines\":{\"M\":{\"TestCases\":{\"T\":{\"A\":\"R\"}}}},"
                       "\"MockedResponses\":{\"R\":{\"0\":{\"Return\":1},\"2\":{\"Return\":3}}}}",
                       &err);
    assert_non_null(m);
    assert_int_equal(rt_mocks_next(m, "A").kind, RT_MOCK_RETURN);
    assert_int_equal(rt_mocks_next(m, "A").kind, RT_MOCK_NONE);
    rt_mock_answer a = rt_mocks_next(m, "A");
    assert_int_equal(a.kind, RT_MOCK_RETURN);
    assert_int_equal(a.value->valueint, 3);
    rt_mocks_free(m);
}

static void mock_knows_which_states_it_mocks(void **state)
{
    (void)state;
    char *err = NULL;
    rt_mocks *m = load(ORDERS, &err);
    assert_true(rt_mocks_has(m, "Charge"));
    assert_false(rt_mocks_has(m, "Notify"));
    assert_int_equal(rt_mocks_next(m, "Notify").kind, RT_MOCK_NONE);
    rt_mocks_free(m);
}

/* Loading [text] fails with a message containing [needle]. */
static void expect_rejected(const char *text, const char *needle)
{
    char *err = NULL;
    rt_mocks *m = load(text, &err);
    assert_null(m);
    assert_non_null(err);
    if (!strstr(err, needle))
        fail_msg("message '%s' lacks '%s'", err, needle);
    free(err);
}

#define CASE_WITH(resp)                                                                    \
    "{\"StateMachines\":{\"M\":{\"TestCases\":{\"T\":{\"A\":\"R\"}}}},\"MockedResponses\":{" \
    "\"R\":" resp "}}"

static void mock_rejects_bad_invocation_keys(void **state)
{
    (void)state;
    expect_rejected(CASE_WITH("{\"one\":{\"Return\":1}}"), "invalid invocation key \"one\"");
    expect_rejected(CASE_WITH("{\"2-1\":{\"Return\":1}}"), "invalid invocation key \"2-1\"");
    expect_rejected(CASE_WITH("{\"-1\":{\"Return\":1}}"), "invalid invocation key");
    expect_rejected(CASE_WITH("{\"0-2\":{\"Return\":1},\"2\":{\"Return\":2}}"),
                    "invocation 2 is mocked twice");
}

static void mock_rejects_bad_entries(void **state)
{
    (void)state;
    expect_rejected(CASE_WITH("{\"0\":{\"Return\":1,\"Throw\":{\"Error\":\"E\"}}}"),
                    "exactly one of \"Return\" and \"Throw\"");
    expect_rejected(CASE_WITH("{\"0\":{}}"), "exactly one of");
    expect_rejected(CASE_WITH("{\"0\":{\"Returns\":1}}"), "unknown field \"Returns\"");
    expect_rejected(CASE_WITH("{\"0\":{\"Throw\":{\"Cause\":\"c\"}}}"), "needs an \"Error\"");
    expect_rejected(CASE_WITH("{\"0\":{\"Throw\":{\"Error\":\"E\",\"Cause\":5}}}"),
                    "\"Cause\" must be a string");
    expect_rejected(CASE_WITH("{\"0\":{\"Throw\":\"E\"}}"), "\"Throw\" must be an object");
    expect_rejected(CASE_WITH("[]"), "must be an object of invocation numbers");
}

static void mock_names_what_is_missing(void **state)
{
    (void)state;
    expect_rejected("{\"StateMachines\":{\"Other\":{\"TestCases\":{}}}}",
                    "no state machine 'M' (this machine's name) (it has: 'Other'); choose one "
                    "with --state-machine NAME");
    expect_rejected("{\"StateMachines\":{\"M\":{\"TestCases\":{\"Happy\":{},\"Sad\":{}}}}}",
                    "has no test case 'T' (it has: 'Happy', 'Sad')");
    expect_rejected("{\"StateMachines\":{\"M\":{\"TestCases\":{\"T\":{\"A\":\"Nope\"}}}},"
                    "\"MockedResponses\":{}}",
                    "no mocked response named 'Nope'");
    expect_rejected("{\"StateMachines\":{\"M\":{\"TestCases\":{\"T\":{\"A\":\"R\",\"A\":\"R\"}}}},"
                    "\"MockedResponses\":{\"R\":{\"0\":{\"Return\":1}}}}",
                    "names state 'A' twice");
    expect_rejected("[1]", "expected a JSON object");
    expect_rejected("{\"StateMachines\":", "is not valid JSON");
}

static void mock_rejects_a_state_that_is_no_task(void **state)
{
    (void)state;
    static const asl_task_ref tasks[] = {{.state = "Charge", .resource = "arn:aws:states:::x:y"}};
    char *path = temp_file(ORDERS);
    char *err = NULL;
    rt_mocks *m = rt_mocks_load(path, "M", false, "T", tasks, 1, &err);
    assert_null(m);
    assert_non_null(strstr(err, "mocks 'Ship', which is not a Task state"));
    free(err);
    unlink(path);
    free(path);
}

static void mock_reports_an_unreadable_file(void **state)
{
    (void)state;
    char *err = NULL;
    assert_null(rt_mocks_load("/nonexistent/mock.json", "M", true, "T", NULL, 0, &err));
    assert_non_null(strstr(err, "cannot read mock config '/nonexistent/mock.json'"));
    free(err);
}

static void *count_many(void *arg)
{
    rt_mocks *m = arg;
    for (int i = 0; i < 250; i++)
        rt_mocks_next(m, "A");
    return NULL;
}

static void mock_counts_exactly_across_threads(void **state)
{
    (void)state;
    char *err = NULL;
    rt_mocks *m = load(CASE_WITH("{\"0-999\":{\"Return\":1},\"1000\":{\"Return\":2}}"), &err);
    assert_non_null(m);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, count_many, m);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    rt_mock_answer a = rt_mocks_next(m, "A");
    assert_int_equal(a.invocation, 1000);
    assert_int_equal(a.value->valueint, 2);
    rt_mocks_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mock_answers_invocations_in_order_with_ranges),
        cmocka_unit_test(mock_counts_each_state_on_its_own),
        cmocka_unit_test(mock_past_the_last_invocation_answers_none),
        cmocka_unit_test(mock_invocation_in_a_gap_answers_none),
        cmocka_unit_test(mock_knows_which_states_it_mocks),
        cmocka_unit_test(mock_rejects_bad_invocation_keys),
        cmocka_unit_test(mock_rejects_bad_entries),
        cmocka_unit_test(mock_names_what_is_missing),
        cmocka_unit_test(mock_rejects_a_state_that_is_no_task),
        cmocka_unit_test(mock_reports_an_unreadable_file),
        cmocka_unit_test(mock_counts_exactly_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
