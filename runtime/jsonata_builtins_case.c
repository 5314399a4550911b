/*
 * jsonata_builtins_case.c - JSONata's $uppercase and $lowercase: String's
 * toUpperCase / toLowerCase over all of Unicode.
 *
 * The simple (one-to-one) mappings come from the C library's Unicode
 * tables through a C.UTF-8 locale object (never the process locale, which
 * the host program owns); the handful of one-to-many mappings JavaScript
 * applies unconditionally (SpecialCasing.txt: ß -> SS, ŉ -> ʼN, the
 * ligatures, İ -> i̇, ...) are listed here, as the library has no API for
 * them.
 *
 * Layer: values
 */
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <wctype.h>

#include "jsonata_builtins_text_impl.h"

static locale_t utf8_locale;
static pthread_once_t locale_once = PTHREAD_ONCE_INIT;

static void open_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* The unconditional one-to-many upper-case mappings of SpecialCasing.txt
 * that the BMP Latin, Armenian and Greek scripts use. */
static const struct {
    uint32_t cp;
    const char *upper;
} special_upper[] = {
    {0x00DF, "SS"},       {0x0149, "\xCA\xBCN"}, {0x01F0, "J\xCC\x8C"}, {0x0587, "\xD4\xB5\xD5\x92"},
    {0x1E96, "H\xCC\xB1"}, {0x1E97, "T\xCC\x88"}, {0x1E98, "W\xCC\x8A"}, {0x1E99, "Y\xCC\x8A"},
    {0x1E9A, "A\xCA\xBE"}, {0xFB00, "FF"},       {0xFB01, "FI"},        {0xFB02, "FL"},
    {0xFB03, "FFI"},      {0xFB04, "FFL"},      {0xFB05, "ST"},        {0xFB06, "ST"},
    {0x0390, "\xCE\x99\xCC\x88\xCC\x81"},       {0x03B0, "\xCE\xA5\xCC\x88\xCC\x81"},
};

static size_t decode(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + n > len)
        n = 1;
    uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; k++)
        v = (v << 6) | (s[i + k] & 0x3F);
    *cp = v;
    return n;
}

static size_t encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static jn_val *convert(jn_ctx *cx, const jn_val *str, bool upper)
{
    pthread_once(&locale_once, open_locale);
    const unsigned char *s = (const unsigned char *)str->u.str.s;
    size_t len = str->u.str.len;
    /* No mapping grows a character by more than 3x its UTF-8 bytes. */
    char *out = jn_alloc(cx, len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = decode(s, len, i, &cp);
        const char *multi = NULL;
        if (upper) {
            for (size_t k = 0; k < sizeof special_upper / sizeof *special_upper; k++)
                if (special_upper[k].cp == cp)
                    multi = special_upper[k].upper;
        } else if (cp == 0x0130)
            multi = "i\xCC\x87";   /* İ -> i + combining dot above */
        if (multi) {
            size_t ml = strlen(multi);
            memcpy(out + o, multi, ml);
            o += ml;
        } else if (n == 1 && cp < 0x80) {
            char c = (char)cp;
            if (upper && c >= 'a' && c <= 'z')
                c = (char)(c - 32);
            else if (!upper && c >= 'A' && c <= 'Z')
                c = (char)(c + 32);
            out[o++] = c;
        } else {
            uint32_t m = cp;
            if (utf8_locale)
                m = (uint32_t)(upper ? towupper_l((wint_t)cp, utf8_locale)
                                     : towlower_l((wint_t)cp, utf8_locale));
            o += encode(m, out + o);
        }
        i += n;
    }
    return jn_str(cx, out, o);
}

jn_val *jn_fn_uppercase(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return a[0] ? convert(cx, a[0], true) : NULL;
}

jn_val *jn_fn_lowercase(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return a[0] ? convert(cx, a[0], false) : NULL;
}
