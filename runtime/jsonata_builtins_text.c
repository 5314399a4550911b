/*
 * jsonata_builtins_text.c - the text half of JSONata's built-in function
 * table (see jsonata_builtins_impl.h for which functions live here) and the
 * plain string functions, as jsonata-js 2.0.6 behaves. Like jsonata-js,
 * $length, $substring and $pad count code points (Array.from), not UTF-16
 * units.
 *
 * Layer: values
 */
#include <math.h>
#include <string.h>

#include "jsonata_builtins_impl.h"
#include "jsonata_builtins_text_impl.h"

/* Byte offset of code point [cp] in UTF-8 text (clamped to len). */
static size_t cp_to_byte(const char *s, size_t len, size_t cp)
{
    size_t i = 0;
    while (i < len && cp > 0) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
        cp--;
    }
    return i;
}

static size_t cp_len(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

/* JavaScript's Array.prototype.slice index: ToIntegerOrInfinity, negative
 * from the end, clamped to [0, n]. */
static size_t slice_index(double d, size_t n)
{
    if (isnan(d))
        return 0;
    d = trunc(d);
    if (d < 0)
        d += (double)n;
    if (d < 0)
        return 0;
    return d > (double)n ? n : (size_t)d;
}

static jn_val *fn_string(jn_ctx *cx, jn_val **a, int n)
{
    bool pretty = n > 1 && a[1] && a[1]->u.b;
    return jn_stringify(cx, a[0], pretty);
}

static jn_val *fn_length(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    return jn_num(cx, (double)cp_len(a[0]->u.str.s, a[0]->u.str.len));
}

static jn_val *fn_substring(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    /* An undefined start: jsonata-js slices from NaN, i.e. the whole
     * string, or nothing when a length is given (found by fuzzing). */
    if (!a[1])
        return n > 2 && a[2] ? jn_str(cx, "", 0) : a[0];
    const char *s = a[0]->u.str.s;
    size_t len = a[0]->u.str.len, cps = cp_len(s, len);
    double start = a[1]->u.num;
    if ((double)cps + start < 0)
        start = 0;
    size_t from = slice_index(start, cps), to = cps;
    if (n > 2 && a[2]) {
        double l = a[2]->u.num;
        if (!(l > 0))
            return jn_str(cx, "", 0);
        double end = start >= 0 ? start + l : (double)cps + start + l;
        to = slice_index(end, cps);
    }
    if (to <= from)
        return jn_str(cx, "", 0);
    size_t b0 = cp_to_byte(s, len, from);
    size_t b1 = b0 + cp_to_byte(s + b0, len - b0, to - from);
    return jn_str(cx, s + b0, b1 - b0);
}

/* Byte offset of [pat] in [s] (JavaScript indexOf), or -1. An undefined
 * [pat] is searched for as "undefined", as JavaScript converts it. */
static long index_of(const jn_val *s, const jn_val *pat)
{
    const char *ps = pat ? pat->u.str.s : "undefined";
    size_t n = s->u.str.len, m = pat ? pat->u.str.len : 9;
    if (m == 0)
        return 0;
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s->u.str.s + i, ps, m) == 0)
            return (long)i;
    return -1;
}

static jn_val *fn_substring_before(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    long p = index_of(a[0], a[1]);
    return p < 0 ? a[0] : jn_str(cx, a[0]->u.str.s, (size_t)p);
}

static jn_val *fn_substring_after(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    long p = index_of(a[0], a[1]);
    if (p < 0)
        return a[0];
    if (!a[1]) /* found "undefined", then read undefined's length */
        return jn_throwf(cx, "TypeError", "Cannot read properties of undefined (reading 'length')");
    size_t at = (size_t)p + a[1]->u.str.len;
    return jn_str(cx, a[0]->u.str.s + at, a[0]->u.str.len - at);
}

/* Runs of space, tab, CR and LF become one space; then ends are trimmed. */
static jn_val *fn_trim(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    const char *s = a[0]->u.str.s;
    size_t len = a[0]->u.str.len, o = 0;
    char *out = jn_alloc(cx, len + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        if (strchr(" \t\n\r", s[i]) && s[i]) {
            while (i < len && s[i] && strchr(" \t\n\r", s[i]))
                i++;
            out[o++] = ' ';
        } else {
            out[o++] = s[i++];
        }
    }
    size_t b = 0;
    if (o && out[0] == ' ')
        b = 1;
    if (o > b && out[o - 1] == ' ')
        o--;
    return jn_str(cx, out + b, o - b);
}

static jn_val *fn_join(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    if (jn_is_str(a[0]))
        return a[0];
    const jn_val *sep = n > 1 ? a[1] : NULL;
    size_t seplen = sep ? sep->u.str.len : 0, total = 0, k = a[0]->u.arr.n;
    for (size_t i = 0; i < k; i++)
        total += a[0]->u.arr.items[i]->u.str.len + seplen;
    char *out = jn_alloc(cx, total + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < k; i++) {
        if (i && seplen) {
            memcpy(out + o, sep->u.str.s, seplen);
            o += seplen;
        }
        const jn_val *it = a[0]->u.arr.items[i];
        memcpy(out + o, it->u.str.s, it->u.str.len);
        o += it->u.str.len;
    }
    return jn_str(cx, out, o);
}

/* $pad: to |width| code points with [char] (default " ") repeated and cut
 * to fit; a negative width pads on the left. */
static jn_val *fn_pad(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    const char *pc = " ";
    size_t pclen = 1;
    if (n > 2 && a[2] && a[2]->u.str.len) {
        pc = a[2]->u.str.s;
        pclen = a[2]->u.str.len;
    }
    if (!a[1])
        return a[0]; /* width undefined: NaN padding, none added (jsonata-js) */
    double w = a[1]->u.num;
    double want = fabs(w) - (double)cp_len(a[0]->u.str.s, a[0]->u.str.len);
    if (!(want >= 1))
        return a[0];
    if (want > 1e8)
        return jn_throwf(cx, "D1011", "Out of memory while padding a string");
    size_t padn = (size_t)want, pccp = cp_len(pc, pclen), total = 0;
    size_t full = padn / pccp, rest = padn % pccp;
    size_t restb = cp_to_byte(pc, pclen, rest);
    total = full * pclen + restb + a[0]->u.str.len;
    char *out = jn_alloc(cx, total + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    if (w > 0) {
        memcpy(out, a[0]->u.str.s, a[0]->u.str.len);
        o = a[0]->u.str.len;
    }
    for (size_t i = 0; i < full; i++, o += pclen)
        memcpy(out + o, pc, pclen);
    memcpy(out + o, pc, restb);
    o += restb;
    if (w < 0) {
        memcpy(out + o, a[0]->u.str.s, a[0]->u.str.len);
        o += a[0]->u.str.len;
    }
    return jn_str(cx, out, o);
}

/* Step Functions has no $eval: say which function to use instead. */
static jn_val *fn_eval(jn_ctx *cx, jn_val **a, int n)
{
    (void)a;
    (void)n;
    return jn_throw(cx, "D3200", "eval", NULL);
}

/* Sorted by name (strcmp order): jn_builtin_find searches it by bisection. */
const jn_builtin jn_builtins_text[] = {
    {"base64decode", "<s-:s>", jn_fn_base64decode},
    {"base64encode", "<s-:s>", jn_fn_base64encode},
    {"contains", "<s-(sf):b>", jn_fn_contains},
    {"decodeUrl", "<s-:s>", jn_fn_decode_url},
    {"decodeUrlComponent", "<s-:s>", jn_fn_decode_url_component},
    {"encodeUrl", "<s-:s>", jn_fn_encode_url},
    {"encodeUrlComponent", "<s-:s>", jn_fn_encode_url_component},
    {"eval", "<sx?:x>", fn_eval},
    {"formatBase", "<n-n?:s>", jn_fn_format_base},
    {"formatInteger", "<n-s:s>", jn_fn_format_integer},
    {"formatNumber", "<n-so?:s>", jn_fn_format_number},
    {"fromMillis", "<n-s?s?:s>", jn_fn_from_millis},
    {"hash", "<s-s:s>", jn_fn_hash},
    {"join", "<a<s>s?:s>", fn_join},
    {"length", "<s-:n>", fn_length},
    {"lowercase", "<s-:s>", jn_fn_lowercase},
    {"match", "<s-f<s:o>n?:a<o>>", jn_fn_match},
    {"millis", "<:n>", jn_fn_millis},
    {"now", "<s?s?:s>", jn_fn_now},
    {"pad", "<s-ns?:s>", fn_pad},
    {"parse", "<s-:j>", jn_fn_parse},
    {"parseInteger", "<s-s:n>", jn_fn_parse_integer},
    {"replace", "<s-(sf)(sf)n?:s>", jn_fn_replace},
    {"split", "<s-(sf)n?:a<s>>", jn_fn_split},
    {"string", "<x-b?:s>", fn_string},
    {"substring", "<s-nn?:s>", fn_substring},
    {"substringAfter", "<s-s:s>", fn_substring_after},
    {"substringBefore", "<s-s:s>", fn_substring_before},
    {"toMillis", "<s-s?:n>", jn_fn_to_millis},
    {"trim", "<s-:s>", fn_trim},
    {"uppercase", "<s-:s>", jn_fn_uppercase},
    {"uuid", "<:s>", jn_fn_uuid},
};
const size_t jn_builtins_text_count = sizeof jn_builtins_text / sizeof jn_builtins_text[0];
