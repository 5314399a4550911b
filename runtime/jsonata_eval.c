/*
 * jsonata_eval.c - the JSONata evaluator's dispatch, as jsonata-js 2.0.6's
 * evaluate(): literals, variables and environments, the operators,
 * conditions, blocks, bindings, the array and object constructors, and the
 * entry points of jsonata_eval.h. Paths live in jsonata_eval_path.c,
 * function values in jsonata_eval_func.c.
 *
 * Layer: values
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonata_eval_impl.h"

/* ==== Environments ======================================================== */
jn_env *jn_env_new(jn_ctx *cx, jn_env *parent)
{
    jn_env *e = jn_alloc(cx, sizeof *e);
    e->parent = parent;
    return e;
}

void jn_env_bind(jn_ctx *cx, jn_env *env, const char *name, size_t len, jn_val *v)
{
    for (size_t i = 0; i < env->n; i++)
        if (env->lens[i] == len && memcmp(env->names[i], name, len) == 0) {
            env->vals[i] = v;
            return;
        }
    if (env->n == env->cap) {
        size_t cap = env->cap ? env->cap * 2 : 4;
        const char **names = jn_alloc(cx, cap * sizeof *names);
        size_t *lens = jn_alloc(cx, cap * sizeof *lens);
        jn_val **vals = jn_alloc(cx, cap * sizeof *vals);
        if (jn_failed(cx))
            return;
        if (env->n) {
            memcpy(names, env->names, env->n * sizeof *names);
            memcpy(lens, env->lens, env->n * sizeof *lens);
            memcpy(vals, env->vals, env->n * sizeof *vals);
        }
        env->names = names;
        env->lens = lens;
        env->vals = vals;
        env->cap = cap;
    }
    env->names[env->n] = name;
    env->lens[env->n] = len;
    env->vals[env->n] = v;
    env->n++;
}

jn_val *jn_env_lookup(jn_ctx *cx, jn_env *env, const char *name, size_t len, bool *found)
{
    jn_env *root = env;
    for (jn_env *e = env; e; e = e->parent) {
        for (size_t i = e->n; i-- > 0;)
            if (e->lens[i] == len && memcmp(e->names[i], name, len) == 0) {
                *found = true;
                return e->vals[i];
            }
        root = e;
    }
    if (root && root->resolve) {
        const cJSON *j = root->resolve(root->user, name, len);
        if (j) {
            /* Wrapped once and kept, so the value has one identity. */
            jn_val *v = jn_from_json(cx, j);
            jn_env_bind(cx, root, jn_strndup(cx, name, len), len, v);
            *found = true;
            return v;
        }
    }
    const jn_builtin *b = jn_builtin_find(name, len);
    if (b) {
        jn_func *f = jn_alloc(cx, sizeof *f);
        f->kind = JN_FN_BUILTIN;
        f->builtin = b;
        *found = true;
        return jn_fn_value(cx, f);
    }
    *found = false;
    return NULL;
}

jn_env *jn_env_from_tuple(jn_ctx *cx, jn_env *env, const jn_val *tuple)
{
    jn_env *f = jn_env_new(cx, env);
    size_t n;
    const jn_pair *p = jn_obj_pairs(cx, tuple, &n);
    for (size_t i = 0; i < n; i++)
        jn_env_bind(cx, f, p[i].key, p[i].klen, p[i].val);
    return f;
}

/* ==== Value helpers ======================================================= */
jn_val *jn_fn_value(jn_ctx *cx, jn_func *f)
{
    jn_val *v = jn_alloc(cx, sizeof *v);
    v->type = JN_FUNCTION;
    v->u.fn = f;
    return v;
}

jn_val *jn_seq_of(jn_ctx *cx, jn_val *v)
{
    jn_val *s = jn_seq_new(cx, 1);
    if (v)
        jn_arr_push(cx, s, v);
    return s;
}

jn_val *jn_append(jn_ctx *cx, jn_val *a, jn_val *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    size_t na = jn_is_array(a) ? a->u.arr.n : 1, nb = jn_is_array(b) ? b->u.arr.n : 1;
    jn_val *r = jn_arr_new(cx, na + nb);
    if (jn_is_array(a))
        for (size_t i = 0; i < na; i++)
            jn_arr_push(cx, r, a->u.arr.items[i]);
    else
        jn_arr_push(cx, r, a);
    if (jn_is_array(b))
        for (size_t i = 0; i < nb; i++)
            jn_arr_push(cx, r, b->u.arr.items[i]);
    else
        jn_arr_push(cx, r, b);
    /* Array.prototype.concat keeps no hidden flags, except that
     * createSequence(a).concat(b) is what fn.append builds: a plain array. */
    return r;
}

bool jn_numeric(jn_ctx *cx, const jn_val *v)
{
    if (!jn_is_num(v) || isnan(v->u.num))
        return false;
    if (!isfinite(v->u.num)) {
        jn_throw(cx, "D1001", NULL, v);
        return false;
    }
    return true;
}

jn_val *jn_clone(jn_ctx *cx, const jn_val *v)
{
    if (!v || jn_is_fn(v))
        return NULL;
    switch ((jn_type)v->type) {
    case JN_ARRAY: {
        jn_val *r = jn_arr_new(cx, v->u.arr.n);
        for (size_t i = 0; i < v->u.arr.n; i++) {
            jn_val *c = jn_clone(cx, v->u.arr.items[i]);
            jn_arr_push(cx, r, c ? c : jn_null); /* JSON.stringify writes null */
        }
        return r;
    }
    case JN_OBJECT: {
        size_t n;
        const jn_pair *p = jn_obj_pairs(cx, v, &n);
        jn_val *r = jn_obj_new(cx, n);
        for (size_t i = 0; i < n; i++) {
            jn_val *c = jn_clone(cx, p[i].val);
            if (c)
                jn_obj_set(cx, r, p[i].key, p[i].klen, c);
        }
        return r;
    }
    case JN_NUMBER:
        if (!isfinite(v->u.num))
            return jn_null;
        return (jn_val *)v;
    default:
        return (jn_val *)v;
    }
}

void jn_obj_remove(jn_ctx *cx, jn_val *obj, const char *key, size_t klen)
{
    size_t n;
    jn_obj_pairs(cx, obj, &n); /* materialize */
    jn_pair *p = obj->u.obj.pairs;
    for (size_t i = 0; i < n; i++)
        if (p[i].klen == klen && memcmp(p[i].key, key, klen) == 0) {
            /* Rebuild: the key index (if any) is positional. */
            jn_val *fresh = jn_obj_new(cx, n);
            for (size_t k = 0; k < n; k++)
                if (k != i)
                    jn_obj_set(cx, fresh, p[k].key, p[k].klen, p[k].val);
            obj->u.obj = fresh->u.obj;
            return;
        }
}

/* A value as JSON text for messages (strings quoted, as JSON.stringify). */
static void msg_value(jn_ctx *cx, const jn_val *v, char *buf, size_t cap)
{
    if (!v) {
        snprintf(buf, cap, "undefined");
        return;
    }
    if (jn_is_num(v) && !isfinite(v->u.num)) {
        char nb[32];
        jn_num_tostr(v->u.num, nb);
        snprintf(buf, cap, "%s", nb);
        return;
    }
    jn_val *s = jn_stringify(cx, v, false);
    if (!s) {
        snprintf(buf, cap, "?");
        return;
    }
    if (jn_is_str(v))
        snprintf(buf, cap, "\"%.*s\"", (int)s->u.str.len, s->u.str.s);
    else
        snprintf(buf, cap, "%.*s", (int)s->u.str.len, s->u.str.s);
}

static jn_val *throw_at(jn_ctx *cx, const asl_jnode *n, const char *code, const char *token,
                        const jn_val *value)
{
    cx->pos = n->position;
    return jn_throw(cx, code, token, value);
}

/* ==== Operators =========================================================== */
static jn_val *numeric_op(jn_ctx *cx, const asl_jnode *n, jn_val *l, jn_val *r)
{
    cx->pos = n->position;
    if (l && !jn_numeric(cx, l)) {
        if (jn_failed(cx))
            return NULL;
        return throw_at(cx, n, "T2001", n->str, l);
    }
    if (r && !jn_numeric(cx, r)) {
        if (jn_failed(cx))
            return NULL;
        return throw_at(cx, n, "T2002", n->str, r);
    }
    if (!l || !r)
        return NULL;
    double a = l->u.num, b = r->u.num, v = 0;
    switch (n->op) {
    case ASL_JOP_ADD: v = a + b; break;
    case ASL_JOP_SUB: v = a - b; break;
    case ASL_JOP_MUL: v = a * b; break;
    case ASL_JOP_DIV: v = a / b; break;
    case ASL_JOP_MOD: v = fmod(a, b); break;
    }
    return jn_num(cx, v);
}

static bool comparable(const jn_val *v) { return !v || jn_is_str(v) || jn_is_num(v); }

static int utf16_cmp(const jn_val *a, const jn_val *b)
{
    /* UTF-8 byte order is code point order; JavaScript compares UTF-16
     * units, which differs only between astral characters and
     * U+E000..U+FFFF. */
    size_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
    int c = memcmp(a->u.str.s, b->u.str.s, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
}

static jn_val *compare_op(jn_ctx *cx, const asl_jnode *n, jn_val *l, jn_val *r)
{
    if (!comparable(l) || !comparable(r))
        return throw_at(cx, n, "T2010", n->str, !comparable(l) ? l : r);
    if (!l || !r)
        return NULL;
    if (l->type != r->type) {
        char a[200], b[200];
        msg_value(cx, l, a, sizeof a);
        msg_value(cx, r, b, sizeof b);
        cx->pos = n->position;
        jn_throwf(cx, "T2009",
                  "The values %s and %s either side of operator \"%s\" must be of the same data type",
                  a, b, n->str);
        snprintf(cx->err.token, sizeof cx->err.token, "%s", n->str);
        snprintf(cx->err.value, sizeof cx->err.value, "%s", a);
        return NULL;
    }
    int c;
    if (jn_is_num(l))
        c = l->u.num < r->u.num ? -1 : l->u.num > r->u.num ? 1 : (l->u.num == r->u.num ? 0 : 2);
    else
        c = utf16_cmp(l, r);
    bool res = false;
    if (c == 2) /* NaN: every comparison is false */
        return jn_bool(false);
    switch (n->op) {
    case ASL_JOP_LT: res = c < 0; break;
    case ASL_JOP_LE: res = c <= 0; break;
    case ASL_JOP_GT: res = c > 0; break;
    case ASL_JOP_GE: res = c >= 0; break;
    }
    return jn_bool(res);
}

/* `===` of JavaScript: values for scalars, identity for the rest. */
static bool strict_equal(const jn_val *a, const jn_val *b)
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
    case JN_FUNCTION: return a->u.fn == b->u.fn;
    default: return a->json && a->json == b->json;
    }
}

static jn_val *includes_op(jn_val *l, jn_val *r)
{
    if (!l || !r)
        return jn_bool(false);
    if (!jn_is_array(r))
        return jn_bool(strict_equal(r, l));
    for (size_t i = 0; i < r->u.arr.n; i++)
        if (strict_equal(r->u.arr.items[i], l))
            return jn_bool(true);
    return jn_bool(false);
}

static bool is_integer(const jn_val *v)
{
    return jn_is_num(v) && isfinite(v->u.num) && floor(v->u.num) == v->u.num;
}

static jn_val *range_op(jn_ctx *cx, const asl_jnode *n, jn_val *l, jn_val *r)
{
    if (l && !is_integer(l))
        return throw_at(cx, n, "T2003", n->str, l);
    if (r && !is_integer(r))
        return throw_at(cx, n, "T2004", n->str, r);
    if (!l || !r || l->u.num > r->u.num)
        return NULL;
    double size = r->u.num - l->u.num + 1;
    if (size > 1e7) {
        jn_val sz = {.type = JN_NUMBER, .u.num = size};
        return throw_at(cx, n, "D2014", n->str, &sz);
    }
    jn_val *s = jn_seq_new(cx, (size_t)size);
    for (double x = l->u.num; x <= r->u.num && !jn_failed(cx); x++)
        jn_arr_push(cx, s, jn_num(cx, x));
    return s;
}

static jn_val *concat_op(jn_ctx *cx, jn_val *l, jn_val *r)
{
    jn_val *ls = l ? jn_stringify(cx, l, false) : NULL;
    if (jn_failed(cx))
        return NULL;
    jn_val *rs = r ? jn_stringify(cx, r, false) : NULL;
    if (jn_failed(cx))
        return NULL;
    size_t a = ls ? ls->u.str.len : 0, b = rs ? rs->u.str.len : 0;
    char *buf = jn_alloc(cx, a + b + 1);
    if (a)
        memcpy(buf, ls->u.str.s, a);
    if (b)
        memcpy(buf + a, rs->u.str.s, b);
    return jn_str(cx, buf, a + b);
}

static jn_val *eval_binary(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_val *l = jn_eval(cx, n->kids[0], input, env);
    if (jn_failed(cx))
        return NULL;
    if (n->op == ASL_JOP_AND || n->op == ASL_JOP_OR) {
        bool lb = jn_truthy(cx, l);
        if (n->op == ASL_JOP_AND && !lb)
            return jn_bool(false);
        if (n->op == ASL_JOP_OR && lb)
            return jn_bool(true);
        jn_val *r = jn_eval(cx, n->kids[1], input, env);
        if (jn_failed(cx))
            return NULL;
        return jn_bool(jn_truthy(cx, r));
    }
    jn_val *r = jn_eval(cx, n->kids[1], input, env);
    if (jn_failed(cx))
        return NULL;
    switch (n->op) {
    case ASL_JOP_ADD:
    case ASL_JOP_SUB:
    case ASL_JOP_MUL:
    case ASL_JOP_DIV:
    case ASL_JOP_MOD: return numeric_op(cx, n, l, r);
    case ASL_JOP_EQ: return jn_bool(l && r && jn_deep_equal(cx, l, r));
    case ASL_JOP_NE: return jn_bool(l && r && !jn_deep_equal(cx, l, r));
    case ASL_JOP_LT:
    case ASL_JOP_LE:
    case ASL_JOP_GT:
    case ASL_JOP_GE: return compare_op(cx, n, l, r);
    case ASL_JOP_CONCAT: return concat_op(cx, l, r);
    case ASL_JOP_RANGE: return range_op(cx, n, l, r);
    case ASL_JOP_IN: return includes_op(l, r);
    }
    return NULL;
}

/* ==== Constructors, conditions, blocks ==================================== */
static jn_val *eval_negate(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_val *v = jn_eval(cx, n->kids[0], input, env);
    if (!v || jn_failed(cx))
        return NULL;
    cx->pos = n->position;
    if (jn_numeric(cx, v))
        return jn_num(cx, -v->u.num);
    if (jn_failed(cx))
        return NULL;
    return throw_at(cx, n, "D1002", "-", v);
}

static jn_val *eval_array(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_val *r = jn_arr_new(cx, (size_t)n->nkids);
    for (int i = 0; i < n->nkids; i++) {
        jn_val *v = jn_eval(cx, n->kids[i], input, env);
        if (jn_failed(cx))
            return NULL;
        if (!v)
            continue;
        if (n->kids[i]->type == ASL_JN_ARRAY || !jn_is_array(v))
            jn_arr_push(cx, r, v);
        else
            for (size_t k = 0; k < v->u.arr.n; k++)
                jn_arr_push(cx, r, v->u.arr.items[k]);
    }
    if (n->flags & ASL_JF_CONS)
        r->flags |= JN_F_CONS;
    return r;
}

static jn_val *eval_condition(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_val *c = jn_eval(cx, n->kids[0], input, env);
    if (jn_failed(cx))
        return NULL;
    if (jn_truthy(cx, c))
        return jn_eval(cx, n->kids[1], input, env);
    if (n->nkids > 2)
        return jn_eval(cx, n->kids[2], input, env);
    return NULL;
}

static jn_val *eval_block(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_env *frame = jn_env_new(cx, env);
    jn_val *r = NULL;
    for (int i = 0; i < n->nkids && !jn_failed(cx); i++)
        r = jn_eval(cx, n->kids[i], input, frame);
    return jn_failed(cx) ? NULL : r;
}

static jn_val *eval_bind(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_val *v = jn_eval(cx, n->kids[1], input, env);
    if (jn_failed(cx))
        return NULL;
    const asl_jnode *var = n->kids[0];
    jn_env_bind(cx, env, var->str, var->len, v);
    return v;
}

static jn_val *eval_variable(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    if (n->len == 0) {
        if (jn_is_array(input) && (input->flags & JN_F_OUTER))
            return input->u.arr.n ? input->u.arr.items[0] : NULL;
        return input;
    }
    bool found;
    return jn_env_lookup(cx, env, n->str, n->len, &found);
}

static jn_val *eval_literal(jn_ctx *cx, const asl_jnode *n)
{
    switch (n->type) {
    case ASL_JN_STRING: return jn_str(cx, n->str, n->len);
    case ASL_JN_NUMBER: return jn_num(cx, n->num);
    default:
        return n->op == ASL_JVAL_NULL ? jn_null : jn_bool(n->op == ASL_JVAL_TRUE);
    }
}

/* ==== Dispatch ============================================================= */
static jn_val *dispatch(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    switch (n->type) {
    case ASL_JN_PATH: return jn_eval_path(cx, n, input, env);
    case ASL_JN_BINARY: return eval_binary(cx, n, input, env);
    case ASL_JN_NEGATE: return eval_negate(cx, n, input, env);
    case ASL_JN_ARRAY: return eval_array(cx, n, input, env);
    case ASL_JN_OBJECT: return jn_eval_group(cx, n, input, env);
    case ASL_JN_NAME: return jn_lookup_field(cx, input, n->str, n->len);
    case ASL_JN_STRING:
    case ASL_JN_NUMBER:
    case ASL_JN_VALUE: return eval_literal(cx, n);
    case ASL_JN_WILDCARD: return jn_eval_wildcard(cx, input);
    case ASL_JN_DESCENDANT: return jn_eval_descendants(cx, input);
    case ASL_JN_PARENT: {
        bool found;
        return jn_env_lookup(cx, env, n->str, n->len, &found);
    }
    case ASL_JN_CONDITION: return eval_condition(cx, n, input, env);
    case ASL_JN_BLOCK: return eval_block(cx, n, input, env);
    case ASL_JN_BIND: return eval_bind(cx, n, input, env);
    case ASL_JN_REGEX: return jn_eval_regex(cx, n);
    case ASL_JN_FUNCTION:
        if (n->flags & ASL_JF_PARTIAL)
            return jn_eval_partial(cx, n, input, env);
        return jn_eval_function(cx, n, input, env, NULL, false);
    case ASL_JN_VARIABLE: return eval_variable(cx, n, input, env);
    case ASL_JN_LAMBDA: return jn_eval_lambda(cx, n, input, env);
    case ASL_JN_APPLY: return jn_eval_apply_op(cx, n, input, env);
    case ASL_JN_TRANSFORM: return jn_eval_transform(cx, n, input, env);
    case ASL_JN_SORT: /* only ever a path step, where the path sorts */
    default:
        cx->pos = n->position;
        return jn_throwf(cx, "S0500", "Unexpected node type %d in evaluation", n->type);
    }
}

jn_val *jn_eval_node(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env, bool as_step)
{
    if (jn_failed(cx))
        return NULL;
    long saved = cx->pos;
    cx->pos = n->position;
    if (!jn_enter(cx)) {
        jn_leave(cx);
        return NULL;
    }
    jn_val *r = dispatch(cx, n, input, env);
    if (!as_step)
        for (int i = 0; i < n->nstages && !jn_failed(cx); i++)
            if (n->stages[i]->type == ASL_JN_FILTER)
                r = jn_eval_filter(cx, n->stages[i]->kids[0], r, env);
    if (n->group && n->type != ASL_JN_PATH && !jn_failed(cx))
        r = jn_eval_group(cx, n->group, r, env);
    jn_leave(cx);
    if (jn_failed(cx))
        return NULL;
    cx->pos = saved;
    if (jn_is_seq(r) && !(r->flags & JN_F_TUPLE)) {
        if (n->flags & ASL_JF_KEEP_ARRAY)
            r->flags |= JN_F_KEEP;
        if (r->u.arr.n == 0)
            r = NULL;
        else if (r->u.arr.n == 1 && !(r->flags & JN_F_KEEP))
            r = r->u.arr.items[0];
    }
    return r;
}

jn_val *jn_eval(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    return jn_eval_node(cx, n, input, env, false);
}

/* ==== Entry points ========================================================= */
jn_val *jn_evaluate(jn_ctx *cx, const asl_jnode *root, const cJSON *input, jn_resolve resolve,
                    void *user)
{
    if (!root)
        return NULL;
    jn_env *env = jn_env_new(cx, NULL);
    env->resolve = resolve;
    env->user = user;
    jn_val *in = jn_from_json(cx, input);
    jn_env_bind(cx, env, "$", 1, in);
    /* A JSON array input is one input, not a sequence of them. */
    if (jn_is_array(in) && !jn_is_seq(in)) {
        jn_val *w = jn_seq_of(cx, in);
        w->flags |= JN_F_OUTER;
        in = w;
    }
    jn_val *r = jn_eval(cx, root, in, env);
    return jn_failed(cx) ? NULL : r;
}

static const cJSON *from_bindings(void *user, const char *name, size_t len)
{
    for (const cJSON *c = ((const cJSON *)user)->child; c; c = c->next)
        if (c->string && strlen(c->string) == len && memcmp(c->string, name, len) == 0)
            return c;
    return NULL;
}

jn_val *jn_evaluate_bindings(jn_ctx *cx, const asl_jnode *root, const cJSON *input,
                             const cJSON *bindings)
{
    return jn_evaluate(cx, root, input, bindings ? from_bindings : NULL, (void *)bindings);
}
