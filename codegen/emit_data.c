/*
 * emit_data.c - the static data of the generated program: precompiled
 * JSONPaths (asl_seg / asl_path, one object per distinct text), payload
 * templates (asl_tmpl / asl_field) and intrinsic calls (asl_call). Each
 * object is written to the program at once, numbered in emission order,
 * and referred to by its number.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwrite.h"
#include "emit.h"
#include "emit_internal.h"
#include "ir.h"

/* ==== JSONPath data ====================================================== */


static const char *root_name(ir_root r)
{
    switch (r) {
    case IR_ROOT_INPUT: return "ASL_ROOT_INPUT";
    case IR_ROOT_CONTEXT: return "ASL_ROOT_CONTEXT";
    case IR_ROOT_CURRENT: return "ASL_ROOT_CURRENT";
    case IR_ROOT_VARIABLE: return "ASL_ROOT_VARIABLE";
    }
    CG_UNREACHABLE();
    return NULL;
}

static const char *filter_op_name(ir_filter_op op)
{
    switch (op) {
    case IR_F_EXISTS: return "ASL_F_EXISTS";
    case IR_F_EQ: return "ASL_F_EQ";
    case IR_F_NE: return "ASL_F_NE";
    case IR_F_LT: return "ASL_F_LT";
    case IR_F_LE: return "ASL_F_LE";
    case IR_F_GT: return "ASL_F_GT";
    case IR_F_GE: return "ASL_F_GE";
    case IR_F_AND: return "ASL_F_AND";
    case IR_F_OR: return "ASL_F_OR";
    case IR_F_NOT: return "ASL_F_NOT";
    }
    CG_UNREACHABLE();
    return NULL;
}

static const char *lit_name(ir_lit_kind k)
{
    switch (k) {
    case IR_LIT_NULL: return "ASL_LIT_NULL";
    case IR_LIT_TRUE: return "ASL_LIT_TRUE";
    case IR_LIT_FALSE: return "ASL_LIT_FALSE";
    case IR_LIT_NUMBER: return "ASL_LIT_NUMBER";
    case IR_LIT_STRING: return "ASL_LIT_STRING";
    }
    CG_UNREACHABLE();
    return NULL;
}

/* A filter expression [?(...)]; its operands first. Returns its number. */
static int emit_filter(cg *g, const ir_filter *f)
{
    int a = -1, b = -1, lhs = -1, rhs = -1;
    if (f->a)
        a = emit_filter(g, f->a);
    if (f->b)
        b = emit_filter(g, f->b);
    if (f->lhs)
        lhs = cg_emit_path(g, f->lhs);
    if (f->rhs_path)
        rhs = cg_emit_path(g, f->rhs_path);
    int id = g->nfilter++;
    FILE *o = g->out;
    fprintf(o, "static const asl_filter filter_%d = {.op = %s", id, filter_op_name(f->op));
    if (a >= 0)
        fprintf(o, ", .a = &filter_%d", a);
    if (b >= 0)
        fprintf(o, ", .b = &filter_%d", b);
    if (lhs >= 0)
        fprintf(o, ", .lhs = &path_%d", lhs);
    if (rhs >= 0) {
        fprintf(o, ", .rhs_path = &path_%d", rhs);
    } else if (f->op != IR_F_EXISTS && f->op != IR_F_AND && f->op != IR_F_OR &&
               f->op != IR_F_NOT) {
        fprintf(o, ", .lit = %s", lit_name(f->lit));
        if (f->lit == IR_LIT_NUMBER) {
            fputs(", .num = ", o);
            cg_put_num(o, f->num);
        } else if (f->lit == IR_LIT_STRING) {
            fputs(", .str = ", o);
            cg_cstrz(o, f->str);
        }
    }
    fputs("};\n", o);
    return id;
}

static size_t path_hash(const char *text, ir_root root)
{
    size_t h = 2166136261u ^ (size_t)root; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        h = (h ^ *c) * 16777619u;
    return h;
}

/* The slot of [text] in the table: its entry, or the empty slot for it. */
static seen_path *seen_slot(seen_path *tab, size_t cap, const char *text, ir_root root)
{
    for (size_t i = path_hash(text, root) & (cap - 1);; i = (i + 1) & (cap - 1))
        if (tab[i].id < 0 || (tab[i].root == root && strcmp(tab[i].text, text) == 0))
            return &tab[i];
}

/* The number of the path emitted for this text before, or -1. */
static int seen_path_id(const cg *g, const ir_path *p)
{
    if (!p->text || g->capseen == 0)
        return -1;
    return seen_slot(g->seen, g->capseen, p->text, p->root)->id;
}

static bool remember_path(cg *g, const ir_path *p, int id)
{
    if (!p->text)
        return true;
    if (2 * (g->nseen + 1) > g->capseen) { /* keep the table at most half full */
        size_t cap = g->capseen ? 2 * g->capseen : 64;
        seen_path *n = malloc(cap * sizeof *n);
        if (!n)
            return false;
        for (size_t i = 0; i < cap; i++)
            n[i].id = -1;
        for (size_t i = 0; i < g->capseen; i++)
            if (g->seen[i].id >= 0)
                *seen_slot(n, cap, g->seen[i].text, g->seen[i].root) = g->seen[i];
        free(g->seen);
        g->seen = n;
        g->capseen = cap;
    }
    *seen_slot(g->seen, g->capseen, p->text, p->root) = (seen_path){p->text, p->root, id};
    g->nseen++;
    return true;
}

/* A precompiled path: its segments array and the asl_path. A path whose
 * text was emitted before is that same object (same text, same parse).
 * Returns its number: the object is `path_<n>`. */
int cg_emit_path(cg *g, const ir_path *p)
{
    int seen = seen_path_id(g, p);
    if (seen >= 0)
        return seen;

    /* what the segments point at comes first */
    int *dep = p->nsegs ? calloc((size_t)p->nsegs, sizeof *dep) : NULL;
    if (p->nsegs && !dep) {
        g->oom = true;
        return 0;
    }
    FILE *o = g->out;
    for (int i = 0; i < p->nsegs; i++) {
        const ir_seg *s = &p->segs[i];
        dep[i] = -1;
        if (s->kind == IR_SEG_FILTER && s->filter) {
            dep[i] = emit_filter(g, s->filter);
        } else if (s->kind == IR_SEG_UNION && s->nnames > 0) {
            dep[i] = g->nnames++;
            fprintf(o, "static const char *const names_%d[] = {", dep[i]);
            for (int k = 0; k < s->nnames; k++) {
                if (k)
                    fputs(", ", o);
                cg_cstrz(o, s->names[k]);
            }
            fputs("};\n", o);
        } else if (s->kind == IR_SEG_UNION && s->nindexes > 0) {
            dep[i] = g->nidx++;
            fprintf(o, "static const long indexes_%d[] = {", dep[i]);
            for (int k = 0; k < s->nindexes; k++) {
                if (k)
                    fputs(", ", o);
                cg_put_long(o, s->indexes[k]);
            }
            fputs("};\n", o);
        }
    }

    int id = g->npath++;
    if (p->nsegs > 0) {
        fprintf(o, "static const asl_seg path_%d_segs[] = {\n", id);
        for (int i = 0; i < p->nsegs; i++) {
            const ir_seg *s = &p->segs[i];
            fputs("    {.kind = ", o);
            switch (s->kind) {
            case IR_SEG_FIELD:
                fputs("ASL_SEG_FIELD, .name = ", o);
                cg_cstrz(o, s->name);
                break;
            case IR_SEG_INDEX:
                fputs("ASL_SEG_INDEX, .index = ", o);
                cg_put_long(o, s->index);
                break;
            case IR_SEG_WILDCARD:
                fputs("ASL_SEG_WILDCARD", o);
                break;
            case IR_SEG_SLICE:
                fputs("ASL_SEG_SLICE", o);
                if (s->has_start) {
                    fputs(", .start = ", o);
                    cg_put_long(o, s->start);
                }
                if (s->has_end) {
                    fputs(", .end = ", o);
                    cg_put_long(o, s->end);
                }
                fputs(", .step = ", o);
                cg_put_long(o, s->step);
                if (s->has_start && s->has_end)
                    fputs(", .slice_flags = ASL_SLICE_HAS_START | ASL_SLICE_HAS_END", o);
                else if (s->has_start)
                    fputs(", .slice_flags = ASL_SLICE_HAS_START", o);
                else if (s->has_end)
                    fputs(", .slice_flags = ASL_SLICE_HAS_END", o);
                break;
            case IR_SEG_UNION:
                fputs("ASL_SEG_UNION", o);
                if (s->nnames > 0)
                    fprintf(o, ", .nnames = %d, .names = names_%d", s->nnames, dep[i]);
                else if (s->nindexes > 0)
                    fprintf(o, ", .nindexes = %d, .indexes = indexes_%d", s->nindexes, dep[i]);
                break;
            case IR_SEG_DEEP:
                fputs("ASL_SEG_DEEP", o);
                if (s->name) {
                    fputs(", .name = ", o);
                    cg_cstrz(o, s->name);
                }
                break;
            case IR_SEG_FILTER:
                fputs("ASL_SEG_FILTER", o);
                if (dep[i] >= 0)
                    fprintf(o, ", .filter = &filter_%d", dep[i]);
                break;
            default:
                CG_UNREACHABLE();
            }
            fputs("},\n", o);
        }
        fputs("};\n", o);
    }
    fprintf(o, "static const asl_path path_%d = {.text = ", id);
    cg_cstrz(o, p->text);
    fputs(", .normalized = ", o);
    cg_cstrz(o, p->normalized);
    fprintf(o, ",\n    .root = %s, .definite = %d, .nsegs = %d", root_name(p->root),
            p->definite ? 1 : 0, p->nsegs);
    if (p->root == IR_ROOT_VARIABLE) {
        fputs(", .var = ", o);
        cg_cstrz(o, p->var);
    }
    if (p->nsegs > 0)
        fprintf(o, ", .segs = path_%d_segs", id);
    if (p->invalid) {
        fputs(", .invalid = ", o);
        cg_cstrz(o, p->invalid);
    }
    fputs("};\n", o);
    free(dep);
    if (!remember_path(g, p, id))
        g->oom = true;
    return id;
}

/* ==== templates and intrinsic calls ====================================== */

/* What an asl_tmpl initializer refers to; -1 = nothing. */
typedef struct tmpl_deps {
    int fields, items, path, call;
    int jn, jn_root;   /* JSONATA: tree jn<jn>, root node jn<jn>_<jn_root> */
} tmpl_deps;

static int emit_call(cg *g, const ir_call *c);
static tmpl_deps prep_tmpl(cg *g, const ir_tmpl *t);

static const char *const fn_names[] = {
#define CG_X_FN(e, name, lo, hi) "ASL_FN_" #e,
    IR_INTRINSICS(CG_X_FN)
#undef CG_X_FN
};

/* The `{.kind = ...}` initializer of [t], whose dependencies are [d]. */
static void put_tmpl_init(cg *g, const ir_tmpl *t, tmpl_deps d)
{
    FILE *o = g->out;
    switch (t->kind) {
    case IR_T_NULL: fputs("{.kind = ASL_T_NULL}", o); return;
    case IR_T_TRUE: fputs("{.kind = ASL_T_TRUE}", o); return;
    case IR_T_FALSE: fputs("{.kind = ASL_T_FALSE}", o); return;
    case IR_T_NUMBER:
        fputs("{.kind = ASL_T_NUMBER, .num = ", o);
        cg_put_num(o, t->num);
        fputs("}", o);
        return;
    case IR_T_STRING:
        fputs("{.kind = ASL_T_STRING, .str = ", o);
        cg_cstrz(o, t->str);
        fputs("}", o);
        return;
    case IR_T_OBJECT:
        if (t->n > 0)
            fprintf(o, "{.kind = ASL_T_OBJECT, .n = %d, .fields = fields_%d}", t->n, d.fields);
        else
            fputs("{.kind = ASL_T_OBJECT}", o);
        return;
    case IR_T_ARRAY:
        if (t->n > 0)
            fprintf(o, "{.kind = ASL_T_ARRAY, .n = %d, .items = items_%d}", t->n, d.items);
        else
            fputs("{.kind = ASL_T_ARRAY}", o);
        return;
    case IR_T_PATH:
        fprintf(o, "{.kind = ASL_T_PATH, .path = &path_%d}", d.path);
        return;
    case IR_T_CALL:
        fprintf(o, "{.kind = ASL_T_CALL, .call = &call_%d}", d.call);
        return;
    case IR_T_JSONATA:
        fputs("{.kind = ASL_T_JSONATA, .str = ", o);
        cg_cstrz(o, t->str);
        fprintf(o, ", .jn = &jn%d_%d}", d.jn, d.jn_root);
        return;
    }
    CG_UNREACHABLE();
}

/* Writes `static const asl_tmpl <kind>_<n>[] = {...};` for [n] templates
 * laid out consecutively (array items, call arguments). Returns n's id. */
static int emit_tmpl_array(cg *g, const char *kind, int *counter, ir_tmpl *const *ts, int n)
{
    tmpl_deps *d = malloc((size_t)n * sizeof *d);
    if (!d) {
        g->oom = true;
        return 0;
    }
    for (int i = 0; i < n; i++)
        d[i] = prep_tmpl(g, ts[i]);
    int id = (*counter)++;
    fprintf(g->out, "static const asl_tmpl %s_%d[] = {\n", kind, id);
    for (int i = 0; i < n; i++) {
        fputs("    ", g->out);
        put_tmpl_init(g, ts[i], d[i]);
        fputs(",\n", g->out);
    }
    fputs("};\n", g->out);
    free(d);
    return id;
}

/* Emit everything [t]'s initializer points at. */
static tmpl_deps prep_tmpl(cg *g, const ir_tmpl *t)
{
    tmpl_deps d = {-1, -1, -1, -1, -1, -1};
    switch (t->kind) {
    case IR_T_OBJECT: {
        if (t->n == 0)
            break;
        int *vals = malloc((size_t)t->n * sizeof *vals);
        if (!vals) {
            g->oom = true;
            break;
        }
        for (int i = 0; i < t->n; i++)
            vals[i] = cg_emit_tmpl(g, t->fields[i].value);
        d.fields = g->nfields++;
        fprintf(g->out, "static const asl_field fields_%d[] = {\n", d.fields);
        for (int i = 0; i < t->n; i++) {
            fputs("    {", g->out);
            cg_cstrz(g->out, t->fields[i].key);
            fprintf(g->out, ", &tmpl_%d},\n", vals[i]);
        }
        fputs("};\n", g->out);
        free(vals);
        break;
    }
    case IR_T_ARRAY:
        if (t->n > 0)
            d.items = emit_tmpl_array(g, "items", &g->nitems, t->items, t->n);
        break;
    case IR_T_PATH:
        d.path = cg_emit_path(g, t->path);
        break;
    case IR_T_CALL:
        d.call = emit_call(g, t->call);
        break;
    case IR_T_JSONATA: {
        char prefix[32];
        d.jn = g->njn++;
        snprintf(prefix, sizeof prefix, "jn%d", d.jn);
        fputs("/* JSONata: ", g->out);
        cg_comment_text(g->out, t->str);
        fputs(" */\n", g->out);
        d.jn_root = cg_write_jsonata(g->out, prefix, t->jn);
        if (d.jn_root < 0)
            g->oom = true;
        break;
    }
    default:
        break;
    }
    return d;
}

/* A template as its own object `tmpl_<n>`; returns n. */
int cg_emit_tmpl(cg *g, const ir_tmpl *t)
{
    tmpl_deps d = prep_tmpl(g, t);
    int id = g->ntmpl++;
    fprintf(g->out, "static const asl_tmpl tmpl_%d = ", id);
    put_tmpl_init(g, t, d);
    fputs(";\n", g->out);
    return id;
}

/* An intrinsic call `call_<n>` with its arguments; returns n. */
static int emit_call(cg *g, const ir_call *c)
{
    int args = -1;
    if (c->nargs > 0)
        args = emit_tmpl_array(g, "args", &g->nargs, c->args, c->nargs);
    if ((unsigned)c->fn >= IR_NUM_FNS)
        CG_UNREACHABLE();
    int id = g->ncall++;
    fprintf(g->out, "static const asl_call call_%d = {.fn = %s, .name = ", id, fn_names[c->fn]);
    cg_cstrz(g->out, c->name);
    if (args >= 0)
        fprintf(g->out, ", .nargs = %d, .args = args_%d", c->nargs, args);
    fputs("};\n", g->out);
    return id;
}
