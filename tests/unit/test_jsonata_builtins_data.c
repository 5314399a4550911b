/*
 * test_jsonata_builtins_data.c - JSONata's number, aggregation, boolean,
 * array and object built-ins called directly through the table
 * (jn_builtin_find), with arguments as the evaluator would pass them
 * after signature checks; expected values are jsonata-js 2.0.6's (and
 * Step Functions' for $partition, $range and $random).
 */
#include <math.h>
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

/* A fresh context, so the next error can be recorded (the first wins). */
static void reset(void)
{
    jn_ctx_free(&cx);
    jn_ctx_init(&cx, NULL);
}

static jn_val *S(const char *s) { return jn_str(&cx, s, strlen(s)); }
static jn_val *N(double d) { return jn_num(&cx, d); }

/* An array of [n] values. */
static jn_val *A(int n, ...)
{
    jn_val *a = jn_arr_new(&cx, (size_t)n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        jn_arr_push(&cx, a, va_arg(ap, jn_val *));
    va_end(ap);
    return a;
}

/* An object of [n] key/value pairs. */
static jn_val *O(int n, ...)
{
    jn_val *o = jn_obj_new(&cx, (size_t)n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *k = va_arg(ap, const char *);
        jn_obj_set(&cx, o, k, strlen(k), va_arg(ap, jn_val *));
    }
    va_end(ap);
    return o;
}

static jn_val *call(const char *name, jn_val *a0, jn_val *a1, jn_val *a2)
{
    const jn_builtin *b = jn_builtin_find(name, strlen(name));
    assert_non_null(b);
    jn_val *args[3] = {a0, a1, a2};
    return b->fn(&cx, args, 3);
}

static void num_is(const jn_val *v, double want)
{
    assert_non_null(v);
    assert_true(jn_is_num(v));
    if (v->u.num != want)
        fail_msg("got %.17g, want %.17g", v->u.num, want);
}

/* [v] as compact JSON text. */
static void json_is(const jn_val *v, const char *want)
{
    assert_non_null(v);
    const jn_val *s = jn_stringify(&cx, v, false);
    assert_non_null(s);
    assert_int_equal(s->u.str.len, strlen(want));
    assert_memory_equal(s->u.str.s, want, strlen(want));
}

static void error_is(const char *code, const char *message)
{
    assert_true(jn_failed(&cx));
    assert_string_equal(jn_ctx_error(&cx)->code, code);
    if (message)
        assert_string_equal(jn_ctx_error(&cx)->message, message);
    reset();
}

static void table_is_sorted(void **state)
{
    (void)state;
    assert_non_null(jn_builtin_find("abs", 3));
    assert_non_null(jn_builtin_find("zip", 3));
    assert_non_null(jn_builtin_find("range", 5));
    assert_non_null(jn_builtin_find("string", 6)); /* the text half still found */
    assert_null(jn_builtin_find("rang", 4));
    assert_string_equal(jn_builtin_find("round", 5)->signature, "<n-n?:n>");
}

static void number_casts(void **state)
{
    (void)state;
    num_is(call("number", S("12.5e1"), NULL, NULL), 125);
    num_is(call("number", S("-007"), NULL, NULL), -7);
    num_is(call("number", jn_bool(true), NULL, NULL), 1);
    num_is(call("number", S("0x12"), NULL, NULL), 18);
    num_is(call("number", S("0B101"), NULL, NULL), 5);
    num_is(call("number", S("0o17"), NULL, NULL), 15);
    assert_null(call("number", NULL, NULL, NULL));
    assert_null(call("number", S("abc"), NULL, NULL));
    error_is("D3030", "Unable to cast value to a number: \"abc\"");
    call("number", S("1e400"), NULL, NULL); /* not finite */
    error_is("D3030", NULL);
    call("number", S(" 1"), NULL, NULL);
    error_is("D3030", NULL);
    call("number", S(".5"), NULL, NULL);
    error_is("D3030", NULL);
    /* the radix test passes but Number() of the whole string is NaN */
    const jn_val *v = call("number", S("0x12z"), NULL, NULL);
    assert_true(jn_is_num(v) && isnan(v->u.num));
}

static void arithmetic(void **state)
{
    (void)state;
    num_is(call("abs", N(-3.5), NULL, NULL), 3.5);
    num_is(call("floor", N(-3.5), NULL, NULL), -4);
    num_is(call("ceil", N(3.2), NULL, NULL), 4);
    assert_null(call("floor", NULL, NULL, NULL));
    num_is(call("round", N(2.5), NULL, NULL), 2);
    num_is(call("round", N(3.5), NULL, NULL), 4);
    num_is(call("round", N(-2.5), NULL, NULL), -2);
    num_is(call("round", N(-3.5), NULL, NULL), -4);
    num_is(call("round", N(3.45), N(1), NULL), 3.4);
    num_is(call("round", N(3.55), N(1), NULL), 3.6);
    num_is(call("round", N(1.005), N(2), NULL), 1);  /* 100.5 -> 100 (even) */
    num_is(call("round", N(1.015), N(2), NULL), 1.02);
    num_is(call("round", N(1250), N(-2), NULL), 1200);
    num_is(call("round", N(1350), N(-2), NULL), 1400);
    num_is(call("round", N(1.5e-10), N(10), NULL), 2e-10);
    jn_val *z = call("round", N(-0.4), NULL, NULL);
    num_is(z, 0);
    assert_false(signbit(z->u.num));
    num_is(call("power", N(2), N(10), NULL), 1024);
    num_is(call("power", N(4), N(0.5), NULL), 2);
    call("power", N(10), N(400), NULL);
    error_is("D3061", "The power function has resulted in a value that cannot be represented as a JSON "
                      "number: base=10, exponent=400");
    call("power", N(-1), N(0.5), NULL);
    error_is("D3061", NULL);
    num_is(call("sqrt", N(16), NULL, NULL), 4);
    call("sqrt", N(-4), NULL, NULL);
    error_is("D3060", "The sqrt function cannot be applied to a negative number: -4");
}

static void aggregates(void **state)
{
    (void)state;
    jn_val *xs = A(4, N(5), N(1), N(-2), N(10));
    num_is(call("sum", xs, NULL, NULL), 14);
    num_is(call("max", xs, NULL, NULL), 10);
    num_is(call("min", xs, NULL, NULL), -2);
    num_is(call("average", xs, NULL, NULL), 3.5);
    num_is(call("count", xs, NULL, NULL), 4);
    jn_val *none = A(0);
    num_is(call("sum", none, NULL, NULL), 0);
    assert_null(call("max", none, NULL, NULL));
    assert_null(call("min", none, NULL, NULL));
    assert_null(call("average", none, NULL, NULL));
    num_is(call("count", NULL, NULL, NULL), 0);
    assert_null(call("sum", NULL, NULL, NULL));
    assert_false(jn_failed(&cx));
}

static void booleans_and_types(void **state)
{
    (void)state;
    assert_ptr_equal(call("boolean", S(""), NULL, NULL), jn_bool(false));
    assert_ptr_equal(call("boolean", A(2, N(0), S("a")), NULL, NULL), jn_bool(true));
    assert_ptr_equal(call("boolean", O(0), NULL, NULL), jn_bool(false));
    assert_null(call("boolean", NULL, NULL, NULL));
    assert_ptr_equal(call("not", N(0), NULL, NULL), jn_bool(true));
    assert_null(call("not", NULL, NULL, NULL));
    assert_ptr_equal(call("exists", jn_null, NULL, NULL), jn_bool(true));
    assert_ptr_equal(call("exists", NULL, NULL, NULL), jn_bool(false));
    json_is(call("type", jn_null, NULL, NULL), "null");
    json_is(call("type", A(0), NULL, NULL), "array");
    json_is(call("type", O(0), NULL, NULL), "object");
    json_is(call("type", jn_bool(false), NULL, NULL), "boolean");
    assert_null(call("type", NULL, NULL, NULL));
}

static void error_and_assert(void **state)
{
    (void)state;
    assert_null(call("error", S("bad thing"), NULL, NULL));
    error_is("D3137", "bad thing");
    assert_null(call("error", NULL, NULL, NULL));
    error_is("D3137", "$error() function evaluated");
    assert_null(call("assert", jn_bool(true), S("no"), NULL));
    assert_false(jn_failed(&cx));
    assert_null(call("assert", jn_bool(false), S("it is false"), NULL));
    error_is("D3141", "it is false");
    assert_null(call("assert", jn_bool(false), NULL, NULL));
    error_is("D3141", "$assert() statement failed");
}

static void random_numbers(void **state)
{
    (void)state;
    for (int i = 0; i < 100; i++) {
        const jn_val *r = call("random", NULL, NULL, NULL);
        assert_true(jn_is_num(r) && r->u.num >= 0 && r->u.num < 1);
    }
    const jn_val *a = call("random", N(42), NULL, NULL), *b = call("random", N(42), NULL, NULL);
    const jn_val *c = call("random", N(43), NULL, NULL);
    assert_true(a->u.num >= 0 && a->u.num < 1);
    assert_true(a->u.num == b->u.num);
    assert_true(a->u.num != c->u.num);
    /* java.util.Random(42).nextDouble() */
    num_is(a, 0.7275636800328681);
}

static void arrays(void **state)
{
    (void)state;
    json_is(call("append", N(1), A(2, N(2), N(3)), NULL), "[1,2,3]");
    json_is(call("append", A(1, N(1)), N(2), NULL), "[1,2]");
    num_is(call("append", NULL, N(2), NULL), 2);
    num_is(call("append", N(1), NULL, NULL), 1);
    assert_null(call("append", NULL, NULL, NULL));
    json_is(call("reverse", A(3, N(1), S("b"), N(3)), NULL, NULL), "[3,\"b\",1]");
    assert_null(call("reverse", NULL, NULL, NULL));
    jn_val *d = call("distinct", A(5, N(1), O(1, "a", N(1)), N(1), O(1, "a", N(1)), S("1")), NULL, NULL);
    json_is(d, "[1,{\"a\":1},\"1\"]");
    assert_false(jn_is_seq(d));
    num_is(call("distinct", N(7), NULL, NULL), 7);
    jn_val *s = jn_seq_new(&cx, 2);
    jn_arr_push(&cx, s, N(1));
    jn_arr_push(&cx, s, N(1));
    assert_true(jn_is_seq(call("distinct", s, NULL, NULL)));
    json_is(call("zip", A(3, N(1), N(2), N(3)), A(2, S("a"), S("b")), A(2, jn_bool(true), jn_null)),
            "[[1,\"a\",true],[2,\"b\",null]]");
    json_is(call("zip", A(1, N(1)), NULL, A(1, N(2))), "[]");

    jn_val *ten = A(10, N(1), N(2), N(3), N(4), N(5), N(6), N(7), N(8), N(9), N(10));
    jn_val *sh = call("shuffle", ten, NULL, NULL);
    assert_int_equal(sh->u.arr.n, 10);
    double total = 0;
    for (size_t i = 0; i < 10; i++)
        total += sh->u.arr.items[i]->u.num;
    assert_true(total == 55);
    json_is(ten, "[1,2,3,4,5,6,7,8,9,10]"); /* the input is not shuffled in place */
    assert_null(call("shuffle", NULL, NULL, NULL));
}

static void objects(void **state)
{
    (void)state;
    jn_val *o = O(2, "a", N(1), "b", A(2, N(2), N(3)));
    jn_val *k = call("keys", o, NULL, NULL);
    assert_true(jn_is_seq(k));
    json_is(k, "[\"a\",\"b\"]");
    json_is(call("keys", A(2, o, O(2, "c", N(1), "a", N(5))), NULL, NULL), "[\"a\",\"b\",\"c\"]");
    assert_int_equal(call("keys", N(1), NULL, NULL)->u.arr.n, 0);

    num_is(call("lookup", o, S("a"), NULL), 1);
    assert_null(call("lookup", o, S("z"), NULL));
    assert_null(call("lookup", N(1), S("a"), NULL));
    /* over an array: the values, arrays flattened one level */
    json_is(call("lookup", A(3, o, O(1, "b", N(4)), N(9)), S("b"), NULL), "[2,3,4]");

    jn_val *sp = call("spread", o, NULL, NULL);
    assert_true(jn_is_seq(sp));
    json_is(sp, "[{\"a\":1},{\"b\":[2,3]}]");
    jn_val *spa = call("spread", A(2, o, N(5)), NULL, NULL);
    assert_false(jn_is_seq(spa));
    json_is(spa, "[{\"a\":1},{\"b\":[2,3]},5]");
    num_is(call("spread", N(5), NULL, NULL), 5);

    json_is(call("merge", A(3, o, O(1, "a", S("x")), O(1, "c", jn_null)), NULL, NULL),
            "{\"a\":\"x\",\"b\":[2,3],\"c\":null}");
    json_is(call("merge", A(0), NULL, NULL), "{}");
    assert_null(call("merge", NULL, NULL, NULL));
}

static void partition_and_range(void **state)
{
    (void)state;
    jn_val *four = A(4, N(0), N(1), N(2), N(3));
    json_is(call("partition", four, N(3), NULL), "[[0,1,2],[3]]");
    json_is(call("partition", four, N(5), NULL), "[[0,1,2,3]]");
    json_is(call("partition", four, N(1), NULL), "[[0],[1],[2],[3]]");
    json_is(call("partition", A(0), N(2), NULL), "[]");
    call("partition", four, N(0), NULL);
    error_is("T0410", "Argument 2 of function partition does not match function signature");
    call("partition", four, N(1.5), NULL);
    error_is("T0410", NULL);

    json_is(call("range", N(0), N(9), N(3)), "[0,3,6,9]");
    json_is(call("range", N(0), N(10), N(3)), "[0,3,6,9]");
    json_is(call("range", N(1), N(4), NULL), "[1,2,3,4]");
    json_is(call("range", N(10), N(0), N(-5)), "[10,5,0]");
    jn_val *one = call("range", N(1), N(9), N(9));
    assert_true(jn_is_seq(one)); /* the evaluator unwraps it to 1, as AWS returns */
    json_is(one, "[1]");
    assert_int_equal(call("range", N(5), N(1), NULL)->u.arr.n, 0);
    call("range", N(0), N(5), N(0));
    error_is("T0410", "Argument 3 of function range does not match function signature");
    call("range", N(0.5), N(5), NULL);
    error_is("T0410", NULL);
    call("range", N(0), N(1e12), NULL);
    error_is("D1011", NULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_sorted),
        T(number_casts),
        T(arithmetic),
        T(aggregates),
        T(booleans_and_types),
        T(error_and_assert),
        T(random_numbers),
        T(arrays),
        T(objects),
        T(partition_and_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
