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
 * asl_machine aslc_machine`; and main() unless ASLC_NO_MAIN. This file
 * writes the program, the state functions and the tables; the static data
 * is emit_data.c's, the state bodies emit_states.c's, emit_task.c's and
 * emit_fanout.c's (emit_internal.h).
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

void cg_unreachable(const char *file, int line)
{
    fprintf(stderr, "aslc: internal error at %s:%d (unexpected IR in codegen)\n", file, line);
    abort();
}

/* ==== small writers ====================================================== */

/* A double as a C floating constant that reads back as the same value:
 * the shortest %.*g that round-trips, with ".0" added when the result
 * would otherwise be an integer constant (so -0.0 stays negative zero). */
void cg_put_num(FILE *out, double v)
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

void cg_put_long(FILE *out, long v)
{
    if (v == LONG_MIN)
        fprintf(out, "(%ld - 1)", v + 1); /* -9223372036854775808 is not a constant */
    else
        fprintf(out, "%ld", v);
}

void cg_put_indent(FILE *out, int n)
{
    for (int i = 0; i < n; i++)
        fputc(' ', out);
}

/* `/ * "name" * /`: a state name for a reader, safely. */
void cg_put_name_comment(FILE *out, const char *name)
{
    fputs("/* \"", out);
    cg_comment_text(out, name);
    fputs("\" */", out);
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
    switch (s->jsonata && s->kind != IR_MAP && s->kind != IR_PARALLEL ? -1 : (int)s->kind) {
    case -1: cg_emit_jsonata_state(g, b, s); break;
    case IR_PASS: cg_emit_pass(g, b, s); break;
    case IR_CHOICE: cg_emit_choice(g, b, s); break;
    case IR_WAIT: cg_emit_wait(g, b, s); break;
    case IR_SUCCEED: cg_emit_succeed(g, b, s); break;
    case IR_FAIL: cg_emit_fail(g, b, s); break;
    case IR_TASK: cg_emit_task(g, b, s); break;
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

void cg_put_state_entry(FILE *o, const ir_state *s, const char *fn)
{
    fputs("    {", o);
    cg_cstrz(o, s->name ? s->name : "");
    fprintf(o, ", \"%s\", %s, %d},\n", ir_kind_name(s->kind), fn, cg_tracks_growth(s) ? 1 : 0);
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
            cg_put_state_entry(o, s, cg_ident(id, i, s->name));
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
    if (g->prog->express)
        fputs("    .express = 1,\n", o);
    if (g->prog->graph_svg) { /* the --report page's picture, drawn by the driver */
        fputs("    .graph_svg = ", o);
        cg_cstrz(o, g->prog->graph_svg);
        fputs(",\n", o);
    }
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
int cg_path_ref(cg *g, const ir_path *p) { return cg_emit_path(g, p); }
int cg_tmpl_ref(cg *g, const ir_tmpl *t) { return cg_emit_tmpl(g, t); }
int cg_retriers_ref(cg *g, const ir_state *s) { return cg_emit_retriers(g, s); }
int cg_catchers_ref(cg *g, const ir_state *s) { return cg_emit_catchers(g, s); }
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
