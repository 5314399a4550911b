/*
 * jsonata_builtins_data.c - the data half of JSONata's built-in function
 * table (see jsonata_builtins_impl.h for which functions live here) and
 * the number, aggregation and boolean functions, as jsonata-js 2.0.6
 * behaves, with Step Functions' $random([seed]). Arrays and objects are in
 * jsonata_builtins_array.c.
 *
 * Layer: values
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_builtins_data_impl.h"
#include "jsonata_builtins_impl.h"
#include "rt.h"

/* ---- $number ------------------------------------------------------------ */

static bool all_in(const char *s, size_t n, const char *set)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(set, s[i]))
            return false;
    return true;
}

/* jsonata-js's decimal test: -?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)? */
static bool decimal_form(const char *s, size_t n)
{
    size_t i = 0, d;
    if (i < n && s[i] == '-')
        i++;
    for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {}
    if (i == d)
        return false;
    if (i < n && s[i] == '.') {
        for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {}
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {}
        if (i == d)
            return false;
    }
    return i == n;
}

static bool prefixed(const char *s, size_t n, char lo, const char *digits)
{
    return n > 2 && s[0] == '0' && (s[1] == lo || s[1] == lo - 32) && all_in(s + 2, n - 2, digits);
}

/* jsonata-js's radix test, /^(0[xX]hex+)|(0[oO]oct+)|(0[bB]bin+)$/: the
 * alternation binds loosely, so a hex prefix, an octal run anywhere or a
 * binary suffix passes; JavaScript's Number() then reads the whole string
 * (trimmed) and anything but a complete radix literal is NaN. */
static bool radix_form(const char *s, size_t n)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && strchr("0123456789abcdefABCDEF", s[2]) && s[2])
        return true;
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] == '0' && (s[i + 1] == 'o' || s[i + 1] == 'O') && s[i + 2] >= '0' && s[i + 2] <= '7')
            return true;
    }
    size_t j = n;
    while (j > 0 && (s[j - 1] == '0' || s[j - 1] == '1'))
        j--;
    return j < n && j >= 2 && s[j - 2] == '0' && (s[j - 1] == 'b' || s[j - 1] == 'B');
}

static double radix_value(const char *s, size_t n)
{
    while (n && strchr(" \t\n\r\v\f", s[0]))
        s++, n--;
    while (n && strchr(" \t\n\r\v\f", s[n - 1]))
        n--;
    int base = 0;
    if (prefixed(s, n, 'x', "0123456789abcdefABCDEF"))
        base = 16;
    else if (prefixed(s, n, 'o', "01234567"))
        base = 8;
    else if (prefixed(s, n, 'b', "01"))
        base = 2;
    if (!base)
        return NAN;
    double v = 0;
    for (size_t i = 2; i < n; i++) {
        int c = s[i], d = c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
        v = v * base + d;
    }
    return v;
}

static jn_val *fn_number(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    jn_val *v = a[0];
    if (!v)
        return NULL;
    if (v->type == JN_NUMBER)
        return v;
    if (v->type == JN_BOOL)
        return jn_num(cx, v->u.b ? 1 : 0);
    if (v->type == JN_STRING) {
        const char *s = v->u.str.s;
        size_t len = v->u.str.len;
        if (decimal_form(s, len)) {
            char *z = jn_strndup(cx, s, len);
            double d = strtod(z, NULL);
            if (isfinite(d))
                return jn_num(cx, d);
        } else if (radix_form(s, len)) {
            return jn_num(cx, radix_value(s, len));
        }
    }
    return jn_throw(cx, "D3030", NULL, v);
}

/* ---- arithmetic ----------------------------------------------------------- */


static jn_val *fn_abs(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return a[0] ? jn_num(cx, fabs(a[0]->u.num)) : NULL;
}

static jn_val *fn_floor(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return a[0] ? jn_num(cx, floor(a[0]->u.num)) : NULL;
}

static jn_val *fn_ceil(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return a[0] ? jn_num(cx, ceil(a[0]->u.num)) : NULL;
}

/* [d] scaled by 10^[shift] the way jsonata-js does it: through the
 * number's text, moving its exponent, so 1.005 stays 1.005 (not
 * 1.00499...) before rounding. */
static double shift_decimal(double d, double shift)
{
    char buf[32], shb[32], text[80];
    jn_num_tostr(d, buf);
    char *e = strchr(buf, 'e');
    double exp = shift;
    if (e) {
        exp += strtod(e + 1, NULL);
        *e = 0;
    }
    jn_num_tostr(exp, shb);
    snprintf(text, sizeof text, "%se%s", buf, shb);
    char *end;
    double r = strtod(text, &end);
    return *end ? NAN : r; /* a fractional precision: JavaScript's NaN */
}

/* Half to even at [precision] decimal places (negative: tens, hundreds). */
static jn_val *fn_round(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    double x = a[0]->u.num;
    double p = n > 1 && a[1] ? a[1]->u.num : 0;
    if (p != 0)
        x = shift_decimal(x, p);
    double r = floor(x); /* JavaScript's Math.round: halves go up */
    if (x - r >= 0.5)
        r += 1;
    if (fabs(r - x) == 0.5 && fabs(fmod(r, 2)) == 1)
        r -= 1;
    if (p != 0)
        r = shift_decimal(r, -p);
    return jn_num(cx, r == 0 ? 0 : r);
}

static jn_val *fn_power(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    if (!a[1]) { /* pow(x, undefined) is NaN in jsonata-js */
        char b[32];
        jn_num_tostr(a[0]->u.num, b);
        return jn_throwf(cx, "D3061",
                         "The power function has resulted in a value that cannot be represented as a "
                         "JSON number: base=%s, exponent=undefined",
                         b);
    }
    double r = pow(a[0]->u.num, a[1]->u.num);
    if (!isfinite(r)) {
        char b[32], e[32];
        jn_num_tostr(a[0]->u.num, b);
        jn_num_tostr(a[1]->u.num, e);
        return jn_throwf(cx, "D3061",
                         "The power function has resulted in a value that cannot be represented as a "
                         "JSON number: base=%s, exponent=%s",
                         b, e);
    }
    return jn_num(cx, r);
}

static jn_val *fn_sqrt(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    if (a[0]->u.num < 0)
        return jn_throw(cx, "D3060", NULL, a[0]);
    return jn_num(cx, sqrt(a[0]->u.num));
}

/* ---- aggregation (arguments are arrays of numbers by the signature) ------ */

static jn_val *fn_sum(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    double s = 0;
    for (size_t i = 0; i < a[0]->u.arr.n; i++)
        s += a[0]->u.arr.items[i]->u.num;
    return jn_num(cx, s);
}

static jn_val *extreme(jn_ctx *cx, jn_val *arr, bool want_max)
{
    if (!arr || arr->u.arr.n == 0)
        return NULL;
    double m = arr->u.arr.items[0]->u.num;
    for (size_t i = 1; i < arr->u.arr.n; i++) {
        double d = arr->u.arr.items[i]->u.num;
        if (want_max ? d > m : d < m)
            m = d;
    }
    return jn_num(cx, m);
}

static jn_val *fn_max(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return extreme(cx, a[0], true);
}

static jn_val *fn_min(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return extreme(cx, a[0], false);
}

static jn_val *fn_average(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0] || a[0]->u.arr.n == 0)
        return NULL;
    jn_val *s = fn_sum(cx, a, n);
    return jn_num(cx, s->u.num / (double)a[0]->u.arr.n);
}

static jn_val *fn_count(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return jn_num(cx, a[0] ? (double)a[0]->u.arr.n : 0);
}

/* ---- booleans --------------------------------------------------------------- */

static jn_val *fn_boolean(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return a[0] ? jn_bool(jn_truthy(cx, a[0])) : NULL;
}

static jn_val *fn_not(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return a[0] ? jn_bool(!jn_truthy(cx, a[0])) : NULL;
}

static jn_val *fn_exists(jn_ctx *cx, jn_val **a, int n)
{
    (void)cx;
    (void)n;
    return jn_bool(a[0] != NULL);
}

/* ---- $type, $error, $assert ------------------------------------------------ */

static jn_val *fn_type(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    static const char *const names[] = {
        [JN_NULL] = "null",   [JN_BOOL] = "boolean", [JN_NUMBER] = "number",     [JN_STRING] = "string",
        [JN_ARRAY] = "array", [JN_OBJECT] = "object", [JN_FUNCTION] = "function",
    };
    if (!a[0])
        return NULL;
    const char *t = names[a[0]->type];
    return jn_str(cx, t, strlen(t));
}

static jn_val *fn_error(jn_ctx *cx, jn_val **a, int n)
{
    if (n > 0 && a[0])
        return jn_throwf(cx, "D3137", "%.*s", (int)a[0]->u.str.len, a[0]->u.str.s);
    return jn_throwf(cx, "D3137", "$error() function evaluated");
}

static jn_val *fn_assert(jn_ctx *cx, jn_val **a, int n)
{
    if (a[0] && a[0]->u.b)
        return NULL;
    if (n > 1 && a[1])
        return jn_throwf(cx, "D3141", "%.*s", (int)a[1]->u.str.len, a[1]->u.str.s);
    return jn_throwf(cx, "D3141", "$assert() statement failed");
}

/* ---- $random([seed]) --------------------------------------------------------- */

bool jn_random_unit(double *out)
{
    uint64_t v;
    if (!rt_random_bytes(&v, sizeof v))
        return false;
    *out = (double)(v >> 11) * 0x1.0p-53;
    return true;
}

/* Step Functions' $random takes a seed: the same seed gives the same
 * number. The draw is java.util.Random's nextDouble, as States.MathRandom's
 * seeded form is computed here (AWS's seeded values are not recorded). */
static jn_val *fn_random(jn_ctx *cx, jn_val **a, int n)
{
    if (n > 0 && a[0]) {
        double d = a[0]->u.num;
        int64_t seed = isnan(d) ? 0 : d >= 9223372036854775807.0 ? INT64_MAX
                                  : d <= -9223372036854775808.0 ? INT64_MIN : (int64_t)d;
        const uint64_t mask = (1ULL << 48) - 1, mul = 0x5DEECE66DULL;
        uint64_t s = ((uint64_t)seed ^ mul) & mask;
        s = (s * mul + 0xBULL) & mask;
        uint64_t hi = s >> (48 - 26);
        s = (s * mul + 0xBULL) & mask;
        uint64_t lo = s >> (48 - 27);
        return jn_num(cx, (double)((hi << 27) + lo) * 0x1.0p-53);
    }
    double r;
    if (!jn_random_unit(&r))
        return jn_throwf(cx, "D3137", "$random(): no random source is available");
    return jn_num(cx, r);
}

/* Sorted by name (strcmp order): jn_builtin_find searches it by bisection. */
const jn_builtin jn_builtins_data[] = {
    {"abs", "<n-:n>", fn_abs},
    {"append", "<xx:a>", jn_fn_append},
    {"assert", "<bs?:x>", fn_assert},
    {"average", "<a<n>:n>", fn_average},
    {"boolean", "<x-:b>", fn_boolean},
    {"ceil", "<n-:n>", fn_ceil},
    {"count", "<a:n>", fn_count},
    {"distinct", "<x:x>", jn_fn_distinct},
    {"each", "<o-f:a>", jn_fn_each},
    {"error", "<s?:x>", fn_error},
    {"exists", "<x:b>", fn_exists},
    {"filter", "<af>", jn_fn_filter},
    {"floor", "<n-:n>", fn_floor},
    {"keys", "<x-:a<s>>", jn_fn_keys},
    {"lookup", "<x-s:x>", jn_fn_lookup},
    {"map", "<af>", jn_fn_map},
    {"max", "<a<n>:n>", fn_max},
    {"merge", "<a<o>:o>", jn_fn_merge},
    {"min", "<a<n>:n>", fn_min},
    {"not", "<x-:b>", fn_not},
    {"number", "<(nsb)-:n>", fn_number},
    {"partition", "<an:a>", jn_fn_partition},
    {"power", "<n-n:n>", fn_power},
    {"random", "<n?:n>", fn_random},
    {"range", "<nnn?:a<n>>", jn_fn_range},
    {"reduce", "<afj?:j>", jn_fn_reduce},
    {"reverse", "<a:a>", jn_fn_reverse},
    {"round", "<n-n?:n>", fn_round},
    {"shuffle", "<a:a>", jn_fn_shuffle},
    {"sift", "<o-f?:o>", jn_fn_sift},
    {"single", "<af?>", jn_fn_single},
    {"sort", "<af?:a>", jn_fn_sort},
    {"spread", "<x-:a<o>>", jn_fn_spread},
    {"sqrt", "<n-:n>", fn_sqrt},
    {"sum", "<a<n>:n>", fn_sum},
    {"type", "<x:s>", fn_type},
    {"zip", "<a+>", jn_fn_zip},
};
const size_t jn_builtins_data_count = sizeof jn_builtins_data / sizeof jn_builtins_data[0];
