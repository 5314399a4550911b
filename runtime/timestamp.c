/*
 * timestamp.c - RFC 3339 date-times as Step Functions reads and writes them.
 *
 * AWS's rule for IsTimestamp, the Timestamp comparisons and Wait's
 * Timestamp / TimestampPath: "the RFC3339 profile of ISO 8601, with the
 * further restrictions that an uppercase T must separate the date and time
 * portions, and an uppercase Z must denote that a numeric time zone offset
 * is not present". RFC 3339's date-time (section 5.6) with those
 * restrictions is
 *
 *     yyyy-MM-dd 'T' HH:mm:ss [ .f{1,9} ] ( 'Z' | +HH:MM | -HH:MM )
 *
 * so seconds are required, the offset has no seconds, and 't' / 'z' are
 * refused. Fields are range-checked strictly (month 13, hour 25, February
 * 30, minute or second 60 are rejected). Two limits come from the Java
 * parser AWS runs (its causes name "the ISO-8601 extended offset date-time
 * format"): at most nine fractional digits (nanoseconds) and an offset of
 * at most 18 hours. A space instead of 'T', a missing zone or "+hhmm" are
 * rejected, as the recorded cases show.
 *
 * Owns nothing: pure functions over caller buffers. Called by the runtime
 * (Wait, Choice timestamp tests, history and $$ times) and by the compiler,
 * which parses literal timestamps at compile time.
 *
 * Layer: values
 */
#include <stdio.h>
#include <string.h>

#include "timestamp.h"

/* Reads exactly [n] decimal digits at *p; advances *p. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (era arithmetic, so
 * it holds for every year, before 1970 included). */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool rt_parse_timestamp(const char *s, long long *sec, long *nsec)
{
    if (!s)
        return false;
    const char *p = s;
    int year, mon, day, hour, min, secs = 0;
    long frac = 0;

    if (!digits(&p, 4, &year) || *p++ != '-' || !digits(&p, 2, &mon) || *p++ != '-' ||
        !digits(&p, 2, &day))
        return false;
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon))
        return false;
    if (*p != 'T')
        return false;
    p++;
    if (!digits(&p, 2, &hour) || *p++ != ':' || !digits(&p, 2, &min))
        return false;
    if (hour > 23 || min > 59)
        return false;
    /* RFC 3339's partial-time: seconds are required */
    if (*p++ != ':' || !digits(&p, 2, &secs) || secs > 59)
        return false;
    if (*p == '.') {
        p++;
        int n = 0;
        while (*p >= '0' && *p <= '9') {
            if (++n > 9)
                return false;
            frac = frac * 10 + (*p++ - '0');
        }
        if (n == 0)
            return false;
        for (; n < 9; n++)
            frac *= 10;
    }

    long offset = 0; /* seconds east of UTC */
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int oh, om;
        if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om))
            return false;
        if (om > 59)
            return false;
        offset = (long)oh * 3600 + om * 60;
        if (offset > 18 * 3600)
            return false;
        offset *= sign;
    } else {
        return false;
    }
    if (*p != '\0')
        return false;

    long long days = days_from_civil(year, mon, day);
    *sec = days * 86400 + hour * 3600LL + min * 60LL + secs - offset;
    *nsec = frac;
    return true;
}

void rt_format_timestamp(int64_t ns, char *buf, size_t len)
{
    /* Floor division, so instants before 1970 print their true fields. */
    int64_t secs = ns / 1000000000;
    int64_t rem = ns % 1000000000;
    if (rem < 0) {
        rem += 1000000000;
        secs--;
    }
    int64_t days = secs / 86400;
    int64_t sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    long long y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60), (int)(rem / 1000000));
}
