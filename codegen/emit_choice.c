/*
 * emit_choice.c - the body of a JSONPath Choice state: InputPath, the
 * rules in order as one if / else-if chain, Assign, OutputPath.
 *
 * What the IR knows at compile time is done here once: every plain
 * Variable (or *Path operand) of the state - $ followed by names and
 * indexes - goes into a tree of path prefixes, and the body resolves that
 * tree on entry into an array cv[] (one asl_ch_fields pass per object for
 * all the names read under it), so a shared prefix such as $.cur.ev is
 * walked once and a Variable tested by several rules is looked up once.
 * The tests then read cv[] through the asl_ch_* primitives; a timestamp
 * Variable is parsed once per state through its memo. Other paths
 * ($$, $var, filters, wildcards...) keep the asl_test_* calls that select
 * on every test.
 *
 * Resolving early cannot be seen: the walk is pure and reports nothing
 * (a missing value is NULL); the missing-Variable error is raised by the
 * test that reads it, so the order of evaluation, && / || short-circuits
 * and the first error are what they were.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwrite.h"
#include "emit_internal.h"
#include "ir.h"

/* ==== The tree of plain paths ============================================ */

/* cv[] lives on the stack of the state function (Map and Parallel run
 * states on threads): past this many nodes, the remaining tests select for
 * themselves. */
#define CHOICE_TREE_MAX 256

typedef struct pnode {
    int parent;          /* -1 for $ */
    bool is_index;
    const char *name;    /* FIELD */
    long index;          /* INDEX */
    int slot;            /* cv[slot] */
    int memo;            /* its asl_ts_memo number, or -1 */
} pnode;

typedef struct ptree {
    pnode *n;
    int len, cap;
    int used;            /* operands the tree resolves; 0: no cv[] at all */
    bool oom;
} ptree;

/* A path the tree can hold: rooted at $, names and indexes only. */
static bool plain_path(const ir_path *p)
{
    if (!p || p->root != IR_ROOT_INPUT || p->invalid || !p->definite)
        return false;
    for (int i = 0; i < p->nsegs; i++)
        if (p->segs[i].kind != IR_SEG_FIELD && p->segs[i].kind != IR_SEG_INDEX)
            return false;
    return true;
}

static int tree_child(ptree *t, int parent, const ir_seg *s, bool add)
{
    bool idx = s->kind == IR_SEG_INDEX;
    for (int i = 0; i < t->len; i++) {
        const pnode *c = &t->n[i];
        if (c->parent == parent && c->is_index == idx &&
            (idx ? c->index == s->index : strcmp(c->name, s->name) == 0))
            return i;
    }
    if (!add || t->len >= CHOICE_TREE_MAX)
        return -1;
    if (t->len == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        pnode *n = realloc(t->n, (size_t)cap * sizeof *n);
        if (!n) {
            t->oom = true;
            return -1;
        }
        t->n = n;
        t->cap = cap;
    }
    t->n[t->len] = (pnode){parent, idx, idx ? NULL : s->name, idx ? s->index : 0, -1, -1};
    return t->len++;
}

/* The node of a plain path (added when [add]); -1 for any other path. */
static int tree_node(ptree *t, const ir_path *p, bool add)
{
    if (!plain_path(p) || t->oom || (!add && t->used == 0))
        return -1;
    int at = 0;
    for (int i = 0; i < p->nsegs && at >= 0; i++)
        at = tree_child(t, at, &p->segs[i], add);
    if (add && at >= 0)
        t->used++;
    return at;
}

static void tree_add_rule(ptree *t, const ir_rule *r)
{
    if (r->kind != IR_RULE_TEST) {
        for (int i = 0; i < r->n; i++)
            tree_add_rule(t, r->subs[i]);
        return;
    }
    int v = tree_node(t, r->variable, true);
    int rhs = r->rhs_is_path ? tree_node(t, r->rhs_path, true) : -1;
    bool ts = r->type == IR_TEST_TIMESTAMP || r->type == IR_TEST_IS_TIMESTAMP;
    if (v >= 0 && ts)
        t->n[v].memo = 0;
    if (rhs >= 0 && ts)
        t->n[rhs].memo = 0;
}

/* Slots: $ is cv[0]; the members of one object read by name take
 * consecutive slots (one asl_ch_fields call fills them), parents before
 * children. Memos are numbered in slot order. */
static void tree_number(ptree *t)
{
    int next = 1, memo = 0;
    t->n[0].slot = 0;
    for (int s = 0; s < t->len; s++) {
        int p = -1;
        for (int i = 0; i < t->len; i++)
            if (t->n[i].slot == s)
                p = i;
        if (p < 0)
            CG_UNREACHABLE();
        for (int pass = 0; pass < 2; pass++)
            for (int i = 1; i < t->len; i++)
                if (t->n[i].parent == p && t->n[i].is_index == (pass == 1))
                    t->n[i].slot = next++;
    }
    for (int s = 0; s < t->len; s++)
        for (int i = 0; i < t->len; i++)
            if (t->n[i].slot == s && t->n[i].memo >= 0)
                t->n[i].memo = memo++;
}

/* Declares and fills cv[] (and the memos) at the top of the body. */
static void put_tree(cg *g, FILE *b, const ptree *t)
{
    g->used_doc = true;
    fprintf(b, "    const cJSON *cv[%d]; /* the rules' plain paths, resolved once */\n", t->len);
    fputs("    cv[0] = *doc;\n", b);
    for (int s = 0; s < t->len; s++) {
        int p = -1;
        for (int i = 0; i < t->len; i++)
            if (t->n[i].slot == s)
                p = i;
        int first = -1, count = 0;
        for (int i = 1; i < t->len; i++) {
            if (t->n[i].parent != p || t->n[i].is_index)
                continue;
            if (first < 0 || t->n[i].slot < first)
                first = t->n[i].slot;
            count++;
        }
        if (count > 0) {
            fprintf(b, "    static const char *const ck_%d[] = {", s);
            for (int k = 0; k < count; k++) {
                for (int i = 1; i < t->len; i++) {
                    if (t->n[i].slot != first + k)
                        continue;
                    fputs(k ? ", " : "", b);
                    cg_cstrz(b, t->n[i].name);
                }
            }
            fprintf(b, "};\n    asl_ch_fields(cv[%d], ck_%d, %d, cv + %d);\n", s, s, count, first);
        }
        for (int i = 1; i < t->len; i++) {
            if (t->n[i].parent != p || !t->n[i].is_index)
                continue;
            fprintf(b, "    cv[%d] = asl_ch_index(cv[%d], ", t->n[i].slot, s);
            cg_put_long(b, t->n[i].index);
            fputs(");\n", b);
        }
    }
    int nmemo = 0;
    for (int i = 0; i < t->len; i++)
        nmemo += t->n[i].memo >= 0;
    for (int m = 0; m < nmemo; m++)
        fprintf(b, "    asl_ts_memo tm_%d;\n    tm_%d.state = 0;\n", m, m); /* no memset: TinyCC */
}

/* ==== Rules ============================================================== */

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

static const char *const is_which[] = {
    "ASL_IS_NULL", "ASL_IS_PRESENT", "ASL_IS_NUMERIC",
    "ASL_IS_STRING", "ASL_IS_BOOLEAN", "ASL_IS_TIMESTAMP",
};

/* One comparison that selects its operands itself: an asl_test_* call on
 * *doc. */
static void put_select_test(cg *g, FILE *b, const ir_rule *r)
{
    int var = cg_emit_path(g, r->variable);
    int rhs = r->rhs_is_path ? cg_emit_path(g, r->rhs_path) : -1;
    switch (r->type) {
    case IR_TEST_NUMERIC:
        if (rhs >= 0) {
            fprintf(b, "asl_test_num_path(x, *doc, &path_%d, %s, &path_%d)", var, cmp_name(r->cmp), rhs);
        } else {
            fprintf(b, "asl_test_num(x, *doc, &path_%d, %s, ", var, cmp_name(r->cmp));
            cg_put_num(b, r->num);
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
    case IR_TEST_IS_TIMESTAMP:
        fprintf(b, "asl_test_is(x, *doc, &path_%d, %s, %d)", var,
                is_which[r->type - IR_TEST_IS_NULL], r->boolean ? 1 : 0);
        return;
    }
    CG_UNREACHABLE();
}

/* `cv[slot], &path_N` for an operand in the tree. */
static void put_operand(cg *g, FILE *b, const pnode *n, const ir_path *p)
{
    fprintf(b, "cv[%d], &path_%d", n->slot, cg_emit_path(g, p));
}

static void put_memo(FILE *b, const pnode *n)
{
    if (n->memo >= 0)
        fprintf(b, "&tm_%d", n->memo);
    else
        fputs("0", b);
}

/* One comparison over operands the tree resolved: an asl_ch_* call. */
static void put_tree_test(cg *g, FILE *b, const ir_rule *r, const pnode *v, const pnode *rp)
{
    switch (r->type) {
    case IR_TEST_NUMERIC:
    case IR_TEST_STRING:
        fprintf(b, "asl_ch_%s%s(x, ", r->type == IR_TEST_NUMERIC ? "num" : "str", rp ? "2" : "");
        put_operand(g, b, v, r->variable);
        fprintf(b, ", %s, ", cmp_name(r->cmp));
        if (rp)
            put_operand(g, b, rp, r->rhs_path);
        else if (r->type == IR_TEST_NUMERIC)
            cg_put_num(b, r->num);
        else
            cg_cstrz(b, r->str ? r->str : "");
        fputc(')', b);
        return;
    case IR_TEST_BOOLEAN:
        fprintf(b, "asl_ch_bool%s(x, ", rp ? "2" : "");
        put_operand(g, b, v, r->variable);
        if (rp) {
            fputs(", ", b);
            put_operand(g, b, rp, r->rhs_path);
        } else {
            fprintf(b, ", %d", r->boolean ? 1 : 0);
        }
        fputc(')', b);
        return;
    case IR_TEST_TIMESTAMP:
        fprintf(b, "asl_ch_ts%s(x, ", rp ? "2" : "");
        put_operand(g, b, v, r->variable);
        fputs(", ", b);
        put_memo(b, v);
        fprintf(b, ", %s, ", cmp_name(r->cmp));
        if (rp) {
            put_operand(g, b, rp, r->rhs_path);
            fputs(", ", b);
            put_memo(b, rp);
        } else {
            fprintf(b, "%lld, %ld", r->ts_sec, r->ts_nsec);
        }
        fputc(')', b);
        return;
    case IR_TEST_MATCHES:
        fputs("asl_ch_matches(x, ", b);
        put_operand(g, b, v, r->variable);
        fputs(", ", b);
        cg_cstrz(b, r->str ? r->str : "");
        fputc(')', b);
        return;
    case IR_TEST_IS_NULL:
    case IR_TEST_IS_PRESENT:
    case IR_TEST_IS_NUMERIC:
    case IR_TEST_IS_STRING:
    case IR_TEST_IS_BOOLEAN:
    case IR_TEST_IS_TIMESTAMP:
        fputs("asl_ch_is(x, ", b);
        put_operand(g, b, v, r->variable);
        fputs(", ", b);
        put_memo(b, v);
        fprintf(b, ", %s, %d)", is_which[r->type - IR_TEST_IS_NULL], r->boolean ? 1 : 0);
        return;
    }
    CG_UNREACHABLE();
}

static void put_test(cg *g, FILE *b, ptree *t, const ir_rule *r)
{
    int v = tree_node(t, r->variable, false);
    int rp = r->rhs_is_path ? tree_node(t, r->rhs_path, false) : -1;
    if (v < 0 || (r->rhs_is_path && rp < 0))
        put_select_test(g, b, r);
    else
        put_tree_test(g, b, r, &t->n[v], rp >= 0 ? &t->n[rp] : NULL);
}

/* A rule as a C expression: And / Or / Not become && || ! with each
 * operand of a compound on its own line, [indent] spaces in. */
static void put_rule(cg *g, FILE *b, ptree *t, const ir_rule *r, int indent)
{
    switch (r->kind) {
    case IR_RULE_TEST:
        put_test(g, b, t, r);
        return;
    case IR_RULE_NOT:
        if (r->n != 1)
            CG_UNREACHABLE();
        fputc('!', b);
        put_rule(g, b, t, r->subs[0], indent + 1);
        return;
    case IR_RULE_AND:
    case IR_RULE_OR:
        if (r->n < 1)
            CG_UNREACHABLE();
        fputc('(', b);
        for (int i = 0; i < r->n; i++) {
            if (i) {
                fputc('\n', b);
                cg_put_indent(b, indent + 1);
                fputs(r->kind == IR_RULE_AND ? "&& " : "|| ", b);
            }
            put_rule(g, b, t, r->subs[i], indent + 4);
        }
        fputc(')', b);
        return;
    }
    CG_UNREACHABLE();
}

/* ==== The state ========================================================== */

/*
 * InputPath in place, the rules in order over *doc, then OutputPath.
 * A primitive that fails (missing Variable) sets the error and yields 0,
 * so every rule after the first is guarded by !asl_failed(x), and the
 * error is checked once after the chain: the first error stops the state,
 * as on AWS, and no later rule runs.
 */
void cg_emit_choice(cg *g, FILE *b, const ir_state *s)
{
    cg_put_inplace_path_at(g, b, &s->input_path, "InputPath", CG_BODY_CTX);
    g->used_x = true;
    if (s->nrules > 0)
        g->used_doc = true;
    ptree t = {0};
    pnode root = {-1, false, NULL, 0, 0, -1};
    t.n = malloc(16 * sizeof *t.n);
    if (t.n) {
        t.n[0] = root;
        t.len = 1;
        t.cap = 16;
        for (int i = 0; i < s->nrules; i++)
            tree_add_rule(&t, s->rules[i]);
    }
    if (!t.n || t.oom) {
        g->oom = true;
        free(t.n);
        return;
    }
    if (t.used > 0) {
        tree_number(&t);
        put_tree(g, b, &t);
    }
    fputs("    int next = -1;\n", b);
    bool rule_assign = false;
    for (int i = 0; i < s->nrules; i++)
        rule_assign |= s->rules[i]->assign != NULL;
    if (rule_assign)
        fputs("    int rule = -1;\n", b);
    for (int i = 0; i < s->nrules; i++) {
        const ir_rule *r = s->rules[i];
        if (r->next < 0 || r->next >= g->m->nstates)
            CG_UNREACHABLE();
        if (i == 0) {
            fputs("    if (", b);
            put_rule(g, b, &t, r, 8);
        } else {
            fputs("    else if (!asl_failed(x)\n             && ", b);
            put_rule(g, b, &t, r, 13);
        }
        if (rule_assign)
            fprintf(b, ") {\n        rule = %d;\n        next = %d; /* Choices[%d] -> \"", i, r->next, i);
        else
            fprintf(b, ")\n        next = %d; /* Choices[%d] -> \"", r->next, i);
        cg_comment_text(b, g->m->states[r->next]->name);
        fputs(rule_assign ? "\" */\n    }\n" : "\" */\n", b);
    }
    free(t.n);
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
    /* Assign: the matched rule's, or the state's when Default is taken;
     * $ is the effective input */
    for (int i = 0; i < s->nrules; i++) {
        if (!s->rules[i]->assign)
            continue;
        g->used_doc = true;
        fprintf(b, "    if (rule == %d)\n    ", i);
        cg_put_assign(g, b, s->rules[i]->assign, "*doc", NULL,
                      (stmt_ctx){4, "return ASL_NEXT_ERROR;"});
    }
    if (s->assign) {
        g->used_doc = true;
        fputs(rule_assign ? "    if (rule < 0)\n    " : "", b);
        cg_put_assign(g, b, s->assign, "*doc", NULL, CG_BODY_CTX);
    }
    cg_put_inplace_path_at(g, b, &s->output_path, "OutputPath", CG_BODY_CTX);
    fputs("    return next;\n", b);
}
