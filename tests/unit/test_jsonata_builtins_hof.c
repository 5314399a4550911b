/*
 * test_jsonata_builtins_hof.c - JSONata's higher-order built-ins ($map
 * $filter $single $reduce $each $sift $sort) through the parser and the
 * evaluator, since they call back into lambdas; expected results and
 * error codes are jsonata-js 2.0.6's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "arena.h"
#include "jsonata_ctx.h"
#include "jsonata_eval.h"
#include "jsonata_parse.h"

/* Evaluates [expr] against no input; [want] is the result as compact JSON
 * ("undefined" for none) or, prefixed with '!', the error code. */
static void expect(const char *expr, const char *want)
{
    arena a = {0};
    jsonata_syntax_error se;
    const asl_jnode *root = jsonata_parse(&a, expr, strlen(expr), &se);
    if (!root)
        fail_msg("%s: syntax error %s %s", expr, se.code, se.message);
    jn_ctx cx;
    jn_ctx_init(&cx, NULL);
    jn_val *r = jn_evaluate(&cx, root, NULL, NULL, NULL);
    char got[512];
    if (jn_failed(&cx)) {
        snprintf(got, sizeof got, "!%s", jn_ctx_error(&cx)->code);
    } else if (!r) {
        snprintf(got, sizeof got, "undefined");
    } else {
        cJSON *j = jn_to_json(&cx, r);
        char *t = cJSON_PrintUnformatted(j);
        snprintf(got, sizeof got, "%s", t ? t : "?");
        free(t);
        cJSON_Delete(j);
    }
    jn_ctx_free(&cx);
    arena_free(&a);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", expr, got, want);
}

static void map_filter_single(void **state)
{
    (void)state;
    expect("$map([1,2,3], function($v){$v*2})", "[2,4,6]");
    expect("$map([1,2,3], function($v,$i){$v*10+$i})", "[10,21,32]");
    expect("$map([1,2], function($v,$i,$a){$count($a)})", "[2,2]");
    expect("$map([5], function($v){$v+1})", "6"); /* a sequence of one */
    expect("$map(nothing, $string)", "undefined");
    expect("$map([1,2], $string)", "[\"1\",\"2\"]");
    expect("$filter([1,2,3,4], function($v){$v%2=0})", "[2,4]");
    expect("$filter([1,2,3], function($v,$i,$a){$count($a)=$v})", "3");
    expect("$single([1,2,3], function($v){$v>2})", "3");
    expect("$single([1,2,3], function($v){$v>1})", "!D3138");
    expect("$single([1,2,3], function($v){$v>5})", "!D3139");
    expect("$single([])", "!D3139");
    expect("$single(nothing)", "undefined");
}

static void reduce_each_sift(void **state)
{
    (void)state;
    expect("$reduce([1,2,3,4], function($a,$b){$a+$b})", "10");
    expect("$reduce([1,2,3], function($a,$b){$a+$b}, 100)", "106");
    expect("$reduce([1,2,3], function($a,$b,$i){$a+$i})", "4");
    expect("$reduce([5], function($a,$b){$a+$b})", "5");
    expect("$reduce([], function($a,$b){$a+$b})", "undefined");
    expect("$reduce([1,2], function($a){$a})", "!D3050");
    expect("$each({\"a\":1,\"b\":2}, function($v,$k){$k & '=' & $v})", "[\"a=1\",\"b=2\"]");
    expect("$each(nothing, function($v){$v})", "undefined");
    expect("$sift({\"a\":1,\"b\":2,\"c\":3}, function($v){$v>1})", "{\"b\":2,\"c\":3}");
    expect("$sift({\"a\":1,\"b\":2}, function($v,$k){$k='a'})", "{\"a\":1}");
    expect("$sift({\"a\":1}, function($v){$v>5})", "undefined");
}

static void sorting(void **state)
{
    (void)state;
    expect("$sort([3,1,2,1])", "[1,1,2,3]");
    expect("$sort([\"b\",\"a\",\"C\"])", "[\"C\",\"a\",\"b\"]");
    /* JavaScript orders by UTF-16 units: the emoji's surrogates sort below U+FF21 */
    expect("$sort([\"\xef\xbc\xa1\",\"\xf0\x9f\x98\x80\",\"a\"])", "[\"a\",\"\xf0\x9f\x98\x80\",\"\xef\xbc\xa1\"]");
    expect("$sort([1,\"a\"])", "!D3070");
    expect("$sort([[1],[2]])", "!D3070");
    expect("$sort([\"a\"])", "[\"a\"]");
    expect("$sort(nothing)", "undefined");
    /* stable: equal keys keep their order */
    expect("$sort([{\"k\":2,\"i\":0},{\"k\":1,\"i\":1},{\"k\":2,\"i\":2},{\"k\":1,\"i\":3}], "
           "function($a,$b){$a.k>$b.k}).i",
           "[1,3,0,2]");
    expect("$sort([1,3,2], function($a,$b){$a<$b})", "[3,2,1]");
    /* the comparator's answer is JavaScript-truthy: an empty array says swap */
    expect("$sort([3,1,2], function($a,$b){[]})", "[2,1,3]");
    expect("$sort([2,1], function($a,$b){$error('cmp')})", "!D3137");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_filter_single),
        cmocka_unit_test(reduce_each_sift),
        cmocka_unit_test(sorting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
