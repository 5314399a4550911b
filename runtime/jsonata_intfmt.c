/*
 * jsonata_intfmt.c - integer pictures: $formatInteger, $parseInteger and
 * the integer half of date/time markers (runtime layer: values).
 *
 * Layer: values
 *
 * XPath F&O fn:format-integer as jsonata-js 2.0.6 implements it: decimal
 * digit patterns in any of the Unicode decimal digit families jsonata-js
 * knows, with regular or irregular grouping separators; "a"/"A" letters
 * (spreadsheet columns), "i"/"I" roman numerals, "w"/"W"/"Ww" English
 * words up to the trillions (larger numbers repeat "trillion", as
 * jsonata-js does); ";o" ordinals. Parsing is the inverse, with
 * jsonata-js's leniency: $parseInteger does not validate its input, so
 * text that does not fit the picture yields NaN (reported as undefined).
 * jsonata_datetime.c uses the analysis and both halves through
 * jsonata_format_impl.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_format.h"
#include "jsonata_format_impl.h"

/* ==== Words =============================================================== */
static const char *const few[] = {
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
    "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen",
    "Nineteen"};
static const char *const ordinals[] = {
    "Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth",
    "Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth",
    "Seventeenth", "Eighteenth", "Nineteenth"};
static const char *const decades[] = {
    "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"};
static const char *const magnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

/* The keys of jsonata-js's word table in their insertion order, which is
 * the order its parsing regex tries them; "hundreieth" is what its
 * "-ty" -> "-tieth" rule makes of "hundred". */
const char *const jn_fmt_word_list[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth",
    "twenty", "twentieth", "thirty", "thirtieth", "forty", "fortieth", "fifty", "fiftieth",
    "sixty", "sixtieth", "seventy", "seventieth", "eighty", "eightieth", "ninety", "ninetieth",
    "hundred", "hundreieth", "hundredth",
    "thousand", "thousandth", "million", "millionth", "billion", "billionth", "trillion",
    "trillionth"};
const size_t jn_fmt_word_count = sizeof jn_fmt_word_list / sizeof jn_fmt_word_list[0];

static const double word_values[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70, 80, 80, 90, 90,
    100, 100, 100,
    1e3, 1e3, 1e6, 1e6, 1e9, 1e9, 1e12, 1e12};

/* numberToWords: Title Case, recursing by hundreds and magnitudes. [num]
 * is a non-negative integer; the depth is bounded because each level
 * divides by at least 1000 or drops below it. */
static void words(jn_fmt_cx *cx, jn_ustr *out, double num, bool prev, bool ord)
{
    if (num <= 19) {
        if (prev)
            jn_us_cat_ascii(cx, out, " and ");
        jn_us_cat_ascii(cx, out, ord ? ordinals[(int)num] : few[(int)num]);
    } else if (num < 100) {
        double tens = floor(num / 10), rem = fmod(num, 10);
        if (prev)
            jn_us_cat_ascii(cx, out, " and ");
        jn_us_cat_ascii(cx, out, decades[(int)tens - 2]);
        if (rem > 0) {
            jn_us_push(cx, out, '-');
            words(cx, out, rem, false, ord);
        } else if (ord && out->n) {
            out->n--;   /* Twenty -> Twentieth */
            jn_us_cat_ascii(cx, out, "ieth");
        }
    } else if (num < 1000) {
        double hundreds = floor(num / 100), rem = fmod(num, 100);
        if (prev)
            jn_us_cat_ascii(cx, out, ", ");
        jn_us_cat_ascii(cx, out, few[(int)hundreds]);
        jn_us_cat_ascii(cx, out, " Hundred");
        if (rem > 0)
            words(cx, out, rem, true, ord);
        else if (ord)
            jn_us_cat_ascii(cx, out, "th");
    } else {
        double mag = floor(log10(num) / 3);
        if (mag > 4)
            mag = 4;   /* beyond trillions the words repeat "Trillion" */
        if (mag < 1)
            mag = 1;
        double factor = pow(10, mag * 3);
        double mant = floor(num / factor);
        double rem = num - mant * factor;
        if (prev)
            jn_us_cat_ascii(cx, out, ", ");
        words(cx, out, mant, false, false);
        jn_us_push(cx, out, ' ');
        jn_us_cat_ascii(cx, out, magnitudes[(int)mag - 1]);
        if (rem > 0)
            words(cx, out, rem, true, ord);
        else if (ord)
            jn_us_cat_ascii(cx, out, "th");
    }
}

static bool word_value(const uint32_t *c, size_t n, double *v)
{
    for (size_t w = 0; w < jn_fmt_word_count; w++) {
        const char *s = jn_fmt_word_list[w];
        size_t k = strlen(s);
        if (k != n)
            continue;
        size_t i = 0;
        while (i < n && c[i] == (unsigned char)s[i])
            i++;
        if (i == n) {
            *v = word_values[w];
            return true;
        }
    }
    return false;
}

/* wordsToNumber of lower-cased [t]: split on ", ", " and " or a single
 * white space / backslash / hyphen, then fold the values left to right. */
static double words_to_number(jn_fmt_cx *cx, const jn_ustr *t)
{
    double *segs = jn_fmt_alloc(cx, (t->n + 2) * sizeof *segs);
    if (!segs)
        return NAN;
    size_t nseg = 1;
    segs[0] = 0;
    size_t start = 0, i = 0;
    for (;;) {
        size_t end = t->n, skip = 0;
        for (i = start; i < t->n; i++) {
            uint32_t c = t->c[i];
            if (c == ',' && i + 1 < t->n && jn_fmt_is_space(t->c[i + 1])) {
                skip = 2;
                break;
            }
            if (jn_fmt_is_space(c) && i + 4 < t->n && t->c[i + 1] == 'a' && t->c[i + 2] == 'n' &&
                t->c[i + 3] == 'd' && jn_fmt_is_space(t->c[i + 4])) {
                skip = 5;
                break;
            }
            if (jn_fmt_is_space(c) || c == '\\' || c == '-') {
                skip = 1;
                break;
            }
        }
        end = i;
        double v;
        bool known = word_value(t->c + start, end - start, &v);
        /* An unknown word is undefined in jsonata-js: the arithmetic below
         * turns it into NaN, and so does this. */
        if (!known) {
            segs[nseg - 1] = NAN;
        } else if (v < 100) {
            double top = segs[--nseg];
            if (top >= 1000) {
                segs[nseg++] = top;
                top = 0;
            }
            segs[nseg++] = top + v;
        } else {
            segs[nseg - 1] *= v;
        }
        if (end >= t->n)
            break;
        start = end + skip;
    }
    double sum = 0;
    for (size_t k = 0; k < nseg; k++)
        sum += segs[k];
    return sum;
}

/* ==== Roman numerals and letters ======================================== */
static const struct { int value; const char *s; } roman[] = {
    {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
    {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}};

static int roman_value(uint32_t c)
{
    switch (c) {
    case 'M': return 1000;
    case 'D': return 500;
    case 'C': return 100;
    case 'L': return 50;
    case 'X': return 10;
    case 'V': return 5;
    case 'I': return 1;
    default: return 0;
    }
}

static double roman_to_decimal(const jn_ustr *s)
{
    double dec = 0, max = 1;
    for (size_t i = s->n; i-- > 0;) {
        int v = roman_value(s->c[i]);
        if (!v)
            return NAN;   /* romanValues[ch] is undefined */
        if (v < max) {
            dec -= v;
        } else {
            max = v;
            dec += v;
        }
    }
    return dec;
}

static double letters_to_decimal(const jn_ustr *s, uint32_t a)
{
    double dec = 0;
    for (size_t i = 0; i < s->n; i++)
        dec += ((double)s->c[s->n - i - 1] - (double)a + 1) * pow(26, (double)i);
    return dec;
}

/* ==== Picture analysis =================================================== */
/* The first code point of each decimal digit family jsonata-js knows. */
static const uint32_t digit_groups[] = {
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
    0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946,
    0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0,
    0xA9F0, 0xAA50, 0xABF0, 0xFF10};

static uint32_t digit_group(uint32_t c)
{
    for (size_t i = 0; i < sizeof digit_groups / sizeof digit_groups[0]; i++)
        if (c >= digit_groups[i] && c <= digit_groups[i] + 9)
            return digit_groups[i];
    return 0;
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

/* regularRepeat: the interval when every separator is the same character
 * and they sit at every multiple of one interval; else 0. */
static double regular_repeat(const jn_ipic_sep *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (s[i].ch != s[0].ch)
            return 0;
    double f = s[0].position;
    for (size_t i = 1; i < n; i++)
        f = gcd(f, s[i].position);
    for (size_t k = 1; k <= n; k++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            if (s[i].position == (double)k * f)
                found = true;
        if (!found)
            return 0;
    }
    return f;
}

int jn_ipic_analyse(jn_fmt_cx *cx, const jn_ustr *pic, jn_ipic *f, jn_error *err)
{
    memset(f, 0, sizeof *f);
    f->primary = JN_IP_DECIMAL;
    f->tcase = JN_CASE_LOWER;
    f->mandatory = NAN;   /* undefined unless the picture is decimal */
    f->optional = NAN;
    jn_ustr primary = *pic;
    long semi = -1;
    for (size_t i = 0; i < pic->n; i++)
        if (pic->c[i] == ';')
            semi = (long)i;
    if (semi != -1) {
        primary = jn_us_sub(cx, pic, 0, (size_t)semi);
        if ((size_t)semi + 1 < pic->n && pic->c[semi + 1] == 'o')
            f->ordinal = true;
    }
    if (jn_us_eq_ascii(&primary, "A") || jn_us_eq_ascii(&primary, "a")) {
        f->primary = JN_IP_LETTERS;
        f->tcase = primary.c[0] == 'A' ? JN_CASE_UPPER : JN_CASE_LOWER;
        return 0;
    }
    if (jn_us_eq_ascii(&primary, "I") || jn_us_eq_ascii(&primary, "i")) {
        f->primary = JN_IP_ROMAN;
        f->tcase = primary.c[0] == 'I' ? JN_CASE_UPPER : JN_CASE_LOWER;
        return 0;
    }
    if (jn_us_eq_ascii(&primary, "W") || jn_us_eq_ascii(&primary, "Ww") ||
        jn_us_eq_ascii(&primary, "w")) {
        f->primary = JN_IP_WORDS;
        f->tcase = primary.n == 2 ? JN_CASE_TITLE : primary.c[0] == 'W' ? JN_CASE_UPPER
                                                                       : JN_CASE_LOWER;
        return 0;
    }
    /* A decimal digit pattern, read right to left so that each separator
     * knows how many digit signs are to its right. */
    uint32_t zero = 0;
    double mandatory = 0, optional = 0, position = 0;
    jn_ipic_sep *seps = jn_fmt_alloc(cx, (primary.n + 1) * sizeof *seps);
    size_t nseps = 0;
    if (!seps)
        return 0;
    for (size_t i = primary.n; i-- > 0;) {
        uint32_t c = primary.c[i];
        uint32_t g = digit_group(c);
        if (g) {
            mandatory++;
            position++;
            if (!zero)
                zero = g;
            else if (g != zero)
                return jn_fmt_error(err, "D3131", NULL);
        } else if (c == '#') {
            position++;
            optional++;
        } else {
            seps[nseps].position = position;
            seps[nseps].ch = c;
            nseps++;
        }
    }
    if (mandatory == 0) {
        /* A numbering sequence: implementation-defined, and jsonata-js
         * supports none (D3130 when it is used). */
        f->primary = JN_IP_SEQUENCE;
        f->token = primary;
        return 0;
    }
    f->zero = zero;
    f->mandatory = mandatory;
    f->optional = optional;
    double reg = regular_repeat(seps, nseps);
    if (reg > 0) {
        f->regular = true;
        f->reg_pos = reg;
        f->reg_ch = seps[0].ch;
    } else {
        f->seps = seps;
        f->nseps = nseps;
    }
    return 0;
}

/* ==== Formatting ========================================================== */
static void to_case(jn_ustr *s, bool upper)
{
    for (size_t i = 0; i < s->n; i++) {
        uint32_t c = s->c[i];
        if (upper && c >= 'a' && c <= 'z')
            s->c[i] = c - 32;
        else if (!upper && c >= 'A' && c <= 'Z')
            s->c[i] = c + 32;
    }
}

/* Roman numerals of numbers this large would be millions of M's; jsonata-js
 * recurses once per numeral and overflows its stack long before. */
#define ROMAN_MAX 1e7
/* No padding beyond this many digits (a date width like [Y,99999999]). */
#define PAD_MAX 1000000

int jn_ipic_format(jn_fmt_cx *cx, double value, const jn_ipic *f, jn_ustr *out, jn_error *err)
{
    bool negative = value < 0;
    value = fabs(value);
    jn_ustr s = {0};
    if (isnan(value) && f->primary != JN_IP_DECIMAL && f->primary != JN_IP_SEQUENCE)
        return jn_fmt_error_num(err, "D1001", value);
    switch (f->primary) {
    case JN_IP_LETTERS: {
        uint32_t a = f->tcase == JN_CASE_UPPER ? 'A' : 'a';
        if (isinf(value))
            return jn_fmt_error_num(err, "D1001", value);
        while (value > 0) {
            double d = fmod(value - 1, 26);
            jn_us_push(cx, &s, a + (uint32_t)d);
            value = floor((value - 1) / 26);
        }
        for (size_t i = 0; i < s.n / 2; i++) {
            uint32_t t = s.c[i];
            s.c[i] = s.c[s.n - 1 - i];
            s.c[s.n - 1 - i] = t;
        }
        break;
    }
    case JN_IP_ROMAN:
        if (value >= ROMAN_MAX)
            return jn_fmt_error_num(err, "D1001", negative ? -value : value);
        for (size_t i = 0; i < sizeof roman / sizeof roman[0]; i++)
            while (value >= roman[i].value) {
                jn_us_cat_ascii(cx, &s, roman[i].s);
                value -= roman[i].value;
            }
        if (f->tcase == JN_CASE_UPPER)
            to_case(&s, true);
        break;
    case JN_IP_WORDS:
        if (isinf(value))
            return jn_fmt_error_num(err, "D1001", value);
        words(cx, &s, value, false, f->ordinal);
        if (f->tcase == JN_CASE_UPPER)
            to_case(&s, true);
        else if (f->tcase == JN_CASE_LOWER)
            to_case(&s, false);
        break;
    case JN_IP_DECIMAL: {
        jn_us_cat_number(cx, &s, value);
        double pad = f->mandatory - (double)s.n;
        if (pad > PAD_MAX)
            return jn_fmt_error_num(err, "D1001", f->mandatory);
        if (pad > 0) {
            jn_ustr t = {0};
            for (double i = 0; i < pad; i++)
                jn_us_push(cx, &t, '0');
            jn_us_cat_us(cx, &t, &s);
            s = t;
        }
        if (f->zero != 0x30)
            for (size_t i = 0; i < s.n; i++)
                s.c[i] = s.c[i] + f->zero - 0x30;
        if (f->regular) {
            double n = floor(((double)s.n - 1) / f->reg_pos);
            jn_ustr sep = {(uint32_t *)&f->reg_ch, 1, 1};
            for (double k = n; k > 0; k--)
                jn_us_insert(cx, &s, (size_t)((double)s.n - k * f->reg_pos), &sep);
        } else {
            /* jsonata-js inserts from the leftmost separator rightwards. */
            for (size_t i = f->nseps; i-- > 0;) {
                double pos = (double)s.n - f->seps[i].position;
                jn_ustr sep = {(uint32_t *)&f->seps[i].ch, 1, 1};
                if (pos < 0) {
                    /* substr(0, negative) is "" and substr(negative) counts
                     * from the end: jsonata-js drops the leading digits. */
                    double from = (double)s.n + pos;
                    jn_ustr t = {0};
                    jn_us_cat_us(cx, &t, &sep);
                    if (from < 0)
                        from = 0;
                    jn_us_cat(cx, &t, s.c + (size_t)from, s.n - (size_t)from);
                    s = t;
                    continue;
                }
                jn_us_insert(cx, &s, (size_t)pos, &sep);
            }
        }
        if (f->ordinal) {
            const char *suffix = "th";
            uint32_t last = s.n ? s.c[s.n - 1] : 0;
            if (last == '1')
                suffix = "st";
            else if (last == '2')
                suffix = "nd";
            else if (last == '3')
                suffix = "rd";
            if (s.n > 1 && s.c[s.n - 2] == '1')
                suffix = "th";
            jn_us_cat_ascii(cx, &s, suffix);
        }
        break;
    }
    default:
        return jn_fmt_error_str(err, "D3130", &f->token);
    }
    if (negative)
        jn_us_push(cx, out, '-');
    jn_us_cat_us(cx, out, &s);
    return 0;
}

/* ==== Parsing ============================================================= */
double jn_ipic_parse(jn_fmt_cx *cx, const jn_ipic *f, const jn_ustr *text)
{
    jn_ustr t = jn_us_sub(cx, text, 0, text->n);
    switch (f->primary) {
    case JN_IP_LETTERS:
        return letters_to_decimal(&t, f->tcase == JN_CASE_UPPER ? 'A' : 'a');
    case JN_IP_ROMAN:
        if (f->tcase != JN_CASE_UPPER)
            to_case(&t, true);
        return roman_to_decimal(&t);
    case JN_IP_WORDS:
        to_case(&t, false);
        return words_to_number(cx, &t);
    case JN_IP_DECIMAL: {
        if (f->ordinal)
            t.n = t.n >= 2 ? t.n - 2 : 0;
        /* Strip the separators: a regular picture strips ',' whatever its
         * separator is, as jsonata-js does. */
        size_t o = 0;
        for (size_t i = 0; i < t.n; i++) {
            uint32_t c = t.c[i];
            bool sep = false;
            if (f->regular)
                sep = c == ',';
            else
                for (size_t k = 0; k < f->nseps; k++)
                    if (f->seps[k].ch == c)
                        sep = true;
            if (!sep)
                t.c[o++] = c;
        }
        t.n = o;
        if (f->zero != 0x30)
            for (size_t i = 0; i < t.n; i++) {
                /* A character below the family would be an invalid code
                 * point (a RangeError in jsonata-js): it ends the digits. */
                t.c[i] = t.c[i] >= f->zero ? t.c[i] - f->zero + 0x30 : 0xFFFD;
            }
        return jn_fmt_parse_int(t.c, t.n);
    }
    default:
        return NAN;
    }
}

/* ==== Entry points ======================================================== */
int jn_format_integer(double value, const char *picture, size_t plen, char **out, jn_error *err)
{
    *out = NULL;
    if (!isfinite(value))
        return jn_fmt_error_num(err, "D1001", value);
    jn_fmt_cx cx = {0};
    jn_ustr pic = jn_us_from_utf8(&cx, picture, plen);
    jn_ipic f;
    jn_ustr res = {0};
    int rc = jn_ipic_analyse(&cx, &pic, &f, err);
    if (rc == 0)
        rc = jn_ipic_format(&cx, floor(value), &f, &res, err);
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

int jn_parse_integer(const char *s, size_t len, const char *picture, size_t plen, double *out,
                     jn_error *err)
{
    *out = NAN;
    jn_fmt_cx cx = {0};
    jn_ustr pic = jn_us_from_utf8(&cx, picture, plen);
    jn_ustr text = jn_us_from_utf8(&cx, s, len);
    jn_ipic f;
    int rc = jn_ipic_analyse(&cx, &pic, &f, err);
    if (rc == 0 && f.primary == JN_IP_SEQUENCE)
        rc = jn_fmt_error_str(err, "D3130", &f.token);
    if (rc == 0) {
        *out = jn_ipic_parse(&cx, &f, &text);
        if (cx.oom)
            rc = jn_fmt_error(err, "D1001", NULL);
        else if (isnan(*out))
            rc = 1;   /* jsonata-js's NaN: no JSON value, so undefined */
    }
    jn_fmt_cx_free(&cx);
    return rc;
}
