/*
 * resultpath.c - the data flow's writes through paths: InputPath and
 * OutputPath (asl_apply_path, asl_set_empty) and ResultPath
 * (asl_apply_result_path), with AWS's failures when a path cannot be
 * applied.
 *
 * Called by generated code, retry.c (Catch's ResultPath) and parallel.c /
 * map.c. Follows the ownership rules of ARCHITECTURE.md: the document is
 * the caller's and is changed in place; a result is moved into it.
 *
 * Layer: values
 */
#include <stdlib.h>
#include <string.h>

#include "jsonpath_impl.h"

/* ==== InputPath / OutputPath ============================================ */

/* If the selection that returned [v] has just added it to the scratch list
 * ([before] is the list's length before), take it back: the caller becomes
 * its owner and no copy is needed. */
static cJSON *unkeep(asl_exec *x, const cJSON *v, int before)
{
    if (x->nscratch == before + 1 && x->scratch[x->nscratch - 1] == v) {
        x->nscratch--;
        return (cJSON *)v;
    }
    return NULL;
}

/* Takes ownership of *doc's old value on success (freed, except for the
 * selected subtree, which is moved out of it rather than copied). */
int asl_apply_path(asl_exec *x, const asl_path *p, cJSON **doc)
{
    if (!p || (p->root == ASL_ROOT_INPUT && p->nsegs == 0))
        return 0;

    if (p->root == ASL_ROOT_INPUT && p->definite) {
        const cJSON *parent = NULL;
        rt_path_stop st;
        const cJSON *v = walk_definite(p, p->nsegs, *doc, &parent, &st);
        if (!v) {
            if (!*doc)
                st = (rt_path_stop){RT_STOP_NO_RESULT, 0, NULL};
            rt_path_report_stop(x, p, &st);
            return -1;
        }
        cJSON *kept = cJSON_DetachItemViaPointer((cJSON *)parent, (cJSON *)v);
        drop_key(kept);
        cJSON_Delete(*doc);
        *doc = kept; /* a part of the document: it did not grow */
        return 0;
    }

    int before = x->nscratch;
    const cJSON *sel = asl_select(x, p, *doc);
    if (!sel)
        return -1;
    cJSON *kept = unkeep(x, sel, before);
    if (!kept)
        kept = asl_copy(sel);
    if (!kept) {
        asl_fail_with(x, "States.Runtime", "out of memory");
        return -1;
    }
    /* matches of a scan, a wildcard or a filter can overlap and outgrow
     * the document they came from */
    if (x->doc_growth != RT_GROWTH_UNKNOWN)
        rt_add_growth(x, rt_json_size_bound(kept, RT_GROWTH_UNKNOWN - 1));
    cJSON_Delete(*doc);
    *doc = kept;
    return 0;
}

void asl_set_empty(cJSON **doc)
{
    cJSON_Delete(*doc);
    *doc = cJSON_CreateObject();
}

/* ==== ResultPath ======================================================== */

/* Writes need an array element that exists; say which one did not. */
static void report_index(asl_exec *x, const asl_path *p, int at)
{
    rt_sbuf b = {0};
    rt_sb_str(&b, "Index out of bounds when evaluating path ");
    rt_path_frags(&b, p, 0, at + 1, true);
    rt_path_fail(x, p, &b);
}

/* Takes ownership of [result] in every case. Objects missing on the way
 * are created (ASL says so); an existing member or element is replaced.
 * Fails when the way goes through something that is not an object (for a
 * name) or not an array with that element (for an index). */
int asl_apply_result_path(asl_exec *x, const asl_path *p, cJSON **doc, cJSON *result)
{
    if (!p) {
        cJSON_Delete(result);
        return 0;
    }
    if (!result) {
        if (!asl_failed(x))
            asl_fail_with(x, "States.Runtime", "out of memory");
        return -1;
    }
    if (p->root != ASL_ROOT_INPUT) {
        cJSON_Delete(result);
        asl_fail_runtime(x, "Invalid path '%s' : ResultPath must start with '$'",
                         p->text ? p->text : "");
        return -1;
    }
    if (x->doc_growth != RT_GROWTH_UNKNOWN) {
        /* what is written, plus the members created on the way (a name,
         * quotes, colon, comma and braces each; a name is escaped at most
         * six bytes a character) */
        size_t way = 0;
        for (int i = 0; i < p->nsegs; i++)
            way += (p->segs[i].kind == ASL_SEG_FIELD && p->segs[i].name
                        ? 6 * strlen(p->segs[i].name)
                        : 0) +
                   8;
        rt_add_growth(x, rt_json_size_bound(result, RT_GROWTH_UNKNOWN - 1) + way);
    }
    if (p->nsegs == 0) {
        drop_key(result);
        cJSON_Delete(*doc);
        *doc = result;
        return 0;
    }

    cJSON *cur = *doc;
    for (int i = 0; i < p->nsegs; i++) {
        const asl_seg *s = &p->segs[i];
        bool last = i == p->nsegs - 1;
        cJSON *next;
        if (s->kind == ASL_SEG_FIELD) {
            if (!is_obj(cur)) {
                rt_path_stop st = {RT_STOP_NOT_OBJECT, i, cur};
                rt_path_report_stop(x, p, &st);
                goto fail;
            }
            next = (cJSON *)obj_get(cur, s->name);
            if (last) {
                set_const_key(result, s->name);
                bool ok = next ? cJSON_ReplaceItemViaPointer(cur, next, result)
                               : cJSON_AddItemToObjectCS(cur, s->name, result);
                if (!ok)
                    goto oom;
                return 0;
            }
            if (!next) {
                next = cJSON_CreateObject();
                if (!next)
                    goto oom;
                if (!cJSON_AddItemToObjectCS(cur, s->name, next)) {
                    cJSON_Delete(next);
                    goto oom;
                }
            }
        } else if (s->kind == ASL_SEG_INDEX) {
            if (!is_arr(cur)) {
                rt_path_stop st = {cJSON_IsNull(cur) ? RT_STOP_NULL : RT_STOP_NOT_ARRAY, i, cur};
                rt_path_report_stop(x, p, &st);
                goto fail;
            }
            next = (cJSON *)rt_arr_get(cur, s->index);
            if (!next) {
                report_index(x, p, i);
                goto fail;
            }
            if (last) {
                drop_key(result);
                if (!cJSON_ReplaceItemViaPointer(cur, next, result))
                    goto oom;
                return 0;
            }
        } else {
            asl_fail_runtime(x, "Invalid path '%s' : ResultPath must be a reference path",
                             p->text ? p->text : "");
            goto fail;
        }
        cur = next;
    }
    /* not reached: the last segment returns above */
fail:
    cJSON_Delete(result);
    return -1;
oom:
    cJSON_Delete(result);
    asl_fail_with(x, "States.Runtime", "out of memory");
    return -1;
}
