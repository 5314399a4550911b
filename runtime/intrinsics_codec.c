/*
 * intrinsics_codec.c - States.Base64Encode, States.Base64Decode,
 * States.Hash and States.UUID, and the random source MathRandom uses.
 *
 * Hashes come from Nettle, loaded on the first hash (dynlib.c says why
 * not libcrypto); base64 encoding is rt_base64_encode (text.c), so that
 * it needs no library. Decoding is our own, because AWS's decoder is lenient
 * where OpenSSL's is strict (observed on AWS: "abc", "ab==cd", " YWJjZA== "
 * and "!!!invalid!!!" all decode): characters outside the alphabet are
 * skipped, the first '=' ends the data, and leftover bits make the last
 * bytes they can. The decoded bytes are read as UTF-8, each malformed
 * sequence becoming U+FFFD as in Java's new String(bytes, UTF_8).
 *
 * AWS's limits: Base64Encode, Base64Decode and Hash take at most 10,000
 * characters (Java's String.length(), rt_utf16_len). Hash takes a value
 * of any type and hashes its text (AWS hashes 123 as "123").
 *
 * UUIDs and unseeded random numbers come from random.c (getrandom(2), the kernel's
 * CSPRNG).
 *
 * Layer: values
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "dynlib.h"
#include "intrinsics_impl.h"

enum { MAX_CHARS = 10000 };

/* The text argument [k] must hold at most MAX_CHARS characters. */
static bool within_limit(asl_exec *x, const asl_call *c, const char *s, size_t len)
{
    size_t units = rt_utf16_len(s, len);
    if (units <= MAX_CHARS)
        return true;
    rt_intr_invalid(x, c, "the input is limited to %d characters, found %zu", MAX_CHARS, units);
    return false;
}

/* ==== Base64 ================================================================ */

/* States.Base64Encode(text): the standard alphabet, with padding, of the
 * text's UTF-8 bytes. */
cJSON *rt_fn_base64_encode(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_String))
        return NULL;
    const char *s = a->v[0]->valuestring;
    size_t len = strlen(s);
    if (!within_limit(x, c, s, len))
        return NULL;
    unsigned char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out)
        return rt_intr_oom(x);
    rt_base64_encode((char *)out, (const unsigned char *)s, len);
    cJSON *v = cJSON_CreateString((const char *)out);
    free(out);
    return v ? v : rt_intr_oom(x);
}


/* The length of a well-formed UTF-8 sequence at [s] (of [n] bytes), or 0
 * with *bad set to how many bytes form the malformed prefix. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned c = s[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t k = 1; k <= need; k++) {
        unsigned lo_k = k == 1 ? lo : 0x80, hi_k = k == 1 ? hi : 0xBF;
        if (k >= n || s[k] < lo_k || s[k] > hi_k) {
            *bad = k;
            return 0;
        }
    }
    return need + 1;
}

/* States.Base64Decode(text): see the top of the file for the leniency. */
cJSON *rt_fn_base64_decode(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_String))
        return NULL;
    const char *s = a->v[0]->valuestring;
    size_t len = strlen(s);
    if (!within_limit(x, c, s, len))
        return NULL;
    unsigned char *bytes = malloc(len / 4 * 3 + 3);
    if (!bytes)
        return rt_intr_oom(x);
    size_t nb = 0;
    unsigned bits = 0;
    int have = 0;
    for (size_t i = 0; i < len && s[i] != '='; i++) {
        int v = rt_base64_value((unsigned char)s[i]);
        if (v < 0)
            continue;
        bits = bits << 6 | (unsigned)v;
        if (++have == 4) {
            bytes[nb++] = (unsigned char)(bits >> 16);
            bytes[nb++] = (unsigned char)(bits >> 8);
            bytes[nb++] = (unsigned char)bits;
            bits = 0;
            have = 0;
        }
    }
    if (have == 2) {
        bytes[nb++] = (unsigned char)(bits >> 4);
    } else if (have == 3) {
        bytes[nb++] = (unsigned char)(bits >> 10);
        bytes[nb++] = (unsigned char)(bits >> 2);
    }
    /* the bytes as UTF-8 text, malformed sequences replaced */
    rt_ibuf b = {0};
    rt_ibuf_put(&b, "", 0);
    for (size_t i = 0; i < nb;) {
        if (bytes[i] == 0) {
            free(bytes);
            free(b.p);
            /* A JSON string here cannot hold U+0000; refuse rather than
             * cut the text short. */
            return rt_intr_invalid(x, c, "the decoded text contains the character U+0000, which aslc cannot "
                                         "hold in a string");
        }
        size_t bad = 0, ok = utf8_seq(bytes + i, nb - i, &bad);
        if (ok) {
            rt_ibuf_put(&b, (const char *)bytes + i, ok);
            i += ok;
        } else {
            rt_ibuf_puts(&b, "\xEF\xBF\xBD");
            i += bad;
        }
    }
    free(bytes);
    return rt_ibuf_to_string(x, &b);
}

/* ==== Hash ==================================================================== */

/* States.Hash(data, algorithm): the lower-case hex digest. */
cJSON *rt_fn_hash(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    const cJSON *data = a->v[0], *alg = a->v[1];
    if (!cJSON_IsString(alg))
        return rt_intr_invalid(x, c, "the algorithm (argument 2) must be a string, found %s",
                               rt_intr_type_name(alg));
    static const char *const names[] = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"};
    bool known = false;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        known = known || strcmp(alg->valuestring, names[k]) == 0;
    if (!known)
        return rt_intr_invalid(x, c, "'%s' is not a hash algorithm; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512",
                               alg->valuestring);
    const struct nettle_hash *h = rt_hash(alg->valuestring, strlen(alg->valuestring));
    if (!h)
        return rt_intr_invalid(x, c, "%s", rt_dynlib_error());
    rt_ibuf text = {0};
    const char *s;
    size_t len;
    if (cJSON_IsString(data)) {
        s = data->valuestring;
        len = strlen(s);
    } else {
        rt_ibuf_put(&text, "", 0);
        rt_java_text(&text, data);
        if (text.oom) {
            free(text.p);
            return rt_intr_oom(x);
        }
        s = text.p;
        len = text.n;
    }
    if (!within_limit(x, c, s, len)) {
        free(text.p);
        return NULL;
    }
    unsigned char digest[RT_HASH_MAX];
    unsigned dlen = h->digest_size;
    rt_hash_ctx ctx;
    h->init(&ctx);
    h->update(&ctx, len, (const uint8_t *)s);
    h->digest(&ctx, dlen, digest);
    free(text.p);
    char hex[2 * RT_HASH_MAX + 1];
    for (unsigned int k = 0; k < dlen; k++)
        snprintf(hex + 2 * k, 3, "%02x", digest[k]);
    hex[2 * dlen] = '\0';
    cJSON *v = cJSON_CreateString(hex);
    return v ? v : rt_intr_oom(x);
}

/* ==== UUID ===================================================================== */

/* States.UUID(): a version 4 (random) UUID, lower-case. */
cJSON *rt_fn_uuid(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    (void)c, (void)a;
    unsigned char u[16];
    if (!rt_random_bytes(u, sizeof u)) {
        asl_fail_runtime(x, "States.UUID: no random source is available");
        return NULL;
    }
    char s[37];
    rt_uuid_format(u, s);
    cJSON *v = cJSON_CreateString(s);
    return v ? v : rt_intr_oom(x);
}
