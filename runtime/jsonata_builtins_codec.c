/*
 * jsonata_builtins_codec.c - JSONata built-ins that encode text or make
 * identifiers: $base64encode and $base64decode (jsonata-js 2.0.6 on node: each UTF-16 unit
 * taken as one Latin-1 byte), Step Functions' $hash (hex digest, like
 * States.Hash) and $uuid, and $millis (one timestamp per evaluation).
 *
 * Layer: values
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include "dynlib.h"

#include "jsonata_builtins_text_impl.h"
#include "rt.h"

/* Next code point of UTF-8 text (the evaluator hands us valid UTF-8). */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
    uint32_t c = s[(*i)++];
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (more)
        c &= 0x3f >> more;
    while (more-- && *i < len)
        c = (c << 6) | (s[(*i)++] & 0x3f);
    return c;
}

jn_val *jn_fn_base64encode(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    const unsigned char *s = (const unsigned char *)a[0]->u.str.s;
    size_t len = a[0]->u.str.len, k = 0;
    unsigned char *bytes = jn_alloc(cx, len * 2 + 1);
    if (!bytes)
        return NULL;
    for (size_t i = 0; i < len;) {
        uint32_t c = next_cp(s, len, &i);
        if (c >= 0x10000) { /* a surrogate pair: two units, low bytes each */
            c -= 0x10000;
            bytes[k++] = (unsigned char)((0xd800 + (c >> 10)) & 0xff);
            bytes[k++] = (unsigned char)((0xdc00 + (c & 0x3ff)) & 0xff);
        } else {
            bytes[k++] = (unsigned char)(c & 0xff);
        }
    }
    unsigned char *out = jn_alloc(cx, (k + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t m = rt_base64_encode((char *)out, bytes, k);
    return jn_str(cx, (const char *)out, m);
}

/* Node's lenient base64: either alphabet, other characters skipped, the
 * first '=' ends the data; each byte becomes the character U+00XX
 * (toString('binary')), written as UTF-8. */
jn_val *jn_fn_base64decode(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    const unsigned char *s = (const unsigned char *)a[0]->u.str.s;
    size_t len = a[0]->u.str.len, o = 0;
    char *out = jn_alloc(cx, len * 2 + 1);
    if (!out)
        return NULL;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len && s[i] != '='; i++) {
        int v = rt_base64_value(s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            unsigned char b = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
            if (b < 0x80) {
                out[o++] = (char)b;
            } else {
                out[o++] = (char)(0xc0 | (b >> 6));
                out[o++] = (char)(0x80 | (b & 0x3f));
            }
        }
    }
    return jn_str(cx, out, o);
}

jn_val *jn_fn_hash(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    const jn_val *alg = n > 1 ? a[1] : NULL;
    static const char *const names[] = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"};
    bool known = false;
    for (size_t i = 0; alg && i < sizeof names / sizeof names[0]; i++)
        known = known || (strlen(names[i]) == alg->u.str.len &&
                          memcmp(names[i], alg->u.str.s, alg->u.str.len) == 0);
    if (!known)
        return jn_throw(cx, "D3202", NULL, alg ? alg : jn_null);
    const struct nettle_hash *h = rt_hash(alg->u.str.s, alg->u.str.len);
    if (!h)
        return jn_throw(cx, "D3202", NULL, alg);
    unsigned char dig[RT_HASH_MAX];
    unsigned dn = h->digest_size;
    rt_hash_ctx ctx;
    h->init(&ctx);
    h->update(&ctx, a[0]->u.str.len, (const uint8_t *)a[0]->u.str.s);
    h->digest(&ctx, dn, dig);
    char *hex = jn_alloc(cx, dn * 2 + 1);
    if (!hex)
        return NULL;
    for (unsigned int i = 0; i < dn; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    return jn_str(cx, hex, dn * 2);
}

jn_val *jn_fn_uuid(jn_ctx *cx, jn_val **a, int n)
{
    (void)a;
    (void)n;
    char buf[37];
    rt_uuid_v4(buf);
    return jn_str_copy(cx, buf, 36);
}

jn_val *jn_fn_millis(jn_ctx *cx, jn_val **a, int n)
{
    (void)a;
    (void)n;
    return jn_num(cx, jn_now_ms(cx));
}

/* ---- $parse (Step Functions' replacement for $eval) ---------------------- */
/* The parsed document copied into the evaluation's arena (the cJSON tree
 * is freed before returning). */
static jn_val *copy_json(jn_ctx *cx, const cJSON *j)
{
    switch (j->type & 0xff) {
    case cJSON_NULL: return jn_null;
    case cJSON_True: return jn_bool(true);
    case cJSON_False: return jn_bool(false);
    case cJSON_Number: return jn_num(cx, j->valuedouble == 0 ? 0.0 : j->valuedouble);
    case cJSON_String: return jn_str_copy(cx, j->valuestring, strlen(j->valuestring));
    case cJSON_Array: {
        jn_val *a = jn_arr_new(cx, 4);
        for (const cJSON *c = j->child; c && !jn_failed(cx); c = c->next)
            jn_arr_push(cx, a, copy_json(cx, c));
        return a;
    }
    case cJSON_Object: {
        jn_val *o = jn_obj_new(cx, 4);
        for (const cJSON *c = j->child; c && !jn_failed(cx); c = c->next) {
            size_t kl = strlen(c->string);
            jn_obj_set(cx, o, jn_strndup(cx, c->string, kl), kl, copy_json(cx, c));
        }
        return o;
    }
    }
    return NULL;
}

jn_val *jn_fn_parse(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(a[0]->u.str.s, a[0]->u.str.len, &end, false);
    if (j) {
        /* JSON.parse: only white space may follow the value */
        const char *stop = a[0]->u.str.s + a[0]->u.str.len;
        while (end && end < stop && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
            end++;
        if (end && end < stop) {
            cJSON_Delete(j);
            j = NULL;
        }
    }
    if (!j)
        return jn_throw(cx, "D3201", NULL, a[0]);
    jn_val *v = copy_json(cx, j);
    cJSON_Delete(j);
    return v;
}
