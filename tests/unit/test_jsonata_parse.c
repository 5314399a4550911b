/*
 * test_jsonata_parse.c - compiler/jsonata_parse.c: the processed tree of
 * jsonata-js 2.0.6 (paths of steps, stages, groups, focus/index/parent,
 * tail calls), written out as an S-expression and compared, and the
 * syntax errors with jsonata-js's codes, positions and messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jsonata_parse.h"

static arena A;

static int teardown(void **state)
{
    (void)state;
    arena_free(&A);
    return 0;
}

static const char *const type_names[] = {
    "path", "binary", "neg", "array", "object", "string", "number", "value", "regex",
    "name", "var", "wildcard", "descendant", "parent", "call", "?", "lambda", "cond",
    "block", "bind", "apply", "sort", "term", "transform", "filter", "index",
};

static void dump(const asl_jnode *n, char *out, size_t cap, size_t *o)
{
#define PUT(...) (*o += (size_t)snprintf(out + *o, *o < cap ? cap - *o : 0, __VA_ARGS__))
    PUT("(%s", type_names[n->type]);
    if (n->type == ASL_JN_NUMBER)
        PUT(" %g", n->num);
    else if (n->str && n->type != ASL_JN_PARENT)
        PUT(" %.*s", (int)n->len, n->str);
    else if (n->type == ASL_JN_PARENT)
        PUT(" %s", n->str);
    if (n->flags & ASL_JF_TUPLE)
        PUT(" :tuple");
    if (n->flags & ASL_JF_KEEP_ARRAY)
        PUT(" :keep");
    if (n->flags & ASL_JF_KEEP_SINGLETON)
        PUT(" :singleton");
    if (n->flags & ASL_JF_CONS)
        PUT(" :cons");
    if (n->flags & ASL_JF_PARTIAL)
        PUT(" :partial");
    if (n->flags & ASL_JF_THUNK)
        PUT(" :thunk");
    if (n->flags & ASL_JF_DESCENDING)
        PUT(" :desc");
    if (n->focus)
        PUT(" @%s", n->focus);
    if (n->index)
        PUT(" #%s", n->index);
    if (n->ancestor)
        PUT(" ^%s", n->ancestor);
    for (int i = 0; i < n->nkids; i++) {
        PUT(" ");
        dump(n->kids[i], out, cap, o);
    }
    for (int i = 0; i < n->nstages; i++) {
        PUT(" [");
        dump(n->stages[i], out, cap, o);
        PUT("]");
    }
    if (n->group) {
        PUT(" {");
        dump(n->group, out, cap, o);
        PUT("}");
    }
    PUT(")");
#undef PUT
}

static void tree_is(const char *expr, const char *want)
{
    jsonata_syntax_error e;
    const asl_jnode *n = jsonata_parse(&A, expr, strlen(expr), &e);
    if (!n)
        fail_msg("\"%s\" refused: %s %s", expr, e.code, e.message);
    char buf[4096];
    size_t o = 0;
    dump(n, buf, sizeof buf, &o);
    if (strcmp(buf, want) != 0)
        fail_msg("\"%s\"\n  got  %s\n  want %s", expr, buf, want);
}

static jsonata_syntax_error refused(const char *expr, const char *code)
{
    jsonata_syntax_error e;
    const asl_jnode *n = jsonata_parse(&A, expr, strlen(expr), &e);
    if (n)
        fail_msg("\"%s\" accepted", expr);
    if (strcmp(e.code, code) != 0)
        fail_msg("\"%s\": %s (%s), want %s", expr, e.code, e.message, code);
    return e;
}

static void paths_are_steps(void **state)
{
    (void)state;
    tree_is("a", "(path (name a))");
    tree_is("a.b.c", "(path (name a) (name b) (name c))");
    tree_is("$x.a", "(path (var x) (name a))");
    tree_is("a.\"b c\"", "(path (name a) (name b c))");
    tree_is("`a b`.c", "(path (name a b) (name c))");
    tree_is("*.a", "(path (wildcard) (name a))");
    tree_is("**.a", "(path (descendant) (name a))");
    tree_is("a[]", "(path :keep :singleton (name a :keep))");
    tree_is("[1,2].a", "(path (array :cons (number 1) (number 2)) (name a))");
}

static void predicates_are_stages(void **state)
{
    (void)state;
    tree_is("a[0]", "(path (name a [(filter (number 0))]))");
    tree_is("a.b[c > 1][0]",
            "(path (name a) (name b [(filter (binary > (path (name c)) (number 1)))] [(filter (number 0))]))");
    tree_is("$x[0]", "(var x [(filter (number 0))])");
    tree_is("a.(b)[0]", "(path (name a) (block (path (name b)) [(filter (number 0))]))");
    tree_is("-5", "(number -5)");
    tree_is("-a", "(neg (path (name a)))");
}

static void groups_sorts_and_bindings(void **state)
{
    (void)state;
    tree_is("a{b: c}", "(path (name a) {(object (path (name b)) (path (name c)))})");
    tree_is("a^(>b, c)", "(path (name a) (sort (term :desc (path (name b))) (term (path (name c)))))");
    tree_is("a@$x.b", "(path (name a :tuple @x) (name b))");
    tree_is("a#$i.b", "(path (name a :tuple #i) (name b))");
    tree_is("a[0]#$i", "(path (name a :tuple [(filter (number 0))] [(index i)]))");
    tree_is("$x := 1", "(bind (var x) (number 1))");
    tree_is("a ~> $f()", "(apply (path (name a)) (call (var f)))");
}

static void parents_are_resolved(void **state)
{
    (void)state;
    tree_is("a.b.%.c", "(path (name a) (name b :tuple ^!0) (parent !0) (name c))");
    tree_is("a.b.%.%.c", "(path (name a :tuple ^!1) (name b :tuple ^!0) (parent !0) (parent !1) (name c))");
    tree_is("a.b[%.c = 1]",
            "(path (name a) (name b :tuple ^!0 [(filter (binary = (path (parent !0) (name c)) (number 1)))]))");
    refused("%", "S0217");
    refused("%.a", "S0217");
}

static void lambdas_and_tail_calls(void **state)
{
    (void)state;
    tree_is("function($x){$x}", "(lambda (var x) (var x))");
    tree_is("function($n)<n:n>{$f($n)}",
            "(lambda <n:n> (var n) (lambda :thunk (call (var f) (var n))))");
    tree_is("function($n){$n ? $f($n) : 0}",
            "(lambda (var n) (cond (var n) (lambda :thunk (call (var f) (var n))) (number 0)))");
    tree_is("$f(?, 2)", "(call :partial (var f) (?) (number 2))");
    tree_is("|a|{'b': 1}|",
            "(transform (path (name a)) (object (string b) (number 1)))");
    tree_is("/ab+/i", "(regex ab+)");
}

static void operators_bind_as_jsonata_js_binds_them(void **state)
{
    (void)state;
    tree_is("1 + 2 * 3", "(binary + (number 1) (binary * (number 2) (number 3)))");
    tree_is("a and b or c",
            "(binary or (binary and (path (name a)) (path (name b))) (path (name c)))");
    tree_is("[1..3]", "(array (binary .. (number 1) (number 3)))");
    tree_is("a / b", "(binary / (path (name a)) (path (name b)))");
    tree_is("$x ? 1 : 2", "(cond (var x) (number 1) (number 2))");
    tree_is("in.and", "(path (name in) (name and))");
}

static void syntax_errors_are_jsonata_js_errors(void **state)
{
    (void)state;
    jsonata_syntax_error e = refused("(1 + ", "S0207");
    assert_string_equal(e.message, "Unexpected end of expression");
    e = refused("foo(1", "S0203");
    assert_string_equal(e.message, "Expected \")\" before end of expression");
    e = refused("[1,2)", "S0202");
    assert_string_equal(e.message, "Expected \"]\", got \")\"");
    assert_string_equal(e.token, ")");
    refused("a ! b", "S0204");
    refused("\"abc", "S0101");
    refused("\"\\x\"", "S0103");
    refused("1e999", "S0102");
    refused("`a", "S0105");
    refused("/* x", "S0106");
    refused("//", "S0301");
    refused("/ab", "S0302");
    refused("function(a){1}", "S0208");
    refused("[1,2]{\"n\": $}[true]", "S0209");
    refused("a{b:1}{c:2}", "S0210");
    refused("1 := 2", "S0212");
    refused("a.1", "S0213");
    refused("a@b", "S0214");
    refused("a[0]@$x", "S0215");
    refused("a^(b)@$x", "S0216");
    refused("a b", "S0201");
    refused(")", "S0211");
    e = refused("\"λ\" + )", "S0211");
    assert_int_equal(e.position, 7); /* UTF-16 units, just after the token */
}

static void hostile_input_is_refused_not_crashed(void **state)
{
    (void)state;
    static char deep[100001];
    memset(deep, '(', sizeof deep - 1);
    refused(deep, "S0201");
    memset(deep, '[', sizeof deep - 1);
    refused(deep, "S0201");
    /* [len] bounds the text: nothing after it is read */
    static const char unterminated[] = {'a', '.', '"', 'b'};
    jsonata_syntax_error e;
    assert_null(jsonata_parse(&A, unterminated, sizeof unterminated, &e));
    assert_string_equal(e.code, "S0101");
    assert_non_null(jsonata_parse(&A, "a.b", 1, &e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(paths_are_steps, teardown),
        cmocka_unit_test_teardown(predicates_are_stages, teardown),
        cmocka_unit_test_teardown(groups_sorts_and_bindings, teardown),
        cmocka_unit_test_teardown(parents_are_resolved, teardown),
        cmocka_unit_test_teardown(lambdas_and_tail_calls, teardown),
        cmocka_unit_test_teardown(operators_bind_as_jsonata_js_binds_them, teardown),
        cmocka_unit_test_teardown(syntax_errors_are_jsonata_js_errors, teardown),
        cmocka_unit_test_teardown(hostile_input_is_refused_not_crashed, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
