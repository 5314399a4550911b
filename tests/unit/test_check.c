/*
 * test_check.c - compiler/check_*.c and lower.c: for each rule, a valid
 * snippet that passes and an invalid one that is reported with the right
 * code on the right line; then what lowering builds.
 *
 * Snippets put each field on its own line so that the expected line of a
 * diagnostic is easy to read off the text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"

static unit *U;

static int teardown(void **state)
{
    (void)state;
    unit_close(U);
    U = NULL;
    return 0;
}

static unit *run_named(const char *name, const char *json)
{
    if (U)
        unit_close(U);
    U = unit_from_text(name, json, strlen(json));
    assert_true(load_json(U));
    check_and_lower(U);
    return U;
}

static unit *run(const char *json) { return run_named("test.asl.json", json); }

/* The definition passes: no error, and an IR was built. */
static void pass(const char *json)
{
    run(json);
    if (U->nerrors || !U->ir) {
        diag_print_text(stderr, U, false);
        fail_msg("expected no errors");
    }
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

/* The definition is refused with [code] on [line]. */
static void refuse(const char *json, diag_code code, int line)
{
    run(json);
    if (!find(code, line)) {
        diag_print_text(stderr, U, false);
        fail_msg("expected %s on line %d", diag_code_name(code), line);
    }
    assert_null(U->ir);
}

static int col_of(diag_code code)
{
    const diag *d = find(code, 0);
    assert_non_null(d);
    int l, c;
    unit_linecol(U, d->off, &l, &c);
    return c;
}

/* One Pass state "S" ending the machine, with extra fields [f] (each a
 * line of its own, starting on line 3). */
#define PASS1(f) "{\"StartAt\": \"S\", \"States\": {\n\"S\": {\"Type\": \"Pass\", \"End\": true,\n" f "\n}}}"

/* ==== Top level ========================================================= */

static void check_minimal_machine_passes(void **state)
{
    (void)state;
    pass("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}}}");
    pass("{\"Comment\": \"c\", \"Version\": \"1.0\", \"TimeoutSeconds\": 60, \"QueryLanguage\": "
         "\"JSONPath\",\n"
         "\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}}}");
}

static void check_definition_must_be_an_object(void **state)
{
    (void)state;
    refuse("[1]", DIAG_NOT_AN_OBJECT, 1);
}

static void check_top_level_requires_start_at_and_states(void **state)
{
    (void)state;
    refuse("{\n\"States\": {\"S\": {\"Type\": \"Succeed\"}}}", DIAG_MISSING_FIELD, 1);
    refuse("{\"StartAt\": \"S\"}", DIAG_MISSING_FIELD, 1);
    refuse("{\"StartAt\": \"S\",\n\"States\": []}", DIAG_WRONG_TYPE, 2);
}

static void check_unknown_top_level_field(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}},\n\"Bogus\": 1}",
           DIAG_UNKNOWN_FIELD, 2);
}

static void check_timeout_seconds_is_a_positive_integer_within_limit(void **state)
{
    (void)state;
    pass("{\"TimeoutSeconds\": 99999998, \"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}}}");
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}},\n\"TimeoutSeconds\": 0}",
           DIAG_INVALID_VALUE, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}},\n\"TimeoutSeconds\": 1.0}",
           DIAG_WRONG_TYPE, 2);
    refuse(
        "{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}},\n\"TimeoutSeconds\": 99999999}",
        DIAG_INVALID_VALUE, 2);
}

static void check_version_and_comment_are_strings(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}},\n\"Version\": 1}",
           DIAG_WRONG_TYPE, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}},\n\"Comment\": {}}",
           DIAG_WRONG_TYPE, 2);
}

static void check_jsonata_states_are_built(void **state)
{
    (void)state;
    pass("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}},\n\"QueryLanguage\": \"JSONata\"}");
    assert_true(U->ir->top->states[0]->jsonata);
    pass(PASS1("\"QueryLanguage\": \"JSONata\", \"Output\": \"{% 1 + $states.input.a %}\""));
    const ir_tmpl *o = U->ir->top->states[0]->output;
    assert_non_null(o);
    assert_int_equal(o->kind, IR_T_JSONATA);
    assert_string_equal(o->str, "1 + $states.input.a");
    assert_non_null(o->jn);
    /* a distributed JSONata Map, with an expression in a count */
    const char *dist = "{\"StartAt\": \"M\", \"QueryLanguage\": \"JSONata\", \"States\": {\"M\": {\"Type\": \"Map\",\n"
                       "\"ItemProcessor\": {\"ProcessorConfig\": {\"Mode\": \"DISTRIBUTED\", \"ExecutionType\": \"STANDARD\"},"
                       " \"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}, \"End\": true%s}}}";
    char def[1024];
    snprintf(def, sizeof def, dist, "");
    pass(def);
    assert_true(U->ir->top->states[0]->jsonata);
    snprintf(def, sizeof def, dist, ",\n\"ToleratedFailureCount\": \"{% 1 %}\"");
    pass(def);
    assert_non_null(U->ir->top->states[0]->dist);
    assert_non_null(U->ir->top->states[0]->dist->tolerated_count_jn);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}},\n\"QueryLanguage\": \"YAML\"}",
           DIAG_INVALID_VALUE, 2);
}

/* ==== States ============================================================ */

static void check_state_must_be_an_object_with_a_known_type(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"S\", \"States\": {\n\"S\": null}}", DIAG_NOT_AN_OBJECT, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\n\"S\": {\"End\": true}}}", DIAG_MISSING_FIELD, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\n\"Type\": \"Pas\", \"End\": true}}}",
           DIAG_INVALID_STATE_TYPE, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\n\"Type\": 3, \"End\": true}}}", DIAG_WRONG_TYPE, 2);
}

static void check_unknown_and_misplaced_fields(void **state)
{
    (void)state;
    refuse(PASS1("\"Bogus\": 1"), DIAG_UNKNOWN_FIELD, 3);
    refuse(PASS1("\"ResultSelector\": {}"), DIAG_FIELD_NOT_ALLOWED, 3);
    refuse(PASS1("\"Arguments\": {}"), DIAG_FIELD_NOT_ALLOWED, 3);
    assert_non_null(strstr(find(DIAG_FIELD_NOT_ALLOWED, 3)->message, "JSONata"));
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\",\n\"Assign\": {}}}}",
           DIAG_FIELD_NOT_ALLOWED, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Fail\",\n\"InputPath\": \"$\"}}}",
           DIAG_FIELD_NOT_ALLOWED, 2);
}

static void check_next_and_end(void **state)
{
    (void)state;
    pass("{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}, \"B\": {\"Type\": "
         "\"Pass\", \"End\": true}}}");
    refuse("{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true,\n\"Next\": \"B\"},\n"
           "\"B\": {\"Type\": \"Pass\", \"End\": true}}}",
           DIAG_NEXT_AND_END, 2);
    refuse(
        "{\"StartAt\": \"S\", \"States\": {\n\"S\": {\"Type\": \"Pass\"},\n\"T\": {\"Type\": \"Succeed\"}}}",
        DIAG_MISSING_NEXT_OR_END, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Pass\",\n\"End\": \"yes\"}}}",
           DIAG_WRONG_TYPE, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\",\n\"End\": true}}}",
           DIAG_FIELD_NOT_ALLOWED, 2);
}

/* ==== Names and transitions ============================================ */

static void check_transition_targets_exist(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\",\n\"Next\": \"Nope\"}, \"B\": "
           "{\"Type\": \"Succeed\"}}}",
           DIAG_MISSING_TRANSITION_TARGET, 2);
    refuse("{\n\"StartAt\": \"Nope\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}",
           DIAG_MISSING_TRANSITION_TARGET, 2);
}

static const char *const OUT_OF_BRANCH =
    "{\"StartAt\": \"P\", \"States\": {\n"
    "\"P\": {\"Type\": \"Parallel\", \"Next\": \"Done\", \"Branches\": [\n"
    "  {\"StartAt\": \"In\", \"States\": {\"In\": {\"Type\": \"Pass\",\n"
    "   \"Next\": \"Done\"}}}]},\n"
    "\"Done\": {\"Type\": \"Succeed\"}}}";

static void check_transitions_cannot_leave_a_branch(void **state)
{
    (void)state;
    refuse(OUT_OF_BRANCH, DIAG_TRANSITION_OUT_OF_SCOPE, 4);
}

static void check_unreachable_states(void **state)
{
    (void)state;
    refuse(
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"},\n\"B\": {\"Type\": \"Succeed\"}}}",
        DIAG_UNREACHABLE_STATE, 2);
    /* reachable through a catcher and a Choice Default */
    pass("{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Task\", \"Resource\": \"arn:x:y\", \"Next\": "
         "\"C\",\n"
         "\"Catch\": [{\"ErrorEquals\": [\"States.ALL\"], \"Next\": \"F\"}]},\n"
         "\"C\": {\"Type\": \"Choice\", \"Choices\": [{\"Variable\": \"$.x\", \"IsPresent\": true, \"Next\": "
         "\"F\"}], \"Default\": \"D\"},\n"
         "\"D\": {\"Type\": \"Succeed\"}, \"F\": {\"Type\": \"Fail\"}}}");
}

static void check_machine_needs_a_terminal_state(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"A\",\n\"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}, \"B\": "
           "{\"Type\": \"Pass\", \"Next\": \"A\"}}}",
           DIAG_MISSING_END_STATE, 2);
}

static const char *const DUP_IN_BRANCHES =
    "{\"StartAt\": \"P\", \"States\": {\n"
    "\"P\": {\"Type\": \"Parallel\", \"End\": true, \"Branches\": [\n"
    "  {\"StartAt\": \"X\", \"States\": {\"X\": {\"Type\": \"Succeed\"}}},\n"
    "  {\"StartAt\": \"X\", \"States\": {\"X\": {\"Type\": \"Succeed\"}}}]}}}";

static void check_state_names_are_unique_across_branches(void **state)
{
    (void)state;
    refuse(DUP_IN_BRANCHES, DIAG_DUPLICATE_STATE_NAME, 4);
}

static void check_state_name_length(void **state)
{
    (void)state;
    char name[100];
    memset(name, 'n', 81);
    name[81] = '\0';
    char json[400];
    snprintf(json, sizeof json, "{\"StartAt\": \"%s\", \"States\": {\n\"%s\": {\"Type\": \"Succeed\"}}}",
             name, name);
    refuse(json, DIAG_INVALID_STATE_NAME, 2);
    name[80] = '\0';
    snprintf(json, sizeof json, "{\"StartAt\": \"%s\", \"States\": {\n\"%s\": {\"Type\": \"Succeed\"}}}",
             name, name);
    pass(json);
    refuse("{\"StartAt\": \"\", \"States\": {\n\"\": {\"Type\": \"Succeed\"}}}", DIAG_INVALID_STATE_NAME, 2);
}

/* ==== Choice ============================================================ */

#define CHOICE(rules)                                                                                        \
    "{\"StartAt\": \"C\", \"States\": {\"C\": {\"Type\": \"Choice\", \"Default\": \"E\", \"Choices\": "      \
    "[\n" rules "\n]}, \"E\": {\"Type\": \"Succeed\"}}}"

static void check_choice_rules_valid(void **state)
{
    (void)state;
    pass(CHOICE("{\"Variable\": \"$.a\", \"NumericGreaterThan\": 1, \"Next\": \"E\"},\n"
                "{\"Not\": {\"Variable\": \"$$.Execution.Id\", \"StringEquals\": \"x\"}, \"Next\": \"E\"},\n"
                "{\"And\": [{\"Variable\": \"$.t\", \"TimestampLessThan\": \"2016-03-14T01:59:00Z\"},\n"
                "          {\"Or\": [{\"Variable\": \"$.b\", \"BooleanEqualsPath\": \"$.c\", \"Comment\": "
                "\"n\"}]}],\n"
                " \"Next\": \"E\"}"));
}

static void check_choice_rule_needs_exactly_one_operator(void **state)
{
    (void)state;
    refuse(CHOICE("{\"Variable\": \"$.a\", \"Next\": \"E\"}"), DIAG_INVALID_CHOICE_RULE, 2);
    refuse(CHOICE("{\"Variable\": \"$.a\", \"NumericEquals\": 1,\n\"StringEquals\": \"x\", \"Next\": \"E\"}"),
           DIAG_INVALID_CHOICE_RULE, 3);
    refuse(CHOICE("{\"NumericEquals\": 1, \"Next\": \"E\"}"), DIAG_INVALID_CHOICE_RULE, 2);
    refuse(CHOICE("{\"Variable\": \"$.a\",\n\"NumberEquals\": 1, \"Next\": \"E\"}"), DIAG_UNKNOWN_FIELD, 3);
}

static void check_choice_operator_value_types(void **state)
{
    (void)state;
    refuse(CHOICE("{\"Variable\": \"$.a\",\n\"NumericEquals\": \"1\", \"Next\": \"E\"}"), DIAG_WRONG_TYPE, 3);
    refuse(CHOICE("{\"Variable\": \"$.a\",\n\"IsNull\": \"true\", \"Next\": \"E\"}"), DIAG_WRONG_TYPE, 3);
    refuse(CHOICE("{\"Variable\": \"$.a\",\n\"StringEquals\": null, \"Next\": \"E\"}"), DIAG_WRONG_TYPE, 3);
    refuse(CHOICE("{\"Variable\": \"$.a\",\n\"TimestampEquals\": \"yesterday\", \"Next\": \"E\"}"),
           DIAG_INVALID_CHOICE_RULE, 3);
    refuse(CHOICE("{\"Variable\": \"$.a\",\n\"StringEqualsPath\": \"$.b[*]\", \"Next\": \"E\"}"),
           DIAG_INVALID_REFERENCE_PATH, 3);
    refuse(CHOICE("{\n\"Variable\": \"a\", \"IsNull\": true, \"Next\": \"E\"}"), DIAG_INVALID_JSONPATH, 3);
}

static void check_choice_nesting_rules(void **state)
{
    (void)state;
    refuse(CHOICE("{\"Not\": {\"Variable\": \"$.a\", \"IsNull\": true,\n\"Next\": \"E\"}, \"Next\": \"E\"}"),
           DIAG_FIELD_NOT_ALLOWED, 3);
    refuse(CHOICE("{\"Variable\": \"$.a\", \"IsNull\": true}"), DIAG_INVALID_CHOICE_RULE, 2);
    refuse(CHOICE("{\n\"And\": [], \"Next\": \"E\"}"), DIAG_INVALID_CHOICE_RULE, 3);
    refuse(CHOICE("{\n\"Or\": {}, \"Next\": \"E\"}"), DIAG_INVALID_CHOICE_RULE, 3);
    refuse(CHOICE("{\"Not\":\n[], \"Next\": \"E\"}"), DIAG_INVALID_CHOICE_RULE, 3);
    refuse(CHOICE("{\"And\": [{\"Variable\": \"$.a\", \"IsNull\": true}],\n\"Or\": [{\"Variable\": \"$.a\", "
                  "\"IsNull\": true}], \"Next\": \"E\"}"),
           DIAG_INVALID_CHOICE_RULE, 3);
    refuse("{\"StartAt\": \"C\", \"States\": {\"C\": {\"Type\": \"Choice\",\n\"Choices\": []}}}",
           DIAG_INVALID_CHOICE_RULE, 2);
}

/* ==== Wait and Fail ===================================================== */

#define WAIT(f) "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"End\": true,\n" f "}}}"

static void check_wait_takes_exactly_one_duration(void **state)
{
    (void)state;
    pass(WAIT("\"Seconds\": 0"));
    pass(WAIT("\"SecondsPath\": \"$$.Execution.Input.s\""));
    pass(WAIT("\"TimestampPath\": \"$.t\""));
    refuse(WAIT("\"Seconds\": 1,\n\"Timestamp\": \"2016-03-14T01:59:00Z\""), DIAG_MUTUALLY_EXCLUSIVE, 3);
    refuse("{\"StartAt\": \"W\", \"States\": {\n\"W\": {\"Type\": \"Wait\", \"End\": true}}}",
           DIAG_MISSING_FIELD, 2);
    refuse(WAIT("\"Seconds\": -1"), DIAG_INVALID_VALUE, 2);
    refuse(WAIT("\"SecondsPath\": null"), DIAG_WRONG_TYPE, 2);
    refuse(WAIT("\"SecondsPath\": \"$.a[0:1]\""), DIAG_INVALID_REFERENCE_PATH, 2);
}

static void check_wait_bad_timestamp_literal_is_only_a_warning(void **state)
{
    (void)state;
    run(WAIT("\"Timestamp\": \"2016-03-14 01:59\""));
    assert_int_equal(U->nerrors, 0);
    assert_int_equal(U->nwarnings, 1);
    assert_non_null(find(DIAG_INVALID_TIMESTAMP, 2));
    assert_non_null(U->ir);
    ir_state *w = U->ir->top->states[0];
    assert_int_equal(w->wait_kind, IR_WAIT_TIMESTAMP);
    assert_false(w->wait_ts_valid);
    assert_string_equal(w->wait_timestamp, "2016-03-14 01:59");
    refuse(WAIT("\"Timestamp\": 5"), DIAG_WRONG_TYPE, 2);
}

#define FAIL1(f) "{\"StartAt\": \"F\", \"States\": {\"F\": {\"Type\": \"Fail\",\n" f "}}}"

static void check_fail_error_and_cause(void **state)
{
    (void)state;
    pass(FAIL1("\"Error\": \"E\", \"CausePath\": \"States.Format('{}', $.c)\""));
    pass(FAIL1("\"ErrorPath\": \"$$.Execution.Id\", \"Cause\": \"c\""));
    refuse(FAIL1("\"Error\": \"E\",\n\"ErrorPath\": \"$.e\""), DIAG_MUTUALLY_EXCLUSIVE, 3);
    refuse(FAIL1("\"Cause\": \"c\",\n\"CausePath\": \"$.c\""), DIAG_MUTUALLY_EXCLUSIVE, 3);
    refuse(FAIL1("\"CausePath\": \"States.MathAdd(1, 2)\""), DIAG_INVALID_INTRINSIC, 2);
    refuse(FAIL1("\"ErrorPath\": \"Error\""), DIAG_INVALID_JSONPATH, 2);
    refuse(FAIL1("\"Error\": 42"), DIAG_WRONG_TYPE, 2);
}

/* ==== Paths and templates =============================================== */

static void check_path_fields(void **state)
{
    (void)state;
    pass(PASS1("\"InputPath\": null, \"OutputPath\": \"$$.Execution.Input\", \"ResultPath\": \"$.r[0]\""));
    refuse(PASS1("\"InputPath\": \"$.a..\""), DIAG_INVALID_JSONPATH, 3);
    refuse(PASS1("\"ResultPath\": \"$.a[*]\""), DIAG_INVALID_REFERENCE_PATH, 3);
    refuse(PASS1("\"ResultPath\": \"$$.a\""), DIAG_INVALID_REFERENCE_PATH, 3);
    refuse(PASS1("\"OutputPath\": 3"), DIAG_WRONG_TYPE, 3);
}

static void check_path_error_points_inside_the_string(void **state)
{
    (void)state;
    run("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Pass\", \"End\": true,\n"
        "\"InputPath\": \"$.a b\"}}}");
    /* "InputPath": starts the line; the value's quote is column 14, '$' 15, ' ' 18 */
    assert_int_equal(col_of(DIAG_INVALID_JSONPATH), 18);
    run("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Pass\", \"End\": true,\n"
        "\"InputPath\": \"$['\\u00e9'] x\"}}}");
    assert_int_equal(col_of(DIAG_INVALID_JSONPATH), 26);
}

static void check_payload_templates(void **state)
{
    (void)state;
    pass(PASS1("\"Parameters\": {\"a.$\": \"$.x\", \"b\": [{\"c.$\": \"$$.Map.Item.Value\"}], \"d.$\": "
               "\"States.UUID()\"}"));
    refuse(PASS1("\"Parameters\": [1]"), DIAG_INVALID_PAYLOAD_TEMPLATE, 3);
    refuse(PASS1("\"Parameters\": {\"a.$\": 23}"), DIAG_INVALID_PAYLOAD_TEMPLATE, 3);
    refuse(PASS1("\"Parameters\": {\"a.$\": \"x\"}"), DIAG_INVALID_PAYLOAD_TEMPLATE, 3);
    refuse(PASS1("\"Parameters\": {\"a\": 1, \"a.$\": \"$.x\"}"), DIAG_INVALID_PAYLOAD_TEMPLATE, 3);
    refuse(PASS1("\"Parameters\": {\"a.$\": \" States.UUID()\"}"), DIAG_INVALID_PAYLOAD_TEMPLATE, 3);
    refuse(PASS1("\"Parameters\": {\"a.$\": \"States.MathAdd(1,'-1')\"}"), DIAG_INVALID_INTRINSIC, 3);
    refuse(PASS1("\"Parameters\": {\"a.$\": \"States.Nope()\"}"), DIAG_INVALID_INTRINSIC, 3);
    /* Pass "Result" is literal: ".$" keys are not paths */
    pass(PASS1("\"Result\": {\"a.$\": 5}"));
}

static void check_slice_step_warns(void **state)
{
    (void)state;
    run(PASS1("\"InputPath\": \"$.a[0:4:2]\""));
    assert_int_equal(U->nerrors, 0);
    assert_non_null(find(DIAG_IGNORED_SLICE_STEP, 3));
}

static void check_variables_are_built(void **state)
{
    (void)state;
    pass(PASS1("\"Assign\": {\"x\": 1}"));
    assert_non_null(U->ir->top->states[0]->assign);
    refuse(PASS1("\"Assign\": [1]"), DIAG_WRONG_TYPE, 3);
    refuse(PASS1("\"ResultPath\": \"$x\""), DIAG_INVALID_REFERENCE_PATH, 3);
}

/* ==== Task, Retry, Catch ================================================ */

#define TASK(f)                                                                                              \
    "{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true,\n" f                       \
    "}, \"F\": {\"Type\": \"Fail\"}}}"

static void check_task_resource_and_timeouts(void **state)
{
    (void)state;
    pass("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
         "\"foo:bar\",\n"
         "\"TimeoutSeconds\": 10, \"HeartbeatSeconds\": 5, \"Credentials\": {\"RoleArn.$\": \"$.r\"},\n"
         "\"ResultSelector\": {\"p.$\": \"$.Payload\"}}}}");
    assert_non_null(find(DIAG_RESOURCE_NOT_ARN, 1)); /* "foo:bar" is a URI: a warning only */
    run("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
        "\"arn:aws:states:::lambda:invoke\"}}}");
    assert_int_equal(U->nwarnings, 0);
    refuse("{\"StartAt\": \"T\", \"States\": {\n\"T\": {\"Type\": \"Task\", \"End\": true}}}",
           DIAG_MISSING_FIELD, 2);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true,\n\"Resource\": "
           "\"${arn}\"}}}",
           DIAG_INVALID_RESOURCE, 2);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"TimeoutSeconds\": 5,\n\"TimeoutSecondsPath\": \"$.t\"}}}",
           DIAG_MUTUALLY_EXCLUSIVE, 3);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"TimeoutSeconds\": 5,\n\"HeartbeatSeconds\": 5}}}",
           DIAG_INVALID_VALUE, 3);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"Credentials\": \"x\"}}}",
           DIAG_WRONG_TYPE, 2);
}

static void check_retry_rules(void **state)
{
    (void)state;
    const char *ok =
        "{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
        "\"a:b\",\n"
        "\"Retry\": [{\"ErrorEquals\": [\"A\"], \"IntervalSeconds\": 2, \"MaxAttempts\": 0, \"BackoffRate\": "
        "1,\n"
        "  \"MaxDelaySeconds\": 5, \"JitterStrategy\": \"FULL\"}, {\"ErrorEquals\": [\"States.ALL\"]}]}}}";
    pass(ok);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"Retry\": [{\"ErrorEquals\": [\"States.ALL\"]},\n{\"ErrorEquals\": [\"A\"]}]}}}",
           DIAG_INVALID_RETRY, 2);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"BackoffRate\": 0.5}]}}}",
           DIAG_INVALID_RETRY, 3);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"Retry\": [{\n\"ErrorEquals\": []}]}}}",
           DIAG_INVALID_RETRY, 3);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"JitterStrategy\": \"SOME\"}]}}}",
           DIAG_INVALID_RETRY, 3);
}

static void check_catch_rules(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"Catch\": [\n{\"ErrorEquals\": [\"A\"]}]}}}",
           DIAG_INVALID_CATCH, 3);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"Catch\": [{\"ErrorEquals\": [\"A\"], \"Next\": \"F\",\n\"ResultPath\": \"$..x\"}]}, \"F\": "
           "{\"Type\": \"Fail\"}}}",
           DIAG_INVALID_REFERENCE_PATH, 3);
    refuse("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"End\": true, \"Resource\": "
           "\"a:b\",\n"
           "\"Catch\": 1}}}",
           DIAG_WRONG_TYPE, 2);
}

/* ==== Parallel and Map ================================================== */

static void check_parallel_needs_branches(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"P\", \"States\": {\n\"P\": {\"Type\": \"Parallel\", \"End\": true}}}",
           DIAG_INVALID_PARALLEL, 2);
    refuse("{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Parallel\", \"End\": true, \"Branches\": "
           "[\n1]}}}",
           DIAG_NOT_AN_OBJECT, 2);
    pass("{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Parallel\", \"End\": true, \"Branches\": "
         "[]}}}");
}

#define MAP(f)                                                                                               \
    "{\"StartAt\": \"M\", \"States\": {\"M\": {\"Type\": \"Map\", \"End\": true,\n\"ItemProcessor\": "       \
    "{\"StartAt\": "                                                                                         \
    "\"I\", \"States\": {\"I\": {\"Type\": \"Succeed\"}}}" f "}}}"

static void check_map_fields(void **state)
{
    (void)state;
    pass(MAP(", \"ItemsPath\": \"$.items\", \"ItemSelector\": {\"v.$\": \"$$.Map.Item.Value\"}, "
             "\"MaxConcurrency\": 2"));
    refuse("{\"StartAt\": \"M\", \"States\": {\n\"M\": {\"Type\": \"Map\", \"End\": true}}}",
           DIAG_INVALID_MAP, 2);
    refuse(MAP(",\n\"ToleratedFailurePercentage\": 101"), DIAG_INVALID_MAP, 3);
    refuse(MAP(",\n\"ItemBatcher\": {}"), DIAG_INVALID_MAP, 3);
    refuse(MAP(",\n\"ItemsPath\": null"), DIAG_WRONG_TYPE, 3);
    refuse(MAP(", \"ItemSelector\": {},\n\"Parameters\": {}"), DIAG_MUTUALLY_EXCLUSIVE, 3);
    refuse(MAP(",\n\"ItemReader\": {\"Parameters\": {}}"), DIAG_INVALID_MAP, 3);
    refuse(MAP(",\n\"MaxConcurrency\": -1"), DIAG_INVALID_MAP, 3);
    refuse(
        "{\"StartAt\": \"M\", \"States\": {\"M\": {\"Type\": \"Map\", \"End\": true,\n\"Iterator\": "
        "{\"StartAt\": "
        "\"I\", \"States\": {\"I\": {\"Type\": \"Succeed\"}},\n\"ProcessorConfig\": {\"Mode\": \"FAST\"}}}}}",
        DIAG_INVALID_MAP, 3);
}

/* ==== Every problem in one run ========================================= */

static void check_reports_every_problem_in_one_run(void **state)
{
    (void)state;
    run("{\"StartAt\": \"A\", \"States\": {\n"
        "\"A\": {\"Type\": \"Pass\", \"InputPath\": \"x\", \"Next\": \"B\"},\n"
        "\"B\": {\"Type\": \"Wait\", \"End\": true},\n"
        "\"C\": {\"Type\": \"Fail\", \"Error\": 1}}}");
    assert_non_null(find(DIAG_INVALID_JSONPATH, 2));
    assert_non_null(find(DIAG_MISSING_FIELD, 3));
    assert_non_null(find(DIAG_WRONG_TYPE, 4));
    assert_non_null(find(DIAG_UNREACHABLE_STATE, 4));
    assert_null(U->ir);
}

/* ==== Lowering ========================================================== */

static void lower_builds_states_with_resolved_indices(void **state)
{
    (void)state;
    run_named("dir/orders.asl.json",
              "{\"Comment\": \"top\", \"TimeoutSeconds\": 30, \"StartAt\": \"B\", \"States\": {\n"
              "\"A\": {\"Type\": \"Succeed\"},\n"
              "\"B\": {\"Type\": \"Pass\", \"Next\": \"A\", \"InputPath\": null, \"ResultPath\": \"$.r\",\n"
              "      \"Result\": {\"k.$\": \"$.not_a_path\"}}}}");
    assert_non_null(U->ir);
    ir_program *p = U->ir;
    assert_string_equal(p->machine_name, "orders");
    assert_string_equal(p->source_name, "dir/orders.asl.json");
    assert_int_equal(p->nmachines, 1);
    ir_machine *m = p->top;
    assert_int_equal(m->id, 0);
    assert_int_equal(m->nstates, 2);
    assert_int_equal(m->start, 1);
    assert_int_equal(m->timeout_seconds, 30);
    assert_string_equal(m->comment, "top");
    ir_state *b = m->states[1];
    assert_string_equal(b->name, "B");
    assert_int_equal(b->index, 1);
    assert_int_equal(b->kind, IR_PASS);
    assert_int_equal(b->next, 0);
    assert_int_equal(b->pos.line, 3);
    assert_int_equal(b->pos.col, 1);
    assert_int_equal(b->input_path.kind, IR_OPT_NULL);
    assert_int_equal(b->output_path.kind, IR_OPT_DEFAULT);
    assert_int_equal(b->result_path.kind, IR_OPT_PATH);
    assert_string_equal(b->result_path.path->normalized, "$['r']");
    /* Result is literal: the ".$" key stays, its value is a string */
    assert_int_equal(b->result->kind, IR_T_OBJECT);
    assert_string_equal(b->result->fields[0].key, "k.$");
    assert_int_equal(b->result->fields[0].value->kind, IR_T_STRING);
    assert_true(b->result->constant);
    assert_true(m->states[0]->next == -1);
    assert_false(p->uses_context);
}

static void lower_templates_strip_dollar_and_compute_constant(void **state)
{
    (void)state;
    run(PASS1("\"Parameters\": {\"c\": {\"n\": [1, \"x\", null]}, \"p.$\": \"$.a\", \"f.$\": "
              "\"States.Format('{}', $$.Execution.Id)\"}"));
    assert_non_null(U->ir);
    ir_tmpl *t = U->ir->top->states[0]->parameters;
    assert_int_equal(t->kind, IR_T_OBJECT);
    assert_int_equal(t->n, 3);
    assert_false(t->constant);
    assert_string_equal(t->fields[0].key, "c");
    assert_true(t->fields[0].value->constant);
    assert_int_equal(t->fields[0].value->fields[0].value->kind, IR_T_ARRAY);
    assert_int_equal(t->fields[0].value->fields[0].value->n, 3);
    assert_string_equal(t->fields[1].key, "p");
    assert_int_equal(t->fields[1].value->kind, IR_T_PATH);
    assert_string_equal(t->fields[1].value->path->normalized, "$['a']");
    assert_string_equal(t->fields[2].key, "f");
    assert_int_equal(t->fields[2].value->kind, IR_T_CALL);
    assert_int_equal(t->fields[2].value->call->fn, IR_FN_FORMAT);
    assert_int_equal(t->fields[2].value->call->pos.line, 3);
    assert_true(U->ir->uses_context);
}

static void lower_choice_rules(void **state)
{
    (void)state;
    run(CHOICE("{\"Variable\": \"$.n\", \"NumericLessThanEqualsPath\": \"$.m\", \"Next\": \"E\"},\n"
               "{\"Not\": {\"Variable\": \"$.t\", \"TimestampGreaterThan\": \"1970-01-01T00:01:00.5Z\"}, "
               "\"Next\": \"E\"},\n"
               "{\"Or\": [{\"Variable\": \"$.s\", \"StringMatches\": \"a*\"}, {\"Variable\": \"$.x\", "
               "\"IsNull\": false}], \"Next\": \"E\"}"));
    assert_non_null(U->ir);
    ir_state *c = U->ir->top->states[0];
    assert_int_equal(c->kind, IR_CHOICE);
    assert_int_equal(c->nrules, 3);
    assert_int_equal(c->default_next, 1);
    assert_int_equal(c->next, -1);
    ir_rule *r = c->rules[0];
    assert_int_equal(r->kind, IR_RULE_TEST);
    assert_int_equal(r->type, IR_TEST_NUMERIC);
    assert_int_equal(r->cmp, IR_CMP_LE);
    assert_true(r->rhs_is_path);
    assert_string_equal(r->rhs_path->normalized, "$['m']");
    assert_string_equal(r->op_name, "NumericLessThanEqualsPath");
    assert_int_equal(r->next, 1);
    r = c->rules[1];
    assert_int_equal(r->kind, IR_RULE_NOT);
    assert_int_equal(r->n, 1);
    assert_int_equal(r->subs[0]->type, IR_TEST_TIMESTAMP);
    assert_int_equal(r->subs[0]->cmp, IR_CMP_GT);
    assert_true(r->subs[0]->ts_sec == 60);
    assert_int_equal(r->subs[0]->ts_nsec, 500000000);
    assert_int_equal(r->subs[0]->next, -1);
    r = c->rules[2];
    assert_int_equal(r->kind, IR_RULE_OR);
    assert_int_equal(r->n, 2);
    assert_int_equal(r->subs[0]->type, IR_TEST_MATCHES);
    assert_string_equal(r->subs[0]->str, "a*");
    assert_int_equal(r->subs[1]->type, IR_TEST_IS_NULL);
    assert_false(r->subs[1]->boolean);
}

static void lower_wait_and_fail(void **state)
{
    (void)state;
    run("{\"StartAt\": \"W\", \"States\": {\n"
        "\"W\": {\"Type\": \"Wait\", \"Timestamp\": \"1970-01-01T00:00:10Z\", \"Next\": \"V\"},\n"
        "\"V\": {\"Type\": \"Wait\", \"SecondsPath\": \"$.s\", \"Next\": \"F\"},\n"
        "\"F\": {\"Type\": \"Fail\", \"Error\": \"E\", \"CausePath\": \"States.Format('{}', $.c)\"}}}");
    assert_non_null(U->ir);
    ir_state **s = U->ir->top->states;
    assert_int_equal(s[0]->wait_kind, IR_WAIT_TIMESTAMP);
    assert_true(s[0]->wait_ts_valid);
    assert_true(s[0]->wait_ts_sec == 10);
    assert_int_equal(s[1]->wait_kind, IR_WAIT_SECONDS_PATH);
    assert_string_equal(s[1]->wait_path->normalized, "$['s']");
    assert_string_equal(s[2]->error, "E");
    assert_null(s[2]->cause);
    assert_int_equal(s[2]->cause_path->kind, IR_T_CALL);
    assert_null(s[2]->error_path);
}

static void lower_nested_machines_get_unique_ids(void **state)
{
    (void)state;
    run("{\"StartAt\": \"P\", \"States\": {\n"
        "\"P\": {\"Type\": \"Parallel\", \"Next\": \"M\", \"Branches\": [\n"
        "  {\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}},\n"
        "  {\"StartAt\": \"B\", \"States\": {\"B\": {\"Type\": \"Pass\", \"Next\": \"B2\"}, \"B2\": "
        "{\"Type\": \"Succeed\"}}}],\n"
        "  \"Retry\": [{\"ErrorEquals\": [\"States.ALL\"], \"MaxAttempts\": 5, \"JitterStrategy\": "
        "\"FULL\"}],\n"
        "  \"Catch\": [{\"ErrorEquals\": [\"X\", \"Y\"], \"Next\": \"M\", \"ResultPath\": null}]},\n"
        "\"M\": {\"Type\": \"Map\", \"End\": true, \"ItemsPath\": \"$.items\", \"Parameters\": {\"v.$\": "
        "\"$$.Map.Item.Value\"},\n"
        "  \"MaxConcurrency\": 3,\n"
        "  \"Iterator\": {\"StartAt\": \"I\", \"ProcessorConfig\": {\"Mode\": \"DISTRIBUTED\", "
        "\"ExecutionType\": \"STANDARD\"}, \"States\": {\"I\": {\"Type\": \"Succeed\"}}}}}}");
    assert_non_null(U->ir);
    ir_program *p = U->ir;
    assert_int_equal(p->nmachines, 4);
    for (int k = 0; k < 4; k++)
        assert_int_equal(p->machines[k]->id, k);
    ir_state *par = p->top->states[0];
    assert_int_equal(par->nbranches, 2);
    assert_ptr_equal(par->branches[0], p->machines[1]);
    assert_ptr_equal(par->branches[1]->parent, p->top);
    assert_int_equal(par->branches[1]->nstates, 2);
    assert_int_equal(par->branches[1]->states[0]->next, 1);
    assert_int_equal(par->nretry, 1);
    assert_int_equal(par->retry[0].max_attempts, 5);
    assert_true(par->retry[0].interval_seconds == 1.0);
    assert_true(par->retry[0].backoff_rate == 2.0);
    assert_int_equal(par->retry[0].jitter, IR_JITTER_FULL);
    assert_int_equal(par->ncatch, 1);
    assert_int_equal(par->catch_[0].nerrors, 2);
    assert_string_equal(par->catch_[0].errors[1], "Y");
    assert_int_equal(par->catch_[0].next, 1);
    assert_int_equal(par->catch_[0].result_path.kind, IR_OPT_NULL);
    ir_state *map = p->top->states[1];
    assert_ptr_equal(map->processor, p->machines[3]);
    assert_true(map->distributed);
    assert_int_equal(map->max_concurrency, 3);
    assert_null(map->parameters);
    assert_non_null(map->item_selector);
    assert_string_equal(map->item_selector->fields[0].key, "v");
    assert_string_equal(map->items_path.path->normalized, "$['items']");
    assert_true(p->uses_context);
}

static void lower_task_fields(void **state)
{
    (void)state;
    run("{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"Resource\": "
        "\"arn:aws:states:::lambda:invoke\",\n"
        "\"TimeoutSecondsPath\": \"$.t\", \"HeartbeatSeconds\": 7, \"End\": true}}}");
    assert_non_null(U->ir);
    ir_state *t = U->ir->top->states[0];
    assert_string_equal(t->resource, "arn:aws:states:::lambda:invoke");
    assert_non_null(t->timeout_path);
    assert_int_equal(t->timeout_seconds, 0);
    assert_int_equal(t->heartbeat_seconds, 7);
    assert_true(t->end);
}

/* ==== Task, Retry, Catch: each rule with its line and column ============ */

/* A Task "T" whose extra fields [f] start on line 2; "F" is a Pass a
 * catcher may name. */
#define TASKR(f)                                                                                             \
    "{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"Resource\": "                           \
    "\"arn:aws:lambda:us-east-1:123456789012:function:f\", \"End\": true,\n" f "}}}"
#define CATCHR(f)                                                                                            \
    "{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"Resource\": "                           \
    "\"arn:aws:lambda:us-east-1:123456789012:function:f\", \"End\": true,\n" f                               \
    "}, \"F\": {\"Type\": \"Pass\", \"End\": true}}}"

static void check_task_timeouts_are_positive_integers_within_limit(void **state)
{
    (void)state;
    pass(TASKR("\"TimeoutSeconds\": 99999998, \"HeartbeatSeconds\": 99999997"));
    refuse(TASKR("\"TimeoutSeconds\": 0"), DIAG_INVALID_VALUE, 2);
    assert_int_equal(col_of(DIAG_INVALID_VALUE), 19);
    refuse(TASKR("\"TimeoutSeconds\": 99999999"), DIAG_INVALID_VALUE, 2);
    refuse(TASKR("\"TimeoutSeconds\": 1.5"), DIAG_WRONG_TYPE, 2);
    refuse(TASKR("\"TimeoutSeconds\": \"10\""), DIAG_WRONG_TYPE, 2);
    refuse(TASKR("\"HeartbeatSeconds\": 0"), DIAG_INVALID_VALUE, 2);
    refuse(TASKR("\"HeartbeatSeconds\": -3"), DIAG_INVALID_VALUE, 2);
}

static void check_heartbeat_must_be_shorter_than_timeout(void **state)
{
    (void)state;
    pass(TASKR("\"TimeoutSeconds\": 10, \"HeartbeatSeconds\": 9"));
    /* a dynamic timeout cannot be compared before the run */
    pass(TASKR("\"TimeoutSecondsPath\": \"$.t\", \"HeartbeatSeconds\": 50"));
    refuse(TASKR("\"TimeoutSeconds\": 10,\n\"HeartbeatSeconds\": 10"), DIAG_INVALID_VALUE, 3);
    assert_int_equal(col_of(DIAG_INVALID_VALUE), 21);
    refuse(TASKR("\"HeartbeatSeconds\": 11,\n\"TimeoutSeconds\": 10"), DIAG_INVALID_VALUE, 2);
}

static void check_timeout_and_heartbeat_fields_exclude_their_paths(void **state)
{
    (void)state;
    pass(TASKR("\"TimeoutSecondsPath\": \"$.t\", \"HeartbeatSecondsPath\": \"$$.Execution.Input.h\""));
    refuse(TASKR("\"HeartbeatSecondsPath\": \"$.h\",\n\"HeartbeatSeconds\": 3"), DIAG_MUTUALLY_EXCLUSIVE, 3);
    assert_int_equal(col_of(DIAG_MUTUALLY_EXCLUSIVE), 1);
    refuse(TASKR("\"TimeoutSeconds\": 3,\n  \"TimeoutSecondsPath\": \"$.t\""), DIAG_MUTUALLY_EXCLUSIVE, 3);
    assert_int_equal(col_of(DIAG_MUTUALLY_EXCLUSIVE), 3);
    refuse(TASKR("\"TimeoutSecondsPath\": \"$..t\""), DIAG_INVALID_REFERENCE_PATH, 2);
    refuse(TASKR("\"HeartbeatSecondsPath\": 5"), DIAG_WRONG_TYPE, 2);
}

static void check_retrier_numbers_are_in_range(void **state)
{
    (void)state;
    pass(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"], \"IntervalSeconds\": 99999999, \"MaxAttempts\": 0,\n"
               "\"BackoffRate\": 1, \"MaxDelaySeconds\": 31622400}]"));
    pass(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"], \"BackoffRate\": 1.5, \"MaxAttempts\": 99999998}]"));
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"IntervalSeconds\": 0}]"), DIAG_INVALID_RETRY, 3);
    assert_int_equal(col_of(DIAG_INVALID_RETRY), 20);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"IntervalSeconds\": 100000000}]"), DIAG_INVALID_RETRY,
           3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"IntervalSeconds\": 2.5}]"), DIAG_WRONG_TYPE, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"MaxAttempts\": -1}]"), DIAG_INVALID_RETRY, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"MaxAttempts\": 99999999}]"), DIAG_INVALID_RETRY, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"MaxDelaySeconds\": 0}]"), DIAG_INVALID_RETRY, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"MaxDelaySeconds\": 31622401}]"), DIAG_INVALID_RETRY,
           3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"BackoffRate\": 0.99}]"), DIAG_INVALID_RETRY, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"BackoffRate\": 1e9}]"), DIAG_INVALID_RETRY, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"BackoffRate\": \"2\"}]"), DIAG_WRONG_TYPE, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"JitterStrategy\": \"full\"}]"), DIAG_INVALID_RETRY, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\"],\n\"Next\": \"T\"}]"), DIAG_UNKNOWN_FIELD, 3);
    refuse(TASKR("\"Retry\": [\n\"A\"]"), DIAG_INVALID_RETRY, 3);
}

static void check_error_equals_is_a_non_empty_list_with_states_all_alone_and_last(void **state)
{
    (void)state;
    pass(CATCHR("\"Retry\": [{\"ErrorEquals\": [\"A\", \"States.TaskFailed\"]}, {\"ErrorEquals\": "
                "[\"States.ALL\"]}],\n"
                "\"Catch\": [{\"ErrorEquals\": [\"States.Timeout\"], \"Next\": \"F\"}, {\"ErrorEquals\": "
                "[\"States.ALL\"], \"Next\": \"F\"}]"));
    refuse(TASKR("\"Retry\": [\n{\"MaxAttempts\": 1}]"), DIAG_INVALID_RETRY, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\":\n\"States.ALL\"}]"), DIAG_WRONG_TYPE, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"A\",\n 7]}]"), DIAG_WRONG_TYPE, 3);
    assert_int_equal(col_of(DIAG_WRONG_TYPE), 2);
    refuse(CATCHR("\"Catch\": [{\"ErrorEquals\":\n[], \"Next\": \"F\"}]"), DIAG_INVALID_CATCH, 3);
    refuse(CATCHR("\"Catch\": [{\"ErrorEquals\": [\"A\",\n\"States.ALL\"], \"Next\": \"F\"}]"), DIAG_INVALID_CATCH,
           3);
    refuse(CATCHR("\"Catch\": [{\"ErrorEquals\":\n[\"States.ALL\"], \"Next\": \"F\"},\n{\"ErrorEquals\": "
                  "[\"A\"], \"Next\": \"F\"}]"),
           DIAG_INVALID_CATCH, 3);
    refuse(TASKR("\"Retry\": [{\"ErrorEquals\": [\"States.ALL\"]},\n{\"ErrorEquals\": [\"States.ALL\"]}]"),
           DIAG_INVALID_RETRY, 2);
}

static void check_each_catcher_names_an_existing_next(void **state)
{
    (void)state;
    pass(CATCHR("\"Catch\": [{\"ErrorEquals\": [\"A\"], \"Next\": \"F\", \"ResultPath\": null},\n"
                "{\"ErrorEquals\": [\"B\"], \"Next\": \"F\", \"ResultPath\": \"$.err\", \"Comment\": \"c\"}]"));
    refuse(CATCHR("\"Catch\": [{\"ErrorEquals\": [\"A\"],\n\"Next\": \"Nowhere\"}]"), DIAG_MISSING_TRANSITION_TARGET,
           3);
    assert_int_equal(col_of(DIAG_MISSING_TRANSITION_TARGET), 9);
    refuse(CATCHR("\"Catch\": [{\"ErrorEquals\": [\"A\"],\n\"Next\": 3}]"), DIAG_WRONG_TYPE, 3);
    refuse(CATCHR("\"Catch\": [\n{\"ErrorEquals\": [\"A\"], \"Next\": \"F\", \"Foo\": 1}]"), DIAG_UNKNOWN_FIELD, 3);
    refuse(CATCHR("\"Catch\": [{\"ErrorEquals\": [\"A\"], \"Next\": \"F\",\n\"ResultPath\": \"$$.x\"}]"),
           DIAG_INVALID_REFERENCE_PATH, 3);
    /* a catcher cannot leave its Parallel branch */
    refuse("{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Parallel\", \"End\": true, \"Branches\": [\n"
           "{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"Resource\": "
           "\"arn:aws:states:::lambda:invoke\", \"End\": true,\n"
           "\"Catch\": [{\"ErrorEquals\": [\"A\"], \"Next\": \"P\"}]}}}]}}}",
           DIAG_TRANSITION_OUT_OF_SCOPE, 3);
}

static void check_retry_and_catch_only_where_allowed(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Pass\", \"End\": true,\n"
           "\"Retry\": [{\"ErrorEquals\": [\"A\"]}]}}}",
           DIAG_FIELD_NOT_ALLOWED, 2);
    refuse("{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Choice\", \"Default\": \"E\",\n"
           "\"Choices\": [{\"Variable\": \"$.a\", \"IsNull\": true, \"Next\": \"E\"}],\n"
           "\"Catch\": [{\"ErrorEquals\": [\"A\"], \"Next\": \"E\"}]}, \"E\": {\"Type\": \"Succeed\"}}}",
           DIAG_FIELD_NOT_ALLOWED, 3);
}

static void lower_task_retry_catch_defaults_and_credentials(void **state)
{
    (void)state;
    run(CATCHR("\"Credentials\": {\"RoleArn.$\": \"$.role\"},\n"
               "\"Retry\": [{\"ErrorEquals\": [\"A\"]}, {\"ErrorEquals\": [\"States.ALL\"], \"IntervalSeconds\": 3,\n"
               "  \"MaxAttempts\": 0, \"BackoffRate\": 1.5, \"MaxDelaySeconds\": 9, \"JitterStrategy\": \"FULL\"}],\n"
               "\"Catch\": [{\"ErrorEquals\": [\"A\"], \"Next\": \"F\"}, {\"ErrorEquals\": [\"B\"], \"Next\": \"F\", "
               "\"ResultPath\": null},\n"
               "  {\"ErrorEquals\": [\"States.ALL\"], \"Next\": \"F\", \"ResultPath\": \"$.e\"}]"));
    assert_non_null(U->ir);
    ir_state *t = U->ir->top->states[0];
    assert_non_null(t->credentials);
    assert_int_equal(t->credentials->kind, IR_T_OBJECT);
    assert_string_equal(t->credentials->fields[0].key, "RoleArn");
    assert_int_equal(t->nretry, 2);
    assert_true(t->retry[0].interval_seconds == 1.0);
    assert_int_equal(t->retry[0].max_attempts, 3);
    assert_true(t->retry[0].backoff_rate == 2.0);
    assert_int_equal(t->retry[0].max_delay_seconds, 0);
    assert_int_equal(t->retry[0].jitter, IR_JITTER_NONE);
    assert_true(t->retry[1].interval_seconds == 3.0);
    assert_int_equal(t->retry[1].max_attempts, 0);
    assert_true(t->retry[1].backoff_rate == 1.5);
    assert_int_equal(t->retry[1].max_delay_seconds, 9);
    assert_int_equal(t->retry[1].jitter, IR_JITTER_FULL);
    assert_int_equal(t->ncatch, 3);
    assert_int_equal(t->catch_[0].next, 1);
    assert_int_equal(t->catch_[0].result_path.kind, IR_OPT_DEFAULT);
    assert_int_equal(t->catch_[1].result_path.kind, IR_OPT_NULL);
    assert_int_equal(t->catch_[2].result_path.kind, IR_OPT_PATH);
    assert_string_equal(t->catch_[2].result_path.path->normalized, "$['e']");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(check_minimal_machine_passes, teardown),
        cmocka_unit_test_teardown(check_definition_must_be_an_object, teardown),
        cmocka_unit_test_teardown(check_top_level_requires_start_at_and_states, teardown),
        cmocka_unit_test_teardown(check_unknown_top_level_field, teardown),
        cmocka_unit_test_teardown(check_timeout_seconds_is_a_positive_integer_within_limit, teardown),
        cmocka_unit_test_teardown(check_version_and_comment_are_strings, teardown),
        cmocka_unit_test_teardown(check_jsonata_states_are_built, teardown),
        cmocka_unit_test_teardown(check_state_must_be_an_object_with_a_known_type, teardown),
        cmocka_unit_test_teardown(check_unknown_and_misplaced_fields, teardown),
        cmocka_unit_test_teardown(check_next_and_end, teardown),
        cmocka_unit_test_teardown(check_transition_targets_exist, teardown),
        cmocka_unit_test_teardown(check_transitions_cannot_leave_a_branch, teardown),
        cmocka_unit_test_teardown(check_unreachable_states, teardown),
        cmocka_unit_test_teardown(check_machine_needs_a_terminal_state, teardown),
        cmocka_unit_test_teardown(check_state_names_are_unique_across_branches, teardown),
        cmocka_unit_test_teardown(check_state_name_length, teardown),
        cmocka_unit_test_teardown(check_choice_rules_valid, teardown),
        cmocka_unit_test_teardown(check_choice_rule_needs_exactly_one_operator, teardown),
        cmocka_unit_test_teardown(check_choice_operator_value_types, teardown),
        cmocka_unit_test_teardown(check_choice_nesting_rules, teardown),
        cmocka_unit_test_teardown(check_wait_takes_exactly_one_duration, teardown),
        cmocka_unit_test_teardown(check_wait_bad_timestamp_literal_is_only_a_warning, teardown),
        cmocka_unit_test_teardown(check_fail_error_and_cause, teardown),
        cmocka_unit_test_teardown(check_path_fields, teardown),
        cmocka_unit_test_teardown(check_path_error_points_inside_the_string, teardown),
        cmocka_unit_test_teardown(check_payload_templates, teardown),
        cmocka_unit_test_teardown(check_slice_step_warns, teardown),
        cmocka_unit_test_teardown(check_variables_are_built, teardown),
        cmocka_unit_test_teardown(check_task_resource_and_timeouts, teardown),
        cmocka_unit_test_teardown(check_retry_rules, teardown),
        cmocka_unit_test_teardown(check_catch_rules, teardown),
        cmocka_unit_test_teardown(check_parallel_needs_branches, teardown),
        cmocka_unit_test_teardown(check_map_fields, teardown),
        cmocka_unit_test_teardown(check_reports_every_problem_in_one_run, teardown),
        cmocka_unit_test_teardown(lower_builds_states_with_resolved_indices, teardown),
        cmocka_unit_test_teardown(lower_templates_strip_dollar_and_compute_constant, teardown),
        cmocka_unit_test_teardown(lower_choice_rules, teardown),
        cmocka_unit_test_teardown(lower_wait_and_fail, teardown),
        cmocka_unit_test_teardown(lower_nested_machines_get_unique_ids, teardown),
        cmocka_unit_test_teardown(lower_task_fields, teardown),
        cmocka_unit_test_teardown(check_task_timeouts_are_positive_integers_within_limit, teardown),
        cmocka_unit_test_teardown(check_heartbeat_must_be_shorter_than_timeout, teardown),
        cmocka_unit_test_teardown(check_timeout_and_heartbeat_fields_exclude_their_paths, teardown),
        cmocka_unit_test_teardown(check_retrier_numbers_are_in_range, teardown),
        cmocka_unit_test_teardown(check_error_equals_is_a_non_empty_list_with_states_all_alone_and_last, teardown),
        cmocka_unit_test_teardown(check_each_catcher_names_an_existing_next, teardown),
        cmocka_unit_test_teardown(check_retry_and_catch_only_where_allowed, teardown),
        cmocka_unit_test_teardown(lower_task_retry_catch_defaults_and_credentials, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
