/*
 * intrinsics.c - the States.* intrinsic functions, evaluated at run time
 * over argument trees that aslc parsed at compile time (asl_call).
 *
 * asl_call_intrinsic checks the call's shape, evaluates its arguments left
 * to right (literals, paths selected from the state's effective input or
 * the context object, nested calls) and dispatches on asl_call.fn through
 * one table indexed by ASL_FN_*. The functions themselves live in the
 * intrinsics_*.c files (intrinsics_impl.h lists them); this file owns the
 * argument evaluation, the error texts and the integer rules they share.
 *
 * Errors, as AWS raises them: every failure is States.Runtime with the
 * state prefix, and a bad argument reads "Invalid arguments in
 * States.Name" (the phrase AWS uses) followed by what was wrong. A path
 * argument that selects nothing reads "The JsonPath argument for the field
 * '$.x' could not be found in the input '...'".
 *
 * Called by flow.c (templates) and by generated code (Fail's ErrorPath /
 * CausePath, through flow.c). Reentrant: no state outside the arguments,
 * so Map and Parallel threads may call it at once.
 *
 * Layer: values
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intrinsics_impl.h"

/* ==== Errors ============================================================== */

cJSON *rt_intr_oom(asl_exec *x)
{
    asl_fail_with(x, "States.Runtime", "out of memory");
    return NULL;
}

cJSON *rt_intr_invalid(asl_exec *x, const asl_call *c, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    asl_fail_runtime(x, "Invalid arguments in %s: %s", c->name ? c->name : "an intrinsic function", detail);
    return NULL;
}

const char *rt_intr_type_name(const cJSON *v)
{
    switch (v ? v->type & 0xFF : cJSON_NULL) {
    case cJSON_Number:
        return "a number";
    case cJSON_String:
        return "a string";
    case cJSON_True:
    case cJSON_False:
        return "a boolean";
    case cJSON_Array:
        return "an array";
    case cJSON_Object:
        return "an object";
    default:
        return "null";
    }
}

bool rt_intr_want(asl_exec *x, const asl_call *c, const rt_iargs *a, int k, int type)
{
    const cJSON *v = a->v[k];
    if (v && (v->type & 0xFF) == type)
        return true;
    const char *want = type == cJSON_String ? "a string" : type == cJSON_Array ? "an array" : "an object";
    rt_intr_invalid(x, c, "argument %d must be %s, found %s", k + 1, want, rt_intr_type_name(v));
    return false;
}

bool rt_intr_int(asl_exec *x, const asl_call *c, const rt_iargs *a, int k, const char *what, long long *out)
{
    const cJSON *v = a->v[k];
    if (!cJSON_IsNumber(v)) {
        rt_intr_invalid(x, c, "%s (argument %d) must be a number, found %s", what, k + 1, rt_intr_type_name(v));
        return false;
    }
    /* AWS cuts fractions as Java's (int) cast does: ArrayRange(1.6, ...)
     * starts at 1, ArrayPartition(a, 2.6) makes chunks of 2. */
    double t = trunc(v->valuedouble);
    if (!(t >= -2147483648.0 && t <= 2147483647.0)) {
        rt_intr_invalid(x, c, "%s (argument %d) must be an integer between -2147483648 and 2147483647", what,
                        k + 1);
        return false;
    }
    *out = (long long)t;
    return true;
}

/* ==== Arguments ============================================================= */

/* A scalar literal as a cJSON node that lives in [node] (no allocation):
 * readable like any value, never linked into a tree nor freed. */
static const cJSON *literal_node(cJSON *node, const asl_tmpl *t)
{
    memset(node, 0, sizeof *node);
    switch (t->kind) {
    case ASL_T_NULL:
        node->type = cJSON_NULL;
        break;
    case ASL_T_TRUE:
        node->type = cJSON_True;
        node->valueint = 1;
        break;
    case ASL_T_FALSE:
        node->type = cJSON_False;
        break;
    case ASL_T_NUMBER:
        node->type = cJSON_Number;
        node->valuedouble = t->num;
        node->valueint = t->num >= 2147483647.0 ? 2147483647 : t->num <= -2147483648.0 ? -2147483647 - 1 : (int)t->num;
        break;
    case ASL_T_STRING:
        node->type = cJSON_String | cJSON_IsReference; /* never freed */
        node->valuestring = (char *)(t->str ? t->str : "");
        break;
    default:
        return NULL;
    }
    return node;
}

/* A path argument that selects nothing: AWS names the path and repeats
 * the document it was read from. */
static void fail_missing(asl_exec *x, const asl_path *p, const cJSON *in)
{
    const cJSON *root = rt_path_root(x, p, in);
    char *text = root ? rt_json_print(root) : NULL;
    asl_fail_runtime(x, "The JsonPath argument for the field '%s' could not be found in the input '%s'",
                     p->text ? p->text : "$", text ? text : "null");
    free(text);
}

void rt_iargs_free(rt_iargs *a)
{
    if (a->owned)
        for (int k = 0; k < a->n; k++)
            cJSON_Delete(a->owned[k]);
    if (a->v != a->v_small)
        free((void *)a->v);
    if (a->owned != a->owned_small)
        free(a->owned);
    if (a->lit != a->lit_small)
        free(a->lit);
    a->n = 0;
    a->v = NULL;
    a->owned = NULL;
    a->lit = NULL;
}

bool rt_iargs_eval(asl_exec *x, const asl_call *c, const cJSON *in, rt_iargs *a)
{
    int n = c->nargs > 0 ? c->nargs : 0;
    a->n = n;
    if (n <= RT_IARGS_SMALL) {
        a->v = a->v_small;
        a->owned = a->owned_small;
        a->lit = a->lit_small;
    } else {
        a->v = malloc((size_t)n * sizeof *a->v);
        a->owned = calloc((size_t)n, sizeof *a->owned);
        a->lit = malloc((size_t)n * sizeof *a->lit);
        if (!a->v || !a->owned || !a->lit) {
            a->n = 0;
            rt_iargs_free(a);
            rt_intr_oom(x);
            return false;
        }
    }
    for (int k = 0; k < n; k++)
        a->owned[k] = NULL;
    for (int k = 0; k < n; k++) {
        const asl_tmpl *t = &c->args[k];
        const cJSON *v = NULL;
        switch (t->kind) {
        case ASL_T_PATH:
            v = asl_select_quiet(x, t->path, in);
            if (!v && !asl_failed(x))
                fail_missing(x, t->path, in);
            break;
        case ASL_T_CALL:
            v = a->owned[k] = asl_call_intrinsic(x, t->call, in);
            break;
        case ASL_T_NULL:
        case ASL_T_TRUE:
        case ASL_T_FALSE:
        case ASL_T_NUMBER:
        case ASL_T_STRING:
            v = literal_node(&a->lit[k], t);
            break;
        default: /* aslc never emits these as arguments; build them anyway */
            v = a->owned[k] = asl_build(x, t, in);
            break;
        }
        if (!v) {
            rt_iargs_free(a);
            return false;
        }
        a->v[k] = v;
    }
    return true;
}

cJSON *rt_iargs_take(asl_exec *x, rt_iargs *a, int k)
{
    cJSON *v = a->owned[k];
    if (v) {
        a->owned[k] = NULL;
        a->v[k] = NULL;
        return v;
    }
    v = cJSON_Duplicate(a->v[k], 1);
    return v ? v : rt_intr_oom(x);
}

/* ==== Dispatch ============================================================== */

typedef struct fn_entry {
    rt_intrinsic_fn run;
    int min, max; /* argument counts; max -1: any */
} fn_entry;

/* One slot per ASL_FN_*, with the arity aslc checked at compile time:
 * checked again here because the table is the runtime's own contract. */
static const fn_entry functions[] = {
    [ASL_FN_FORMAT] = {rt_fn_format, 1, -1},
    [ASL_FN_STRING_TO_JSON] = {rt_fn_string_to_json, 1, 1},
    [ASL_FN_JSON_TO_STRING] = {rt_fn_json_to_string, 1, 1},
    [ASL_FN_ARRAY] = {rt_fn_array, 0, -1},
    [ASL_FN_ARRAY_PARTITION] = {rt_fn_array_partition, 2, 2},
    [ASL_FN_ARRAY_CONTAINS] = {rt_fn_array_contains, 2, 2},
    [ASL_FN_ARRAY_RANGE] = {rt_fn_array_range, 3, 3},
    [ASL_FN_ARRAY_GET_ITEM] = {rt_fn_array_get_item, 2, 2},
    [ASL_FN_ARRAY_LENGTH] = {rt_fn_array_length, 1, 1},
    [ASL_FN_ARRAY_UNIQUE] = {rt_fn_array_unique, 1, 1},
    [ASL_FN_BASE64_ENCODE] = {rt_fn_base64_encode, 1, 1},
    [ASL_FN_BASE64_DECODE] = {rt_fn_base64_decode, 1, 1},
    [ASL_FN_HASH] = {rt_fn_hash, 2, 2},
    [ASL_FN_JSON_MERGE] = {rt_fn_json_merge, 3, 3},
    [ASL_FN_MATH_RANDOM] = {rt_fn_math_random, 2, 3},
    [ASL_FN_MATH_ADD] = {rt_fn_math_add, 2, 2},
    [ASL_FN_STRING_SPLIT] = {rt_fn_string_split, 2, 2},
    [ASL_FN_UUID] = {rt_fn_uuid, 0, 0},
};

cJSON *asl_call_intrinsic(asl_exec *x, const asl_call *c, const cJSON *in)
{
    cJSON *r;
    if (c && c->fn == ASL_FN_MATH_ADD && c->nargs == 2 && c->args && rt_math_add_direct(x, c, in, &r))
        return r; /* the loops' hot path, see intrinsics_math.c */
    if (!c || c->fn < 0 || (size_t)c->fn >= sizeof functions / sizeof functions[0] || !functions[c->fn].run) {
        asl_fail_runtime(x, "Invalid intrinsic function call: %s", c && c->name ? c->name : "(unknown)");
        return NULL;
    }
    const fn_entry *f = &functions[c->fn];
    if (c->nargs < f->min || (f->max >= 0 && c->nargs > f->max) || (c->nargs > 0 && !c->args)) {
        if (f->min == f->max)
            return rt_intr_invalid(x, c, "expected %d argument%s, found %d", f->min, f->min == 1 ? "" : "s",
                                   c->nargs);
        if (f->max < 0)
            return rt_intr_invalid(x, c, "expected at least %d argument%s, found %d", f->min,
                                   f->min == 1 ? "" : "s", c->nargs);
        return rt_intr_invalid(x, c, "expected %d to %d arguments, found %d", f->min, f->max, c->nargs);
    }
    rt_iargs a;
    if (!rt_iargs_eval(x, c, in, &a))
        return NULL;
    r = f->run(x, c, &a);
    rt_iargs_free(&a);
    return r;
}
