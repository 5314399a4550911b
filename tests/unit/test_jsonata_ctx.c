/*
 * test_jsonata_ctx.c - the JSONata evaluation context: arena allocation
 * (zeroed, aligned, many chunks, ceiling), first error wins, the guard's
 * depth / time limits and the always-on safety depth, one $now per
 * evaluation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "jsonata_ctx.h"

static void alloc_zeroed_aligned(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    for (int i = 0; i < 100000; i++) {
        unsigned char *p = jn_alloc(&cx, (size_t)(i % 97) + 1);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (int k = 0; k < i % 97 + 1; k++)
            assert_int_equal(p[k], 0);
        p[0] = 0xff;
    }
    char *big = jn_alloc(&cx, 1 << 20);
    big[(1 << 20) - 1] = 1;
    char *s = jn_strndup(&cx, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_false(jn_failed(&cx));
    jn_ctx_free(&cx);
}

static void alloc_ceiling_fails(void **state)
{
    (void)state;
    jn_guard g = {.max_bytes = 100000};
    jn_ctx cx;
    jn_ctx_init(&cx, &g);
    char *p = jn_alloc(&cx, 200000);
    memset(p, 1, 200000);   /* served in full even past the ceiling */
    assert_true(jn_failed(&cx));
    assert_string_equal(jn_ctx_error(&cx)->code, "D1011");
    jn_ctx_free(&cx);
}

static void first_error_wins(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    assert_false(jn_failed(&cx));
    assert_int_equal(jn_ctx_error(&cx)->position, -1);
    jn_ctx_set_error(&cx, "T2001", 3, "+", "first");
    jn_ctx_set_error(&cx, "D1001", 9, "x", "second");
    assert_true(jn_failed(&cx));
    assert_string_equal(jn_ctx_error(&cx)->code, "T2001");
    assert_int_equal(jn_ctx_error(&cx)->position, 3);
    assert_string_equal(jn_ctx_error(&cx)->token, "+");
    assert_string_equal(jn_ctx_error(&cx)->message, "first");
    jn_ctx_free(&cx);
}

static void depth_limit(void **state)
{
    (void)state;
    jn_guard g = {.depth_limit = 302};
    jn_ctx cx;
    jn_ctx_init(&cx, &g);
    for (int i = 0; i < 302; i++)
        assert_true(jn_enter(&cx));
    assert_false(jn_enter(&cx));
    assert_string_equal(jn_ctx_error(&cx)->code, "U1001");
    jn_ctx_free(&cx);
}

static void safety_depth_always_on(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    int ok = 0;
    while (jn_enter(&cx))
        ok++;
    assert_int_equal(ok, JN_SAFETY_DEPTH);
    assert_string_equal(jn_ctx_error(&cx)->code, "U1001");
    jn_ctx_free(&cx);
}

static void time_limit(void **state)
{
    (void)state;
    jn_guard g = {.time_limit_ms = 20};
    jn_ctx cx;
    jn_ctx_init(&cx, &g);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long n = 0;
    while (jn_tick(&cx))
        n++;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double ms = (double)(t.tv_sec - t0.tv_sec) * 1000.0 + (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
    assert_true(ms >= 20.0 && ms < 2000.0);
    assert_true(n > 0);
    assert_string_equal(jn_ctx_error(&cx)->code, "U1001");
    jn_ctx_free(&cx);
}

static void now_fixed_per_evaluation(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    double a = jn_now_ms(&cx);
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
    assert_true(a > 1.6e12);
    assert_true(a == jn_now_ms(&cx));
    assert_true(a == (double)(long long)a);
    jn_ctx_free(&cx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_zeroed_aligned),
        cmocka_unit_test(alloc_ceiling_fails),
        cmocka_unit_test(first_error_wins),
        cmocka_unit_test(depth_limit),
        cmocka_unit_test(safety_depth_always_on),
        cmocka_unit_test(time_limit),
        cmocka_unit_test(now_fixed_per_evaluation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
