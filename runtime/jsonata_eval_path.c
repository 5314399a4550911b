/*
 * jsonata_eval_path.c - JSONata paths as jsonata-js 2.0.6 evaluates them:
 * steps mapped over their input sequence and flattened, tuple streams for
 * the focus (@), index (#) and parent (%) bindings, predicates and index
 * stages, order-by (^), group-by ({...} after a path, and the object
 * constructor itself), field lookup, wildcards and descendants.
 *
 * Layer: values
 */
#include <math.h>
#include <string.h>

#include "jsonata_eval_impl.h"

/* A sequence under construction that may hold undefined (jsonata-js's
 * createSequence(undefined) is [undefined], which makes a path starting
 * with a variable run once on no input). */
typedef struct items {
    jn_val **v;
    size_t n;
} items;

static items as_items(jn_ctx *cx, jn_val *input)
{
    if (jn_is_array(input))
        return (items){input->u.arr.items, input->u.arr.n};
    jn_val **one = jn_alloc(cx, sizeof *one);
    one[0] = input;
    return (items){one, 1};
}

jn_val *jn_lookup_field(jn_ctx *cx, jn_val *input, const char *key, size_t len)
{
    if (jn_is_array(input)) {
        jn_val *r = jn_seq_new(cx, input->u.arr.n);
        for (size_t i = 0; i < input->u.arr.n; i++) {
            jn_val *v = jn_lookup_field(cx, input->u.arr.items[i], key, len);
            if (jn_is_array(v))
                for (size_t k = 0; k < v->u.arr.n; k++)
                    jn_arr_push(cx, r, v->u.arr.items[k]);
            else if (v)
                jn_arr_push(cx, r, v);
        }
        return r;
    }
    return jn_is_obj(input) ? jn_obj_get(cx, input, key, len) : NULL;
}

static void flatten_into(jn_ctx *cx, jn_val *out, jn_val *v)
{
    if (jn_is_array(v)) {
        for (size_t i = 0; i < v->u.arr.n; i++)
            flatten_into(cx, out, v->u.arr.items[i]);
    } else if (v)
        jn_arr_push(cx, out, v);
}

jn_val *jn_eval_wildcard(jn_ctx *cx, jn_val *input)
{
    jn_val *r = jn_seq_new(cx, 4);
    if (jn_is_array(input) && (input->flags & JN_F_OUTER) && input->u.arr.n)
        input = input->u.arr.items[0];
    if (jn_is_array(input)) {
        /* Object.keys of an array: its items */
        for (size_t i = 0; i < input->u.arr.n; i++) {
            jn_val *v = input->u.arr.items[i];
            if (jn_is_array(v)) {
                jn_val *flat = jn_arr_new(cx, v->u.arr.n);
                flatten_into(cx, flat, v);
                r = jn_append(cx, r, flat);
            } else if (v)
                jn_arr_push(cx, r, v);
        }
        return r;
    }
    if (!jn_is_obj(input))
        return r;
    size_t n;
    const jn_pair *p = jn_obj_pairs(cx, input, &n);
    for (size_t i = 0; i < n; i++) {
        jn_val *v = p[i].val;
        if (jn_is_array(v)) {
            /* results = fn.append(results, flatten(value)): concat drops
             * the sequence flag. */
            jn_val *flat = jn_arr_new(cx, v->u.arr.n);
            flatten_into(cx, flat, v);
            r = jn_append(cx, r, flat);
        } else if (v)
            jn_arr_push(cx, r, v);
    }
    return r;
}

static void descend(jn_ctx *cx, jn_val *v, jn_val *out)
{
    if (!v || !jn_tick(cx))
        return;
    if (jn_is_array(v)) {
        for (size_t i = 0; i < v->u.arr.n; i++)
            descend(cx, v->u.arr.items[i], out);
        return;
    }
    jn_arr_push(cx, out, v);
    if (jn_is_obj(v)) {
        size_t n;
        const jn_pair *p = jn_obj_pairs(cx, v, &n);
        for (size_t i = 0; i < n; i++)
            descend(cx, p[i].val, out);
    }
}

jn_val *jn_eval_descendants(jn_ctx *cx, jn_val *input)
{
    if (!input)
        return NULL;
    jn_val *r = jn_seq_new(cx, 8);
    descend(cx, input, r);
    return r->u.arr.n == 1 ? r->u.arr.items[0] : r;
}

/* ==== Predicates ============================================================ */
static bool all_numbers(const jn_val *v)
{
    if (!jn_is_array(v))
        return false;
    for (size_t i = 0; i < v->u.arr.n; i++)
        if (!jn_is_num(v->u.arr.items[i]))
            return false;
    return true;
}

jn_val *jn_eval_filter(jn_ctx *cx, const asl_jnode *pred, jn_val *input, jn_env *env)
{
    jn_val *r = jn_seq_new(cx, 4);
    bool tuples = jn_is_array(input) && (input->flags & JN_F_TUPLE);
    if (tuples)
        r->flags |= JN_F_TUPLE;
    items in = as_items(cx, input);
    if (pred->type == ASL_JN_NUMBER) {
        double ix = floor(pred->num);
        if (ix < 0)
            ix += (double)in.n;
        if (ix >= 0 && ix < (double)in.n) {
            jn_val *item = in.v[(size_t)ix];
            if (jn_is_array(item))
                return item;
            if (item)
                jn_arr_push(cx, r, item);
        }
        return r;
    }
    for (size_t i = 0; i < in.n && !jn_failed(cx); i++) {
        jn_val *item = in.v[i], *context = item;
        jn_env *e = env;
        if (tuples) {
            context = jn_obj_get(cx, item, "@", 1);
            e = jn_env_from_tuple(cx, env, item);
        }
        jn_val *res = jn_eval(cx, pred, context, e);
        if (jn_failed(cx))
            return NULL;
        if (jn_is_num(res))
            res = jn_seq_of(cx, res);
        if (all_numbers(res)) {
            for (size_t k = 0; k < res->u.arr.n; k++) {
                double ix = floor(res->u.arr.items[k]->u.num);
                if (ix < 0)
                    ix += (double)in.n;
                if (ix == (double)i && item)
                    jn_arr_push(cx, r, item);
            }
        } else if (jn_truthy(cx, res) && item)
            jn_arr_push(cx, r, item);
    }
    return r;
}

static jn_val *eval_stages(jn_ctx *cx, const asl_jnode *step, jn_val *r, jn_env *env)
{
    for (int s = 0; s < step->nstages && !jn_failed(cx); s++) {
        const asl_jnode *st = step->stages[s];
        if (st->type == ASL_JN_FILTER)
            r = jn_eval_filter(cx, st->kids[0], r, env);
        else if (st->type == ASL_JN_INDEX && jn_is_array(r))
            for (size_t i = 0; i < r->u.arr.n; i++)
                jn_obj_set(cx, r->u.arr.items[i], st->str, st->len, jn_num(cx, (double)i));
    }
    return r;
}

/* ==== Order-by ============================================================== */
/* The comparator of jsonata-js's evaluateSortExpression: 1 when [a] must
 * go after [b]. */
static int sort_cmp(jn_ctx *cx, const asl_jnode *sort, jn_val *a, jn_val *b, bool tuples,
                    jn_env *env)
{
    int comp = 0;
    for (int t = 0; comp == 0 && t < sort->nkids; t++) {
        const asl_jnode *term = sort->kids[t];
        jn_val *ca = a, *cb = b;
        jn_env *ea = env, *eb = env;
        if (tuples) {
            ca = jn_obj_get(cx, a, "@", 1);
            ea = jn_env_from_tuple(cx, env, a);
            cb = jn_obj_get(cx, b, "@", 1);
            eb = jn_env_from_tuple(cx, env, b);
        }
        jn_val *aa = jn_eval(cx, term->kids[0], ca, ea);
        if (jn_failed(cx))
            return 0;
        jn_val *bb = jn_eval(cx, term->kids[0], cb, eb);
        if (jn_failed(cx))
            return 0;
        if (!aa) {
            comp = bb ? 1 : 0;
            continue;
        }
        if (!bb) {
            comp = -1;
            continue;
        }
        bool an = jn_is_num(aa) || jn_is_str(aa), bn = jn_is_num(bb) || jn_is_str(bb);
        cx->pos = sort->position;
        if (!an || !bn) {
            jn_throw(cx, "T2008", NULL, !an ? aa : bb);
            return 0;
        }
        if (aa->type != bb->type) {
            jn_throw(cx, "T2007", NULL, aa);
            return 0;
        }
        if (jn_is_num(aa))
            comp = aa->u.num == bb->u.num ? 0 : aa->u.num < bb->u.num ? -1 : 1;
        else {
            size_t n = aa->u.str.len < bb->u.str.len ? aa->u.str.len : bb->u.str.len;
            int c = memcmp(aa->u.str.s, bb->u.str.s, n);
            if (c == 0)
                c = aa->u.str.len < bb->u.str.len ? -1 : aa->u.str.len > bb->u.str.len;
            comp = c < 0 ? -1 : c > 0;
        }
        if (term->flags & ASL_JF_DESCENDING)
            comp = -comp;
    }
    return comp == 1;
}

/* fn.sort's stable merge sort: take from the right only when the
 * comparator says the left must go after it. */
static void merge_sort(jn_ctx *cx, const asl_jnode *sort, jn_val **v, jn_val **tmp, size_t n,
                       bool tuples, jn_env *env)
{
    if (n <= 1 || jn_failed(cx))
        return;
    size_t mid = n / 2;
    merge_sort(cx, sort, v, tmp, mid, tuples, env);
    merge_sort(cx, sort, v + mid, tmp, n - mid, tuples, env);
    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n && !jn_failed(cx)) {
        if (sort_cmp(cx, sort, v[i], v[j], tuples, env))
            tmp[k++] = v[j++];
        else
            tmp[k++] = v[i++];
    }
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static jn_val *eval_sort(jn_ctx *cx, const asl_jnode *sort, jn_val *input, jn_env *env)
{
    if (!jn_is_array(input) || input->u.arr.n <= 1)
        return input;
    size_t n = input->u.arr.n;
    jn_val *r = jn_arr_new(cx, n);
    memcpy(r->u.arr.items, input->u.arr.items, n * sizeof *r->u.arr.items);
    r->u.arr.n = n;
    jn_val **tmp = jn_alloc(cx, n * sizeof *tmp);
    merge_sort(cx, sort, r->u.arr.items, tmp, n, (input->flags & JN_F_TUPLE) != 0, env);
    return jn_failed(cx) ? NULL : r;
}

/* ==== Steps ================================================================= */
static jn_val *eval_step(jn_ctx *cx, const asl_jnode *step, jn_val *input, jn_env *env,
                         bool last)
{
    if (step->type == ASL_JN_SORT)
        return eval_stages(cx, step, eval_sort(cx, step, input, env), env);
    items in = as_items(cx, input);
    jn_val **res = jn_alloc(cx, (in.n ? in.n : 1) * sizeof *res);
    size_t nres = 0;
    for (size_t i = 0; i < in.n; i++) {
        jn_val *r = jn_eval_node(cx, step, in.v[i], env, true);
        for (int s = 0; s < step->nstages && !jn_failed(cx); s++)
            if (step->stages[s]->type == ASL_JN_FILTER)
                r = jn_eval_filter(cx, step->stages[s]->kids[0], r, env);
        if (jn_failed(cx))
            return NULL;
        if (r)
            res[nres++] = r;
    }
    if (last && nres == 1 && jn_is_array(res[0]) && !jn_is_seq(res[0]))
        return res[0];
    jn_val *out = jn_seq_new(cx, nres);
    for (size_t i = 0; i < nres; i++) {
        jn_val *r = res[i];
        if (!jn_is_array(r) || (r->flags & JN_F_CONS))
            jn_arr_push(cx, out, r);
        else
            for (size_t k = 0; k < r->u.arr.n; k++)
                jn_arr_push(cx, out, r->u.arr.items[k]);
    }
    return out;
}

static jn_val *copy_tuple(jn_ctx *cx, const jn_val *t)
{
    size_t n;
    const jn_pair *p = jn_obj_pairs(cx, t, &n);
    jn_val *c = jn_obj_new(cx, n + 2);
    for (size_t i = 0; i < n; i++)
        jn_obj_set(cx, c, p[i].key, p[i].klen, p[i].val);
    return c;
}

static jn_val *tuple_stream(jn_ctx *cx, size_t cap)
{
    jn_val *s = jn_seq_new(cx, cap);
    s->flags |= JN_F_TUPLE;
    return s;
}

static jn_val *eval_tuple_step(jn_ctx *cx, const asl_jnode *step, jn_val *input,
                               jn_val *tuples, jn_env *env)
{
    if (step->type == ASL_JN_SORT) {
        jn_val *r;
        if (tuples)
            r = eval_sort(cx, step, tuples, env);
        else {
            jn_val *sorted = eval_sort(cx, step, input, env);
            items s = as_items(cx, sorted);
            r = tuple_stream(cx, s.n);
            for (size_t i = 0; i < s.n && sorted; i++) {
                jn_val *t = jn_obj_new(cx, 2);
                if (s.v[i])
                    jn_obj_set(cx, t, "@", 1, s.v[i]);
                if (step->index)
                    jn_obj_set(cx, t, step->index, strlen(step->index), jn_num(cx, (double)i));
                jn_arr_push(cx, r, t);
            }
        }
        return eval_stages(cx, step, r, env);
    }
    if (!tuples) {
        items in = as_items(cx, input);
        tuples = tuple_stream(cx, in.n);
        for (size_t i = 0; i < in.n; i++) {
            jn_val *t = jn_obj_new(cx, 2);
            if (in.v[i])
                jn_obj_set(cx, t, "@", 1, in.v[i]);
            jn_arr_push(cx, tuples, t);
        }
    }
    jn_val *out = tuple_stream(cx, tuples->u.arr.n);
    for (size_t e = 0; e < tuples->u.arr.n && !jn_failed(cx); e++) {
        jn_val *tb = tuples->u.arr.items[e];
        jn_env *step_env = jn_env_from_tuple(cx, env, tb);
        jn_val *at = jn_obj_get(cx, tb, "@", 1);
        jn_val *res = jn_eval_node(cx, step, at, step_env, true);
        if (jn_failed(cx))
            return NULL;
        if (!res)
            continue;
        items rs = jn_is_array(res) ? (items){res->u.arr.items, res->u.arr.n} : (items){&res, 1};
        bool res_tuples = jn_is_array(res) && (res->flags & JN_F_TUPLE);
        for (size_t b = 0; b < rs.n; b++) {
            jn_val *t = copy_tuple(cx, tb);
            if (res_tuples) {
                size_t np;
                const jn_pair *p = jn_obj_pairs(cx, rs.v[b], &np);
                for (size_t k = 0; k < np; k++)
                    jn_obj_set(cx, t, p[k].key, p[k].klen, p[k].val);
            } else {
                if (step->focus) {
                    jn_obj_set(cx, t, step->focus, strlen(step->focus), rs.v[b]);
                    if (at)
                        jn_obj_set(cx, t, "@", 1, at);
                } else
                    jn_obj_set(cx, t, "@", 1, rs.v[b]);
                if (step->index)
                    jn_obj_set(cx, t, step->index, strlen(step->index), jn_num(cx, (double)b));
                if (step->ancestor && at)
                    jn_obj_set(cx, t, step->ancestor, strlen(step->ancestor), at);
            }
            jn_arr_push(cx, out, t);
        }
    }
    return eval_stages(cx, step, out, env);
}

jn_val *jn_eval_path(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_val *in;
    if (jn_is_array(input) && n->kids[0]->type != ASL_JN_VARIABLE)
        in = input;
    else {
        /* createSequence(input), which holds undefined too */
        in = jn_seq_new(cx, 1);
        in->u.arr.items = jn_alloc(cx, sizeof(jn_val *));
        in->u.arr.items[0] = input;
        in->u.arr.n = 1;
        in->u.arr.cap = 1;
    }
    jn_val *result = NULL, *tuples = NULL;
    bool tuple_mode = false;
    for (int i = 0; i < n->nkids; i++) {
        const asl_jnode *step = n->kids[i];
        if (step->flags & ASL_JF_TUPLE)
            tuple_mode = true;
        if (i == 0 && (step->flags & ASL_JF_CONS))
            result = jn_eval_node(cx, step, in, env, true);
        else if (tuple_mode)
            tuples = eval_tuple_step(cx, step, in, tuples, env);
        else
            result = eval_step(cx, step, in, env, i == n->nkids - 1);
        if (jn_failed(cx))
            return NULL;
        if (!tuple_mode && (!result || (jn_is_array(result) && result->u.arr.n == 0)))
            break;
        if (!step->focus)
            in = result;
    }
    if (tuple_mode) {
        if (n->flags & ASL_JF_TUPLE)
            result = tuples;
        else {
            result = jn_seq_new(cx, tuples ? tuples->u.arr.n : 0);
            for (size_t i = 0; tuples && i < tuples->u.arr.n; i++)
                jn_arr_push(cx, result, jn_obj_get(cx, tuples->u.arr.items[i], "@", 1));
        }
    }
    if (n->flags & ASL_JF_KEEP_SINGLETON) {
        if (jn_is_array(result) && (result->flags & JN_F_CONS) && !jn_is_seq(result))
            result = jn_seq_of(cx, result);
        if (jn_is_array(result))
            result->flags |= JN_F_KEEP;
    }
    if (n->group)
        result = jn_eval_group(cx, n->group, tuple_mode ? tuples : result, env);
    return result;
}

/* ==== Group-by and the object constructor =================================== */
/* reduceTupleStream: one tuple whose members append every tuple's. */
static jn_val *reduce_tuples(jn_ctx *cx, jn_val *stream)
{
    if (!jn_is_array(stream))
        return stream;
    jn_val *r = copy_tuple(cx, stream->u.arr.items[0]);
    for (size_t i = 1; i < stream->u.arr.n; i++) {
        size_t np;
        const jn_pair *p = jn_obj_pairs(cx, stream->u.arr.items[i], &np);
        for (size_t k = 0; k < np; k++)
            jn_obj_set(cx, r, p[k].key, p[k].klen,
                       jn_append(cx, jn_obj_get(cx, r, p[k].key, p[k].klen), p[k].val));
    }
    return r;
}

typedef struct group {
    const char *key;
    size_t klen;
    jn_val *data;
    int pair;
} group;

jn_val *jn_eval_group(jn_ctx *cx, const asl_jnode *obj, jn_val *input, jn_env *env)
{
    bool reduce = jn_is_array(input) && (input->flags & JN_F_TUPLE);
    items in = as_items(cx, input);
    if (jn_is_array(input) && in.n == 0) {
        jn_val **one = jn_alloc(cx, sizeof *one);
        in = (items){one, 1};
    }
    int npairs = obj->nkids / 2;
    jn_val *index = jn_obj_new(cx, 4); /* key -> position in groups, as a number */
    group *groups = NULL;
    size_t ng = 0, cap = 0;
    for (size_t i = 0; i < in.n; i++) {
        jn_val *item = in.v[i];
        jn_env *e = reduce ? jn_env_from_tuple(cx, env, item) : env;
        for (int p = 0; p < npairs; p++) {
            jn_val *key = jn_eval(cx, obj->kids[2 * p], reduce ? jn_obj_get(cx, item, "@", 1) : item, e);
            if (jn_failed(cx))
                return NULL;
            if (!key)
                continue;
            if (!jn_is_str(key)) {
                cx->pos = obj->position;
                return jn_throw(cx, "T1003", NULL, key);
            }
            jn_val *at = jn_obj_get(cx, index, key->u.str.s, key->u.str.len);
            if (at) {
                group *g = &groups[(size_t)at->u.num];
                if (g->pair != p) {
                    cx->pos = obj->position;
                    return jn_throw(cx, "D1009", NULL, key);
                }
                g->data = jn_append(cx, g->data, item);
                continue;
            }
            if (ng == cap) {
                cap = cap ? cap * 2 : 8;
                group *ng2 = jn_alloc(cx, cap * sizeof *ng2);
                if (ng)
                    memcpy(ng2, groups, ng * sizeof *groups);
                groups = ng2;
            }
            groups[ng] = (group){key->u.str.s, key->u.str.len, item, p};
            jn_obj_set(cx, index, key->u.str.s, key->u.str.len, jn_num(cx, (double)ng));
            ng++;
        }
    }
    jn_val *result = jn_obj_new(cx, ng);
    for (size_t g = 0; g < ng && !jn_failed(cx); g++) {
        jn_val *context = groups[g].data;
        jn_env *e = env;
        if (reduce) {
            jn_val *t = reduce_tuples(cx, groups[g].data);
            context = jn_obj_get(cx, t, "@", 1);
            jn_obj_remove(cx, t, "@", 1);
            e = jn_env_from_tuple(cx, env, t);
        }
        jn_val *v = jn_eval(cx, obj->kids[2 * groups[g].pair + 1], context, e);
        if (v)
            jn_obj_set(cx, result, groups[g].key, groups[g].klen, v);
    }
    return jn_failed(cx) ? NULL : result;
}
