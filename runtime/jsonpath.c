/*
 * jsonpath.c - evaluating precompiled JSONPaths (asl_select*). The
 * InputPath / OutputPath / ResultPath writes are resultpath.c; the texts
 * of failures jsonpath_text.c.
 *
 * aslc parses every path at compile time; this file walks the resulting
 * asl_seg arrays over cJSON trees. Called by generated code (asl_select*,
 * asl_apply_*), by flow.c and intrinsics.c (template paths, arguments) and
 * by choice.c (Variables). Owns only temporaries: the array an indefinite
 * path returns lives in the execution's scratch list (rt_scratch_keep).
 *
 * Semantics are those of Jayway JsonPath, which AWS Step Functions uses:
 *  - a definite path (names and single indexes only) selects one value;
 *    when it cannot, AWS fails with "Invalid path '<text>' : <Jayway's
 *    message>", the message depending on where the walk stopped;
 *  - any other path returns an array of copies of every match, and AWS
 *    turns Jayway's "not found" failures into an empty array (recorded:
 *    "$.item.items[1:5]" on {} gives []); Jayway's "invalid path" failures
 *    still fail the state (a name union that is not the last segment);
 *  - a name union as the last segment ($['a','b']) is definite in Jayway
 *    and yields one object holding the members that exist;
 *  - slices follow Jayway: [from:to] with its treatment of negative bounds,
 *    and Jayway reads no step (the third number is ignored);
 *  - in filters AWS documents that @ only matches objects, so array
 *    elements that are not objects never pass a filter - unless the
 *    filter reads the element itself through a bare @ ([?(@ > 1)] on
 *    [1,2,3] is [2,3], as in Jayway).
 * A definite path never allocates on success: it runs for every Choice
 * rule and template field.
 *
 * Bounds: deep scans multiply ($..a..a..a on a 200-deep chain has 1.3
 * million matches; 100,000 `..a` steps explore 2^depth partial matches), so
 * an indefinite walk, its filters' walks included, is held to PATH_MAX_VISITS
 * nodes, PATH_MAX_RESULT bytes of copied results and
 * PATH_MAX_DEPTH nested calls, failing with States.Runtime past any of
 * them; every PATH_POLL visits it stops when the run is aborted (SIGINT,
 * SIGTERM) or its scope cancelled. These failures are reported even by
 * the quiet selections: they are not "no match".
 *
 * Layer: values
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpath_impl.h"

/* $['a','b'] as the last segment after names and indexes: Jayway treats
 * the whole path as definite and merges the members found. */
static bool merge_leaf(const asl_path *p)
{
    int n = p->nsegs;
    if (n == 0 || p->segs[n - 1].kind != ASL_SEG_UNION || p->segs[n - 1].nnames < 2)
        return false;
    for (int i = 0; i < n - 1; i++)
        if (p->segs[i].kind != ASL_SEG_FIELD && p->segs[i].kind != ASL_SEG_INDEX)
            return false;
    return true;
}

/* A fresh object with copies of the members of [obj] named by [s]. */
static cJSON *merge_members(const cJSON *obj, const asl_seg *s)
{
    cJSON *m = cJSON_CreateObject();
    if (!m)
        return NULL;
    for (int k = 0; k < s->nnames; k++) {
        const cJSON *v = obj_get(obj, s->names[k]);
        if (!v || obj_get(m, s->names[k]))
            continue;
        cJSON *c = asl_copy(v);
        if (!c || !cJSON_AddItemToObjectCS(m, s->names[k], c)) {
            cJSON_Delete(c);
            cJSON_Delete(m);
            return NULL;
        }
    }
    return m;
}

/* ==== Indefinite paths ================================================== */

/* The concrete place a walk has reached, as a chain on the C stack; only
 * formatted when Jayway's message needs it. */
typedef struct where {
    const struct where *up;
    const char *name; /* member name, or NULL for an index */
    long index;
} where;

/* The bounds of one selection, shared by the walks of its filters. */
enum {
    PATH_MAX_VISITS = 10000000,
    PATH_MAX_DEPTH = 3000,
    PATH_POLL = 4096,
};
#define PATH_MAX_RESULT ((size_t)64 << 20)

typedef struct {
    unsigned long visits; /* nodes visited */
    size_t result_bytes;  /* memory of the copies emitted (copy_size_upto) */
    int depth;            /* nested step / scan calls */
    bool stopped;         /* a bound or a stop ended the selection (reported) */
} walk_budget;

typedef struct {
    asl_exec *x;
    const asl_path *p;
    const cJSON *root; /* $ of this evaluation, for $-paths inside filters */
    cJSON *out;        /* the result array */
    bool quiet;        /* report nothing */
    bool failed;       /* an error ends the walk */
    walk_budget *budget;
} walk;

/* Ends the whole selection with States.Runtime, quiet or not (a bound is
 * not "no match"). The path is quoted up to 100 bytes. */
static void budget_fail(walk *w, const char *what)
{
    w->failed = true;
    if (w->budget->stopped)
        return;
    w->budget->stopped = true;
    const char *t = w->p->text ? w->p->text : "";
    size_t n = strlen(t);
    size_t cut = rt_utf8_prefix(t, n, 100);
    asl_fail_runtime(w->x, "The JSONPath '%.*s%s' %s", (int)cut, t, cut < n ? "..." : "", what);
}

/* One more node visited: false when the selection must stop. */
static bool spend(walk *w)
{
    walk_budget *b = w->budget;
    if (b->stopped) {
        w->failed = true;
        return false;
    }
    if (++b->visits > PATH_MAX_VISITS) {
        budget_fail(w, "visits more than 10000000 nodes: deep scans (..) multiply the "
                       "matches of each other");
        return false;
    }
    if (b->visits % PATH_POLL == 0 && rt_cancelled(w->x)) {
        /* the run was aborted, or this branch cancelled (its end is
         * its fan-out's business) */
        w->failed = true;
        b->stopped = true;
        if (rt_run_aborted(w->x))
            rt_fail_aborted(w->x);
        else
            asl_fail_with(w->x, "States.Runtime", "The evaluation was stopped.");
        return false;
    }
    return true;
}

/* The memory a copy of [v] takes (nodes, names, strings, with malloc's
 * overhead), stopping past [cap]. */
static size_t copy_size_upto(const cJSON *v, size_t cap)
{
    size_t n = sizeof(cJSON) + 16 + (v->string ? strlen(v->string) + 17 : 0);
    if (cJSON_IsString(v) && v->valuestring)
        n += strlen(v->valuestring) + 17;
    for (const cJSON *c = v->child; c && n <= cap; c = c->next)
        n += copy_size_upto(c, cap - n);
    return n;
}

static void where_text(rt_sbuf *b, const where *w)
{
    if (!w) {
        rt_sb_str(b, "$");
        return;
    }
    where_text(b, w->up);
    if (w->name) {
        rt_sb_str(b, "['");
        rt_sb_str(b, w->name);
        rt_sb_str(b, "']");
    } else {
        rt_sb_fmt(b, "[%ld]", w->index);
    }
}

static void walk_fail(walk *w, rt_sbuf *b)
{
    w->failed = true;
    if (w->quiet)
        free(b->p);
    else
        rt_path_fail(w->x, w->p, b);
}

static void walk_oom(walk *w)
{
    w->failed = true;
    if (!w->quiet)
        asl_fail_with(w->x, "States.Runtime", "out of memory");
}

static void emit_owned(walk *w, cJSON *c)
{
    if (!c || !cJSON_AddItemToArray(w->out, c)) {
        cJSON_Delete(c);
        walk_oom(w);
    }
}

static void emit(walk *w, const cJSON *v)
{
    walk_budget *b = w->budget;
    size_t left = PATH_MAX_RESULT - b->result_bytes;
    size_t n = copy_size_upto(v, left);
    if (n > left) {
        budget_fail(w, "selects more than 64 MiB of values: deep scans (..) multiply the "
                       "matches of each other");
        return;
    }
    b->result_bytes += n;
    emit_owned(w, asl_copy(v));
}

static void step(walk *w, int i, const cJSON *cur, const where *at);
static bool filter_test(walk *w, const asl_filter *f, const cJSON *cur);

/* Whether [f] compares or tests the element itself (a bare @ operand). */
static bool reads_element(const asl_filter *f)
{
    if (!f)
        return false;
    const asl_path *ops[2] = {f->lhs, f->rhs_path};
    for (int k = 0; k < 2; k++)
        if (ops[k] && ops[k]->root == ASL_ROOT_CURRENT && ops[k]->nsegs == 0)
            return true;
    return reads_element(f->a) || reads_element(f->b);
}

/* Continue at segment [i] with element [index] of array [a]. */
static void step_index(walk *w, int i, const cJSON *a, long index, const where *at)
{
    const cJSON *e = rt_arr_get(a, index);
    if (!e)
        return;
    where here = {at, NULL, index};
    step(w, i, e, &here);
}

/* Jayway's slices: bounds as its three cases treat them, each index then
 * resolved like a single index (so negatives count from the end). */
static void step_slice(walk *w, int i, const asl_seg *s, const cJSON *a, const where *at)
{
    long len = rt_arr_len(a);
    bool has_from = s->slice_flags & ASL_SLICE_HAS_START;
    bool has_to = s->slice_flags & ASL_SLICE_HAS_END;
    long from, to;
    if (has_from && !has_to) {
        from = s->start < 0 ? len + s->start : s->start;
        if (from < 0)
            from = 0;
        to = len;
    } else if (has_from) {
        from = s->start;
        to = s->end < len ? s->end : len;
    } else if (has_to) {
        from = 0;
        to = s->end < 0 ? len + s->end : s->end;
        if (to > len)
            to = len;
    } else {
        from = 0;
        to = len;
    }
    for (long k = from; k < to && !w->failed; k++)
        step_index(w, i + 1, a, k, at);
}

/* ..name / ..*: Jayway's scan. At each object or array, first the
 * segment applies to the node itself, then the scan descends into every
 * child in document order. */
static void scan_in(walk *w, int i, const asl_seg *s, const cJSON *cur, const where *at);

static void scan(walk *w, int i, const asl_seg *s, const cJSON *cur, const where *at)
{
    if (w->failed || !spend(w))
        return;
    if (++w->budget->depth > PATH_MAX_DEPTH)
        budget_fail(w, "nests deeper than 3000 steps");
    else
        scan_in(w, i, s, cur, at);
    w->budget->depth--;
}

static void scan_in(walk *w, int i, const asl_seg *s, const cJSON *cur, const where *at)
{
    if (is_obj(cur)) {
        if (s->name) {
            const cJSON *v = obj_get(cur, s->name);
            if (v) {
                where here = {at, s->name, 0};
                step(w, i + 1, v, &here);
            }
        } else {
            for (const cJSON *c = cur->child; c && !w->failed; c = c->next) {
                where here = {at, c->string, 0};
                step(w, i + 1, c, &here);
            }
        }
        for (const cJSON *c = cur->child; c && !w->failed; c = c->next) {
            where here = {at, c->string, 0};
            scan(w, i, s, c, &here);
        }
    } else if (is_arr(cur)) {
        long k = 0;
        if (!s->name)
            for (const cJSON *c = cur->child; c && !w->failed; c = c->next, k++) {
                where here = {at, NULL, k};
                step(w, i + 1, c, &here);
            }
        k = 0;
        for (const cJSON *c = cur->child; c && !w->failed; c = c->next, k++) {
            where here = {at, NULL, k};
            scan(w, i, s, c, &here);
        }
    }
}

/* Are segments [0, i) all single names or indexes? Jayway raises some
 * errors only then ("upstream definite"). */
static bool upstream_definite(const asl_path *p, int i)
{
    for (int k = 0; k < i; k++)
        if (p->segs[k].kind != ASL_SEG_FIELD && p->segs[k].kind != ASL_SEG_INDEX)
            return false;
    return true;
}

static void step_in(walk *w, int i, const cJSON *cur, const where *at);

static void step(walk *w, int i, const cJSON *cur, const where *at)
{
    if (w->failed || !spend(w))
        return;
    if (++w->budget->depth > PATH_MAX_DEPTH)
        budget_fail(w, "nests deeper than 3000 steps");
    else
        step_in(w, i, cur, at);
    w->budget->depth--;
}

static void step_in(walk *w, int i, const cJSON *cur, const where *at)
{
    if (i == w->p->nsegs) {
        emit(w, cur);
        return;
    }
    const asl_seg *s = &w->p->segs[i];
    switch (s->kind) {
    case ASL_SEG_FIELD:
        if (is_obj(cur)) {
            const cJSON *v = obj_get(cur, s->name);
            if (v) {
                where here = {at, s->name, 0};
                step(w, i + 1, v, &here);
            }
        }
        break;
    case ASL_SEG_INDEX:
        if (is_arr(cur))
            step_index(w, i + 1, cur, s->index, at);
        break;
    case ASL_SEG_WILDCARD:
        if (is_obj(cur)) {
            for (const cJSON *c = cur->child; c && !w->failed; c = c->next) {
                where here = {at, c->string, 0};
                step(w, i + 1, c, &here);
            }
        } else if (is_arr(cur)) {
            long k = 0;
            for (const cJSON *c = cur->child; c && !w->failed; c = c->next, k++) {
                where here = {at, NULL, k};
                step(w, i + 1, c, &here);
            }
        }
        break;
    case ASL_SEG_SLICE:
        if (is_arr(cur))
            step_slice(w, i, s, cur, at);
        break;
    case ASL_SEG_UNION:
        if (s->nnames > 0) {
            if (!is_obj(cur))
                break;
            if (s->nnames == 1) {
                const cJSON *v = obj_get(cur, s->names[0]);
                if (v) {
                    where here = {at, s->names[0], 0};
                    step(w, i + 1, v, &here);
                }
            } else if (i == w->p->nsegs - 1) {
                cJSON *m = merge_members(cur, s);
                if (m)
                    emit_owned(w, m);
                else
                    walk_oom(w);
            } else {
                rt_sbuf b = {0};
                rt_sb_str(&b, "Multi properties can only be used as path leafs: ");
                where_text(&b, at);
                rt_path_fragment(&b, s);
                walk_fail(w, &b);
            }
        } else if (is_arr(cur)) {
            for (int k = 0; k < s->nindexes && !w->failed; k++)
                step_index(w, i + 1, cur, s->indexes[k], at);
        }
        break;
    case ASL_SEG_DEEP:
        scan(w, i, s, cur, at);
        break;
    case ASL_SEG_FILTER:
        if (is_obj(cur)) {
            /* Jayway applies a filter on an object to the object itself */
            if (filter_test(w, s->filter, cur))
                step(w, i + 1, cur, at);
        } else if (is_arr(cur)) {
            long k = 0;
            bool any = reads_element(s->filter);
            for (const cJSON *c = cur->child; c && !w->failed; c = c->next, k++) {
                if ((!any && !is_obj(c)) || !filter_test(w, s->filter, c))
                    continue;
                where here = {at, NULL, k};
                step(w, i + 1, c, &here);
            }
        } else if (upstream_definite(w->p, i)) {
            rt_sbuf b = {0};
            rt_sb_str(&b, "Filter: ");
            rt_path_frags(&b, w->p, i, w->p->nsegs, false);
            rt_sb_str(&b, " can not be applied to primitives. Current context is: ");
            rt_java_string(&b, cur);
            walk_fail(w, &b);
        }
        break;
    }
}

/* Evaluate [p] over [root]; returns the fresh result array (caller owns)
 * or NULL after an error (set unless quiet). */
static cJSON *walk_all(asl_exec *x, const asl_path *p, const cJSON *root, bool quiet,
                       walk_budget *budget)
{
    walk w = {x, p, root, cJSON_CreateArray(), quiet, false, budget};
    if (!w.out) {
        walk_oom(&w);
        return NULL;
    }
    step(&w, 0, root, NULL);
    if (w.failed) {
        cJSON_Delete(w.out);
        return NULL;
    }
    return w.out;
}

/* ==== Filters =========================================================== */

/* The value of a filter operand path, with @ = [cur]; NULL when it selects
 * nothing. An indefinite operand yields an array the caller frees through
 * *tmp. Never reports errors: a missing operand is just missing. */
static const cJSON *operand(walk *w, const asl_path *p, const cJSON *cur, cJSON **tmp)
{
    *tmp = NULL;
    const cJSON *root = p->root == ASL_ROOT_CURRENT ? cur
                      : p->root == ASL_ROOT_INPUT   ? w->root
                                                    : rt_path_root(w->x, p, w->root);
    if (p->definite) {
        rt_path_stop st;
        return walk_definite(p, p->nsegs, root, NULL, &st);
    }
    *tmp = walk_all(w->x, p, root, true, w->budget);
    if (!*tmp && w->budget->stopped)
        w->failed = true; /* a bound inside the filter ends the whole selection */
    return *tmp;
}

/* Java's BigDecimal.toString of a literal, near enough: integers without
 * a fraction, others in their shortest form. */
static void literal_text(char *out, size_t len, double d)
{
    if (d == floor(d) && fabs(d) < 1e15)
        snprintf(out, len, "%.0f", d);
    else
        rt_shortest(out, len, d);
}

/* A string that BigDecimal would read as a number. */
static bool parse_decimal(const char *s, double *d)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (!strchr("0123456789+-.eE", *c))
            return false;
    char *end;
    *d = strtod(s, &end);
    return *end == 0 && isfinite(*d);
}

/* Jayway's == : same types by value; a number and a string compare by
 * converting the right side to the left side's type. */
static bool values_equal(const cJSON *l, const cJSON *r)
{
    if (cJSON_IsNumber(l) && cJSON_IsString(r)) {
        double d;
        return r->valuestring && parse_decimal(r->valuestring, &d) && d == l->valuedouble;
    }
    if (cJSON_IsString(l) && cJSON_IsNumber(r)) {
        char t[40];
        literal_text(t, sizeof t, r->valuedouble);
        return l->valuestring && strcmp(l->valuestring, t) == 0;
    }
    return rt_json_equal(l, r);
}

/* <, <=, >, >= : numbers with numbers, strings with strings, else false. */
static bool values_order(int op, const cJSON *l, const cJSON *r)
{
    int c;
    if (cJSON_IsNumber(l) && cJSON_IsNumber(r)) {
        c = l->valuedouble < r->valuedouble ? -1 : l->valuedouble > r->valuedouble ? 1 : 0;
    } else if (cJSON_IsString(l) && cJSON_IsString(r) && l->valuestring && r->valuestring) {
        c = strcmp(l->valuestring, r->valuestring);
    } else {
        return false;
    }
    switch (op) {
    case ASL_F_LT:
        return c < 0;
    case ASL_F_LE:
        return c <= 0;
    case ASL_F_GT:
        return c > 0;
    default:
        return c >= 0;
    }
}

static bool filter_test(walk *w, const asl_filter *f, const cJSON *cur)
{
    if (!f)
        return false;
    switch (f->op) {
    case ASL_F_AND:
        return filter_test(w, f->a, cur) && filter_test(w, f->b, cur);
    case ASL_F_OR:
        return filter_test(w, f->a, cur) || filter_test(w, f->b, cur);
    case ASL_F_NOT:
        return !filter_test(w, f->a, cur);
    case ASL_F_EXISTS: {
        cJSON *tmp = NULL;
        const cJSON *v = f->lhs ? operand(w, f->lhs, cur, &tmp) : NULL;
        bool found = v && (!tmp || cJSON_GetArraySize(tmp) > 0);
        cJSON_Delete(tmp);
        return found;
    }
    default:
        break;
    }

    cJSON *ltmp = NULL, *rtmp = NULL, *lit = NULL;
    const cJSON *l = f->lhs ? operand(w, f->lhs, cur, &ltmp) : NULL;
    const cJSON *r;
    if (f->rhs_path) {
        r = operand(w, f->rhs_path, cur, &rtmp);
    } else {
        switch (f->lit) {
        case ASL_LIT_NULL:
            lit = cJSON_CreateNull();
            break;
        case ASL_LIT_TRUE:
            lit = cJSON_CreateTrue();
            break;
        case ASL_LIT_FALSE:
            lit = cJSON_CreateFalse();
            break;
        case ASL_LIT_NUMBER:
            lit = cJSON_CreateNumber(f->num);
            break;
        default:
            lit = cJSON_CreateString(f->str ? f->str : "");
            break;
        }
        r = lit;
    }

    bool res;
    if (f->op == ASL_F_EQ || f->op == ASL_F_NE) {
        /* a missing side equals only another missing side */
        bool eq = (!l || !r) ? (!l && !r) : values_equal(l, r);
        res = f->op == ASL_F_EQ ? eq : !eq;
    } else {
        res = l && r && values_order(f->op, l, r);
    }
    cJSON_Delete(ltmp);
    cJSON_Delete(rtmp);
    cJSON_Delete(lit);
    return res;
}

/* ==== Selection ========================================================= */

const cJSON *rt_path_root(asl_exec *x, const asl_path *p, const cJSON *in)
{
    switch (p->root) {
    case ASL_ROOT_CONTEXT: return rt_context(x);
    case ASL_ROOT_VARIABLE: return rt_var_get(x, p->var, strlen(p->var));
    default: return in;
    }
}

static const cJSON *select_path(asl_exec *x, const asl_path *p, const cJSON *in, bool quiet)
{
    if (!p)
        return in;
    if (p->invalid) {
        /* Jayway compiles a path when it is evaluated: it fails whatever
         * the input, quiet selections included (it is not "no match") */
        asl_fail_runtime(x, "Invalid path '%s' : %s", p->text ? p->text : "", p->invalid);
        return NULL;
    }
    const cJSON *root = rt_path_root(x, p, in);

    if (p->definite) {
        /* the hot path: no allocation, no message unless it fails */
        rt_path_stop st;
        const cJSON *v = walk_definite(p, p->nsegs, root, NULL, &st);
        if (v || quiet)
            return v;
        if (!root)
            st = (rt_path_stop){RT_STOP_NO_RESULT, 0, NULL};
        rt_path_report_stop(x, p, &st);
        return NULL;
    }

    if (merge_leaf(p)) {
        rt_path_stop st;
        const cJSON *v = walk_definite(p, p->nsegs - 1, root, NULL, &st);
        const asl_seg *last = &p->segs[p->nsegs - 1];
        if (v && !is_obj(v))
            st = (rt_path_stop){RT_STOP_NOT_OBJECT, p->nsegs - 1, v};
        if (!v || !is_obj(v)) {
            if (!quiet)
                rt_path_report_stop(x, p, &st);
            return NULL;
        }
        cJSON *m = merge_members(v, last);
        if (!m) {
            if (!quiet)
                asl_fail_with(x, "States.Runtime", "out of memory");
            return NULL;
        }
        rt_scratch_keep(x, m);
        return m;
    }

    walk_budget budget = {0};
    cJSON *out = walk_all(x, p, root, quiet, &budget);
    if (out)
        rt_scratch_keep(x, out);
    return out;
}

const cJSON *asl_select(asl_exec *x, const asl_path *p, const cJSON *in)
{
    return select_path(x, p, in, false);
}

const cJSON *asl_select_quiet(asl_exec *x, const asl_path *p, const cJSON *in)
{
    return select_path(x, p, in, true);
}
