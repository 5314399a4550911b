/*
 * intrinsics_text.c - how AWS turns values into text, and the intrinsics
 * about text: States.Format, States.StringSplit, States.StringToJson,
 * States.JsonToString.
 *
 * AWS evaluates intrinsics in Java. What that means for the text, as the
 * conformance cases record it:
 *   - States.Format inserts an argument as Java's String.valueOf prints
 *     the object AWS made of it: a string as it is, {"Arg1": 1, "Arg2": []}
 *     as {Arg1=1, Arg2=[]}, null as null (rt_java_text);
 *   - States.JsonToString writes compact JSON (rt_java_json);
 *   - numbers print as Java prints them: integers without a fraction,
 *     other values as Double.toString does (1.1, 1.0E-5, 1.23456789E7)
 *     (rt_java_number). The runtime holds numbers as doubles, so an
 *     integral value prints as an integer whether the input wrote 2 or
 *     2.0 (Jackson would keep "2.0" for the second).
 * Owns nothing beyond each call. Called through intrinsics.c's table.
 *
 * Layer: values
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intrinsics_impl.h"

/* ==== Buffer ================================================================= */

void rt_ibuf_put(rt_ibuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void rt_ibuf_puts(rt_ibuf *b, const char *s) { rt_ibuf_put(b, s, strlen(s)); }

void rt_ibuf_putc(rt_ibuf *b, char c) { rt_ibuf_put(b, &c, 1); }

cJSON *rt_ibuf_to_string(asl_exec *x, rt_ibuf *b)
{
    cJSON *v = NULL;
    if (!b->oom)
        v = cJSON_CreateString(b->p ? b->p : "");
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
    return v ? v : rt_intr_oom(x);
}

size_t rt_utf16_len(const char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue;             /* continuation byte */
        units += c >= 0xF0 ? 2 : 1; /* 4-byte sequences are surrogate pairs */
    }
    return units;
}

/* ==== Numbers ================================================================= */

/* Java's Double.toString for a finite, non-integral (or huge) [d]: the
 * shortest digits that read back as [d], in plain notation for
 * 10^-3 <= |d| < 10^7 and as d.dddE<n> outside. */
static void java_double(rt_ibuf *b, double d)
{
    char tmp[40];
    int prec;
    for (prec = 1; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    /* tmp is [-]D[.DDD]e(+|-)XX: collect the digits and the exponent */
    char digits[24];
    int nd = 0;
    const char *q = tmp;
    if (*q == '-') {
        rt_ibuf_putc(b, '-');
        q++;
    }
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9' && nd < (int)sizeof digits - 1)
            digits[nd++] = *q;
    int exp10 = *q == 'e' ? atoi(q + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';

    double mag = fabs(d);
    if (mag >= 1e-3 && mag < 1e7) {
        if (exp10 >= 0) {
            for (int k = 0; k <= exp10; k++)
                rt_ibuf_putc(b, k < nd ? digits[k] : '0');
            rt_ibuf_putc(b, '.');
            if (exp10 + 1 < nd)
                rt_ibuf_puts(b, digits + exp10 + 1);
            else
                rt_ibuf_putc(b, '0');
        } else {
            rt_ibuf_puts(b, "0.");
            for (int k = 0; k < -exp10 - 1; k++)
                rt_ibuf_putc(b, '0');
            rt_ibuf_puts(b, digits);
        }
        return;
    }
    rt_ibuf_putc(b, digits[0]);
    rt_ibuf_putc(b, '.');
    rt_ibuf_puts(b, nd > 1 ? digits + 1 : "0");
    snprintf(tmp, sizeof tmp, "E%d", exp10);
    rt_ibuf_puts(b, tmp);
}

void rt_java_number(rt_ibuf *b, double d)
{
    char tmp[40];
    if (d == 0) { /* -0 too: Jackson reads "-0" as the integer 0 */
        rt_ibuf_putc(b, '0');
    } else if (!isfinite(d)) {
        rt_ibuf_puts(b, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    } else if (d == trunc(d) && fabs(d) < 9.2e18) {
        /* an integer in Java's long range: Jackson's IntNode / LongNode */
        snprintf(tmp, sizeof tmp, "%.0f", d);
        rt_ibuf_puts(b, tmp);
    } else {
        java_double(b, d);
    }
}

/* ==== Values as text ============================================================ */

void rt_java_text(rt_ibuf *b, const cJSON *v)
{
    const cJSON *e;
    bool first = true;
    switch (v ? v->type & 0xFF : cJSON_NULL) {
    case cJSON_String:
        rt_ibuf_puts(b, v->valuestring ? v->valuestring : "");
        break;
    case cJSON_Number:
        rt_java_number(b, v->valuedouble);
        break;
    case cJSON_True:
        rt_ibuf_puts(b, "true");
        break;
    case cJSON_False:
        rt_ibuf_puts(b, "false");
        break;
    case cJSON_Array: /* java.util.List.toString */
        rt_ibuf_putc(b, '[');
        cJSON_ArrayForEach (e, v) {
            if (!first)
                rt_ibuf_puts(b, ", ");
            first = false;
            rt_java_text(b, e);
        }
        rt_ibuf_putc(b, ']');
        break;
    case cJSON_Object: /* java.util.Map.toString */
        rt_ibuf_putc(b, '{');
        cJSON_ArrayForEach (e, v) {
            if (!first)
                rt_ibuf_puts(b, ", ");
            first = false;
            rt_ibuf_puts(b, e->string ? e->string : "");
            rt_ibuf_putc(b, '=');
            rt_java_text(b, e);
        }
        rt_ibuf_putc(b, '}');
        break;
    default:
        rt_ibuf_puts(b, "null");
        break;
    }
}

/* A JSON string literal as Jackson writes it: \" \\ and the short escapes
 * \b \t \n \f \r; other control characters as \u00XX (upper-case hex);
 * everything else, '/' and non-ASCII included, as it is. */
static void json_string(rt_ibuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    rt_ibuf_putc(b, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rt_ibuf_put(b, run, (size_t)(s - run));
        run = s + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\t': esc[1] = 't'; break;
        case '\n': esc[1] = 'n'; break;
        case '\f': esc[1] = 'f'; break;
        case '\r': esc[1] = 'r'; break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            len = 6;
        }
        rt_ibuf_put(b, esc, len);
    }
    rt_ibuf_put(b, run, (size_t)(s - run));
    rt_ibuf_putc(b, '"');
}

void rt_java_json(rt_ibuf *b, const cJSON *v)
{
    const cJSON *e;
    bool first = true;
    switch (v ? v->type & 0xFF : cJSON_NULL) {
    case cJSON_String:
        json_string(b, v->valuestring ? v->valuestring : "");
        break;
    case cJSON_Number:
        rt_java_number(b, v->valuedouble);
        break;
    case cJSON_True:
        rt_ibuf_puts(b, "true");
        break;
    case cJSON_False:
        rt_ibuf_puts(b, "false");
        break;
    case cJSON_Array:
        rt_ibuf_putc(b, '[');
        cJSON_ArrayForEach (e, v) {
            if (!first)
                rt_ibuf_putc(b, ',');
            first = false;
            rt_java_json(b, e);
        }
        rt_ibuf_putc(b, ']');
        break;
    case cJSON_Object:
        rt_ibuf_putc(b, '{');
        cJSON_ArrayForEach (e, v) {
            if (!first)
                rt_ibuf_putc(b, ',');
            first = false;
            json_string(b, e->string ? e->string : "");
            rt_ibuf_putc(b, ':');
            rt_java_json(b, e);
        }
        rt_ibuf_putc(b, '}');
        break;
    default:
        rt_ibuf_puts(b, "null");
        break;
    }
}

/* ==== States.Format ============================================================= */

/* States.Format(template, args...): each "{}" of the template takes the
 * next argument as text. \{ \} and \\ stand for themselves (a template
 * written in the definition keeps them as written, see intrinsic.h; one
 * read from the input is scanned the same way); any other brace, and a
 * placeholder count that differs from the argument count, fail. */
cJSON *rt_fn_format(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_String))
        return NULL;
    const char *t = a->v[0]->valuestring;
    int want = 0;
    for (const char *q = t; *q; q++) {
        if (*q == '\\' && (q[1] == '{' || q[1] == '}' || q[1] == '\\')) {
            q++;
        } else if (*q == '{') {
            if (q[1] != '}')
                return rt_intr_invalid(x, c, "the template has a '{' that is not followed by '}'");
            want++;
            q++;
        } else if (*q == '}') {
            return rt_intr_invalid(x, c, "the template has a '}' without an opening '{'");
        }
    }
    if (want != a->n - 1)
        return rt_intr_invalid(x, c, "the template has %d placeholder%s '{}' but %d argument%s follow%s it", want,
                               want == 1 ? "" : "s", a->n - 1, a->n - 1 == 1 ? "" : "s",
                               a->n - 1 == 1 ? "s" : "");
    rt_ibuf b = {0};
    rt_ibuf_put(&b, "", 0);
    int next = 1;
    const char *run = t;
    for (const char *q = t; *q; q++) {
        if (*q != '\\' && *q != '{')
            continue;
        if (*q == '\\' && !(q[1] == '{' || q[1] == '}' || q[1] == '\\'))
            continue;
        rt_ibuf_put(&b, run, (size_t)(q - run));
        if (*q == '\\') {
            rt_ibuf_putc(&b, q[1]);
        } else {
            const asl_tmpl *src = &c->args[next];
            /* A StringToJson result is a JSON node in AWS, printed as
             * JSON; everything else is the plain Java object. */
            if (src->kind == ASL_T_CALL && src->call && src->call->fn == ASL_FN_STRING_TO_JSON)
                rt_java_json(&b, a->v[next]);
            else
                rt_java_text(&b, a->v[next]);
            next++;
        }
        q++;
        run = q + 1;
    }
    rt_ibuf_puts(&b, run);
    return rt_ibuf_to_string(x, &b);
}

/* ==== States.StringSplit ========================================================= */

/* The length of the UTF-8 sequence that starts with [c]. */
static size_t seq_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* True when the character at [s] (of [len] bytes) is one of [delims]. */
static bool is_delim(const char *s, size_t len, const char *delims, const bool *ascii)
{
    if (len == 1)
        return ascii[(unsigned char)*s];
    for (const char *d = delims; *d;) {
        size_t dl = seq_len((unsigned char)*d);
        if (dl == len && memcmp(d, s, len) == 0)
            return true;
        d += dl;
    }
    return false;
}

/* States.StringSplit(text, delimiters): as Java's StringTokenizer, which
 * AWS's results match. Every character of the second argument is a
 * delimiter on its own ("This.is+a" split by ".+" gives This, is, a) and
 * empty pieces are dropped (",,a," gives [a]; "" gives []). */
cJSON *rt_fn_string_split(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_String) || !rt_intr_want(x, c, a, 1, cJSON_String))
        return NULL;
    const char *s = a->v[0]->valuestring, *delims = a->v[1]->valuestring;
    bool ascii[256] = {false};
    for (const char *d = delims; *d; d++)
        if ((unsigned char)*d < 0x80)
            ascii[(unsigned char)*d] = true;
    cJSON *out = cJSON_CreateArray();
    if (!out)
        return rt_intr_oom(x);
    const char *piece = NULL;
    for (const char *q = s;; ) {
        size_t len = *q ? seq_len((unsigned char)*q) : 0;
        bool end = *q == '\0' || is_delim(q, len, delims, ascii);
        if (end && piece) {
            cJSON *item = NULL;
            char *text = malloc((size_t)(q - piece) + 1);
            if (text) {
                memcpy(text, piece, (size_t)(q - piece));
                text[q - piece] = '\0';
                item = cJSON_CreateString(text);
                free(text);
            }
            if (!item || !cJSON_AddItemToArray(out, item)) {
                cJSON_Delete(item);
                cJSON_Delete(out);
                return rt_intr_oom(x);
            }
            piece = NULL;
        } else if (!end && !piece) {
            piece = q;
        }
        if (!*q)
            break;
        for (size_t k = 0; k < len && *q; k++)
            q++;
    }
    return out;
}

/* ==== States.StringToJson / States.JsonToString ===================================== */

/* Jackson reads "-0" as the integer 0. */
static void unsign_zeros(cJSON *v)
{
    if (cJSON_IsNumber(v) && v->valuedouble == 0) {
        cJSON_SetNumberValue(v, 0);
        return;
    }
    cJSON *e;
    cJSON_ArrayForEach (e, v)
        unsign_zeros(e);
}

/* States.StringToJson(text): the JSON document the text holds. Text that
 * is empty or blank gives null, as AWS records ("" and " " both); text
 * that is not JSON fails. The document is parsed strictly (rt_json_parse):
 * something after it is an error rather than silently ignored. */
cJSON *rt_fn_string_to_json(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_String))
        return NULL;
    const char *s = a->v[0]->valuestring;
    size_t len = strlen(s);
    if (strspn(s, " \t\r\n") == len) {
        cJSON *v = cJSON_CreateNull();
        return v ? v : rt_intr_oom(x);
    }
    char err[160];
    cJSON *v = rt_json_parse(s, len, err, sizeof err);
    if (!v)
        return rt_intr_invalid(x, c, "the string is not JSON: %s", err);
    unsign_zeros(v);
    return v;
}

/* States.JsonToString(value): compact JSON text. */
cJSON *rt_fn_json_to_string(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    (void)c;
    rt_ibuf b = {0};
    rt_ibuf_put(&b, "", 0);
    rt_java_json(&b, a->v[0]);
    return rt_ibuf_to_string(x, &b);
}
