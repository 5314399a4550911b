/*
 * test_path.c - compiler/path.c: every segment kind, the normalized text
 * AWS prints in causes, definiteness, Reference Paths, and errors with the
 * index of the offending character.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "path.h"

static arena A;

static int teardown(void **state)
{
    (void)state;
    arena_free(&A);
    return 0;
}

static ir_path *ok(const char *text, unsigned flags)
{
    path_error e;
    ir_path *p = path_parse(&A, text, flags, &e);
    if (!p)
        fail_msg("\"%s\" refused: %s (at %zu)", text, e.msg, e.index);
    assert_string_equal(p->text, text);
    return p;
}

static path_error bad(const char *text, unsigned flags)
{
    path_error e;
    ir_path *p = path_parse(&A, text, flags, &e);
    if (p)
        fail_msg("\"%s\" accepted", text);
    assert_true(e.msg[0] != '\0');
    return e;
}

static void path_root_alone_is_definite(void **state)
{
    (void)state;
    ir_path *p = ok("$", 0);
    assert_int_equal(p->root, IR_ROOT_INPUT);
    assert_int_equal(p->nsegs, 0);
    assert_true(p->definite);
    assert_string_equal(p->normalized, "$");
}

/* A bare word in a filter: refused with UNREADABLE_FILTER, and a path
 * that fails at run time carries Jayway's compile-time text. */
static void path_bare_filter_word_fails_with_jayways_text(void **state)
{
    (void)state;
    path_error e = bad("$.Labels[?(@.Name==Receipt)]", 0);
    assert_int_equal(e.code, DIAG_UNREADABLE_FILTER);
    assert_non_null(e.failing);
    assert_string_equal(e.failing->text, "$.Labels[?(@.Name==Receipt)]");
    assert_string_equal(e.failing->invalid,
                        "Failed to parse filter: [?(@.Name==Receipt)], error on position: 11, char: R");
    assert_true(e.failing->nsegs > 0); /* never mistaken for "$" */
    e = bad("$.a[?(@.b[?(@.c > 1)] && @.d == e5x)].f", 0);
    assert_string_equal(e.failing->invalid,
                        "Failed to parse filter: [?(@.b[?(@.c > 1)] && @.d == e5x)], error on position: 31, char: x");
    e = bad("$.a[?(@.b == 'x' || @.c == nope)]", 0);
    assert_string_equal(e.failing->invalid, "Expected <null> value");
    e = bad("$.a[?(@.b == fine)]", 0);
    assert_string_equal(e.failing->invalid, "Expected boolean literal");
    e = bad("$.a[?(@.b == x)]", PATH_REFERENCE); /* a filter cannot be a Reference Path */
    assert_int_equal(e.code, DIAG_INVALID_REFERENCE_PATH);
    assert_null(e.failing);
    e = bad("$.a[?(@.b = 1)]", 0);
    assert_null(e.failing);
}

static void path_context_root(void **state)
{
    (void)state;
    ir_path *p = ok("$$.Execution.Id", 0);
    assert_int_equal(p->root, IR_ROOT_CONTEXT);
    assert_int_equal(p->nsegs, 2);
    assert_string_equal(p->segs[1].name, "Id");
    assert_string_equal(p->normalized, "$['Execution']['Id']");
    assert_int_equal(ok("$$", 0)->root, IR_ROOT_CONTEXT);
}

static void path_dot_fields_and_index_normalize_to_brackets(void **state)
{
    (void)state;
    ir_path *p = ok("$.a.b[0]", 0);
    assert_int_equal(p->nsegs, 3);
    assert_int_equal(p->segs[0].kind, IR_SEG_FIELD);
    assert_int_equal(p->segs[2].kind, IR_SEG_INDEX);
    assert_int_equal(p->segs[2].index, 0);
    assert_true(p->definite);
    assert_string_equal(p->normalized, "$['a']['b'][0]");
}

static void path_dot_names_take_unusual_characters(void **state)
{
    (void)state;
    assert_string_equal(ok("$.input-foo-bar", 0)->segs[0].name, "input-foo-bar");
    assert_string_equal(ok("$.a:b", 0)->segs[0].name, "a:b");
    assert_string_equal(ok("$.\xc3\xbc\xc3\xa9", 0)->segs[0].name, "\xc3\xbc\xc3\xa9");
    assert_string_equal(ok("$.a$b", 0)->segs[0].name, "a$b");
    assert_string_equal(ok("$.a'b", 0)->normalized, "$['a'b']");
}

static void path_bracket_names_single_and_double_quotes(void **state)
{
    (void)state;
    ir_path *p = ok("$['a b'][\"c.d\"]", 0);
    assert_int_equal(p->nsegs, 2);
    assert_string_equal(p->segs[0].name, "a b");
    assert_string_equal(p->segs[1].name, "c.d");
    assert_string_equal(p->normalized, "$['a b']['c.d']");
    assert_true(p->definite);
}

static void path_bracket_name_keeps_backslashes_as_aws_does(void **state)
{
    (void)state;
    /* conformance data-flow escape case: the key holds the backslash */
    ir_path *p = ok("$['Test\\\"\"Name\"']", 0);
    assert_string_equal(p->segs[0].name, "Test\\\"\"Name\"");
    p = ok("$['it\\'s']", 0);
    assert_string_equal(p->segs[0].name, "it\\'s");
}

static void path_negative_index(void **state)
{
    (void)state;
    ir_path *p = ok("$.a[-1]", 0);
    assert_int_equal(p->segs[1].kind, IR_SEG_INDEX);
    assert_int_equal(p->segs[1].index, -1);
    assert_string_equal(p->normalized, "$['a'][-1]");
}

static void path_wildcards(void **state)
{
    (void)state;
    ir_path *p = ok("$.*", 0);
    assert_int_equal(p->segs[0].kind, IR_SEG_WILDCARD);
    assert_false(p->definite);
    assert_string_equal(p->normalized, "$[*]");
    p = ok("$.items[*].v", 0);
    assert_int_equal(p->segs[1].kind, IR_SEG_WILDCARD);
    assert_string_equal(p->normalized, "$['items'][*]['v']");
    assert_int_equal(ok("$[ * ]", 0)->segs[0].kind, IR_SEG_WILDCARD);
}

static void path_slices(void **state)
{
    (void)state;
    ir_path *p = ok("$.a[1:5]", 0);
    ir_seg *s = &p->segs[1];
    assert_int_equal(s->kind, IR_SEG_SLICE);
    assert_true(s->has_start && s->has_end);
    assert_int_equal(s->start, 1);
    assert_int_equal(s->end, 5);
    assert_int_equal(s->step, 1);
    assert_false(p->definite);
    assert_string_equal(p->normalized, "$['a'][1:5]");
    assert_string_equal(ok("$[1:]", 0)->normalized, "$[1:]");
    assert_string_equal(ok("$[:2]", 0)->normalized, "$[:2]");
    s = &ok("$[-2:]", 0)->segs[0];
    assert_true(s->has_start && !s->has_end);
    assert_int_equal(s->start, -2);
}

static void path_slice_step_is_ignored_with_a_warning(void **state)
{
    (void)state;
    path_error e;
    ir_path *p = path_parse(&A, "$.a[0:6:2]", 0, &e);
    assert_non_null(p);
    assert_true(e.has_warning);
    assert_int_equal(e.warn_index, 8);
    assert_int_equal(p->segs[1].step, 1);
    p = path_parse(&A, "$.a[0:6:1]", 0, &e);
    assert_non_null(p);
    assert_false(e.has_warning);
}

static void path_unions_of_names_and_indexes(void **state)
{
    (void)state;
    ir_path *p = ok("$['a', 'b']", 0);
    assert_int_equal(p->segs[0].kind, IR_SEG_UNION);
    assert_int_equal(p->segs[0].nnames, 2);
    assert_string_equal(p->segs[0].names[1], "b");
    assert_string_equal(p->normalized, "$['a','b']");
    assert_false(p->definite);
    p = ok("$.x[0,2, 5]", 0);
    assert_int_equal(p->segs[1].nindexes, 3);
    assert_int_equal(p->segs[1].indexes[2], 5);
    assert_string_equal(p->normalized, "$['x'][0,2,5]");
}

static void path_deep_scan(void **state)
{
    (void)state;
    ir_path *p = ok("$..name", 0);
    assert_int_equal(p->segs[0].kind, IR_SEG_DEEP);
    assert_string_equal(p->segs[0].name, "name");
    assert_false(p->definite);
    assert_string_equal(p->normalized, "$..['name']");
    p = ok("$.a..*", 0);
    assert_int_equal(p->segs[1].kind, IR_SEG_DEEP);
    assert_null(p->segs[1].name);
    assert_string_equal(p->normalized, "$['a']..[*]");
    assert_string_equal(ok("$..['k']", 0)->segs[0].name, "k");
}

static void path_filter_comparison_with_number(void **state)
{
    (void)state;
    ir_path *p = ok("$.users[?(@.status == 0)]", 0);
    assert_int_equal(p->nsegs, 2);
    ir_filter *f = p->segs[1].filter;
    assert_int_equal(p->segs[1].kind, IR_SEG_FILTER);
    assert_int_equal(f->op, IR_F_EQ);
    assert_int_equal(f->lhs->root, IR_ROOT_CURRENT);
    assert_string_equal(f->lhs->segs[0].name, "status");
    assert_null(f->rhs_path);
    assert_int_equal(f->lit, IR_LIT_NUMBER);
    assert_true(f->num == 0.0);
    assert_false(p->definite);
    assert_string_equal(p->normalized, "$['users'][?]");
}

static void path_filter_strings_and_logic(void **state)
{
    (void)state;
    ir_path *p = ok("$[?(@.c == 'str' && @.x > 5 || !@.y)]", 0);
    ir_filter *f = p->segs[0].filter;
    assert_int_equal(f->op, IR_F_OR);
    assert_int_equal(f->a->op, IR_F_AND);
    assert_int_equal(f->a->a->lit, IR_LIT_STRING);
    assert_string_equal(f->a->a->str, "str");
    assert_int_equal(f->a->b->op, IR_F_GT);
    assert_int_equal(f->b->op, IR_F_NOT);
    assert_int_equal(f->b->a->op, IR_F_EXISTS);
    /* && binds tighter than ||, parentheses regroup */
    f = ok("$[?(@.a && (@.b || @.c))]", 0)->segs[0].filter;
    assert_int_equal(f->op, IR_F_AND);
    assert_int_equal(f->b->op, IR_F_OR);
    f = ok("$[?(@.n == \"q\\\"uote\")]", 0)->segs[0].filter;
    assert_string_equal(f->str, "q\"uote");
}

static void path_filter_existence_and_literal_kinds(void **state)
{
    (void)state;
    ir_filter *f = ok("$.a[?(@.x)]", 0)->segs[1].filter;
    assert_int_equal(f->op, IR_F_EXISTS);
    assert_string_equal(f->lhs->segs[0].name, "x");
    assert_int_equal(ok("$[?(@.b == true)]", 0)->segs[0].filter->lit, IR_LIT_TRUE);
    assert_int_equal(ok("$[?(@.b != null)]", 0)->segs[0].filter->lit, IR_LIT_NULL);
    f = ok("$[?(@.v <= -1.5e2)]", 0)->segs[0].filter;
    assert_int_equal(f->op, IR_F_LE);
    assert_true(f->num == -150.0);
    f = ok("$[?(@.a == $.b)]", 0)->segs[0].filter;
    assert_non_null(f->rhs_path);
    assert_int_equal(f->rhs_path->root, IR_ROOT_INPUT);
    f = ok("$[?(@>3)]", 0)->segs[0].filter;
    assert_int_equal(f->lhs->nsegs, 0);
}

static void path_filter_literal_on_the_left_is_mirrored(void **state)
{
    (void)state;
    ir_filter *f = ok("$[?(5 < @.x)]", 0)->segs[0].filter;
    assert_int_equal(f->op, IR_F_GT);
    assert_string_equal(f->lhs->segs[0].name, "x");
    assert_true(f->num == 5.0);
}

static void path_rejects_with_the_index_of_the_problem(void **state)
{
    (void)state;
    path_error e = bad("", 0);
    assert_int_equal(e.index, 0);
    e = bad("x.a", 0);
    assert_int_equal(e.code, DIAG_INVALID_JSONPATH);
    assert_int_equal(e.index, 0);
    e = bad(" $.a", 0);
    assert_int_equal(e.index, 0);
    e = bad("$.", 0);
    assert_int_equal(e.index, 1);
    e = bad("$..", 0);
    assert_int_equal(e.index, 1);
    e = bad("$...a", 0);
    assert_int_equal(e.index, 3);
    e = bad("$.a b", 0);
    assert_int_equal(e.index, 3);
    e = bad("$[", 0);
    e = bad("$['a'", 0);
    assert_int_equal(e.index, 5);
    e = bad("$['a", 0);
    assert_int_equal(e.index, 2);
    e = bad("$.a[1:2,3]", 0);
    assert_int_equal(e.index, 7);
    e = bad("$.a[x]", 0);
    assert_int_equal(e.index, 4);
    e = bad("$[?(@.x ==)]", 0);
    assert_int_equal(e.index, 10);
    e = bad("$[?(@.OutputKey == FooBar)]", 0);
    assert_int_equal(e.index, 19);
    e = bad("$[(@.length-1)]", 0);
    assert_int_equal(e.index, 2);
    e = bad("$[?(@.x = 1)]", 0);
    assert_int_equal(e.index, 8);
    e = bad("$$23", 0);
    assert_int_equal(e.index, 2);
    e = bad("$a[", 0);
    assert_int_equal(e.code, DIAG_INVALID_JSONPATH);
    e = bad("$[99999999999]", 0);
    assert_int_equal(e.index, 2);
    e = bad("$[]", 0);
    e = bad("$[:]", 0);
}

static void path_reports_unsupported_features(void **state)
{
    (void)state;
    path_error e = bad("$.items.length()", 0);
    assert_int_equal(e.code, DIAG_UNSUPPORTED_FEATURE);
    assert_int_equal(e.index, 8);
    e = bad("$[?(@.a =~ /x/)]", 0);
    assert_int_equal(e.code, DIAG_UNSUPPORTED_FEATURE);
    e = bad("$[?(@.a in ['x'])]", 0);
    assert_int_equal(e.code, DIAG_UNSUPPORTED_FEATURE);
    e = bad("$..[0]", 0);
    assert_int_equal(e.code, DIAG_UNSUPPORTED_FEATURE);
    ir_path *v = path_parse(&A, "$myVar.field[2]", 0, &e);
    assert_non_null(v);
    assert_int_equal(v->root, IR_ROOT_VARIABLE);
    assert_string_equal(v->var, "myVar");
    assert_string_equal(v->normalized, "$myVar['field'][2]");
    e = bad("$myVar.field", PATH_NO_VARIABLE);
    assert_int_equal(e.code, DIAG_INVALID_REFERENCE_PATH);
    assert_true(path_is_variable("$myVar"));
    assert_false(path_is_variable("$.a"));
    assert_false(path_is_variable("$$"));
}

static void path_reference_paths_allow_only_fields_and_indexes(void **state)
{
    (void)state;
    ir_path *p = ok("$.a['b'][3]", PATH_REFERENCE);
    assert_int_equal(p->nsegs, 3);
    path_error e = bad("$.a[*]", PATH_REFERENCE);
    assert_int_equal(e.code, DIAG_INVALID_REFERENCE_PATH);
    assert_int_equal(e.index, 3);
    e = bad("$..a", PATH_REFERENCE);
    assert_int_equal(e.code, DIAG_INVALID_REFERENCE_PATH);
    e = bad("$.a[?(@.x)]", PATH_REFERENCE);
    assert_int_equal(e.code, DIAG_INVALID_REFERENCE_PATH);
    e = bad("$$.a", PATH_REFERENCE | PATH_NO_CONTEXT);
    assert_int_equal(e.code, DIAG_INVALID_REFERENCE_PATH);
    e = bad("$v", PATH_REFERENCE | PATH_NO_VARIABLE);
    assert_int_equal(e.code, DIAG_INVALID_REFERENCE_PATH);
    assert_non_null(ok("$$.Map.Item.Value", PATH_REFERENCE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
cmocka_unit_test(path_bare_filter_word_fails_with_jayways_text),
                cmocka_unit_test_teardown(path_root_alone_is_definite, teardown),
        cmocka_unit_test_teardown(path_context_root, teardown),
        cmocka_unit_test_teardown(path_dot_fields_and_index_normalize_to_brackets, teardown),
        cmocka_unit_test_teardown(path_dot_names_take_unusual_characters, teardown),
        cmocka_unit_test_teardown(path_bracket_names_single_and_double_quotes, teardown),
        cmocka_unit_test_teardown(path_bracket_name_keeps_backslashes_as_aws_does, teardown),
        cmocka_unit_test_teardown(path_negative_index, teardown),
        cmocka_unit_test_teardown(path_wildcards, teardown),
        cmocka_unit_test_teardown(path_slices, teardown),
        cmocka_unit_test_teardown(path_slice_step_is_ignored_with_a_warning, teardown),
        cmocka_unit_test_teardown(path_unions_of_names_and_indexes, teardown),
        cmocka_unit_test_teardown(path_deep_scan, teardown),
        cmocka_unit_test_teardown(path_filter_comparison_with_number, teardown),
        cmocka_unit_test_teardown(path_filter_strings_and_logic, teardown),
        cmocka_unit_test_teardown(path_filter_existence_and_literal_kinds, teardown),
        cmocka_unit_test_teardown(path_filter_literal_on_the_left_is_mirrored, teardown),
        cmocka_unit_test_teardown(path_rejects_with_the_index_of_the_problem, teardown),
        cmocka_unit_test_teardown(path_reports_unsupported_features, teardown),
        cmocka_unit_test_teardown(path_reference_paths_allow_only_fields_and_indexes, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
