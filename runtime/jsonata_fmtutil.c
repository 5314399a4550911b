/*
 * jsonata_fmtutil.c - the helpers the picture-string files share (runtime
 * layer: values): the per-call arena, code-point strings, jsonata-js's
 * error messages for the D3xxx codes, and the JavaScript number behaviours
 * (toString, toFixed, parseInt, Math.round, jsonata's $round) that the
 * pictures are defined in terms of. Declared in jsonata_format_impl.h.
 *
 * Layer: values
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_format_impl.h"

/* ==== Arena ============================================================== */
struct jn_fmt_chunk {
    jn_fmt_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

enum { CHUNK_BYTES = 8192 };

void *jn_fmt_alloc(jn_fmt_cx *cx, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0)
        n = sizeof(max_align_t);
    jn_fmt_chunk *c = cx->chunks;
    if (!c || c->cap - c->used < n) {
        /* A big request gets a chunk of its own, kept behind the current
         * one so the current chunk's free space is not lost. */
        size_t cap = n > CHUNK_BYTES / 2 ? n : CHUNK_BYTES;
        if (cap > ((size_t)-1) / 2) {
            cx->oom = true;
            return NULL;
        }
        jn_fmt_chunk *nc = malloc(sizeof *nc + cap);
        if (!nc) {
            cx->oom = true;
            return NULL;
        }
        nc->used = 0;
        nc->cap = cap;
        if (c && cap != CHUNK_BYTES) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            cx->chunks = nc;
        }
        c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void jn_fmt_cx_free(jn_fmt_cx *cx)
{
    jn_fmt_chunk *c = cx->chunks;
    while (c) {
        jn_fmt_chunk *next = c->next;
        free(c);
        c = next;
    }
    cx->chunks = NULL;
}

/* ==== Code-point strings ================================================= */
static bool us_reserve(jn_fmt_cx *cx, jn_ustr *s, size_t extra)
{
    if (cx->oom)
        return false;
    if (extra > ((size_t)1 << 28) || s->n + extra > ((size_t)1 << 28)) {
        cx->oom = true;   /* no picture result is anywhere near 256M chars */
        return false;
    }
    if (s->n + extra <= s->cap)
        return true;
    size_t cap = s->cap ? s->cap * 2 : 16;
    while (cap < s->n + extra)
        cap *= 2;
    uint32_t *c = jn_fmt_alloc(cx, cap * sizeof *c);
    if (!c)
        return false;
    if (s->n)
        memcpy(c, s->c, s->n * sizeof *c);
    s->c = c;
    s->cap = cap;
    return true;
}

void jn_us_push(jn_fmt_cx *cx, jn_ustr *s, uint32_t c)
{
    if (us_reserve(cx, s, 1))
        s->c[s->n++] = c;
}

void jn_us_cat(jn_fmt_cx *cx, jn_ustr *s, const uint32_t *c, size_t n)
{
    if (n && us_reserve(cx, s, n)) {
        memmove(s->c + s->n, c, n * sizeof *c);
        s->n += n;
    }
}

void jn_us_cat_us(jn_fmt_cx *cx, jn_ustr *s, const jn_ustr *t)
{
    jn_us_cat(cx, s, t->c, t->n);
}

void jn_us_cat_ascii(jn_fmt_cx *cx, jn_ustr *s, const char *a)
{
    size_t n = strlen(a);
    if (us_reserve(cx, s, n))
        for (size_t i = 0; i < n; i++)
            s->c[s->n++] = (unsigned char)a[i];
}

void jn_us_insert(jn_fmt_cx *cx, jn_ustr *s, size_t at, const jn_ustr *t)
{
    if (at > s->n || !t->n || !us_reserve(cx, s, t->n))
        return;
    memmove(s->c + at + t->n, s->c + at, (s->n - at) * sizeof *s->c);
    memcpy(s->c + at, t->c, t->n * sizeof *s->c);
    s->n += t->n;
}

jn_ustr jn_us_from_utf8(jn_fmt_cx *cx, const char *p, size_t len)
{
    jn_ustr s = {0};
    const unsigned char *u = (const unsigned char *)p;
    if (!us_reserve(cx, &s, len))
        return s;
    size_t i = 0;
    while (i < len) {
        uint32_t c = u[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4 : 0;
        uint32_t v = k == 1 ? c : k == 2 ? c & 0x1F : k == 3 ? c & 0x0F : c & 0x07;
        bool ok = k > 0 && i + k <= len;
        for (size_t j = 1; ok && j < k; j++) {
            if ((u[i + j] & 0xC0) != 0x80)
                ok = false;
            else
                v = v << 6 | (u[i + j] & 0x3F);
        }
        static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (ok && (v < min[k] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)))
            ok = false;
        if (ok) {
            s.c[s.n++] = v;
            i += k;
        } else {
            s.c[s.n++] = 0xFFFD;
            i++;
        }
    }
    return s;
}

jn_ustr jn_us_sub(jn_fmt_cx *cx, const jn_ustr *s, size_t from, size_t to)
{
    jn_ustr r = {0};
    if (to > s->n)
        to = s->n;
    if (from < to)
        jn_us_cat(cx, &r, s->c + from, to - from);
    return r;
}

char *jn_us_to_utf8(const jn_ustr *s)
{
    char *out = malloc(s->n * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < s->n; i++) {
        uint32_t c = s->c[i];
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            c = 0xFFFD;
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[o++] = (char)(0xE0 | c >> 12);
            out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | c >> 18);
            out[o++] = (char)(0x80 | (c >> 12 & 0x3F));
            out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = '\0';
    return out;
}

long jn_us_index(const jn_ustr *h, const jn_ustr *needle, size_t from)
{
    if (from > h->n)
        from = h->n;
    if (needle->n == 0)
        return (long)from;
    for (size_t i = from; i + needle->n <= h->n; i++)
        if (!memcmp(h->c + i, needle->c, needle->n * sizeof *h->c))
            return (long)i;
    return -1;
}

long jn_us_last_index(const jn_ustr *h, const jn_ustr *needle)
{
    if (needle->n > h->n)
        return -1;
    for (size_t i = h->n - needle->n + 1; i-- > 0;)
        if (!memcmp(h->c + i, needle->c, needle->n * sizeof *h->c))
            return (long)i;
    return -1;
}

long jn_us_index_cp(const jn_ustr *h, uint32_t c, size_t from)
{
    for (size_t i = from; i < h->n; i++)
        if (h->c[i] == c)
            return (long)i;
    return -1;
}

bool jn_us_eq_ascii(const jn_ustr *s, const char *a)
{
    size_t n = strlen(a);
    if (n != s->n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s->c[i] != (unsigned char)a[i])
            return false;
    return true;
}

bool jn_us_char_is(const jn_ustr *s, long i, const jn_ustr *prop)
{
    if (i < 0 || (size_t)i >= s->n)
        return prop->n == 0;
    return prop->n == 1 && prop->c[0] == s->c[i];
}

/* ==== Errors ============================================================= */
/* jsonata-js's message templates for the codes these files raise. */
static const struct { const char *code, *text; } messages[] = {
    {"D1001", "Number out of range: {{value}}"},
    {"D3080", "The picture string must only contain a maximum of two sub-pictures"},
    {"D3081", "The sub-picture must not contain more than one instance of the 'decimal-separator' character"},
    {"D3082", "The sub-picture must not contain more than one instance of the 'percent' character"},
    {"D3083", "The sub-picture must not contain more than one instance of the 'per-mille' character"},
    {"D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character"},
    {"D3085", "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'"},
    {"D3086", "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character"},
    {"D3087", "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character"},
    {"D3088", "The sub-picture must not contain a 'grouping-separator' at the end of the integer part"},
    {"D3089", "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character"},
    {"D3090", "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'"},
    {"D3091", "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'"},
    {"D3092", "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'"},
    {"D3093", "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'"},
    {"D3100", "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}"},
    {"D3110", "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}"},
    {"D3130", "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation"},
    {"D3131", "In a decimal digit pattern, all digits must be from the same decimal group"},
    {"D3132", "Unknown component specifier {{value}} in date/time picture string"},
    {"D3133", "The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}"},
    {"D3134", "The timezone integer format specifier cannot have more than four digits"},
    {"D3135", "No matching closing bracket ']' in date/time picture string"},
    {"D3136", "The date/time picture string is missing specifiers required to parse the timestamp"},
};

int jn_fmt_error(jn_error *err, const char *code, const char *value_json)
{
    if (!err)
        return -1;
    snprintf(err->code, sizeof err->code, "%s", code);
    err->position = -1;
    err->token[0] = '\0';
    snprintf(err->value, sizeof err->value, "%s", value_json ? value_json : "");
    const char *tmpl = code;
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
        if (!strcmp(messages[i].code, code))
            tmpl = messages[i].text;
    /* jsonata-js prints {{value}} with JSON.stringify: "undefined" when
     * the error has no value. */
    const char *hole = strstr(tmpl, "{{value}}");
    if (hole)
        snprintf(err->message, sizeof err->message, "%.*s%s%s", (int)(hole - tmpl), tmpl,
                 value_json ? value_json : "undefined", hole + 9);
    else
        snprintf(err->message, sizeof err->message, "%s", tmpl);
    return -1;
}

int jn_fmt_error_str(jn_error *err, const char *code, const jn_ustr *value)
{
    char buf[sizeof err->value];
    size_t o = 0;
    buf[o++] = '"';
    for (size_t i = 0; i < value->n && o + 12 < sizeof buf; i++) {
        uint32_t c = value->c[i];
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(buf + o, sizeof buf - o, "\\u%04x", (unsigned)c);
        } else {
            jn_ustr one = {&c, 1, 1};
            char *u = jn_us_to_utf8(&one);
            if (u) {
                size_t k = strlen(u);
                memcpy(buf + o, u, k);
                o += k;
                free(u);
            }
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return jn_fmt_error(err, code, buf);
}

int jn_fmt_error_num(jn_error *err, const char *code, double value)
{
    char buf[32];
    if (isfinite(value))
        jn_fmt_js_number(value, buf);
    else
        snprintf(buf, sizeof buf, "null");   /* JSON.stringify(NaN) */
    return jn_fmt_error(err, code, buf);
}

/* ==== JavaScript numbers ================================================= */
void jn_fmt_js_number(double d, char *out)
{
    if (isnan(d)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(d)) {
        strcpy(out, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) {
        strcpy(out, "0");
        return;
    }
    /* The shortest precision whose correctly rounded digits read back as
     * [d]; those digits are the ones ECMAScript's Number::toString picks. */
    char buf[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    const char *q = buf;
    bool neg = *q == '-';
    if (neg)
        q++;
    char digits[24];
    int k = 0;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[k++] = *q;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    int n = atoi(q + 1) + 1;   /* d = 0.digits * 10^n */
    char *o = out;
    if (neg)
        *o++ = '-';
    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (int i = k; i < n; i++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    *o = '\0';
}

void jn_us_cat_number(jn_fmt_cx *cx, jn_ustr *s, double d)
{
    char buf[32];
    jn_fmt_js_number(d, buf);
    jn_us_cat_ascii(cx, s, buf);
}

void jn_fmt_to_fixed(jn_fmt_cx *cx, jn_ustr *s, double x, int dp)
{
    if (!isfinite(x) || fabs(x) >= 1e21) {
        jn_us_cat_number(cx, s, x);
        return;
    }
    if (x < 0)
        jn_us_push(cx, s, '-');   /* toFixed keeps the sign, -0 aside */
    double ax = fabs(x);
    /* printf rounds the exact binary value too, but breaks an exact tie to
     * even where toFixed takes the larger number. A tie shows as a 5
     * followed by zeros; only then is the exact expansion (at most 1074
     * fractional digits) printed to make sure. */
    char probe[160];
    snprintf(probe, sizeof probe, "%.*f", dp + 30, ax);
    const char *dot = strchr(probe, '.');
    bool tie = false;
    if (dot && dot[dp + 1] == '5' && strspn(dot + dp + 2, "0") == 29) {
        char *exact = malloc(1200);
        if (!exact) {
            cx->oom = true;
            return;
        }
        snprintf(exact, 1200, "%.1100f", ax);
        const char *ed = strchr(exact, '.');
        tie = ed && ed[dp + 1] == '5' && ed[dp + 2 + strspn(ed + dp + 2, "0")] == '\0';
        free(exact);
    }
    char out[170];
    if (!tie) {
        snprintf(out, sizeof out, "%.*f", dp, ax);
        jn_us_cat_ascii(cx, s, out);
        return;
    }
    /* Truncate at dp digits, then add one unit in the last place. */
    size_t len = (size_t)(dot - probe) + (dp ? (size_t)dp + 1 : 0);
    out[0] = '0';
    memcpy(out + 1, probe, len);
    out[len + 1] = '\0';
    for (size_t i = len + 1; i-- > 0;) {
        if (out[i] == '.')
            continue;
        if (out[i] == '9') {
            out[i] = '0';
            continue;
        }
        out[i]++;
        break;
    }
    jn_us_cat_ascii(cx, s, out[0] == '0' ? out + 1 : out);
}

double jn_fmt_math_round(double x)
{
    if (!isfinite(x) || x == 0)
        return x;
    double r = floor(x);
    if (x - r >= 0.5)
        r += 1;
    if (r == 0 && x < 0)
        return -0.0;
    return r;
}

/* x * 10^shift through the decimal string, as jsonata-js shifts: it
 * rewrites the exponent of toString()'s output and reads the text back. */
static double shift_decimal(double x, int shift)
{
    char buf[64];
    jn_fmt_js_number(x, buf);
    char *e = strchr(buf, 'e');
    long exp = 0;
    if (e) {
        exp = strtol(e + 1, NULL, 10);
        *e = '\0';
    }
    if (!strcmp(buf, "NaN") || strstr(buf, "Infinity"))
        return NAN;
    char text[96];
    snprintf(text, sizeof text, "%se%ld", buf, exp + shift);
    return strtod(text, NULL);
}

double jn_fmt_round(double x, int precision)
{
    if (precision)
        x = shift_decimal(x, precision);
    double r = jn_fmt_math_round(x);
    double diff = r - x;
    if (fabs(diff) == 0.5 && fabs(fmod(r, 2)) == 1)
        r -= 1;   /* Math.round went up from a tie to an odd number */
    if (precision)
        r = shift_decimal(r, -precision);
    if (r == 0)
        r = 0;    /* jsonata-js turns -0 into 0 */
    return r;
}

bool jn_fmt_is_space(uint32_t c)
{
    return c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

double jn_fmt_parse_int(const uint32_t *c, size_t n)
{
    size_t i = 0;
    while (i < n && jn_fmt_is_space(c[i]))
        i++;
    bool neg = false;
    if (i < n && (c[i] == '+' || c[i] == '-'))
        neg = c[i++] == '-';
    int radix = 10;
    if (i + 1 < n && c[i] == '0' && (c[i + 1] == 'x' || c[i + 1] == 'X')) {
        radix = 16;
        i += 2;
    }
    double v = 0;
    size_t start = i;
    char digits[400];
    size_t nd = 0;
    bool too_long = false;
    for (; i < n; i++) {
        uint32_t d = c[i];
        int dv = d >= '0' && d <= '9' ? (int)(d - '0')
               : d >= 'a' && d <= 'z' ? (int)(d - 'a' + 10)
               : d >= 'A' && d <= 'Z' ? (int)(d - 'A' + 10) : 99;
        if (dv >= radix)
            break;
        if (radix == 16)
            v = v * 16 + dv;
        else if (nd == 0 && d == '0')
            continue;   /* leading zeros do not count towards the limit */
        else if (nd < sizeof digits - 1)
            digits[nd++] = (char)d;
        else
            too_long = true;
    }
    if (i == start)
        return NAN;
    if (radix == 10) {
        digits[nd] = '\0';
        v = nd ? strtod(digits, NULL) : 0;
        if (too_long)
            v = INFINITY;   /* 400 significant digits exceed every double */
    }
    return neg ? -v : v;
}
