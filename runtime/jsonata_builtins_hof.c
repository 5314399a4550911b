/*
 * jsonata_builtins_hof.c - JSONata's higher-order built-ins ($map $filter
 * $single $reduce $each $sift $sort) as jsonata-js 2.0.6 behaves. They call
 * back into the evaluator through jn_apply, passing as many of (value,
 * index/key, array/object) as jn_func_arity says the function takes.
 *
 * Layer: values
 */
#include <string.h>

#include "jsonata_builtins_data_impl.h"

/* The arguments jsonata-js's hofFuncArgs builds: the value, then the index
 * (or key) and the whole input when the function takes them. */
static int hof_args(const jn_val *fn, jn_val *args[3], jn_val *v, jn_val *index, jn_val *all)
{
    int arity = jn_func_arity(fn);
    args[0] = v;
    args[1] = index;
    args[2] = all;
    return arity >= 3 ? 3 : arity == 2 ? 2 : 1;
}

jn_val *jn_fn_map(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    jn_val *arr = a[0];
    if (!arr)
        return NULL;
    jn_val *out = jn_seq_new(cx, arr->u.arr.n);
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        jn_val *args[3];
        int k = hof_args(a[1], args, arr->u.arr.items[i], jn_num(cx, (double)i), arr);
        jn_val *r = jn_apply(cx, a[1], args, k);
        if (jn_failed(cx))
            return NULL;
        if (r)
            jn_arr_push(cx, out, r);
    }
    return out;
}

jn_val *jn_fn_filter(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    jn_val *arr = a[0];
    if (!arr)
        return NULL;
    jn_val *out = jn_seq_new(cx, arr->u.arr.n);
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        jn_val *args[3];
        int k = hof_args(a[1], args, arr->u.arr.items[i], jn_num(cx, (double)i), arr);
        jn_val *r = jn_apply(cx, a[1], args, k);
        if (jn_failed(cx))
            return NULL;
        if (jn_truthy(cx, r))
            jn_arr_push(cx, out, arr->u.arr.items[i]);
    }
    return out;
}

/* The one item the predicate (default: any) accepts; D3138 for a second,
 * D3139 for none. */
jn_val *jn_fn_single(jn_ctx *cx, jn_val **a, int n)
{
    jn_val *arr = a[0], *fn = n > 1 ? a[1] : NULL, *found = NULL;
    if (!arr)
        return NULL;
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        bool ok = true;
        if (fn) {
            jn_val *args[3];
            int k = hof_args(fn, args, arr->u.arr.items[i], jn_num(cx, (double)i), arr);
            jn_val *r = jn_apply(cx, fn, args, k);
            if (jn_failed(cx))
                return NULL;
            ok = jn_truthy(cx, r);
        }
        if (!ok)
            continue;
        if (found)
            return jn_throw(cx, "D3138", NULL, NULL);
        found = arr->u.arr.items[i];
    }
    if (!found)
        return jn_throw(cx, "D3139", NULL, NULL);
    return found;
}

/* A fold from the left; without an initial value the first item starts it. */
jn_val *jn_fn_reduce(jn_ctx *cx, jn_val **a, int n)
{
    jn_val *arr = a[0], *fn = a[1];
    if (!arr)
        return NULL;
    int arity = jn_func_arity(fn);
    if (arity < 2)
        return jn_throw(cx, "D3050", NULL, NULL);
    jn_val *acc = n > 2 ? a[2] : NULL;
    size_t i = 0;
    if (!acc && arr->u.arr.n > 0)
        acc = arr->u.arr.items[i++];
    for (; i < arr->u.arr.n; i++) {
        jn_val *args[4] = {acc, arr->u.arr.items[i], jn_num(cx, (double)i), arr};
        acc = jn_apply(cx, fn, args, arity >= 4 ? 4 : arity == 3 ? 3 : 2);
        if (jn_failed(cx))
            return NULL;
    }
    return acc;
}

jn_val *jn_fn_each(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    size_t np;
    const jn_pair *p = jn_obj_pairs(cx, a[0], &np);
    jn_val *out = jn_seq_new(cx, np);
    for (size_t i = 0; i < np; i++) {
        jn_val *args[3];
        int k = hof_args(a[1], args, p[i].val, jn_str(cx, p[i].key, p[i].klen), a[0]);
        jn_val *r = jn_apply(cx, a[1], args, k);
        if (jn_failed(cx))
            return NULL;
        if (r)
            jn_arr_push(cx, out, r);
    }
    return out;
}

/* The pairs the predicate accepts; undefined when none is. */
jn_val *jn_fn_sift(jn_ctx *cx, jn_val **a, int n)
{
    jn_val *fn = n > 1 ? a[1] : NULL;
    if (!a[0] || !fn)
        return NULL;
    size_t np;
    const jn_pair *p = jn_obj_pairs(cx, a[0], &np);
    jn_val *out = jn_obj_new(cx, np);
    size_t kept = 0;
    for (size_t i = 0; i < np; i++) {
        jn_val *args[3];
        int k = hof_args(fn, args, p[i].val, jn_str(cx, p[i].key, p[i].klen), a[0]);
        jn_val *r = jn_apply(cx, fn, args, k);
        if (jn_failed(cx))
            return NULL;
        if (jn_truthy(cx, r)) {
            jn_obj_set(cx, out, p[i].key, p[i].klen, p[i].val);
            kept++;
        }
    }
    return kept ? out : NULL;
}

/* ---- $sort ------------------------------------------------------------------ */

/* The next UTF-16 code unit of UTF-8 text (JavaScript compares strings by
 * code units, so astral characters sort below U+E000..U+FFFF). */
static unsigned next_unit(const unsigned char *s, size_t len, size_t *i, unsigned *pending)
{
    if (*pending) {
        unsigned u = *pending;
        *pending = 0;
        return u;
    }
    unsigned c = s[(*i)++], cp = c;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (extra)
        cp = c & (0x3F >> extra);
    for (int k = 0; k < extra && *i < len; k++)
        cp = (cp << 6) | (s[(*i)++] & 0x3F);
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *pending = 0xDC00 | (cp & 0x3FF);
        return 0xD800 | (cp >> 10);
    }
    return cp;
}

static int str_cmp16(const jn_val *a, const jn_val *b)
{
    const unsigned char *p = (const unsigned char *)a->u.str.s, *q = (const unsigned char *)b->u.str.s;
    size_t i = 0, j = 0;
    unsigned pa = 0, pb = 0;
    while ((i < a->u.str.len || pa) && (j < b->u.str.len || pb)) {
        unsigned x = next_unit(p, a->u.str.len, &i, &pa), y = next_unit(q, b->u.str.len, &j, &pb);
        if (x != y)
            return x < y ? -1 : 1;
    }
    bool more_a = i < a->u.str.len || pa, more_b = j < b->u.str.len || pb;
    return more_a == more_b ? 0 : more_a ? 1 : -1;
}

/* JavaScript truthiness of a comparator's result (not JSONata's: an
 * empty array or object is true). */
static bool js_truthy(const jn_val *v)
{
    if (!v)
        return false;
    switch ((jn_type)v->type) {
    case JN_NULL: return false;
    case JN_BOOL: return v->u.b;
    case JN_NUMBER: return v->u.num != 0 && v->u.num == v->u.num;
    case JN_STRING: return v->u.str.len > 0;
    default: return true;
    }
}

/* Whether [l] must come after [r]: the comparator's answer, or l > r. */
static bool after(jn_ctx *cx, const jn_val *fn, jn_val *l, jn_val *r)
{
    if (!fn) {
        if (l->type == JN_NUMBER)
            return l->u.num > r->u.num;
        return str_cmp16(l, r) > 0;
    }
    jn_val *args[2] = {l, r};
    jn_val *res = jn_apply(cx, fn, args, 2);
    return !jn_failed(cx) && js_truthy(res);
}

/* Stable top-down merge sort of [v][lo, hi) using [tmp]; jsonata-js's
 * merge takes the right item only when the comparator says so. */
static void msort(jn_ctx *cx, const jn_val *fn, jn_val **v, jn_val **tmp, size_t lo, size_t hi)
{
    if (hi - lo <= 1 || jn_failed(cx))
        return;
    size_t mid = lo + (hi - lo) / 2;
    msort(cx, fn, v, tmp, lo, mid);
    msort(cx, fn, v, tmp, mid, hi);
    size_t i = lo, j = mid, o = lo;
    while (i < mid && j < hi) {
        if (jn_failed(cx) || !jn_tick(cx))
            return;
        if (after(cx, fn, v[i], v[j]))
            tmp[o++] = v[j++];
        else
            tmp[o++] = v[i++];
    }
    while (i < mid)
        tmp[o++] = v[i++];
    while (j < hi)
        tmp[o++] = v[j++];
    memcpy(v + lo, tmp + lo, (hi - lo) * sizeof *v);
}

jn_val *jn_fn_sort(jn_ctx *cx, jn_val **a, int n)
{
    jn_val *arr = a[0], *fn = n > 1 ? a[1] : NULL;
    if (!arr || arr->u.arr.n <= 1)
        return arr;
    size_t k = arr->u.arr.n;
    if (!fn) {
        int t = arr->u.arr.items[0]->type;
        bool same = t == JN_NUMBER || t == JN_STRING;
        for (size_t i = 1; i < k && same; i++)
            same = arr->u.arr.items[i]->type == t;
        if (!same)
            return jn_throw(cx, "D3070", NULL, NULL);
    }
    jn_val *out = jn_arr_new(cx, k);
    for (size_t i = 0; i < k; i++)
        jn_arr_push(cx, out, arr->u.arr.items[i]);
    jn_val **tmp = jn_alloc(cx, k * sizeof *tmp);
    msort(cx, fn, out->u.arr.items, tmp, 0, k);
    return jn_failed(cx) ? NULL : out;
}
