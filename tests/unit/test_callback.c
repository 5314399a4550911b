/*
 * test_callback.c - the task token registry (runtime/callback.c) and the
 * SendTask* API on it (runtime/callback_api.c): answers, heartbeats,
 * timeouts, prompt aborts, the activity queue, and AWS's errors for bad,
 * unknown and closed tokens.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dispatch.h"
#include "effects.h"
#include "rt.h"

static void make_token(char *t, char c)
{
    memset(t, c, RT_CB_TOKEN_LEN);
    t[RT_CB_TOKEN_LEN] = '\0';
}

static void sleep_ms(int ms)
{
    nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000},
              NULL);
}

static double ms_since(int64_t t0)
{
    return (double)(rt_mono_ns() - t0) / 1e6;
}

/* ---- a helper thread that answers, beats or aborts later ---- */
typedef struct later {
    const char *token;
    int delay_ms, beats, beat_ms;
    bool fail;
    rt_run *abort_run;
} later;

static void *later_main(void *p)
{
    later *l = p;
    for (int i = 0; i < l->beats; i++) {
        sleep_ms(l->beat_ms);
        assert_int_equal(rt_cb_heartbeat(l->token), RT_CB_OK);
    }
    sleep_ms(l->delay_ms);
    if (l->abort_run)
        l->abort_run->aborted = 1;
    else if (l->fail)
        assert_int_equal(rt_cb_answer(l->token, true, NULL, "E.rr", "why"), RT_CB_OK);
    else
        assert_int_equal(rt_cb_answer(l->token, false, "{\"a\":1}", NULL, NULL), RT_CB_OK);
    return NULL;
}

static void success_is_handed_to_the_waiter(void **state)
{
    (void)state;
    char tok[RT_CB_TOKEN_MAX];
    make_token(tok, 'a');
    rt_cb *c = rt_cb_open(tok, NULL, NULL);
    assert_non_null(c);
    later l = {.token = tok, .delay_ms = 50};
    pthread_t th;
    pthread_create(&th, NULL, later_main, &l);
    rt_limits lim = {0};
    rt_cb_result r;
    assert_int_equal(rt_cb_await(c, &lim, &r), RT_END_DONE);
    assert_false(r.failed);
    assert_string_equal(r.output, "{\"a\":1}");
    rt_cb_result_free(&r);
    pthread_join(th, NULL);
    rt_cb_close(c);
    /* a late answer: the task is gone */
    assert_int_equal(rt_cb_answer(tok, false, "{}", NULL, NULL), RT_CB_CLOSED);
    assert_int_equal(rt_cb_heartbeat(tok), RT_CB_CLOSED);
}

static void failure_carries_error_and_cause(void **state)
{
    (void)state;
    char tok[RT_CB_TOKEN_MAX];
    make_token(tok, 'b');
    rt_cb *c = rt_cb_open(tok, NULL, NULL);
    /* an answer before the wait starts is kept */
    assert_int_equal(rt_cb_answer(tok, true, NULL, "E.rr", "why"), RT_CB_OK);
    assert_int_equal(rt_cb_answer(tok, true, NULL, "E.rr", "why"), RT_CB_CLOSED);
    rt_limits lim = {0};
    rt_cb_result r;
    assert_int_equal(rt_cb_await(c, &lim, &r), RT_END_DONE);
    assert_true(r.failed);
    assert_string_equal(r.error, "E.rr");
    assert_string_equal(r.cause, "why");
    rt_cb_result_free(&r);
    rt_cb_close(c);
}

static void heartbeats_keep_the_task_alive_and_silence_times_it_out(void **state)
{
    (void)state;
    char tok[RT_CB_TOKEN_MAX];
    make_token(tok, 'c');
    rt_cb *c = rt_cb_open(tok, NULL, NULL);
    /* 5 beats 150 ms apart, heartbeat 600 ms: alive for 750 ms and more
     * (margins wide enough for a loaded machine) */
    later l = {.token = tok, .beats = 5, .beat_ms = 150, .delay_ms = 50};
    pthread_t th;
    pthread_create(&th, NULL, later_main, &l);
    rt_limits lim = {.heartbeat_ns = 600 * 1000000};
    rt_cb_result r;
    assert_int_equal(rt_cb_await(c, &lim, &r), RT_END_DONE);
    rt_cb_result_free(&r);
    pthread_join(th, NULL);
    rt_cb_close(c);

    make_token(tok, 'd');
    c = rt_cb_open(tok, NULL, NULL);
    int64_t t0 = rt_mono_ns();
    assert_int_equal(rt_cb_await(c, &lim, &r), RT_END_HEARTBEAT);
    double ms = ms_since(t0);
    assert_true(ms >= 590 && ms < 3000);
    rt_cb_close(c);
    assert_int_equal(rt_cb_answer(tok, false, "{}", NULL, NULL), RT_CB_CLOSED);
}

static void timeout_and_run_deadline_end_the_wait(void **state)
{
    (void)state;
    char tok[RT_CB_TOKEN_MAX];
    make_token(tok, 'e');
    rt_cb *c = rt_cb_open(tok, NULL, NULL);
    rt_limits lim = {.timeout_at = rt_mono_ns() + 150 * 1000000};
    rt_cb_result r;
    assert_int_equal(rt_cb_await(c, &lim, &r), RT_END_TIMEOUT);
    rt_cb_close(c);
    make_token(tok, 'f');
    c = rt_cb_open(tok, NULL, NULL);
    lim = (rt_limits){.run_deadline = rt_mono_ns() + 100 * 1000000,
                      .timeout_at = rt_mono_ns() + 5000 * 1000000LL};
    assert_int_equal(rt_cb_await(c, &lim, &r), RT_END_RUN_TIMEOUT);
    rt_cb_close(c);
}

static void an_abort_stops_the_wait_promptly(void **state)
{
    (void)state;
    char tok[RT_CB_TOKEN_MAX];
    make_token(tok, 'g');
    rt_cb *c = rt_cb_open(tok, NULL, NULL);
    rt_run run = {0};
    asl_exec x = {.run = &run};
    later l = {.token = tok, .delay_ms = 100, .abort_run = &run};
    pthread_t th;
    pthread_create(&th, NULL, later_main, &l);
    rt_limits lim = {.x = &x};
    rt_cb_result r;
    int64_t t0 = rt_mono_ns();
    assert_int_equal(rt_cb_await(c, &lim, &r), RT_END_ABORTED);
    assert_true(ms_since(t0) < 1000); /* 100 ms, plus a 20 ms slice, plus load */
    pthread_join(th, NULL);
    rt_cb_close(c);
}

static void activity_tasks_are_taken_oldest_first(void **state)
{
    (void)state;
    const char *arn = "arn:aws:states:us-east-1:123456789012:activity:t";
    char t1[RT_CB_TOKEN_MAX], t2[RT_CB_TOKEN_MAX], got[RT_CB_TOKEN_MAX];
    char *input = NULL;
    /* nothing queued: the poll ends empty after its wait */
    int64_t t0 = rt_mono_ns();
    assert_false(rt_cb_take(arn, "w", 100 * 1000000, NULL, got, &input));
    assert_true(ms_since(t0) >= 90);
    make_token(t1, 'h');
    make_token(t2, 'i');
    rt_cb *c1 = rt_cb_open(t1, arn, "{\"n\":1}");
    rt_cb *c2 = rt_cb_open(t2, arn, "{\"n\":2}");
    /* another activity's poll does not see them */
    assert_false(rt_cb_take("arn:aws:states:us-east-1:123456789012:activity:u", "w", 0, NULL,
                            got, &input));
    assert_true(rt_cb_take(arn, "w1", 0, NULL, got, &input));
    assert_string_equal(got, t1);
    assert_string_equal(input, "{\"n\":1}");
    free(input);
    rt_limits lim = {0};
    char *worker = NULL;
    assert_int_equal(rt_cb_await_worker(c1, &lim, &worker), RT_END_DONE);
    assert_string_equal(worker, "w1");
    free(worker);
    assert_true(rt_cb_take(arn, "w2", 0, NULL, got, &input));
    assert_string_equal(got, t2);
    free(input);
    assert_false(rt_cb_take(arn, "w3", 0, NULL, got, &input));
    /* a stop flag ends a long poll at once */
    volatile int stop = 1;
    t0 = rt_mono_ns();
    assert_false(rt_cb_take(arn, "w", 10 * 1000000000LL, &stop, got, &input));
    assert_true(ms_since(t0) < 1000);
    rt_cb_close(c1);
    rt_cb_close(c2);
}

static void bad_tokens_and_outputs_are_refused(void **state)
{
    (void)state;
    char tok[RT_CB_TOKEN_MAX];
    make_token(tok, 'j');
    assert_int_equal(rt_cb_answer("short", false, "{}", NULL, NULL), RT_CB_BAD_TOKEN);
    assert_int_equal(rt_cb_heartbeat("has spaces and is not a token at all, no no no no no no!"),
                     RT_CB_BAD_TOKEN);
    assert_int_equal(rt_cb_answer(tok, false, "{}", NULL, NULL), RT_CB_UNKNOWN);
    rt_cb *c = rt_cb_open(tok, NULL, NULL);
    assert_int_equal(rt_cb_answer(tok, false, "{nope", NULL, NULL), RT_CB_BAD_OUTPUT);
    rt_cb_close(c);
}

/* rt_cb_api: [body] for [action] answers [status] with [needle] in it. */
static void expect_api(const char *action, const char *body, int status, const char *needle)
{
    char *reply = NULL;
    assert_int_equal(rt_cb_api(action, body, strlen(body), &reply), status);
    assert_non_null(reply);
    if (!strstr(reply, needle))
        fail_msg("%s %s: expected '%s' in %s", action, body, needle, reply);
    free(reply);
}

static void the_api_answers_with_aws_errors(void **state)
{
    (void)state;
    char *reply = NULL;
    assert_int_equal(rt_cb_api("StartExecution", "{}", 2, &reply), 0);
    assert_null(reply);
    expect_api("SendTaskSuccess", "[1]", 400, "\"__type\":\"SerializationException\"");
    expect_api("SendTaskSuccess", "{\"output\":\"{}\"}", 400, "Value null at 'taskToken'");
    expect_api("SendTaskSuccess", "{\"taskToken\":\"x\"}", 400, "Value null at 'output'");
    expect_api("SendTaskHeartbeat", "{\"taskToken\":5}", 400, "SerializationException");
    expect_api("SendTaskHeartbeat", "{\"taskToken\":\"\"}", 400, "ValidationException");
    expect_api("SendTaskFailure", "{\"taskToken\":\"x\"}", 400, "\"__type\":\"InvalidToken\"");
    char body[200], tok[RT_CB_TOKEN_MAX];
    make_token(tok, 'k');
    snprintf(body, sizeof body, "{\"taskToken\":\"%s\"}", tok);
    expect_api("SendTaskHeartbeat", body, 400, "TaskDoesNotExist");
    rt_cb *c = rt_cb_open(tok, NULL, NULL);
    expect_api("SendTaskHeartbeat", body, 200, "{}");
    snprintf(body, sizeof body, "{\"taskToken\":\"%s\",\"output\":\"{x\"}", tok);
    expect_api("SendTaskSuccess", body, 400, "InvalidOutput");
    snprintf(body, sizeof body, "{\"taskToken\":\"%s\",\"error\":\"E\"}", tok);
    expect_api("SendTaskFailure", body, 200, "{}");
    expect_api("SendTaskFailure", body, 400, "Task Timed Out: 'Provided task does not exist anymore'");
    rt_cb_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(success_is_handed_to_the_waiter),
        cmocka_unit_test(failure_carries_error_and_cause),
        cmocka_unit_test(heartbeats_keep_the_task_alive_and_silence_times_it_out),
        cmocka_unit_test(timeout_and_run_deadline_end_the_wait),
        cmocka_unit_test(an_abort_stops_the_wait_promptly),
        cmocka_unit_test(activity_tasks_are_taken_oldest_first),
        cmocka_unit_test(bad_tokens_and_outputs_are_refused),
        cmocka_unit_test(the_api_answers_with_aws_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
