/*
 * test_intrinsic.c - compiler/intrinsic.c: argument kinds, string-literal
 * escapes (and the States.Format exception), nesting, names, arity and
 * literal argument types, with the index of each error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "intrinsic.h"

static arena A;

static int teardown(void **state)
{
    (void)state;
    arena_free(&A);
    return 0;
}

static ir_call *ok(const char *text)
{
    intr_error e;
    ir_call *c = intr_parse(&A, text, &e);
    if (!c)
        fail_msg("\"%s\" refused: %s (at %zu)", text, e.msg, e.index);
    return c;
}

static intr_error bad(const char *text)
{
    intr_error e;
    if (intr_parse(&A, text, &e))
        fail_msg("\"%s\" accepted", text);
    assert_true(e.msg[0] != '\0');
    return e;
}

static void intrinsic_parses_every_argument_kind(void **state)
{
    (void)state;
    ir_call *c = ok("States.Array(1, -2.5, true, false, null, 'x', $.a, $$.Execution.Id)");
    assert_int_equal(c->fn, IR_FN_ARRAY);
    assert_string_equal(c->name, "States.Array");
    assert_int_equal(c->nargs, 8);
    assert_int_equal(c->args[0]->kind, IR_T_NUMBER);
    assert_true(c->args[0]->num == 1.0);
    assert_true(c->args[1]->num == -2.5);
    assert_int_equal(c->args[2]->kind, IR_T_TRUE);
    assert_int_equal(c->args[3]->kind, IR_T_FALSE);
    assert_int_equal(c->args[4]->kind, IR_T_NULL);
    assert_int_equal(c->args[5]->kind, IR_T_STRING);
    assert_string_equal(c->args[5]->str, "x");
    assert_true(c->args[5]->constant);
    assert_int_equal(c->args[6]->kind, IR_T_PATH);
    assert_false(c->args[6]->constant);
    assert_string_equal(c->args[6]->path->normalized, "$['a']");
    assert_int_equal(c->args[7]->path->root, IR_ROOT_CONTEXT);
    assert_string_equal(c->text, "States.Array(1, -2.5, true, false, null, 'x', $.a, $$.Execution.Id)");
    assert_int_equal(ok("States.Array()")->nargs, 0);
    assert_int_equal(ok("States.UUID()")->fn, IR_FN_UUID);
}

static void intrinsic_decodes_string_escapes(void **state)
{
    (void)state;
    ir_call *c = ok("States.StringToJson('\\{\\}\\'\\\\ x')");
    /* \{ \} \' \\ decode; any other escape is refused (see
     * intrinsic_rejects_other_escapes) */
    assert_string_equal(c->args[0]->str, "{}'\\ x");
    c = ok("States.StringSplit('Hello\nWorld', '\n')");
    assert_string_equal(c->args[0]->str, "Hello\nWorld");
    c = ok("States.StringToJson('{\"a\": \"x\"}')");
    assert_string_equal(c->args[0]->str, "{\"a\": \"x\"}");
}

static void intrinsic_format_template_keeps_brace_escapes(void **state)
{
    (void)state;
    ir_call *c = ok("States.Format('it\\'s {} \\{x\\} \\\\ {}', $.a, 'q\\{')");
    assert_int_equal(c->fn, IR_FN_FORMAT);
    assert_string_equal(c->args[0]->str, "it's {} \\{x\\} \\\\ {}");
    assert_string_equal(c->args[2]->str, "q{");
}

static void intrinsic_nested_calls(void **state)
{
    (void)state;
    ir_call *c = ok("States.MathAdd(States.MathAdd(States.ArrayLength($.a), 2), $.x)");
    assert_int_equal(c->fn, IR_FN_MATH_ADD);
    assert_int_equal(c->args[0]->kind, IR_T_CALL);
    assert_false(c->args[0]->constant);
    assert_int_equal(c->args[0]->call->args[0]->call->fn, IR_FN_ARRAY_LENGTH);
    c = ok("States.JsonMerge(States.StringToJson('{}'), $$.Execution.Input.f, false)");
    assert_int_equal(c->args[0]->call->fn, IR_FN_STRING_TO_JSON);
}

static void intrinsic_path_arguments_may_hold_brackets_and_filters(void **state)
{
    (void)state;
    ir_call *c = ok("States.ArrayGetItem($.a[?(@.k == 'v, w)')].x, 0)");
    assert_int_equal(c->nargs, 2);
    assert_int_equal(c->args[0]->path->segs[1].kind, IR_SEG_FILTER);
    assert_string_equal(c->args[0]->path->segs[1].filter->str, "v, w)");
    c = ok("States.Format('{}', $['a,b'])");
    assert_string_equal(c->args[1]->path->segs[0].name, "a,b");
}

static void intrinsic_allows_blanks_between_arguments_and_after_the_call(void **state)
{
    (void)state;
    assert_int_equal(ok("States.MathAdd( 1 ,\t2 )  ")->nargs, 2);
}

static void intrinsic_rejects_syntax_errors_at_their_index(void **state)
{
    (void)state;
    intr_error e = bad(" States.UUID()");
    assert_int_equal(e.index, 0);
    e = bad("States.JsonToString($");
    assert_int_equal(e.index, 21);
    e = bad("States.StringToJson $.x)");
    assert_int_equal(e.index, 19);
    e = bad("States. ");
    assert_int_equal(e.index, 7);
    e = bad("States.Format('abc)");
    assert_int_equal(e.index, 14);
    e = bad("States.Format(\"x\")");
    assert_int_equal(e.index, 14);
    e = bad("States.UUID() x");
    assert_int_equal(e.index, 14);
    e = bad("States.MathAdd(1 2)");
    assert_int_equal(e.index, 17);
    e = bad("States.MathAdd(1, 2x)");
    assert_int_equal(e.index, 18);
    e = bad("States.Array(foo)");
    assert_int_equal(e.index, 13);
}

static void intrinsic_rejects_unknown_functions(void **state)
{
    (void)state;
    intr_error e = bad("States.Xyz($.a)");
    assert_int_equal(e.code, DIAG_INVALID_INTRINSIC);
    assert_int_equal(e.index, 0);
    e = bad("States.Array(1, States.mathAdd(1, 2))");
    assert_int_equal(e.index, 16);
}

static void intrinsic_checks_arity(void **state)
{
    (void)state;
    intr_error e = bad("States.UUID(1)");
    assert_non_null(strstr(e.msg, "takes 0 arguments, found 1"));
    e = bad("States.MathAdd(1)");
    assert_non_null(strstr(e.msg, "takes 2 arguments"));
    e = bad("States.Format()");
    assert_non_null(strstr(e.msg, "at least 1"));
    e = bad("States.MathRandom(1, 2, 3, 4)");
    assert_non_null(strstr(e.msg, "2 to 3"));
    assert_non_null(ok("States.MathRandom(1, 2)"));
    assert_non_null(ok("States.MathRandom(1, 2, 3)"));
}

static void intrinsic_checks_literal_argument_types(void **state)
{
    (void)state;
    intr_error e = bad("States.MathAdd(1,'-1')");
    assert_int_equal(e.code, DIAG_INVALID_INTRINSIC);
    assert_int_equal(e.index, 17);
    assert_non_null(strstr(e.msg, "must be a number"));
    e = bad("States.ArrayLength('abc')");
    assert_non_null(strstr(e.msg, "must be an array"));
    e = bad("States.MathAdd(States.Format('{}', 1), 2)");
    assert_int_equal(e.index, 15);
    e = bad("States.StringSplit(null, ',')");
    assert_non_null(strstr(e.msg, "null"));
    assert_non_null(ok("States.MathAdd($.a, States.ArrayLength($.b))"));
    assert_non_null(ok("States.ArrayContains($.a, 'x')"));
}

static void intrinsic_reports_bad_path_arguments_with_their_code(void **state)
{
    (void)state;
    intr_error e = bad("States.Format('{}', $.a b)");
    assert_int_equal(e.code, DIAG_INVALID_INTRINSIC);
    e = bad("States.Format('{}', $.)");
    assert_int_equal(e.code, DIAG_INVALID_JSONPATH);
    assert_int_equal(e.index, 21);
    e = bad("States.Format('{}', $var.)");
    assert_int_equal(e.code, DIAG_INVALID_JSONPATH);
}

static void intrinsic_rejects_deep_nesting(void **state)
{
    (void)state;
    char buf[4096] = "";
    for (int k = 0; k < 40; k++)
        strcat(buf, "States.Array(");
    for (int k = 0; k < 40; k++)
        strcat(buf, ")");
    intr_error e = bad(buf);
    assert_non_null(strstr(e.msg, "deeply"));
}

static void intrinsic_knows_which_calls_return_strings(void **state)
{
    (void)state;
    assert_true(intr_returns_string(ok("States.Format('x')")));
    assert_true(intr_returns_string(ok("States.UUID()")));
    assert_true(intr_returns_string(ok("States.ArrayGetItem($.a, 0)")));
    assert_false(intr_returns_string(ok("States.MathAdd(1, 2)")));
    assert_false(intr_returns_string(ok("States.StringToJson($.a)")));
    assert_true(intr_looks_like_call("States.X"));
    assert_false(intr_looks_like_call(" States.X"));
}

static void intrinsic_rejects_other_escapes(void **state)
{
    (void)state;
    /* AWS refuses these definitions: only \' \{ \} \\ are escapes */
    intr_error e = bad("States.Base64Decode('YWJj\\nZA==')");
    assert_int_equal(e.index, 25);
    assert_non_null(strstr(e.msg, "'n' cannot be escaped"));
    e = bad("States.StringToJson('{\\\"a\\\": 1}')");
    assert_int_equal(e.index, 22);
    e = bad("States.Format('\\x {}', 1)");
    assert_int_equal(e.index, 15);
    /* a real newline or quote inside the string is fine */
    assert_non_null(ok("States.StringToJson('{\"a\": \"x\ny\"}')"));
}

static void intrinsic_checks_format_templates(void **state)
{
    (void)state;
    assert_non_null(ok("States.Format('{} and {}', $.a, 1)"));
    assert_non_null(ok("States.Format('\\{\\} no placeholder')"));
    assert_non_null(ok("States.Format($.template, $.a, $.b)")); /* checked at run time */
    intr_error e = bad("States.Format('{} {}', $.a)");
    assert_int_equal(e.index, 14);
    assert_non_null(strstr(e.msg, "2 placeholders '{}' but 1 argument follows it"));
    e = bad("States.Format('{}', $.a, $.b)");
    assert_non_null(strstr(e.msg, "1 placeholder '{}' but 2 arguments follow it"));
    e = bad("States.Format('Hello {', $.a)");
    assert_non_null(strstr(e.msg, "'{' is not followed by '}'"));
    e = bad("States.Format('Hello {{}}', $.a)");
    assert_non_null(strstr(e.msg, "'{' is not followed by '}'"));
    e = bad("States.Format('}')");
    assert_non_null(strstr(e.msg, "'}' has no opening '{'"));
    e = bad("States.Format(1)");
    assert_non_null(strstr(e.msg, "must be a string"));
}

static void intrinsic_checks_literal_values_that_always_fail(void **state)
{
    (void)state;
    intr_error e = bad("States.ArrayRange(1, 10, 0)");
    assert_int_equal(e.index, 25);
    assert_non_null(strstr(e.msg, "must not be 0"));
    e = bad("States.ArrayRange(1, 10, 0.49)");
    assert_non_null(strstr(e.msg, "must not be 0"));
    e = bad("States.ArrayRange(1, 1001, 1)");
    assert_non_null(strstr(e.msg, "1001 elements"));
    e = bad("States.ArrayRange(1001, 1, -1)");
    assert_non_null(strstr(e.msg, "1001 elements"));
    e = bad("States.ArrayRange(1, 3000000000, $.s)");
    assert_int_equal(e.index, 21);
    assert_non_null(ok("States.ArrayRange(1, 1000, 1)"));
    assert_non_null(ok("States.ArrayRange(5, 1, 1)")); /* empty, not an error */
    assert_non_null(ok("States.ArrayRange(1.4, 5.6, 2.2)"));

    e = bad("States.ArrayPartition($.a, 0)");
    assert_int_equal(e.index, 27);
    e = bad("States.ArrayPartition($.a, 0.6)");
    assert_non_null(strstr(e.msg, "chunk size"));
    e = bad("States.ArrayPartition($.a, -1)");
    assert_non_null(ok("States.ArrayPartition($.a, 2.6)"));
    e = bad("States.ArrayGetItem($.a, 1e10)");
    assert_non_null(strstr(e.msg, "index"));
    assert_non_null(ok("States.ArrayGetItem($.a, 1.2)"));

    e = bad("States.MathRandom(1, 1)");
    assert_int_equal(e.index, 18);
    assert_non_null(strstr(e.msg, "below its end"));
    e = bad("States.MathRandom(10, 5)");
    e = bad("States.MathRandom(1.4, 1.6)"); /* both cut to 1 */
    e = bad("States.MathRandom(1, 10, null)");
    assert_non_null(ok("States.MathRandom(1.6, 5.4)"));
    assert_non_null(ok("States.MathRandom(1, 10, -10)"));
    e = bad("States.MathAdd(2147483647.5, 1)");
    assert_int_equal(e.index, 15);
    assert_non_null(ok("States.MathAdd(2147483647, -1)"));
    e = bad("States.MathAdd(2147483647, 1)");
    assert_non_null(strstr(e.msg, "the sum"));

    e = bad("States.Hash('x', 'SHA256')");
    assert_int_equal(e.index, 17);
    assert_non_null(strstr(e.msg, "'SHA256' is not a hash algorithm"));
    bad("States.Hash('x', 'sha-256')");
    bad("States.Hash('x', '')");
    bad("States.Hash('x', 123)");
    assert_non_null(ok("States.Hash(123, 'MD5')")); /* AWS hashes the text "123" */
    assert_non_null(ok("States.Hash($.d, 'SHA-384')"));
    assert_non_null(ok("States.Hash($.d, $.alg)"));

    e = bad("States.JsonMerge($.a, $.b, true)");
    assert_int_equal(e.index, 27);
    assert_non_null(ok("States.JsonMerge($.a, $.b, 'false')")); /* AWS: shallow */
    bad("States.JsonMerge('a', $.b, false)");
    bad("States.JsonMerge($.a, 1, false)");
}

static void intrinsic_checks_base64_input_length(void **state)
{
    (void)state;
    static char text[10200];
    strcpy(text, "States.Base64Encode('");
    size_t at = strlen(text);
    memset(text + at, 'a', 10000);
    strcpy(text + at + 10000, "')");
    assert_non_null(ok(text));
    strcpy(text + at + 10000, "a')");
    intr_error e = bad(text);
    assert_int_equal(e.index, at - 1);
    assert_non_null(strstr(e.msg, "10000 characters, found 10001"));
    memcpy(text, "States.Base64Decode('", at);
    assert_non_null(strstr(bad(text).msg, "10000 characters"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(intrinsic_parses_every_argument_kind, teardown),
        cmocka_unit_test_teardown(intrinsic_decodes_string_escapes, teardown),
        cmocka_unit_test_teardown(intrinsic_format_template_keeps_brace_escapes, teardown),
        cmocka_unit_test_teardown(intrinsic_nested_calls, teardown),
        cmocka_unit_test_teardown(intrinsic_path_arguments_may_hold_brackets_and_filters, teardown),
        cmocka_unit_test_teardown(intrinsic_allows_blanks_between_arguments_and_after_the_call, teardown),
        cmocka_unit_test_teardown(intrinsic_rejects_syntax_errors_at_their_index, teardown),
        cmocka_unit_test_teardown(intrinsic_rejects_unknown_functions, teardown),
        cmocka_unit_test_teardown(intrinsic_checks_arity, teardown),
        cmocka_unit_test_teardown(intrinsic_checks_literal_argument_types, teardown),
        cmocka_unit_test_teardown(intrinsic_reports_bad_path_arguments_with_their_code, teardown),
        cmocka_unit_test_teardown(intrinsic_rejects_deep_nesting, teardown),
        cmocka_unit_test_teardown(intrinsic_knows_which_calls_return_strings, teardown),
        cmocka_unit_test_teardown(intrinsic_rejects_other_escapes, teardown),
        cmocka_unit_test_teardown(intrinsic_checks_format_templates, teardown),
        cmocka_unit_test_teardown(intrinsic_checks_literal_values_that_always_fail, teardown),
        cmocka_unit_test_teardown(intrinsic_checks_base64_input_length, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
