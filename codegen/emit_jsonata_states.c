/*
 * emit_jsonata_states.c - the bodies of JSONata states: Arguments, Output
 * and Assign over `$states` (runtime/states_jsonata.c) in place of the
 * JSONPath data flow, Choice rules with a Condition, Wait's and Fail's
 * JSONata fields. The expressions themselves are static trees
 * (emit_jsonata.c) that the templates point at.
 *
 * Every body declares `asl_jstates js` = {input: *doc}; a Task adds its
 * result, a catcher the error output (in the runtime's asl_catch).
 * Assign is staged before Output is computed: both read the state's
 * entry values of the variables, and the loop commits Assign at exit.
 */
#include <stdio.h>

#include "cwrite.h"
#include "emit_internal.h"

/* `if (asl_jn_assign(...) != 0) { free; fail }` */
static void put_assign(cg *g, FILE *b, const ir_tmpl *assign, const char *owned, stmt_ctx sc)
{
    if (!assign)
        return;
    g->used_x = true;
    int t = cg_emit_tmpl(g, assign);
    cg_put_indent(b, sc.ind);
    fprintf(b, "if (asl_jn_assign(x, &tmpl_%d, &js) != 0) { /* Assign */\n", t);
    if (owned) {
        cg_put_indent(b, sc.ind + 4);
        fprintf(b, "asl_free(%s);\n", owned);
    }
    cg_put_fail(b, sc);
    cg_put_indent(b, sc.ind);
    fputs("}\n", b);
}

/* *doc becomes Output's value, or [dflt] (an owned tree, or "*doc" for
 * the input itself) when there is none. [owned] is freed either way. */
static void put_output(cg *g, FILE *b, const ir_tmpl *output, const char *dflt, const char *owned,
                       stmt_ctx sc)
{
    if (output) {
        g->used_x = true;
        int t = cg_emit_tmpl(g, output);
        cg_put_indent(b, sc.ind);
        fprintf(b, "cJSON *out = asl_jn_value(x, &tmpl_%d, &js, \"Output\"); /* Output */\n", t);
        if (owned) {
            cg_put_indent(b, sc.ind);
            fprintf(b, "asl_free(%s);\n", owned);
        }
        cg_put_indent(b, sc.ind);
        fputs("if (!out)\n", b);
        cg_put_fail(b, sc);
        cg_put_indent(b, sc.ind);
        fputs("asl_free(*doc);\n", b);
        cg_put_indent(b, sc.ind);
        fputs("*doc = out;\n", b);
    } else if (owned || (dflt && dflt[0] != '*')) {
        cg_put_indent(b, sc.ind);
        fprintf(b, "asl_free(*doc);\n");
        cg_put_indent(b, sc.ind);
        fprintf(b, "*doc = %s;\n", dflt);
    }
}

static void begin(cg *g, FILE *b, int ind)
{
    g->used_doc = true;
    cg_put_indent(b, ind);
    fputs("asl_jstates js = {*doc, 0, 0}; /* $states */\n", b);
    cg_put_indent(b, ind);
    fputs("(void)js; /* a state with no expression reads none of it */\n", b);
}

static void emit_pass(cg *g, FILE *b, const ir_state *s)
{
    begin(g, b, 4);
    put_assign(g, b, s->assign, NULL, CG_BODY_CTX);
    put_output(g, b, s->output, "*doc", NULL, CG_BODY_CTX);
    cg_put_next_at(g, b, s, 4);
}

static void emit_task(cg *g, FILE *b, const ir_state *s)
{
    int task = cg_emit_task_data(g, s);
    int retriers = cg_emit_retriers(g, s);
    int catchers = cg_emit_catchers(g, s);
    g->used_x = g->used_doc = true;
    stmt_ctx sc = cg_put_attempt_open(b, s, retriers, catchers);
    begin(g, b, sc.ind);
    cg_put_indent(b, sc.ind);
    if (s->arguments) {
        int t = cg_emit_tmpl(g, s->arguments);
        fprintf(b, "cJSON *args = asl_jn_value(x, &tmpl_%d, &js, \"Arguments\"); /* Arguments */\n", t);
        cg_put_indent(b, sc.ind);
        fputs("if (!args)\n", b);
        cg_put_fail(b, sc);
        cg_put_indent(b, sc.ind);
        fprintf(b, "cJSON *res = asl_jn_task_invoke(x, &task_%d, &js, args);\n", task);
        cg_put_indent(b, sc.ind);
        fputs("asl_free(args);\n", b);
    } else {
        fprintf(b, "cJSON *res = asl_jn_task_invoke(x, &task_%d, &js, *doc); /* $states.input */\n",
                task);
    }
    cg_put_indent(b, sc.ind);
    fputs("if (!res)\n", b);
    cg_put_fail(b, sc);
    cg_put_indent(b, sc.ind);
    fputs("js.result = res;\n", b);
    put_assign(g, b, s->assign, "res", sc);
    put_output(g, b, s->output, "res", s->output ? "res" : NULL, sc);
    cg_put_next_at(g, b, s, sc.ind);
    cg_put_attempt_close(b, s, retriers, catchers, sc);
}

static void emit_choice(cg *g, FILE *b, const ir_state *s)
{
    begin(g, b, 4);
    g->used_x = true;
    fputs("    int next = -1, rule = -1, t;\n", b);
    for (int i = 0; i < s->nrules; i++) {
        const ir_rule *r = s->rules[i];
        if (r->next < 0 || r->next >= g->m->nstates || !r->condition)
            CG_UNREACHABLE();
        int c = cg_emit_tmpl(g, r->condition);
        fprintf(b, "    if (next < 0) {\n        t = asl_jn_test(x, &tmpl_%d, &js); /* Choices[%d] */\n", c, i);
        fputs("        if (t < 0)\n            return ASL_NEXT_ERROR;\n", b);
        fprintf(b, "        if (t) {\n            next = %d; ", r->next);
        cg_put_name_comment(b, g->m->states[r->next]->name);
        fprintf(b, "\n            rule = %d;\n        }\n    }\n", i);
    }
    if (s->default_next >= 0) {
        if (s->default_next >= g->m->nstates)
            CG_UNREACHABLE();
        fprintf(b, "    if (next < 0)\n        next = %d; ", s->default_next);
        cg_put_name_comment(b, g->m->states[s->default_next]->name);
        fputc('\n', b);
    } else {
        fputs("    if (next < 0)\n        return asl_no_choice_matched(x);\n", b);
    }
    /* the matched rule's Assign and Output, or the state's when Default is taken */
    stmt_ctx in = {8, "return ASL_NEXT_ERROR;"};
    for (int i = 0; i < s->nrules; i++) {
        const ir_rule *r = s->rules[i];
        if (!r->assign && !r->output)
            continue;
        fprintf(b, "    if (rule == %d) {\n", i);
        put_assign(g, b, r->assign, NULL, in);
        put_output(g, b, r->output, "*doc", NULL, in);
        fputs("    }\n", b);
    }
    if (s->assign || s->output) {
        fputs("    if (rule < 0) {\n", b);
        put_assign(g, b, s->assign, NULL, in);
        put_output(g, b, s->output, "*doc", NULL, in);
        fputs("    }\n", b);
    }
    fputs("    (void)rule;\n    return next;\n", b);
}

static void emit_wait(cg *g, FILE *b, const ir_state *s)
{
    begin(g, b, 4);
    g->used_x = true;
    put_assign(g, b, s->assign, NULL, CG_BODY_CTX);
    switch (s->wait_kind) {
    case IR_WAIT_SECONDS:
        fprintf(b, "    if (asl_wait_seconds(x, %lld) != 0)\n", s->wait_seconds);
        break;
    case IR_WAIT_SECONDS_JSONATA:
        fprintf(b, "    if (asl_jn_wait_seconds(x, &tmpl_%d, &js) != 0) /* Seconds */\n",
                cg_emit_tmpl(g, s->wait_jn));
        break;
    case IR_WAIT_TIMESTAMP_JSONATA:
        fprintf(b, "    if (asl_jn_wait_timestamp(x, &tmpl_%d, &js) != 0) /* Timestamp */\n",
                cg_emit_tmpl(g, s->wait_jn));
        break;
    default: CG_UNREACHABLE();
    }
    fputs("        return ASL_NEXT_ERROR;\n", b);
    put_output(g, b, s->output, "*doc", NULL, CG_BODY_CTX);
    cg_put_next_at(g, b, s, 4);
}

static void emit_fail(cg *g, FILE *b, const ir_state *s)
{
    begin(g, b, 4);
    g->used_x = true;
    int e = s->error_jn ? cg_emit_tmpl(g, s->error_jn) : -1;
    int c = s->cause_jn ? cg_emit_tmpl(g, s->cause_jn) : -1;
    fputs("    return asl_jn_fail(x, ", b);
    if (e >= 0)
        fprintf(b, "&tmpl_%d, ", e);
    else
        fputs("0, ", b);
    if (c >= 0)
        fprintf(b, "&tmpl_%d, &js);\n", c);
    else
        fputs("0, &js);\n", b);
}

void cg_emit_jsonata_state(cg *g, FILE *b, const ir_state *s)
{
    switch (s->kind) {
    case IR_PASS: emit_pass(g, b, s); break;
    case IR_TASK: emit_task(g, b, s); break;
    case IR_CHOICE: emit_choice(g, b, s); break;
    case IR_WAIT: emit_wait(g, b, s); break;
    case IR_SUCCEED:
        begin(g, b, 4);
        put_output(g, b, s->output, "*doc", NULL, CG_BODY_CTX);
        fputs("    return ASL_NEXT_END;\n", b);
        break;
    case IR_FAIL: emit_fail(g, b, s); break;
    default: CG_UNREACHABLE();
    }
}
