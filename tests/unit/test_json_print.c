/*
 * test_json_print.c - runtime/json.c's rt_json_print writes exactly the
 * text of cJSON_PrintUnformatted (which the outputs, histories and
 * conformance expectations were made with): numbers of every kind
 * (integers either side of 1e15, negative zero, fractions that need 17
 * digits, tiny and huge exponents, NaN), strings with every escape,
 * nesting, keys, and refusing what cJSON refuses; and the parser's
 * range check for numbers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt.h"

/* rt_json_print(v) and cJSON's own text must be the same bytes. */
static void same_as_cjson(const cJSON *v)
{
    char *ours = rt_json_print(v);
    char *theirs = cJSON_PrintUnformatted(v);
    if (!theirs) {
        assert_null(ours);
        return;
    }
    assert_non_null(ours);
    assert_string_equal(ours, theirs);
    free(ours);
    cJSON_free(theirs);
}

static void number_same(double d)
{
    cJSON *n = cJSON_CreateNumber(d);
    assert_non_null(n);
    same_as_cjson(n);
    cJSON_Delete(n);
}

static void numbers_print_as_cjson_prints_them(void **state)
{
    (void)state;
    static const double fixed[] = {
        0, -0.0, 1, -1, 9, 10, 99, 100, 12345, -987654321, 2147483647.0, 2147483648.0,
        -2147483648.0, -2147483649.0, 999999999999999.0, -999999999999999.0, 1e15, -1e15,
        1e15 + 1, 123456789012345678.0, 9007199254740993.0, 1e21, 1e300, -1e308, 0.1, 0.5,
        -0.25, 1.0 / 3, 2.0 / 3, 0.1 + 0.2, 1e-7, 5e-324, 2.2250738585072014e-308,
        1.7976931348623157e308, 3.14159, 1234.5678, 100.5, 1e-5, 123e-20, 0.30000000000000004,
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        number_same(fixed[i]);
    number_same(NAN);
    number_same(INFINITY);
    number_same(-INFINITY);
    /* many more: integers of every size, and random bit patterns */
    uint64_t s = 0x243F6A8885A308D3ULL;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double d;
        if (i % 3 == 0) {
            d = (double)(int64_t)(s >> (s % 64)) * (s & 1 ? -1 : 1);
        } else if (i % 3 == 1) {
            memcpy(&d, &s, sizeof d);
        } else {
            d = (double)(s % 2000001) / 1000.0 - 1000.0;
        }
        number_same(d);
    }
}

static void strings_escape_as_cjson_does(void **state)
{
    (void)state;
    char all[130];
    for (int c = 1; c < 128; c++)
        all[c - 1] = (char)c;
    all[127] = '\0';
    const char *samples[] = {"", "plain", "a\"b\\c/d", "\b\f\n\r\t", "\x01\x1f\x7f",
                             "caf\xC3\xA9 \xF0\x9F\x98\x80", all};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        cJSON *str = cJSON_CreateString(samples[i]);
        same_as_cjson(str);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, samples[i], 1);
        same_as_cjson(o);
        cJSON_Delete(o);
        cJSON_Delete(str);
    }
}

static void documents_print_as_cjson_prints_them(void **state)
{
    (void)state;
    const char *texts[] = {
        "{}", "[]", "null", "true", "false", "[[],{},[[]],{\"a\":{}}]",
        "{\"threshold\":500,\"items\":[11,61,976,-0.5,1e300,\"x\",null,true,false]}",
        "{\"a\":[1,{\"b\":[2,3,{\"c\":\"\\u0001\\\"\"}]}],\"\":\"empty key\",\"d\":-0}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cJSON *v = cJSON_Parse(texts[i]);
        assert_non_null(v);
        same_as_cjson(v);
        cJSON_Delete(v);
    }
    /* a long array (the buffer grows many times) */
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < 10000; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(i * 7 - 30000));
    same_as_cjson(a);
    cJSON_Delete(a);
}

static void refuses_what_cjson_refuses(void **state)
{
    (void)state;
    assert_null(rt_json_print(NULL));
    /* a Raw node without text, and an invalid node inside an array */
    cJSON *raw = cJSON_CreateRaw("[1, 2]");
    same_as_cjson(raw);
    free(raw->valuestring);
    raw->valuestring = NULL;
    assert_null(rt_json_print(raw));
    cJSON_Delete(raw);
    cJSON *a = cJSON_CreateArray();
    cJSON *bad = cJSON_CreateNull();
    bad->type = cJSON_Invalid;
    cJSON_AddItemToArray(a, bad);
    same_as_cjson(a);
    assert_null(rt_json_print(a));
    cJSON_Delete(a);
    /* a string node without text prints as "" (as cJSON) */
    cJSON *s = cJSON_CreateString("x");
    free(s->valuestring);
    s->valuestring = NULL;
    same_as_cjson(s);
    cJSON_Delete(s);
}

/* The parser's range check, skipped for numbers too short to overflow:
 * 308 integer digits fit a double, 309 nines do not, nor an exponent. */
static void parse_refuses_only_numbers_out_of_range(void **state)
{
    (void)state;
    char text[400];
    char err[200];
    for (int digits = 300; digits <= 320; digits++) {
        memset(text, '9', (size_t)digits);
        text[digits] = '\0';
        cJSON *v = rt_json_parse(text, strlen(text), err, sizeof err);
        if (digits <= 308) {
            assert_non_null(v);
            assert_true(cJSON_IsNumber(v) && !isinf(v->valuedouble));
        } else {
            assert_null(v);
            assert_string_equal(err, "line 1, column 1: number out of range");
        }
        cJSON_Delete(v);
    }
    assert_null(rt_json_parse("-1.5E400", 8, err, sizeof err));
    assert_string_equal(err, "line 1, column 1: number out of range");
    cJSON *v = rt_json_parse("[12,-0.5,3e2]", 13, err, sizeof err);
    assert_non_null(v);
    same_as_cjson(v);
    cJSON_Delete(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_print_as_cjson_prints_them),
        cmocka_unit_test(strings_escape_as_cjson_does),
        cmocka_unit_test(documents_print_as_cjson_prints_them),
        cmocka_unit_test(refuses_what_cjson_refuses),
        cmocka_unit_test(parse_refuses_only_numbers_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
