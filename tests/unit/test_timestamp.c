/*
 * test_timestamp.c - rt_parse_timestamp / rt_format_timestamp: the forms
 * AWS accepts and rejects (the rejected ones are recorded in
 * conformance/cases/wait), instants across offsets, and formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timestamp.h"

static bool parses(const char *s)
{
    long long sec;
    long nsec;
    return rt_parse_timestamp(s, &sec, &nsec);
}

static void parse_utc_seconds(void **state)
{
    (void)state;
    long long sec;
    long nsec;
    assert_true(rt_parse_timestamp("2016-03-14T01:59:00Z", &sec, &nsec));
    assert_int_equal(sec, 1457920740);
    assert_int_equal(nsec, 0);
    assert_true(rt_parse_timestamp("1970-01-01T00:00:00Z", &sec, &nsec));
    assert_int_equal(sec, 0);
}

static void parse_fraction_up_to_nanoseconds(void **state)
{
    (void)state;
    long long sec;
    long nsec;
    assert_true(rt_parse_timestamp("2016-03-05T21:29:29.243167252Z", &sec, &nsec));
    assert_int_equal(nsec, 243167252);
    assert_true(rt_parse_timestamp("2024-03-17T04:10:59.773Z", &sec, &nsec));
    assert_int_equal(nsec, 773000000);
    assert_true(rt_parse_timestamp("2024-03-17T04:10:59.5Z", &sec, &nsec));
    assert_int_equal(nsec, 500000000);
    assert_false(parses("2024-03-17T04:10:59.1234567891Z")); /* 10 digits */
    assert_false(parses("2024-03-17T04:10:59.Z"));           /* no digits */
}

static void parse_offsets_give_the_same_instant(void **state)
{
    (void)state;
    long long a, b, c;
    long n;
    assert_true(rt_parse_timestamp("2024-02-08T13:10:07+02:00", &a, &n));
    assert_true(rt_parse_timestamp("2024-02-08T11:10:07Z", &b, &n));
    assert_true(rt_parse_timestamp("2024-02-08T06:10:07-05:00", &c, &n));
    assert_int_equal(a, b);
    assert_int_equal(b, c);
    assert_false(parses("2024-02-08T13:10:07+05:30:15")); /* RFC 3339: no seconds in the offset */
    assert_true(parses("2024-02-08T13:10:07+18:00"));
    assert_false(parses("2024-02-08T13:10:07+18:01"));
    assert_false(parses("2024-02-08T13:10:07+0200"));
    assert_false(parses("2024-02-08T13:10:07+02"));
    assert_false(parses("2024-02-08T13:10:07+02:60"));
}

static void parse_rejects_recorded_invalid_forms(void **state)
{
    (void)state;
    /* The five recorded by AWS in conformance/cases/wait. */
    assert_false(parses("2016-12-05T21:29:29"));  /* no zone */
    assert_false(parses("2016-12-05 21:29:29Z")); /* no T */
    assert_false(parses("2016-13-05T21:29:29Z")); /* month 13 */
    assert_false(parses("2016-12-05T25:29:29Z")); /* hour 25 */
    assert_false(parses("05-12-2016T21:29:29Z")); /* day first */
}

static void parse_checks_calendar_and_fields(void **state)
{
    (void)state;
    assert_true(parses("2024-02-29T00:00:00Z"));
    assert_false(parses("2023-02-29T00:00:00Z"));
    assert_false(parses("2024-04-31T00:00:00Z"));
    assert_false(parses("2024-00-10T00:00:00Z"));
    assert_false(parses("2024-01-00T00:00:00Z"));
    assert_false(parses("2024-01-01T24:00:00Z"));
    assert_false(parses("2024-01-01T23:60:00Z"));
    assert_false(parses("2024-01-01T23:59:60Z"));
    assert_false(parses("2024-1-01T00:00:00Z"));
    assert_false(parses("2023-02-24"));
    assert_false(parses(""));
    assert_false(parses("2024-01-01T00:00:00Z "));
    assert_false(parses(" 2024-01-01T00:00:00Z"));
    assert_false(parses(NULL));
}

/* AWS's profile of RFC 3339: uppercase T and Z, seconds required, offsets
 * +HH:MM without seconds, at most nine fractional digits. */
static void parse_requires_the_aws_rfc3339_profile(void **state)
{
    (void)state;
    assert_true(parses("2016-03-14T01:59:00Z"));
    assert_false(parses("2016-03-14t01:59:00Z"));
    assert_false(parses("2016-03-14T01:59:00z"));
    assert_false(parses("2016-03-14t01:59:00z"));
    assert_false(parses("2016-03-14T01:59Z"));           /* no seconds */
    assert_false(parses("2016-03-14T01Z"));
    assert_false(parses("2016-03-14T01:59.5Z"));         /* a fraction needs seconds */
    assert_false(parses("2016-03-14T01:59:00+01:00:30")); /* offset seconds */
    assert_false(parses("2016-03-14T01:59:00+01"));
    assert_false(parses("2016-03-14T01:59:00.Z"));
    assert_false(parses("2016-03-14T01:59:00.1234567890Z")); /* ten digits */
    assert_false(parses("2016-03-14T01:59:60Z"));
    assert_false(parses("2016-03-14T01:59:00+18:01"));
    assert_true(parses("2016-03-14T01:59:00+18:00"));
    assert_true(parses("2016-03-14T01:59:00-00:00"));
    assert_true(parses("2016-03-14T01:59:00.1Z"));
}

static void parse_handles_dates_before_1970(void **state)
{
    (void)state;
    long long sec;
    long nsec;
    assert_true(rt_parse_timestamp("1969-12-31T23:59:59Z", &sec, &nsec));
    assert_int_equal(sec, -1);
    assert_true(rt_parse_timestamp("0001-01-01T00:00:00Z", &sec, &nsec));
    assert_int_equal(sec, -62135596800LL);
}

static void format_writes_milliseconds_and_z(void **state)
{
    (void)state;
    char buf[40];
    rt_format_timestamp(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    rt_format_timestamp(1457920740LL * 1000000000 + 243167252, buf, sizeof buf);
    assert_string_equal(buf, "2016-03-14T01:59:00.243Z");
    rt_format_timestamp(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    rt_format_timestamp(1709164800LL * 1000000000, buf, sizeof buf);
    assert_string_equal(buf, "2024-02-29T00:00:00.000Z");
}

static void format_then_parse_round_trips(void **state)
{
    (void)state;
    char buf[40];
    int64_t ns = 1700000000123000000LL;
    rt_format_timestamp(ns, buf, sizeof buf);
    long long sec;
    long nsec;
    assert_true(rt_parse_timestamp(buf, &sec, &nsec));
    assert_int_equal(sec * 1000000000 + nsec, ns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_utc_seconds),
        cmocka_unit_test(parse_fraction_up_to_nanoseconds),
        cmocka_unit_test(parse_offsets_give_the_same_instant),
        cmocka_unit_test(parse_rejects_recorded_invalid_forms),
        cmocka_unit_test(parse_checks_calendar_and_fields),
        cmocka_unit_test(parse_requires_the_aws_rfc3339_profile),
        cmocka_unit_test(parse_handles_dates_before_1970),
        cmocka_unit_test(format_writes_milliseconds_and_z),
        cmocka_unit_test(format_then_parse_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
