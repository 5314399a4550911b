/*
 * test_jsonata_eval.c - the JSONata evaluator end to end (jsonata_parse +
 * jn_evaluate): Step Functions' own functions with the values recorded on
 * AWS ($partition, $range, $hash, $random, $uuid, $parse, no $eval), the
 * guards (runaway recursion, huge ranges, deep nesting, catastrophic
 * regexes, the time limit) and 100,000 evaluations without a leak.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "jsonata_ctx.h"
#include "jsonata_eval.h"
#include "jsonata_parse.h"

static char out[4096];

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Parses and evaluates [expr] over [input] (JSON text or NULL) with
 * [guard]; returns the result as compact JSON, "undefined", or
 * "ERR <code>" (syntax errors included). */
static const char *evalg(const char *expr, const char *input, const jn_guard *guard)
{
    arena a = {0};
    jsonata_syntax_error se;
    const asl_jnode *root = jsonata_parse(&a, expr, strlen(expr), &se);
    if (!root) {
        snprintf(out, sizeof out, "ERR %s", se.code);
        arena_free(&a);
        return out;
    }
    cJSON *in = input ? cJSON_Parse(input) : NULL;
    jn_ctx cx;
    jn_ctx_init(&cx, guard);
    jn_val *v = jn_evaluate(&cx, root, in, NULL, NULL);
    if (jn_failed(&cx)) {
        snprintf(out, sizeof out, "ERR %s %s", jn_ctx_error(&cx)->code,
                 jn_ctx_error(&cx)->message);
    } else if (!v) {
        snprintf(out, sizeof out, "undefined");
    } else {
        cJSON *j = jn_to_json(&cx, v);
        char *s = cJSON_PrintUnformatted(j);
        snprintf(out, sizeof out, "%s", s);
        free(s);
        cJSON_Delete(j);
    }
    jn_ctx_free(&cx);
    cJSON_Delete(in);
    arena_free(&a);
    return out;
}

static const char *eval(const char *expr) { return evalg(expr, NULL, NULL); }

static void starts(const char *got, const char *prefix)
{
    if (strncmp(got, prefix, strlen(prefix)) != 0)
        fail_msg("got '%s', expected it to start with '%s'", got, prefix);
}

static void test_partition(void **state)
{
    (void)state;
    assert_string_equal(eval("$partition([0,1,2], 2)"), "[[0,1],[2]]");
    assert_string_equal(eval("$partition([0,1,2], 5)"), "[[0,1,2]]");
    assert_string_equal(eval("$partition([0], 1)"), "[[0]]");
    assert_string_equal(eval("$partition([0,1], 1)"), "[[0],[1]]");
    assert_string_equal(evalg("$partition(a, b)", "{\"a\":[1,2,3,4],\"b\":2}", NULL),
                        "[[1,2],[3,4]]");
}

static void test_range(void **state)
{
    (void)state;
    assert_string_equal(eval("$range(0,9,3)"), "[0,3,6,9]");
    assert_string_equal(eval("$range(0,10,3)"), "[0,3,6,9]");
    assert_string_equal(eval("$range(1,9,2)"), "[1,3,5,7,9]");
    /* AWS: a one-item result comes back bare. */
    assert_string_equal(eval("$range(1,9,9)"), "1");
    assert_string_equal(evalg("$range(a.f, a.s, a.t)", "{\"a\":{\"f\":1,\"s\":9,\"t\":9}}", NULL),
                        "1");
}

static void test_hash(void **state)
{
    (void)state;
    assert_string_equal(eval("$hash('input data', 'MD5')"), "\"812f45842bc6d66ee14572ce20db8e86\"");
    assert_string_equal(eval("$hash('', 'MD5')"), "\"d41d8cd98f00b204e9800998ecf8427e\"");
    assert_string_equal(eval("$hash('abc', 'SHA-1')"),
                        "\"a9993e364706816aba3e25717850c26c9cd0d89d\"");
    assert_string_equal(eval("$hash('abc', 'SHA-256')"),
                        "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"");
    assert_string_equal(eval("$hash('abc', 'SHA-384')"),
                        "\"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                        "8086072ba1e7cc2358baeca134c825a7\"");
    assert_string_equal(eval("$hash('abc', 'SHA-512')"),
                        "\"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f\"");
    starts(eval("$hash('abc', 'SHA-999')"), "ERR D3202");
}

static void test_random(void **state)
{
    (void)state;
    char a[64];
    snprintf(a, sizeof a, "%s", eval("$random(42)"));
    assert_string_equal(eval("$random(42)"), a);
    assert_string_not_equal(eval("$random(43)"), a);
    for (int i = 0; i < 50; i++) {
        const char *r = eval("$random()");
        char *end;
        double d = strtod(r, &end);
        assert_true(*end == '\0' && end != r);
        assert_true(d >= 0 && d < 1);
    }
    assert_string_equal(eval("$random() = $random() ? 'x' : 'y'"), "\"y\"");
}

static void test_uuid(void **state)
{
    (void)state;
    const char *u = eval("$uuid()");
    assert_int_equal(strlen(u), 38);
    const char *s = u + 1;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(s[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", s[i]));
    }
    assert_int_equal(s[14], '4');
    assert_non_null(strchr("89ab", s[19]));
    char first[64];
    snprintf(first, sizeof first, "%s", u);
    assert_string_not_equal(eval("$uuid()"), first);
}

static void test_parse(void **state)
{
    (void)state;
    assert_string_equal(eval("$parse('-0')"), "0");
    assert_string_equal(eval("$parse('1.1')"), "1.1");
    assert_string_equal(eval("$parse('\"HelloWorld\"')"), "\"HelloWorld\"");
    assert_string_equal(eval("$parse('[1,\"a\",null,true]')"), "[1,\"a\",null,true]");
    assert_string_equal(eval("$parse('{\"a\":{\"b\":[1,2]}}').a.b[1]"), "2");
    starts(eval("$parse('{bad')"), "ERR D3201");
    starts(eval("$parse('')"), "ERR D3201");
}

static void test_eval_absent(void **state)
{
    (void)state;
    const char *r = eval("$eval('1+1')");
    starts(r, "ERR D3200");
    assert_non_null(strstr(r, "$parse"));
}

/* ---- guards -------------------------------------------------------------- */

static void test_runaway_recursion(void **state)
{
    (void)state;
    double t = now_ms();
    starts(eval("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))"),
           "ERR U1001");
    assert_true(now_ms() - t < 10000);
}

static void *recurse_thread(void *arg)
{
    snprintf(arg, 64, "%s", eval("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))"));
    return NULL;
}

/* Map iterations evaluate on pool threads with smaller stacks (2 MiB);
 * the guard must hold there too, not just on the main thread's 8 MiB. */
static void test_runaway_recursion_small_stack(void **state)
{
    (void)state;
    char got[64] = "";
    pthread_attr_t at;
    pthread_t t;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 1024 * 1024);
    assert_int_equal(pthread_create(&t, &at, recurse_thread, got), 0);
    pthread_join(t, NULL);
    pthread_attr_destroy(&at);
    starts(got, "ERR U1001");
}

static void test_tail_recursion(void **state)
{
    (void)state;
    assert_string_equal(eval("($f := function($n, $acc){ $n = 0 ? $acc : $f($n - 1, $acc + 1) };"
                             " $f(100000, 0))"),
                        "100000");
}

static void test_huge_range(void **state)
{
    (void)state;
    double t = now_ms();
    starts(eval("[1..1e9]"), "ERR D2014");
    assert_true(now_ms() - t < 1000);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    const char *chars = "[({";
    for (int k = 0; k < 3; k++) {
        size_t n = 100000;
        char *s = malloc(n + 1);
        memset(s, chars[k], n);
        s[n] = '\0';
        starts(eval(s), "ERR S");
        free(s);
    }
    /* Unary minus and nested function calls too. */
    char *s = malloc(300001);
    for (int i = 0; i < 100000; i++)
        memcpy(s + 3 * i, "$f(", 3);
    s[300000] = '\0';
    starts(eval(s), "ERR S");
    memset(s, '-', 100000);
    s[100000] = '1';
    s[100001] = '\0';
    const char *r = eval(s);
    assert_true(strcmp(r, "1") == 0 || strncmp(r, "ERR ", 4) == 0);
    free(s);
}

static void test_catastrophic_regex(void **state)
{
    (void)state;
    double t = now_ms();
    starts(eval("$match(\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\", /(a+)+$/)"), "ERR ");
    assert_true(now_ms() - t < 10000);
}

static void test_time_limit(void **state)
{
    (void)state;
    jn_guard g = {.time_limit_ms = 200};
    double t = now_ms();
    starts(evalg("( $f := function($n){$f($n+1)}; $f(0) )", NULL, &g), "ERR U1001");
    double took = now_ms() - t;
    assert_true(took >= 150 && took < 2000);
}

/* ---- no leak, no growth over many evaluations ----------------------------- */

static long rss_pages(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss;
}

static void test_many_evaluations(void **state)
{
    (void)state;
    static const char *const exprs[] = {
        "$match(s, /b(c+)/).groups[0]",
        "($f := function($x, $y)<nn:n>{ $x * $y }; $f(n, 3))",
        "$ ~> |o|{'z': k & '!'}, ['k']|",
        "{ 'a': n, 'b': [s, n + 1], 'c': o.k & 'x' }",
    };
    static const char *const want[] = {
        "\"cc\"",
        "21",
        "{\"s\":\"abccd\",\"n\":7,\"o\":{\"z\":\"v!\"}}",
        "{\"a\":7,\"b\":[\"abccd\",8],\"c\":\"vx\"}",
    };
    cJSON *in = cJSON_Parse("{\"s\":\"abccd\",\"n\":7,\"o\":{\"k\":\"v\"}}");
    arena a = {0};
    const asl_jnode *roots[4];
    jsonata_syntax_error se;
    for (int i = 0; i < 4; i++) {
        roots[i] = jsonata_parse(&a, exprs[i], strlen(exprs[i]), &se);
        assert_non_null(roots[i]);
    }
    long before = 0;
    for (int it = 0; it < 100000; it++) {
        if (it == 10000)
            before = rss_pages();   /* after warm-up (regex cache, allocator) */
        for (int i = 0; i < 4; i++) {
            jn_ctx cx;
            jn_ctx_init(&cx, NULL);
            jn_val *v = jn_evaluate(&cx, roots[i], in, NULL, NULL);
            if (jn_failed(&cx) || !v)
                fail_msg("%s failed at %d", exprs[i], it);
            if (it % 25000 == 0) {
                cJSON *j = jn_to_json(&cx, v);
                char *s = cJSON_PrintUnformatted(j);
                assert_string_equal(s, want[i]);
                free(s);
                cJSON_Delete(j);
            }
            jn_ctx_free(&cx);
        }
    }
    long after = rss_pages();
    print_message("RSS %ld -> %ld pages over 90,000 rounds of 4 evaluations\n", before, after);
    /* 4 KiB pages: allow 2 MiB of allocator noise, not 100,000 leaks. */
    if (after - before > 512)
        fail_msg("RSS grew by %ld pages over 90,000 rounds", after - before);
    arena_free(&a);
    cJSON_Delete(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_eval_absent),
        cmocka_unit_test(test_runaway_recursion),
        cmocka_unit_test(test_runaway_recursion_small_stack),
        cmocka_unit_test(test_tail_recursion),
        cmocka_unit_test(test_huge_range),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_catastrophic_regex),
        cmocka_unit_test(test_time_limit),
        cmocka_unit_test(test_many_evaluations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
