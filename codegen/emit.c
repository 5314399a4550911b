/*
 * emit.c - IR to C: the whole generated program for one ASL definition.
 *
 * cg_emit_program() (emit.h) writes, in this order: a header comment and
 * `#include "aslrt.h"`; for each state of the top-level machine, the static
 * data it needs (precompiled paths as asl_seg / asl_path, payload templates
 * as asl_tmpl / asl_field, intrinsic calls as asl_call, a Task's call as
 * asl_task with its Retry / Catch as asl_retrier / asl_catcher arrays)
 * followed by its function `static int st_NNN_Name(asl_exec *x, cJSON
 * **doc)`; the state table; the table of every Task (asl_task_ref); `const
 * asl_machine aslc_machine`; and main() unless ASLC_NO_MAIN.
 *
 * Rules this file keeps (STYLE.md section 6):
 * - every byte of definition text goes through cwrite.c (cg_cstr,
 *   cg_comment_text, cg_ident); nothing here prints a definition string
 *   with %s;
 * - deterministic: data is numbered in emission order, states are walked
 *   in definition order, no pointers or times are printed;
 * - only what is used is emitted (gcc -Wall -Wextra -Werror rejects unused
 *   statics and parameters), and identity steps (InputPath "$", ...) emit
 *   no code at all;
 * - the code compiles under tcc 0.9.27 as well as gcc/clang: C99
 *   designated initializers, no statement expressions, no system headers.
 *
 * Owns nothing after it returns: the path table and the per-state body
 * buffer are freed before cg_emit_program returns. Reads the IR only.
 * Called by the aslc driver (cli/pipeline.c) and the tests.
 */
#include "emit.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwrite.h"
#include "emit_internal.h"
#include "ir.h"

/* An impossible IR is our bug, never the user's: say where, and stop. */
#define CG_UNREACHABLE() cg_unreachable(__FILE__, __LINE__)

static void cg_unreachable(const char *file, int line)
{
    fprintf(stderr, "aslc: internal error at %s:%d (unexpected IR in codegen)\n", file, line);
    abort();
}

/* ==== emitter state ====================================================== */

/* A path already emitted: one text (and root) is one object. An open
 * addressing table keyed by the text; id -1 marks an empty slot. */
typedef struct seen_path {
    const char *text;
    ir_root root;
    int id;
} seen_path;

typedef struct cg {
    FILE *out;               /* the program: static data goes here at once */
    const ir_program *prog;
    const ir_machine *m;
    /* counters naming the static data, in emission order */
    int npath, nnames, nidx, nfilter, ntmpl, nfields, nitems, ncall, nargs;
    int ntask, nerrors, nretriers, ncatchers;
    /* paths already emitted, so that one text is one object */
    seen_path *seen;
    size_t nseen, capseen; /* capseen: 0 or a power of two */
    /* the state whose body is being written */
    bool used_x, used_doc;
    bool oom;
} cg;

/* ==== small writers ====================================================== */

/* A double as a C floating constant that reads back as the same value:
 * the shortest %.*g that round-trips, with ".0" added when the result
 * would otherwise be an integer constant (so -0.0 stays negative zero). */
static void put_num(FILE *out, double v)
{
    char buf[40];
    if (v != v || v - v != 0) /* NaN / infinity never come from JSON */
        CG_UNREACHABLE();
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v && !(v == 0 && 1 / v < 0)) {
        fprintf(out, "%lld.0", (long long)v); /* integers read best as such */
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
    if (!strpbrk(buf, ".e"))
        fputs(".0", out);
}

static void put_long(FILE *out, long v)
{
    if (v == LONG_MIN)
        fprintf(out, "(%ld - 1)", v + 1); /* -9223372036854775808 is not a constant */
    else
        fprintf(out, "%ld", v);
}

static void put_indent(FILE *out, int n)
{
    for (int i = 0; i < n; i++)
        fputc(' ', out);
}

/* `/ * "name" * /`: a state name for a reader, safely. */
static void put_name_comment(FILE *out, const char *name)
{
    fputs("/* \"", out);
    cg_comment_text(out, name);
    fputs("\" */", out);
}

/* ==== JSONPath data ====================================================== */

static int emit_path(cg *g, const ir_path *p);

static const char *root_name(ir_root r)
{
    switch (r) {
    case IR_ROOT_INPUT: return "ASL_ROOT_INPUT";
    case IR_ROOT_CONTEXT: return "ASL_ROOT_CONTEXT";
    case IR_ROOT_CURRENT: return "ASL_ROOT_CURRENT";
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
        lhs = emit_path(g, f->lhs);
    if (f->rhs_path)
        rhs = emit_path(g, f->rhs_path);
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
            put_num(o, f->num);
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
static int emit_path(cg *g, const ir_path *p)
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
                put_long(o, s->indexes[k]);
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
                put_long(o, s->index);
                break;
            case IR_SEG_WILDCARD:
                fputs("ASL_SEG_WILDCARD", o);
                break;
            case IR_SEG_SLICE:
                fputs("ASL_SEG_SLICE", o);
                if (s->has_start) {
                    fputs(", .start = ", o);
                    put_long(o, s->start);
                }
                if (s->has_end) {
                    fputs(", .end = ", o);
                    put_long(o, s->end);
                }
                fputs(", .step = ", o);
                put_long(o, s->step);
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
    if (p->nsegs > 0)
        fprintf(o, ", .segs = path_%d_segs", id);
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
} tmpl_deps;

static int emit_tmpl(cg *g, const ir_tmpl *t);
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
        put_num(o, t->num);
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
    tmpl_deps d = {-1, -1, -1, -1};
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
            vals[i] = emit_tmpl(g, t->fields[i].value);
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
        d.path = emit_path(g, t->path);
        break;
    case IR_T_CALL:
        d.call = emit_call(g, t->call);
        break;
    default:
        break;
    }
    return d;
}

/* A template as its own object `tmpl_<n>`; returns n. */
static int emit_tmpl(cg *g, const ir_tmpl *t)
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

/* ==== data flow steps ==================================================== */

/* True when the optional path is absent or "$": the step changes nothing. */
static bool is_identity(const ir_opt_path *op)
{
    return op->kind == IR_OPT_DEFAULT ||
           (op->kind == IR_OPT_PATH && op->path && op->path->root == IR_ROOT_INPUT &&
            op->path->nsegs == 0);
}

/* Where a statement goes and what it does on failure: state bodies are
 * written [ind] spaces in, and a failing step runs [fail] (a return, or a
 * `break` out to a Task's Retry / Catch). */
typedef struct stmt_ctx {
    int ind;
    const char *fail;
} stmt_ctx;

static const stmt_ctx body_ctx = {4, "return ASL_NEXT_ERROR;"};

/* `<indent>if (cond)` is written by the caller; this writes the indented
 * failure statement under it. */
static void put_fail(FILE *b, stmt_ctx sc)
{
    put_indent(b, sc.ind + 4);
    fputs(sc.fail, b);
    fputc('\n', b);
}

/* InputPath / OutputPath applied in place to *doc (the selection is moved,
 * never copied). [what] names the field in a comment. */
static void put_inplace_path_at(cg *g, FILE *b, const ir_opt_path *op, const char *what, stmt_ctx sc)
{
    if (is_identity(op))
        return;
    g->used_doc = true;
    put_indent(b, sc.ind);
    if (op->kind == IR_OPT_NULL) {
        fprintf(b, "asl_set_empty(doc); /* %s null: {} */\n", what);
        return;
    }
    g->used_x = true;
    int p = emit_path(g, op->path);
    fprintf(b, "if (asl_apply_path(x, &path_%d, doc) != 0) /* %s */\n", p, what);
    put_fail(b, sc);
}

static void put_inplace_path(cg *g, FILE *b, const ir_opt_path *op, const char *what)
{
    put_inplace_path_at(g, b, op, what, body_ctx);
}

/* The transition after a non-terminal, non-Choice state. */
static void put_next_at(cg *g, FILE *b, const ir_state *s, int ind)
{
    put_indent(b, ind);
    if (s->end || s->next < 0) {
        fputs("return ASL_NEXT_END;\n", b);
        return;
    }
    if (s->next >= g->m->nstates)
        CG_UNREACHABLE();
    fprintf(b, "return %d; ", s->next);
    put_name_comment(b, g->m->states[s->next]->name);
    fputc('\n', b);
}

static void put_next(cg *g, FILE *b, const ir_state *s)
{
    put_next_at(g, b, s, 4);
}

/* ==== Pass =============================================================== */

/*
 * Pass: InputPath -> Parameters -> (Result replaces it) -> ResultPath ->
 * OutputPath. Every step that is an identity emits nothing; a selection
 * that becomes the output is moved in place; a copy is made only when the
 * effective input must live on inside the raw input (ResultPath into a
 * path with neither Parameters nor Result). Parameters and InputPath are
 * still evaluated when Result replaces their value, since a bad path
 * there fails the state; a constant Parameters cannot fail and is skipped.
 */
static void emit_pass(cg *g, FILE *b, const ir_state *s)
{
    bool ip_id = is_identity(&s->input_path), ip_null = s->input_path.kind == IR_OPT_NULL;
    bool ip_path = !ip_id && !ip_null;
    bool rp_id = is_identity(&s->result_path), rp_null = s->result_path.kind == IR_OPT_NULL;
    bool rp_path = !rp_id && !rp_null;
    const ir_tmpl *params = s->parameters, *result = s->result;

    if (!params && !result && rp_id) {
        /* the output is the effective input itself (an InputPath null that
         * OutputPath null overwrites anyway is skipped: it cannot fail) */
        if (!(ip_null && s->output_path.kind == IR_OPT_NULL))
            put_inplace_path(g, b, &s->input_path, "InputPath");
        put_inplace_path(g, b, &s->output_path, "OutputPath");
        put_next(g, b, s);
        return;
    }

    /* Is the effective input (or Parameters' value) the result? */
    bool params_is_result = params && !result && !rp_null;
    bool eff_is_result = !params && !result && rp_path;
    bool build_params = params && (params_is_result || !params->constant);
    bool need_eff = build_params || eff_is_result;

    /* 1. the effective input: `eff` names it (borrowed) */
    const char *eff = "*doc";
    bool eff_owned = false; /* `empty` must be freed */
    if (ip_path) {
        g->used_x = g->used_doc = true;
        int p = emit_path(g, s->input_path.path);
        if (need_eff) {
            fprintf(b, "    const cJSON *in = asl_select(x, &path_%d, *doc); /* InputPath */\n", p);
            fputs("    if (!in)\n        return ASL_NEXT_ERROR;\n", b);
            eff = "in";
        } else {
            fprintf(b, "    if (!asl_select(x, &path_%d, *doc)) /* InputPath: must match */\n", p);
            fputs("        return ASL_NEXT_ERROR;\n", b);
        }
    } else if (ip_null && need_eff) {
        fputs("    cJSON *empty = 0; /* InputPath null: {} */\n", b);
        fputs("    asl_set_empty(&empty);\n", b);
        eff = "empty";
        eff_owned = true;
    }

    /* 2. Parameters, 3. Result: `res` names the result, `res_owned` says
     * whether it is a fresh tree (else it is borrowed `eff`) */
    const char *res = eff;
    bool res_owned = false;
    if (build_params) {
        g->used_x = true;
        g->used_doc |= !eff_owned && !ip_path;
        int t = emit_tmpl(g, params);
        fprintf(b, "    cJSON *params = asl_build(x, &tmpl_%d, %s); /* Parameters */\n", t, eff);
        if (eff_owned) {
            fputs("    asl_free(empty);\n", b);
            eff_owned = false;
        }
        fputs("    if (!params)\n        return ASL_NEXT_ERROR;\n", b);
        if (params_is_result) {
            res = "params";
            res_owned = true;
        } else {
            fputs("    asl_free(params); /* Result or ResultPath null discards it */\n", b);
        }
    }
    if (result && !rp_null) {
        g->used_x = g->used_doc = true;
        int t = emit_tmpl(g, result);
        fprintf(b, "    cJSON *result = asl_build(x, &tmpl_%d, *doc); /* Result */\n", t);
        fputs("    if (!result)\n        return ASL_NEXT_ERROR;\n", b);
        res = "result";
        res_owned = true;
    } else if (eff_is_result && eff_owned) {
        res = "empty"; /* moved into the output below */
        res_owned = true;
        eff_owned = false;
    }
    if (eff_owned)
        fputs("    asl_free(empty);\n", b);

    /* 4. ResultPath */
    if (rp_id) {
        g->used_doc = true;
        if (!res_owned)
            CG_UNREACHABLE(); /* handled by the shortcut above */
        fprintf(b, "    asl_free(*doc);\n    *doc = %s;\n", res);
    } else if (rp_null) {
        if (res_owned)
            fprintf(b, "    asl_free(%s); /* ResultPath null: the output is the input */\n", res);
    } else {
        g->used_x = g->used_doc = true;
        int p = emit_path(g, s->result_path.path);
        if (res_owned)
            fprintf(b, "    if (asl_apply_result_path(x, &path_%d, doc, %s) != 0) /* ResultPath */\n",
                    p, res);
        else /* the effective input lives on inside the raw input: copy it */
            fprintf(b,
                    "    if (asl_apply_result_path(x, &path_%d, doc, asl_copy(%s)) != 0) /* ResultPath */\n",
                    p, res);
        fputs("        return ASL_NEXT_ERROR;\n", b);
    }

    put_inplace_path(g, b, &s->output_path, "OutputPath");
    put_next(g, b, s);
}

/* ==== Choice ============================================================= */

static const char *cmp_name(ir_cmp_op c)
{
    switch (c) {
    case IR_CMP_EQ: return "ASL_CMP_EQ";
    case IR_CMP_LT: return "ASL_CMP_LT";
    case IR_CMP_GT: return "ASL_CMP_GT";
    case IR_CMP_LE: return "ASL_CMP_LE";
    case IR_CMP_GE: return "ASL_CMP_GE";
    }
    CG_UNREACHABLE();
    return NULL;
}

/* One comparison: a call of an asl_test_* primitive on *doc. */
static void put_test(cg *g, FILE *b, const ir_rule *r)
{
    int var = emit_path(g, r->variable);
    int rhs = r->rhs_is_path ? emit_path(g, r->rhs_path) : -1;
    switch (r->type) {
    case IR_TEST_NUMERIC:
        if (rhs >= 0) {
            fprintf(b, "asl_test_num_path(x, *doc, &path_%d, %s, &path_%d)", var, cmp_name(r->cmp), rhs);
        } else {
            fprintf(b, "asl_test_num(x, *doc, &path_%d, %s, ", var, cmp_name(r->cmp));
            put_num(b, r->num);
            fputc(')', b);
        }
        return;
    case IR_TEST_STRING:
        if (rhs >= 0) {
            fprintf(b, "asl_test_str_path(x, *doc, &path_%d, %s, &path_%d)", var, cmp_name(r->cmp), rhs);
        } else {
            fprintf(b, "asl_test_str(x, *doc, &path_%d, %s, ", var, cmp_name(r->cmp));
            cg_cstrz(b, r->str ? r->str : "");
            fputc(')', b);
        }
        return;
    case IR_TEST_BOOLEAN:
        if (rhs >= 0)
            fprintf(b, "asl_test_bool_path(x, *doc, &path_%d, &path_%d)", var, rhs);
        else
            fprintf(b, "asl_test_bool(x, *doc, &path_%d, %d)", var, r->boolean ? 1 : 0);
        return;
    case IR_TEST_TIMESTAMP:
        if (rhs >= 0)
            fprintf(b, "asl_test_ts_path(x, *doc, &path_%d, %s, &path_%d)", var, cmp_name(r->cmp), rhs);
        else
            fprintf(b, "asl_test_ts(x, *doc, &path_%d, %s, %lld, %ld)", var, cmp_name(r->cmp),
                    r->ts_sec, r->ts_nsec);
        return;
    case IR_TEST_MATCHES:
        fprintf(b, "asl_test_matches(x, *doc, &path_%d, ", var);
        cg_cstrz(b, r->str ? r->str : "");
        fputc(')', b);
        return;
    case IR_TEST_IS_NULL:
    case IR_TEST_IS_PRESENT:
    case IR_TEST_IS_NUMERIC:
    case IR_TEST_IS_STRING:
    case IR_TEST_IS_BOOLEAN:
    case IR_TEST_IS_TIMESTAMP: {
        static const char *const which[] = {
            "ASL_IS_NULL", "ASL_IS_PRESENT", "ASL_IS_NUMERIC",
            "ASL_IS_STRING", "ASL_IS_BOOLEAN", "ASL_IS_TIMESTAMP",
        };
        fprintf(b, "asl_test_is(x, *doc, &path_%d, %s, %d)", var, which[r->type - IR_TEST_IS_NULL],
                r->boolean ? 1 : 0);
        return;
    }
    }
    CG_UNREACHABLE();
}

/* A rule as a C expression: And / Or / Not become && || ! with each
 * operand of a compound on its own line, [indent] spaces in. */
static void put_rule(cg *g, FILE *b, const ir_rule *r, int indent)
{
    switch (r->kind) {
    case IR_RULE_TEST:
        put_test(g, b, r);
        return;
    case IR_RULE_NOT:
        if (r->n != 1)
            CG_UNREACHABLE();
        fputc('!', b);
        put_rule(g, b, r->subs[0], indent + 1);
        return;
    case IR_RULE_AND:
    case IR_RULE_OR:
        if (r->n < 1)
            CG_UNREACHABLE();
        fputc('(', b);
        for (int i = 0; i < r->n; i++) {
            if (i) {
                fputc('\n', b);
                put_indent(b, indent + 1);
                fputs(r->kind == IR_RULE_AND ? "&& " : "|| ", b);
            }
            put_rule(g, b, r->subs[i], indent + 4);
        }
        fputc(')', b);
        return;
    }
    CG_UNREACHABLE();
}

/*
 * Choice: InputPath in place, the rules in order over *doc, then OutputPath.
 * A primitive that fails (missing Variable) sets the error and yields 0,
 * so every rule after the first is guarded by !asl_failed(x), and the
 * error is checked once after the chain: the first error stops the state,
 * as on AWS, and no later rule runs.
 */
static void emit_choice(cg *g, FILE *b, const ir_state *s)
{
    put_inplace_path(g, b, &s->input_path, "InputPath");
    g->used_x = true;
    if (s->nrules > 0)
        g->used_doc = true;
    fputs("    int next = -1;\n", b);
    for (int i = 0; i < s->nrules; i++) {
        const ir_rule *r = s->rules[i];
        if (r->next < 0 || r->next >= g->m->nstates)
            CG_UNREACHABLE();
        if (i == 0) {
            fputs("    if (", b);
            put_rule(g, b, r, 8);
        } else {
            fputs("    else if (!asl_failed(x)\n             && ", b);
            put_rule(g, b, r, 13);
        }
        fprintf(b, ")\n        next = %d; /* Choices[%d] -> \"", r->next, i);
        cg_comment_text(b, g->m->states[r->next]->name);
        fputs("\" */\n", b);
    }
    if (s->nrules > 0)
        fputs("    if (asl_failed(x))\n        return ASL_NEXT_ERROR;\n", b);
    if (s->default_next >= 0) {
        if (s->default_next >= g->m->nstates)
            CG_UNREACHABLE();
        fputs("    if (next < 0)\n", b);
        fprintf(b, "        next = %d; /* Default -> \"", s->default_next);
        cg_comment_text(b, g->m->states[s->default_next]->name);
        fputs("\" */\n", b);
    } else {
        fputs("    if (next < 0)\n        return asl_no_choice_matched(x);\n", b);
    }
    put_inplace_path(g, b, &s->output_path, "OutputPath");
    fputs("    return next;\n", b);
}

/* ==== Task, Retry and Catch ============================================= */

/* An ErrorEquals list `errors_<n>`; returns n. */
static int emit_error_names(cg *g, const char *const *names, int n)
{
    int id = g->nerrors++;
    fprintf(g->out, "static const char *const errors_%d[] = {", id);
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(", ", g->out);
        cg_cstrz(g->out, names[i]);
    }
    fputs("};\n", g->out);
    return id;
}

/* The `.nerrors = n, .errors = errors_<k>` part of a retrier / catcher. */
static void put_error_list(FILE *o, int n, int id)
{
    fprintf(o, ".nerrors = %d", n);
    if (n > 0)
        fprintf(o, ", .errors = errors_%d", id);
}

/* Retry as `static const asl_retrier retriers_<n>[]`; returns n, or -1
 * when the state has no retrier. Any state kind may use it (Task now;
 * Parallel and Map once they run). */
static int emit_retriers(cg *g, const ir_state *s)
{
    if (s->nretry <= 0)
        return -1;
    int *errs = malloc((size_t)s->nretry * sizeof *errs);
    if (!errs) {
        g->oom = true;
        return -1;
    }
    for (int i = 0; i < s->nretry; i++)
        errs[i] = s->retry[i].nerrors > 0 ? emit_error_names(g, s->retry[i].errors, s->retry[i].nerrors) : -1;
    int id = g->nretriers++;
    FILE *o = g->out;
    fprintf(o, "static const asl_retrier retriers_%d[] = {\n", id);
    for (int i = 0; i < s->nretry; i++) {
        const ir_retrier *r = &s->retry[i];
        fputs("    {", o);
        put_error_list(o, r->nerrors, errs[i]);
        fputs(", .interval_seconds = ", o);
        put_num(o, r->interval_seconds);
        fprintf(o, ", .max_attempts = %d, .backoff_rate = ", r->max_attempts);
        put_num(o, r->backoff_rate);
        if (r->max_delay_seconds > 0) {
            fputs(", .max_delay_seconds = ", o);
            put_long(o, r->max_delay_seconds);
        }
        fprintf(o, ", .jitter = %s},\n", r->jitter == IR_JITTER_FULL ? "ASL_JITTER_FULL" : "ASL_JITTER_NONE");
    }
    fputs("};\n", o);
    free(errs);
    return id;
}

/* Catch as `static const asl_catcher catchers_<n>[]`; returns n, or -1
 * when the state has no catcher. */
static int emit_catchers(cg *g, const ir_state *s)
{
    if (s->ncatch <= 0)
        return -1;
    int *errs = malloc((size_t)s->ncatch * 2 * sizeof *errs);
    if (!errs) {
        g->oom = true;
        return -1;
    }
    for (int i = 0; i < s->ncatch; i++) {
        const ir_catcher *c = &s->catch_[i];
        errs[2 * i] = c->nerrors > 0 ? emit_error_names(g, c->errors, c->nerrors) : -1;
        errs[2 * i + 1] = c->result_path.kind == IR_OPT_PATH && !is_identity(&c->result_path)
                              ? emit_path(g, c->result_path.path)
                              : -1;
    }
    int id = g->ncatchers++;
    FILE *o = g->out;
    fprintf(o, "static const asl_catcher catchers_%d[] = {\n", id);
    for (int i = 0; i < s->ncatch; i++) {
        const ir_catcher *c = &s->catch_[i];
        if (c->next < 0 || c->next >= g->m->nstates)
            CG_UNREACHABLE();
        fputs("    {", o);
        put_error_list(o, c->nerrors, errs[2 * i]);
        fprintf(o, ", .next = %d", c->next);
        if (errs[2 * i + 1] >= 0)
            fprintf(o, ", .result_path = &path_%d", errs[2 * i + 1]);
        else if (c->result_path.kind == IR_OPT_NULL)
            fputs(", .result_path_null = 1", o);
        fputs("}, ", o);
        put_name_comment(o, g->m->states[c->next]->name);
        fputc('\n', o);
    }
    fputs("};\n", o);
    free(errs);
    return id;
}

/* The call as `static const asl_task task_<n>`; returns n. */
static int emit_task_data(cg *g, const ir_state *s)
{
    int tp = s->timeout_path ? emit_path(g, s->timeout_path) : -1;
    int hp = s->heartbeat_path ? emit_path(g, s->heartbeat_path) : -1;
    int cr = s->credentials ? emit_tmpl(g, s->credentials) : -1;
    int id = g->ntask++;
    FILE *o = g->out;
    fprintf(o, "static const asl_task task_%d = {.resource = ", id);
    cg_cstrz(o, s->resource ? s->resource : "");
    if (s->timeout_seconds > 0) {
        fputs(", .timeout_seconds = ", o);
        put_long(o, s->timeout_seconds);
    }
    if (tp >= 0)
        fprintf(o, ", .timeout_path = &path_%d", tp);
    if (s->heartbeat_seconds > 0) {
        fputs(", .heartbeat_seconds = ", o);
        put_long(o, s->heartbeat_seconds);
    }
    if (hp >= 0)
        fprintf(o, ", .heartbeat_path = &path_%d", hp);
    if (cr >= 0)
        fprintf(o, ", .credentials = &tmpl_%d", cr);
    fputs("};\n", o);
    return id;
}

/*
 * Task: InputPath -> Parameters -> the call -> ResultSelector ->
 * ResultPath -> OutputPath. The call borrows its input (the InputPath
 * selection, or the built Parameters) and returns a fresh result, so the
 * raw input in *doc stays intact until ResultPath: a retry starts again
 * from it and a catcher writes its error output into it.
 *
 * Without Retry and Catch a failing step returns ASL_NEXT_ERROR. With
 * them, one attempt is the body of a `do { ... } while (0)` whose failing
 * steps `break` out to
 *     if (asl_retry(x, retriers, N, attempts)) continue;   (Retry)
 *     return asl_catch(x, catchers, M, doc);               (Catch)
 * inside a `for (;;)` when there is a Retry. Every failure goes there, not
 * only the call's: the runtime decides what may be retried or caught
 * (never States.Runtime, which is what path and template failures raise).
 * Parameters and the paths are evaluated again on each attempt, so
 * $$.State.RetryCount reads the current count.
 */
static void emit_task(cg *g, FILE *b, const ir_state *s)
{
    int task = emit_task_data(g, s);
    int retriers = emit_retriers(g, s);
    int catchers = emit_catchers(g, s);
    bool ip_id = is_identity(&s->input_path), ip_null = s->input_path.kind == IR_OPT_NULL;
    bool rp_id = is_identity(&s->result_path), rp_null = s->result_path.kind == IR_OPT_NULL;
    bool handled = retriers >= 0 || catchers >= 0;
    g->used_x = g->used_doc = true;

    stmt_ctx sc = body_ctx;
    if (retriers >= 0) {
        /* zeroed by a loop: an `= {0}` initializer makes tcc call memset,
         * which the JIT (-nostdlib) does not provide */
        fprintf(b, "    int attempts[%d]; /* one counter per retrier */\n", s->nretry);
        fprintf(b, "    for (int i = 0; i < %d; i++)\n        attempts[i] = 0;\n", s->nretry);
        fputs("    for (;;) {\n", b);
        sc.ind += 4;
    }
    if (handled) {
        put_indent(b, sc.ind);
        fprintf(b, "do { /* one attempt; a failing step breaks out to %s */\n",
                retriers < 0 ? "Catch" : catchers < 0 ? "Retry" : "Retry / Catch");
        sc.ind += 4;
        sc.fail = "break;";
    }
    const int in4 = sc.ind;

    /* 1. the effective input `eff` (borrowed, or the owned `empty`) */
    const char *eff = "*doc";
    bool eff_owned = false;
    if (!ip_id && !ip_null) {
        int p = emit_path(g, s->input_path.path);
        put_indent(b, in4);
        fprintf(b, "const cJSON *in = asl_select(x, &path_%d, *doc); /* InputPath */\n", p);
        put_indent(b, in4);
        fputs("if (!in)\n", b);
        put_fail(b, sc);
        eff = "in";
    } else if (ip_null) {
        put_indent(b, in4);
        fputs("cJSON *empty = 0; /* InputPath null: {} */\n", b);
        put_indent(b, in4);
        fputs("asl_set_empty(&empty);\n", b);
        eff = "empty";
        eff_owned = true;
    }

    /* 2. Parameters: built afresh on every attempt */
    const char *arg = eff;
    if (s->parameters) {
        int t = emit_tmpl(g, s->parameters);
        put_indent(b, in4);
        fprintf(b, "cJSON *params = asl_build(x, &tmpl_%d, %s); /* Parameters */\n", t, eff);
        if (eff_owned) {
            put_indent(b, in4);
            fputs("asl_free(empty);\n", b);
            eff_owned = false;
        }
        put_indent(b, in4);
        fputs("if (!params)\n", b);
        put_fail(b, sc);
        arg = "params";
    }

    /* 3. the call */
    put_indent(b, in4);
    fprintf(b, "cJSON *res = asl_task_invoke(x, &task_%d, *doc, %s);\n", task, arg);
    if (s->parameters) {
        put_indent(b, in4);
        fputs("asl_free(params);\n", b);
    } else if (eff_owned) {
        put_indent(b, in4);
        fputs("asl_free(empty);\n", b);
    }
    put_indent(b, in4);
    fputs("if (!res)\n", b);
    put_fail(b, sc);

    /* 4. ResultSelector: the result replaced by a template over it */
    if (s->result_selector) {
        int t = emit_tmpl(g, s->result_selector);
        put_indent(b, in4);
        fprintf(b, "cJSON *sel = asl_build(x, &tmpl_%d, res); /* ResultSelector */\n", t);
        put_indent(b, in4);
        fputs("asl_free(res);\n", b);
        put_indent(b, in4);
        fputs("if (!sel)\n", b);
        put_fail(b, sc);
        put_indent(b, in4);
        fputs("res = sel;\n", b);
    }

    /* 5. ResultPath: the result moves into the raw input */
    put_indent(b, in4);
    if (rp_id) {
        fputs("asl_free(*doc); /* ResultPath \"$\": the result is the output */\n", b);
        put_indent(b, in4);
        fputs("*doc = res;\n", b);
    } else if (rp_null) {
        fputs("asl_free(res); /* ResultPath null: the output is the input */\n", b);
    } else {
        int p = emit_path(g, s->result_path.path);
        fprintf(b, "if (asl_apply_result_path(x, &path_%d, doc, res) != 0) /* ResultPath */\n", p);
        put_fail(b, sc);
    }

    /* 6. OutputPath, then the transition */
    put_inplace_path_at(g, b, &s->output_path, "OutputPath", sc);
    put_next_at(g, b, s, in4);

    if (handled) {
        sc.ind -= 4;
        put_indent(b, sc.ind);
        fputs("} while (0);\n", b);
    }
    if (retriers >= 0) {
        fprintf(b, "        if (asl_retry(x, retriers_%d, %d, attempts))\n", retriers, s->nretry);
        fputs("            continue;\n", b);
        if (catchers >= 0)
            fprintf(b, "        return asl_catch(x, catchers_%d, %d, doc);\n", catchers, s->ncatch);
        else
            fputs("        return ASL_NEXT_ERROR;\n", b);
        fputs("    }\n", b);
    } else if (catchers >= 0) {
        fprintf(b, "    return asl_catch(x, catchers_%d, %d, doc);\n", catchers, s->ncatch);
    }
}

/* ==== Wait, Succeed, Fail, and the states that cannot run yet ============ */

static void emit_wait(cg *g, FILE *b, const ir_state *s)
{
    put_inplace_path(g, b, &s->input_path, "InputPath");
    g->used_x = true;
    fputs("    if (", b);
    switch (s->wait_kind) {
    case IR_WAIT_SECONDS:
        fprintf(b, "asl_wait_seconds(x, %lld)", s->wait_seconds);
        break;
    case IR_WAIT_TIMESTAMP:
        fputs("asl_wait_timestamp(x, ", b);
        cg_cstrz(b, s->wait_timestamp ? s->wait_timestamp : "");
        fprintf(b, ", %d, %lld, %ld)", s->wait_ts_valid ? 1 : 0,
                s->wait_ts_valid ? s->wait_ts_sec : 0, s->wait_ts_valid ? s->wait_ts_nsec : 0);
        break;
    case IR_WAIT_SECONDS_PATH:
        g->used_doc = true;
        fprintf(b, "asl_wait_seconds_path(x, *doc, &path_%d)", emit_path(g, s->wait_path));
        break;
    case IR_WAIT_TIMESTAMP_PATH:
        g->used_doc = true;
        fprintf(b, "asl_wait_timestamp_path(x, *doc, &path_%d)", emit_path(g, s->wait_path));
        break;
    default:
        CG_UNREACHABLE();
    }
    fputs(" != 0)\n        return ASL_NEXT_ERROR;\n", b);
    put_inplace_path(g, b, &s->output_path, "OutputPath");
    put_next(g, b, s);
}

static void emit_succeed(cg *g, FILE *b, const ir_state *s)
{
    if (!(s->input_path.kind == IR_OPT_NULL && s->output_path.kind == IR_OPT_NULL))
        put_inplace_path(g, b, &s->input_path, "InputPath");
    put_inplace_path(g, b, &s->output_path, "OutputPath");
    fputs("    return ASL_NEXT_END;\n", b);
}

static void emit_fail(cg *g, FILE *b, const ir_state *s)
{
    int ep = s->error_path ? emit_tmpl(g, s->error_path) : -1;
    int cp = s->cause_path ? emit_tmpl(g, s->cause_path) : -1;
    g->used_x = g->used_doc = true;
    fputs("    return asl_fail_state(x, *doc, ", b);
    cg_cstrz(b, s->error);
    fputs(", ", b);
    cg_cstrz(b, s->cause);
    if (ep >= 0)
        fprintf(b, ", &tmpl_%d", ep);
    else
        fputs(", 0", b);
    if (cp >= 0)
        fprintf(b, ", &tmpl_%d);\n", cp);
    else
        fputs(", 0);\n", b);
}

/* ==== states and the machine ============================================= */

/* The comment above a state function: `State 3 "Name" (Type), file:line:col`. */
static void put_state_comment(cg *g, const ir_state *s)
{
    FILE *o = g->out;
    fprintf(o, "\n/* State %d \"", s->index);
    cg_comment_text(o, s->name);
    fprintf(o, "\" (%s), ", ir_kind_name(s->kind));
    cg_comment_text(o, g->prog->source_name);
    if (s->pos.line > 0)
        fprintf(o, ":%d:%d", s->pos.line, s->pos.col);
    fputs(" */\n", o);
}

/* One state: its data (written to g->out as the body asks for it), then
 * its function. The body goes to a memory buffer first, because whether
 * `x` and `doc` are used is only known once it is written. */
static int emit_state(cg *g, const ir_state *s, int index)
{
    char *body = NULL;
    size_t len = 0;
    FILE *b = open_memstream(&body, &len);
    if (!b)
        return -1;
    g->used_x = g->used_doc = false;
    put_state_comment(g, s);
    switch (s->kind) {
    case IR_PASS: emit_pass(g, b, s); break;
    case IR_CHOICE: emit_choice(g, b, s); break;
    case IR_WAIT: emit_wait(g, b, s); break;
    case IR_SUCCEED: emit_succeed(g, b, s); break;
    case IR_FAIL: emit_fail(g, b, s); break;
    case IR_TASK: emit_task(g, b, s); break;
    case IR_PARALLEL:
    case IR_MAP: /* emit_fanout.c */
        cg_emit_fanout_state(g, b, s);
        g->used_x = g->used_doc = true;
        break;
    default: CG_UNREACHABLE();
    }
    if (fclose(b) != 0) {
        free(body);
        return -1;
    }
    char id[CG_IDENT_MAX + 16];
    fprintf(g->out, "static int %s(asl_exec *x, cJSON **doc)\n{\n",
            cg_state_fn_name(g, id, sizeof id, index, s->name));
    if (!g->used_x)
        fputs("    (void)x;\n", g->out);
    if (!g->used_doc)
        fputs("    (void)doc;\n", g->out);
    fwrite(body, 1, len, g->out);
    fputs("}\n", g->out);
    free(body);
    return 0;
}

/* lambda:invoke's FunctionName when Parameters gives it as a constant
 * (the runtime's bound-or-mocked check matches it), else NULL. A
 * "FunctionName.$" field has a PATH or CALL value, so it is not taken. */
static const char *lambda_function_name(const ir_state *s)
{
    static const char invoke[] = ":states:::lambda:invoke";
    const char *r = s->resource;
    if (!r || strncmp(r, "arn:", 4) != 0)
        return NULL;
    const char *p = strchr(r + 4, ':'); /* after the partition */
    if (!p || strncmp(p, invoke, sizeof invoke - 1) != 0)
        return NULL;
    char after = p[sizeof invoke - 1];
    if ((after != '\0' && after != '.') || !s->parameters || s->parameters->kind != IR_T_OBJECT)
        return NULL;
    for (int i = 0; i < s->parameters->n; i++) {
        const ir_field *f = &s->parameters->fields[i];
        if (strcmp(f->key, "FunctionName") == 0 && f->value->kind == IR_T_STRING)
            return f->value->str;
    }
    return NULL;
}

/* The rows of the Task table: every Task state of [m] and of the machines
 * nested in it, in definition order. Returns how many were written. */
static int put_task_refs(FILE *o, const ir_machine *m)
{
    int n = 0;
    for (int i = 0; i < m->nstates; i++) {
        const ir_state *s = m->states[i];
        if (s->kind == IR_TASK) {
            fputs("    {.state = ", o);
            cg_cstrz(o, s->name ? s->name : "");
            fputs(", .resource = ", o);
            cg_cstrz(o, s->resource ? s->resource : "");
            const char *fn = lambda_function_name(s);
            if (fn) {
                fputs(", .function_name = ", o);
                cg_cstrz(o, fn);
            }
            fputs("},\n", o);
            n++;
        }
        for (int k = 0; k < s->nbranches; k++)
            n += put_task_refs(o, s->branches[k]);
        if (s->processor)
            n += put_task_refs(o, s->processor);
    }
    return n;
}

/* How many Task states [m] and its nested machines hold. */
static int count_tasks(const ir_machine *m)
{
    int n = 0;
    for (int i = 0; i < m->nstates; i++) {
        const ir_state *s = m->states[i];
        n += s->kind == IR_TASK;
        for (int k = 0; k < s->nbranches; k++)
            n += count_tasks(s->branches[k]);
        if (s->processor)
            n += count_tasks(s->processor);
    }
    return n;
}

static void emit_machine_table(cg *g)
{
    const ir_machine *m = g->m;
    FILE *o = g->out;
    char id[CG_IDENT_MAX];
    if (m->nstates > 0) {
        fputs("\nstatic const asl_state states[] = {\n", o);
        for (int i = 0; i < m->nstates; i++) {
            const ir_state *s = m->states[i];
            fputs("    {", o);
            cg_cstrz(o, s->name ? s->name : "");
            fprintf(o, ", \"%s\", %s},\n", ir_kind_name(s->kind), cg_ident(id, i, s->name));
        }
        fputs("};\n", o);
    }
    /* Every Task of the definition, so that a run can refuse to start
     * while one of them is neither bound nor mocked. */
    int ntasks = count_tasks(m);
    if (ntasks > 0) {
        fputs("\nstatic const asl_task_ref tasks[] = {\n", o);
        if (put_task_refs(o, m) != ntasks)
            CG_UNREACHABLE();
        fputs("};\n", o);
    }
    fputs("\nextern const asl_machine aslc_machine;\n", o);
    fputs("const asl_machine aslc_machine = {\n    .name = ", o);
    cg_cstrz(o, g->prog->machine_name ? g->prog->machine_name : "");
    fputs(",\n    .source = ", o);
    cg_cstrz(o, g->prog->source_name ? g->prog->source_name : "");
    fprintf(o, ",\n    .nstates = %d,\n    .start = %d,\n", m->nstates, m->start);
    if (m->nstates > 0)
        fputs("    .states = states,\n", o);
    fprintf(o, "    .timeout_seconds = %ld,\n", m->timeout_seconds);
    if (ntasks > 0)
        fprintf(o, "    .ntasks = %d,\n    .tasks = tasks,\n", ntasks);
    fputs("};\n", o);
    fputs("\n#ifndef ASLC_NO_MAIN\n"
          "int main(int argc, char **argv)\n"
          "{\n"
          "    return asl_main(argc, argv, &aslc_machine);\n"
          "}\n"
          "#endif\n",
          o);
}

int cg_emit_program(FILE *out, const ir_program *prog)
{
    if (!prog || !prog->top)
        CG_UNREACHABLE();
    cg g = {.out = out, .prog = prog, .m = prog->top};
    fputs("/* Generated by aslc from ", out);
    cg_comment_text(out, prog->source_name);
    fputs(". Do not edit. */\n#include \"aslrt.h\"\n", out);
    /* Parallel branches and Map processors first: their states run from
     * top-level state functions (emit_fanout.c). */
    int rc = cg_emit_nested_machines(&g);
    for (int i = 0; i < g.m->nstates && rc == 0; i++) {
        if (g.m->states[i]->index != i)
            CG_UNREACHABLE();
        rc = emit_state(&g, g.m->states[i], i);
    }
    if (rc == 0)
        emit_machine_table(&g);
    free(g.seen);
    if (g.oom) {
        fputs("aslc: out of memory while writing C\n", stderr);
        return -1;
    }
    return rc == 0 && !ferror(out) ? 0 : -1;
}

/* ==== hooks for emit_fanout.c (emit_internal.h) ========================== */

FILE *cg_out(cg *g) { return g->out; }
const ir_program *cg_program(const cg *g) { return g->prog; }
const ir_machine *cg_machine(const cg *g) { return g->m; }
void cg_set_machine(cg *g, const ir_machine *m) { g->m = m; }
int cg_path_ref(cg *g, const ir_path *p) { return emit_path(g, p); }
int cg_tmpl_ref(cg *g, const ir_tmpl *t) { return emit_tmpl(g, t); }
int cg_retriers_ref(cg *g, const ir_state *s) { return emit_retriers(g, s); }
int cg_catchers_ref(cg *g, const ir_state *s) { return emit_catchers(g, s); }
void cg_put_num(FILE *out, double v) { put_num(out, v); }
int cg_emit_state_fn(cg *g, const ir_state *s, int index) { return emit_state(g, s, index); }

char *cg_state_fn_name(const cg *g, char *buf, size_t size, int index, const char *name)
{
    char id[CG_IDENT_MAX];
    cg_ident(id, index, name);
    if (g->m == g->prog->top)
        snprintf(buf, size, "%s", id);
    else
        snprintf(buf, size, "m%d_%s", g->m->id, id);
    return buf;
}
