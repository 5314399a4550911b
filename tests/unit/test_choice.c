/*
 * test_choice.c - the Choice comparison primitives (runtime/choice.c):
 * each operator on matching and mismatching types, the *Path forms,
 * missing variables (States.Runtime with AWS's cause), string order,
 * timestamps across offsets, StringMatches wildcards and escapes; the
 * asl_ch_* forms over pre-selected values agree with them.
 * Expected values follow conformance/cases/choice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "effects.h"
#include "engine.h"
#include "rt.h"
#include "values.h"

/* ---- fixtures: one-field paths $.<name> and an execution in state 0 ---- */

#define FIELD_PATH(id, field)                                                          \
    static const asl_seg id##_seg[] = {{.kind = ASL_SEG_FIELD, .name = field}};         \
    static const asl_path id = {.text = "$." field, .normalized = "$['" field "']",     \
                                .root = ASL_ROOT_INPUT, .definite = 1, .nsegs = 1,      \
                                .segs = id##_seg}

FIELD_PATH(P_VAR, "Variable");
FIELD_PATH(P_VAL, "Value");
FIELD_PATH(P_MISSING, "Missing");
FIELD_PATH(P_OTHER, "Other");

static int noop_state(asl_exec *x, cJSON **doc)
{
    (void)x;
    (void)doc;
    return ASL_NEXT_END;
}

static const asl_state states[] = {{.name = "Check", .type = "Choice", .run = noop_state}};
static const asl_machine machine = {.name = "m", .nstates = 1, .states = states};

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

/* Sets the input document from JSON text and clears any error. */
static const cJSON *input(fixture *f, const char *json)
{
    cJSON_Delete(f->in);
    f->in = cJSON_Parse(json);
    assert_non_null(f->in);
    rt_exec_dispose(&f->x);
    f->x.failed = false;
    f->x.status = RT_SUCCEEDED;
    return f->in;
}

static void assert_missing_error(fixture *f, const char *path)
{
    char want[256];
    snprintf(want, sizeof want,
             "An error occurred while executing the state 'Check' (entered at the event id #2). "
             "Invalid path '%s': The choice state's condition path references an invalid value.",
             path);
    assert_true(asl_failed(&f->x));
    assert_string_equal(f->x.error, "States.Runtime");
    assert_string_equal(f->x.cause, want);
}

/* ---- numbers ---- */

static void numeric_compares_by_value(void **state)
{
    fixture *f = *state;
    asl_exec *x = &f->x;
    const cJSON *in = input(f, "{\"Variable\": 0.0}");
    assert_true(asl_test_num(x, in, &P_VAR, ASL_CMP_EQ, 0));
    assert_false(asl_test_num(x, in, &P_VAR, ASL_CMP_EQ, 1));
    in = input(f, "{\"Variable\": 2.22}");
    assert_true(asl_test_num(x, in, &P_VAR, ASL_CMP_EQ, 2.22));
    assert_true(asl_test_num(x, in, &P_VAR, ASL_CMP_GT, 2));
    assert_true(asl_test_num(x, in, &P_VAR, ASL_CMP_GE, 2.22));
    assert_true(asl_test_num(x, in, &P_VAR, ASL_CMP_LT, 3));
    assert_true(asl_test_num(x, in, &P_VAR, ASL_CMP_LE, 2.22));
    assert_false(asl_test_num(x, in, &P_VAR, ASL_CMP_LT, 2.22));
    assert_false(asl_failed(x));
}

static void numeric_on_other_types_is_false(void **state)
{
    fixture *f = *state;
    static const char *const others[] = {
        "{\"Variable\": \"1\"}", "{\"Variable\": \"\"}", "{\"Variable\": true}",
        "{\"Variable\": null}",  "{\"Variable\": [1]}",  "{\"Variable\": {\"A\": 1}}",
    };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        const cJSON *in = input(f, others[i]);
        assert_false(asl_test_num(&f->x, in, &P_VAR, ASL_CMP_EQ, 1));
        assert_false(asl_test_num(&f->x, in, &P_VAR, ASL_CMP_LE, 1));
        assert_false(asl_failed(&f->x));
    }
}

static void numeric_path_compares_two_values(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": 1, \"Value\": 1.0}");
    assert_true(asl_test_num_path(&f->x, in, &P_VAR, ASL_CMP_EQ, &P_VAL));
    in = input(f, "{\"Variable\": 0, \"Value\": 1}");
    assert_true(asl_test_num_path(&f->x, in, &P_VAR, ASL_CMP_LT, &P_VAL));
    assert_false(asl_test_num_path(&f->x, in, &P_VAR, ASL_CMP_GT, &P_VAL));
    in = input(f, "{\"Variable\": 1, \"Value\": \"1\"}");
    assert_false(asl_test_num_path(&f->x, in, &P_VAR, ASL_CMP_EQ, &P_VAL));
    assert_false(asl_failed(&f->x));
}

static void numeric_missing_variable_is_runtime_error(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": 1}");
    assert_false(asl_test_num(&f->x, in, &P_MISSING, ASL_CMP_EQ, 1));
    assert_missing_error(f, "$.Missing");
}

static void numeric_path_missing_operand_is_runtime_error(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": 1}");
    assert_false(asl_test_num_path(&f->x, in, &P_VAR, ASL_CMP_EQ, &P_MISSING));
    assert_missing_error(f, "$.Missing");
}

/* ---- strings ---- */

static void string_equals_is_exact(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": \"Hello\"}");
    assert_true(asl_test_str(&f->x, in, &P_VAR, ASL_CMP_EQ, "Hello"));
    assert_false(asl_test_str(&f->x, in, &P_VAR, ASL_CMP_EQ, "hello"));
    in = input(f, "{\"Variable\": \"\\t\\n\"}");
    assert_false(asl_test_str(&f->x, in, &P_VAR, ASL_CMP_EQ, "\t\r\n"));
    in = input(f, "{\"Variable\": \" \"}");
    assert_false(asl_test_str(&f->x, in, &P_VAR, ASL_CMP_EQ, "     "));
    assert_false(asl_failed(&f->x));
}

static void string_order_matches_recorded_cases(void **state)
{
    fixture *f = *state;
    asl_exec *x = &f->x;
    const cJSON *in = input(f, "{\"Variable\": \"\"}");
    assert_false(asl_test_str(x, in, &P_VAR, ASL_CMP_GT, ""));
    assert_true(asl_test_str(x, in, &P_VAR, ASL_CMP_GE, ""));
    assert_false(asl_test_str(x, in, &P_VAR, ASL_CMP_LT, ""));
    assert_true(asl_test_str(x, in, &P_VAR, ASL_CMP_LE, ""));
    in = input(f, "{\"Variable\": \"A\"}");
    assert_false(asl_test_str(x, in, &P_VAR, ASL_CMP_GT, "A "));
    assert_false(asl_test_str(x, in, &P_VAR, ASL_CMP_GT, "A\t\n\r"));
    assert_true(asl_test_str(x, in, &P_VAR, ASL_CMP_LT, "AB"));
    in = input(f, "{\"Variable\": \"AB\"}");
    assert_true(asl_test_str(x, in, &P_VAR, ASL_CMP_GE, "A"));
    assert_false(asl_test_str(x, in, &P_VAR, ASL_CMP_GT, "ABC"));
    assert_false(asl_failed(x));
}

static void string_order_is_java_utf16_order(void **state)
{
    fixture *f = *state;
    /* U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FFFD although
     * its code point is larger; U+00E9 sorts after 'z'. */
    const cJSON *in = input(f, "{\"Variable\": \"\\ud83d\\ude00\"}");
    assert_true(asl_test_str(&f->x, in, &P_VAR, ASL_CMP_LT, "\xEF\xBF\xBD"));
    assert_true(asl_test_str(&f->x, in, &P_VAR, ASL_CMP_GT, "\xED\x9F\xBF")); /* U+D7FF */
    in = input(f, "{\"Variable\": \"\\u00e9\"}");
    assert_true(asl_test_str(&f->x, in, &P_VAR, ASL_CMP_GT, "z"));
}

static void string_on_other_types_is_false(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": 0, \"Value\": \"0\"}");
    assert_false(asl_test_str(&f->x, in, &P_VAR, ASL_CMP_EQ, "0"));
    assert_false(asl_test_str_path(&f->x, in, &P_VAR, ASL_CMP_EQ, &P_VAL));
    in = input(f, "{\"Variable\": \"x\", \"Value\": null}");
    assert_false(asl_test_str_path(&f->x, in, &P_VAR, ASL_CMP_LE, &P_VAL));
    in = input(f, "{\"Variable\": \"A\", \"Value\": \"AB\"}");
    assert_true(asl_test_str_path(&f->x, in, &P_VAR, ASL_CMP_LT, &P_VAL));
    assert_false(asl_failed(&f->x));
    assert_false(asl_test_str(&f->x, in, &P_MISSING, ASL_CMP_EQ, "A"));
    assert_missing_error(f, "$.Missing");
}

/* ---- booleans ---- */

static void boolean_equals_only_booleans(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": false, \"Value\": false}");
    assert_true(asl_test_bool(&f->x, in, &P_VAR, 0));
    assert_false(asl_test_bool(&f->x, in, &P_VAR, 1));
    assert_true(asl_test_bool_path(&f->x, in, &P_VAR, &P_VAL));
    static const char *const others[] = {"{\"Variable\": 0, \"Value\": false}",
                                         "{\"Variable\": 1, \"Value\": true}",
                                         "{\"Variable\": \"true\", \"Value\": true}",
                                         "{\"Variable\": null, \"Value\": false}"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        in = input(f, others[i]);
        assert_false(asl_test_bool(&f->x, in, &P_VAR, 1));
        assert_false(asl_test_bool(&f->x, in, &P_VAR, 0));
        assert_false(asl_test_bool_path(&f->x, in, &P_VAR, &P_VAL));
    }
    assert_false(asl_failed(&f->x));
    assert_false(asl_test_bool(&f->x, in, &P_MISSING, 1));
    assert_missing_error(f, "$.Missing");
}

/* ---- timestamps ---- */

static void timestamp_compares_instants(void **state)
{
    fixture *f = *state;
    long long sec;
    long nsec;
    assert_true(rt_parse_timestamp("2024-02-08T11:10:07Z", &sec, &nsec));
    const cJSON *in = input(f, "{\"Variable\": \"2024-02-08T13:10:07+02:00\"}");
    assert_true(asl_test_ts(&f->x, in, &P_VAR, ASL_CMP_EQ, sec, nsec));
    assert_false(asl_test_ts(&f->x, in, &P_VAR, ASL_CMP_LT, sec, nsec));
    in = input(f, "{\"Variable\": \"2024-02-08T11:10:07.001Z\"}");
    assert_true(asl_test_ts(&f->x, in, &P_VAR, ASL_CMP_GT, sec, nsec));
    in = input(f, "{\"Variable\": \"2012-10-09T19:00:55Z\", \"Value\": \"2012-10-09T19:00:56Z\"}");
    assert_true(asl_test_ts_path(&f->x, in, &P_VAR, ASL_CMP_LT, &P_VAL));
    assert_false(asl_test_ts_path(&f->x, in, &P_VAR, ASL_CMP_GE, &P_VAL));
    assert_false(asl_failed(&f->x));
}

static void timestamp_on_non_timestamps_is_false(void **state)
{
    fixture *f = *state;
    long long sec;
    long nsec;
    assert_true(rt_parse_timestamp("2012-10-09T19:00:55Z", &sec, &nsec));
    static const char *const others[] = {
        "{\"Variable\": \"2023-02-24 12:15:56.832957\"}", "{\"Variable\": \"2012-10-09T19:00:55\"}",
        "{\"Variable\": 0}", "{\"Variable\": null}", "{\"Variable\": [\"\"]}",
        "{\"Variable\": \" \"}"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        const cJSON *in = input(f, others[i]);
        assert_false(asl_test_ts(&f->x, in, &P_VAR, ASL_CMP_EQ, sec, nsec));
        assert_false(asl_test_ts(&f->x, in, &P_VAR, ASL_CMP_LE, sec, nsec));
    }
    const cJSON *in = input(f, "{\"Variable\": \"2012-10-09T19:00:55Z\", \"Value\": 5}");
    assert_false(asl_test_ts_path(&f->x, in, &P_VAR, ASL_CMP_EQ, &P_VAL));
    assert_false(asl_failed(&f->x));
}

/* ---- StringMatches ---- */

static bool matches(fixture *f, const char *value, const char *pattern)
{
    cJSON_Delete(f->in);
    f->in = cJSON_CreateObject();
    cJSON_AddStringToObject(f->in, "Variable", value);
    return asl_test_matches(&f->x, f->in, &P_VAR, pattern);
}

static void string_matches_wildcards(void **state)
{
    fixture *f = *state;
    assert_true(matches(f, "payment.failed", "payment.*"));
    assert_false(matches(f, "payments", "payment.*"));
    assert_true(matches(f, "u1@vip.example.com", "*@vip.example.com"));
    assert_true(matches(f, "refund pending", "*refund*"));
    assert_true(matches(f, "refund", "*refund*"));
    assert_false(matches(f, "refun", "*refund*"));
    assert_true(matches(f, "abcbc", "a*bc"));
    assert_true(matches(f, "aXbYc", "a*b*c"));
    assert_false(matches(f, "aXbY", "a*b*c"));
    assert_true(matches(f, "", ""));
    assert_true(matches(f, "", "*"));
    assert_true(matches(f, "anything", "**"));
    assert_false(matches(f, "x", ""));
    assert_true(matches(f, "h\xC3\xA9llo", "h*llo"));
}

static void string_matches_escapes(void **state)
{
    fixture *f = *state;
    /* In ASL JSON "a\\*b" is the pattern a\*b: a literal star. */
    assert_true(matches(f, "a*b", "a\\*b"));
    assert_false(matches(f, "axb", "a\\*b"));
    assert_true(matches(f, "a\\b", "a\\\\b"));
    assert_true(matches(f, "log*.txt", "*\\*.txt"));
    assert_false(matches(f, "log.txt", "*\\*.txt"));
}

static void string_matches_non_strings_is_false(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": 5}");
    assert_false(asl_test_matches(&f->x, in, &P_VAR, "*"));
    assert_false(asl_failed(&f->x));
    assert_false(asl_test_matches(&f->x, in, &P_MISSING, "*"));
    assert_missing_error(f, "$.Missing");
}

/* ---- type tests ---- */

static void is_present_never_fails(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": null}");
    assert_true(asl_test_is(&f->x, in, &P_VAR, ASL_IS_PRESENT, 1));
    assert_false(asl_test_is(&f->x, in, &P_VAR, ASL_IS_PRESENT, 0));
    assert_false(asl_test_is(&f->x, in, &P_MISSING, ASL_IS_PRESENT, 1));
    assert_true(asl_test_is(&f->x, in, &P_MISSING, ASL_IS_PRESENT, 0));
    assert_false(asl_failed(&f->x));
}

static void is_type_tests_follow_recorded_cases(void **state)
{
    fixture *f = *state;
    asl_exec *x = &f->x;
    const cJSON *in = input(f, "{\"Variable\": \"1\"}");
    assert_false(asl_test_is(x, in, &P_VAR, ASL_IS_NUMERIC, 1));
    assert_true(asl_test_is(x, in, &P_VAR, ASL_IS_NUMERIC, 0));
    assert_true(asl_test_is(x, in, &P_VAR, ASL_IS_STRING, 1));
    in = input(f, "{\"Variable\": 0}");
    assert_true(asl_test_is(x, in, &P_VAR, ASL_IS_NUMERIC, 1));
    assert_false(asl_test_is(x, in, &P_VAR, ASL_IS_BOOLEAN, 1));
    assert_false(asl_test_is(x, in, &P_VAR, ASL_IS_NULL, 1));
    in = input(f, "{\"Variable\": false}");
    assert_true(asl_test_is(x, in, &P_VAR, ASL_IS_BOOLEAN, 1));
    assert_false(asl_test_is(x, in, &P_VAR, ASL_IS_BOOLEAN, 0));
    in = input(f, "{\"Variable\": null}");
    assert_true(asl_test_is(x, in, &P_VAR, ASL_IS_NULL, 1));
    assert_false(asl_test_is(x, in, &P_VAR, ASL_IS_STRING, 1));
    in = input(f, "{\"Variable\": \"2012-10-09T19:00:55+01:00\"}");
    assert_true(asl_test_is(x, in, &P_VAR, ASL_IS_TIMESTAMP, 1));
    in = input(f, "{\"Variable\": \"2023-02-24\"}");
    assert_false(asl_test_is(x, in, &P_VAR, ASL_IS_TIMESTAMP, 1));
    assert_true(asl_test_is(x, in, &P_VAR, ASL_IS_TIMESTAMP, 0));
    assert_false(asl_failed(x));
}

static void is_type_on_missing_variable_is_runtime_error(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{}");
    assert_false(asl_test_is(&f->x, in, &P_MISSING, ASL_IS_NULL, 0));
    assert_missing_error(f, "$.Missing");
}

/* ---- the pre-selected forms (asl_ch_*) that aslc emits for plain paths ---- */

static void ch_fields_reads_first_member_by_name(void **state)
{
    fixture *f = *state;
    static const char *const keys[] = {"a", "b", "", "ab", "zz"};
    const cJSON *out[5];
    const cJSON *in = input(f, "{\"ab\": 4, \"a\": 1, \"b\": 2, \"a\": 3, \"\": 5}");
    asl_ch_fields(in, keys, 5, out);
    assert_int_equal(out[0]->valueint, 1); /* the first of two "a" */
    assert_int_equal(out[1]->valueint, 2);
    assert_int_equal(out[2]->valueint, 5);
    assert_int_equal(out[3]->valueint, 4);
    assert_null(out[4]);
    static const char *const docs[] = {"[1, 2]", "\"a\"", "null", "3"};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        in = input(f, docs[i]);
        asl_ch_fields(in, keys, 5, out);
        for (int k = 0; k < 5; k++)
            assert_null(out[k]);
    }
    asl_ch_fields(NULL, keys, 5, out);
    assert_null(out[0]);
}

static void ch_index_counts_from_either_end(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "[10, 20, 30]");
    assert_int_equal(asl_ch_index(in, 0)->valueint, 10);
    assert_int_equal(asl_ch_index(in, 2)->valueint, 30);
    assert_int_equal(asl_ch_index(in, -1)->valueint, 30);
    assert_int_equal(asl_ch_index(in, -3)->valueint, 10);
    assert_null(asl_ch_index(in, 3));
    assert_null(asl_ch_index(in, -4));
    assert_null(asl_ch_index(input(f, "{\"0\": 1}"), 0));
    assert_null(asl_ch_index(NULL, 0));
}

/* Clears the error of the last test and returns its cause ("" if none). */
static const char *take_error(fixture *f, char *buf, size_t len)
{
    snprintf(buf, len, "%s", asl_failed(&f->x) && f->x.cause ? f->x.cause : "");
    rt_exec_dispose(&f->x);
    f->x.failed = false;
    f->x.status = RT_SUCCEEDED;
    return buf;
}

/* Every asl_ch_* test answers as the asl_test_* form that selects its own
 * operands, errors included, over operands of every type and missing. */
static void ch_tests_agree_with_selecting_tests(void **state)
{
    fixture *f = *state;
    asl_exec *x = &f->x;
    static const char *const vals[] = {
        NULL, "0", "1.5", "-2", "\"\"", "\"A\"", "\"b*\"", "\"2024-01-01T00:00:00Z\"",
        "\"2024-01-01T01:00:00+01:00\"", "\"2024-13-01T00:00:00Z\"", "true", "false", "null",
        "[1]", "{\"a\": 1}",
    };
    static const char *const keys[] = {"Variable", "Value"};
    const size_t nv = sizeof vals / sizeof *vals;
    int checked = 0;
    for (size_t i = 0; i < nv; i++) {
        for (size_t j = 0; j < nv; j++) {
            char json[256];
            snprintf(json, sizeof json, "{%s%s%s%s%s%s}", vals[i] ? "\"Variable\": " : "",
                     vals[i] ? vals[i] : "", vals[i] && vals[j] ? ", " : "",
                     vals[j] ? "\"Value\": " : "", vals[j] ? vals[j] : "", "");
            const cJSON *in = input(f, json);
            const cJSON *cv[2];
            asl_ch_fields(in, keys, 2, cv);
            const cJSON *v = cv[0], *r = cv[1];
            for (int cmp = ASL_CMP_EQ; cmp <= ASL_CMP_GE; cmp++) {
                for (int t = 0; t < 10; t++) {
                    asl_ts_memo m = {0}, rm = {0};
                    int a, b;
                    switch (t) {
                    case 0: a = asl_test_num(x, in, &P_VAR, cmp, 1.5); break;
                    case 1: a = asl_test_num_path(x, in, &P_VAR, cmp, &P_VAL); break;
                    case 2: a = asl_test_str(x, in, &P_VAR, cmp, "A"); break;
                    case 3: a = asl_test_str_path(x, in, &P_VAR, cmp, &P_VAL); break;
                    case 4: a = asl_test_bool(x, in, &P_VAR, cmp & 1); break;
                    case 5: a = asl_test_bool_path(x, in, &P_VAR, &P_VAL); break;
                    case 6: a = asl_test_ts(x, in, &P_VAR, cmp, 1704067200, 0); break;
                    case 7: a = asl_test_ts_path(x, in, &P_VAR, cmp, &P_VAL); break;
                    case 8: a = asl_test_matches(x, in, &P_VAR, "b\\**"); break;
                    default: a = asl_test_is(x, in, &P_VAR, cmp, 1); break;
                    }
                    char ea[512], eb[512];
                    take_error(f, ea, sizeof ea);
                    for (int pass = 0; pass < 2; pass++) { /* the second reads the memo */
                        switch (t) {
                        case 0: b = asl_ch_num(x, v, &P_VAR, cmp, 1.5); break;
                        case 1: b = asl_ch_num2(x, v, &P_VAR, cmp, r, &P_VAL); break;
                        case 2: b = asl_ch_str(x, v, &P_VAR, cmp, "A"); break;
                        case 3: b = asl_ch_str2(x, v, &P_VAR, cmp, r, &P_VAL); break;
                        case 4: b = asl_ch_bool(x, v, &P_VAR, cmp & 1); break;
                        case 5: b = asl_ch_bool2(x, v, &P_VAR, r, &P_VAL); break;
                        case 6: b = asl_ch_ts(x, v, &P_VAR, &m, cmp, 1704067200, 0); break;
                        case 7: b = asl_ch_ts2(x, v, &P_VAR, &m, cmp, r, &P_VAL, &rm); break;
                        case 8: b = asl_ch_matches(x, v, &P_VAR, "b\\**"); break;
                        default: b = asl_ch_is(x, v, &P_VAR, pass ? &m : NULL, cmp, 1); break;
                        }
                        take_error(f, eb, sizeof eb);
                        if (a != b || strcmp(ea, eb) != 0)
                            fail_msg("%s test %d cmp %d: %d '%s' vs %d '%s'", json, t, cmp, a,
                                     ea, b, eb);
                        checked++;
                    }
                }
            }
            /* IsTimestamp (ASL_IS_TIMESTAMP is past the cmp range) */
            asl_ts_memo m = {0};
            int a = asl_test_is(x, in, &P_VAR, ASL_IS_TIMESTAMP, 1);
            char ea[512], eb[512];
            take_error(f, ea, sizeof ea);
            int b = asl_ch_is(x, v, &P_VAR, &m, ASL_IS_TIMESTAMP, 1);
            take_error(f, eb, sizeof eb);
            assert_int_equal(a, b);
            assert_string_equal(ea, eb);
        }
    }
    assert_int_equal(checked, (int)(nv * nv) * 5 * 10 * 2);
}

static void ch_first_error_stands(void **state)
{
    fixture *f = *state;
    input(f, "{}");
    assert_false(asl_ch_num(&f->x, NULL, &P_MISSING, ASL_CMP_EQ, 1));
    assert_false(asl_ch_str(&f->x, NULL, &P_OTHER, ASL_CMP_EQ, "a"));
    assert_missing_error(f, "$.Missing");
}

/* One memo serves every test of a Variable: parsed once, stays right. */
static void ch_timestamp_memo_is_reused(void **state)
{
    fixture *f = *state;
    const cJSON *in = input(f, "{\"Variable\": \"2024-03-15T12:00:00.5+02:00\"}");
    static const char *const keys[] = {"Variable"};
    const cJSON *v;
    asl_ch_fields(in, keys, 1, &v);
    asl_ts_memo m = {0};
    assert_true(asl_ch_is(&f->x, v, &P_VAR, &m, ASL_IS_TIMESTAMP, 1));
    assert_int_equal(m.state, 1);
    assert_true(asl_ch_ts(&f->x, v, &P_VAR, &m, ASL_CMP_EQ, 1710496800, 500000000));
    assert_true(asl_ch_ts(&f->x, v, &P_VAR, &m, ASL_CMP_LT, 1710496801, 0));
    assert_false(asl_ch_ts(&f->x, v, &P_VAR, &m, ASL_CMP_GT, 1710496800, 500000000));
    asl_ts_memo bad = {0};
    in = input(f, "{\"Variable\": \"yesterday\"}");
    asl_ch_fields(in, keys, 1, &v);
    assert_false(asl_ch_ts(&f->x, v, &P_VAR, &bad, ASL_CMP_LE, 1710496800, 0));
    assert_int_equal(bad.state, 2);
    assert_false(asl_ch_is(&f->x, v, &P_VAR, &bad, ASL_IS_TIMESTAMP, 1));
    assert_false(asl_failed(&f->x));
}

static void no_choice_matched_fails_the_transition_with_states_runtime(void **state)
{
    fixture *f = *state;
    input(f, "{}");
    assert_int_equal(asl_no_choice_matched(&f->x), ASL_NEXT_ERROR);
    assert_string_equal(f->x.error, "States.Runtime");
    assert_string_equal(f->x.cause,
                        "An error occurred while executing the state 'Check' (entered at the "
                        "event id #2). Failed to transition out of the state. The state does not "
                        "point to a next state.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(numeric_compares_by_value, setup, teardown),
        cmocka_unit_test_setup_teardown(numeric_on_other_types_is_false, setup, teardown),
        cmocka_unit_test_setup_teardown(numeric_path_compares_two_values, setup, teardown),
        cmocka_unit_test_setup_teardown(numeric_missing_variable_is_runtime_error, setup, teardown),
        cmocka_unit_test_setup_teardown(numeric_path_missing_operand_is_runtime_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(string_equals_is_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(string_order_matches_recorded_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(string_order_is_java_utf16_order, setup, teardown),
        cmocka_unit_test_setup_teardown(string_on_other_types_is_false, setup, teardown),
        cmocka_unit_test_setup_teardown(boolean_equals_only_booleans, setup, teardown),
        cmocka_unit_test_setup_teardown(timestamp_compares_instants, setup, teardown),
        cmocka_unit_test_setup_teardown(timestamp_on_non_timestamps_is_false, setup, teardown),
        cmocka_unit_test_setup_teardown(string_matches_wildcards, setup, teardown),
        cmocka_unit_test_setup_teardown(string_matches_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(string_matches_non_strings_is_false, setup, teardown),
        cmocka_unit_test_setup_teardown(is_present_never_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(is_type_tests_follow_recorded_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(is_type_on_missing_variable_is_runtime_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ch_fields_reads_first_member_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(ch_index_counts_from_either_end, setup, teardown),
        cmocka_unit_test_setup_teardown(ch_tests_agree_with_selecting_tests, setup, teardown),
        cmocka_unit_test_setup_teardown(ch_first_error_stands, setup, teardown),
        cmocka_unit_test_setup_teardown(ch_timestamp_memo_is_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(no_choice_matched_fails_the_transition_with_states_runtime, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
