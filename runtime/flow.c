/*
 * flow.c - payload templates: Parameters, ResultSelector, ItemSelector and
 * the Pass state's Result, as aslc precompiled them (asl_tmpl trees).
 *
 * asl_build turns a template into a fresh tree the caller owns: literal
 * parts are created, "key.$" paths are selected from the state's effective
 * input and deep-copied (a value lives in one tree only), intrinsic calls
 * go to intrinsics.c. Object keys are the template's own static strings,
 * linked with cJSON_AddItemToObjectCS, so building allocates the new nodes
 * and nothing else. Called by generated state functions and by the other
 * runtime modules that evaluate templates (Fail's ErrorPath / CausePath).
 *
 * Layer: values
 */
#include <stdlib.h>
#include <string.h>

#include "values.h"

static cJSON *oom(asl_exec *x)
{
    asl_fail_with(x, "States.Runtime", "out of memory");
    return NULL;
}

/* Take [v] back from the scratch list when the selection that returned it
 * has just put it there (an indefinite path's result array, [before] being
 * the list's length before that selection): then it needs no second copy.
 * A value that was already in the list (an InputPath array, selected again
 * through "$") stays there, since others still point at it. */
static cJSON *unkeep(asl_exec *x, const cJSON *v, int before)
{
    if (x->nscratch == before + 1 && x->scratch[x->nscratch - 1] == v) {
        x->nscratch--;
        return (cJSON *)v;
    }
    return NULL;
}

/* A "key.$" path that selects nothing: AWS names the field and repeats
 * the input in the cause. */
static void fail_field(asl_exec *x, const asl_path *p, const char *key, const cJSON *root)
{
    char *text = rt_json_print(root);
    asl_fail_runtime(x, "The JSONPath '%s' specified for the field '%s.$' could not be found in the input '%s'",
                     p->text ? p->text : "", key, text ? text : "null");
    free(text);
}

/* The bytes a key's characters take in JSON text (rt_json_size_bound's
 * count; inline: keys are short and this runs for every built member). */
static inline size_t key_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += *p == '"' || *p == '\\' ? 2 : *p < 0x20 ? 6 : 1;
    return n;
}

/* The printed size bound of a leaf or copied value (rt_json_size_bound,
 * uncapped: the sums saturate at the loop's check). */
static size_t size_of(const cJSON *v)
{
    return rt_json_size_bound(v, RT_GROWTH_UNKNOWN - 1);
}

/* [key] is the template field that holds [t] (NULL at the top or in an
 * array): it only shapes the error message. Returns a fresh tree or NULL
 * with the error set; partial trees are freed here. When [sz] is not
 * NULL, adds to it a bound of the tree's JSON text, as rt_json_size_bound
 * would compute it, counted while building so that the 256 KiB check need
 * not walk the new document again (asl_build_doc). */
static cJSON *build(asl_exec *x, const asl_tmpl *t, const cJSON *in, const char *key, size_t *sz)
{
    cJSON *v;
    switch (t->kind) {
    case ASL_T_NULL:
        v = rt_node_new(cJSON_NULL);
        break;
    case ASL_T_TRUE:
        v = rt_node_new(cJSON_True);
        break;
    case ASL_T_FALSE:
        v = rt_node_new(cJSON_False);
        break;
    case ASL_T_NUMBER:
        v = rt_node_number(t->num);
        break;
    case ASL_T_STRING:
        v = cJSON_CreateString(t->str ? t->str : "");
        break;

    case ASL_T_OBJECT:
        v = rt_node_new(cJSON_Object);
        if (!v)
            return oom(x);
        if (sz) /* braces and commas */
            *sz += 2 + (t->n > 0 ? (size_t)t->n - 1 : 0);
        for (int i = 0; i < t->n; i++) {
            const asl_field *f = &t->fields[i];
            if (sz) /* the key, its quotes and the colon */
                *sz += key_len(f->key) + 3;
            cJSON *item = build(x, f->value, in, f->key, sz);
            if (!item) {
                asl_free(v);
                return NULL;
            }
            if (!cJSON_AddItemToObjectCS(v, f->key, item)) {
                cJSON_Delete(item);
                asl_free(v);
                return oom(x);
            }
        }
        return v;

    case ASL_T_ARRAY:
        v = rt_node_new(cJSON_Array);
        if (!v)
            return oom(x);
        if (sz)
            *sz += 2 + (t->n > 0 ? (size_t)t->n - 1 : 0);
        for (int i = 0; i < t->n; i++) {
            cJSON *item = build(x, &t->items[i], in, NULL, sz);
            if (!item) {
                asl_free(v);
                return NULL;
            }
            if (!cJSON_AddItemToArray(v, item)) {
                cJSON_Delete(item);
                asl_free(v);
                return oom(x);
            }
        }
        return v;

    case ASL_T_PATH: {
        const cJSON *sel;
        int before = x->nscratch;
        if (key) {
            sel = asl_select_quiet(x, t->path, in);
            if (!sel) {
                if (!asl_failed(x))
                    fail_field(x, t->path, key,
                               rt_path_root(x, t->path, in));
                return NULL;
            }
        } else {
            sel = asl_select(x, t->path, in);
            if (!sel)
                return NULL;
        }
        v = unkeep(x, sel, before);
        if (!v)
            v = asl_copy(sel);
        break;
    }

    case ASL_T_CALL:
        v = asl_call_intrinsic(x, t->call, in);
        if (v && sz)
            *sz += size_of(v);
        return v;

    default:
        asl_fail_with(x, "States.Runtime", "invalid payload template");
        return NULL;
    }
    if (!v)
        return oom(x);
    if (sz)
        *sz += size_of(v);
    return v;
}

cJSON *asl_build(asl_exec *x, const asl_tmpl *t, const cJSON *in)
{
    if (!t)
        return oom(x); /* codegen never passes none; do not crash if it did */
    return build(x, t, in, NULL, NULL);
}

cJSON *asl_build_doc(asl_exec *x, const asl_tmpl *t, const cJSON *in)
{
    if (!t)
        return oom(x);
    size_t sz = 0;
    cJSON *v = build(x, t, in, NULL, &sz);
    if (v)
        x->doc_bytes = sz;
    return v;
}

int asl_assign(asl_exec *x, const asl_tmpl *t, const cJSON *in)
{
    if (!t || t->kind != ASL_T_OBJECT)
        return asl_fail_with(x, "States.Runtime", "invalid Assign template");
    /* Build every value first: they all read the variables of the state's
     * entry, which staging leaves untouched. */
    for (int i = 0; i < t->n; i++) {
        const asl_field *f = &t->fields[i];
        cJSON *v = build(x, f->value, in, f->value->kind == ASL_T_PATH ? f->key : NULL, NULL);
        if (!v || rt_vars_stage(x, f->key, strlen(f->key), v) != 0) {
            rt_vars_discard(x);
            return ASL_NEXT_ERROR;
        }
    }
    return 0;
}
