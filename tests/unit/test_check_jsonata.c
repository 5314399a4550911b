/*
 * test_check_jsonata.c - compiler/check_jsonata.c: the JSONata parser
 * (syntax as JSONata 2.0.6 reads it, what an expression uses) and the
 * rules of JSONata states, each with a definition that passes and one that
 * is refused with the right code on the right line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "check_internal.h"

static unit *U;

static int teardown(void **state)
{
    (void)state;
    unit_close(U);
    U = NULL;
    return 0;
}

static unit *run(const char *json)
{
    if (U)
        unit_close(U);
    U = unit_from_text("test.asl.json", json, strlen(json));
    assert_true(load_json(U));
    check_definition(U);
    return U;
}

static const diag *find(diag_code code, int line)
{
    for (const diag *d = U->diags; d; d = d->next) {
        int l, c;
        unit_linecol(U, d->off, &l, &c);
        if (d->code == code && d->severity != DIAG_NOTE && (line == 0 || l == line))
            return d;
    }
    return NULL;
}

static void pass(const char *json)
{
    run(json);
    if (U->nerrors) {
        diag_print_text(stderr, U, false);
        fail_msg("expected no errors");
    }
}

/* No error, no warning at all. */
static void clean(const char *json)
{
    pass(json);
    if (U->nwarnings) {
        diag_print_text(stderr, U, false);
        fail_msg("expected no warnings");
    }
}

static void refuse(const char *json, diag_code code, int line)
{
    run(json);
    if (!find(code, line)) {
        diag_print_text(stderr, U, false);
        fail_msg("expected %s on line %d", diag_code_name(code), line);
    }
}

static void warns(const char *json, diag_code code, int line)
{
    run(json);
    if (U->nerrors || !find(code, line)) {
        diag_print_text(stderr, U, false);
        fail_msg("expected only the warning %s on line %d", diag_code_name(code), line);
    }
}

/* A JSONata machine with one state "S" of the given fields (line 3 on). */
#define JA1(f) "{\"QueryLanguage\": \"JSONata\", \"StartAt\": \"S\", \"States\": {\n\"S\": {\n" f "\n}}}"

static bool parses(const char *expr)
{
    check_ja_info info;
    return check_jsonata_parse(expr, strlen(expr), &info);
}

/* ==== The parser ======================================================== */

static void parser_accepts_jsonata_2_0_6(void **state)
{
    (void)state;
    static const char *const ok[] = {"$states.input.items[price > 10].name",
                                     "$sum($states.input.order.items.(price * quantity))",
                                     "($x := 5; $y := function($a, $b) { $a + $b }; $y($x, 1))",
                                     "$states.input.a ? 'yes' : 'no'",
                                     "$map($states.input.list, function($v, $i) { $v & '-' & $i })",
                                     "$states.input.name ~> $uppercase()",
                                     "$match($states.input.s, /ab+c/i)",
                                     "$states.input.items^(>price, name)",
                                     "$states.input.items{category: $sum(price)}",
                                     "[1..5]",
                                     "{'a': 1, \"b\": [true, false, null]}",
                                     "$states.input.`field with spaces`",
                                     "/* comment */ $states.input",
                                     "$states.input.orders@$o.items#$i",
                                     "$states.context.Execution.Id",
                                     "- $states.input.n",
                                     "$states.input.a and $states.input.b or $states.input.c in [1,2]",
                                     "$f := λ($x) { $x * 2 }",
                                     "$states.input.list[]",
                                     "| $ | {'x': 1} |",
                                     "$states.input ~> | address | {'city': 'x'}, ['zip'] |",
                                     NULL};
    for (const char *const *e = ok; *e; e++)
        if (!parses(*e))
            fail_msg("expected '%s' to parse", *e);
}

static void parser_refuses_syntax_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "10 + * 2",
                                      "$sum($states.input.items",
                                      "420.",
                                      "$.store.book[?(@.price < 10)]",
                                      "'unterminated",
                                      "$a ?: 1",
                                      "$a ?? 1",
                                      "a.1",
                                      "1 := 2",
                                      "function(1) { 1 }",
                                      "[1, 2",
                                      "$x @ 1",
                                      "(1; 2",
                                      "\"bad \\q escape\"",
                                      "/* open comment",
                                      "a b",
                                      "$x ! 1",
                                      NULL};
    for (const char *const *e = bad; *e; e++)
        if (parses(*e))
            fail_msg("expected '%s' to be refused", *e);
}

static void parser_reports_what_an_expression_uses(void **state)
{
    (void)state;
    check_ja_info info;
    assert_true(check_jsonata_parse("total + 1", 9, &info));
    assert_int_equal(info.context_at, 0); /* unqualified name at the top */
    assert_true(check_jsonata_parse("$x[total > 1]", 13, &info));
    assert_int_equal(info.context_at, (size_t)-1); /* nested: the item's field */
    assert_true(check_jsonata_parse("$$.a", 4, &info));
    assert_int_equal(info.root_at, 0);
    const char *e = "$states.result.Payload & $v & $sum([1]) & ($w := 1; $w)";
    assert_true(check_jsonata_parse(e, strlen(e), &info));
    assert_int_equal(info.result_at, 0);
    assert_int_equal(info.nrefs, 1); /* $v: $sum is built in, $w is bound */
    assert_int_equal(info.refs[0].len, 1);
}

/* ==== JSONata states ==================================================== */

static void jsonata_states_accept_their_fields(void **state)
{
    (void)state;
    clean("{\"QueryLanguage\": \"JSONata\", \"StartAt\": \"T\", \"States\": {\n"
          "\"T\": {\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\",\n"
          "  \"Arguments\": {\"Payload\": \"{% $states.input %}\"}, \"Output\": \"{% $states.result.Payload "
          "%}\",\n"
          "  \"TimeoutSeconds\": \"{% $states.input.t %}\", \"Assign\": {\"r\": \"{% $states.result %}\"},\n"
          "  \"Catch\": [{\"ErrorEquals\": [\"States.ALL\"], \"Output\": \"{% $states.errorOutput %}\", "
          "\"Next\": \"F\"}],\n"
          "  \"Retry\": [{\"ErrorEquals\": [\"States.Timeout\"], \"MaxAttempts\": 2}], \"Next\": \"C\"},\n"
          "\"C\": {\"Type\": \"Choice\", \"Choices\": [{\"Condition\": \"{% $r.ok %}\", \"Next\": \"W\"}],\n"
          "  \"Default\": \"F\"},\n"
          "\"W\": {\"Type\": \"Wait\", \"Seconds\": \"{% $states.input.delay %}\", \"Next\": \"M\"},\n"
          "\"M\": {\"Type\": \"Map\", \"Items\": \"{% $states.input.list %}\", \"MaxConcurrency\": 2,\n"
          "  \"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": "
          "true}}},\n"
          "  \"Next\": \"OK\"},\n"
          "\"OK\": {\"Type\": \"Succeed\", \"Output\": {\"n\": \"{% $count($states.input) %}\"}},\n"
          "\"F\": {\"Type\": \"Fail\", \"Error\": \"{% 'E' %}\", \"Cause\": \"x\"}}}");
}

static void jsonata_state_refuses_jsonpath_fields(void **state)
{
    (void)state;
    refuse(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Parameters\": {\"a\": 1}"), DIAG_FIELD_NOT_ALLOWED, 4);
    refuse(JA1("\"Type\": \"Pass\", \"End\": true,\n\"OutputPath\": \"$.x\""), DIAG_FIELD_NOT_ALLOWED, 4);
    refuse(JA1("\"Type\": \"Wait\", \"End\": true,\n\"SecondsPath\": \"$.x\""), DIAG_FIELD_NOT_ALLOWED, 4);
    refuse(JA1("\"Type\": \"Fail\",\n\"ErrorPath\": \"$.x\""), DIAG_FIELD_NOT_ALLOWED, 4);
    refuse(JA1("\"Type\": \"Succeed\",\n\"Assign\": {\"x\": 1}"), DIAG_FIELD_NOT_ALLOWED, 4);
    refuse(JA1("\"Type\": \"Fail\",\n\"Output\": 1"), DIAG_FIELD_NOT_ALLOWED, 4);
}

static void jsonpath_state_refuses_jsonata_fields(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"S\", \"States\": {\n\"S\": {\"Type\": \"Pass\", \"End\": true,\n"
           "\"Output\": \"{% 1 %}\"}}}",
           DIAG_FIELD_NOT_ALLOWED, 3);
}

static void jsonata_expressions_must_parse(void **state)
{
    (void)state;
    pass(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Output\": \"{% 10 + 2 %}\""));
    refuse(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Output\": \"{% 10 + * 2 %}\""), DIAG_INVALID_JSONATA,
           4);
    refuse(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Assign\": {\"a\": [{\"b\": \"{% 420. %}\"}]}"),
           DIAG_INVALID_JSONATA, 4);
    /* Not both delimiters: a plain string (a warning says so). */
    warns(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Output\": \" {% 1 %}\""), DIAG_MALFORMED_JSONATA, 4);
}

static void jsonata_restrictions(void **state)
{
    (void)state;
    refuse(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Output\": \"{% states.input.x %}\""),
           DIAG_JSONATA_RESTRICTION, 4);
    refuse(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Output\": \"{% $$.x %}\""), DIAG_JSONATA_RESTRICTION,
           4);
    pass(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Output\": \"{% $states.input.items[x > 1] %}\""));
    warns(JA1("\"Type\": \"Pass\", \"End\": true,\n\"Output\": \"{% $states.result %}\""),
          DIAG_UNAVAILABLE_STATES_FIELD, 4);
    warns(JA1("\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true,\n"
              "\"Arguments\": \"{% $states.result %}\""),
          DIAG_UNAVAILABLE_STATES_FIELD, 4);
}

static void jsonata_numbers_are_integers_or_expressions(void **state)
{
    (void)state;
    pass(JA1("\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true,\n"
             "\"TimeoutSeconds\": 30, \"HeartbeatSeconds\": \"{% 10 %}\""));
    refuse(JA1("\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true,\n"
               "\"TimeoutSeconds\": false"),
           DIAG_WRONG_TYPE, 4);
    refuse(
        JA1("\"Type\": \"Map\", \"End\": true, \"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": "
            "{\"Type\": \"Succeed\"}}},\n\"MaxConcurrency\": \"five\""),
        DIAG_WRONG_TYPE, 4);
}

static void jsonata_arguments_and_items_shapes(void **state)
{
    (void)state;
    refuse(JA1("\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true,\n"
               "\"Arguments\": 42"),
           DIAG_WRONG_TYPE, 4);
    refuse(
        JA1("\"Type\": \"Map\", \"End\": true, \"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": "
            "{\"Type\": \"Succeed\"}}},\n\"Items\": {\"bad\": 42}"),
        DIAG_WRONG_TYPE, 4);
    pass(JA1("\"Type\": \"Map\", \"End\": true, \"ItemProcessor\": {\"StartAt\": \"P\", \"States\": {\"P\": "
             "{\"Type\": \"Succeed\"}}},\n\"Items\": [1, \"{% $states.input %}\"]"));
}

static void jsonata_choice_rules_need_a_condition(void **state)
{
    (void)state;
    refuse(JA1("\"Type\": \"Choice\", \"Default\": \"S\", \"Choices\": [\n{\"Next\": \"S\"}]"),
           DIAG_INVALID_CHOICE_RULE, 4);
    refuse(
        JA1("\"Type\": \"Choice\", \"Default\": \"S\", \"Choices\": [{\"Next\": \"S\", \"Condition\": true,\n"
            "\"Variable\": \"$.x\"}]"),
        DIAG_FIELD_NOT_ALLOWED, 4);
    refuse(JA1("\"Type\": \"Choice\", \"Default\": \"S\", \"Choices\": [{\"Next\": \"S\",\n"
               "\"Condition\": \"yes\"}]"),
           DIAG_INVALID_CHOICE_RULE, 4);
}

static void jsonata_wait_takes_seconds_or_timestamp(void **state)
{
    (void)state;
    refuse(JA1("\"Type\": \"Wait\", \"End\": true, \"Seconds\": 1,\n\"Timestamp\": \"{% $t %}\""),
           DIAG_MUTUALLY_EXCLUSIVE, 4);
}

static void query_language_rules(void **state)
{
    (void)state;
    refuse(JA1("\"Type\": \"Pass\", \"End\": true,\n\"QueryLanguage\": \"JSONPath\""), DIAG_INVALID_VALUE, 4);
    refuse(JA1("\"Type\": \"Pass\", \"End\": true,\n\"QueryLanguage\": \"XPath\""), DIAG_INVALID_VALUE, 4);
    /* A JSONPath state in a JSONPath machine may switch to JSONata. */
    pass("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Pass\", \"End\": true, \"QueryLanguage\": "
         "\"JSONata\", \"Output\": \"{% 1 %}\"}}}");
}

static void check_and_build_accept_jsonata(void **state)
{
    (void)state;
    pass(JA1("\"Type\": \"Pass\", \"End\": true"));
    unit_close(U);
    const char *def = JA1("\"Type\": \"Pass\", \"Output\": \"{% $states.input %}\", \"End\": true");
    U = unit_from_text("t.json", def, strlen(def));
    assert_true(load_json(U));
    const ir_program *ir = check_and_lower(U);
    assert_non_null(ir);
    assert_true(ir->top->states[0]->jsonata);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(parser_accepts_jsonata_2_0_6, teardown),
        cmocka_unit_test_teardown(parser_refuses_syntax_errors, teardown),
        cmocka_unit_test_teardown(parser_reports_what_an_expression_uses, teardown),
        cmocka_unit_test_teardown(jsonata_states_accept_their_fields, teardown),
        cmocka_unit_test_teardown(jsonata_state_refuses_jsonpath_fields, teardown),
        cmocka_unit_test_teardown(jsonpath_state_refuses_jsonata_fields, teardown),
        cmocka_unit_test_teardown(jsonata_expressions_must_parse, teardown),
        cmocka_unit_test_teardown(jsonata_restrictions, teardown),
        cmocka_unit_test_teardown(jsonata_numbers_are_integers_or_expressions, teardown),
        cmocka_unit_test_teardown(jsonata_arguments_and_items_shapes, teardown),
        cmocka_unit_test_teardown(jsonata_choice_rules_need_a_condition, teardown),
        cmocka_unit_test_teardown(jsonata_wait_takes_seconds_or_timestamp, teardown),
        cmocka_unit_test_teardown(query_language_rules, teardown),
        cmocka_unit_test_teardown(check_and_build_accept_jsonata, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
