/*
 * text.c - text helpers every layer may use: printf into a fresh string, a
 * whole file as a string, UTF-8 made valid (text from outside - a handler's
 * output - becomes JSON in the status line, the history and Catch's Cause,
 * which must stay valid UTF-8).
 *
 * Layer: base. Owns nothing; the strings it returns are the caller's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

char *rt_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *rt_read_text(const char *path, const char *what, size_t *len, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = rt_fmt("cannot read %s '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (cap - n < 2) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int e = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf || e) {
        free(buf);
        *err = rt_fmt("cannot read %s '%s': %s", what, path, e ? strerror(e) : "out of memory");
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ==== Growing text ======================================================= */

void rt_sb_put(rt_sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void rt_sb_str(rt_sbuf *b, const char *s)
{
    rt_sb_put(b, s, strlen(s));
}

void rt_sb_fmt(rt_sbuf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        rt_sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

int rt_base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

size_t rt_base64_encode(char *out, const unsigned char *in, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[k++] = abc[v >> 18];
        out[k++] = abc[(v >> 12) & 63];
        out[k++] = abc[(v >> 6) & 63];
        out[k++] = abc[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
        out[k++] = abc[v >> 18];
        out[k++] = abc[(v >> 12) & 63];
        out[k++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        out[k++] = '=';
    }
    out[k] = '\0';
    return k;
}

void rt_put_terminal(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
}

/* The length of the valid UTF-8 sequence at s[0..n) (first byte >= 0x80),
 * or 0 when it is not one: overlong forms, surrogates and code points past
 * U+10FFFF are invalid, as in JSON (RFC 8259 section 8.1). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], need, min, cp;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, min = 0x80, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, min = 0x800, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (n <= need)
        return 0;
    for (unsigned k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need + 1;
}

size_t rt_utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    /* back over at most three continuation bytes to the character's start */
    while (k > 0 && max - k < 3 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return ((unsigned char)s[k] & 0xC0) == 0x80 ? max : k;
}

char *rt_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = 0;
    for (size_t i = 0; i < n;) {
        size_t len = u[i] < 0x80 ? 1 : utf8_seq(u + i, n - i);
        bad += len == 0;
        i += len ? len : 1;
    }
    /* each bad byte becomes U+FFFD (3 bytes) */
    char *d = malloc(n + 2 * bad + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len = u[i] < 0x80 ? 1 : utf8_seq(u + i, n - i);
        if (len) {
            memcpy(d + o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(d + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    d[o] = '\0';
    return d;
}

char *rt_utf8_valid_take(char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = u[i] < 0x80 ? 1 : utf8_seq(u + i, n - i);
        if (!len)
            break;
        i += len;
    }
    if (i == n)
        return s; /* already valid: the common case costs no copy */
    char *d = rt_utf8_valid(s, n);
    if (d)
        free(s);
    else
        s[i] = '\0'; /* out of memory: keep the valid beginning */
    return d ? d : s;
}
