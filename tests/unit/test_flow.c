/*
 * test_flow.c - payload templates (runtime/flow.c), intrinsic calls
 * (runtime/intrinsics.c) and the JSON value helpers they stand on
 * (runtime/json.c): building objects with static keys, deep copies of
 * selections, AWS's cause for a missing "key.$" path, States.MathAdd's
 * rounding as recorded in ../shared/conformance/cases/intrinsic, strict
 * parsing with positions, and equality.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "effects.h"
#include "engine.h"
#include "rt.h"
#include "values.h"

#define F(n) {.kind = ASL_SEG_FIELD, .name = (n)}
#define NSEGS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define PATH_R(id, rt, txt, def, ...)                                                     \
    static const asl_seg id##_segs[] = {__VA_ARGS__};                                      \
    static const asl_path id = {.text = (txt), .root = (rt), .definite = (def),            \
                                .nsegs = NSEGS(id##_segs), .segs = id##_segs}
#define PATH(id, txt, ...) PATH_R(id, ASL_ROOT_INPUT, txt, 1, __VA_ARGS__)

PATH(P_FST, "$.FunctionInput.fst", F("FunctionInput"), F("fst"));
PATH(P_SND, "$.FunctionInput.snd", F("FunctionInput"), F("snd"));
PATH(P_ADDRESS, "$.application.address", F("application"), F("address"));
PATH(P_I, "$.i", F("i"));
PATH(P_N, "$.n", F("n"));
PATH(P_ARR, "$.arr", F("arr"));
PATH_R(P_ITEMS, ASL_ROOT_INPUT, "$.items[*]", 0, F("items"), {.kind = ASL_SEG_WILDCARD});
PATH_R(P_CTX_NAME, ASL_ROOT_CONTEXT, "$$.State.Name", 1, F("State"), F("Name"));

#define T_PATH(p) {.kind = ASL_T_PATH, .path = &(p)}
#define T_NUM(v) {.kind = ASL_T_NUMBER, .num = (v)}
#define T_STR(s) {.kind = ASL_T_STRING, .str = (s)}
#define T_CALL(c) {.kind = ASL_T_CALL, .call = &(c)}
#define T_OBJ(fs) {.kind = ASL_T_OBJECT, .n = NSEGS(fs), .fields = (fs)}
#define T_ARR(is) {.kind = ASL_T_ARRAY, .n = NSEGS(is), .items = (is)}

/* States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd) */
static const asl_tmpl add_args[] = {T_PATH(P_FST), T_PATH(P_SND)};
static const asl_call ADD = {.fn = ASL_FN_MATH_ADD, .name = "States.MathAdd", .nargs = 2, .args = add_args};
static const asl_field add_fields[] = {{"FunctionResult", &(const asl_tmpl)T_CALL(ADD)}};
static const asl_tmpl T_ADD = T_OBJ(add_fields);

/* the loop benchmark's Pass: {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"} */
static const asl_tmpl inc_args[] = {T_PATH(P_I), T_NUM(1)};
static const asl_call INC = {.fn = ASL_FN_MATH_ADD, .name = "States.MathAdd", .nargs = 2, .args = inc_args};
static const asl_field loop_fields[] = {{"i", &(const asl_tmpl)T_CALL(INC)},
                                        {"n", &(const asl_tmpl)T_PATH(P_N)}};
static const asl_tmpl T_LOOP = T_OBJ(loop_fields);

/* MathAdd(MathAdd($.i, -1), 2.5) */
static const asl_tmpl dec_args[] = {T_PATH(P_I), T_NUM(-1)};
static const asl_call DEC = {.fn = ASL_FN_MATH_ADD, .name = "States.MathAdd", .nargs = 2, .args = dec_args};
static const asl_tmpl nest_args[] = {T_CALL(DEC), T_NUM(2.5)};
static const asl_call NEST = {.fn = ASL_FN_MATH_ADD, .name = "States.MathAdd", .nargs = 2, .args = nest_args};


/* a template with every literal kind, nested */
static const asl_tmpl lit_items[] = {
    {.kind = ASL_T_NULL}, {.kind = ASL_T_TRUE}, {.kind = ASL_T_FALSE}, T_NUM(1.5), T_STR("s")};
static const asl_field inner_fields[] = {{"deep", &(const asl_tmpl)T_STR("x")}};
static const asl_field lit_fields[] = {
    {"list", &(const asl_tmpl)T_ARR(lit_items)},
    {"obj", &(const asl_tmpl)T_OBJ(inner_fields)},
    {"arr", &(const asl_tmpl)T_PATH(P_ARR)},
    {"items", &(const asl_tmpl)T_PATH(P_ITEMS)},
    {"state", &(const asl_tmpl)T_PATH(P_CTX_NAME)},
};
static const asl_tmpl T_LITS = T_OBJ(lit_fields);

/* {"ok": 1, "nested": {"address.$": "$.application.address"}} */
static const asl_field addr_fields[] = {{"address", &(const asl_tmpl)T_PATH(P_ADDRESS)}};
static const asl_field outer_fields[] = {{"ok", &(const asl_tmpl)T_NUM(1)},
                                         {"nested", &(const asl_tmpl)T_OBJ(addr_fields)}};
static const asl_tmpl T_ADDR = T_OBJ(outer_fields);

/* {"item.$": "$.items[*]"} */
static const asl_field item_fields[] = {{"item", &(const asl_tmpl)T_PATH(P_ITEMS)}};
static const asl_tmpl T_ITEM = T_OBJ(item_fields);

/* {"all.$": "$", "again.$": "$"} */
static const asl_path P_ROOT = {.text = "$", .root = ASL_ROOT_INPUT, .definite = 1};
static const asl_field twice_fields[] = {{"all", &(const asl_tmpl)T_PATH(P_ROOT)},
                                         {"again", &(const asl_tmpl)T_PATH(P_ROOT)}};
static const asl_tmpl T_TWICE = T_OBJ(twice_fields);

/* ---- fixture --------------------------------------------------------- */

static int noop_state(asl_exec *x, cJSON **doc)
{
    (void)x;
    (void)doc;
    return ASL_NEXT_END;
}

static const asl_state states[] = {{.name = "State_0", .type = "Pass", .run = noop_state}};
static const asl_machine machine = {.name = "m", .nstates = 1, .states = states};

#define PREFIX "An error occurred while executing the state 'State_0' (entered at the event id #2). "

typedef struct fixture {
    rt_options opt;
    rt_run run;
    asl_exec x;
    cJSON *in, *out;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->run.opt = &f->opt;
    f->run.machine = &machine;
    f->x.run = &f->run;
    f->x.machine = &machine;
    f->x.entered_event_id = 2;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cJSON_Delete(f->in);
    cJSON_Delete(f->out);
    rt_exec_dispose(&f->x);
    free(f);
    return 0;
}

static cJSON *parse(const char *json)
{
    char err[200];
    cJSON *v = rt_json_parse(json, strlen(json), err, sizeof err);
    if (!v)
        fail_msg("bad test JSON: %s: %s", err, json);
    return v;
}

static cJSON *input(fixture *f, const char *json)
{
    cJSON_Delete(f->in);
    cJSON_Delete(f->out);
    f->out = NULL;
    f->in = parse(json);
    rt_scratch_reset(&f->x);
    free(f->x.error);
    free(f->x.cause);
    f->x.error = f->x.cause = NULL;
    f->x.failed = false;
    return f->in;
}

static void assert_json(const cJSON *v, const char *want)
{
    assert_non_null(v);
    cJSON *w = parse(want);
    char *got = rt_json_print(v);
    if (!rt_json_equal(v, w))
        fail_msg("got %s, want %s", got, want);
    free(got);
    cJSON_Delete(w);
}

static cJSON *build(fixture *f, const asl_tmpl *t)
{
    cJSON_Delete(f->out);
    f->out = asl_build(&f->x, t, f->in);
    return f->out;
}

/* ---- templates ------------------------------------------------------- */

static void template_builds_literals_paths_and_context(void **state)
{
    fixture *f = *state;
    input(f, "{\"arr\": [1, {\"k\": 2}], \"items\": [{\"a\": 1}, {\"b\": 2}]}");
    f->x.context = parse("{\"State\": {\"Name\": \"State_0\"}}");
    cJSON *v = build(f, &T_LITS);
    assert_json(v, "{\"list\": [null, true, false, 1.5, \"s\"], \"obj\": {\"deep\": \"x\"},"
                   " \"arr\": [1, {\"k\": 2}], \"items\": [{\"a\": 1}, {\"b\": 2}],"
                   " \"state\": \"State_0\"}");
    assert_false(asl_failed(&f->x));
    /* the selection was copied, and the indefinite result was taken over */
    assert_ptr_not_equal(cJSON_GetObjectItemCaseSensitive(v, "arr"),
                         cJSON_GetObjectItemCaseSensitive(f->in, "arr"));
    assert_int_equal(f->x.nscratch, 0);
}

/* asl_build_doc counts while building what rt_json_size_bound would count
 * on the result: the 256 KiB check trusts it instead of walking. */
static void build_doc_reports_the_size_bound_of_what_it_built(void **state)
{
    fixture *f = *state;
    input(f, "{\"arr\": [1, {\"k\": 2}], \"items\": [{\"a\": 1}, {\"b\": 2}], \"i\": -41,"
             " \"n\": 123456789, \"application\": {\"address\": \"q\\\"\\\\ \\u0001\"}}");
    f->x.context = parse("{\"State\": {\"Name\": \"State_0\"}}");
    const asl_tmpl *ts[] = {&T_LITS, &T_LOOP, &T_ADDR, &T_TWICE, &T_ITEM};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        f->x.doc_bytes = RT_GROWTH_UNKNOWN;
        cJSON_Delete(f->out);
        f->out = asl_build_doc(&f->x, ts[i], f->in);
        assert_non_null(f->out);
        assert_int_equal(f->x.doc_bytes, rt_json_size_bound(f->out, RT_GROWTH_UNKNOWN - 1));
        /* and a bound of the text: at least as long */
        char *t = rt_json_print(f->out);
        assert_true(strlen(t) <= f->x.doc_bytes);
        free(t);
    }
    /* a failed build reports nothing */
    input(f, "{}");
    f->x.doc_bytes = RT_GROWTH_UNKNOWN;
    cJSON_Delete(f->out);
    f->out = asl_build_doc(&f->x, &T_LOOP, f->in);
    assert_null(f->out);
    assert_true(asl_failed(&f->x));
    assert_int_equal(f->x.doc_bytes, RT_GROWTH_UNKNOWN);
}

/* Inside an execution loop asl_free keeps node structs and the builders
 * take them back clean; outside one, and after the last leave, nothing is
 * kept (ASan's leak check sees the flush). */
static void freed_nodes_are_recycled_inside_a_loop_only(void **state)
{
    (void)state;
    cJSON *a = parse("{\"k\": [1, \"s\", {\"x\": null}], \"b\": true}");
    asl_free(a); /* no loop: a plain cJSON_Delete */
    rt_node_cache_enter();
    rt_node_cache_enter(); /* nested: the inner leave keeps the list */
    cJSON *b = parse("{\"k\": [1, \"s\"]}");
    const cJSON *was[] = {b, b->child, b->child->child, b->child->child->next};
    asl_free(b);
    rt_node_cache_leave();
    cJSON *n = rt_node_number(2.5);
    assert_true(n == was[0] || n == was[1] || n == was[2] || n == was[3]); /* a freed one */
    assert_int_equal(n->type, cJSON_Number);
    assert_null(n->next);
    assert_null(n->prev);
    assert_null(n->child);
    assert_null(n->string);
    assert_null(n->valuestring);
    assert_true(n->valuedouble == 2.5);
    assert_int_equal(n->valueint, 2);
    cJSON *o = rt_node_new(cJSON_Object);
    assert_int_equal(o->type, cJSON_Object);
    assert_null(o->child);
    assert_true(cJSON_AddItemToObjectCS(o, "n", n));
    assert_json(o, "{\"n\": 2.5}");
    cJSON *big = rt_node_number(3e12);
    assert_int_equal(big->valueint, INT32_MAX); /* as cJSON_CreateNumber saturates */
    cJSON_Delete(big); /* a recycled node may be freed the usual way */
    asl_free(o);
    rt_node_cache_leave();
    cJSON *fresh = rt_node_number(1);
    assert_json(fresh, "1");
    asl_free(fresh);
}

static void template_keys_are_the_templates_static_strings(void **state)
{
    fixture *f = *state;
    input(f, "{\"i\": 1, \"n\": 10}");
    cJSON *v = build(f, &T_LOOP);
    assert_json(v, "{\"i\": 2, \"n\": 10}");
    for (const cJSON *c = v->child; c; c = c->next)
        assert_true(c->type & cJSON_StringIsConst);
    assert_ptr_equal(v->child->string, loop_fields[0].key);
    /* the copy of $.n has no key of its own left over */
    assert_ptr_equal(v->child->next->string, loop_fields[1].key);
}

static void missing_field_path_names_the_field_and_the_input(void **state)
{
    fixture *f = *state;
    input(f, "{\"flagged\":false}");
    assert_null(build(f, &T_ADDR));
    assert_true(asl_failed(&f->x));
    assert_string_equal(f->x.error, "States.Runtime");
    assert_string_equal(f->x.cause,
                        PREFIX "The JSONPath '$.application.address' specified for the field "
                               "'address.$' could not be found in the input '{\"flagged\":false}'");
}

static void indefinite_field_path_with_no_input_is_empty_array(void **state)
{
    fixture *f = *state;
    input(f, "{}");
    assert_json(build(f, &T_ITEM), "{\"item\": []}");
}

static void selection_reused_from_input_path_is_copied_not_taken(void **state)
{
    fixture *f = *state;
    input(f, "{\"items\": [1, 2]}");
    /* the effective input is an indefinite InputPath's array in scratch */
    const cJSON *eff = asl_select(&f->x, &P_ITEMS, f->in);
    assert_int_equal(f->x.nscratch, 1);
    cJSON *v = asl_build(&f->x, &T_TWICE, eff);
    assert_json(v, "{\"all\": [1, 2], \"again\": [1, 2]}");
    assert_int_equal(f->x.nscratch, 1);
    assert_json(eff, "[1, 2]");
    cJSON_Delete(v);
}

/* ---- intrinsics ------------------------------------------------------ */

static void math_add_rounds_each_argument_half_up(void **state)
{
    fixture *f = *state;
    /* intrinsic/math_operations.math_add__exec_hist_resp_*: fst, snd, result */
    static const struct { const char *in; int want; } cases[] = {
        {"{\"FunctionInput\": {\"fst\": -9, \"snd\": 3}}", -6},
        {"{\"FunctionInput\": {\"fst\": 1.49, \"snd\": 1.5}}", 3},
        {"{\"FunctionInput\": {\"fst\": -1.5, \"snd\": 0}}", -1},
        {"{\"FunctionInput\": {\"fst\": -1.51, \"snd\": 0}}", -2},
        {"{\"FunctionInput\": {\"fst\": 0.5, \"snd\": 0}}", 1},
        {"{\"FunctionInput\": {\"fst\": 2.5, \"snd\": 0}}", 3},
        {"{\"FunctionInput\": {\"fst\": -0.5, \"snd\": 0.5}}", 1},
        {"{\"FunctionInput\": {\"fst\": -0.5, \"snd\": 0}}", 0},
        {"{\"FunctionInput\": {\"fst\": -2.5, \"snd\": 0}}", -2},
        {"{\"FunctionInput\": {\"fst\": 1.5, \"snd\": 1.51}}", 4},
        {"{\"FunctionInput\": {\"fst\": -3.5, \"snd\": 0}}", -3},
        {"{\"FunctionInput\": {\"fst\": -1.49, \"snd\": -1.5}}", -2},
        {"{\"FunctionInput\": {\"fst\": -1.5, \"snd\": -1.51}}", -3},
        {"{\"FunctionInput\": {\"fst\": 1.49, \"snd\": -1.49}}", 0},
        {"{\"FunctionInput\": {\"fst\": 1.51, \"snd\": 0}}", 2},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        input(f, cases[k].in);
        cJSON *v = build(f, &T_ADD);
        if (!v)
            fail_msg("%s: %s", cases[k].in, f->x.cause);
        cJSON *r = cJSON_GetObjectItemCaseSensitive(v, "FunctionResult");
        assert_true(cJSON_IsNumber(r));
        if (r->valuedouble != cases[k].want)
            fail_msg("%s: got %g, want %d", cases[k].in, r->valuedouble, cases[k].want);
    }
}

static void math_add_nests_and_takes_literals(void **state)
{
    fixture *f = *state;
    input(f, "{\"i\": 10}");
    cJSON *v = asl_call_intrinsic(&f->x, &NEST, f->in);
    assert_json(v, "12"); /* (10 - 1) + round(2.5) */
    cJSON_Delete(v);
}

static void math_add_rejects_non_numbers(void **state)
{
    fixture *f = *state;
    input(f, "{\"FunctionInput\": {\"fst\": \"1\", \"snd\": 2}}");
    assert_null(build(f, &T_ADD));
    assert_string_equal(f->x.error, "States.Runtime");
    assert_string_equal(f->x.cause, PREFIX "Invalid arguments in States.MathAdd: argument 1 must be a number, found a string");
}

static void math_add_rejects_values_beyond_int(void **state)
{
    fixture *f = *state;
    input(f, "{\"FunctionInput\": {\"fst\": 2147483648, \"snd\": 0}}");
    assert_null(build(f, &T_ADD));
    assert_string_equal(f->x.error, "States.Runtime");
    input(f, "{\"FunctionInput\": {\"fst\": 2147483647, \"snd\": 1}}");
    assert_null(build(f, &T_ADD));
    assert_non_null(strstr(f->x.cause, "the sum 2147483648 is outside"));
    input(f, "{\"FunctionInput\": {\"fst\": 2147483647, \"snd\": -2147483648}}");
    assert_json(build(f, &T_ADD), "{\"FunctionResult\": -1}");
}

static void math_add_missing_argument_names_the_path(void **state)
{
    fixture *f = *state;
    input(f, "{\"FunctionInput\": {\"fst\": 1}}");
    assert_null(build(f, &T_ADD));
    assert_string_equal(f->x.cause, PREFIX "The JsonPath argument for the field "
                                           "'$.FunctionInput.snd' could not be found in the input "
                                           "'{\"FunctionInput\":{\"fst\":1}}'");
}

/* ---- JSON values ----------------------------------------------------- */

static void parse_accepts_strict_json(void **state)
{
    (void)state;
    const char *ok[] = {"{}", " [1, -0.5e3, 0, \"\\u00e9\\ud83d\\ude00\", true, false, null] ",
                        "\"\xc3\xa9\"", "{\"a\":{\"b\":[]}}"};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        char err[100];
        cJSON *v = rt_json_parse(ok[k], strlen(ok[k]), err, sizeof err);
        if (!v)
            fail_msg("%s: %s", ok[k], err);
        cJSON_Delete(v);
    }
    /* the length counts, not a terminator */
    cJSON *v = rt_json_parse("[1] trailing", 3, NULL, 0);
    assert_json(v, "[1]");
    cJSON_Delete(v);
}

static void parse_rejects_lenient_json_with_position(void **state)
{
    (void)state;
    static const struct { const char *text, *err; } bad[] = {
        {"{\"a\": 01}", "line 1, column 8: leading zeros are not allowed in numbers"},
        {"{\"a\": 1,}", "line 1, column 9: expected a string as object key"},
        {"[1]\n  x", "line 2, column 3: unexpected text after the JSON value"},
        {"\"a\tb\"", "line 1, column 3: control character in string (must be escaped)"},
        {"\"\\u0000\"", "line 1, column 2: \\u0000 in strings is not supported"},
        {"\"\\ud800\"", "line 1, column 2: unpaired surrogate in \\u escape"},
        {"\"\xff\"", "line 1, column 2: invalid UTF-8 in string"},
        {"[1e999]", "line 1, column 2: number out of range"},
        {"\f1", "line 1, column 1: unexpected character"},
        {"", "line 1, column 1: unexpected end of input"},
        {"{\"a\" 1}", "line 1, column 6: expected ':' after an object key"},
        {"[tru]", "line 1, column 2: invalid literal (expected true, false or null)"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char err[200];
        cJSON *v = rt_json_parse(bad[k].text, strlen(bad[k].text), err, sizeof err);
        if (v)
            fail_msg("accepted %s", bad[k].text);
        assert_string_equal(err, bad[k].err);
    }
    char deep[3000];
    memset(deep, '[', sizeof deep);
    char err[200];
    assert_null(rt_json_parse(deep, sizeof deep, err, sizeof err));
    assert_string_equal(err, "line 1, column 1001: nesting too deep");
}

static void equality_ignores_member_order_and_number_spelling(void **state)
{
    (void)state;
    cJSON *a = parse("{\"x\": [1, {\"y\": 2.0}], \"z\": null}");
    cJSON *b = parse("{\"z\": null, \"x\": [1.0, {\"y\": 2}]}");
    cJSON *c = parse("{\"z\": null, \"x\": [{\"y\": 2}, 1]}");
    cJSON *d = parse("{\"z\": false, \"x\": [1, {\"y\": 2}]}");
    assert_true(rt_json_equal(a, b));
    assert_false(rt_json_equal(a, c));
    assert_false(rt_json_equal(a, d));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
    cJSON_Delete(d);
}

static void copy_is_deep_and_keyless(void **state)
{
    (void)state;
    cJSON *a = parse("{\"k\": {\"x\": [1, \"s\"]}}");
    cJSON *c = asl_copy(a->child);
    assert_null(c->string);
    assert_json(c, "{\"x\": [1, \"s\"]}");
    assert_ptr_not_equal(c->child, a->child->child);
    char *t = rt_json_print(c);
    assert_string_equal(t, "{\"x\":[1,\"s\"]}");
    free(t);
    asl_free(c);
    asl_free(a);
    asl_free(NULL);
    assert_null(asl_copy(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(template_builds_literals_paths_and_context),
        T(template_keys_are_the_templates_static_strings),
        T(build_doc_reports_the_size_bound_of_what_it_built),
        T(freed_nodes_are_recycled_inside_a_loop_only),
        T(missing_field_path_names_the_field_and_the_input),
        T(indefinite_field_path_with_no_input_is_empty_array),
        T(selection_reused_from_input_path_is_copied_not_taken),
        T(math_add_rounds_each_argument_half_up),
        T(math_add_nests_and_takes_literals),
        T(math_add_rejects_non_numbers),
        T(math_add_rejects_values_beyond_int),
        T(math_add_missing_argument_names_the_path),
        T(parse_accepts_strict_json),
        T(parse_rejects_lenient_json_with_position),
        T(equality_ignores_member_order_and_number_spelling),
        T(copy_is_deep_and_keyless),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
