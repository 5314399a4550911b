/*
 * test_jsonpath.c - JSONPath evaluation and the path steps of the data
 * flow (runtime/jsonpath.c): every segment kind, definite paths returning
 * the value itself, indefinite ones returning arrays, Jayway's failure
 * messages as AWS prints them, InputPath / OutputPath moving subtrees, and
 * ResultPath writes. Paths are written by hand as the static data aslc
 * emits; expected texts follow ../shared/conformance/cases/data-flow.
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

/* ---- paths as aslc emits them ---------------------------------------- */

#define F(n) {.kind = ASL_SEG_FIELD, .name = (n)}
#define I(i) {.kind = ASL_SEG_INDEX, .index = (i)}
#define STAR {.kind = ASL_SEG_WILDCARD}
#define NSEGS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* PATH(id, text, normalized, definite, segments...) */
#define PATH_R(id, rt, txt, norm, def, ...)                                          \
    static const asl_seg id##_segs[] = {__VA_ARGS__};                                  \
    static const asl_path id = {.text = (txt), .normalized = (norm), .root = (rt),     \
                                .definite = (def), .nsegs = NSEGS(id##_segs),         \
                                .segs = id##_segs}
#define PATH(id, txt, norm, def, ...) PATH_R(id, ASL_ROOT_INPUT, txt, norm, def, __VA_ARGS__)

static const asl_path P_ROOT = {.text = "$", .normalized = "$", .root = ASL_ROOT_INPUT,
                                .definite = 1};

PATH(P_A_B, "$.a.b", "$['a']['b']", 1, F("a"), F("b"));
PATH(P_ITEM0, "$.items[0]", "$['items'][0]", 1, F("items"), I(0));
PATH(P_ITEM10, "$.items[10]", "$['items'][10]", 1, F("items"), I(10));
PATH(P_ITEM_LAST, "$.items[-1]", "$['items'][-1]", 1, F("items"), I(-1));
PATH(P_ITEM_M9, "$.items[-9]", "$['items'][-9]", 1, F("items"), I(-9));
PATH(P_NO_INPUT, "$.NoSuchInputPath", "$['NoSuchInputPath']", 1, F("NoSuchInputPath"));
PATH(P_NO_SUCH, "$.no.such.result.path", "$['no']['such']['result']['path']", 1, F("no"),
     F("such"), F("result"), F("path"));
PATH(P_A0, "$.a[0]", "$['a'][0]", 1, F("a"), I(0));
PATH(P_A0_X, "$.a[0].x", "$['a'][0]['x']", 1, F("a"), I(0), F("x"));
PATH(P_ESCAPED, "$['Test\\\\\\\"\"Name\"']", "$['Test\\\"\"Name\"']", 1, F("Test\\\"\"Name\""));

PATH(P_ITEMS_STAR, "$.items[*]", "$['items'][*]", 0, F("items"), STAR);
PATH(P_ITEMS_STAR_V, "$.items[*].itemValue", "$['items'][*]['itemValue']", 0, F("items"),
     STAR, F("itemValue"));
PATH(P_STAR, "$[*]", "$[*]", 0, STAR);
PATH(P_STAR_STAR, "$.*.*", "$[*][*]", 0, STAR, STAR);

#define SLICE(s, e, fl) {.kind = ASL_SEG_SLICE, .start = (s), .end = (e), .step = 1, .slice_flags = (fl)}
#define BOTH (ASL_SLICE_HAS_START | ASL_SLICE_HAS_END)
PATH(P_SL_1_3, "$.a[1:3]", "$['a'][1:3]", 0, F("a"), SLICE(1, 3, BOTH));
PATH(P_SL_TO_2, "$.a[:2]", "$['a'][:2]", 0, F("a"), SLICE(0, 2, ASL_SLICE_HAS_END));
PATH(P_SL_M2, "$.a[-2:]", "$['a'][-2:]", 0, F("a"), SLICE(-2, 0, ASL_SLICE_HAS_START));
PATH(P_SL_TO_M1, "$.a[:-1]", "$['a'][:-1]", 0, F("a"), SLICE(0, -1, ASL_SLICE_HAS_END));
PATH(P_SL_M3_M1, "$.a[-3:-1]", "$['a'][-3:-1]", 0, F("a"), SLICE(-3, -1, BOTH));
PATH(P_SL_1_9, "$.a[1:9]", "$['a'][1:9]", 0, F("a"), SLICE(1, 9, BOTH));
static const asl_seg P_SL_STEP_segs[] = {
    F("a"), {.kind = ASL_SEG_SLICE, .start = 0, .end = 4, .step = 2, .slice_flags = BOTH}};
static const asl_path P_SL_STEP = {.text = "$.a[0:4:2]", .normalized = "$['a'][0:4]",
                                   .root = ASL_ROOT_INPUT, .nsegs = 2, .segs = P_SL_STEP_segs};
PATH(P_NO_SLICE_V, "$.item.items[1:5].itemValue", "$['item']['items'][1:5]['itemValue']", 0,
     F("item"), F("items"), SLICE(1, 5, BOTH), F("itemValue"));

static const char *const names_ab[] = {"a", "b"};
static const char *const names_a_zz[] = {"a", "zz"};
static const long idx_0_2[] = {0, 2, 7};
PATH(P_UNION_AB, "$['a','b']", "$['a','b']", 0,
     {.kind = ASL_SEG_UNION, .nnames = 2, .names = names_ab});
PATH(P_X_UNION, "$.x['a','zz']", "$['x']['a','zz']", 0, F("x"),
     {.kind = ASL_SEG_UNION, .nnames = 2, .names = names_a_zz});
PATH(P_UNION_V, "$['a', 'b'].v", "$['a','b']['v']", 0,
     {.kind = ASL_SEG_UNION, .nnames = 2, .names = names_ab}, F("v"));
PATH(P_UNION_IDX, "$.l[0,2,7]", "$['l'][0,2,7]", 0, F("l"),
     {.kind = ASL_SEG_UNION, .nindexes = 3, .indexes = idx_0_2});

PATH(P_DEEP_A, "$..a", "$..['a']", 0, {.kind = ASL_SEG_DEEP, .name = "a"});
PATH(P_DEEP_STAR, "$..*", "$..[*]", 0, {.kind = ASL_SEG_DEEP});
PATH(P_DEEP_PRICE, "$.store..price", "$['store']..['price']", 0, F("store"),
     {.kind = ASL_SEG_DEEP, .name = "price"});

/* filters: @.status == 0, and friends */
PATH_R(AT_STATUS, ASL_ROOT_CURRENT, "@.status", "@['status']", 1, F("status"));
PATH_R(AT_NAME, ASL_ROOT_CURRENT, "@.name", "@['name']", 1, F("name"));
PATH_R(AT_MIN, ASL_ROOT_CURRENT, "@.min", "@['min']", 1, F("min"));
PATH(DOLLAR_LIMIT, "$.limit", "$['limit']", 1, F("limit"));

static const asl_filter F_STATUS_EQ0 = {.op = ASL_F_EQ, .lhs = &AT_STATUS, .lit = ASL_LIT_NUMBER, .num = 0};
static const asl_filter F_STATUS_NE0 = {.op = ASL_F_NE, .lhs = &AT_STATUS, .lit = ASL_LIT_NUMBER, .num = 0};
static const asl_filter F_STATUS_LT1 = {.op = ASL_F_LT, .lhs = &AT_STATUS, .lit = ASL_LIT_NUMBER, .num = 1};
static const asl_filter F_STATUS_LE1 = {.op = ASL_F_LE, .lhs = &AT_STATUS, .lit = ASL_LIT_NUMBER, .num = 1};
static const asl_filter F_STATUS_GT1 = {.op = ASL_F_GT, .lhs = &AT_STATUS, .lit = ASL_LIT_NUMBER, .num = 1};
static const asl_filter F_STATUS_GE1 = {.op = ASL_F_GE, .lhs = &AT_STATUS, .lit = ASL_LIT_NUMBER, .num = 1};
static const asl_filter F_NAME_EQ_B = {.op = ASL_F_EQ, .lhs = &AT_NAME, .lit = ASL_LIT_STRING, .str = "b"};
static const asl_filter F_NAME_LT_B = {.op = ASL_F_LT, .lhs = &AT_NAME, .lit = ASL_LIT_STRING, .str = "b"};
static const asl_filter F_NAME_NULL = {.op = ASL_F_EQ, .lhs = &AT_NAME, .lit = ASL_LIT_NULL};
static const asl_filter F_HAS_NAME = {.op = ASL_F_EXISTS, .lhs = &AT_NAME};
static const asl_filter F_NOT_NAME = {.op = ASL_F_NOT, .a = &F_HAS_NAME};
static const asl_filter F_AND = {.op = ASL_F_AND, .a = &F_HAS_NAME, .b = &F_STATUS_GE1};
static const asl_filter F_OR = {.op = ASL_F_OR, .a = &F_NAME_EQ_B, .b = &F_STATUS_EQ0};
static const asl_filter F_MIN_LE_LIMIT = {.op = ASL_F_LE, .lhs = &AT_MIN, .rhs_path = &DOLLAR_LIMIT};
static const asl_filter F_STATUS_EQ_STR = {.op = ASL_F_EQ, .lhs = &AT_STATUS, .lit = ASL_LIT_STRING, .str = "1"};

#define FILTER_PATH(id, f)                                                                 \
    PATH(id, "$.users[?(" #f ")]", "$['users'][?]", 0, F("users"),                     \
         {.kind = ASL_SEG_FILTER, .filter = &f})
FILTER_PATH(P_F_EQ0, F_STATUS_EQ0);
FILTER_PATH(P_F_NE0, F_STATUS_NE0);
FILTER_PATH(P_F_LT1, F_STATUS_LT1);
FILTER_PATH(P_F_LE1, F_STATUS_LE1);
FILTER_PATH(P_F_GT1, F_STATUS_GT1);
FILTER_PATH(P_F_GE1, F_STATUS_GE1);
FILTER_PATH(P_F_NAME_EQ, F_NAME_EQ_B);
FILTER_PATH(P_F_NAME_LT, F_NAME_LT_B);
FILTER_PATH(P_F_NAME_NULL, F_NAME_NULL);
FILTER_PATH(P_F_HAS, F_HAS_NAME);
FILTER_PATH(P_F_NOT, F_NOT_NAME);
FILTER_PATH(P_F_AND, F_AND);
FILTER_PATH(P_F_OR, F_OR);
FILTER_PATH(P_F_PATHS, F_MIN_LE_LIMIT);
FILTER_PATH(P_F_EQ_STR, F_STATUS_EQ_STR);
PATH(P_F_NAMES, "$.users[?(@.name)].name", "$['users'][?]['name']", 0, F("users"),
     {.kind = ASL_SEG_FILTER, .filter = &F_HAS_NAME}, F("name"));

PATH_R(P_CTX_ID, ASL_ROOT_CONTEXT, "$$.Execution.Id", "$['Execution']['Id']", 1,
       F("Execution"), F("Id"));
PATH_R(P_CTX_NONE, ASL_ROOT_CONTEXT, "$$.Execution.Nope", "$['Execution']['Nope']", 1,
       F("Execution"), F("Nope"));

/* ResultPath targets */
PATH(R_FINAL, "$.final", "$['final']", 1, F("final"));
PATH(R_NESTED, "$.enigma.mystery.deep", "$['enigma']['mystery']['deep']", 1, F("enigma"),
     F("mystery"), F("deep"));
PATH(R_ARR1, "$.arr[1]", "$['arr'][1]", 1, F("arr"), I(1));
PATH(R_ARR5, "$.arr[5]", "$['arr'][5]", 1, F("arr"), I(5));

/* ---- fixture: an execution in state "pass", entered at event #2 ------ */

static int noop_state(asl_exec *x, cJSON **doc)
{
    (void)x;
    (void)doc;
    return ASL_NEXT_END;
}

static const asl_state states[] = {{.name = "pass", .type = "Pass", .run = noop_state}};
static const asl_machine machine = {.name = "m", .nstates = 1, .states = states};

#define PREFIX "An error occurred while executing the state 'pass' (entered at the event id #2). "

typedef struct fixture {
    rt_options opt;
    rt_run run;
    asl_exec x;
    cJSON *in;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->run.opt = &f->opt;
    f->run.machine = &machine;
    f->x.run = &f->run;
    f->x.machine = &machine;
    f->x.state = 0;
    f->x.entered_event_id = 2;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cJSON_Delete(f->in);
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

/* The input document, replacing the previous one; clears errors and
 * scratch values. */
static cJSON *input(fixture *f, const char *json)
{
    cJSON_Delete(f->in);
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

static void assert_cause(fixture *f, const char *rest)
{
    assert_true(asl_failed(&f->x));
    assert_string_equal(f->x.error, "States.Runtime");
    char want[1024];
    snprintf(want, sizeof want, PREFIX "%s", rest);
    assert_string_equal(f->x.cause, want);
}

/* ---- definite paths -------------------------------------------------- */

static void definite_path_returns_the_value_itself(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"a\": {\"b\": [1, 2]}}");
    const cJSON *v = asl_select(&f->x, &P_A_B, in);
    assert_ptr_equal(v, cJSON_GetObjectItemCaseSensitive(in->child, "b"));
    assert_ptr_equal(asl_select(&f->x, &P_ROOT, in), in);
    assert_int_equal(f->x.nscratch, 0);
    assert_false(asl_failed(&f->x));
}

static void index_counts_from_the_end_when_negative(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"items\": [{\"k\": 0}, {\"k\": 1}, {\"k\": 2}]}");
    assert_json(asl_select(&f->x, &P_ITEM0, in), "{\"k\": 0}");
    assert_json(asl_select(&f->x, &P_ITEM_LAST, in), "{\"k\": 2}");
    assert_false(asl_failed(&f->x));
}

static void index_out_of_range_has_no_results(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"items\": [1, 2]}");
    assert_null(asl_select(&f->x, &P_ITEM10, in));
    assert_cause(f, "Invalid path '$.items[10]' : No results for path: $['items'][10]");
    in = input(f, "{\"items\": [1, 2]}");
    assert_null(asl_select(&f->x, &P_ITEM_M9, in));
    assert_cause(f, "Invalid path '$.items[-9]' : No results for path: $['items'][-9]");
}

static void missing_leaf_is_no_results(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"int-literal\": 0}");
    assert_null(asl_select(&f->x, &P_NO_INPUT, in));
    assert_cause(f, "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
}

static void missing_property_on_the_way_names_it(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{}");
    assert_null(asl_select(&f->x, &P_NO_SUCH, in));
    assert_cause(f, "Invalid path '$.no.such.result.path' : Missing property in path $['no']");
}

static void name_on_a_non_object_is_jayways_message(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"a\": \"text\"}");
    assert_null(asl_select(&f->x, &P_A_B, in));
    assert_cause(f, "Invalid path '$.a.b' : Expected to find an object with property ['b'] in "
                    "path $['a'] but found 'java.lang.String'. This is not a json object "
                    "according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
    in = input(f, "{\"a\": null}");
    assert_null(asl_select(&f->x, &P_A_B, in));
    assert_cause(f, "Invalid path '$.a.b' : Expected to find an object with property ['b'] in "
                    "path $['a'] but found 'null'. This is not a json object "
                    "according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
    in = input(f, "{\"a\": [1]}");
    assert_null(asl_select(&f->x, &P_A_B, in));
    assert_non_null(strstr(f->x.cause, "but found 'net.minidev.json.JSONArray'"));
}

static void index_on_a_non_array_is_jayways_message(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"a\": null}");
    assert_null(asl_select(&f->x, &P_A0_X, in));
    assert_cause(f, "Invalid path '$.a[0].x' : The path $['a'] is null");
    in = input(f, "{\"a\": {\"x\": 1}}");
    assert_null(asl_select(&f->x, &P_A0_X, in));
    assert_cause(f, "Invalid path '$.a[0].x' : Filter: [0]['x'] can only be applied to arrays. "
                    "Current context is: {\"x\":1}");
    in = input(f, "{\"a\": 2.5}");
    assert_null(asl_select(&f->x, &P_A0, in));
    assert_cause(f, "Invalid path '$.a[0]' : Filter: [0] can only be applied to arrays. "
                    "Current context is: 2.5");
}

static void bracket_names_with_escapes_select_exactly(void **state)
{
    fixture *f = *state;
    /* base_scenarios.escape_sequence_parsing__ESCAPE_SEQUENCES_JSONPATH */
    cJSON *in = input(f, "{\"Test\\\\\\\"\\\"Name\\\"\": \"Value\\\"\\\\\"}");
    assert_json(asl_select(&f->x, &P_ESCAPED, in), "\"Value\\\"\\\\\"");
}

static void context_root_selects_from_the_context_object(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{}");
    f->x.context = parse("{\"Execution\": {\"Id\": \"arn:x\"}}");
    f->x.context_stale = false;
    assert_json(asl_select(&f->x, &P_CTX_ID, in), "\"arn:x\"");
    assert_null(asl_select(&f->x, &P_CTX_NONE, in));
    assert_cause(f, "Invalid path '$$.Execution.Nope' : No results for path: $['Execution']['Nope']");
}

static void quiet_selection_sets_no_error(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"a\": 1}");
    assert_null(asl_select_quiet(&f->x, &P_NO_SUCH, in));
    assert_null(asl_select_quiet(&f->x, &P_A_B, in));
    assert_false(asl_failed(&f->x));
    in = input(f, "{\"a\": {\"v\": 1}, \"b\": {\"v\": 2}}");
    assert_null(asl_select_quiet(&f->x, &P_UNION_V, in));
    assert_false(asl_failed(&f->x));
}

/* ---- indefinite paths ------------------------------------------------ */

static void wildcard_over_arrays_and_objects_copies_matches(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"items\": [{\"itemValue\": 1}, {\"other\": 2}, {\"itemValue\": 3}]}");
    const cJSON *v = asl_select(&f->x, &P_ITEMS_STAR_V, in);
    assert_json(v, "[1, 3]");
    assert_int_equal(f->x.nscratch, 1);
    assert_json(asl_select(&f->x, &P_ITEMS_STAR, in), "[{\"itemValue\": 1}, {\"other\": 2}, {\"itemValue\": 3}]");
    in = input(f, "{\"a\": {\"x\": 1, \"y\": [2]}, \"b\": 3}");
    assert_json(asl_select(&f->x, &P_STAR, in), "[{\"x\": 1, \"y\": [2]}, 3]");
    assert_json(asl_select(&f->x, &P_STAR_STAR, in), "[1, [2]]");
    assert_false(asl_failed(&f->x));
}

static void indefinite_path_with_no_input_is_empty_array(void **state)
{
    fixture *f = *state;
    /* base.json_path_array_wildcard_or_slice_with_no_input__* */
    cJSON *in = input(f, "{}");
    assert_json(asl_select(&f->x, &P_STAR, in), "[]");
    assert_json(asl_select(&f->x, &P_ITEMS_STAR, in), "[]");
    assert_json(asl_select(&f->x, &P_ITEMS_STAR_V, in), "[]");
    assert_json(asl_select(&f->x, &P_NO_SLICE_V, in), "[]");
    assert_json(asl_select(&f->x, &P_SL_TO_2, in), "[]");
    assert_false(asl_failed(&f->x));
}

static void slices_follow_jayway(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"a\": [0, 1, 2, 3, 4]}");
    assert_json(asl_select(&f->x, &P_SL_1_3, in), "[1, 2]");
    assert_json(asl_select(&f->x, &P_SL_TO_2, in), "[0, 1]");
    assert_json(asl_select(&f->x, &P_SL_M2, in), "[3, 4]");
    assert_json(asl_select(&f->x, &P_SL_TO_M1, in), "[0, 1, 2, 3]");
    assert_json(asl_select(&f->x, &P_SL_M3_M1, in), "[2, 3]");
    assert_json(asl_select(&f->x, &P_SL_1_9, in), "[1, 2, 3, 4]");
    /* Jayway reads no step: [0:4:2] is [0:4] */
    assert_json(asl_select(&f->x, &P_SL_STEP, in), "[0, 1, 2, 3]");
    in = input(f, "{\"a\": {\"x\": 1}}");
    assert_json(asl_select(&f->x, &P_SL_1_3, in), "[]");
    assert_false(asl_failed(&f->x));
}

static void name_union_at_the_end_merges_members(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"a\": {\"v\": 1}, \"b\": {\"v\": 2}, \"c\": {\"v\": 3}}");
    assert_json(asl_select(&f->x, &P_UNION_AB, in), "{\"a\": {\"v\": 1}, \"b\": {\"v\": 2}}");
    in = input(f, "{\"x\": {\"a\": 1, \"b\": 2}}");
    assert_json(asl_select(&f->x, &P_X_UNION, in), "{\"a\": 1}");
    assert_false(asl_failed(&f->x));
    in = input(f, "{\"y\": 1}");
    assert_null(asl_select(&f->x, &P_X_UNION, in));
    assert_cause(f, "Invalid path '$.x['a','zz']' : Missing property in path $['x']");
}

static void name_union_before_the_end_is_an_invalid_path(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"a\": {\"v\": 1}, \"b\": {\"v\": 2}}");
    assert_null(asl_select(&f->x, &P_UNION_V, in));
    assert_cause(f, "Invalid path '$['a', 'b'].v' : Multi properties can only be used as path "
                    "leafs: $['a', 'b']");
}

static void index_union_skips_missing_elements(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"l\": [\"x\", \"y\", \"z\"]}");
    assert_json(asl_select(&f->x, &P_UNION_IDX, in), "[\"x\", \"z\"]");
    assert_false(asl_failed(&f->x));
}

static void deep_scan_finds_every_level_in_document_order(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"a\": {\"a\": 1, \"b\": [{\"a\": 2}]}, \"c\": {\"a\": 3}}");
    assert_json(asl_select(&f->x, &P_DEEP_A, in), "[{\"a\": 1, \"b\": [{\"a\": 2}]}, 1, 2, 3]");
    in = input(f, "{\"a\": {\"b\": 1}, \"c\": [2, [3]]}");
    assert_json(asl_select(&f->x, &P_DEEP_STAR, in), "[{\"b\": 1}, [2, [3]], 1, 2, [3], 3]");
    in = input(f, "{\"store\": {\"book\": [{\"price\": 8}, {\"price\": 12}], "
                  "\"bicycle\": {\"price\": 19}}, \"price\": 0}");
    assert_json(asl_select(&f->x, &P_DEEP_PRICE, in), "[8, 12, 19]");
    assert_false(asl_failed(&f->x));
}

/* ---- filters --------------------------------------------------------- */

static const char USERS[] =
    "{\"limit\": 2, \"users\": [{\"name\": \"a\", \"status\": 0, \"min\": 1},"
    " {\"name\": \"b\", \"status\": 1, \"min\": 3}, {\"status\": 2, \"min\": 2},"
    " 7, [1], {\"name\": null, \"status\": \"1\"}]}";

static void filters_compare_numbers(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"users\": [{\"year\": 1997, \"status\": 0}, {\"year\": 1998, \"status\": 1}]}");
    /* base.state_pass_regex_json_path_base */
    assert_json(asl_select(&f->x, &P_F_EQ0, in), "[{\"year\": 1997, \"status\": 0}]");
    in = input(f, USERS);
    assert_json(asl_select(&f->x, &P_F_LT1, in), "[{\"name\": \"a\", \"status\": 0, \"min\": 1}]");
    assert_json(asl_select(&f->x, &P_F_LE1, in),
                "[{\"name\": \"a\", \"status\": 0, \"min\": 1}, {\"name\": \"b\", \"status\": 1, \"min\": 3}]");
    assert_json(asl_select(&f->x, &P_F_GT1, in), "[{\"status\": 2, \"min\": 2}]");
    assert_json(asl_select(&f->x, &P_F_GE1, in),
                "[{\"name\": \"b\", \"status\": 1, \"min\": 3}, {\"status\": 2, \"min\": 2}]");
    assert_false(asl_failed(&f->x));
}

static void filter_not_equal_keeps_other_types(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, USERS);
    assert_json(asl_select(&f->x, &P_F_NE0, in),
                "[{\"name\": \"b\", \"status\": 1, \"min\": 3}, {\"status\": 2, \"min\": 2},"
                " {\"name\": null, \"status\": \"1\"}]");
    /* Jayway compares a number with a string literal as numbers */
    assert_json(asl_select(&f->x, &P_F_EQ_STR, in),
                "[{\"name\": \"b\", \"status\": 1, \"min\": 3}, {\"name\": null, \"status\": \"1\"}]");
}

static void filters_compare_strings_and_null(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, USERS);
    assert_json(asl_select(&f->x, &P_F_NAME_EQ, in), "[{\"name\": \"b\", \"status\": 1, \"min\": 3}]");
    assert_json(asl_select(&f->x, &P_F_NAME_LT, in), "[{\"name\": \"a\", \"status\": 0, \"min\": 1}]");
    assert_json(asl_select(&f->x, &P_F_NAME_NULL, in), "[{\"name\": null, \"status\": \"1\"}]");
}

static void filter_exists_and_logic(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, USERS);
    assert_json(asl_select(&f->x, &P_F_NAMES, in), "[\"a\", \"b\", null]");
    assert_json(asl_select(&f->x, &P_F_NOT, in), "[{\"status\": 2, \"min\": 2}]");
    assert_json(asl_select(&f->x, &P_F_AND, in), "[{\"name\": \"b\", \"status\": 1, \"min\": 3}]");
    assert_json(asl_select(&f->x, &P_F_OR, in),
                "[{\"name\": \"a\", \"status\": 0, \"min\": 1}, {\"name\": \"b\", \"status\": 1, \"min\": 3}]");
    assert_false(asl_failed(&f->x));
}

static void filter_compares_two_paths(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, USERS);
    assert_json(asl_select(&f->x, &P_F_PATHS, in),
                "[{\"name\": \"a\", \"status\": 0, \"min\": 1}, {\"status\": 2, \"min\": 2}]");
}

static void filter_on_an_object_tests_the_object(void **state)
{
    fixture *f = *state;
    cJSON *in = input(f, "{\"users\": {\"name\": \"b\"}}");
    assert_json(asl_select(&f->x, &P_F_NAME_EQ, in), "[{\"name\": \"b\"}]");
    in = input(f, "{\"users\": 5}");
    assert_null(asl_select(&f->x, &P_F_HAS, in));
    assert_cause(f, "Invalid path '$.users[?(F_HAS_NAME)]' : Filter: [?] can not be applied to "
                    "primitives. Current context is: 5");
}

/* ---- InputPath / OutputPath ------------------------------------------ */

static void apply_path_moves_the_selection_without_copying(void **state)
{
    fixture *f = *state;
    cJSON *doc = parse("{\"a\": {\"b\": {\"deep\": [1, 2]}}, \"z\": 1}");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(doc->child, "b");
    assert_int_equal(asl_apply_path(&f->x, &P_A_B, &doc), 0);
    assert_ptr_equal(doc, b);
    assert_null(doc->string);
    assert_json(doc, "{\"deep\": [1, 2]}");
    cJSON_Delete(doc);
}

static void apply_path_takes_indefinite_results(void **state)
{
    fixture *f = *state;
    cJSON *doc = parse("{\"items\": [{\"itemValue\": 1}, {\"itemValue\": 2}]}");
    assert_int_equal(asl_apply_path(&f->x, &P_ITEMS_STAR_V, &doc), 0);
    assert_json(doc, "[1, 2]");
    assert_int_equal(f->x.nscratch, 0);
    cJSON_Delete(doc);
}

static void apply_path_missing_fails_and_keeps_doc(void **state)
{
    fixture *f = *state;
    input(f, "{}");
    cJSON *doc = parse("{\"int-literal\": 0}");
    assert_int_equal(asl_apply_path(&f->x, &P_NO_INPUT, &doc), -1);
    assert_cause(f, "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
    assert_json(doc, "{\"int-literal\": 0}");
    cJSON_Delete(doc);
}

static void set_empty_replaces_doc_with_object(void **state)
{
    (void)state;
    cJSON *doc = parse("[1, 2]");
    asl_set_empty(&doc);
    assert_json(doc, "{}");
    cJSON_Delete(doc);
}

/* ---- ResultPath ------------------------------------------------------ */

static void result_path_dollar_replaces_the_document(void **state)
{
    fixture *f = *state;
    cJSON *doc = parse("{\"a\": 1}");
    assert_int_equal(asl_apply_result_path(&f->x, &P_ROOT, &doc, parse("\"Hello\"")), 0);
    assert_json(doc, "\"Hello\"");
    cJSON_Delete(doc);
}

static void result_path_null_discards_the_result(void **state)
{
    fixture *f = *state;
    cJSON *doc = parse("{\"a\": 1}");
    assert_int_equal(asl_apply_result_path(&f->x, NULL, &doc, parse("[1]")), 0);
    assert_json(doc, "{\"a\": 1}");
    cJSON_Delete(doc);
}

static void result_path_adds_and_replaces_members(void **state)
{
    fixture *f = *state;
    cJSON *doc = parse("{\"a\": 1}");
    assert_int_equal(asl_apply_result_path(&f->x, &R_FINAL, &doc, parse("{\"r\": 1}")), 0);
    assert_json(doc, "{\"a\": 1, \"final\": {\"r\": 1}}");
    assert_int_equal(asl_apply_result_path(&f->x, &R_FINAL, &doc, parse("2")), 0);
    assert_json(doc, "{\"a\": 1, \"final\": 2}");
    /* the key is the path's static name, not a copy */
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(doc, "final");
    assert_true(fin->type & cJSON_StringIsConst);
    cJSON_Delete(doc);
}

static void result_path_creates_missing_objects(void **state)
{
    fixture *f = *state;
    cJSON *doc = parse("{\"enigma\": {\"other\": true}}");
    assert_int_equal(asl_apply_result_path(&f->x, &R_NESTED, &doc, parse("42")), 0);
    assert_json(doc, "{\"enigma\": {\"other\": true, \"mystery\": {\"deep\": 42}}}");
    cJSON_Delete(doc);
}

static void result_path_through_a_non_object_fails(void **state)
{
    fixture *f = *state;
    cJSON *doc = parse("{\"enigma\": \"text\"}");
    assert_int_equal(asl_apply_result_path(&f->x, &R_NESTED, &doc, parse("{\"r\": 1}")), -1);
    assert_cause(f, "Invalid path '$.enigma.mystery.deep' : Expected to find an object with "
                    "property ['mystery'] in path $['enigma'] but found 'java.lang.String'. This "
                    "is not a json object according to the JsonProvider: "
                    "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
    cJSON_Delete(doc);

    input(f, "{}");
    doc = parse("[1, 2]");
    assert_int_equal(asl_apply_result_path(&f->x, &R_FINAL, &doc, parse("3")), -1);
    assert_non_null(strstr(f->x.cause, "in path $ but found 'net.minidev.json.JSONArray'"));
    cJSON_Delete(doc);
}

static void result_path_replaces_array_elements(void **state)
{
    fixture *f = *state;
    cJSON *doc = parse("{\"arr\": [0, 1, 2]}");
    assert_int_equal(asl_apply_result_path(&f->x, &R_ARR1, &doc, parse("{\"x\": 1}")), 0);
    assert_json(doc, "{\"arr\": [0, {\"x\": 1}, 2]}");
    assert_int_equal(asl_apply_result_path(&f->x, &R_ARR5, &doc, parse("9")), -1);
    assert_cause(f, "Invalid path '$.arr[5]' : Index out of bounds when evaluating path $['arr'][5]");
    cJSON_Delete(doc);
}

static void result_path_takes_a_detached_member(void **state)
{
    fixture *f = *state;
    /* a result that was a member elsewhere keeps no stale key */
    cJSON *src = parse("{\"k\": {\"v\": 1}}");
    cJSON *moved = cJSON_DetachItemFromObjectCaseSensitive(src, "k");
    cJSON *doc = parse("{}");
    assert_int_equal(asl_apply_result_path(&f->x, &R_FINAL, &doc, moved), 0);
    assert_json(doc, "{\"final\": {\"v\": 1}}");
    cJSON_Delete(doc);
    cJSON_Delete(src);
}


/* ---- bounds: deep scans multiply, and a stop is obeyed ------------------ */

#define DEEP_A {.kind = ASL_SEG_DEEP, .name = "a"}
PATH(P_DEEP_A3, "$..a..a..a", "$..['a']..['a']..['a']", 0, DEEP_A, DEEP_A, DEEP_A);

/* {"a":{"a":...1}} [depth] levels deep. */
static cJSON *chain(int depth)
{
    cJSON *v = cJSON_CreateNumber(1);
    for (int i = 0; i < depth; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "a", v);
        v = o;
    }
    return v;
}

static void deep_scan_results_are_bounded(void **state)
{
    fixture *f = *state;
    input(f, "{}");
    cJSON_Delete(f->in);
    f->in = chain(200); /* C(200,3) = 1,313,400 matches of ~100 levels each */
    assert_null(asl_select(&f->x, &P_DEEP_A3, f->in));
    assert_true(f->x.failed);
    assert_string_equal(f->x.error, "States.Runtime");
    assert_non_null(strstr(f->x.cause, "The JSONPath '$..a..a..a' selects more than 64 MiB"));
    /* the quiet selection (Choice, templates) fails as well: it is no "no match" */
    input(f, "{}");
    cJSON_Delete(f->in);
    f->in = chain(200);
    assert_null(asl_select_quiet(&f->x, &P_DEEP_A3, f->in));
    assert_true(f->x.failed);
    /* a small chain still gives every match: C(5,3) = 10 */
    input(f, "{}");
    cJSON_Delete(f->in);
    f->in = chain(5);
    const cJSON *r = asl_select(&f->x, &P_DEEP_A3, f->in);
    assert_false(f->x.failed);
    assert_int_equal(cJSON_GetArraySize(r), 10);
}

static void many_deep_steps_are_bounded(void **state)
{
    fixture *f = *state;
    enum { N = 100000 };
    asl_seg *segs = calloc(N, sizeof *segs);
    for (int i = 0; i < N; i++)
        segs[i] = (asl_seg)DEEP_A;
    asl_path p = {.text = "$..a..a (100000 times)", .normalized = "", .root = ASL_ROOT_INPUT,
                  .nsegs = N, .segs = segs};
    input(f, "{}");
    cJSON_Delete(f->in);
    f->in = chain(200);
    assert_null(asl_select(&f->x, &p, f->in));
    assert_true(f->x.failed);
    assert_non_null(strstr(f->x.cause, "visits more than 10000000 nodes"));
    free(segs);
}

static void an_aborted_run_stops_a_scan(void **state)
{
    fixture *f = *state;
    input(f, "{}");
    cJSON_Delete(f->in);
    f->in = chain(200);
    f->run.aborted = 1; /* as SIGINT / SIGTERM set it */
    assert_null(asl_select(&f->x, &P_DEEP_A3, f->in));
    assert_true(f->x.failed);
    assert_int_equal(f->x.status, RT_ABORTED);
    f->run.aborted = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(definite_path_returns_the_value_itself),
        T(index_counts_from_the_end_when_negative),
        T(index_out_of_range_has_no_results),
        T(missing_leaf_is_no_results),
        T(missing_property_on_the_way_names_it),
        T(name_on_a_non_object_is_jayways_message),
        T(index_on_a_non_array_is_jayways_message),
        T(bracket_names_with_escapes_select_exactly),
        T(context_root_selects_from_the_context_object),
        T(quiet_selection_sets_no_error),
        T(wildcard_over_arrays_and_objects_copies_matches),
        T(indefinite_path_with_no_input_is_empty_array),
        T(slices_follow_jayway),
        T(name_union_at_the_end_merges_members),
        T(name_union_before_the_end_is_an_invalid_path),
        T(index_union_skips_missing_elements),
        T(deep_scan_finds_every_level_in_document_order),
        T(filters_compare_numbers),
        T(filter_not_equal_keeps_other_types),
        T(filters_compare_strings_and_null),
        T(filter_exists_and_logic),
        T(filter_compares_two_paths),
        T(filter_on_an_object_tests_the_object),
        T(apply_path_moves_the_selection_without_copying),
        T(apply_path_takes_indefinite_results),
        T(apply_path_missing_fails_and_keeps_doc),
        T(set_empty_replaces_doc_with_object),
        T(result_path_dollar_replaces_the_document),
        T(result_path_null_discards_the_result),
        T(result_path_adds_and_replaces_members),
        T(result_path_creates_missing_objects),
        T(result_path_through_a_non_object_fails),
        T(result_path_replaces_array_elements),
        T(result_path_takes_a_detached_member),
        T(deep_scan_results_are_bounded),
        T(many_deep_steps_are_bounded),
        T(an_aborted_run_stops_a_scan),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
