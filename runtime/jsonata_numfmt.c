/*
 * jsonata_numfmt.c - $formatNumber and $formatBase (runtime layer: values).
 *
 * Layer: values
 *
 * $formatNumber is XPath F&O fn:format-number the way jsonata-js 2.0.6
 * implements it, including its quirks, because results must match it
 * character for character: the picture is split into prefix, active part
 * and suffix; the checks of F&O 4.7.3 raise D3080-D3093 (the last failing
 * check of a sub-picture wins, as in jsonata-js); the number is rounded
 * half to even through its decimal string, printed with toFixed, then the
 * digits, separators and padding are laid out step by step on the string.
 * Where jsonata-js 2.0.6 loops forever (a zero or negative mantissa with
 * an exponent picture) this file gives the answer later versions give;
 * where it hits a JavaScript exception (no active character at all, more
 * than 100 fraction digits) this file reports an error (D3086, D1001).
 *
 * $formatBase is Number#toString(radix) after jsonata's rounding.
 * Called by the built-ins (jsonata_builtins*.c) through jsonata_format.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_format.h"
#include "jsonata_format_impl.h"

/* ==== $formatNumber ====================================================== */
typedef struct props {
    jn_ustr decimal, grouping, exponent, minus, percent, per_mille, zero, digit, pattern;
    uint32_t family[10];   /* the decimal digit family: zero-digit + 0..9 */
    int nfamily;           /* 0 when zero-digit is empty */
} props;

typedef struct subpic {
    jn_ustr prefix, suffix, active, mantissa, exponent, integer, fraction, picture;
    bool has_exponent;
} subpic;

typedef struct analysis {
    double *int_groups;    /* integer-part grouping positions */
    size_t n_int_groups;
    double regular;        /* regular grouping interval, 0 when irregular */
    double *frac_groups;
    size_t n_frac_groups;
    int min_int, scaling, min_frac, max_frac, min_exp;
    jn_ustr prefix, suffix, picture;
} analysis;

static void set_prop(jn_fmt_cx *cx, jn_ustr *p, const char *given, const char *dflt)
{
    const char *v = given ? given : dflt;
    *p = jn_us_from_utf8(cx, v, strlen(v));
}

static bool in_family(const props *pr, uint32_t c)
{
    for (int i = 0; i < pr->nfamily; i++)
        if (pr->family[i] == c)
            return true;
    return false;
}

static bool is_one(const jn_ustr *prop, uint32_t c)
{
    return prop->n == 1 && prop->c[0] == c;
}

/* jsonata-js's activeChars.indexOf(ch) !== -1: the family and the five
 * one-character properties. */
static bool is_active(const props *pr, uint32_t c)
{
    return in_family(pr, c) || is_one(&pr->decimal, c) || is_one(&pr->exponent, c) ||
           is_one(&pr->grouping, c) || is_one(&pr->digit, c) || is_one(&pr->pattern, c);
}

static size_t count_family(const props *pr, const jn_ustr *s, size_t from, size_t to, bool or_digit)
{
    size_t k = 0;
    for (size_t i = from; i < to && i < s->n; i++)
        if (in_family(pr, s->c[i]) || (or_digit && is_one(&pr->digit, s->c[i])))
            k++;
    return k;
}

/* String#split with a string separator (an empty one splits every char). */
static size_t split_picture(jn_fmt_cx *cx, const jn_ustr *pic, const jn_ustr *sep, jn_ustr *parts,
                            size_t max)
{
    size_t n = 0;
    if (sep->n == 0) {
        for (size_t i = 0; i < pic->n && n < max; i++)
            parts[n++] = jn_us_sub(cx, pic, i, i + 1);
        return pic->n;
    }
    size_t start = 0, count = 0;
    for (;;) {
        long at = jn_us_index(pic, sep, start);
        size_t end = at < 0 ? pic->n : (size_t)at;
        if (n < max)
            parts[n++] = jn_us_sub(cx, pic, start, end);
        count++;
        if (at < 0)
            break;
        start = (size_t)at + sep->n;
    }
    return count;
}

/* JavaScript's substring(a, b) on [s]: clamped, arguments swapped when
 * reversed. */
static jn_ustr js_substring(jn_fmt_cx *cx, const jn_ustr *s, long a, long b)
{
    long n = (long)s->n;
    a = a < 0 ? 0 : a > n ? n : a;
    b = b < 0 ? 0 : b > n ? n : b;
    if (a > b) {
        long t = a;
        a = b;
        b = t;
    }
    return jn_us_sub(cx, s, (size_t)a, (size_t)b);
}

static int split_parts(jn_fmt_cx *cx, const props *pr, const jn_ustr *sub, subpic *sp, jn_error *err)
{
    long first = -1, last = -1;
    for (size_t i = 0; i < sub->n; i++) {
        uint32_t c = sub->c[i];
        if (is_active(pr, c) && !is_one(&pr->exponent, c)) {
            if (first < 0)
                first = (long)i;
            last = (long)i;
        }
    }
    /* No active character at all: jsonata-js 2.0.6 fails with a TypeError
     * here; later versions report D3086, and so does this. */
    if (first < 0)
        return jn_fmt_error(err, "D3086", NULL);
    sp->picture = *sub;
    sp->prefix = jn_us_sub(cx, sub, 0, (size_t)first);
    sp->suffix = jn_us_sub(cx, sub, (size_t)last + 1, sub->n);
    sp->active = jn_us_sub(cx, sub, sp->prefix.n, sub->n - sp->suffix.n);
    long epos = jn_us_index(sub, &pr->exponent, sp->prefix.n);
    if (epos == -1 || epos > (long)(sub->n - sp->suffix.n)) {
        sp->mantissa = sp->active;
        sp->has_exponent = false;
    } else {
        /* jsonata-js cuts the active part at the exponent's index in the
         * whole sub-picture: the same only when there is no prefix. */
        sp->mantissa = js_substring(cx, &sp->active, 0, epos);
        sp->exponent = js_substring(cx, &sp->active, epos + 1, (long)sp->active.n);
        sp->has_exponent = true;
    }
    long dpos = jn_us_index(&sp->mantissa, &pr->decimal, 0);
    if (dpos == -1) {
        sp->integer = sp->mantissa;
        sp->fraction = sp->suffix;   /* sic: jsonata-js takes the suffix */
    } else {
        sp->integer = js_substring(cx, &sp->mantissa, 0, dpos);
        sp->fraction = js_substring(cx, &sp->mantissa, dpos + 1, (long)sp->mantissa.n);
    }
    return 0;
}

/* F&O 4.7.3; like jsonata-js, every check runs and the last failure is
 * the one reported. */
static int validate(jn_fmt_cx *cx, const props *pr, const subpic *sp, jn_error *err)
{
    const char *code = NULL;
    const jn_ustr *sub = &sp->picture;
    long dpos = jn_us_index(sub, &pr->decimal, 0);
    if (dpos != jn_us_last_index(sub, &pr->decimal))
        code = "D3081";
    if (jn_us_index(sub, &pr->percent, 0) != jn_us_last_index(sub, &pr->percent))
        code = "D3082";
    if (jn_us_index(sub, &pr->per_mille, 0) != jn_us_last_index(sub, &pr->per_mille))
        code = "D3083";
    bool has_pct = jn_us_index(sub, &pr->percent, 0) != -1;
    bool has_pm = jn_us_index(sub, &pr->per_mille, 0) != -1;
    if (has_pct && has_pm)
        code = "D3084";
    if (count_family(pr, &sp->mantissa, 0, sp->mantissa.n, true) == 0)
        code = "D3085";
    for (size_t i = 0; i < sp->active.n; i++)
        if (!is_active(pr, sp->active.c[i]))
            code = "D3086";
    if (dpos != -1) {
        if (jn_us_char_is(sub, dpos - 1, &pr->grouping) || jn_us_char_is(sub, dpos + 1, &pr->grouping))
            code = "D3087";
    } else if (jn_us_char_is(&sp->integer, (long)sp->integer.n - 1, &pr->grouping)) {
        code = "D3088";
    }
    jn_ustr twice = {0};
    jn_us_cat_us(cx, &twice, &pr->grouping);
    jn_us_cat_us(cx, &twice, &pr->grouping);
    if (jn_us_index(sub, &twice, 0) != -1)
        code = "D3089";
    long opt = jn_us_index(&sp->integer, &pr->digit, 0);
    if (opt != -1 && count_family(pr, &sp->integer, 0, (size_t)opt, false) > 0)
        code = "D3090";
    opt = jn_us_last_index(&sp->fraction, &pr->digit);
    if (opt != -1 && count_family(pr, &sp->fraction, (size_t)opt, sp->fraction.n, false) > 0)
        code = "D3091";
    if (sp->has_exponent && sp->exponent.n > 0 && (has_pct || has_pm))
        code = "D3092";
    if (sp->has_exponent &&
        (sp->exponent.n == 0 || count_family(pr, &sp->exponent, 0, sp->exponent.n, false) != sp->exponent.n))
        code = "D3093";
    return code ? jn_fmt_error(err, code, NULL) : 0;
}

/* Grouping positions: for the integer part, digits to the right of each
 * separator; for the fraction, digits to its left. jsonata-js looks for
 * each next separator in the integer part even while scanning the
 * fraction, and this does the same. */
static double *grouping_positions(jn_fmt_cx *cx, const props *pr, const jn_ustr *part,
                                  const jn_ustr *integer, bool to_left, size_t *n)
{
    *n = 0;
    if (pr->grouping.n == 0)
        return NULL;   /* jsonata-js would loop forever */
    double *pos = jn_fmt_alloc(cx, (part->n + 1) * sizeof *pos);
    if (!pos)
        return NULL;
    long g = jn_us_index(part, &pr->grouping, 0);
    while (g != -1 && *n <= part->n) {
        size_t k = to_left ? count_family(pr, part, 0, (size_t)g, true)
                           : count_family(pr, part, (size_t)g, part->n, true);
        pos[(*n)++] = (double)k;
        g = jn_us_index(integer, &pr->grouping, (size_t)g + 1);
        if (g >= 0 && (size_t)g >= integer->n)
            g = -1;
    }
    return pos;
}

static double gcd(double a, double b)
{
    while (b != 0) {
        double t = fmod(a, b);
        a = b;
        b = t;
    }
    return a;
}

static double regular_interval(const double *idx, size_t n)
{
    if (n == 0)
        return 0;
    double f = idx[0];
    for (size_t i = 1; i < n; i++)
        f = gcd(f, idx[i]);
    for (size_t i = 1; i <= n; i++) {
        bool found = false;
        for (size_t j = 0; j < n; j++)
            if (idx[j] == (double)i * f)
                found = true;
        if (!found)
            return 0;
    }
    return f;
}

static void analyse(jn_fmt_cx *cx, const props *pr, const subpic *sp, analysis *a)
{
    a->int_groups = grouping_positions(cx, pr, &sp->integer, &sp->integer, false, &a->n_int_groups);
    a->regular = regular_interval(a->int_groups, a->n_int_groups);
    a->frac_groups = grouping_positions(cx, pr, &sp->fraction, &sp->integer, true, &a->n_frac_groups);
    a->min_int = (int)count_family(pr, &sp->integer, 0, sp->integer.n, false);
    a->scaling = a->min_int;
    a->min_frac = (int)count_family(pr, &sp->fraction, 0, sp->fraction.n, false);
    a->max_frac = (int)count_family(pr, &sp->fraction, 0, sp->fraction.n, true);
    if (a->min_int == 0 && a->max_frac == 0) {
        if (sp->has_exponent)
            a->min_frac = a->max_frac = 1;
        else
            a->min_int = 1;
    }
    if (sp->has_exponent && a->min_int == 0 && jn_us_index(&sp->integer, &pr->digit, 0) != -1)
        a->min_int = 1;
    if (a->min_int == 0 && a->min_frac == 0)
        a->min_frac = 1;
    a->min_exp = sp->has_exponent ? (int)count_family(pr, &sp->exponent, 0, sp->exponent.n, false) : 0;
    a->prefix = sp->prefix;
    a->suffix = sp->suffix;
    a->picture = sp->picture;
}

/* makeString: |value|.toFixed(dp) in the digit family. */
static int make_string(jn_fmt_cx *cx, const props *pr, double value, int dp, jn_ustr *out, jn_error *err)
{
    if (dp > 100)   /* toFixed's RangeError */
        return jn_fmt_error_num(err, "D1001", value);
    jn_ustr s = {0};
    jn_fmt_to_fixed(cx, &s, fabs(value), dp);
    if (!jn_us_eq_ascii(&pr->zero, "0"))
        for (size_t i = 0; i < s.n; i++)
            if (s.c[i] >= '0' && s.c[i] <= '9')
                s.c[i] = pr->nfamily ? pr->family[s.c[i] - '0'] : 0;
    /* An empty zero-digit maps digits to nothing, as joining undefined does. */
    jn_ustr t = {0};
    for (size_t i = 0; i < s.n; i++)
        if (s.c[i])
            jn_us_push(cx, &t, s.c[i]);
    *out = t;
    return 0;
}

static void insert_at(jn_fmt_cx *cx, jn_ustr *s, long at, const jn_ustr *what)
{
    /* [s.slice(0, at), what, s.slice(at)].join(''), slice's negative index
     * counting from the end. */
    long n = (long)s->n;
    if (at < 0)
        at = at + n < 0 ? 0 : at + n;
    if (at > n)
        at = n;
    jn_us_insert(cx, s, (size_t)at, what);
}

static void repeat(jn_fmt_cx *cx, jn_ustr *s, const jn_ustr *unit, long times)
{
    for (long i = 0; i < times; i++)
        jn_us_cat_us(cx, s, unit);
}

static int format_number(jn_fmt_cx *cx, double value, const jn_ustr *picture, const props *pr,
                         jn_ustr *result, jn_error *err)
{
    jn_ustr subs[2];
    size_t nsub = split_picture(cx, picture, &pr->pattern, subs, 2);
    if (nsub > 2)
        return jn_fmt_error(err, "D3080", NULL);
    if (nsub == 0) {
        /* "".split("") is [], and jsonata-js then reads an undefined part. */
        return jn_fmt_error(err, "D3085", NULL);
    }
    subpic sp[2];
    memset(sp, 0, sizeof sp);
    for (size_t i = 0; i < nsub; i++)
        if (split_parts(cx, pr, &subs[i], &sp[i], err))
            return -1;
    for (size_t i = 0; i < nsub; i++)
        if (validate(cx, pr, &sp[i], err))
            return -1;
    analysis an[2];
    memset(an, 0, sizeof an);
    for (size_t i = 0; i < nsub; i++)
        analyse(cx, pr, &sp[i], &an[i]);
    if (nsub == 1) {
        an[1] = an[0];
        jn_ustr p = {0};
        jn_us_cat_us(cx, &p, &pr->minus);
        jn_us_cat_us(cx, &p, &an[0].prefix);
        an[1].prefix = p;
    }
    const analysis *pic = value >= 0 ? &an[0] : &an[1];

    double adjusted = value;
    if (jn_us_index(&pic->picture, &pr->percent, 0) != -1)
        adjusted = value * 100;
    else if (jn_us_index(&pic->picture, &pr->per_mille, 0) != -1)
        adjusted = value * 1000;

    double mantissa = adjusted, exponent = 0;
    bool has_exp = pic->min_exp != 0;
    if (has_exp && mantissa != 0) {
        /* jsonata-js scales the signed value and never ends for zero or a
         * negative number; this scales the magnitude. */
        double maxm = pow(10, pic->scaling), minm = pow(10, pic->scaling - 1);
        double m = fabs(mantissa);
        while (m < minm) {
            m *= 10;
            exponent -= 1;
        }
        while (m > maxm) {
            m /= 10;
            exponent += 1;
        }
        mantissa = mantissa < 0 ? -m : m;
    }
    double rounded = jn_fmt_round(mantissa, pic->max_frac);

    jn_ustr sv;
    if (make_string(cx, pr, rounded, pic->max_frac, &sv, err))
        return -1;
    long dp = jn_us_index_cp(&sv, '.', 0);
    if (dp == -1) {
        jn_us_cat_us(cx, &sv, &pr->decimal);
    } else {
        jn_ustr rest = jn_us_sub(cx, &sv, (size_t)dp + 1, sv.n);
        sv.n = (size_t)dp;
        jn_us_cat_us(cx, &sv, &pr->decimal);
        jn_us_cat_us(cx, &sv, &rest);
    }
    if (pr->zero.n == 1) {
        size_t lead = 0;
        while (lead < sv.n && sv.c[lead] == pr->zero.c[0])
            lead++;
        memmove(sv.c, sv.c + lead, (sv.n - lead) * sizeof *sv.c);
        sv.n -= lead;
        while (sv.n && sv.c[sv.n - 1] == pr->zero.c[0])
            sv.n--;
    }
    dp = jn_us_index(&sv, &pr->decimal, 0);
    long pad_left = pic->min_int - dp;
    long pad_right = pic->min_frac - ((long)sv.n - dp - 1);
    if (pad_left > 0) {
        jn_ustr t = {0};
        repeat(cx, &t, &pr->zero, pad_left);
        jn_us_cat_us(cx, &t, &sv);
        sv = t;
    }
    if (pad_right > 0)
        repeat(cx, &sv, &pr->zero, pad_right);
    dp = jn_us_index(&sv, &pr->decimal, 0);
    if (pic->regular > 0) {
        double groups = floor((double)(dp - 1) / pic->regular);
        for (double g = 1; g <= groups; g++)
            insert_at(cx, &sv, dp - (long)(g * pic->regular), &pr->grouping);
    } else {
        for (size_t i = 0; i < pic->n_int_groups; i++) {
            insert_at(cx, &sv, dp - (long)pic->int_groups[i], &pr->grouping);
            dp++;
        }
    }
    dp = jn_us_index(&sv, &pr->decimal, 0);
    for (size_t i = 0; i < pic->n_frac_groups; i++)
        insert_at(cx, &sv, (long)pic->frac_groups[i] + dp + 1, &pr->grouping);
    dp = jn_us_index(&sv, &pr->decimal, 0);
    if ((jn_us_index(&pic->picture, &pr->decimal, 0) == -1 || dp == (long)sv.n - 1) && sv.n)
        sv.n--;
    if (has_exp) {
        jn_ustr es;
        if (make_string(cx, pr, exponent, 0, &es, err))
            return -1;
        long pad = pic->min_exp - (long)es.n;
        jn_us_cat_us(cx, &sv, &pr->exponent);
        if (exponent < 0)
            jn_us_cat_us(cx, &sv, &pr->minus);
        repeat(cx, &sv, &pr->zero, pad);
        jn_us_cat_us(cx, &sv, &es);
    }
    jn_ustr out = {0};
    jn_us_cat_us(cx, &out, &pic->prefix);
    jn_us_cat_us(cx, &out, &sv);
    jn_us_cat_us(cx, &out, &pic->suffix);
    *result = out;
    return 0;
}

int jn_format_number(double value, const char *picture, size_t plen, const jn_decimal_format *fmt,
                     char **out, jn_error *err)
{
    *out = NULL;
    if (!isfinite(value))
        return jn_fmt_error_num(err, "D1001", value);
    jn_fmt_cx cx = {0};
    static const jn_decimal_format none;
    const jn_decimal_format *f = fmt ? fmt : &none;
    props pr;
    memset(&pr, 0, sizeof pr);
    set_prop(&cx, &pr.decimal, f->decimal_separator, ".");
    set_prop(&cx, &pr.grouping, f->grouping_separator, ",");
    set_prop(&cx, &pr.exponent, f->exponent_separator, "e");
    set_prop(&cx, &pr.minus, f->minus_sign, "-");
    set_prop(&cx, &pr.percent, f->percent, "%");
    set_prop(&cx, &pr.per_mille, f->per_mille, "\xE2\x80\xB0");
    set_prop(&cx, &pr.zero, f->zero_digit, "0");
    set_prop(&cx, &pr.digit, f->digit, "#");
    set_prop(&cx, &pr.pattern, f->pattern_separator, ";");
    if (pr.zero.n) {
        pr.nfamily = 10;
        for (int i = 0; i < 10; i++)
            pr.family[i] = pr.zero.c[0] + (uint32_t)i;
    }
    jn_ustr pic = jn_us_from_utf8(&cx, picture, plen);
    jn_ustr res = {0};
    int rc = format_number(&cx, value, &pic, &pr, &res, err);
    if (rc == 0 && !cx.oom) {
        *out = jn_us_to_utf8(&res);
        if (!*out)
            cx.oom = true;
    }
    if (rc == 0 && cx.oom)
        rc = jn_fmt_error_num(err, "D1001", value);
    jn_fmt_cx_free(&cx);
    return rc;
}

/* ==== $formatBase ======================================================== */
/* Number#toString(radix) for an integral [v], the way V8 prints it: digits
 * below the double's precision come out as zeros. */
static void to_radix(double v, int radix, char *out, size_t cap)
{
    static const char chars[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    char buf[1100 + 2];
    size_t at = sizeof buf - 1;
    buf[at] = '\0';
    bool neg = v < 0;
    if (neg)
        v = -v;
    double integer = floor(v);
    while (integer / radix >= 9007199254740992.0 && at > 1) {   /* 2^53 */
        integer /= radix;
        buf[--at] = '0';
    }
    do {
        double rem = fmod(integer, radix);
        buf[--at] = chars[(int)rem];
        integer = (integer - rem) / radix;
    } while (integer > 0 && at > 1);
    if (neg)
        buf[--at] = '-';
    snprintf(out, cap, "%s", buf + at);
}

int jn_format_base(double value, int radix, char **out, jn_error *err)
{
    *out = NULL;
    value = jn_fmt_round(value, 0);
    if (radix < 2 || radix > 36)
        return jn_fmt_error_num(err, "D3100", radix);
    char buf[1200];
    if (!isfinite(value) || radix == 10)
        jn_fmt_js_number(value, buf);
    else
        to_radix(value, radix, buf, sizeof buf);
    *out = strdup(buf);
    if (!*out)
        return jn_fmt_error_num(err, "D1001", value);
    return 0;
}
