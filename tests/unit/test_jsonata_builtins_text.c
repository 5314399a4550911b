/*
 * test_jsonata_builtins_text.c - JSONata's string built-ins called directly
 * through the table (jn_builtin_find), with arguments as the evaluator
 * would pass them; expected values are jsonata-js 2.0.6's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonata_ctx.h"
#include "jsonata_value.h"

static jn_ctx cx;

static int setup(void **state)
{
    (void)state;
    jn_ctx_init(&cx, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    jn_ctx_free(&cx);
    return 0;
}

static jn_val *S(const char *s) { return jn_str(&cx, s, strlen(s)); }
static jn_val *N(double d) { return jn_num(&cx, d); }

static jn_val *call(const char *name, jn_val *a0, jn_val *a1, jn_val *a2)
{
    const jn_builtin *b = jn_builtin_find(name, strlen(name));
    assert_non_null(b);
    jn_val *args[3] = {a0, a1, a2};
    return b->fn(&cx, args, 3);
}

static void str_is(const jn_val *v, const char *want)
{
    assert_non_null(v);
    assert_true(jn_is_str(v));
    assert_int_equal(v->u.str.len, strlen(want));
    assert_memory_equal(v->u.str.s, want, strlen(want));
}

static void table_is_sorted(void **state)
{
    (void)state;
    assert_null(jn_builtin_find("nosuch", 6));
    assert_non_null(jn_builtin_find("substringAfter", 14));
    assert_null(jn_builtin_find("substringAfte", 13));
}

static void string_and_length(void **state)
{
    (void)state;
    str_is(call("string", N(1e21), NULL, NULL), "1e+21");
    str_is(call("string", S("hi"), NULL, NULL), "hi");
    assert_null(call("string", NULL, NULL, NULL));
    assert_null(call("string", N(1.0 / 0.0), NULL, NULL));
    assert_string_equal(jn_ctx_error(&cx)->code, "D3001");
    jn_val *l = call("length", S("h\xf0\x9f\x98\x80llo"), NULL, NULL);
    assert_true(jn_is_num(l));
    assert_true(l->u.num == 5); /* code points, as jsonata-js's Array.from */
}

static void substrings(void **state)
{
    (void)state;
    str_is(call("substring", S("hello world"), N(3), NULL), "lo world");
    str_is(call("substring", S("hello world"), N(3), N(5)), "lo wo");
    str_is(call("substring", S("hello world"), N(-4), NULL), "orld");
    str_is(call("substring", S("hello world"), N(-4), N(2)), "or");
    str_is(call("substring", S("hello world"), N(-20), N(3)), "hel");
    str_is(call("substring", S("hello world"), N(3), N(-1)), "");
    str_is(call("substring", S("\xf0\x9f\x98\x80" "ab"), N(1), N(1)), "a");
    str_is(call("substringBefore", S("Hello World"), S("o"), NULL), "Hell");
    str_is(call("substringBefore", S("Hello World"), S("x"), NULL), "Hello World");
    str_is(call("substringAfter", S("Hello World"), S("o"), NULL), " World");
    str_is(call("substringAfter", S("Hello World"), S("x"), NULL), "Hello World");
}

static void trim_join_contains(void **state)
{
    (void)state;
    str_is(call("trim", S("  a \t\n b  "), NULL, NULL), "a b");
    str_is(call("trim", S("   "), NULL, NULL), "");
    jn_val *arr = jn_arr_new(&cx, 3);
    jn_arr_push(&cx, arr, S("a"));
    jn_arr_push(&cx, arr, S("b"));
    jn_arr_push(&cx, arr, S("c"));
    str_is(call("join", arr, S(", "), NULL), "a, b, c");
    str_is(call("join", arr, NULL, NULL), "abc");
    assert_true(call("contains", S("abracadabra"), S("cad"), NULL) == jn_bool(true));
    assert_true(call("contains", S("abracadabra"), S("xyz"), NULL) == jn_bool(false));
}

static void codecs(void **state)
{
    (void)state;
    str_is(call("base64encode", S("myuser:mypass"), NULL, NULL), "bXl1c2VyOm15cGFzcw==");
    str_is(call("base64encode", S("\xc3\xa9"), NULL, NULL), "6Q=="); /* Latin-1 like node's btoa */
    str_is(call("base64decode", S("bXl1c2VyOm15cGFzcw=="), NULL, NULL), "myuser:mypass");
    str_is(call("base64decode", S("6Q=="), NULL, NULL), "\xc3\xa9");
    str_is(call("hash", S("input data"), S("SHA-1"), NULL),
           "aaff4a450a104cd177d28d18d74485e8cae074b7");
    str_is(call("hash", S(""), S("MD5"), NULL), "d41d8cd98f00b204e9800998ecf8427e");
    assert_null(call("hash", S("x"), S("SHA-3"), NULL));
    assert_string_equal(jn_ctx_error(&cx)->code, "D3202");
    jn_val *u = call("uuid", NULL, NULL, NULL);
    assert_int_equal(u->u.str.len, 36);
    assert_int_equal(u->u.str.s[14], '4');
    jn_val *m1 = call("millis", NULL, NULL, NULL), *m2 = call("millis", NULL, NULL, NULL);
    assert_true(m1->u.num > 1.6e12 && m1->u.num == m2->u.num); /* fixed per evaluation */
}

static void urls(void **state)
{
    (void)state;
    str_is(call("encodeUrlComponent", S("?x=test"), NULL, NULL), "%3Fx%3Dtest");
    str_is(call("encodeUrl", S("https://mozilla.org/?x=\xd1\x88"), NULL, NULL),
           "https://mozilla.org/?x=%D1%88");
    str_is(call("decodeUrlComponent", S("%3Fx%3Dtest"), NULL, NULL), "?x=test");
    str_is(call("decodeUrl", S("%3Fx%D1%88"), NULL, NULL), "%3Fx\xd1\x88");
    assert_null(call("decodeUrl", S("%E0%A4%A"), NULL, NULL));
    assert_string_equal(jn_ctx_error(&cx)->code, "D3140");
    assert_string_equal(jn_ctx_error(&cx)->message,
                        "Malformed URL passed to $decodeUrl(): \"%E0%A4%A\"");
}

static void pictures(void **state)
{
    (void)state;
    str_is(call("formatNumber", N(1234.5678), S("#,##0.00"), NULL), "1,234.57");
    jn_val *o = jn_obj_new(&cx, 2);
    jn_obj_set(&cx, o, "decimal-separator", 17, S(","));
    jn_obj_set(&cx, o, "grouping-separator", 18, S("."));
    str_is(call("formatNumber", N(1234.5678), S("#.##0,00"), o), "1.234,57");
    str_is(call("formatInteger", N(1999), S("I"), NULL), "MCMXCIX");
    jn_val *p = call("parseInteger", S("twelve"), S("w"), NULL);
    assert_true(jn_is_num(p) && p->u.num == 12);
    str_is(call("formatBase", N(100), N(2), NULL), "1100100");
    str_is(call("formatBase", N(100), NULL, NULL), "100");
    assert_null(call("formatBase", N(100), N(1), NULL));
    assert_string_equal(jn_ctx_error(&cx)->code, "D3100");
}

static void dates(void **state)
{
    (void)state;
    str_is(call("fromMillis", N(1510067557121), NULL, NULL), "2017-11-07T15:12:37.121Z");
    jn_val *ms = call("toMillis", S("2017-11-07T15:12:37.121Z"), NULL, NULL);
    assert_true(jn_is_num(ms) && ms->u.num == 1510067557121);
    jn_val *now = call("now", NULL, NULL, NULL);
    jn_val *m = call("millis", NULL, NULL, NULL);
    jn_val *back = call("toMillis", now, NULL, NULL);
    assert_true(back->u.num == m->u.num); /* one timestamp per evaluation */
}

static void pad_and_eval(void **state)
{
    (void)state;
    str_is(call("pad", S("foo"), N(5), NULL), "foo  ");
    str_is(call("pad", S("foo"), N(-5), NULL), "  foo");
    str_is(call("pad", S("foo"), N(-8), S("-+")), "-+-+-foo");
    str_is(call("pad", S("foo"), N(8), S("\xc3\xa9")), "foo\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    str_is(call("pad", S("foo"), N(2), NULL), "foo");
    assert_null(call("eval", S("1+1"), NULL, NULL));
    assert_string_equal(jn_ctx_error(&cx)->code, "D3200");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_sorted),
        cmocka_unit_test_setup_teardown(string_and_length, setup, teardown),
        cmocka_unit_test_setup_teardown(substrings, setup, teardown),
        cmocka_unit_test_setup_teardown(trim_join_contains, setup, teardown),
        cmocka_unit_test_setup_teardown(codecs, setup, teardown),
        cmocka_unit_test_setup_teardown(urls, setup, teardown),
        cmocka_unit_test_setup_teardown(pictures, setup, teardown),
        cmocka_unit_test_setup_teardown(dates, setup, teardown),
        cmocka_unit_test_setup_teardown(pad_and_eval, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
