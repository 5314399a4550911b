/*
 * test_jsonata_value.c - the JSONata value layer: JavaScript number
 * printing, $string rendering, UTF-16 lengths, truthiness, deep equality,
 * object order and lookup, cJSON round trips, error messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "jsonata_ctx.h"
#include "jsonata_value.h"

static void num_is(double d, const char *want)
{
    char buf[32];
    size_t n = jn_num_tostr(d, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void num_tostr_prints_like_javascript(void **state)
{
    (void)state;
    num_is(0, "0");
    num_is(-0.0, "0");
    num_is(1, "1");
    num_is(-1.5, "-1.5");
    num_is(0.1 + 0.2, "0.30000000000000004");
    num_is(1e21, "1e+21");
    num_is(1e20, "100000000000000000000");
    num_is(123456789012345680000.0, "123456789012345680000");
    num_is(1e-7, "1e-7");
    num_is(1.5e-7, "1.5e-7");
    num_is(0.000001, "0.000001");
    num_is(9.33262154439441e+155, "9.33262154439441e+155");
    num_is(5e-324, "5e-324");
    num_is(1.7976931348623157e308, "1.7976931348623157e+308");
    num_is(3.14159, "3.14159");
    num_is(1.0 / 0.0, "Infinity");
    num_is(-1.0 / 0.0, "-Infinity");
}

static void stringify_rounds_to_15_digits_and_writes_json(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    jn_val *v = jn_stringify(&cx, jn_num(&cx, 0.1 + 0.2), false);
    assert_true(jn_is_str(v));
    assert_memory_equal(v->u.str.s, "0.3", 3);
    assert_int_equal(v->u.str.len, 3);

    jn_val *o = jn_obj_new(&cx, 0);
    jn_obj_set(&cx, o, "b", 1, jn_num(&cx, 1e21));
    jn_val *a = jn_arr_new(&cx, 0);
    jn_arr_push(&cx, a, jn_str(&cx, "x\"\n", 3));
    jn_arr_push(&cx, a, jn_null);
    jn_obj_set(&cx, o, "a", 1, a);
    jn_obj_set(&cx, o, "u", 1, NULL);
    v = jn_stringify(&cx, o, false);
    assert_int_equal(v->u.str.len, strlen("{\"b\":1e+21,\"a\":[\"x\\\"\\n\",null]}"));
    assert_memory_equal(v->u.str.s, "{\"b\":1e+21,\"a\":[\"x\\\"\\n\",null]}", v->u.str.len);
    v = jn_stringify(&cx, o, true);
    const char *pretty = "{\n  \"b\": 1e+21,\n  \"a\": [\n    \"x\\\"\\n\",\n    null\n  ]\n}";
    assert_int_equal(v->u.str.len, strlen(pretty));
    assert_memory_equal(v->u.str.s, pretty, v->u.str.len);

    assert_null(jn_stringify(&cx, jn_num(&cx, 1.0 / 0.0), false));
    assert_string_equal(jn_ctx_error(&cx)->code, "D3001");
    jn_ctx_free(&cx);
}

static void utf16_counts_surrogate_pairs(void **state)
{
    (void)state;
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e" "b";   /* a é € 𝄞 b */
    size_t n = strlen(s);
    assert_int_equal(jn_utf16_len(s, n), 6);
    assert_int_equal(jn_utf16_to_byte(s, n, 0), 0);
    assert_int_equal(jn_utf16_to_byte(s, n, 2), 3);
    assert_int_equal(jn_utf16_to_byte(s, n, 3), 6);
    assert_int_equal(jn_utf16_to_byte(s, n, 5), 10);
    assert_int_equal(jn_utf16_to_byte(s, n, 99), n);
}

static void truthy_follows_jsonata_rules(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    assert_false(jn_truthy(&cx, NULL));
    assert_false(jn_truthy(&cx, jn_null));
    assert_false(jn_truthy(&cx, jn_num(&cx, 0)));
    assert_true(jn_truthy(&cx, jn_num(&cx, -2)));
    assert_false(jn_truthy(&cx, jn_str(&cx, "", 0)));
    assert_true(jn_truthy(&cx, jn_str(&cx, "0", 1)));
    jn_val *a = jn_arr_new(&cx, 0);
    assert_false(jn_truthy(&cx, a));
    jn_arr_push(&cx, a, &jn_false_val);
    jn_arr_push(&cx, a, jn_num(&cx, 0));
    assert_false(jn_truthy(&cx, a));
    jn_arr_push(&cx, a, jn_str(&cx, "x", 1));
    assert_true(jn_truthy(&cx, a));
    assert_false(jn_truthy(&cx, jn_obj_new(&cx, 0)));
    jn_ctx_free(&cx);
}

static void objects_keep_order_and_find_keys_in_big_objects(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    jn_val *o = jn_obj_new(&cx, 0);
    char k[16];
    for (int i = 0; i < 500; i++) {
        int n = snprintf(k, sizeof k, "k%d", 499 - i);
        jn_obj_set(&cx, o, jn_strndup(&cx, k, (size_t)n), (size_t)n, jn_num(&cx, i));
    }
    jn_obj_set(&cx, o, "k499", 4, jn_num(&cx, -1));
    size_t n;
    const jn_pair *p = jn_obj_pairs(&cx, o, &n);
    assert_int_equal(n, 500);
    assert_memory_equal(p[0].key, "k499", 4);
    assert_true(p[0].val->u.num == -1);
    assert_true(jn_obj_get(&cx, o, "k0", 2)->u.num == 499);
    assert_null(jn_obj_get(&cx, o, "k500", 4));
    jn_ctx_free(&cx);
}

static void json_round_trip_and_deep_equal(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    cJSON *in = cJSON_Parse("{\"a\":[1,\"x\",null,true,{\"b\":{}}],\"c\":2.5,\"a\":7}");
    jn_val *v = jn_from_json(&cx, in);
    assert_true(jn_obj_get(&cx, v, "a", 1)->u.num == 7);   /* last duplicate wins */
    cJSON *out = jn_to_json(&cx, v);
    char *txt = cJSON_PrintUnformatted(out);
    assert_string_equal(txt, "{\"a\":7,\"c\":2.5}");
    cJSON_free(txt);
    cJSON *in2 = cJSON_Parse("{\"c\":2.5,\"a\":7}");
    assert_true(jn_deep_equal(&cx, v, jn_from_json(&cx, in2)));
    assert_false(jn_deep_equal(&cx, v, jn_from_json(&cx, cJSON_GetArrayItem(in, 0))));
    cJSON_Delete(in);
    cJSON_Delete(in2);
    cJSON_Delete(out);
    jn_ctx_free(&cx);
}

static void throw_fills_the_message_template(void **state)
{
    (void)state;
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    assert_null(jn_throw(&cx, "D3030", NULL, jn_str(&cx, "abc", 3)));
    assert_string_equal(jn_ctx_error(&cx)->message, "Unable to cast value to a number: \"abc\"");
    assert_string_equal(jn_ctx_error(&cx)->value, "\"abc\"");
    jn_throw(&cx, "T2001", "+", NULL);   /* the first error stays */
    assert_string_equal(jn_ctx_error(&cx)->code, "D3030");
    jn_ctx_free(&cx);
    jn_ctx_init(&cx, NULL);
    jn_throw(&cx, "T2001", "+", NULL);
    assert_string_equal(jn_ctx_error(&cx)->message,
                        "The left side of the \"+\" operator must evaluate to a number");
    jn_ctx_free(&cx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(num_tostr_prints_like_javascript),
        cmocka_unit_test(stringify_rounds_to_15_digits_and_writes_json),
        cmocka_unit_test(utf16_counts_surrogate_pairs),
        cmocka_unit_test(truthy_follows_jsonata_rules),
        cmocka_unit_test(objects_keep_order_and_find_keys_in_big_objects),
        cmocka_unit_test(json_round_trip_and_deep_equal),
        cmocka_unit_test(throw_fills_the_message_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
