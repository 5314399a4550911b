/*
 * emit_states.c - the bodies of the state functions that run no handler:
 * the data flow steps they share (InputPath, Parameters, ResultPath,
 * OutputPath as calls into the runtime; identity steps write nothing),
 * and Pass, Wait, Succeed and Fail (Choice is in emit_choice.c).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwrite.h"
#include "emit_internal.h"
#include "ir.h"

/* ==== data flow steps ==================================================== */

/* True when the optional path is absent or "$": the step changes nothing. */
bool cg_is_identity(const ir_opt_path *op)
{
    return op->kind == IR_OPT_DEFAULT ||
           (op->kind == IR_OPT_PATH && op->path && op->path->root == IR_ROOT_INPUT &&
            op->path->nsegs == 0);
}

/* `<indent>if (cond)` is written by the caller; this writes the indented
 * failure statement under it. */
void cg_put_fail(FILE *b, stmt_ctx sc)
{
    cg_put_indent(b, sc.ind + 4);
    fputs(sc.fail, b);
    fputc('\n', b);
}

/* InputPath / OutputPath applied in place to *doc (the selection is moved,
 * never copied). [what] names the field in a comment. */
void cg_put_inplace_path_at(cg *g, FILE *b, const ir_opt_path *op, const char *what, stmt_ctx sc)
{
    if (cg_is_identity(op))
        return;
    g->used_doc = true;
    cg_put_indent(b, sc.ind);
    if (op->kind == IR_OPT_NULL) {
        fprintf(b, "asl_set_empty(doc); /* %s null: {} */\n", what);
        return;
    }
    g->used_x = true;
    int p = cg_emit_path(g, op->path);
    fprintf(b, "if (asl_apply_path(x, &path_%d, doc) != 0) /* %s */\n", p, what);
    cg_put_fail(b, sc);
}

/* Assign with $ = [in]: staged now, committed when the state exits.
 * [owned] (may be 0) is freed before failing. */
void cg_put_assign(cg *g, FILE *b, const ir_tmpl *assign, const char *in, const char *owned,
                   stmt_ctx sc)
{
    if (!assign)
        return;
    g->used_x = true;
    int t = cg_emit_tmpl(g, assign);
    cg_put_indent(b, sc.ind);
    fprintf(b, "if (asl_assign(x, &tmpl_%d, %s) != 0) {%s\n", t, in, " /* Assign */");
    if (owned) {
        cg_put_indent(b, sc.ind + 4);
        fprintf(b, "asl_free(%s);\n", owned);
    }
    cg_put_fail(b, sc);
    cg_put_indent(b, sc.ind);
    fputs("}\n", b);
}

static void put_inplace_path(cg *g, FILE *b, const ir_opt_path *op, const char *what)
{
    cg_put_inplace_path_at(g, b, op, what, CG_BODY_CTX);
}

/* The transition after a non-terminal, non-Choice state. */
void cg_put_next_at(cg *g, FILE *b, const ir_state *s, int ind)
{
    cg_put_indent(b, ind);
    if (s->end || s->next < 0) {
        fputs("return ASL_NEXT_END;\n", b);
        return;
    }
    if (s->next >= g->m->nstates)
        CG_UNREACHABLE();
    fprintf(b, "return %d; ", s->next);
    cg_put_name_comment(b, g->m->states[s->next]->name);
    fputc('\n', b);
}

static void put_next(cg *g, FILE *b, const ir_state *s)
{
    cg_put_next_at(g, b, s, 4);
}

/* ==== Pass =============================================================== */

bool cg_tracks_growth(const ir_state *s)
{
    if (s->jsonata)
        return false; /* Output puts a new tree in */
    switch (s->kind) {
    case IR_CHOICE:
    case IR_WAIT:
    case IR_SUCCEED:
        return true; /* only InputPath and OutputPath touch the document */
    case IR_PASS:
        /* all but a ResultPath "$" that puts Parameters' or Result's new
         * tree in place of the document (cg_emit_pass) */
        return !cg_is_identity(&s->result_path) || (!s->parameters && !s->result);
    default:
        return false;
    }
}

/*
 * Pass: InputPath -> Parameters -> (Result replaces it) -> ResultPath ->
 * OutputPath. Every step that is an identity emits nothing; a selection
 * that becomes the output is moved in place; a copy is made only when the
 * effective input must live on inside the raw input (ResultPath into a
 * path with neither Parameters nor Result). Parameters and InputPath are
 * still evaluated when Result replaces their value, since a bad path
 * there fails the state; a constant Parameters cannot fail and is skipped.
 */
void cg_emit_pass(cg *g, FILE *b, const ir_state *s)
{
    bool ip_id = cg_is_identity(&s->input_path), ip_null = s->input_path.kind == IR_OPT_NULL;
    bool ip_path = !ip_id && !ip_null;
    bool rp_id = cg_is_identity(&s->result_path), rp_null = s->result_path.kind == IR_OPT_NULL;
    bool rp_path = !rp_id && !rp_null;
    const ir_tmpl *params = s->parameters, *result = s->result;

    if (!params && !result && rp_id) {
        /* the output is the effective input itself (an InputPath null that
         * OutputPath null overwrites anyway is skipped: it cannot fail) */
        if (!(ip_null && s->output_path.kind == IR_OPT_NULL) || s->assign)
            put_inplace_path(g, b, &s->input_path, "InputPath");
        if (s->assign) {
            g->used_doc = true;
            cg_put_assign(g, b, s->assign, "*doc", NULL, CG_BODY_CTX);
        }
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
        int p = cg_emit_path(g, s->input_path.path);
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
     * whether it is a fresh tree (else it is borrowed `eff`). A tree that
     * becomes the whole output untouched is built by asl_build_doc, which
     * tells the loop its size (no walk for the 256 KiB check). */
    bool whole = rp_id && cg_is_identity(&s->output_path) && !s->assign;
    const char *res = eff;
    bool res_owned = false;
    if (build_params) {
        g->used_x = true;
        g->used_doc |= !eff_owned && !ip_path;
        int t = cg_emit_tmpl(g, params);
        fprintf(b, "    cJSON *params = %s(x, &tmpl_%d, %s); /* Parameters */\n",
                whole && params_is_result && !result ? "asl_build_doc" : "asl_build", t, eff);
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
        int t = cg_emit_tmpl(g, result);
        fprintf(b, "    cJSON *result = %s(x, &tmpl_%d, *doc); /* Result */\n",
                whole ? "asl_build_doc" : "asl_build", t);
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
    if (s->assign) { /* Assign reads the Pass result */
        if (!strcmp(res, "*doc"))
            g->used_doc = true;
        cg_put_assign(g, b, s->assign, res, res_owned ? res : NULL, CG_BODY_CTX);
    }

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
        int p = cg_emit_path(g, s->result_path.path);
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

/* ==== Wait, Succeed, Fail, and the states that cannot run yet ============ */

void cg_emit_wait(cg *g, FILE *b, const ir_state *s)
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
        fprintf(b, "asl_wait_seconds_path(x, *doc, &path_%d)", cg_emit_path(g, s->wait_path));
        break;
    case IR_WAIT_TIMESTAMP_PATH:
        g->used_doc = true;
        fprintf(b, "asl_wait_timestamp_path(x, *doc, &path_%d)", cg_emit_path(g, s->wait_path));
        break;
    default:
        CG_UNREACHABLE();
    }
    fputs(" != 0)\n        return ASL_NEXT_ERROR;\n", b);
    if (s->assign) { /* $ is the effective input */
        g->used_doc = true;
        cg_put_assign(g, b, s->assign, "*doc", NULL, CG_BODY_CTX);
    }
    put_inplace_path(g, b, &s->output_path, "OutputPath");
    put_next(g, b, s);
}

void cg_emit_succeed(cg *g, FILE *b, const ir_state *s)
{
    if (!(s->input_path.kind == IR_OPT_NULL && s->output_path.kind == IR_OPT_NULL))
        put_inplace_path(g, b, &s->input_path, "InputPath");
    put_inplace_path(g, b, &s->output_path, "OutputPath");
    fputs("    return ASL_NEXT_END;\n", b);
}

void cg_emit_fail(cg *g, FILE *b, const ir_state *s)
{
    int ep = s->error_path ? cg_emit_tmpl(g, s->error_path) : -1;
    int cp = s->cause_path ? cg_emit_tmpl(g, s->cause_path) : -1;
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
