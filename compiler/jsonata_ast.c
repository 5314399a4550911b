/*
 * jsonata_ast.c - jsonata-js 2.0.6's post-processing (its processAST) of
 * the raw tree jsonata_parse.c builds: paths of steps, stages, group-by,
 * order-by, focus and index bindings, parent (`%`) resolution, tail-call
 * thunks; then the frozen asl_jnode tree (aslrt.h) in the caller's arena.
 *
 * The processed tree reuses the raw tree's rn nodes with ASL_JN_* types
 * and jsonata-js's decorations, because jsonata-js rewrites nodes in
 * place, and following it step by step is what keeps the results
 * identical. freeze() then turns it into asl_jnode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_parse_impl.h"

static void push_slot(jp *p, slots *l, rslot *s)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        rslot **v = arena_array(p->lx.a, (size_t)cap, sizeof *v);
        if (l->n)
            memcpy(v, l->v, (size_t)l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
}

/* ==== jsonata-js's post-processing ====================================== */

static rn *process(jp *p, rn *e);

static void add_seeking(jp *p, rn *result, rslot *s)
{
    push_slot(p, &result->seeking, s);
    result->has_seeking = true;
}

/* The `%`s that [value] still looks for become [result]'s. */
static void push_ancestry(jp *p, rn *result, rn *value)
{
    if (!value)
        return;
    if (value->has_seeking || value->type == ASL_JN_PARENT) {
        for (int i = 0; i < value->seeking.n; i++)
            add_seeking(p, result, value->seeking.v[i]);
        if (value->type == ASL_JN_PARENT)
            add_seeking(p, result, value->slot);
    }
}

static void seek_parent(jp *p, rn *n, rslot *s)
{
    switch (n->type) {
    case ASL_JN_NAME:
    case ASL_JN_WILDCARD:
        s->level--;
        if (s->level == 0) {
            if (!n->ancestor)
                n->ancestor = s;
            else { /* two `%`s read the same step: one label */
                p->ancestry[s->index]->slot->label = n->ancestor->label;
                n->ancestor = s;
            }
            n->tuple = true;
        }
        break;
    case ASL_JN_PARENT: s->level++; break;
    case ASL_JN_BLOCK:
        if (n->items.n > 0) {
            n->tuple = true;
            seek_parent(p, n->items.v[n->items.n - 1], s);
        }
        break;
    case ASL_JN_PATH: {
        n->tuple = true;
        int i = n->items.n - 1;
        seek_parent(p, n->items.v[i--], s);
        while (s->level > 0 && i >= 0)
            seek_parent(p, n->items.v[i--], s);
        break;
    }
    default:
        jp_fail_node(p, "S0217", n, NULL,
                     "The object representing the 'parent' cannot be derived from this expression");
    }
}

static void resolve_ancestry(jp *p, rn *path)
{
    int last = path->items.n - 1;
    rn *laststep = path->items.v[last];
    slots sl = {0};
    for (int i = 0; i < laststep->seeking.n; i++)
        push_slot(p, &sl, laststep->seeking.v[i]);
    if (laststep->type == ASL_JN_PARENT)
        push_slot(p, &sl, laststep->slot);
    for (int k = 0; k < sl.n; k++) {
        rslot *s = sl.v[k];
        int i = path->items.n - 2;
        while (s->level > 0 && !jp_failed(p)) {
            if (i < 0) {
                add_seeking(p, path, s);
                break;
            }
            rn *step = path->items.v[i--];
            while (i >= 0 && step->focus && path->items.v[i]->focus)
                step = path->items.v[i--];
            seek_parent(p, step, s);
        }
    }
}

static rn *as_path(jp *p, rn *step)
{
    rn *path = arena_new(p->lx.a, rn);
    path->type = ASL_JN_PATH;
    path->src = step->src;
    path->end = step->end;
    jp_push(p, &path->items, step);
    return path;
}

static rn *tail_call_optimize(jp *p, rn *e)
{
    if (e->type == ASL_JN_FUNCTION && e->predicate.n == 0) {
        rn *thunk = arena_new(p->lx.a, rn);
        thunk->type = ASL_JN_LAMBDA;
        thunk->thunk = true;
        thunk->src = e->src;
        thunk->end = e->end;
        thunk->body = e;
        return thunk;
    }
    if (e->type == ASL_JN_CONDITION) {
        e->rhs = tail_call_optimize(p, e->rhs);
        if (e->third)
            e->third = tail_call_optimize(p, e->third);
    } else if (e->type == ASL_JN_BLOCK && e->items.n > 0) {
        e->items.v[e->items.n - 1] = tail_call_optimize(p, e->items.v[e->items.n - 1]);
    }
    return e;
}

static int binary_op(const char *op)
{
    static const struct {
        const char *op;
        int code;
    } tab[] = {
        {"+", ASL_JOP_ADD}, {"-", ASL_JOP_SUB},   {"*", ASL_JOP_MUL},     {"/", ASL_JOP_DIV},
        {"%", ASL_JOP_MOD}, {"=", ASL_JOP_EQ},    {"!=", ASL_JOP_NE},     {"<", ASL_JOP_LT},
        {"<=", ASL_JOP_LE}, {">", ASL_JOP_GT},    {">=", ASL_JOP_GE},     {"and", ASL_JOP_AND},
        {"or", ASL_JOP_OR}, {"in", ASL_JOP_IN},   {"&", ASL_JOP_CONCAT}, {"..", ASL_JOP_RANGE},
    };
    for (size_t k = 0; k < sizeof tab / sizeof *tab; k++)
        if (strcmp(tab[k].op, op) == 0)
            return tab[k].code;
    return -1;
}

static rn *process_path(jp *p, rn *e)
{
    rn *lstep = process(p, e->lhs);
    rn *result;
    if (lstep->type == ASL_JN_PATH)
        result = lstep;
    else {
        result = as_path(p, lstep);
        if (lstep->type == ASL_JN_PARENT)
            add_seeking(p, result, lstep->slot);
    }
    rn *rest = process(p, e->rhs);
    if (jp_failed(p))
        return result;
    if (rest->type == ASL_JN_PATH) {
        for (int i = 0; i < rest->items.n; i++)
            jp_push(p, &result->items, rest->items.v[i]);
    } else {
        if (rest->predicate.n) {
            rest->stages = rest->predicate;
            rest->predicate = (rlist){0};
        }
        jp_push(p, &result->items, rest);
    }
    for (int i = 0; i < result->items.n; i++) {
        rn *step = result->items.v[i];
        if (step->type == ASL_JN_NUMBER || step->type == ASL_JN_VALUE) {
            char lit[64];
            if (step->type == ASL_JN_NUMBER)
                snprintf(lit, sizeof lit, "%.15g", step->num);
            else
                snprintf(lit, sizeof lit, "%s", step->value == ASL_JVAL_TRUE ? "true"
                                                : step->value == ASL_JVAL_FALSE ? "false" : "null");
            jp_fail_node(p, "S0213", step, NULL,
                         "The literal value %s cannot be used as a step within a path expression", lit);
            return result;
        }
        if (step->type == ASL_JN_STRING)
            step->type = ASL_JN_NAME;
        if (step->keep_array)
            result->keep_singleton = true;
    }
    rn *first = result->items.v[0], *last = result->items.v[result->items.n - 1];
    if (first->type == ASL_JN_ARRAY)
        first->cons = true;
    if (last->type == ASL_JN_ARRAY)
        last->cons = true;
    resolve_ancestry(p, result);
    return result;
}

static rn *process_binary(jp *p, rn *e)
{
    const char *op = e->op;
    if (strcmp(op, ".") == 0)
        return process_path(p, e);
    if (strcmp(op, "[") == 0) {
        rn *result = process(p, e->lhs);
        rn *step = result;
        bool stages = false;
        if (result->type == ASL_JN_PATH) {
            step = result->items.v[result->items.n - 1];
            stages = true;
        }
        if (step->group) {
            jp_fail_node(p, "S0209", e, NULL, "A predicate cannot follow a grouping expression in a step");
            return result;
        }
        rn *pred = process(p, e->rhs);
        if (pred->has_seeking) {
            for (int i = 0; i < pred->seeking.n; i++) {
                rslot *s = pred->seeking.v[i];
                if (s->level == 1)
                    seek_parent(p, step, s);
                else
                    s->level--;
            }
            push_ancestry(p, step, pred);
        }
        rn *f = arena_new(p->lx.a, rn);
        f->type = ASL_JN_FILTER;
        f->src = e->src;
        f->end = e->end;
        f->lhs = pred;
        jp_push(p, stages ? &step->stages : &step->predicate, f);
        return result;
    }
    if (strcmp(op, "{") == 0) {
        rn *result = process(p, e->lhs);
        if (result->group) {
            jp_fail_node(p, "S0210", e, NULL, "Each step can only have one grouping expression");
            return result;
        }
        rn *g = arena_new(p->lx.a, rn);
        g->type = ASL_JN_OBJECT;
        g->src = e->src;
        g->end = e->end;
        for (int i = 0; i < e->items.n; i++)
            jp_push(p, &g->items, process(p, e->items.v[i]));
        result->group = g;
        return result;
    }
    if (strcmp(op, "^") == 0) {
        rn *result = process(p, e->lhs);
        if (result->type != ASL_JN_PATH)
            result = as_path(p, result);
        rn *sort = arena_new(p->lx.a, rn);
        sort->type = ASL_JN_SORT;
        sort->src = e->src;
        sort->end = e->end;
        for (int i = 0; i < e->items.n; i++) {
            rn *term = e->items.v[i];
            term->lhs = process(p, term->lhs);
            push_ancestry(p, sort, term->lhs);
            jp_push(p, &sort->items, term);
        }
        jp_push(p, &result->items, sort);
        resolve_ancestry(p, result);
        return result;
    }
    if (strcmp(op, ":=") == 0) {
        rn *b = arena_new(p->lx.a, rn);
        b->type = ASL_JN_BIND;
        b->src = e->src;
        b->end = e->end;
        b->lhs = process(p, e->lhs);
        b->rhs = process(p, e->rhs);
        push_ancestry(p, b, b->rhs);
        return b;
    }
    if (strcmp(op, "@") == 0) {
        rn *result = process(p, e->lhs);
        rn *step = result->type == ASL_JN_PATH ? result->items.v[result->items.n - 1] : result;
        if (step->stages.n || step->predicate.n) {
            jp_fail_node(p, "S0215", e, NULL, "A context variable binding must precede any predicates on a step");
            return result;
        }
        if (step->type == ASL_JN_SORT) {
            jp_fail_node(p, "S0216", e, NULL,
                         "A context variable binding must precede the 'order-by' clause on a step");
            return result;
        }
        if (e->keep_array)
            step->keep_array = true;
        step->focus = arena_strndup(p->lx.a, e->rhs->str, e->rhs->len);
        step->tuple = true;
        return result;
    }
    if (strcmp(op, "#") == 0) {
        rn *result = process(p, e->lhs);
        rn *step = result;
        if (result->type == ASL_JN_PATH)
            step = result->items.v[result->items.n - 1];
        else {
            result = as_path(p, result);
            if (step->predicate.n) {
                step->stages = step->predicate;
                step->predicate = (rlist){0};
            }
        }
        const char *name = arena_strndup(p->lx.a, e->rhs->str, e->rhs->len);
        if (step->stages.n == 0)
            step->index = name;
        else {
            rn *ix = arena_new(p->lx.a, rn);
            ix->type = ASL_JN_INDEX;
            ix->src = e->src;
            ix->end = e->end;
            ix->str = name;
            ix->len = e->rhs->len;
            jp_push(p, &step->stages, ix);
        }
        step->tuple = true;
        return result;
    }
    if (strcmp(op, "~>") == 0) {
        rn *a = arena_new(p->lx.a, rn);
        a->type = ASL_JN_APPLY;
        a->src = e->src;
        a->end = e->end;
        a->lhs = process(p, e->lhs);
        a->rhs = process(p, e->rhs);
        /* `x ~> $f()[]` keeps its array: the flag moves up to the apply */
        a->keep_array = a->lhs->keep_array || a->rhs->keep_array;
        push_ancestry(p, a, a->lhs);
        push_ancestry(p, a, a->rhs);
        return a;
    }
    rn *b = arena_new(p->lx.a, rn);
    b->type = ASL_JN_BINARY;
    b->src = e->src;
    b->end = e->end;
    b->op = op;
    b->value = binary_op(op);
    if (b->value < 0) {
        jp_fail_node(p, "S0201", e, op, "Syntax error: \"%s\"", op);
        return b;
    }
    b->lhs = process(p, e->lhs);
    b->rhs = process(p, e->rhs);
    push_ancestry(p, b, b->lhs);
    push_ancestry(p, b, b->rhs);
    return b;
}

static rn *process(jp *p, rn *e)
{
    if (jp_failed(p) || !e)
        return e;
    if (++p->depth > MAX_PARSE_DEPTH * 2) {
        jp_fail_node(p, "S0201", e, NULL, "The expression is nested too deeply");
        return e;
    }
    rn *result = e;
    switch (e->type) {
    case R_BINARY: result = process_binary(p, e); break;
    case R_UNARY:
        if (strcmp(e->op, "-") == 0) {
            rn *operand = process(p, e->lhs);
            if (operand->type == ASL_JN_NUMBER) { /* -5 is a literal */
                operand->num = -operand->num;
                result = operand;
            } else {
                result = e;
                e->type = ASL_JN_NEGATE;
                e->lhs = operand;
                push_ancestry(p, e, operand);
            }
        } else {
            e->type = strcmp(e->op, "[") == 0 ? ASL_JN_ARRAY : ASL_JN_OBJECT;
            for (int i = 0; i < e->items.n; i++) {
                e->items.v[i] = process(p, e->items.v[i]);
                push_ancestry(p, e, e->items.v[i]);
            }
        }
        break;
    case R_FUNCTION:
    case R_PARTIAL:
        e->type = ASL_JN_FUNCTION; /* PARTIAL: a flag, set from its placeholders */
        for (int i = 0; i < e->items.n; i++) {
            e->items.v[i] = process(p, e->items.v[i]);
            push_ancestry(p, e, e->items.v[i]);
        }
        e->proc = process(p, e->proc);
        break;
    case R_LAMBDA:
        e->type = ASL_JN_LAMBDA;
        for (int i = 0; i < e->items.n; i++)
            e->items.v[i] = process(p, e->items.v[i]);
        e->body = tail_call_optimize(p, process(p, e->body));
        break;
    case R_CONDITION:
        e->type = ASL_JN_CONDITION;
        e->lhs = process(p, e->lhs);
        push_ancestry(p, e, e->lhs);
        e->rhs = process(p, e->rhs);
        push_ancestry(p, e, e->rhs);
        if (e->third) {
            e->third = process(p, e->third);
            push_ancestry(p, e, e->third);
        }
        break;
    case R_TRANSFORM:
        e->type = ASL_JN_TRANSFORM;
        e->lhs = process(p, e->lhs);
        e->rhs = process(p, e->rhs);
        if (e->third)
            e->third = process(p, e->third);
        break;
    case R_BLOCK:
        e->type = ASL_JN_BLOCK;
        for (int i = 0; i < e->items.n; i++) {
            rn *part = process(p, e->items.v[i]);
            e->items.v[i] = part;
            push_ancestry(p, e, part);
            if (part->cons || (part->type == ASL_JN_PATH && part->items.v[0]->cons))
                e->cons = true;
        }
        break;
    case R_NAME:
        e->type = ASL_JN_NAME;
        result = as_path(p, e);
        if (e->keep_array)
            result->keep_singleton = true;
        break;
    case R_PARENT: {
        e->type = ASL_JN_PARENT;
        rslot *s = arena_new(p->lx.a, rslot);
        s->label = p->next_label++;
        s->level = 1;
        s->index = p->next_index++;
        e->slot = s;
        if (p->nancestry == p->cap_ancestry) {
            int cap = p->cap_ancestry ? p->cap_ancestry * 2 : 8;
            rn **v = arena_array(p->lx.a, (size_t)cap, sizeof *v);
            if (p->nancestry)
                memcpy(v, p->ancestry, (size_t)p->nancestry * sizeof *v);
            p->ancestry = v;
            p->cap_ancestry = cap;
        }
        p->ancestry[p->nancestry++] = e;
        break;
    }
    case R_STRING: e->type = ASL_JN_STRING; break;
    case R_NUMBER: e->type = ASL_JN_NUMBER; break;
    case R_VALUE: e->type = ASL_JN_VALUE; break;
    case R_REGEX: e->type = ASL_JN_REGEX; break;
    case R_WILDCARD: e->type = ASL_JN_WILDCARD; break;
    case R_DESCENDANT: e->type = ASL_JN_DESCENDANT; break;
    case R_VARIABLE: e->type = ASL_JN_VARIABLE; break;
    case R_PLACEHOLDER: e->type = ASL_JN_PLACEHOLDER; break;
    default: break; /* already processed (a shared sort term) */
    }
    if (e->keep_array && result != e)
        result->keep_array = true;
    p->depth--;
    return result;
}

/* ==== Freezing into asl_jnode =========================================== */

static const asl_jnode *freeze(jp *p, const rn *n);

static const asl_jnode *const *freeze_list(jp *p, rn *const *v, int n)
{
    if (n == 0)
        return NULL;
    const asl_jnode **out = arena_array(p->lx.a, (size_t)n, sizeof *out);
    for (int i = 0; i < n; i++)
        out[i] = freeze(p, v[i]);
    return (const asl_jnode *const *)out;
}

static const char *label(jp *p, const rslot *s) { return s ? arena_printf(p->lx.a, "!%d", s->label) : NULL; }

static const asl_jnode *freeze(jp *p, const rn *n)
{
    asl_jnode *j = arena_new(p->lx.a, asl_jnode);
    j->type = (unsigned char)n->type;
    j->position = (int)p->u16[n->end > p->lx.len ? p->lx.len : n->end];
    j->src = (int)n->src;
    j->num = n->num;
    j->str = n->str;
    j->len = n->len;
    j->rx_flags = n->rx_flags;
    j->focus = n->focus;
    j->index = n->index;
    j->ancestor = label(p, n->ancestor);
    unsigned f = 0;
    if (n->tuple)
        f |= ASL_JF_TUPLE;
    if (n->keep_array)
        f |= ASL_JF_KEEP_ARRAY;
    if (n->keep_singleton)
        f |= ASL_JF_KEEP_SINGLETON;
    if (n->cons)
        f |= ASL_JF_CONS;
    if (n->thunk)
        f |= ASL_JF_THUNK;
    if (n->descending)
        f |= ASL_JF_DESCENDING;
    rn *tmp[3];
    switch (n->type) {
    case ASL_JN_BINARY:
        j->op = (unsigned char)n->value;
        j->str = n->op;
        j->len = strlen(n->op);
        /* fall through */
    case ASL_JN_APPLY:
    case ASL_JN_BIND:
        tmp[0] = n->lhs;
        tmp[1] = n->rhs;
        j->kids = freeze_list(p, tmp, 2);
        j->nkids = 2;
        break;
    case ASL_JN_NEGATE:
    case ASL_JN_SORT_TERM:
    case ASL_JN_FILTER:
        tmp[0] = n->lhs;
        j->kids = freeze_list(p, tmp, 1);
        j->nkids = 1;
        break;
    case ASL_JN_CONDITION:
    case ASL_JN_TRANSFORM:
        tmp[0] = n->lhs;
        tmp[1] = n->rhs;
        tmp[2] = n->third;
        j->nkids = n->third ? 3 : 2;
        j->kids = freeze_list(p, tmp, j->nkids);
        break;
    case ASL_JN_FUNCTION: {
        rn **v = arena_array(p->lx.a, (size_t)n->items.n + 1, sizeof *v);
        v[0] = n->proc;
        for (int i = 0; i < n->items.n; i++) {
            v[i + 1] = n->items.v[i];
            if (v[i + 1]->type == ASL_JN_PLACEHOLDER)
                f |= ASL_JF_PARTIAL;
        }
        j->nkids = n->items.n + 1;
        j->kids = freeze_list(p, v, j->nkids);
        break;
    }
    case ASL_JN_LAMBDA: {
        rn **v = arena_array(p->lx.a, (size_t)n->items.n + 1, sizeof *v);
        for (int i = 0; i < n->items.n; i++)
            v[i] = n->items.v[i];
        v[n->items.n] = n->body;
        j->nkids = n->items.n + 1;
        j->kids = freeze_list(p, v, j->nkids);
        j->str = n->signature;
        j->len = n->signature ? strlen(n->signature) : 0;
        if (n->signature)
            j->cache = arena_new(p->lx.a, void *);
        break;
    }
    case ASL_JN_VALUE: j->op = (unsigned char)n->value; break;
    case ASL_JN_REGEX: j->cache = arena_new(p->lx.a, void *); break;
    case ASL_JN_PARENT: j->str = label(p, n->slot); j->len = strlen(j->str); break;
    case ASL_JN_INDEX: break;
    default:
        j->nkids = n->items.n;
        j->kids = freeze_list(p, n->items.v, n->items.n);
        break;
    }
    j->flags = (unsigned short)f;
    const rlist *st = n->stages.n ? &n->stages : &n->predicate;
    j->nstages = st->n;
    j->stages = freeze_list(p, st->v, st->n);
    if (n->group)
        j->group = freeze(p, n->group);
    return j;
}

const asl_jnode *jp_process(jp *p, rn *raw)
{
    p->depth = 0;
    rn *ast = process(p, raw);
    if (!jp_failed(p) && (ast->type == ASL_JN_PARENT || ast->has_seeking))
        jp_fail_node(p, "S0217", ast, NULL,
                     "The object representing the 'parent' cannot be derived from this expression");
    if (jp_failed(p))
        return NULL;
    size_t len = p->lx.len;
    p->u16 = arena_array(p->lx.a, len + 1, sizeof *p->u16);
    long u = 0;
    for (size_t i = 0; i <= len; i++) {
        p->u16[i] = u;
        if (i < len) {
            unsigned char c = (unsigned char)p->lx.s[i];
            if ((c & 0xC0) != 0x80)
                u += c >= 0xF0 ? 2 : 1;
        }
    }
    return freeze(p, ast);
}
