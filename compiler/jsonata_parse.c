/*
 * jsonata_parse.c - the one JSONata parser: a Pratt parser with jsonata-js
 * 2.0.6's binding powers and static errors, building the raw tree (rn
 * nodes with R_* types, the shape the grammar gives). jsonata_ast.c then
 * post-processes it as jsonata-js does and freezes it into asl_jnode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_parse_impl.h"

void jp_push(jp *p, rlist *l, rn *n)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        rn **v = arena_array(p->lx.a, (size_t)cap, sizeof *v);
        if (l->n)
            memcpy(v, l->v, (size_t)l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = n;
}

static rn *node(jp *p, int type, const jtok *t)
{
    rn *n = arena_new(p->lx.a, rn);
    n->type = type;
    if (t) {
        n->src = t->at;
        n->end = t->at + t->len;
    }
    return n;
}

/* The token's value as jsonata-js shows it in error objects. */
static const char *tok_value(jp *p, const jtok *t)
{
    switch (t->kind) {
    case JT_END: return "(end)";
    case JT_OP: return arena_strdup(p->lx.a, t->op);
    case JT_NUMBER: return arena_strndup(p->lx.a, p->lx.s + t->at, t->len);
    default: return arena_strndup(p->lx.a, t->str ? t->str : p->lx.s + t->at, t->str ? t->slen : t->len);
    }
}

static void fail_at(jp *p, const char *code, const jtok *t, const char *token, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void fail_at(jp *p, const char *code, const jtok *t, const char *token, const char *fmt, ...)
{
    if (jp_failed(p))
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->lx.t_end = t->at + t->len;
    jl_fail(&p->lx, code, t->at, token, "%s", msg);
}

void jp_fail_node(jp *p, const char *code, const rn *n, const char *token, const char *fmt, ...)
{
    if (jp_failed(p))
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->lx.t_end = n->end;
    jl_fail(&p->lx, code, n->src, token, "%s", msg);
}

static bool tok_is(const jtok *t, const char *op) { return t->kind == JT_OP && strcmp(t->op, op) == 0; }

/* ==== The grammar ======================================================= */

/* The operators jsonata-js registers, with their left binding power. An
 * operator character it does not register ('!', '~') is an error. */
static bool op_known(const char *op, int *lbp)
{
    static const struct {
        const char *op;
        int lbp;
    } tab[] = {
        {".", 75},  {"[", 80},  {"]", 0},  {"{", 70},   {"}", 0},   {"(", 80},  {")", 0},
        {",", 0},   {"@", 80},  {"#", 80}, {";", 0},    {":", 0},   {"?", 20},  {"+", 50},
        {"-", 50},  {"*", 60},  {"/", 60}, {"%", 60},   {"|", 20},  {"=", 40},  {"<", 40},
        {">", 40},  {"^", 40},  {"**", 60}, {"..", 20}, {":=", 10}, {"!=", 40}, {"<=", 40},
        {">=", 40}, {"~>", 40}, {"&", 50}, {"and", 30}, {"or", 25}, {"in", 40},
    };
    for (size_t k = 0; k < sizeof tab / sizeof *tab; k++)
        if (strcmp(tab[k].op, op) == 0) {
            *lbp = tab[k].lbp;
            return true;
        }
    return false;
}

/* Binding power of the current token as an infix operator: the
 * terminators and the operators that only start an expression bind
 * nothing. */
static int lbp(const jp *p)
{
    const jtok *t = &p->lx.t;
    if (t->kind != JT_OP)
        return 0;
    static const char *const closing[] = {"]", "}", ")", ",", ";", ":", "|", "..", "**", NULL};
    for (const char *const *c = closing; *c; c++)
        if (strcmp(t->op, *c) == 0)
            return 0;
    int b = 0;
    op_known(t->op, &b);
    return b;
}

/* jsonata-js's advance(): check the current token is [id] (when given),
 * then read the next one. */
static void advance(jp *p, const char *id, bool infix)
{
    if (jp_failed(p))
        return;
    jtok *t = &p->lx.t;
    if (id && !tok_is(t, id)) {
        if (t->kind == JT_END)
            fail_at(p, "S0203", t, NULL, "Expected \"%s\" before end of expression", id);
        else {
            const char *v = tok_value(p, t);
            fail_at(p, "S0202", t, v, "Expected \"%s\", got \"%s\"", id, v);
        }
        return;
    }
    jl_next(&p->lx, infix);
    if (!jp_failed(p) && p->lx.t.kind == JT_OP) {
        int b;
        if (!op_known(p->lx.t.op, &b))
            fail_at(p, "S0204", &p->lx.t, p->lx.t.op, "Unknown operator: \"%s\"", p->lx.t.op);
    }
}

static rn *expression(jp *p, int rbp);

/* { key: value, ... } pairs into [l]. */
static void object_pairs(jp *p, rlist *l)
{
    if (!tok_is(&p->lx.t, "}")) {
        for (;;) {
            jp_push(p, l, expression(p, 0));
            advance(p, ":", false);
            jp_push(p, l, expression(p, 0));
            if (jp_failed(p) || !tok_is(&p->lx.t, ","))
                break;
            advance(p, ",", false);
        }
    }
    advance(p, "}", true);
}

static rn *nud(jp *p, const jtok *t)
{
    switch (t->kind) {
    case JT_END: fail_at(p, "S0207", t, NULL, "Unexpected end of expression"); return node(p, R_NAME, t);
    case JT_NAME: {
        rn *n = node(p, R_NAME, t);
        n->str = t->str;
        n->len = t->slen;
        return n;
    }
    case JT_VAR: {
        rn *n = node(p, R_VARIABLE, t);
        n->str = t->str;
        n->len = t->slen;
        return n;
    }
    case JT_STRING: {
        rn *n = node(p, R_STRING, t);
        n->str = t->str;
        n->len = t->slen;
        return n;
    }
    case JT_NUMBER: {
        rn *n = node(p, R_NUMBER, t);
        n->num = t->num;
        return n;
    }
    case JT_VALUE: {
        rn *n = node(p, R_VALUE, t);
        n->value = t->str[0] == 't' ? ASL_JVAL_TRUE : t->str[0] == 'f' ? ASL_JVAL_FALSE : ASL_JVAL_NULL;
        return n;
    }
    case JT_REGEX: {
        rn *n = node(p, R_REGEX, t);
        n->str = arena_strndup(p->lx.a, t->str, t->slen);
        n->len = t->slen;
        n->rx_flags = arena_strndup(p->lx.a, p->lx.s + t->flags_at, t->flags_len);
        return n;
    }
    case JT_OP: break;
    }
    const char *op = t->op;
    if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0 || strcmp(op, "in") == 0) {
        rn *n = node(p, R_NAME, t); /* a keyword used as a field name */
        n->str = arena_strdup(p->lx.a, op);
        n->len = strlen(op);
        return n;
    }
    if (strcmp(op, "-") == 0) {
        rn *n = node(p, R_UNARY, t);
        n->op = "-";
        n->lhs = expression(p, 70);
        return n;
    }
    if (strcmp(op, "*") == 0)
        return node(p, R_WILDCARD, t);
    if (strcmp(op, "**") == 0)
        return node(p, R_DESCENDANT, t);
    if (strcmp(op, "%") == 0)
        return node(p, R_PARENT, t);
    if (strcmp(op, "?") == 0)
        return node(p, R_PLACEHOLDER, t); /* only meaningful as an argument */
    if (strcmp(op, "(") == 0) { /* a block: (expr; expr; ...) */
        rn *n = node(p, R_BLOCK, t);
        while (!jp_failed(p) && !tok_is(&p->lx.t, ")")) {
            jp_push(p, &n->items, expression(p, 0));
            if (!tok_is(&p->lx.t, ";"))
                break;
            advance(p, ";", false);
        }
        advance(p, ")", true);
        return n;
    }
    if (strcmp(op, "[") == 0) { /* an array constructor, with ranges a..b */
        rn *n = node(p, R_UNARY, t);
        n->op = "[";
        if (!tok_is(&p->lx.t, "]")) {
            for (;;) {
                rn *item = expression(p, 0);
                if (tok_is(&p->lx.t, "..")) {
                    rn *range = node(p, R_BINARY, &p->lx.t);
                    range->op = "..";
                    advance(p, "..", false);
                    range->lhs = item;
                    range->rhs = expression(p, 0);
                    item = range;
                }
                jp_push(p, &n->items, item);
                if (jp_failed(p) || !tok_is(&p->lx.t, ","))
                    break;
                advance(p, ",", false);
            }
        }
        advance(p, "]", true);
        return n;
    }
    if (strcmp(op, "{") == 0) {
        rn *n = node(p, R_UNARY, t);
        n->op = "{";
        object_pairs(p, &n->items);
        return n;
    }
    if (strcmp(op, "|") == 0) { /* transform: | pattern | update [, delete] | */
        rn *n = node(p, R_TRANSFORM, t);
        n->lhs = expression(p, 0);
        advance(p, "|", false);
        n->rhs = expression(p, 0);
        if (tok_is(&p->lx.t, ",")) {
            advance(p, ",", false);
            n->third = expression(p, 0);
        }
        advance(p, "|", false);
        return n;
    }
    const char *v = tok_value(p, t);
    fail_at(p, "S0211", t, v, "The symbol \"%s\" cannot be used as a unary operator", v);
    return node(p, R_NAME, t);
}

/* jsonata-js parses a signature as soon as it is read, so its two
 * errors come before the parser looks for the body: a choice group with
 * a type parameter (S0402), a type parameter on a type other than an
 * array or a function (S0401). */
static void check_signature(jp *p, const char *sig)
{
    char prev = 0;
    for (size_t i = 1; sig[i] && sig[i] != ':'; i++) {
        char c = sig[i];
        if (c == '(') {
            const char *close = strchr(sig + i, ')');
            size_t end = close ? (size_t)(close - sig) : strlen(sig);
            if (memchr(sig + i, '<', end - i)) {
                jl_fail(&p->lx, "S0402", p->lx.t.at, NULL,
                        "Choice groups containing parameterized types are not supported");
                return;
            }
            prev = '(';
            i = end;
            continue;
        }
        if (c == '<') {
            if (prev != 'a' && prev != 'f') {
                jl_fail(&p->lx, "S0401", p->lx.t.at, NULL,
                        "Type parameters can only be applied to functions and arrays");
                return;
            }
            int depth = 1;
            while (sig[i + 1] && depth > 0) {
                i++;
                depth += sig[i] == '<' ? 1 : sig[i] == '>' ? -1 : 0;
            }
            continue;
        }
        if (strchr("snbloafjx", c))
            prev = c;
    }
}

/* A lambda's optional signature <...> (tokens joined, as jsonata-js
 * joins them) and its body { ... }. */
static void lambda_rest(jp *p, rn *n)
{
    if (tok_is(&p->lx.t, "<")) {
        char *sig = arena_alloc(p->lx.a, p->lx.len + 2);
        size_t o = 0;
        sig[o++] = '<';
        int depth = 1;
        while (!jp_failed(p) && depth > 0 && !tok_is(&p->lx.t, "{") && p->lx.t.kind != JT_END) {
            advance(p, NULL, false);
            const jtok *t = &p->lx.t;
            if (tok_is(t, ">"))
                depth--;
            else if (tok_is(t, "<"))
                depth++;
            if (t->kind != JT_END && o + t->len < p->lx.len + 1) {
                memcpy(sig + o, p->lx.s + t->at, t->len);
                o += t->len;
            }
        }
        sig[o] = '\0';
        if (!jp_failed(p))
            check_signature(p, sig);
        advance(p, ">", false);
        n->signature = sig;
    }
    advance(p, "{", false);
    n->body = expression(p, 0);
    advance(p, "}", false);
}

static rn *led(jp *p, const jtok *t, rn *left)
{
    const char *op = t->op;
    if (strcmp(op, "[") == 0) { /* a predicate, or [] (keep arrays) */
        if (tok_is(&p->lx.t, "]")) {
            rn *step = left;
            while (step && step->type == R_BINARY && strcmp(step->op, "[") == 0)
                step = step->lhs;
            step->keep_array = true;
            advance(p, "]", true);
            return left;
        }
        rn *n = node(p, R_BINARY, t);
        n->op = "[";
        n->lhs = left;
        n->rhs = expression(p, 0);
        advance(p, "]", true);
        return n;
    }
    if (strcmp(op, "{") == 0) { /* group-by */
        rn *n = node(p, R_BINARY, t);
        n->op = "{";
        n->lhs = left;
        object_pairs(p, &n->items);
        return n;
    }
    if (strcmp(op, "(") == 0) { /* a function call, a partial application or a lambda */
        bool lambda = left->type == R_NAME && ((left->len == 8 && memcmp(left->str, "function", 8) == 0) ||
                                               (left->len == 2 && memcmp(left->str, "\xce\xbb", 2) == 0));
        rn *n = node(p, lambda ? R_LAMBDA : R_FUNCTION, t);
        n->proc = left;
        if (!tok_is(&p->lx.t, ")")) {
            for (;;) {
                rn *a;
                if (tok_is(&p->lx.t, "?")) {
                    a = node(p, R_PLACEHOLDER, &p->lx.t);
                    n->type = lambda ? R_LAMBDA : R_PARTIAL;
                    advance(p, "?", false);
                } else
                    a = expression(p, 0);
                jp_push(p, &n->items, a);
                if (jp_failed(p) || !tok_is(&p->lx.t, ","))
                    break;
                advance(p, ",", false);
            }
        }
        advance(p, ")", true);
        if (lambda && !jp_failed(p)) {
            for (int i = 0; i < n->items.n; i++) {
                rn *a = n->items.v[i];
                if (a->type != R_VARIABLE) {
                    const char *v = a->str ? arena_strndup(p->lx.a, a->str, a->len) : "";
                    jp_fail_node(p, "S0208", a, NULL,
                                 "Parameter \"%s\" of function definition must be a variable name (start with $)",
                                 v);
                    return n;
                }
            }
            lambda_rest(p, n);
        }
        return n;
    }
    if (strcmp(op, "?") == 0) { /* condition ? then : else */
        rn *n = node(p, R_CONDITION, t);
        n->lhs = left;
        n->rhs = expression(p, 0);
        if (tok_is(&p->lx.t, ":")) {
            advance(p, ":", false);
            n->third = expression(p, 0);
        }
        return n;
    }
    if (strcmp(op, "^") == 0) { /* order-by: ^(<a, >b) */
        rn *n = node(p, R_BINARY, t);
        n->op = "^";
        n->lhs = left;
        advance(p, "(", false);
        for (;;) {
            rn *term = node(p, ASL_JN_SORT_TERM, &p->lx.t);
            if (tok_is(&p->lx.t, "<"))
                advance(p, "<", false);
            else if (tok_is(&p->lx.t, ">")) {
                term->descending = true;
                advance(p, ">", false);
            }
            term->lhs = expression(p, 0);
            jp_push(p, &n->items, term);
            if (jp_failed(p) || !tok_is(&p->lx.t, ","))
                break;
            advance(p, ",", false);
        }
        advance(p, ")", true);
        return n;
    }
    if (strcmp(op, ":=") == 0) {
        if (left->type != R_VARIABLE) {
            jp_fail_node(p, "S0212", left, NULL, "The left side of := must be a variable name (start with $)");
            return left;
        }
        rn *n = node(p, R_BINARY, t);
        n->op = ":=";
        n->lhs = left;
        n->rhs = expression(p, 9); /* right-associative */
        return n;
    }
    if (strcmp(op, "@") == 0 || strcmp(op, "#") == 0) { /* focus / index variable binding */
        rn *n = node(p, R_BINARY, t);
        n->op = strcmp(op, "@") == 0 ? "@" : "#";
        n->lhs = left;
        n->rhs = expression(p, 80);
        if (!jp_failed(p) && n->rhs->type != R_VARIABLE)
            jp_fail_node(p, "S0214", n->rhs, n->op, "The right side of \"%s\" must be a variable name (start with $)",
                         n->op);
        return n;
    }
    int b = 0;
    op_known(op, &b);
    rn *n = node(p, R_BINARY, t);
    n->op = arena_strdup(p->lx.a, op);
    n->lhs = left;
    n->rhs = expression(p, b);
    return n;
}

/* Pratt's loop, read exactly as jsonata-js reads it: the token after an
 * operand is read in infix mode (a '/' there divides). */
static rn *expression(jp *p, int rbp)
{
    if (jp_failed(p))
        return node(p, R_NAME, &p->lx.t);
    if (++p->depth > MAX_PARSE_DEPTH) {
        fail_at(p, "S0201", &p->lx.t, NULL, "The expression is nested too deeply");
        p->depth--;
        return node(p, R_NAME, &p->lx.t);
    }
    jtok t = p->lx.t;
    advance(p, NULL, true);
    rn *left = nud(p, &t);
    while (!jp_failed(p) && rbp < lbp(p)) {
        jtok o = p->lx.t;
        advance(p, NULL, false);
        left = led(p, &o, left);
    }
    p->depth--;
    return left;
}

const asl_jnode *jsonata_parse(arena *a, const char *text, size_t len, jsonata_syntax_error *err)
{
    memset(err, 0, sizeof *err);
    jp p = {0};
    p.lx.a = a;
    p.lx.s = text;
    p.lx.len = len;
    p.lx.err = err;
    advance(&p, NULL, false);
    rn *raw = expression(&p, 0);
    if (!jp_failed(&p) && p.lx.t.kind != JT_END) {
        const char *v = tok_value(&p, &p.lx.t);
        fail_at(&p, "S0201", &p.lx.t, v, "Syntax error: \"%s\"", v);
    }
    if (jp_failed(&p))
        return NULL;
    return jp_process(&p, raw);
}
