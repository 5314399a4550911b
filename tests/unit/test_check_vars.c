/*
 * test_check_vars.c - compiler/check_vars.c and the variable parts of
 * check_payload.c: Assign in JSONPath and JSONata states, variable
 * names, variable references in paths and intrinsic arguments, scopes.
 * `aslc check` accepts valid variables; building still refuses them.
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

static void clean(const char *json)
{
    run(json);
    if (U->nerrors || U->nwarnings) {
        diag_print_text(stderr, U, false);
        fail_msg("expected neither errors nor warnings");
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

/* Pass "A" assigns (line 2), Pass "B" uses (line 3). */
#define TWO(assign, use)                                                                                     \
    "{\"StartAt\": \"A\", \"States\": {\n\"A\": {\"Type\": \"Pass\", \"Next\": \"B\", " assign "},\n"        \
    "\"B\": {\"Type\": \"Pass\", \"End\": true, " use "}}}"

static void variable_names(void **state)
{
    (void)state;
    assert_null(check_variable_name_problem("total", 5));
    assert_null(check_variable_name_problem("_x1", 3));
    assert_null(check_variable_name_problem("\xc3\xa9t\xc3\xa9", 5)); /* été */
    assert_non_null(check_variable_name_problem("top-level", 9));
    assert_non_null(check_variable_name_problem("1st", 3));
    assert_non_null(check_variable_name_problem("states", 6));
    assert_non_null(check_variable_name_problem("a b", 3));
    char long_name[90];
    memset(long_name, 'a', 81);
    assert_non_null(check_variable_name_problem(long_name, 81));
    assert_null(check_variable_name_problem(long_name, 80));
}

static void jsonpath_assign_and_references_are_accepted(void **state)
{
    (void)state;
    clean(TWO(
        "\"Assign\": {\"total.$\": \"$.sum\", \"label\": \"x\"}",
        "\"Parameters\": {\"t.$\": \"$total\", \"s.$\": \"States.Format('{} {}', $label, $total.a[0])\"}"));
    clean(TWO("\"Assign\": {\"err\": \"E\"}", "\"InputPath\": \"$err\""));
}

static void assign_must_be_an_object_of_valid_names(void **state)
{
    (void)state;
    refuse(TWO("\n\"Assign\": [1]", "\"Comment\": \"c\""), DIAG_WRONG_TYPE, 3);
    refuse(TWO("\"Assign\": {\n\"top-level\": 1}", "\"Comment\": \"c\""), DIAG_INVALID_VARIABLE_NAME, 3);
    refuse(TWO("\"Assign\": {\n\"states\": 1}", "\"Comment\": \"c\""), DIAG_INVALID_VARIABLE_NAME, 3);
    refuse(TWO("\"Assign\": {\n\"x.$\": \"nope\"}", "\"Comment\": \"c\""), DIAG_INVALID_PAYLOAD_TEMPLATE, 3);
}

static void assign_only_where_allowed(void **state)
{
    (void)state;
    refuse("{\"StartAt\": \"S\", \"States\": {\n\"S\": {\"Type\": \"Succeed\",\n\"Assign\": {\"x\": 1}}}}",
           DIAG_FIELD_NOT_ALLOWED, 3);
}

static void result_path_cannot_be_a_variable(void **state)
{
    (void)state;
    refuse(TWO("\"Assign\": {\"x\": 1}", "\n\"ResultPath\": \"$x\""), DIAG_INVALID_REFERENCE_PATH, 4);
}

static void variable_paths_are_checked_as_paths(void **state)
{
    (void)state;
    refuse(TWO("\"Assign\": {\"x\": 1}", "\n\"InputPath\": \"$x..[\""), DIAG_INVALID_JSONPATH, 4);
    refuse(
        "{\"StartAt\": \"C\", \"States\": {\"C\": {\"Type\": \"Choice\", \"Default\": \"D\", \"Assign\": "
        "{\"x\": [1]}, \"Choices\": [{\n\"Variable\": \"$x[*]\", \"IsPresent\": true, \"Next\": \"D\"}]},\n"
        "\"D\": {\"Type\": \"Succeed\"}}}",
        DIAG_INVALID_REFERENCE_PATH, 2);
}

static void undefined_and_out_of_scope_variables_warn(void **state)
{
    (void)state;
    warns(TWO("\"Comment\": \"nothing\"", "\n\"InputPath\": \"$nope\""), DIAG_UNDEFINED_VARIABLE, 4);
    /* Assigned inside a Map iteration, read after the Map. */
    warns("{\"StartAt\": \"M\", \"States\": {\"M\": {\"Type\": \"Map\", \"Next\": \"B\", \"ItemProcessor\": "
          "{\"StartAt\": \"I\", \"States\": {\"I\": {\"Type\": \"Pass\", \"End\": true, \"Assign\": "
          "{\"inner\": "
          "1}}}}},\n\"B\": {\"Type\": \"Pass\", \"End\": true,\n\"InputPath\": \"$inner\"}}}",
          DIAG_VARIABLE_OUT_OF_SCOPE, 3);
    /* An inner scope reads the outer one: fine. */
    clean(
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"M\", \"Assign\": "
        "{\"outer\": 1}},\n\"M\": {\"Type\": \"Map\", \"End\": true, \"ItemProcessor\": {\"StartAt\": \"I\", "
        "\"States\": {\"I\": {\"Type\": \"Pass\", \"End\": true, \"InputPath\": \"$outer\"}}}}}}");
}

static void inner_scope_reusing_an_outer_name_warns(void **state)
{
    (void)state;
    warns("{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"M\", \"Assign\": "
          "{\"x\": 1}},\n\"M\": {\"Type\": \"Map\", \"End\": true, \"ItemProcessor\": {\"StartAt\": \"I\", "
          "\"States\": {\"I\": {\"Type\": \"Pass\", \"End\": true,\n\"Assign\": {\"x\": 2}}}}}}}",
          DIAG_SHADOWED_VARIABLE, 3);
}

static void jsonata_variables(void **state)
{
    (void)state;
    clean("{\"QueryLanguage\": \"JSONata\", \"StartAt\": \"A\", \"States\": {\n"
          "\"A\": {\"Type\": \"Pass\", \"Next\": \"B\", \"Assign\": {\"n\": \"{% $states.input.n %}\"}},\n"
          "\"B\": {\"Type\": \"Pass\", \"End\": true, \"Output\": \"{% $n + $sum([1]) %}\"}}}");
    warns("{\"QueryLanguage\": \"JSONata\", \"StartAt\": \"B\", \"States\": {\n"
          "\"B\": {\"Type\": \"Pass\", \"End\": true, \"Output\": \"{% $n + 1 %}\"}}}",
          DIAG_UNDEFINED_VARIABLE, 2);
}

static void build_lowers_variables(void **state)
{
    (void)state;
    const char *def = TWO("\"Assign\": {\"x\": 1, \"y.$\": \"$.a\"}", "\"InputPath\": \"$x.k[0]\"");
    U = unit_from_text("t.json", def, strlen(def));
    assert_true(load_json(U));
    const ir_program *ir = check_and_lower(U);
    assert_non_null(ir);
    const ir_tmpl *a = ir->top->states[0]->assign;
    assert_non_null(a);
    assert_int_equal(a->kind, IR_T_OBJECT);
    assert_int_equal(a->n, 2);
    assert_string_equal(a->fields[1].key, "y");
    assert_int_equal(a->fields[1].value->kind, IR_T_PATH);
    const ir_path *p = ir->top->states[1]->input_path.path;
    assert_int_equal(p->root, IR_ROOT_VARIABLE);
    assert_string_equal(p->var, "x");
    assert_int_equal(p->nsegs, 2);
    assert_string_equal(p->normalized, "$x['k'][0]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(variable_names, teardown),
        cmocka_unit_test_teardown(jsonpath_assign_and_references_are_accepted, teardown),
        cmocka_unit_test_teardown(assign_must_be_an_object_of_valid_names, teardown),
        cmocka_unit_test_teardown(assign_only_where_allowed, teardown),
        cmocka_unit_test_teardown(result_path_cannot_be_a_variable, teardown),
        cmocka_unit_test_teardown(variable_paths_are_checked_as_paths, teardown),
        cmocka_unit_test_teardown(undefined_and_out_of_scope_variables_warn, teardown),
        cmocka_unit_test_teardown(inner_scope_reusing_an_outer_name_warns, teardown),
        cmocka_unit_test_teardown(jsonata_variables, teardown),
        cmocka_unit_test_teardown(build_lowers_variables, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
