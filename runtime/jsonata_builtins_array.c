/*
 * jsonata_builtins_array.c - JSONata's array and object built-ins
 * ($append $reverse $shuffle $distinct $keys $lookup $spread $merge $zip)
 * as jsonata-js 2.0.6 behaves, and Step Functions' $partition and $range.
 * Which results are sequences (collapsed by the evaluator when they hold
 * one item) and which plain arrays follows jsonata-js.
 *
 * Layer: values
 */
#include <math.h>
#include <string.h>

#include "jsonata_builtins_data_impl.h"

static jn_val *copy_arr(jn_ctx *cx, const jn_val *arr, bool seq)
{
    jn_val *out = seq ? jn_seq_new(cx, arr->u.arr.n) : jn_arr_new(cx, arr->u.arr.n);
    for (size_t i = 0; i < arr->u.arr.n; i++)
        jn_arr_push(cx, out, arr->u.arr.items[i]);
    return out;
}

/* Array.prototype.concat: a plain array whatever the operands were. */
jn_val *jn_fn_append(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return a[1];
    if (!a[1])
        return a[0];
    jn_val *out = jn_arr_new(cx, 4);
    for (int k = 0; k < 2; k++) {
        if (jn_is_array(a[k]))
            for (size_t i = 0; i < a[k]->u.arr.n; i++)
                jn_arr_push(cx, out, a[k]->u.arr.items[i]);
        else
            jn_arr_push(cx, out, a[k]);
    }
    return out;
}

jn_val *jn_fn_reverse(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0] || a[0]->u.arr.n <= 1)
        return a[0];
    size_t k = a[0]->u.arr.n;
    jn_val *out = jn_arr_new(cx, k);
    for (size_t i = k; i-- > 0;)
        jn_arr_push(cx, out, a[0]->u.arr.items[i]);
    return out;
}

/* Fisher-Yates over a copy, drawing from the kernel's source. */
jn_val *jn_fn_shuffle(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0] || a[0]->u.arr.n <= 1)
        return a[0];
    jn_val *out = copy_arr(cx, a[0], false);
    for (size_t i = out->u.arr.n - 1; i > 0; i--) {
        double r;
        if (!jn_random_unit(&r))
            return jn_throwf(cx, "D3137", "$shuffle(): no random source is available");
        size_t j = (size_t)floor(r * (double)(i + 1));
        jn_val *t = out->u.arr.items[i];
        out->u.arr.items[i] = out->u.arr.items[j];
        out->u.arr.items[j] = t;
    }
    return out;
}

/* Deep-equal duplicates dropped, first occurrence kept; quadratic as
 * jsonata-js's is, with the guard ticking. */
jn_val *jn_fn_distinct(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    jn_val *arr = a[0];
    if (!jn_is_array(arr) || arr->u.arr.n <= 1)
        return arr;
    jn_val *out = jn_is_seq(arr) ? jn_seq_new(cx, arr->u.arr.n) : jn_arr_new(cx, arr->u.arr.n);
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        jn_val *v = arr->u.arr.items[i];
        bool seen = false;
        for (size_t j = 0; j < out->u.arr.n && !seen; j++)
            seen = jn_deep_equal(cx, out->u.arr.items[j], v);
        if (!jn_tick(cx))
            return NULL;
        if (!seen)
            jn_arr_push(cx, out, v);
    }
    return out;
}

static bool has_key(const jn_val *seq, const char *k, size_t kl)
{
    for (size_t i = 0; i < seq->u.arr.n; i++) {
        const jn_val *s = seq->u.arr.items[i];
        if (s->u.str.len == kl && memcmp(s->u.str.s, k, kl) == 0)
            return true;
    }
    return false;
}

static void keys_into(jn_ctx *cx, const jn_val *v, jn_val *out)
{
    if (jn_is_array(v)) {
        for (size_t i = 0; i < v->u.arr.n; i++)
            keys_into(cx, v->u.arr.items[i], out);
    } else if (jn_is_obj(v)) {
        size_t np;
        const jn_pair *p = jn_obj_pairs(cx, v, &np);
        for (size_t i = 0; i < np; i++)
            if (!has_key(out, p[i].key, p[i].klen))
                jn_arr_push(cx, out, jn_str(cx, p[i].key, p[i].klen));
    }
}

/* The keys of an object, or the union of the keys of an array's objects. */
jn_val *jn_fn_keys(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    jn_val *out = jn_seq_new(cx, 8);
    keys_into(cx, a[0], out);
    return out;
}

static jn_val *lookup(jn_ctx *cx, const jn_val *in, const jn_val *key)
{
    if (jn_is_array(in)) {
        jn_val *out = jn_seq_new(cx, in->u.arr.n);
        for (size_t i = 0; i < in->u.arr.n; i++) {
            jn_val *r = lookup(cx, in->u.arr.items[i], key);
            if (jn_is_array(r))
                for (size_t j = 0; j < r->u.arr.n; j++)
                    jn_arr_push(cx, out, r->u.arr.items[j]);
            else if (r)
                jn_arr_push(cx, out, r);
        }
        return out;
    }
    if (jn_is_obj(in))
        return jn_obj_get(cx, in, key->u.str.s, key->u.str.len);
    return NULL;
}

jn_val *jn_fn_lookup(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    return a[1] ? lookup(cx, a[0], a[1]) : NULL; /* no key: undefined */
}

static void spread_into(jn_ctx *cx, jn_val *v, jn_val *out)
{
    if (jn_is_array(v)) {
        for (size_t i = 0; i < v->u.arr.n; i++)
            spread_into(cx, v->u.arr.items[i], out);
    } else if (jn_is_obj(v)) {
        size_t np;
        const jn_pair *p = jn_obj_pairs(cx, v, &np);
        for (size_t i = 0; i < np; i++) {
            jn_val *o = jn_obj_new(cx, 1);
            jn_obj_set(cx, o, p[i].key, p[i].klen, p[i].val);
            jn_arr_push(cx, out, o);
        }
    } else {
        jn_arr_push(cx, out, v);
    }
}

/* One single-pair object per key. jsonata-js builds an array's result with
 * $append, so that comes out a plain array; an object's is a sequence. */
jn_val *jn_fn_spread(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    jn_val *v = a[0];
    if (!v || !(jn_is_array(v) || jn_is_obj(v)))
        return v;
    jn_val *out = jn_is_array(v) && v->u.arr.n ? jn_arr_new(cx, 8) : jn_seq_new(cx, 8);
    spread_into(cx, v, out);
    return out;
}

jn_val *jn_fn_merge(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    jn_val *out = jn_obj_new(cx, 8);
    for (size_t i = 0; i < a[0]->u.arr.n; i++) {
        size_t np;
        const jn_pair *p = jn_obj_pairs(cx, a[0]->u.arr.items[i], &np);
        for (size_t j = 0; j < np; j++)
            jn_obj_set(cx, out, p[j].key, p[j].klen, p[j].val);
    }
    return out;
}

/* Tuples as long as the shortest argument (an undefined one is empty). */
jn_val *jn_fn_zip(jn_ctx *cx, jn_val **a, int n)
{
    size_t len = (size_t)-1;
    for (int k = 0; k < n; k++) {
        size_t l = jn_is_array(a[k]) ? a[k]->u.arr.n : 0;
        if (l < len)
            len = l;
    }
    if (n == 0)
        len = 0;
    jn_val *out = jn_arr_new(cx, len);
    for (size_t i = 0; i < len; i++) {
        jn_val *t = jn_arr_new(cx, (size_t)n);
        for (int k = 0; k < n; k++)
            jn_arr_push(cx, t, a[k]->u.arr.items[i]);
        jn_arr_push(cx, out, t);
    }
    return out;
}

static bool is_int(double d) { return isfinite(d) && d == trunc(d); }

/* Step Functions' $partition(array, size): chunks of [size] items, the
 * last shorter; a plain array (a single chunk stays wrapped). */
jn_val *jn_fn_partition(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0] || !a[1]) /* an undefined argument: undefined (found by fuzzing) */
        return NULL;
    double size = a[1]->u.num;
    if (!is_int(size) || size < 1)
        return jn_throwf(cx, "T0410", "Argument 2 of function partition does not match function signature");
    size_t k = a[0]->u.arr.n, sz = size > (double)k ? (k ? k : 1) : (size_t)size;
    jn_val *out = jn_arr_new(cx, k / sz + 1);
    for (size_t i = 0; i < k; i += sz) {
        jn_val *chunk = jn_arr_new(cx, sz);
        for (size_t j = i; j < k && j < i + sz; j++)
            jn_arr_push(cx, chunk, a[0]->u.arr.items[j]);
        jn_arr_push(cx, out, chunk);
    }
    return out;
}

/* Step Functions' $range(start, end[, step]): start, start+step, ... while
 * not past end (end included when reached), as States.ArrayRange; a
 * sequence, so one item comes out bare. */
jn_val *jn_fn_range(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0] || !a[1]) /* an undefined bound: undefined (found by fuzzing) */
        return NULL;
    double start = a[0]->u.num, end = a[1]->u.num;
    double step = n > 2 && a[2] ? a[2]->u.num : 1;
    if (!is_int(start) || !is_int(end))
        return jn_throwf(cx, "T0410", "Argument %d of function range does not match function signature",
                         is_int(start) ? 2 : 1);
    if (!is_int(step) || step == 0)
        return jn_throwf(cx, "T0410", "Argument 3 of function range does not match function signature");
    double count = floor((end - start) / step) + 1;
    if (count > 1e7)
        return jn_throwf(cx, "D1011", "The range function would produce %.0f items", count);
    jn_val *out = jn_seq_new(cx, count > 0 ? (size_t)count : 0);
    for (double i = 0; i < count; i++) {
        if (((size_t)i & 1023) == 0 && !jn_tick(cx))
            return NULL;
        jn_arr_push(cx, out, jn_num(cx, start + i * step));
    }
    return out;
}
