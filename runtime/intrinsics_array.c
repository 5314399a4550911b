/*
 * intrinsics_array.c - States.Array, ArrayPartition, ArrayContains,
 * ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique and JsonMerge.
 *
 * What AWS does beyond the documentation, as observed on AWS (see
 * README.md, "Intrinsic functions"): integer arguments are cut towards
 * zero (ArrayRange(1.6, ...) starts at 1, ArrayPartition(a, 2.6) makes
 * chunks of 2, ArrayGetItem(a, 1.2) reads index 1); ArrayGetItem on an
 * empty array gives null for any index; ArrayContains compares values by
 * their Java text, so {"a":1,"b":2} does not match {"b":2,"a":1} while
 * true matches "true"; JsonMerge reads a flag that is not a boolean as
 * "shallow".
 *
 * Results are fresh trees. A value that a nested call produced is moved
 * into the result instead of copied (rt_iargs_take). Called through
 * intrinsics.c's table.
 *
 * Layer: values
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "intrinsics_impl.h"

/* Append [item] (taken) to [arr]; false when out of memory (item freed). */
static bool push(cJSON *arr, cJSON *item)
{
    if (item && cJSON_AddItemToArray(arr, item))
        return true;
    cJSON_Delete(item);
    return false;
}

/* States.Array(v...): the arguments as an array. */
cJSON *rt_fn_array(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    (void)c;
    cJSON *out = cJSON_CreateArray();
    if (!out)
        return rt_intr_oom(x);
    for (int k = 0; k < a->n; k++) {
        cJSON *v = rt_iargs_take(x, a, k);
        if (!v || !push(out, v)) {
            cJSON_Delete(out);
            return v ? rt_intr_oom(x) : NULL;
        }
    }
    return out;
}

/* States.ArrayPartition(array, size): consecutive chunks of [size]
 * elements, the last one shorter when they do not divide evenly. */
cJSON *rt_fn_array_partition(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    long long size;
    if (!rt_intr_want(x, c, a, 0, cJSON_Array) || !rt_intr_int(x, c, a, 1, "the chunk size", &size))
        return NULL;
    if (size < 1)
        return rt_intr_invalid(x, c, "the chunk size must be at least 1, found %lld", size);
    cJSON *src = rt_iargs_take(x, a, 0); /* moved when it was computed, else copied */
    if (!src)
        return NULL;
    cJSON *out = cJSON_CreateArray();
    cJSON *chunk = NULL;
    long long in_chunk = 0;
    if (!out)
        goto oom;
    while (src->child) {
        cJSON *e = cJSON_DetachItemViaPointer(src, src->child);
        if (!chunk) {
            chunk = cJSON_CreateArray();
            if (!chunk || !push(out, chunk)) {
                chunk = NULL;
                cJSON_Delete(e);
                goto oom;
            }
            in_chunk = 0;
        }
        if (!push(chunk, e))
            goto oom;
        if (++in_chunk == size)
            chunk = NULL;
    }
    cJSON_Delete(src);
    return out;
oom:
    cJSON_Delete(src);
    cJSON_Delete(out);
    return rt_intr_oom(x);
}

/* Whether AWS takes [a] and [b] for the same value in ArrayContains: their
 * Java texts are equal. Scalars of one type compare directly. */
static bool same_text(const cJSON *a, const cJSON *b)
{
    int ta = a->type & 0xFF, tb = b->type & 0xFF;
    if (ta == tb) {
        switch (ta) {
        case cJSON_String:
            return strcmp(a->valuestring, b->valuestring) == 0;
        case cJSON_Number:
            return a->valuedouble == b->valuedouble || (isnan(a->valuedouble) && isnan(b->valuedouble));
        case cJSON_True:
        case cJSON_False:
        case cJSON_NULL:
            return true;
        default:
            break;
        }
    }
    rt_ibuf ba = {0}, bb = {0};
    rt_ibuf_put(&ba, "", 0);
    rt_ibuf_put(&bb, "", 0);
    rt_java_text(&ba, a);
    rt_java_text(&bb, b);
    bool eq = !ba.oom && !bb.oom && ba.n == bb.n && memcmp(ba.p, bb.p, ba.n) == 0;
    free(ba.p);
    free(bb.p);
    return eq;
}

/* States.ArrayContains(array, value). */
cJSON *rt_fn_array_contains(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_Array))
        return NULL;
    bool found = false;
    const cJSON *e;
    cJSON_ArrayForEach (e, a->v[0])
        if (same_text(e, a->v[1])) {
            found = true;
            break;
        }
    cJSON *r = cJSON_CreateBool(found);
    return r ? r : rt_intr_oom(x);
}

/* States.ArrayRange(first, last, step): first, first + step, ... up to
 * and including last; empty when step points away from last; at most
 * 1000 elements (AWS's limit). */
cJSON *rt_fn_array_range(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    long long first, last, step;
    if (!rt_intr_int(x, c, a, 0, "the first element", &first) || !rt_intr_int(x, c, a, 1, "the last element", &last) ||
        !rt_intr_int(x, c, a, 2, "the step", &step))
        return NULL;
    if (step == 0)
        return rt_intr_invalid(x, c, "the step must not be 0");
    long long count = last == first || (last > first) == (step > 0) ? (last - first) / step + 1 : 0;
    if (count > 1000)
        return rt_intr_invalid(x, c, "the range has %lld elements; at most 1000 are allowed", count);
    cJSON *out = cJSON_CreateArray();
    if (!out)
        return rt_intr_oom(x);
    for (long long k = 0; k < count; k++)
        if (!push(out, cJSON_CreateNumber((double)(first + k * step)))) {
            cJSON_Delete(out);
            return rt_intr_oom(x);
        }
    return out;
}

/* States.ArrayGetItem(array, index), zero-based. */
cJSON *rt_fn_array_get_item(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    long long index;
    if (!rt_intr_want(x, c, a, 0, cJSON_Array) || !rt_intr_int(x, c, a, 1, "the index", &index))
        return NULL;
    /* one walk finds the element; the length is counted only when the
     * index is past the end (a loop over a list reads one item a turn) */
    const cJSON *item = NULL;
    int len = 0;
    for (const cJSON *e = a->v[0]->child; e && !item; e = e->next, len++)
        if (len == index)
            item = e;
    if (len == 0) { /* observed on AWS: null, whatever the index */
        cJSON *r = cJSON_CreateNull();
        return r ? r : rt_intr_oom(x);
    }
    if (!item)
        return rt_intr_invalid(x, c, "the index %lld is out of bounds for an array of length %d", index, len);
    cJSON *arr = a->owned[0];
    if (arr) { /* a computed array: move the element out of it */
        cJSON *e = cJSON_DetachItemViaPointer(arr, (cJSON *)item);
        return e ? e : rt_intr_oom(x);
    }
    cJSON *e = cJSON_Duplicate(item, 1);
    return e ? e : rt_intr_oom(x);
}

/* States.ArrayLength(array). */
cJSON *rt_fn_array_length(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_Array))
        return NULL;
    cJSON *r = cJSON_CreateNumber(cJSON_GetArraySize(a->v[0]));
    return r ? r : rt_intr_oom(x);
}

/* States.ArrayUnique(array): the first occurrence of each value, in
 * order. Values are equal as JSON values (objects whatever their key
 * order, numbers by value). */
cJSON *rt_fn_array_unique(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_Array))
        return NULL;
    cJSON *out = cJSON_CreateArray();
    if (!out)
        return rt_intr_oom(x);
    cJSON *src = a->owned[0]; /* computed: move elements, else copy them */
    const cJSON *e = a->v[0]->child;
    while (e) {
        const cJSON *next = e->next;
        bool seen = false;
        const cJSON *k;
        cJSON_ArrayForEach (k, out)
            if (rt_json_equal(k, e)) {
                seen = true;
                break;
            }
        if (!seen) {
            cJSON *item = src ? cJSON_DetachItemViaPointer(src, (cJSON *)e) : cJSON_Duplicate(e, 1);
            if (!push(out, item)) {
                cJSON_Delete(out);
                return rt_intr_oom(x);
            }
        }
        e = next;
    }
    return out;
}

/* Jackson's asBoolean(), by which AWS reads JsonMerge's flag: true, a
 * non-zero integer or the text "true" mean a deep merge. */
static bool deep_flag(const cJSON *v)
{
    if (cJSON_IsTrue(v))
        return true;
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0 && v->valuedouble == trunc(v->valuedouble);
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        size_t len = strlen(s);
        while (len && (unsigned char)s[len - 1] <= ' ')
            len--;
        while (len && (unsigned char)*s <= ' ')
            s++, len--;
        return len == 4 && memcmp(s, "true", 4) == 0;
    }
    return false;
}

/* States.JsonMerge(a, b, false): a's members, each replaced by b's member
 * of the same name (in place), then b's other members. Shallow: nested
 * objects are replaced, not merged. AWS supports no deep merge. */
cJSON *rt_fn_json_merge(asl_exec *x, const asl_call *c, rt_iargs *a)
{
    if (!rt_intr_want(x, c, a, 0, cJSON_Object) || !rt_intr_want(x, c, a, 1, cJSON_Object))
        return NULL;
    if (deep_flag(a->v[2]))
        return rt_intr_invalid(x, c, "only the shallow merge is supported: the third argument must be false");
    cJSON *out = rt_iargs_take(x, a, 0);
    if (!out)
        return NULL;
    const cJSON *m;
    cJSON_ArrayForEach (m, a->v[1]) {
        cJSON *copy = cJSON_Duplicate(m, 1);
        bool ok = copy != NULL;
        if (ok) {
            if (cJSON_GetObjectItemCaseSensitive(out, m->string))
                ok = cJSON_ReplaceItemInObjectCaseSensitive(out, m->string, copy);
            else
                ok = cJSON_AddItemToObject(out, m->string, copy);
            if (!ok)
                cJSON_Delete(copy);
        }
        if (!ok) {
            cJSON_Delete(out);
            return rt_intr_oom(x);
        }
    }
    return out;
}
