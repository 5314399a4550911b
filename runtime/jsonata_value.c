/*
 * jsonata_value.c - building, reading, comparing and printing JSONata
 * values (runtime layer: values), plus jn_throw and its message table.
 *
 * Layer: values
 *
 * Everything is allocated from the evaluation's arena (jsonata_ctx.c).
 * Borrowed cJSON input is wrapped in place: scalars become plain values,
 * arrays are materialized one level, objects stay lazy until iterated.
 * Objects keep insertion order in a pair array; past INDEX_MIN pairs an
 * open-addressing hash over the keys makes lookups O(1).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonata_ctx.h"
#include "rt.h"
#include "jsonata_value.h"

jn_val jn_null_val = {.type = JN_NULL};
jn_val jn_true_val = {.type = JN_BOOL, .u.b = true};
jn_val jn_false_val = {.type = JN_BOOL, .u.b = false};

/* ==== Building ============================================================ */
static jn_val *new_val(jn_ctx *cx, jn_type t)
{
    jn_val *v = jn_alloc(cx, sizeof *v);
    v->type = (uint8_t)t;
    return v;
}

jn_val *jn_num(jn_ctx *cx, double d)
{
    jn_val *v = new_val(cx, JN_NUMBER);
    v->u.num = d;
    return v;
}

jn_val *jn_str(jn_ctx *cx, const char *s, size_t len)
{
    jn_val *v = new_val(cx, JN_STRING);
    v->u.str.s = s ? s : "";
    v->u.str.len = s ? len : 0;
    return v;
}

jn_val *jn_str_copy(jn_ctx *cx, const char *s, size_t len)
{
    return jn_str(cx, jn_strndup(cx, s ? s : "", s ? len : 0), s ? len : 0);
}

jn_val *jn_str_printf(jn_ctx *cx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *buf = jn_alloc(cx, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return jn_str(cx, buf, strlen(buf));
}

jn_val *jn_arr_new(jn_ctx *cx, size_t cap_hint)
{
    jn_val *v = new_val(cx, JN_ARRAY);
    if (cap_hint) {
        v->u.arr.items = jn_alloc(cx, cap_hint * sizeof(jn_val *));
        v->u.arr.cap = cap_hint;
    }
    return v;
}

jn_val *jn_seq_new(jn_ctx *cx, size_t cap_hint)
{
    jn_val *v = jn_arr_new(cx, cap_hint);
    v->flags = JN_F_SEQUENCE;
    return v;
}

void jn_arr_push(jn_ctx *cx, jn_val *arr, jn_val *v)
{
    if (!v || jn_failed(cx))
        return;
    if (arr->u.arr.n == arr->u.arr.cap) {
        size_t cap = arr->u.arr.cap ? arr->u.arr.cap * 2 : 4;
        jn_val **items = jn_alloc(cx, cap * sizeof *items);
        if (jn_failed(cx))
            return;
        if (arr->u.arr.n)
            memcpy(items, arr->u.arr.items, arr->u.arr.n * sizeof *items);
        arr->u.arr.items = items;
        arr->u.arr.cap = cap;
    }
    arr->u.arr.items[arr->u.arr.n++] = v;
}

jn_val *jn_obj_new(jn_ctx *cx, size_t cap_hint)
{
    jn_val *v = new_val(cx, JN_OBJECT);
    if (cap_hint) {
        v->u.obj.pairs = jn_alloc(cx, cap_hint * sizeof(jn_pair));
        v->u.obj.cap = cap_hint;
    }
    return v;
}

/* ---- the key index of big objects ---- */
enum { INDEX_MIN = 16 };

typedef struct obj_index {
    size_t cap;         /* power of two */
    size_t *slot;       /* pair index + 1; 0 = empty */
} obj_index;

static size_t key_hash(const char *k, size_t n)
{
    size_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211u;
    return h;
}

static void index_put(obj_index *ix, const jn_pair *pairs, size_t i)
{
    size_t m = ix->cap - 1, h = key_hash(pairs[i].key, pairs[i].klen) & m;
    while (ix->slot[h])
        h = (h + 1) & m;
    ix->slot[h] = i + 1;
}

static void index_build(jn_ctx *cx, jn_val *obj, size_t cap)
{
    obj_index *ix = jn_alloc(cx, sizeof *ix);
    ix->slot = jn_alloc(cx, cap * sizeof(size_t));
    if (jn_failed(cx))
        return;
    ix->cap = cap;
    for (size_t i = 0; i < obj->u.obj.n; i++)
        index_put(ix, obj->u.obj.pairs, i);
    obj->u.obj.index = ix;
}

static long find_pair(const jn_val *obj, const char *key, size_t klen)
{
    const jn_pair *p = obj->u.obj.pairs;
    const obj_index *ix = obj->u.obj.index;
    if (ix) {
        size_t m = ix->cap - 1, h = key_hash(key, klen) & m;
        for (; ix->slot[h]; h = (h + 1) & m) {
            size_t i = ix->slot[h] - 1;
            if (p[i].klen == klen && memcmp(p[i].key, key, klen) == 0)
                return (long)i;
        }
        return -1;
    }
    for (size_t i = 0; i < obj->u.obj.n; i++)
        if (p[i].klen == klen && memcmp(p[i].key, key, klen) == 0)
            return (long)i;
    return -1;
}

static void materialize(jn_ctx *cx, jn_val *obj);

void jn_obj_set(jn_ctx *cx, jn_val *obj, const char *key, size_t klen, jn_val *v)
{
    if (jn_failed(cx))
        return;
    if (obj->json && !obj->u.obj.pairs)
        materialize(cx, obj);
    long at = find_pair(obj, key, klen);
    if (at >= 0) {
        obj->u.obj.pairs[at].val = v;
        return;
    }
    if (obj->u.obj.n == obj->u.obj.cap) {
        size_t cap = obj->u.obj.cap ? obj->u.obj.cap * 2 : 4;
        jn_pair *pairs = jn_alloc(cx, cap * sizeof *pairs);
        if (jn_failed(cx))
            return;
        if (obj->u.obj.n)
            memcpy(pairs, obj->u.obj.pairs, obj->u.obj.n * sizeof *pairs);
        obj->u.obj.pairs = pairs;
        obj->u.obj.cap = cap;
    }
    size_t i = obj->u.obj.n++;
    obj->u.obj.pairs[i] = (jn_pair){key, klen, v};
    obj_index *ix = obj->u.obj.index;
    if (ix && obj->u.obj.n * 2 > ix->cap)
        index_build(cx, obj, ix->cap * 2);
    else if (ix)
        index_put(ix, obj->u.obj.pairs, i);
    else if (obj->u.obj.n >= INDEX_MIN)
        index_build(cx, obj, 64);
}

/* ==== cJSON in and out ==================================================== */
jn_val *jn_from_json(jn_ctx *cx, const cJSON *j)
{
    if (!j)
        return NULL;
    jn_val *v;
    switch (j->type & 0xff) {
    case cJSON_NULL: return jn_null;
    case cJSON_True: return &jn_true_val;
    case cJSON_False: return &jn_false_val;
    case cJSON_Number: return jn_num(cx, j->valuedouble);
    case cJSON_String:
    case cJSON_Raw:
        return jn_str(cx, j->valuestring, j->valuestring ? strlen(j->valuestring) : 0);
    case cJSON_Array: {
        size_t n = 0;
        for (const cJSON *c = j->child; c; c = c->next)
            n++;
        v = jn_arr_new(cx, n);
        v->json = j;
        for (const cJSON *c = j->child; c; c = c->next)
            jn_arr_push(cx, v, jn_from_json(cx, c));
        return v;
    }
    case cJSON_Object:
        v = new_val(cx, JN_OBJECT);
        v->json = j;
        return v;
    default:
        return NULL;
    }
}

/* A wrapped object's pairs, built once; duplicate keys keep the first
 * position and the last value, as JSON.parse does. */
static void materialize(jn_ctx *cx, jn_val *obj)
{
    size_t n = 0;
    for (const cJSON *c = obj->json->child; c; c = c->next)
        n++;
    obj->u.obj.pairs = jn_alloc(cx, (n ? n : 1) * sizeof(jn_pair));
    obj->u.obj.cap = n ? n : 1;
    obj->u.obj.n = 0;
    for (const cJSON *c = obj->json->child; c; c = c->next) {
        const char *k = c->string ? c->string : "";
        jn_obj_set(cx, obj, k, strlen(k), jn_from_json(cx, c));
    }
}

static bool add_item(cJSON *parent, const char *key, cJSON *item)
{
    if (!item)
        return true;
    bool ok = key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
    if (!ok)
        cJSON_Delete(item);
    return ok;
}

cJSON *jn_to_json(jn_ctx *cx, const jn_val *v)
{
    if (!v)
        return NULL;
    switch ((jn_type)v->type) {
    case JN_NULL: return cJSON_CreateNull();
    case JN_BOOL: return cJSON_CreateBool(v->u.b);
    case JN_NUMBER: return isfinite(v->u.num) ? cJSON_CreateNumber(v->u.num) : cJSON_CreateNull();
    case JN_STRING: {
        char *s = malloc(v->u.str.len + 1);
        if (!s)
            return NULL;
        memcpy(s, v->u.str.s, v->u.str.len);
        s[v->u.str.len] = 0;
        cJSON *r = cJSON_CreateString(s);
        free(s);
        return r;
    }
    case JN_FUNCTION: return cJSON_CreateString("");
    case JN_ARRAY: {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a && i < v->u.arr.n; i++) {
            const jn_val *it = v->u.arr.items[i];
            /* JSON.stringify writes null for a function inside an array. */
            cJSON *c = jn_is_fn(it) ? cJSON_CreateNull() : jn_to_json(cx, it);
            if (!add_item(a, NULL, c)) {
                cJSON_Delete(a);
                return NULL;
            }
        }
        return a;
    }
    case JN_OBJECT: {
        cJSON *o = cJSON_CreateObject();
        size_t n;
        const jn_pair *p = jn_obj_pairs(cx, v, &n);
        for (size_t i = 0; o && i < n; i++) {
            if (!p[i].val || jn_is_fn(p[i].val))
                continue;
            char *k = malloc(p[i].klen + 1);
            if (!k) {
                cJSON_Delete(o);
                return NULL;
            }
            memcpy(k, p[i].key, p[i].klen);
            k[p[i].klen] = 0;
            bool ok = add_item(o, k, jn_to_json(cx, p[i].val));
            free(k);
            if (!ok) {
                cJSON_Delete(o);
                return NULL;
            }
        }
        return o;
    }
    }
    return NULL;
}

/* ==== Reading ============================================================= */
jn_val *jn_obj_get(jn_ctx *cx, const jn_val *obj, const char *key, size_t klen)
{
    if (!jn_is_obj(obj))
        return NULL;
    if (obj->json && !obj->u.obj.pairs) {
        /* Lazy: scan the cJSON children; the last duplicate wins. */
        const cJSON *hit = NULL;
        for (const cJSON *c = obj->json->child; c; c = c->next)
            if (c->string && strlen(c->string) == klen && memcmp(c->string, key, klen) == 0)
                hit = c;
        return hit ? jn_from_json(cx, hit) : NULL;
    }
    long i = find_pair(obj, key, klen);
    return i >= 0 ? obj->u.obj.pairs[i].val : NULL;
}

const jn_pair *jn_obj_pairs(jn_ctx *cx, const jn_val *obj, size_t *n)
{
    *n = 0;
    if (!jn_is_obj(obj))
        return NULL;
    if (obj->json && !obj->u.obj.pairs)
        materialize(cx, (jn_val *)obj);   /* a cache: the value's meaning is unchanged */
    *n = obj->u.obj.n;
    return obj->u.obj.pairs;
}

bool jn_deep_equal(jn_ctx *cx, const jn_val *a, const jn_val *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->type != b->type)
        return false;
    switch ((jn_type)a->type) {
    case JN_NULL: return true;
    case JN_BOOL: return a->u.b == b->u.b;
    case JN_NUMBER: return a->u.num == b->u.num;
    case JN_STRING:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    case JN_ARRAY:
        if (a->u.arr.n != b->u.arr.n)
            return false;
        for (size_t i = 0; i < a->u.arr.n; i++)
            if (!jn_deep_equal(cx, a->u.arr.items[i], b->u.arr.items[i]))
                return false;
        return true;
    case JN_OBJECT: {
        size_t na, nb;
        const jn_pair *pa = jn_obj_pairs(cx, a, &na);
        jn_obj_pairs(cx, b, &nb);
        if (na != nb)
            return false;
        for (size_t i = 0; i < na; i++)
            if (!jn_deep_equal(cx, pa[i].val, jn_obj_get(cx, b, pa[i].key, pa[i].klen)))
                return false;
        return true;
    }
    case JN_FUNCTION: return a->u.fn == b->u.fn;
    }
    return false;
}

bool jn_truthy(jn_ctx *cx, const jn_val *v)
{
    if (!v)
        return false;
    switch ((jn_type)v->type) {
    case JN_NULL: return false;
    case JN_BOOL: return v->u.b;
    case JN_NUMBER: return v->u.num != 0;
    case JN_STRING: return v->u.str.len > 0;
    case JN_FUNCTION: return false;
    case JN_OBJECT: {
        size_t n;
        jn_obj_pairs(cx, v, &n);
        return n > 0;
    }
    case JN_ARRAY:
        /* One item: that item's truth; more: true if any item is true. */
        if (v->u.arr.n == 1)
            return jn_truthy(cx, v->u.arr.items[0]);
        for (size_t i = 0; i < v->u.arr.n; i++)
            if (jn_truthy(cx, v->u.arr.items[i]))
                return true;
        return false;
    }
    return false;
}

/* ==== Numbers as JavaScript prints them =================================== */
/* The shortest decimal digits that read back as [d] (d finite, > 0):
 * digits in [dig] (no dot), returns their count; *exp10 is the n of
 * ECMA-262's Number::toString (value = 0.d1d2... x 10^n). */
static int shortest_digits(double d, char dig[20], int *exp10)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d || prec == 17)
            break;
    }
    /* buf is "D.DDDDe[+-]XX" */
    int k = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            dig[k++] = *p;
    int e = atoi(p + 1);
    while (k > 1 && dig[k - 1] == '0')
        k--;
    dig[k] = 0;
    *exp10 = e + 1;
    return k;
}

size_t jn_num_tostr(double d, char out[32])
{
    if (isnan(d))
        return (size_t)snprintf(out, 32, "NaN");
    if (isinf(d))
        return (size_t)snprintf(out, 32, d < 0 ? "-Infinity" : "Infinity");
    if (d == 0)
        return (size_t)snprintf(out, 32, "0");
    size_t o = 0;
    if (d < 0) {
        out[o++] = '-';
        d = -d;
    }
    char dig[20];
    int n, k = shortest_digits(d, dig, &n);
    if (k <= n && n <= 21) {
        memcpy(out + o, dig, (size_t)k);
        o += (size_t)k;
        for (int i = k; i < n; i++)
            out[o++] = '0';
    } else if (0 < n && n <= 21) {
        memcpy(out + o, dig, (size_t)n);
        o += (size_t)n;
        out[o++] = '.';
        memcpy(out + o, dig + n, (size_t)(k - n));
        o += (size_t)(k - n);
    } else if (-6 < n && n <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -n; i++)
            out[o++] = '0';
        memcpy(out + o, dig, (size_t)k);
        o += (size_t)k;
    } else {
        out[o++] = dig[0];
        if (k > 1) {
            out[o++] = '.';
            memcpy(out + o, dig + 1, (size_t)(k - 1));
            o += (size_t)(k - 1);
        }
        o += (size_t)snprintf(out + o, 32 - o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
    out[o] = 0;
    return o;
}

/* ==== JSON text (for $string and error values) ============================ */

/* JSON.stringify's string quoting: ", \ and control characters escaped,
 * everything else (non-ASCII included) as it is. */
static void sb_quote(rt_sbuf *b, const char *s, size_t n)
{
    rt_sb_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                snprintf(u, sizeof u, "\\u%04x", c);
                esc = u;
            }
        }
        if (esc) {
            rt_sb_put(b, s + run, i - run);
            rt_sb_str(b, esc);
            run = i + 1;
        }
    }
    rt_sb_put(b, s + run, n - run);
    rt_sb_put(b, "\"", 1);
}

static void sb_indent(rt_sbuf *b, int indent, int level)
{
    if (!indent)
        return;
    rt_sb_put(b, "\n", 1);
    for (int i = 0; i < indent * level; i++)
        rt_sb_put(b, " ", 1);
}

/* [v] as JSON.stringify(v, jsonata-js's replacer, indent) writes it:
 * numbers rounded to 15 significant digits, functions as "", non-finite
 * numbers as null. Returns false when [v] writes nothing (undefined). */
static bool sb_json(jn_ctx *cx, rt_sbuf *b, const jn_val *v, int indent, int level)
{
    if (!v)
        return false;
    char num[40];
    switch ((jn_type)v->type) {
    case JN_NULL: rt_sb_str(b, "null"); return true;
    case JN_BOOL: rt_sb_str(b, v->u.b ? "true" : "false"); return true;
    case JN_NUMBER:
        if (!isfinite(v->u.num)) {
            rt_sb_str(b, "null");
        } else {
            snprintf(num, sizeof num, "%.14e", v->u.num);
            jn_num_tostr(strtod(num, NULL), num);
            rt_sb_str(b, num);
        }
        return true;
    case JN_STRING: sb_quote(b, v->u.str.s, v->u.str.len); return true;
    case JN_FUNCTION: rt_sb_str(b, "\"\""); return true;
    case JN_ARRAY:
        if (!v->u.arr.n) {
            rt_sb_str(b, "[]");
            return true;
        }
        rt_sb_put(b, "[", 1);
        for (size_t i = 0; i < v->u.arr.n; i++) {
            if (i)
                rt_sb_put(b, ",", 1);
            sb_indent(b, indent, level + 1);
            if (!sb_json(cx, b, v->u.arr.items[i], indent, level + 1))
                rt_sb_str(b, "null");
        }
        sb_indent(b, indent, level);
        rt_sb_put(b, "]", 1);
        return true;
    case JN_OBJECT: {
        size_t n;
        const jn_pair *p = jn_obj_pairs(cx, v, &n);
        bool any = false;
        rt_sb_put(b, "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (!p[i].val)
                continue;
            if (any)
                rt_sb_put(b, ",", 1);
            any = true;
            sb_indent(b, indent, level + 1);
            sb_quote(b, p[i].key, p[i].klen);
            rt_sb_str(b, indent ? ": " : ":");
            sb_json(cx, b, p[i].val, indent, level + 1);
        }
        if (any)
            sb_indent(b, indent, level);
        rt_sb_put(b, "}", 1);
        return true;
    }
    }
    return false;
}

static const jn_val *nonfinite_in(jn_ctx *cx, const jn_val *v, int depth)
{
    if (!v || depth > 10000)
        return NULL;
    if (jn_is_num(v))
        return isfinite(v->u.num) ? NULL : v;
    if (jn_is_array(v)) {
        for (size_t i = 0; i < v->u.arr.n; i++) {
            const jn_val *b = nonfinite_in(cx, v->u.arr.items[i], depth + 1);
            if (b)
                return b;
        }
    } else if (jn_is_obj(v)) {
        size_t n;
        const jn_pair *p = jn_obj_pairs(cx, v, &n);
        for (size_t i = 0; i < n; i++) {
            const jn_val *b = nonfinite_in(cx, p[i].val, depth + 1);
            if (b)
                return b;
        }
    }
    return NULL;
}

jn_val *jn_stringify(jn_ctx *cx, const jn_val *v, bool pretty)
{
    if (!v)
        return NULL;
    if (jn_is_str(v))
        return (jn_val *)v;
    if (jn_is_fn(v))
        return jn_str(cx, "", 0);
    if (jn_is_num(v) && !isfinite(v->u.num))
        return jn_throw(cx, "D3001", NULL, v);
    /* jsonata-js's replacer tests every number with isNumeric, which
     * rejects an infinite one nested anywhere. */
    const jn_val *bad = nonfinite_in(cx, v, 0);
    if (bad)
        return jn_throw(cx, "D1001", NULL, bad);
    /* A path's outer wrapper prints its single item. */
    if (jn_is_array(v) && (v->flags & JN_F_OUTER) && v->u.arr.n)
        v = v->u.arr.items[0];
    rt_sbuf b = {0};
    sb_json(cx, &b, v, pretty ? 2 : 0, 0);
    if (b.oom) {
        free(b.p);
        return jn_throwf(cx, "D1011", "Out of memory while converting a value to a string");
    }
    jn_val *r = jn_str_copy(cx, b.p ? b.p : "", b.n);
    free(b.p);
    return r;
}

/* ==== UTF-16 indexes ====================================================== */
size_t jn_utf16_len(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xc0) == 0x80)
            continue;            /* continuation byte */
        n += c >= 0xf0 ? 2 : 1;  /* 4-byte sequences are surrogate pairs */
    }
    return n;
}

size_t jn_utf16_to_byte(const char *s, size_t len, size_t idx)
{
    size_t u = 0, i = 0;
    while (i < len && u < idx) {
        unsigned char c = (unsigned char)s[i];
        size_t step = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        size_t units = c >= 0xf0 ? 2 : 1;
        if (u + units > idx)
            break;   /* an index inside a surrogate pair: stay before it */
        u += units;
        i += step;
        if (i > len)
            i = len;
    }
    return i;
}

/* ==== Errors ============================================================== */
typedef struct err_entry {
    const char *code, *tmpl;
} err_entry;

static const err_entry err_table[] = {
#define JN_ERR(code, tmpl) {code, tmpl},
#include "jsonata_errors.def"
#undef JN_ERR
};

static const char *err_template(const char *code)
{
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
        if (strcmp(err_table[i].code, code) == 0)
            return err_table[i].tmpl;
    return NULL;
}

/* jsonata-js fills {{name}} with JSON.stringify of the error's property
 * (a token comes out quoted) and {{{name}}} with the property as it is;
 * token and value are carried here, another name is left as written.
 * [value] is already JSON text. */
static void fill_template(char *out, size_t cap, const char *t, const char *token,
                          const char *value)
{
    size_t o = 0;
    while (*t && o + 1 < cap) {
        if (t[0] == '{' && t[1] == '{') {
            bool triple = t[2] == '{';
            const char *name = t + (triple ? 3 : 2);
            const char *end = strstr(name, triple ? "}}}" : "}}");
            if (end) {
                size_t nl = (size_t)(end - name);
                const char *sub = NULL;
                char qtok[160];
                if (nl == 5 && memcmp(name, "token", 5) == 0) {
                    snprintf(qtok, sizeof qtok, triple ? "%s" : "\"%s\"", token ? token : "");
                    sub = qtok;
                }
                else if (nl == 5 && memcmp(name, "value", 5) == 0)
                    sub = value ? value : "";
                if (sub) {
                    o += (size_t)snprintf(out + o, cap - o, "%s", sub);
                    if (o >= cap)
                        o = cap - 1;
                    t = end + (triple ? 3 : 2);
                    continue;
                }
            }
        }
        out[o++] = *t++;
    }
    out[o] = 0;
}

jn_val *jn_throw(jn_ctx *cx, const char *code, const char *token, const jn_val *value)
{
    if (jn_failed(cx))
        return NULL;
    char vbuf[256] = "";
    if (value) {
        rt_sbuf b = {0};
        if (jn_is_num(value) && !isfinite(value->u.num)) {
            jn_num_tostr(value->u.num, vbuf);
        } else {
            sb_json(cx, &b, value, 0, 0);
            snprintf(vbuf, sizeof vbuf, "%s", b.p ? b.p : "");
        }
        free(b.p);
    }
    char msg[512];
    const char *t = err_template(code);
    fill_template(msg, sizeof msg, t ? t : code, token, vbuf);
    jn_ctx_set_error(cx, code, cx->pos, token, msg);
    snprintf(cx->err.value, sizeof cx->err.value, "%s", vbuf);
    return NULL;
}

jn_val *jn_throwf(jn_ctx *cx, const char *code, const char *fmt, ...)
{
    if (jn_failed(cx))
        return NULL;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jn_ctx_set_error(cx, code, cx->pos, NULL, msg);
    return NULL;
}
