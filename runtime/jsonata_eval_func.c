/*
 * jsonata_eval_func.c - JSONata function values as jsonata-js 2.0.6 makes
 * and applies them: calls, lambdas and their closures, partial
 * application, the ~> operator and function chaining, the transform
 * operator, regex literals as matcher functions, and apply() with the
 * trampoline that runs tail calls in constant stack.
 *
 * Layer: values
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_eval_impl.h"

static jn_func *new_func(jn_ctx *cx, jn_fn_kind kind)
{
    jn_func *f = jn_alloc(cx, sizeof *f);
    f->kind = kind;
    return f;
}

int jn_func_arity(const jn_val *fn)
{
    if (!jn_is_fn(fn))
        return 0;
    const jn_func *f = fn->u.fn;
    switch (f->kind) {
    case JN_FN_LAMBDA: return f->nparams;
    case JN_FN_BUILTIN: {
        /* JavaScript's Function.length of jsonata-js's implementation:
         * its parameters before the first default; $zip reads
         * `arguments`, $string(arg, prettify = false) counts one. */
        const char *nm = f->builtin->name;
        if (strcmp(nm, "zip") == 0)
            return 0;
        if (strcmp(nm, "string") == 0)
            return 1;
        jn_ctx scratch;
        jn_ctx_init(&scratch, NULL);
        const jn_sig *s = jn_sig_get(&scratch, f->builtin->signature, NULL);
        int n = s ? jn_sig_params(s) : 0;
        jn_ctx_free(&scratch);
        return n;
    }
    case JN_FN_PARTIAL: {
        int n = 0;
        for (int i = 0; i < f->nargs; i++)
            n += f->hole[i];
        return n;
    }
    case JN_FN_REGEX: return 2;
    case JN_FN_REGEX_NEXT: return 0;
    case JN_FN_CHAIN: return 1;
    case JN_FN_TRANSFORM: return 1;
    }
    return 0;
}

const struct jn_regex *jn_func_regex(const jn_val *fn)
{
    return jn_is_fn(fn) && fn->u.fn->kind == JN_FN_REGEX ? fn->u.fn->re : NULL;
}

/* ==== Regex literals ======================================================== */
/* Compiled patterns live in a process-wide registry keyed by pattern and
 * flags (the distinct regexes of the expressions run), so a tree freed
 * with its arena leaves nothing behind and each pattern compiles once;
 * the node's cache slot saves the registry lookup. */
typedef struct rx_entry {
    struct rx_entry *next;
    char *pattern, *flags;
    size_t len;
    jn_regex *re;
} rx_entry;

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static rx_entry *rx_registry;

static const jn_regex *compiled_regex(jn_ctx *cx, const asl_jnode *n)
{
    void *_Atomic *slot = (void *_Atomic *)n->cache;
    jn_regex *re = slot ? atomic_load(slot) : NULL;
    if (re)
        return re;
    const char *flags = n->rx_flags ? n->rx_flags : "";
    jn_error err = {0};
    pthread_mutex_lock(&rx_lock);
    rx_entry *e;
    for (e = rx_registry; e; e = e->next)
        if (e->len == n->len && memcmp(e->pattern, n->str, n->len) == 0 &&
            strcmp(e->flags, flags) == 0)
            break;
    if (!e) {
        re = jn_regex_compile(n->str, n->len, flags, &err);
        e = re ? calloc(1, sizeof *e) : NULL;
        if (e) {
            e->pattern = malloc(n->len + 1);
            e->flags = strdup(flags);
            if (!e->pattern || !e->flags) {
                free(e->pattern);
                free(e->flags);
                free(e);
                e = NULL;
            } else {
                memcpy(e->pattern, n->str, n->len);
                e->pattern[n->len] = 0;
                e->len = n->len;
                e->re = re;
                e->next = rx_registry;
                rx_registry = e;
            }
        }
        if (!e && re) {
            jn_regex_free(re);
            snprintf(err.code, sizeof err.code, "U1001");
            snprintf(err.message, sizeof err.message, "Out of memory");
        }
    }
    pthread_mutex_unlock(&rx_lock);
    if (!e) {
        jn_ctx_set_error(cx, err.code[0] ? err.code : "S0302", n->position, NULL, err.message);
        return NULL;
    }
    if (slot)
        atomic_store(slot, (void *)e->re);
    return e->re;
}

jn_val *jn_eval_regex(jn_ctx *cx, const asl_jnode *n)
{
    const jn_regex *re = compiled_regex(cx, n);
    if (!re)
        return NULL;
    jn_func *f = new_func(cx, JN_FN_REGEX);
    f->node = n;
    f->re = re;
    return jn_fn_value(cx, f);
}

/* closure(str, fromIndex): the match object {match, start, end, groups,
 * next}, or undefined. [from] is a byte offset. */
static jn_val *regex_match(jn_ctx *cx, const jn_func *rf, const char *s, size_t len, size_t from)
{
    int ng = jn_regex_groups(rf->re);
    size_t *st = jn_alloc(cx, (size_t)(ng + 1) * sizeof *st);
    size_t *en = jn_alloc(cx, (size_t)(ng + 1) * sizeof *en);
    jn_match m = {st, en};
    jn_error err = {0};
    int rc = from > len ? 0 : jn_regex_exec(rf->re, s, len, from, &m, &err);
    if (rc < 0) {
        jn_ctx_set_error(cx, err.code, cx->pos, NULL, err.message);
        return NULL;
    }
    if (rc == 0)
        return NULL;
    jn_val *o = jn_obj_new(cx, 5);
    jn_obj_set(cx, o, "match", 5, jn_str(cx, s + st[0], en[0] - st[0]));
    jn_obj_set(cx, o, "start", 5, jn_num(cx, (double)jn_utf16_len(s, st[0])));
    jn_obj_set(cx, o, "end", 3, jn_num(cx, (double)jn_utf16_len(s, en[0])));
    jn_val *groups = jn_arr_new(cx, (size_t)ng);
    for (int i = 1; i <= ng; i++)
        jn_arr_push(cx, groups, st[i] == (size_t)-1 ? jn_null : jn_str(cx, s + st[i], en[i] - st[i]));
    jn_obj_set(cx, o, "groups", 6, groups);
    jn_func *nx = new_func(cx, JN_FN_REGEX_NEXT);
    nx->node = rf->node;
    nx->re = rf->re;
    nx->s = s;
    nx->slen = len;
    /* RegExp lastIndex after a global exec: the match's end (an empty
     * match leaves it where it was). */
    nx->from = en[0];
    jn_obj_set(cx, o, "next", 4, jn_fn_value(cx, nx));
    return o;
}

static jn_val *regex_next(jn_ctx *cx, const jn_func *nx)
{
    if (nx->from >= nx->slen)
        return NULL;
    jn_val *r = regex_match(cx, nx, nx->s, nx->slen, nx->from);
    jn_val *m = r ? jn_obj_get(cx, r, "match", 5) : NULL;
    if (m && m->u.str.len == 0) {
        cx->pos = nx->node ? nx->node->position : cx->pos;
        jn_val pat = {.type = JN_STRING, .u.str = {nx->node ? nx->node->str : "", nx->node ? nx->node->len : 0}};
        return jn_throw(cx, "D1004", NULL, &pat);
    }
    return r;
}

/* ==== Lambdas and closures =================================================== */
jn_val *jn_eval_lambda(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_func *f = new_func(cx, JN_FN_LAMBDA);
    f->node = n;
    f->nparams = n->nkids - 1;
    f->params = n->kids;
    f->body = n->kids[n->nkids - 1];
    f->env = env;
    f->input = input;
    f->thunk = (n->flags & ASL_JF_THUNK) != 0;
    if (n->str) {
        f->sig = jn_sig_get(cx, n->str, n->cache);
        if (!f->sig)
            return NULL;
    }
    return jn_fn_value(cx, f);
}

static jn_val *apply_procedure(jn_ctx *cx, const jn_func *f, jn_val **args, int nargs)
{
    jn_env *env = jn_env_new(cx, f->env);
    for (int i = 0; i < f->nparams; i++)
        jn_env_bind(cx, env, f->params[i]->str, f->params[i]->len, i < nargs ? args[i] : NULL);
    return jn_eval(cx, f->body, f->input, env);
}

static jn_val *call_native(jn_ctx *cx, const jn_builtin *b, jn_val **args, int nargs,
                           jn_val *input)
{
    const jn_sig *sig = jn_sig_get(cx, b->signature, NULL);
    if (!sig)
        return NULL;
    jn_val **v;
    int nv = jn_sig_validate(cx, sig, args, nargs, input, b->name, &v);
    if (nv < 0)
        return NULL;
    long pos = cx->pos;
    jn_val *r = b->fn(cx, v, nv);
    if (jn_failed(cx)) {
        if (!cx->err.token[0])
            snprintf(cx->err.token, sizeof cx->err.token, "%s", b->name);
        return NULL;
    }
    cx->pos = pos;
    return r;
}

/* applyInner: one call, without the trampoline. */
static jn_val *apply_inner(jn_ctx *cx, const jn_val *fn, jn_val **args, int nargs, jn_val *input,
                           jn_env *env)
{
    if (!jn_is_fn(fn))
        return jn_throw(cx, "T1006", NULL, NULL);
    if (!jn_tick(cx))
        return NULL;
    const jn_func *f = fn->u.fn;
    jn_val *r = NULL;
    switch (f->kind) {
    case JN_FN_LAMBDA: {
        jn_val **v = args;
        int nv = nargs;
        if (f->sig)
            nv = jn_sig_validate(cx, f->sig, args, nargs, input, NULL, &v);
        if (nv >= 0)
            r = apply_procedure(cx, f, v, nv);
        break;
    }
    case JN_FN_BUILTIN: r = call_native(cx, f->builtin, args, nargs, input); break;
    case JN_FN_PARTIAL: {
        jn_val **all = jn_alloc(cx, (size_t)(f->nargs + 1) * sizeof *all);
        int k = 0;
        for (int i = 0; i < f->nargs; i++)
            all[i] = f->hole[i] ? (k < nargs ? args[k++] : NULL) : f->args[i];
        r = jn_apply_in(cx, f->base, all, f->nargs, input, env);
        break;
    }
    case JN_FN_REGEX:
        if (nargs >= 1 && jn_is_str(args[0])) {
            size_t from = 0;
            if (nargs >= 2 && jn_is_num(args[1]) && args[1]->u.num > 0)
                from = jn_utf16_to_byte(args[0]->u.str.s, args[0]->u.str.len, (size_t)args[1]->u.num);
            r = regex_match(cx, f, args[0]->u.str.s, args[0]->u.str.len, from);
        }
        break;
    case JN_FN_REGEX_NEXT: r = regex_next(cx, f); break;
    case JN_FN_CHAIN: {
        jn_val *x = nargs ? args[0] : NULL;
        jn_val *mid = jn_apply_in(cx, f->f, &x, 1, NULL, env);
        if (!jn_failed(cx))
            r = jn_apply_in(cx, f->g, &mid, 1, NULL, env);
        break;
    }
    case JN_FN_TRANSFORM: {
        jn_val *a = nargs ? args[0] : NULL;
        /* signature <(oa):o> */
        if (a && !jn_is_obj(a) && !jn_is_array(a)) {
            jn_throwf(cx, "T0410", "Argument 1 of function \"transform\" does not match function signature");
            break;
        }
        r = jn_transform_apply(cx, f, a);
        break;
    }
    }
    return jn_failed(cx) ? NULL : r;
}

/* The name jsonata-js reports for a call's procedure, and whether the
 * user probably forgot a `$` (a field name that is a built-in's). */
static const char *proc_token(const asl_jnode *p, size_t *len)
{
    if (p->type == ASL_JN_PATH && p->nkids > 0) {
        *len = p->kids[0]->len;
        return p->kids[0]->str;
    }
    *len = p->len;
    return p->str;
}

jn_val *jn_apply_in(jn_ctx *cx, const jn_val *fn, jn_val **args, int nargs, jn_val *input,
                    jn_env *env)
{
    jn_val *r = apply_inner(cx, fn, args, nargs, input, env);
    /* The trampoline: a lambda body in tail position came back as a
     * thunk; run its call here instead of one C frame deeper. */
    while (!jn_failed(cx) && jn_is_fn(r) && r->u.fn->kind == JN_FN_LAMBDA && r->u.fn->thunk) {
        const jn_func *t = r->u.fn;
        const asl_jnode *call = t->body;
        if (call->type != ASL_JN_FUNCTION || (call->flags & ASL_JF_PARTIAL)) {
            r = jn_eval(cx, call, t->input, t->env);
            break;
        }
        jn_val *next = jn_eval(cx, call->kids[0], t->input, t->env);
        if (jn_failed(cx))
            return NULL;
        int n = call->nkids - 1;
        jn_val **a = jn_alloc(cx, (size_t)(n + 1) * sizeof *a);
        for (int i = 0; i < n && !jn_failed(cx); i++)
            a[i] = jn_eval(cx, call->kids[i + 1], t->input, t->env);
        if (jn_failed(cx))
            return NULL;
        cx->pos = call->position;
        if (!jn_is_fn(next)) {
            size_t tl = 0;
            const char *tok = proc_token(call->kids[0], &tl);
            char tokbuf[128];
            snprintf(tokbuf, sizeof tokbuf, "%.*s", (int)(tok ? tl : 0), tok ? tok : "");
            return jn_throw(cx, "T1006", tokbuf, NULL);
        }
        r = apply_inner(cx, next, a, n, input, env);
    }
    return jn_failed(cx) ? NULL : r;
}

jn_val *jn_apply(jn_ctx *cx, const jn_val *fn, jn_val **args, int nargs)
{
    return jn_apply_in(cx, fn, args, nargs, NULL, NULL);
}

/* ==== Calls =================================================================== */
static bool forgot_dollar(jn_ctx *cx, const asl_jnode *p, jn_env *env)
{
    if (p->type != ASL_JN_PATH || p->nkids == 0 || !p->kids[0]->str)
        return false;
    bool found;
    jn_val *v = jn_env_lookup(cx, env, p->kids[0]->str, p->kids[0]->len, &found);
    return jn_truthy(cx, v) || jn_is_fn(v);
}

jn_val *jn_eval_function(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env,
                         jn_val *applyto, bool has_applyto)
{
    const asl_jnode *p = n->kids[0];
    jn_val *proc = jn_eval(cx, p, input, env);
    if (jn_failed(cx))
        return NULL;
    size_t tl = 0;
    const char *tok = proc_token(p, &tl);
    char tokbuf[128];
    snprintf(tokbuf, sizeof tokbuf, "%.*s", (int)(tok ? tl : 0), tok ? tok : "");
    if (!proc && forgot_dollar(cx, p, env)) {
        cx->pos = n->position;
        return jn_throw(cx, "T1005", tokbuf, NULL);
    }
    int nargs = n->nkids - 1 + (has_applyto ? 1 : 0);
    jn_val **args = jn_alloc(cx, (size_t)(nargs + 1) * sizeof *args);
    int k = 0;
    if (has_applyto)
        args[k++] = applyto;
    for (int i = 1; i < n->nkids; i++) {
        args[k++] = jn_eval(cx, n->kids[i], input, env);
        if (jn_failed(cx))
            return NULL;
    }
    cx->pos = n->position;
    jn_val *r = jn_apply_in(cx, proc, args, nargs, input, env);
    if (jn_failed(cx)) {
        if (!cx->err.token[0])
            snprintf(cx->err.token, sizeof cx->err.token, "%s", tokbuf);
        return NULL;
    }
    return r;
}

jn_val *jn_eval_partial(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    int nargs = n->nkids - 1;
    jn_val **args = jn_alloc(cx, (size_t)(nargs + 1) * sizeof *args);
    bool *hole = jn_alloc(cx, (size_t)(nargs + 1) * sizeof *hole);
    for (int i = 0; i < nargs; i++) {
        const asl_jnode *a = n->kids[i + 1];
        if (a->type == ASL_JN_PLACEHOLDER)
            hole[i] = true;
        else {
            args[i] = jn_eval(cx, a, input, env);
            if (jn_failed(cx))
                return NULL;
        }
    }
    const asl_jnode *p = n->kids[0];
    jn_val *proc = jn_eval(cx, p, input, env);
    if (jn_failed(cx))
        return NULL;
    size_t tl = 0;
    const char *tok = proc_token(p, &tl);
    char tokbuf[128];
    snprintf(tokbuf, sizeof tokbuf, "%.*s", (int)(tok ? tl : 0), tok ? tok : "");
    cx->pos = n->position;
    if (!proc && forgot_dollar(cx, p, env))
        return jn_throw(cx, "T1007", tokbuf, NULL);
    if (!jn_is_fn(proc))
        return jn_throw(cx, "T1008", tokbuf, NULL);
    const jn_func *pf = proc->u.fn;
    if (pf->kind == JN_FN_LAMBDA) {
        /* partialApplyProcedure: bind the given parameters in a new frame;
         * the `?` ones stay parameters. */
        jn_func *f = new_func(cx, JN_FN_LAMBDA);
        *f = *pf;
        f->thunk = false;
        f->env = jn_env_new(cx, pf->env);
        const asl_jnode **params = jn_alloc(cx, (size_t)(pf->nparams + 1) * sizeof *params);
        int np = 0;
        for (int i = 0; i < pf->nparams; i++) {
            if (i < nargs && hole[i])
                params[np++] = pf->params[i];
            else
                jn_env_bind(cx, f->env, pf->params[i]->str, pf->params[i]->len,
                            i < nargs ? args[i] : NULL);
        }
        f->params = params;
        f->nparams = np;
        return jn_fn_value(cx, f);
    }
    /* A native: its declared parameters beyond those given are bound to
     * undefined (jsonata-js wraps it in a lambda of all its parameters). */
    int total = nargs;
    if (pf->kind == JN_FN_BUILTIN) {
        const jn_sig *s = jn_sig_get(cx, pf->builtin->signature, NULL);
        if (s && jn_sig_params(s) > total)
            total = jn_sig_params(s);
    }
    jn_func *f = new_func(cx, JN_FN_PARTIAL);
    f->base = proc;
    f->nargs = total;
    f->args = jn_alloc(cx, (size_t)(total + 1) * sizeof *f->args);
    f->hole = jn_alloc(cx, (size_t)(total + 1) * sizeof *f->hole);
    for (int i = 0; i < nargs; i++) {
        f->args[i] = args[i];
        f->hole[i] = hole[i];
    }
    return jn_fn_value(cx, f);
}

jn_val *jn_eval_apply_op(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    jn_val *lhs = jn_eval(cx, n->kids[0], input, env);
    if (jn_failed(cx))
        return NULL;
    const asl_jnode *rhs = n->kids[1];
    if (rhs->type == ASL_JN_FUNCTION && !(rhs->flags & ASL_JF_PARTIAL))
        return jn_eval_function(cx, rhs, input, env, lhs, true);
    jn_val *fn = jn_eval(cx, rhs, input, env);
    if (jn_failed(cx))
        return NULL;
    cx->pos = n->position;
    if (!jn_is_fn(fn))
        return jn_throw(cx, "T2006", NULL, fn);
    if (jn_is_fn(lhs)) {
        jn_func *c = new_func(cx, JN_FN_CHAIN);
        c->f = lhs;
        c->g = fn;
        return jn_fn_value(cx, c);
    }
    return jn_apply_in(cx, fn, &lhs, 1, NULL, env);
}

/* ==== Transforms ================================================================ */
jn_val *jn_eval_transform(jn_ctx *cx, const asl_jnode *n, jn_val *input, jn_env *env)
{
    (void)input;
    jn_func *f = new_func(cx, JN_FN_TRANSFORM);
    f->node = n;
    f->env = env;
    return jn_fn_value(cx, f);
}

static bool all_strings(const jn_val *v)
{
    for (size_t i = 0; i < v->u.arr.n; i++)
        if (!jn_is_str(v->u.arr.items[i]))
            return false;
    return true;
}

jn_val *jn_transform_apply(jn_ctx *cx, const jn_func *f, jn_val *obj)
{
    const asl_jnode *n = f->node;
    if (!obj)
        return NULL;
    /* $clone may be rebound; jsonata-js uses whatever it names. */
    bool found = false;
    jn_val *clone_fn = NULL;
    for (jn_env *e = f->env; e && !found; e = e->parent)
        for (size_t i = 0; i < e->n; i++)
            if (e->lens[i] == 5 && memcmp(e->names[i], "clone", 5) == 0) {
                clone_fn = e->vals[i];
                found = true;
            }
    jn_val *result;
    if (found) {
        if (!jn_is_fn(clone_fn)) {
            cx->pos = n->position;
            return jn_throw(cx, "T2013", NULL, NULL);
        }
        result = jn_apply_in(cx, clone_fn, &obj, 1, NULL, f->env);
    } else
        result = jn_clone(cx, obj);
    if (jn_failed(cx))
        return NULL;
    jn_val *matches = jn_eval(cx, n->kids[0], result, f->env);
    if (jn_failed(cx) || !matches)
        return jn_failed(cx) ? NULL : result;
    jn_val *one[1] = {matches};
    jn_val **mv = one;
    size_t nm = 1;
    if (jn_is_array(matches)) {
        mv = matches->u.arr.items;
        nm = matches->u.arr.n;
    }
    for (size_t i = 0; i < nm && !jn_failed(cx); i++) {
        jn_val *match = mv[i];
        jn_val *update = jn_eval(cx, n->kids[1], match, f->env);
        if (jn_failed(cx))
            return NULL;
        if (update) {
            if (!jn_is_obj(update)) {
                cx->pos = n->kids[1]->position;
                return jn_throw(cx, "T2011", NULL, update);
            }
            if (jn_is_obj(match)) {
                size_t np;
                const jn_pair *p = jn_obj_pairs(cx, update, &np);
                for (size_t k = 0; k < np; k++)
                    jn_obj_set(cx, match, p[k].key, p[k].klen, p[k].val);
            }
        }
        if (n->nkids > 2) {
            jn_val *del = jn_eval(cx, n->kids[2], match, f->env);
            if (jn_failed(cx))
                return NULL;
            if (del) {
                jn_val *list = jn_is_array(del) ? del : jn_seq_of(cx, del);
                if (!all_strings(list)) {
                    cx->pos = n->kids[2]->position;
                    return jn_throw(cx, "T2012", NULL, del);
                }
                if (jn_is_obj(match))
                    for (size_t k = 0; k < list->u.arr.n; k++)
                        jn_obj_remove(cx, match, list->u.arr.items[k]->u.str.s,
                                      list->u.arr.items[k]->u.str.len);
            }
        }
    }
    return jn_failed(cx) ? NULL : result;
}
