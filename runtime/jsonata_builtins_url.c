/*
 * jsonata_builtins_url.c - JSONata's $encodeUrl, $encodeUrlComponent,
 * $decodeUrl and $decodeUrlComponent: JavaScript's encodeURI family, with
 * a URIError turned into D3140 as jsonata-js 2.0.6 does.
 *
 * Layer: values
 */
#include <stdint.h>
#include <string.h>

#include "jsonata_builtins_text_impl.h"

/* Characters encodeURIComponent leaves alone; encodeURI also keeps the
 * reserved set (and decodeURI leaves their escapes undecoded). */
static const char UNRESERVED[] = "-_.!~*'()";
static const char RESERVED[] = ";,/?:@&=+$#";

static bool keep(unsigned char c, bool whole)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    return c && (strchr(UNRESERVED, c) || (whole && strchr(RESERVED, c)));
}

static jn_val *malformed(jn_ctx *cx, const char *fname, const jn_val *s)
{
    /* The value as JSON text: print a one-item array and drop the brackets. */
    jn_val *arr = jn_arr_new(cx, 1);
    if (!arr)
        return NULL;
    jn_arr_push(cx, arr, (jn_val *)s);
    jn_val *j = jn_stringify(cx, arr, false);
    if (!j)
        return NULL;
    return jn_throwf(cx, "D3140", "Malformed URL passed to $%s(): %.*s", fname,
                     (int)(j->u.str.len - 2), j->u.str.s + 1);
}

static jn_val *encode(jn_ctx *cx, const jn_val *v, bool whole)
{
    if (!v)
        return NULL;
    const unsigned char *s = (const unsigned char *)v->u.str.s;
    size_t len = v->u.str.len, o = 0;
    char *out = jn_alloc(cx, len * 3 + 1);
    if (!out)
        return NULL;
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        if (keep(s[i], whole)) {
            out[o++] = (char)s[i];
        } else {
            out[o++] = '%';
            out[o++] = hex[s[i] >> 4];
            out[o++] = hex[s[i] & 15];
        }
    }
    return jn_str(cx, out, o);
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The byte of the escape at s[i] ("%XY"), or -1. */
static int escape_at(const unsigned char *s, size_t len, size_t i)
{
    if (i + 2 >= len || s[i] != '%')
        return -1;
    int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
}

static jn_val *decode(jn_ctx *cx, const jn_val *v, bool whole, const char *fname)
{
    if (!v)
        return NULL;
    const unsigned char *s = (const unsigned char *)v->u.str.s;
    size_t len = v->u.str.len, o = 0;
    char *out = jn_alloc(cx, len + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        if (s[i] != '%') {
            out[o++] = (char)s[i++];
            continue;
        }
        int b = i + 2 < len ? escape_at(s, len, i) : -1;
        if (b < 0)
            return malformed(cx, fname, v);
        if (b < 0x80) {
            if (whole && strchr(RESERVED, b)) /* decodeURI keeps these escaped */
                memcpy(out + o, s + i, 3), o += 3;
            else
                out[o++] = (char)b;
            i += 3;
            continue;
        }
        /* A multi-byte UTF-8 sequence, every byte escaped, must be valid. */
        int more = (b & 0xe0) == 0xc0 ? 1 : (b & 0xf0) == 0xe0 ? 2 : (b & 0xf8) == 0xf0 ? 3 : -1;
        if (more < 0)
            return malformed(cx, fname, v);
        unsigned char seq[4] = {(unsigned char)b};
        uint32_t cp = (uint32_t)b & (0x3fu >> more);
        size_t j = i + 3;
        for (int k = 1; k <= more; k++, j += 3) {
            int c = j + 2 < len ? escape_at(s, len, j) : -1;
            if (c < 0 || (c & 0xc0) != 0x80)
                return malformed(cx, fname, v);
            seq[k] = (unsigned char)c;
            cp = (cp << 6) | ((uint32_t)c & 0x3f);
        }
        static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return malformed(cx, fname, v);
        memcpy(out + o, seq, (size_t)more + 1);
        o += (size_t)more + 1;
        i = j;
    }
    return jn_str(cx, out, o);
}

jn_val *jn_fn_encode_url(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return encode(cx, a[0], true);
}

jn_val *jn_fn_encode_url_component(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return encode(cx, a[0], false);
}

jn_val *jn_fn_decode_url(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return decode(cx, a[0], true, "decodeUrl");
}

jn_val *jn_fn_decode_url_component(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return decode(cx, a[0], false, "decodeUrlComponent");
}
