/*
 * emit_internal.h - what the emit*.c files share: the emitter state and
 * the functions each lends the others.
 *
 * emit.c owns the emitter (struct cg: the output, the counters that name
 * static data, the table of paths already written) and writes the program,
 * the state functions and the machine table; emit_data.c writes the
 * static data (paths, templates, intrinsic calls); emit_states.c the data
 * flow steps and the Pass, Choice, Wait, Succeed and Fail bodies;
 * emit_task.c Task states with Retry / Catch; emit_fanout.c Parallel and
 * Map states and the nested machines they run. Nothing outside codegen/
 * includes this header.
 */
#ifndef ASLC_CODEGEN_EMIT_INTERNAL_H
#define ASLC_CODEGEN_EMIT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "ir.h"

/* ==== the emitter state ================================================= */

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
    int ntask, nerrors, nretriers, ncatchers, njn;
    /* paths already emitted, so that one text is one object */
    seen_path *seen;
    size_t nseen, capseen; /* capseen: 0 or a power of two */
    /* the state whose body is being written */
    bool used_x, used_doc;
    bool oom;
} cg;

/* True when the code emitted for [s] changes the document only through
 * the runtime's path functions, which account for its growth
 * (asl_state.tracks_growth). */
bool cg_tracks_growth(const ir_state *s);

/* One line of a machine's asl_state table: name, type, function [fn]. */
void cg_put_state_entry(FILE *o, const ir_state *s, const char *fn);

/* An impossible IR is our bug, never the user's: say where, and stop. */
#define CG_UNREACHABLE() cg_unreachable(__FILE__, __LINE__)
void cg_unreachable(const char *file, int line);

/* Where a statement goes and what it does on failure: state bodies are
 * written [ind] spaces in, and a failing step runs [fail] (a return, or a
 * `break` out to a Task's Retry / Catch). */
typedef struct stmt_ctx {
    int ind;
    const char *fail;
} stmt_ctx;

/* The context of a state body's own statements. */
#define CG_BODY_CTX ((stmt_ctx){4, "return ASL_NEXT_ERROR;"})

/* ---- emit.c: hooks for emit_fanout.c ---- */
/* Where static data goes (the program); state bodies go to their own buffer. */
FILE *cg_out(cg *g);
const ir_program *cg_program(const cg *g);
/* The machine whose states are being written; emit_fanout.c switches it
 * while it writes a nested machine. */
const ir_machine *cg_machine(const cg *g);
void cg_set_machine(cg *g, const ir_machine *m);
/* Static data: each returns the number n of `path_<n>`, `tmpl_<n>`,
 * `retriers_<n>`, `catchers_<n>` (-1 from the last two: the state has
 * none). */
int cg_path_ref(cg *g, const ir_path *p);
int cg_tmpl_ref(cg *g, const ir_tmpl *t);
int cg_retriers_ref(cg *g, const ir_state *s);
int cg_catchers_ref(cg *g, const ir_state *s);
/* A number, as a C constant that reads back as the same double. */
void cg_put_num(FILE *out, double v);
/* Writes state [s] of the current machine (its data and its function). */
int cg_emit_state_fn(cg *g, const ir_state *s, int index);
/* The C name of state [index]'s function in the current machine:
 * `st_NNN_Name` at the top level, `m<id>_st_NNN_Name` in a nested one. */
char *cg_state_fn_name(const cg *g, char *buf, size_t size, int index, const char *name);

/* ---- emit_fanout.c ---- */
/* Every machine nested in the program (Parallel branches, Map processors),
 * innermost first, each as its state functions, `m<id>_states` and
 * `static const asl_machine machine_<id>`. Called once, before the
 * top-level states. Returns 0 or -1. */
int cg_emit_nested_machines(cg *g);
/* The body of a Parallel or Map state function (its descriptor goes to
 * the program first). */
void cg_emit_fanout_state(cg *g, FILE *b, const ir_state *s);

/* ---- emit.c ---- */
/* A double as a C floating constant that reads back as the same value:
 * the shortest %.*g that round-trips, with ".0" added when the result
 * would otherwise be an integer constant (so -0.0 stays negative zero). */
void cg_put_num(FILE *out, double v);
/* A long as a C constant; [n] spaces. */
void cg_put_long(FILE *out, long v);
void cg_put_indent(FILE *out, int n);
/* `/ * "name" * /`: a state name for a reader, safely. */
void cg_put_name_comment(FILE *out, const char *name);

/* ---- emit_data.c ---- */
/* A precompiled path: its segments array and the asl_path. A path whose
 * text was emitted before is that same object (same text, same parse).
 * Returns its number: the object is `path_<n>`. */
int cg_emit_path(cg *g, const ir_path *p);
/* A template as its own object `tmpl_<n>`; returns n. */
int cg_emit_tmpl(cg *g, const ir_tmpl *t);

/* ---- emit_states.c ---- */
/* True when the optional path is absent or "$": the step changes nothing. */
bool cg_is_identity(const ir_opt_path *op);
/* `<indent>if (cond)` is written by the caller; this writes the indented
 * failure statement under it. */
void cg_put_fail(FILE *b, stmt_ctx sc);
/* Assign with $ = [in] (a C expression); [owned], when not 0, names a
 * tree to free before failing. Writes nothing when [assign] is 0. */
void cg_put_assign(cg *g, FILE *b, const ir_tmpl *assign, const char *in, const char *owned,
                   stmt_ctx sc);
/* InputPath / OutputPath applied in place to *doc (the selection is moved,
 * never copied). [what] names the field in a comment. */
void cg_put_inplace_path_at(cg *g, FILE *b, const ir_opt_path *op, const char *what,
                            stmt_ctx sc);
/* The transition after a non-terminal, non-Choice state. */
void cg_put_next_at(cg *g, FILE *b, const ir_state *s, int ind);
/* The body of a Pass state (the rules are at its definition). */
void cg_emit_pass(cg *g, FILE *b, const ir_state *s);
/* The body of a Choice state. */
void cg_emit_choice(cg *g, FILE *b, const ir_state *s);
/* The bodies of Wait, Succeed and Fail states. */
void cg_emit_wait(cg *g, FILE *b, const ir_state *s);
void cg_emit_succeed(cg *g, FILE *b, const ir_state *s);
void cg_emit_fail(cg *g, FILE *b, const ir_state *s);

/* ---- emit_task.c ---- */
/* Retry as `static const asl_retrier retriers_<n>[]`; returns n, or -1
 * when the state has no retrier. Any state kind may use it (Task now;
 * Parallel and Map once they run). */
int cg_emit_retriers(cg *g, const ir_state *s);
/* A Task's call as `static const asl_task task_<n>`; returns n. */
int cg_emit_task_data(cg *g, const ir_state *s);
/* A Task's attempt loop (Retry / Catch): open it, write the steps in the
 * returned context, close it with that context. */
stmt_ctx cg_put_attempt_open(FILE *b, const ir_state *s, int retriers, int catchers);
void cg_put_attempt_close(FILE *b, const ir_state *s, int retriers, int catchers, stmt_ctx sc);
/* emit_jsonata_states.c: the bodies of JSONata states (Pass, Task,
 * Choice, Wait, Succeed, Fail). */
void cg_emit_jsonata_state(cg *g, FILE *b, const ir_state *s);
/* Catch as `static const asl_catcher catchers_<n>[]`; returns n, or -1
 * when the state has no catcher. */
int cg_emit_catchers(cg *g, const ir_state *s);
/* The body of a Task state, with its Retry / Catch loop. */
void cg_emit_task(cg *g, FILE *b, const ir_state *s);

#endif
