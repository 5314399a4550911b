/*
 * emit_task.c - Task states: the asl_task descriptor with its Retry
 * (asl_retrier) and Catch (asl_catcher) arrays, and the body that calls
 * asl_task_invoke in the Retry / Catch loop.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwrite.h"
#include "emit_internal.h"
#include "ir.h"

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
int cg_emit_retriers(cg *g, const ir_state *s)
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
        cg_put_num(o, r->interval_seconds);
        fprintf(o, ", .max_attempts = %d, .backoff_rate = ", r->max_attempts);
        cg_put_num(o, r->backoff_rate);
        if (r->max_delay_seconds > 0) {
            fputs(", .max_delay_seconds = ", o);
            cg_put_long(o, r->max_delay_seconds);
        }
        fprintf(o, ", .jitter = %s},\n", r->jitter == IR_JITTER_FULL ? "ASL_JITTER_FULL" : "ASL_JITTER_NONE");
    }
    fputs("};\n", o);
    free(errs);
    return id;
}

/* Catch as `static const asl_catcher catchers_<n>[]`; returns n, or -1
 * when the state has no catcher. */
int cg_emit_catchers(cg *g, const ir_state *s)
{
    if (s->ncatch <= 0)
        return -1;
    int *errs = malloc((size_t)s->ncatch * 4 * sizeof *errs);
    if (!errs) {
        g->oom = true;
        return -1;
    }
    for (int i = 0; i < s->ncatch; i++) {
        const ir_catcher *c = &s->catch_[i];
        errs[2 * i] = c->nerrors > 0 ? emit_error_names(g, c->errors, c->nerrors) : -1;
        errs[2 * i + 1] = c->result_path.kind == IR_OPT_PATH && !cg_is_identity(&c->result_path)
                              ? cg_emit_path(g, c->result_path.path)
                              : -1;
    }
    int *assigns = errs + 2 * s->ncatch;
    for (int i = 0; i < s->ncatch; i++)
        assigns[i] = s->catch_[i].assign ? cg_emit_tmpl(g, s->catch_[i].assign) : -1;
    int *outputs = errs + 3 * s->ncatch;
    for (int i = 0; i < s->ncatch; i++)
        outputs[i] = s->catch_[i].output ? cg_emit_tmpl(g, s->catch_[i].output) : -1;
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
        if (assigns[i] >= 0)
            fprintf(o, ", .assign = &tmpl_%d", assigns[i]);
        if (s->jsonata)
            fputs(", .jsonata = 1", o);
        if (outputs[i] >= 0)
            fprintf(o, ", .output = &tmpl_%d", outputs[i]);
        fputs("}, ", o);
        cg_put_name_comment(o, g->m->states[c->next]->name);
        fputc('\n', o);
    }
    fputs("};\n", o);
    free(errs);
    return id;
}

/* The call as `static const asl_task task_<n>`; returns n. */
int cg_emit_task_data(cg *g, const ir_state *s)
{
    int tp = s->timeout_path ? cg_emit_path(g, s->timeout_path) : -1;
    int hp = s->heartbeat_path ? cg_emit_path(g, s->heartbeat_path) : -1;
    int cr = s->credentials ? cg_emit_tmpl(g, s->credentials) : -1;
    int tj = s->timeout_jn ? cg_emit_tmpl(g, s->timeout_jn) : -1;
    int hj = s->heartbeat_jn ? cg_emit_tmpl(g, s->heartbeat_jn) : -1;
    int cj = s->credentials_jn ? cg_emit_tmpl(g, s->credentials_jn) : -1;
    int id = g->ntask++;
    FILE *o = g->out;
    fprintf(o, "static const asl_task task_%d = {.resource = ", id);
    cg_cstrz(o, s->resource ? s->resource : "");
    if (s->timeout_seconds > 0) {
        fputs(", .timeout_seconds = ", o);
        cg_put_long(o, s->timeout_seconds);
    }
    if (tp >= 0)
        fprintf(o, ", .timeout_path = &path_%d", tp);
    if (s->heartbeat_seconds > 0) {
        fputs(", .heartbeat_seconds = ", o);
        cg_put_long(o, s->heartbeat_seconds);
    }
    if (hp >= 0)
        fprintf(o, ", .heartbeat_path = &path_%d", hp);
    if (cr >= 0)
        fprintf(o, ", .credentials = &tmpl_%d", cr);
    if (tj >= 0)
        fprintf(o, ", .timeout_jn = &tmpl_%d", tj);
    if (hj >= 0)
        fprintf(o, ", .heartbeat_jn = &tmpl_%d", hj);
    if (cj >= 0)
        fprintf(o, ", .credentials_jn = &tmpl_%d", cj);
    fputs("};\n", o);
    return id;
}

/* The attempt loop around a Task's steps (see cg_emit_task): opens it and
 * returns the context its steps are written in. */
stmt_ctx cg_put_attempt_open(FILE *b, const ir_state *s, int retriers, int catchers)
{
    stmt_ctx sc = CG_BODY_CTX;
    if (retriers >= 0) {
        /* zeroed by a loop: an `= {0}` initializer makes tcc call memset,
         * which the JIT (-nostdlib) does not provide */
        fprintf(b, "    int attempts[%d]; /* one counter per retrier */\n", s->nretry);
        fprintf(b, "    for (int i = 0; i < %d; i++)\n        attempts[i] = 0;\n", s->nretry);
        fputs("    for (;;) {\n", b);
        sc.ind += 4;
    }
    if (retriers >= 0 || catchers >= 0) {
        cg_put_indent(b, sc.ind);
        fprintf(b, "do { /* one attempt; a failing step breaks out to %s */\n",
                retriers < 0 ? "Catch" : catchers < 0 ? "Retry" : "Retry / Catch");
        sc.ind += 4;
        sc.fail = "break;";
    }
    return sc;
}

/* Closes what cg_put_attempt_open opened ([sc] as it returned): a failed
 * attempt goes to Retry, then Catch. */
void cg_put_attempt_close(FILE *b, const ir_state *s, int retriers, int catchers, stmt_ctx sc)
{
    if (retriers >= 0 || catchers >= 0) {
        sc.ind -= 4;
        cg_put_indent(b, sc.ind);
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
void cg_emit_task(cg *g, FILE *b, const ir_state *s)
{
    int task = cg_emit_task_data(g, s);
    int retriers = cg_emit_retriers(g, s);
    int catchers = cg_emit_catchers(g, s);
    bool ip_id = cg_is_identity(&s->input_path), ip_null = s->input_path.kind == IR_OPT_NULL;
    bool rp_id = cg_is_identity(&s->result_path), rp_null = s->result_path.kind == IR_OPT_NULL;
    g->used_x = g->used_doc = true;

    stmt_ctx sc = cg_put_attempt_open(b, s, retriers, catchers);
    const int in4 = sc.ind;

    /* 1. the effective input `eff` (borrowed, or the owned `empty`) */
    const char *eff = "*doc";
    bool eff_owned = false;
    if (!ip_id && !ip_null) {
        int p = cg_emit_path(g, s->input_path.path);
        cg_put_indent(b, in4);
        fprintf(b, "const cJSON *in = asl_select(x, &path_%d, *doc); /* InputPath */\n", p);
        cg_put_indent(b, in4);
        fputs("if (!in)\n", b);
        cg_put_fail(b, sc);
        eff = "in";
    } else if (ip_null) {
        cg_put_indent(b, in4);
        fputs("cJSON *empty = 0; /* InputPath null: {} */\n", b);
        cg_put_indent(b, in4);
        fputs("asl_set_empty(&empty);\n", b);
        eff = "empty";
        eff_owned = true;
    }

    /* 2. Parameters: built afresh on every attempt */
    const char *arg = eff;
    if (s->parameters) {
        int t = cg_emit_tmpl(g, s->parameters);
        cg_put_indent(b, in4);
        fprintf(b, "cJSON *params = asl_build(x, &tmpl_%d, %s); /* Parameters */\n", t, eff);
        if (eff_owned) {
            cg_put_indent(b, in4);
            fputs("asl_free(empty);\n", b);
            eff_owned = false;
        }
        cg_put_indent(b, in4);
        fputs("if (!params)\n", b);
        cg_put_fail(b, sc);
        arg = "params";
    }

    /* 3. the call */
    cg_put_indent(b, in4);
    fprintf(b, "cJSON *res = asl_task_invoke(x, &task_%d, *doc, %s);\n", task, arg);
    if (s->parameters) {
        cg_put_indent(b, in4);
        fputs("asl_free(params);\n", b);
    } else if (eff_owned) {
        cg_put_indent(b, in4);
        fputs("asl_free(empty);\n", b);
    }
    cg_put_indent(b, in4);
    fputs("if (!res)\n", b);
    cg_put_fail(b, sc);

    /* 4. ResultSelector: the result replaced by a template over it */
    if (s->result_selector) {
        int t = cg_emit_tmpl(g, s->result_selector);
        cg_put_indent(b, in4);
        fprintf(b, "cJSON *sel = asl_build(x, &tmpl_%d, res); /* ResultSelector */\n", t);
        cg_put_indent(b, in4);
        fputs("asl_free(res);\n", b);
        cg_put_indent(b, in4);
        fputs("if (!sel)\n", b);
        cg_put_fail(b, sc);
        cg_put_indent(b, in4);
        fputs("res = sel;\n", b);
    }

    /* Assign reads the result after ResultSelector */
    cg_put_assign(g, b, s->assign, "res", "res", sc);

    /* 5. ResultPath: the result moves into the raw input */
    cg_put_indent(b, in4);
    if (rp_id) {
        fputs("asl_free(*doc); /* ResultPath \"$\": the result is the output */\n", b);
        cg_put_indent(b, in4);
        fputs("*doc = res;\n", b);
    } else if (rp_null) {
        fputs("asl_free(res); /* ResultPath null: the output is the input */\n", b);
    } else {
        int p = cg_emit_path(g, s->result_path.path);
        fprintf(b, "if (asl_apply_result_path(x, &path_%d, doc, res) != 0) /* ResultPath */\n", p);
        cg_put_fail(b, sc);
    }

    /* 6. OutputPath, then the transition */
    cg_put_inplace_path_at(g, b, &s->output_path, "OutputPath", sc);
    cg_put_next_at(g, b, s, in4);

    cg_put_attempt_close(b, s, retriers, catchers, sc);
}
