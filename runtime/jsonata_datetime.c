/*
 * jsonata_datetime.c - $fromMillis and $toMillis (runtime layer: values).
 *
 * Layer: values
 *
 * XPath F&O fn:format-dateTime pictures ("[Y0001]-[M01]-[D01]",
 * "[FNn], [D1o] [MNn]", "[h]:[m] [P]", "[Z01:01t]", ...) as jsonata-js
 * 2.0.6's datetime.js reads, formats and parses them, with its calendar
 * arithmetic (JavaScript Date in UTC, including Date.UTC's rule that years
 * 0-99 mean 1900-1999) and its quirks (a "-0530" timezone is floored to
 * -6 hours and -30 minutes). Parsing builds, like jsonata-js, one pattern
 * per picture part and matches the whole text case-insensitively with
 * JavaScript's backtracking order; the small matcher here implements just
 * those patterns (digit runs, letter runs, the word alternation, time
 * zones, literals), remembering failed states so that no text makes it
 * slow. Then jsonata-js's rules fill in the missing components: those
 * above the most significant given one from "now", those below it from
 * zero, a gap is D3136.
 *
 * The ISO 8601 default of $toMillis follows jsonata-js too: its regular
 * expression decides what is accepted (else D3110), then the date is read
 * as V8's Date.parse reads the ES date-time forms. A date-time without a
 * zone is taken as UTC (V8 would use the host's zone; Step Functions runs
 * in UTC).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_format.h"
#include "jsonata_format_impl.h"

#define MS_PER_DAY 86400000.0

/* ==== Calendar ============================================================ */
/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static double time_clip(double t)
{
    if (!isfinite(t) || fabs(t) > 8.64e15)
        return NAN;
    return trunc(t) + 0.0;
}

/* ECMAScript MakeDay / MakeTime / MakeDate as Date.UTC uses them. */
static double make_day(double year, double month, double date)
{
    if (!isfinite(year) || !isfinite(month) || !isfinite(date))
        return NAN;
    double y = trunc(year), m = trunc(month), dt = trunc(date);
    double ym = y + floor(m / 12);
    double mn = m - floor(m / 12) * 12;
    if (fabs(ym) > 400000)
        return NAN;   /* far outside the time value range */
    return (double)days_from_civil((int64_t)ym, (int64_t)mn + 1, 1) + dt - 1;
}

/* Date.UTC(y, m, d, h, mi, s, ms). */
double jn_dt_utc(double y, double m, double d, double h, double mi, double s, double ms)
{
    if (!isnan(y)) {
        double yi = trunc(y);
        if (yi >= 0 && yi <= 99)
            y = 1900 + yi;
    }
    return jn_dt_make(y, m, d, h, mi, s, ms);
}

double jn_dt_make(double y, double m, double d, double h, double mi, double s, double ms)
{
    double day = make_day(y, m, d);
    if (!isfinite(h) || !isfinite(mi) || !isfinite(s) || !isfinite(ms))
        return NAN;
    double time = trunc(h) * 3600000.0 + trunc(mi) * 60000.0 + trunc(s) * 1000.0 + trunc(ms);
    return time_clip(day * MS_PER_DAY + time);
}

jn_jdate jn_dt_of(double t)
{
    jn_jdate d;
    d.t = time_clip(t);
    if (isnan(d.t)) {
        d.year = d.month = d.date = d.hours = d.minutes = d.seconds = d.millis = d.wday = NAN;
        return d;
    }
    double days = floor(d.t / MS_PER_DAY);
    double ms = d.t - days * MS_PER_DAY;
    int64_t y;
    int m, dd;
    civil_from_days((int64_t)days, &y, &m, &dd);
    d.year = (double)y;
    d.month = m - 1;
    d.date = dd;
    d.hours = floor(ms / 3600000.0);
    d.minutes = fmod(floor(ms / 60000.0), 60);
    d.seconds = fmod(floor(ms / 1000.0), 60);
    d.millis = fmod(ms, 1000);
    double wd = fmod(days + 4, 7);
    d.wday = wd < 0 ? wd + 7 : wd;
    return d;
}

/* startOfFirstWeek: ISO weeks start on Monday, and week 1 of a year (or,
 * in F&O's extension, of a month) is the one holding its first Thursday. */
static double start_of_first_week(double year, double month)
{
    double jan1 = jn_dt_utc(year, month, 1, 0, 0, 0, 0);
    double day = jn_dt_of(jan1).wday;
    if (day == 0)
        day = 7;
    return day > 4 ? jan1 + (8 - day) * MS_PER_DAY : jan1 - (day - 1) * MS_PER_DAY;
}

static double delta_weeks(double start, double end)
{
    return (end - start) / (MS_PER_DAY * 7) + 1;
}

/* getDateTimeFragment. [is_pm] receives the P component (a string in
 * jsonata-js; *v is left NaN for it). Returns false for components that
 * have no value (jsonata-js's undefined). */
bool jn_dt_fragment(const jn_jdate *dt, uint32_t comp, double *v, bool *is_pm)
{
    *v = NAN;
    switch (comp) {
    case 'Y': *v = dt->year; return true;
    case 'M': *v = dt->month + 1; return true;
    case 'D': *v = dt->date; return true;
    case 'd': {
        double today = jn_dt_utc(dt->year, dt->month, dt->date, 0, 0, 0, 0);
        double jan1 = jn_dt_utc(dt->year, 0, 1, 0, 0, 0, 0);
        *v = (today - jan1) / MS_PER_DAY + 1;
        return true;
    }
    case 'F': *v = dt->wday == 0 ? 7 : dt->wday; return true;
    case 'W': {
        double w1 = start_of_first_week(dt->year, 0);
        double today = jn_dt_utc(dt->year, dt->month, dt->date, 0, 0, 0, 0);
        double week = delta_weeks(w1, today);
        if (week > 52) {
            if (today >= start_of_first_week(dt->year + 1, 0))
                week = 1;
        } else if (week < 1) {
            week = delta_weeks(start_of_first_week(dt->year - 1, 0), today);
        }
        *v = floor(week);
        return true;
    }
    case 'w': {
        double w1 = start_of_first_week(dt->year, dt->month);
        double today = jn_dt_utc(dt->year, dt->month, dt->date, 0, 0, 0, 0);
        double week = delta_weeks(w1, today);
        if (week > 4) {
            double ny = dt->month == 11 ? dt->year + 1 : dt->year;
            double nm = dt->month == 11 ? 0 : dt->month + 1;
            if (today >= start_of_first_week(ny, nm))
                week = 1;
        } else if (week < 1) {
            double py = dt->month == 0 ? dt->year - 1 : dt->year;
            double pm = dt->month == 0 ? 11 : dt->month - 1;
            week = delta_weeks(start_of_first_week(py, pm), today);
        }
        *v = floor(week);
        return true;
    }
    case 'X': {
        double start = start_of_first_week(dt->year, 0);
        double end = start_of_first_week(dt->year + 1, 0);
        *v = dt->t < start ? dt->year - 1 : dt->t >= end ? dt->year + 1 : dt->year;
        return true;
    }
    case 'x': {
        double start = start_of_first_week(dt->year, dt->month);
        double ny = dt->month == 11 ? dt->year + 1 : dt->year;
        double nm = dt->month == 11 ? 0 : dt->month + 1;
        double end = start_of_first_week(ny, nm);
        double pm = dt->month == 0 ? 11 : dt->month - 1;
        *v = dt->t < start ? pm + 1 : dt->t >= end ? nm + 1 : dt->month + 1;
        return true;
    }
    case 'H': *v = dt->hours; return true;
    case 'h': {
        double h = fmod(dt->hours, 12);
        *v = h == 0 ? 12 : h;
        return true;
    }
    case 'P': *is_pm = dt->hours >= 12; return true;
    case 'm': *v = dt->minutes; return true;
    case 's': *v = dt->seconds; return true;
    case 'f': *v = dt->millis; return true;
    default: return false;
    }
}

/* ==== Picture analysis ==================================================== */
static jn_dpart *new_part(jn_fmt_cx *cx, jn_dpic *p)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        jn_dpart *np = jn_fmt_alloc(cx, cap * sizeof *np);
        if (!np)
            return NULL;
        if (p->n)
            memcpy(np, p->parts, p->n * sizeof *np);
        p->parts = np;
        p->cap = cap;
    }
    jn_dpart *d = &p->parts[p->n++];
    memset(d, 0, sizeof *d);
    return d;
}

static bool add_literal(jn_fmt_cx *cx, jn_dpic *p, const jn_ustr *pic, size_t start, size_t end)
{
    if (end <= start)
        return true;
    jn_dpart *d = new_part(cx, p);
    if (!d)
        return false;
    d->literal = true;
    for (size_t i = start; i < end; i++) {
        jn_us_push(cx, &d->text, pic->c[i]);
        if (pic->c[i] == ']' && i + 1 < end && pic->c[i + 1] == ']')
            i++;   /* "]]" is a literal "]" */
    }
    return true;
}

static const char *default_presentation(uint32_t comp)
{
    switch (comp) {
    case 'Y': case 'M': case 'D': case 'd': case 'W': case 'w': case 'X': case 'x':
    case 'H': case 'h': case 'f':
        return "1";
    case 'F': case 'P': case 'C': case 'E':
        return "n";
    case 'm': case 's':
        return "01";
    case 'Z': case 'z':
        return "01:01";
    default:
        return NULL;
    }
}

static bool is_integer_comp(uint32_t c)
{
    return c && strchr("YMDdFWwXxHhmsf", (int)c) != NULL;
}

static double width_value(const jn_ustr *w, bool *def)
{
    *def = !(w->n == 1 && w->c[0] == '*');
    return *def ? jn_fmt_parse_int(w->c, w->n) : NAN;
}

static int analyse_marker(jn_fmt_cx *cx, jn_dpic *p, const jn_ustr *raw, jn_error *err)
{
    /* White space inside a marker is ignored. */
    jn_ustr m = {0};
    for (size_t i = 0; i < raw->n; i++)
        if (!jn_fmt_is_space(raw->c[i]))
            jn_us_push(cx, &m, raw->c[i]);
    jn_dpart *d = new_part(cx, p);
    if (!d)
        return 0;
    d->comp = m.n ? m.c[0] : 0;
    d->n = -1;
    long comma = -1;
    for (size_t i = 0; i < m.n; i++)
        if (m.c[i] == ',')
            comma = (long)i;
    jn_ustr pres;
    if (comma != -1) {
        jn_ustr wm = jn_us_sub(cx, &m, (size_t)comma + 1, m.n);
        long dash = jn_us_index_cp(&wm, '-', 0);
        d->has_width = true;
        if (dash == -1) {
            d->wmin = width_value(&wm, &d->min_def);
        } else {
            jn_ustr lo = jn_us_sub(cx, &wm, 0, (size_t)dash);
            jn_ustr hi = jn_us_sub(cx, &wm, (size_t)dash + 1, wm.n);
            d->wmin = width_value(&lo, &d->min_def);
            d->wmax = width_value(&hi, &d->max_def);
        }
        /* substring(1, comma): a comma at 0 swaps the bounds. */
        pres = comma >= 1 ? jn_us_sub(cx, &m, 1, (size_t)comma) : jn_us_sub(cx, &m, 0, 1);
    } else {
        pres = jn_us_sub(cx, &m, 1, m.n);
    }
    bool pres1_def = true;
    if (pres.n == 1) {
        d->pres1 = pres;
    } else if (pres.n > 1) {
        uint32_t last = pres.c[pres.n - 1];
        if (last == 'a' || last == 't' || last == 'c' || last == 'o') {
            d->pres2 = last;
            d->pres1 = jn_us_sub(cx, &pres, 0, pres.n - 1);
        } else {
            d->pres1 = pres;
        }
    } else {
        const char *dp = default_presentation(d->comp);
        if (dp)
            jn_us_cat_ascii(cx, &d->pres1, dp);
        else
            pres1_def = false;
    }
    if (!pres1_def) {
        jn_ustr c = {0};
        if (d->comp)
            jn_us_push(cx, &c, d->comp);
        return jn_fmt_error_str(err, "D3132", &c);
    }
    if (d->pres1.n && d->pres1.c[0] == 'n') {
        d->names = JN_NAMES_LOWER;
    } else if (d->pres1.n && d->pres1.c[0] == 'N') {
        d->names = d->pres1.n > 1 && d->pres1.c[1] == 'n' ? JN_NAMES_TITLE : JN_NAMES_UPPER;
    } else if (is_integer_comp(d->comp)) {
        jn_ustr ip = {0};
        jn_us_cat_us(cx, &ip, &d->pres1);
        if (d->pres2) {
            jn_us_push(cx, &ip, ';');
            jn_us_push(cx, &ip, d->pres2);
        }
        if (jn_ipic_analyse(cx, &ip, &d->ifmt, err))
            return -1;
        d->has_ifmt = true;
        if (d->has_width && d->min_def && d->ifmt.mandatory < d->wmin)
            d->ifmt.mandatory = d->wmin;
        if (d->comp == 'Y' || d->comp == 'M' || d->comp == 'D') {
            /* The digit count: what $fromMillis keeps of a year, and what
             * $toMillis reads of Y, M and D. */
            if (d->has_width && d->max_def) {
                d->n = d->wmax;
                d->ifmt.mandatory = d->n;
            } else {
                double w = d->ifmt.mandatory + d->ifmt.optional;
                if (w >= 2)
                    d->n = w;
            }
        }
    }
    if (d->comp == 'Z' || d->comp == 'z') {
        if (jn_ipic_analyse(cx, &d->pres1, &d->ifmt, err))
            return -1;
        d->has_ifmt = true;
    }
    return 0;
}

int jn_dt_analyse(jn_fmt_cx *cx, const jn_ustr *pic, jn_dpic *out, jn_error *err)
{
    memset(out, 0, sizeof *out);
    size_t start = 0, pos = 0;
    while (pos < pic->n) {
        if (pic->c[pos] == '[') {
            if (pos + 1 < pic->n && pic->c[pos + 1] == '[') {
                add_literal(cx, out, pic, start, pos);
                jn_ustr br = {0};
                jn_us_push(cx, &br, '[');
                add_literal(cx, out, &br, 0, 1);
                pos += 2;
                start = pos;
                continue;
            }
            add_literal(cx, out, pic, start, pos);
            start = pos;
            long close = jn_us_index_cp(pic, ']', start);
            if (close == -1)
                return jn_fmt_error(err, "D3135", NULL);
            jn_ustr raw = jn_us_sub(cx, pic, start + 1, (size_t)close);
            if (analyse_marker(cx, out, &raw, err))
                return -1;
            pos = (size_t)close;
            start = pos + 1;
        }
        pos++;
    }
    add_literal(cx, out, pic, start, pos);
    return 0;
}

/* ==== Formatting ========================================================== */
const char *const jn_dt_month_names[] = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"};
const char *const jn_dt_day_names[] = {
    "", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

static void case_convert(jn_ustr *s, int names)
{
    for (size_t i = 0; i < s->n; i++) {
        uint32_t c = s->c[i];
        if (names == JN_NAMES_UPPER && c >= 'a' && c <= 'z')
            s->c[i] = c - 32;
        else if (names == JN_NAMES_LOWER && c >= 'A' && c <= 'Z')
            s->c[i] = c + 32;
    }
}

static int format_marker(jn_fmt_cx *cx, const jn_jdate *dt, const jn_dpart *p, double off_h, double off_m,
                         jn_ustr *out, jn_error *err)
{
    double v;
    bool pm = false;
    (void)jn_dt_fragment(dt, p->comp, &v, &pm);   /* v stays NaN without a value */
    uint32_t c = p->comp;
    if (c != 'f' && is_integer_comp(c)) {
        if (c == 'Y' && p->n != -1)
            v = fmod(v, pow(10, p->n));
        if (p->names) {
            const char *name = NULL;
            if (c == 'M' || c == 'x')
                name = v >= 1 && v <= 12 ? jn_dt_month_names[(int)v - 1] : NULL;
            else if (c == 'F')
                name = v >= 1 && v <= 7 ? jn_dt_day_names[(int)v] : NULL;
            else {
                jn_ustr comp = {0};
                jn_us_push(cx, &comp, c);
                return jn_fmt_error_str(err, "D3133", &comp);
            }
            jn_ustr s = {0};
            jn_us_cat_ascii(cx, &s, name ? name : "undefined");
            case_convert(&s, p->names);
            if (p->has_width && p->max_def && (double)s.n > p->wmax)
                s.n = p->wmax > 0 ? (size_t)p->wmax : 0;
            jn_us_cat_us(cx, out, &s);
            return 0;
        }
        return jn_ipic_format(cx, v, &p->ifmt, out, err);
    }
    if (c == 'f') {
        if (!p->has_ifmt) {   /* [fN]: a TypeError in jsonata-js */
            jn_ustr comp = {0};
            jn_us_push(cx, &comp, c);
            return jn_fmt_error_str(err, "D3133", &comp);
        }
        return jn_ipic_format(cx, v, &p->ifmt, out, err);
    }
    if (c == 'Z' || c == 'z') {
        double offset = off_h * 100 + off_m;
        jn_ustr s = {0};
        if (p->ifmt.regular) {
            if (jn_ipic_format(cx, offset, &p->ifmt, &s, err))
                return -1;
        } else {
            double digits = p->ifmt.mandatory;
            if (digits == 1 || digits == 2) {
                if (jn_ipic_format(cx, off_h, &p->ifmt, &s, err))
                    return -1;
                if (off_m != 0) {
                    /* formatInteger(minutes, '00'), sign and all */
                    jn_ipic two;
                    jn_ustr pic00 = {0};
                    jn_us_cat_ascii(cx, &pic00, "00");
                    jn_ipic_analyse(cx, &pic00, &two, err);
                    jn_us_push(cx, &s, ':');
                    if (jn_ipic_format(cx, floor(off_m), &two, &s, err))
                        return -1;
                }
            } else if (digits == 3 || digits == 4) {
                if (jn_ipic_format(cx, offset, &p->ifmt, &s, err))
                    return -1;
            } else {
                return jn_fmt_error_num(err, "D3134", digits);
            }
        }
        jn_ustr r = {0};
        if (c == 'z')
            jn_us_cat_ascii(cx, &r, "GMT");
        if (offset >= 0)
            jn_us_push(cx, &r, '+');
        jn_us_cat_us(cx, &r, &s);
        if (offset == 0 && p->pres2 == 't') {
            r.n = 0;
            jn_us_push(cx, &r, 'Z');
        }
        jn_us_cat_us(cx, out, &r);
        return 0;
    }
    if (c == 'P') {
        jn_us_cat_ascii(cx, out, p->names == JN_NAMES_UPPER ? (pm ? "PM" : "AM") : (pm ? "pm" : "am"));
        return 0;
    }
    if (c == 'C' || c == 'E') {
        jn_us_cat_ascii(cx, out, "ISO");
        return 0;
    }
    /* Any other component has no value: jsonata-js appends "undefined". */
    jn_us_cat_ascii(cx, out, "undefined");
    return 0;
}

static const char iso_picture[] = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

int jn_format_datetime(double ms, const char *picture, size_t plen, const char *tz, size_t tzlen,
                       char **out, jn_error *err)
{
    *out = NULL;
    jn_fmt_cx cx = {0};
    double off_h = 0, off_m = 0;
    int rc = 0;
    if (tz) {
        /* parseInt("+hhmm"), then hours and minutes as jsonata-js splits
         * them: Math.floor(offset / 100) and offset % 100. */
        jn_ustr t = jn_us_from_utf8(&cx, tz, tzlen);
        double offset = jn_fmt_parse_int(t.c, t.n);
        if (!isfinite(offset)) {
            rc = jn_fmt_error_str(err, "D1001", &t);
            goto done;
        }
        off_h = floor(offset / 100);
        off_m = fmod(offset, 100);
    }
    jn_ustr pic = picture ? jn_us_from_utf8(&cx, picture, plen)
                          : jn_us_from_utf8(&cx, iso_picture, sizeof iso_picture - 1);
    jn_dpic spec;
    if ((rc = jn_dt_analyse(&cx, &pic, &spec, err)))
        goto done;
    jn_jdate dt = jn_dt_of(ms + (60 * off_h + off_m) * 60000.0);
    if (isnan(dt.t)) {
        rc = jn_fmt_error_num(err, "D1001", ms);
        goto done;
    }
    jn_ustr res = {0};
    for (size_t i = 0; i < spec.n && rc == 0; i++) {
        const jn_dpart *p = &spec.parts[i];
        if (p->literal)
            jn_us_cat_us(&cx, &res, &p->text);
        else
            rc = format_marker(&cx, &dt, p, off_h, off_m, &res, err);
    }
    if (rc == 0 && !cx.oom) {
        *out = jn_us_to_utf8(&res);
        if (!*out)
            cx.oom = true;
    }
    if (rc == 0 && cx.oom)
        rc = jn_fmt_error_num(err, "D1001", ms);
done:
    jn_fmt_cx_free(&cx);
    return rc;
}
