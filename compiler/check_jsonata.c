/*
 * check_jsonata.c - JSONata in a definition: the fields of states whose
 * query language is JSONata, and the {% %} expressions inside them.
 *
 * Expressions are parsed, not evaluated, by a Pratt parser that follows
 * the reference implementation (jsonata-js) of JSONata 2.0.6, the version
 * Step Functions runs: the same tokens (names run to white space or an
 * operator character; a '/' starts a regular expression only where an
 * operand is expected), the same binding powers, and the same static
 * errors (S01xx lexical, S02xx syntax), so that what it accepts is what
 * AWS accepts. On top of the syntax come the States Language's
 * restrictions: no "$" or unqualified field name at the top level of an
 * expression, no "$$", $states.result only in the Output and Assign of a
 * Task, Map or Parallel state, $states.errorOutput only in a catcher.
 * Free variable references are handed to check_vars.c.
 *
 * Called by check_state() for JSONata states (check_jsonata_state) and by
 * anything holding a JSONata-evaluated value (check_jsonata_value).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "timestamp.h"

#define NOWHERE ((size_t)-1)

/* ==== Tokens ============================================================ */

typedef enum {
    TK_END,
    TK_NAME, /* field name, also `quoted` */
    TK_VAR,  /* $name ($ alone: "", $$: "$") */
    TK_STRING,
    TK_NUMBER,
    TK_VALUE, /* true, false, null */
    TK_REGEX,
    TK_OP, /* operator; also the keywords and, or, in */
} tk_kind;

typedef struct tok {
    tk_kind kind;
    char op[4];     /* TK_OP: the operator text */
    size_t at, len; /* the token's text (TK_VAR: after the '$') */
} tok;

/* What a parsed expression is, as far as the later checks need. */
typedef enum {
    JN_OTHER,
    JN_NAME,
    JN_VAR,
    JN_STRING,
    JN_NUMBER,
    JN_VALUE,
    JN_PATH,
    JN_END,
} jn_type;

typedef struct jnode {
    jn_type type;   /* of the step, seen through predicates and groups */
    bool group;     /* a step with a group-by {...} */
    bool predicate; /* a step with a predicate [...] */
    bool sorted;    /* a step with an order-by ^(...) */
    size_t at, len; /* JN_VAR / JN_NAME: the name */
} jnode;

typedef struct ja {
    const char *s;
    size_t len, pos;
    tok t; /* the current token */
    bool failed;
    int nested; /* > 0: the context is not the input document */
    int depth;  /* recursion guard */
    check_ja_info *info;
    /* names bound inside the expression (:=, lambda parameters, @ and #) */
    struct bound {
        size_t at, len;
    } bound[64];
    int nbound;
} ja;

enum { MAX_JA_DEPTH = 150 };

static void fail(ja *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(ja *p, size_t at, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    p->info->error_at = at > p->len ? p->len : at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->info->error, sizeof p->info->error, fmt, ap);
    va_end(ap);
}

static bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v'; }

/* The single-character operators of jsonata-js's operator table: a name
 * ends at any of them. */
static bool is_op_char(char ch) { return ch && strchr(".[]{}(),@#;:?+-*/%|=<>^&!~", ch) != NULL; }

static const char *tok_text(const ja *p, const tok *t, char *buf, size_t cap)
{
    switch (t->kind) {
    case TK_END: return "the end of the expression";
    case TK_OP: snprintf(buf, cap, "'%s'", t->op); return buf;
    default: {
        size_t n = t->len > 40 ? 40 : t->len;
        size_t from = t->at;
        if (t->kind == TK_VAR) {
            from--;
            n++;
        }
        snprintf(buf, cap, "'%.*s'", (int)n, p->s + from);
        return buf;
    }
    }
}

static bool tok_is(const tok *t, const char *op) { return t->kind == TK_OP && strcmp(t->op, op) == 0; }

/* A regular expression literal after its '/': to the closing '/' that is
 * not escaped and not inside (), [] or {}; then flags i and m. */
static void scan_regex(ja *p, tok *t)
{
    size_t start = p->pos;
    int depth = 0;
    while (p->pos < p->len) {
        char ch = p->s[p->pos];
        if (ch == '/' && depth == 0) {
            size_t bs = 0;
            while (p->pos - bs > start && p->s[p->pos - bs - 1] == '\\')
                bs++;
            if (bs % 2 == 0) {
                if (p->pos == start) {
                    fail(p, start - 1, "empty regular expressions are not allowed (S0301)");
                    return;
                }
                p->pos++;
                while (p->pos < p->len && (p->s[p->pos] == 'i' || p->s[p->pos] == 'm'))
                    p->pos++;
                t->kind = TK_REGEX;
                t->at = start - 1;
                t->len = p->pos - t->at;
                return;
            }
        }
        bool escaped = p->pos > 0 && p->s[p->pos - 1] == '\\';
        if ((ch == '(' || ch == '[' || ch == '{') && !escaped)
            depth++;
        if ((ch == ')' || ch == ']' || ch == '}') && !escaped)
            depth--;
        p->pos++;
    }
    fail(p, start - 1, "no terminating / in the regular expression (S0302)");
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The next token into p->t. [infix]: an operand was just read, so a '/'
 * is division (jsonata-js reads a regular expression only otherwise). */
static void lex(ja *p, bool infix)
{
    tok *t = &p->t;
    memset(t, 0, sizeof *t);
    for (;;) {
        while (p->pos < p->len && is_space(p->s[p->pos]))
            p->pos++;
        if (p->pos + 1 < p->len && p->s[p->pos] == '/' && p->s[p->pos + 1] == '*') {
            size_t open = p->pos;
            p->pos += 2;
            while (p->pos + 1 < p->len && !(p->s[p->pos] == '*' && p->s[p->pos + 1] == '/'))
                p->pos++;
            if (p->pos + 1 >= p->len) {
                fail(p, open, "the comment has no closing */ (S0106)");
                t->kind = TK_END;
                t->at = p->len;
                return;
            }
            p->pos += 2;
            continue;
        }
        break;
    }
    t->at = p->pos;
    if (p->pos >= p->len) {
        t->kind = TK_END;
        return;
    }
    const char *s = p->s;
    char ch = s[p->pos], nx = p->pos + 1 < p->len ? s[p->pos + 1] : '\0';
    if (!infix && ch == '/') {
        p->pos++;
        scan_regex(p, t);
        return;
    }
    static const char *const two[] = {"..", ":=", "!=", ">=", "<=", "**", "~>", NULL};
    for (const char *const *o = two; *o; o++)
        if (ch == (*o)[0] && nx == (*o)[1]) {
            t->kind = TK_OP;
            memcpy(t->op, *o, 3);
            t->len = 2;
            p->pos += 2;
            return;
        }
    if (is_op_char(ch)) {
        t->kind = TK_OP;
        t->op[0] = ch;
        t->len = 1;
        p->pos++;
        return;
    }
    if (ch == '"' || ch == '\'') {
        char q = ch;
        size_t i = p->pos + 1;
        while (i < p->len) {
            char c2 = s[i];
            if (c2 == '\\') {
                char e = i + 1 < p->len ? s[i + 1] : '\0';
                if (e && strchr("\"\\/bfnrt", e)) {
                    i += 2;
                    continue;
                }
                if (e == 'u') {
                    for (int k = 0; k < 4; k++)
                        if (i + 2 + (size_t)k >= p->len || hexval(s[i + 2 + (size_t)k]) < 0) {
                            fail(p, i, "\\u must be followed by four hex digits (S0104)");
                            t->kind = TK_END;
                            return;
                        }
                    i += 6;
                    continue;
                }
                fail(p, i, "unsupported escape sequence \\%c (S0103)", e ? e : ' ');
                t->kind = TK_END;
                return;
            }
            if (c2 == q) {
                t->kind = TK_STRING;
                t->len = i + 1 - p->pos;
                p->pos = i + 1;
                return;
            }
            i++;
        }
        fail(p, p->pos, "the string is not closed by a matching quote (S0101)");
        t->kind = TK_END;
        return;
    }
    if (ch >= '0' && ch <= '9') {
        /* -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)? (the '-' is an operator) */
        size_t i = p->pos;
        if (s[i] == '0')
            i++;
        else
            while (i < p->len && s[i] >= '0' && s[i] <= '9')
                i++;
        if (i + 1 < p->len && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
            i++;
            while (i < p->len && s[i] >= '0' && s[i] <= '9')
                i++;
        }
        if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
            size_t j = i + 1;
            if (j < p->len && (s[j] == '+' || s[j] == '-'))
                j++;
            if (j < p->len && s[j] >= '0' && s[j] <= '9') {
                while (j < p->len && s[j] >= '0' && s[j] <= '9')
                    j++;
                i = j;
            }
        }
        char buf[64];
        size_t n = i - p->pos < sizeof buf - 1 ? i - p->pos : sizeof buf - 1;
        memcpy(buf, s + p->pos, n);
        buf[n] = '\0';
        if (isinf(strtod(buf, NULL))) {
            fail(p, p->pos, "the number %s is out of range (S0102)", buf);
            t->kind = TK_END;
            return;
        }
        t->kind = TK_NUMBER;
        t->len = i - p->pos;
        p->pos = i;
        return;
    }
    if (ch == '`') {
        const char *end = memchr(s + p->pos + 1, '`', p->len - p->pos - 1);
        if (!end) {
            fail(p, p->pos, "the quoted name is not closed by a backquote (S0105)");
            t->kind = TK_END;
            p->pos = p->len;
            return;
        }
        t->kind = TK_NAME;
        t->at = p->pos + 1;
        t->len = (size_t)(end - (s + p->pos + 1));
        p->pos = (size_t)(end - s) + 1;
        return;
    }
    size_t i = p->pos;
    while (i < p->len && !is_space(s[i]) && !is_op_char(s[i]))
        i++;
    size_t n = i - p->pos;
    if (ch == '$') {
        t->kind = TK_VAR;
        t->at = p->pos + 1;
        t->len = n - 1;
        p->pos = i;
        return;
    }
    t->len = n;
    p->pos = i;
    if ((n == 2 && memcmp(s + t->at, "or", 2) == 0) || (n == 2 && memcmp(s + t->at, "in", 2) == 0) ||
        (n == 3 && memcmp(s + t->at, "and", 3) == 0)) {
        t->kind = TK_OP;
        memcpy(t->op, s + t->at, n);
        t->op[n] = '\0';
        return;
    }
    if ((n == 4 && memcmp(s + t->at, "true", 4) == 0) || (n == 5 && memcmp(s + t->at, "false", 5) == 0) ||
        (n == 4 && memcmp(s + t->at, "null", 4) == 0)) {
        t->kind = TK_VALUE;
        return;
    }
    t->kind = TK_NAME;
}

/* ==== The parser ======================================================== */

/* The operators jsonata-js registers, with their left binding power.
 * An operator character it does not register ('!', '~') is an error. */
static bool op_known(const char *op, int *lbp)
{
    static const struct {
        const char *op;
        int lbp;
    } tab[] = {
        {".", 75},  {"[", 80},  {"]", 0},  {"{", 70},   {"}", 0},   {"(", 80},  {")", 0},
        {",", 0},   {"@", 80},  {"#", 80}, {";", 0},    {":", 0},   {"?", 20},  {"+", 50},
        {"-", 50},  {"*", 60},  {"/", 60}, {"%", 60},   {"|", 0},   {"=", 40},  {"<", 40},
        {">", 40},  {"^", 40},  {"**", 0}, {"..", 0},   {":=", 10}, {"!=", 40}, {"<=", 40},
        {">=", 40}, {"~>", 40}, {"&", 50}, {"and", 30}, {"or", 25}, {"in", 40},
    };
    for (size_t k = 0; k < sizeof tab / sizeof *tab; k++)
        if (strcmp(tab[k].op, op) == 0) {
            *lbp = tab[k].lbp;
            return true;
        }
    return false;
}

static int lbp(const ja *p)
{
    int b = 0;
    if (p->t.kind == TK_OP)
        op_known(p->t.op, &b);
    return b;
}

/* jsonata-js's advance(): check the current token is [id] (when given),
 * then read the next one. */
static void advance(ja *p, const char *id, bool infix)
{
    if (p->failed)
        return;
    if (id && !tok_is(&p->t, id)) {
        char buf[64];
        if (p->t.kind == TK_END)
            fail(p, p->t.at, "expected '%s' before the end of the expression (S0203)", id);
        else
            fail(p, p->t.at, "expected '%s', found %s (S0202)", id, tok_text(p, &p->t, buf, sizeof buf));
        return;
    }
    lex(p, infix);
    if (!p->failed && p->t.kind == TK_OP) {
        int b;
        if (!op_known(p->t.op, &b))
            fail(p, p->t.at, "unknown operator '%s' (S0204)", p->t.op);
    }
}

static jnode expression(ja *p, int rbp);

static jnode mk(jn_type type, size_t at, size_t len)
{
    jnode n = {type, false, false, false, at, len};
    return n;
}

static void bind(ja *p, const jnode *v)
{
    if (v->type == JN_VAR && p->nbound < (int)(sizeof p->bound / sizeof *p->bound)) {
        p->bound[p->nbound].at = v->at;
        p->bound[p->nbound].len = v->len;
        p->nbound++;
    }
}

static bool var_is(const ja *p, const jnode *n, const char *name)
{
    size_t k = strlen(name);
    return n->type == JN_VAR && n->len == k && memcmp(p->s + n->at, name, k) == 0;
}

static void note_context(ja *p, size_t at)
{
    if (p->nested == 0 && p->info->context_at == NOWHERE)
        p->info->context_at = at;
}

/* A lambda's optional signature <...> and its body { ... }. */
static void lambda_rest(ja *p)
{
    if (tok_is(&p->t, "<")) {
        int depth = 1;
        while (!p->failed && depth > 0 && !tok_is(&p->t, "{") && p->t.kind != TK_END) {
            advance(p, NULL, false);
            if (tok_is(&p->t, ">"))
                depth--;
            else if (tok_is(&p->t, "<"))
                depth++;
        }
        advance(p, ">", false);
    }
    advance(p, "{", false);
    p->nested++;
    expression(p, 0);
    p->nested--;
    advance(p, "}", false);
}

/* { key: value, ... }: an object constructor, or a group-by after a step. */
static void object_body(ja *p)
{
    if (!tok_is(&p->t, "}")) {
        for (;;) {
            expression(p, 0);
            advance(p, ":", false);
            expression(p, 0);
            if (p->failed || !tok_is(&p->t, ","))
                break;
            advance(p, ",", false);
        }
    }
    advance(p, "}", true);
}

static jnode nud(ja *p, const tok *t)
{
    char buf[64];
    switch (t->kind) {
    case TK_END: fail(p, t->at, "unexpected end of the expression (S0207)"); return mk(JN_END, t->at, 0);
    case TK_NAME: note_context(p, t->at); return mk(JN_NAME, t->at, t->len);
    case TK_STRING: return mk(JN_STRING, t->at, t->len);
    case TK_NUMBER: return mk(JN_NUMBER, t->at, t->len);
    case TK_VALUE: return mk(JN_VALUE, t->at, t->len);
    case TK_REGEX: return mk(JN_OTHER, t->at, t->len);
    case TK_VAR: {
        if (t->len == 0)
            note_context(p, t->at - 1);
        else if (t->len == 1 && p->s[t->at] == '$') {
            if (p->info->root_at == NOWHERE)
                p->info->root_at = t->at - 1;
        } else if (!(t->len == 6 && memcmp(p->s + t->at, "states", 6) == 0) &&
                   p->info->nrefs < (int)(sizeof p->info->refs / sizeof *p->info->refs)) {
            p->info->refs[p->info->nrefs].at = t->at;
            p->info->refs[p->info->nrefs].len = t->len;
            p->info->nrefs++;
        }
        return mk(JN_VAR, t->at, t->len);
    }
    case TK_OP: break;
    }
    const char *op = t->op;
    if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0 || strcmp(op, "in") == 0) {
        note_context(p, t->at); /* a keyword used as a field name */
        return mk(JN_NAME, t->at, t->len);
    }
    if (strcmp(op, "-") == 0) {
        expression(p, 70);
        return mk(JN_OTHER, t->at, 0);
    }
    if (strcmp(op, "*") == 0 || strcmp(op, "**") == 0) {
        note_context(p, t->at);
        return mk(JN_OTHER, t->at, 0);
    }
    if (strcmp(op, "%") == 0) {
        /* The parent of a step. jsonata-js resolves it (or reports S0217)
         * after parsing, through rules not repeated here: accepted. */
        return mk(JN_OTHER, t->at, 0);
    }
    if (strcmp(op, "(") == 0) { /* a block: (expr; expr; ...) */
        while (!p->failed && !tok_is(&p->t, ")")) {
            expression(p, 0);
            if (!tok_is(&p->t, ";"))
                break;
            advance(p, ";", false);
        }
        advance(p, ")", true);
        return mk(JN_OTHER, t->at, 0);
    }
    if (strcmp(op, "[") == 0) { /* an array constructor, with ranges a..b */
        if (!tok_is(&p->t, "]")) {
            for (;;) {
                expression(p, 0);
                if (tok_is(&p->t, "..")) {
                    advance(p, "..", false);
                    expression(p, 0);
                }
                if (p->failed || !tok_is(&p->t, ","))
                    break;
                advance(p, ",", false);
            }
        }
        advance(p, "]", true);
        return mk(JN_OTHER, t->at, 0);
    }
    if (strcmp(op, "{") == 0) {
        object_body(p);
        return mk(JN_OTHER, t->at, 0);
    }
    if (strcmp(op, "|") == 0) { /* transform: | pattern | update [, delete] | */
        p->nested++;
        expression(p, 0);
        advance(p, "|", false);
        expression(p, 0);
        if (tok_is(&p->t, ",")) {
            advance(p, ",", false);
            expression(p, 0);
        }
        p->nested--;
        advance(p, "|", false);
        return mk(JN_OTHER, t->at, 0);
    }
    fail(p, t->at, "%s cannot start an expression (S0211)", tok_text(p, t, buf, sizeof buf));
    return mk(JN_OTHER, t->at, 0);
}

static jnode led(ja *p, const tok *t, jnode left)
{
    const char *op = t->op;
    if (strcmp(op, ".") == 0) {
        if (left.type == JN_NUMBER || left.type == JN_VALUE) {
            fail(p, left.at, "the literal value %.*s cannot be a step of a path (S0213)", (int)left.len,
                 p->s + left.at);
            return left;
        }
        p->nested++;
        jnode right = expression(p, 75);
        p->nested--;
        if (right.type == JN_NUMBER || right.type == JN_VALUE) {
            fail(p, right.at, "the literal value %.*s cannot be a step of a path (S0213)", (int)right.len,
                 p->s + right.at);
            return right;
        }
        if (var_is(p, &left, "states") && right.type == JN_NAME && !right.predicate && !right.group) {
            size_t n = right.len;
            const char *name = p->s + right.at;
            if (n == 6 && memcmp(name, "result", 6) == 0 && p->info->result_at == NOWHERE)
                p->info->result_at = left.at - 1;
            if (n == 11 && memcmp(name, "errorOutput", 11) == 0 && p->info->error_output_at == NOWHERE)
                p->info->error_output_at = left.at - 1;
        }
        jnode r = mk(JN_PATH, left.at, 0);
        return r;
    }
    if (strcmp(op, "[") == 0) { /* a predicate, or [] (keep arrays) */
        if (left.group) {
            fail(p, t->at, "a predicate cannot follow a grouping expression in a step (S0209)");
            return left;
        }
        if (tok_is(&p->t, "]")) {
            advance(p, "]", false);
            return left;
        }
        p->nested++;
        expression(p, 0);
        p->nested--;
        advance(p, "]", true);
        left.predicate = true;
        return left;
    }
    if (strcmp(op, "{") == 0) { /* group-by */
        if (left.group) {
            fail(p, t->at, "each step can have only one grouping expression (S0210)");
            return left;
        }
        p->nested++;
        object_body(p);
        p->nested--;
        left.group = true;
        return left;
    }
    if (strcmp(op, "(") == 0) { /* a function call, a partial application or a lambda */
        bool lambda =
            left.type == JN_NAME && ((left.len == 8 && memcmp(p->s + left.at, "function", 8) == 0) ||
                                     (left.len == 2 && memcmp(p->s + left.at, "\xce\xbb", 2) == 0));
        if (lambda && p->info->context_at == left.at)
            p->info->context_at = NOWHERE; /* "function" is a keyword here, not a field */
        if (var_is(p, &left, "eval") && p->info->eval_at == NOWHERE)
            p->info->eval_at = left.at - 1;
        if (!tok_is(&p->t, ")")) {
            for (;;) {
                if (tok_is(&p->t, "?")) {
                    advance(p, "?", false);
                } else {
                    jnode a = expression(p, 0);
                    if (lambda) {
                        if (a.type != JN_VAR) {
                            fail(p, a.at,
                                 "the parameters of a function definition must be variables "
                                 "such as $x (S0208)");
                            return left;
                        }
                        bind(p, &a);
                    }
                }
                if (p->failed || !tok_is(&p->t, ","))
                    break;
                advance(p, ",", false);
            }
        }
        advance(p, ")", true);
        if (lambda && !p->failed)
            lambda_rest(p);
        return mk(JN_OTHER, left.at, 0);
    }
    if (strcmp(op, "?") == 0) { /* condition ? then : else */
        if (tok_is(&p->t, ":") || tok_is(&p->t, "?")) {
            fail(p, t->at,
                 "'?%s' is an operator of JSONata 2.1; Step Functions runs JSONata 2.0.6 (write "
                 "'a ? a : b' or use $exists)",
                 p->t.op);
            return left;
        }
        expression(p, 0);
        if (tok_is(&p->t, ":")) {
            advance(p, ":", false);
            expression(p, 0);
        }
        return mk(JN_OTHER, left.at, 0);
    }
    if (strcmp(op, "^") == 0) { /* order-by: ^(<a, >b) */
        advance(p, "(", false);
        p->nested++;
        for (;;) {
            if (tok_is(&p->t, "<"))
                advance(p, "<", false);
            else if (tok_is(&p->t, ">"))
                advance(p, ">", false);
            expression(p, 0);
            if (p->failed || !tok_is(&p->t, ","))
                break;
            advance(p, ",", false);
        }
        p->nested--;
        advance(p, ")", false);
        left.sorted = true;
        return left;
    }
    if (strcmp(op, "@") == 0 || strcmp(op, "#") == 0) { /* focus / index variable binding */
        if (strcmp(op, "@") == 0 && left.predicate) {
            fail(p, t->at, "a context variable binding must come before any predicate on a step (S0215)");
            return left;
        }
        if (strcmp(op, "@") == 0 && left.sorted) {
            fail(p, t->at,
                 "a context variable binding must come before the order-by clause of a step (S0216)");
            return left;
        }
        jnode v = expression(p, 80);
        if (!p->failed && v.type != JN_VAR) {
            fail(p, v.at, "'%s' must be followed by a variable such as $x (S0214)", op);
            return left;
        }
        bind(p, &v);
        return left;
    }
    if (strcmp(op, ":=") == 0) {
        if (left.type != JN_VAR || left.predicate || left.group) {
            fail(p, left.at, "the left side of ':=' must be a variable such as $x (S0212)");
            return left;
        }
        bind(p, &left);
        expression(p, 9); /* right-associative */
        return mk(JN_OTHER, left.at, 0);
    }
    int b = 0;
    op_known(op, &b);
    if (b == 0) {
        char buf[64];
        fail(p, t->at, "syntax error: %s (S0201)", tok_text(p, t, buf, sizeof buf));
        return left;
    }
    expression(p, b);
    return mk(JN_OTHER, left.at, 0);
}

/* Pratt's loop, read exactly as jsonata-js reads it: the token after an
 * operand is read in infix mode (a '/' there divides). */
static jnode expression(ja *p, int rbp)
{
    if (p->failed)
        return mk(JN_OTHER, p->t.at, 0);
    if (++p->depth > MAX_JA_DEPTH) {
        fail(p, p->t.at, "the expression is nested too deeply");
        p->depth--;
        return mk(JN_OTHER, p->t.at, 0);
    }
    tok t = p->t;
    advance(p, NULL, true);
    jnode left = nud(p, &t);
    while (!p->failed && rbp < lbp(p)) {
        tok o = p->t;
        advance(p, NULL, false);
        left = led(p, &o, left);
    }
    p->depth--;
    return left;
}

/* JSONata 2.0.6's built-in functions and the ones Step Functions adds:
 * a reference to one of these is not a variable. */
static bool is_builtin(const char *s, size_t n)
{
    static const char *const names[] = {
        "sum", "count", "max", "min", "average", "string", "substring", "substringBefore", "substringAfter",
        "lowercase", "uppercase", "length", "trim", "pad", "match", "contains", "replace", "split", "join",
        "formatNumber", "formatBase", "formatInteger", "parseInteger", "number", "floor", "ceil", "round",
        "abs", "sqrt", "power", "random", "millis", "toMillis", "fromMillis", "now", "boolean", "not",
        "exists", "append", "sort", "reverse", "shuffle", "distinct", "zip", "keys", "lookup", "spread",
        "merge", "each", "sift", "error", "assert", "type", "map", "filter", "single", "reduce",
        "base64encode", "base64decode", "encodeUrlComponent", "encodeUrl", "decodeUrlComponent", "decodeUrl",
        "eval", "clone",
        /* Step Functions */
        "partition", "range", "hash", "uuid", "parse", NULL};
    for (const char *const *k = names; *k; k++)
        if (strlen(*k) == n && memcmp(*k, s, n) == 0)
            return true;
    return false;
}

bool check_jsonata_parse(const char *text, size_t len, check_ja_info *info)
{
    memset(info, 0, sizeof *info);
    info->context_at = info->root_at = info->result_at = info->error_output_at = info->eval_at = NOWHERE;
    ja p = {0};
    p.s = text;
    p.len = len;
    p.info = info;
    lex(&p, false);
    if (!p.failed) {
        int b;
        if (p.t.kind == TK_OP && !op_known(p.t.op, &b))
            fail(&p, p.t.at, "unknown operator '%s' (S0204)", p.t.op);
    }
    expression(&p, 0);
    if (!p.failed && p.t.kind != TK_END) {
        char buf[64];
        fail(&p, p.t.at, "syntax error: %s (S0201)", tok_text(&p, &p.t, buf, sizeof buf));
    }
    /* Keep only free references: not bound in the expression, not a
     * built-in function. */
    int k = 0;
    for (int i = 0; i < info->nrefs; i++) {
        const char *name = text + info->refs[i].at;
        size_t n = info->refs[i].len;
        bool bound = is_builtin(name, n);
        for (int j = 0; !bound && j < p.nbound; j++)
            bound = p.bound[j].len == n && memcmp(text + p.bound[j].at, name, n) == 0;
        if (!bound)
            info->refs[k++] = info->refs[i];
    }
    info->nrefs = k;
    return !p.failed;
}

/* ==== JSONata values in a definition ==================================== */

bool check_is_jsonata_string(const cJSON *v)
{
    if (!cJSON_IsString(v))
        return false;
    size_t n = strlen(v->valuestring);
    return n >= 4 && memcmp(v->valuestring, "{%", 2) == 0 && memcmp(v->valuestring + n - 2, "%}", 2) == 0;
}

static const char *name_of(const cJSON *v) { return v->string ? v->string : "value"; }

static void check_expression(check_ctx *c, const cJSON *v, unsigned flags)
{
    const char *s = v->valuestring;
    size_t n = strlen(s);
    check_ja_info info;
    unit *u = c->u;
    if (!check_jsonata_parse(s + 2, n - 4, &info)) {
        diag_at(u, DIAG_INVALID_JSONATA, check_str_off(u, v, 2 + info.error_at),
                "in \"%s\": invalid JSONata: %s", name_of(v), info.error);
        return;
    }
    if (info.context_at != NOWHERE)
        diag_at(u, DIAG_JSONATA_RESTRICTION, check_str_off(u, v, 2 + info.context_at),
                "in \"%s\": a JSONata expression cannot read the state input with '$' or an unqualified "
                "field name at its top level; use $states.input",
                name_of(v));
    if (info.root_at != NOWHERE)
        diag_at(u, DIAG_JSONATA_RESTRICTION, check_str_off(u, v, 2 + info.root_at),
                "in \"%s\": '$$' cannot be used in Step Functions JSONata; use $states.input or "
                "$states.context",
                name_of(v));
    /* AWS evaluates these to nothing where they are not provided, and the
     * state fails when it runs: warnings, not errors. */
    if (info.result_at != NOWHERE && !(flags & CHECK_JA_RESULT))
        diag_at(u, DIAG_UNAVAILABLE_STATES_FIELD, check_str_off(u, v, 2 + info.result_at),
                "in \"%s\": $states.result is only available in the \"Output\" and \"Assign\" of a Task, "
                "Map or Parallel state",
                name_of(v));
    if (info.error_output_at != NOWHERE && !(flags & CHECK_JA_ERROR_OUTPUT))
        diag_at(u, DIAG_UNAVAILABLE_STATES_FIELD, check_str_off(u, v, 2 + info.error_output_at),
                "in \"%s\": $states.errorOutput is only available in the \"Output\" and \"Assign\" of a "
                "catcher",
                name_of(v));
    if (info.eval_at != NOWHERE)
        diag_at(u, DIAG_UNSUPPORTED_FUNCTION, check_str_off(u, v, 2 + info.eval_at),
                "in \"%s\": Step Functions does not provide $eval; use $parse", name_of(v));
    for (int i = 0; i < info.nrefs; i++)
        check_var_ref(c, s + 2 + info.refs[i].at, info.refs[i].len,
                      check_str_off(u, v, 2 + info.refs[i].at - 1));
}

void check_jsonata_value(check_ctx *c, const cJSON *v, unsigned flags)
{
    if (!v)
        return;
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        const cJSON *e;
        cJSON_ArrayForEach (e, v) {
            if (cJSON_IsObject(v)) {
                size_t n = strlen(e->string);
                if (n > 2 && strcmp(e->string + n - 2, ".$") == 0)
                    diag_key(
                        c->u, DIAG_DOLLAR_KEY_IN_JSONATA, e,
                        "\"%s\": in a JSONata state a key ending in \".$\" is kept as it is; the value is "
                        "not a path (write \"%.*s\": \"{%% ... %%}\")",
                        e->string, (int)(n - 2), e->string);
            }
            check_jsonata_value(c, e, flags);
        }
        return;
    }
    if (check_is_jsonata_string(v)) {
        check_expression(c, v, flags);
        return;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        size_t n = strlen(s), lead = strspn(s, " \t\r\n");
        bool opens = strncmp(s + lead, "{%", 2) == 0;
        size_t end = n;
        while (end > 0 && strchr(" \t\r\n", s[end - 1]))
            end--;
        bool closes = end >= 2 && strncmp(s + end - 2, "%}", 2) == 0;
        if (opens && closes && end - lead >= 4)
            diag_val(c->u, DIAG_MALFORMED_JSONATA, v,
                     "\"%s\" is not evaluated: a JSONata expression must start with \"{%%\" and end with "
                     "\"%%}\" with nothing around them",
                     name_of(v));
        else if (opens && !closes && strstr(s, "%}") == NULL)
            diag_val(
                c->u, DIAG_MALFORMED_JSONATA, v,
                "\"%s\" starts like a JSONata expression but has no closing \"%%}\": it is a plain string",
                name_of(v));
    }
}

/* ==== JSONata states ==================================================== */

/* Fields only JSONPath states have, and what replaces them in JSONata. */
static const char *jsonpath_replacement(const char *f)
{
    static const char *const map[][2] = {
        {"InputPath", "\"Arguments\" with $states.input"},
        {"Parameters", "\"Arguments\""},
        {"ResultSelector", "\"Output\""},
        {"ResultPath", "\"Output\""},
        {"OutputPath", "\"Output\""},
        {"Result", "\"Output\""},
        {"ItemsPath", "\"Items\""},
        {"SecondsPath", "\"Seconds\" with a JSONata expression"},
        {"TimestampPath", "\"Timestamp\" with a JSONata expression"},
        {"TimeoutSecondsPath", "\"TimeoutSeconds\" with a JSONata expression"},
        {"HeartbeatSecondsPath", "\"HeartbeatSeconds\" with a JSONata expression"},
        {"ErrorPath", "\"Error\" with a JSONata expression"},
        {"CausePath", "\"Cause\" with a JSONata expression"},
        {"MaxConcurrencyPath", "\"MaxConcurrency\" with a JSONata expression"},
        {"ToleratedFailureCountPath", "\"ToleratedFailureCount\" with a JSONata expression"},
        {"ToleratedFailurePercentagePath", "\"ToleratedFailurePercentage\" with a JSONata expression"},
        {"MaxItemsPath", "\"MaxItems\" with a JSONata expression"},
        {"MaxItemsPerBatchPath", "\"MaxItemsPerBatch\" with a JSONata expression"},
        {"MaxInputBytesPerBatchPath", "\"MaxInputBytesPerBatch\" with a JSONata expression"},
        {"Variable", "\"Condition\""},
    };
    for (size_t k = 0; k < sizeof map / sizeof *map; k++)
        if (strcmp(map[k][0], f) == 0)
            return map[k][1];
    return NULL;
}

static bool listed(const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(key, *list) == 0)
            return true;
    return false;
}

/* Like check_fields(), with JSONata's wording for JSONPath-only fields. */
static void ja_fields(check_ctx *c, const cJSON *obj, const char *const *allowed, const char *where)
{
    const cJSON *m;
    cJSON_ArrayForEach (m, obj) {
        if (listed(m->string, allowed))
            continue;
        const char *rep = jsonpath_replacement(m->string);
        if (rep)
            diag_key(c->u, DIAG_FIELD_NOT_ALLOWED, m,
                     "\"%s\" is a JSONPath field and cannot be used in %s (\"QueryLanguage\": \"JSONata\"); "
                     "use %s",
                     m->string, where, rep);
        else if (listed(m->string, check_any_state_fields()))
            diag_key(c->u, DIAG_FIELD_NOT_ALLOWED, m, "\"%s\" is not allowed in %s", m->string, where);
        else
            diag_key(c->u, DIAG_UNKNOWN_FIELD, m, "unknown field \"%s\" in %s", m->string, where);
    }
}

/* An integer in [lo, hi], or a JSONata string that must evaluate to one. */
static bool ja_int(check_ctx *c, const cJSON *v, long long lo, long long hi, diag_code code)
{
    if (!v)
        return false;
    if (check_is_jsonata_string(v)) {
        check_jsonata_value(c, v, 0);
        return false;
    }
    if (!cJSON_IsNumber(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v,
                 "\"%s\" must be an integer or a JSONata expression \"{%% ... %%}\", found %s", name_of(v),
                 cJSON_IsString(v) ? "a string that is not one" : check_type_name(v));
        return false;
    }
    return check_int_range(c, v, lo, hi, code);
}

/* A string, either literal or a JSONata string. */
static void ja_string(check_ctx *c, const cJSON *v)
{
    if (v && check_string(c, v))
        check_jsonata_value(c, v, 0);
}

/* An object, or a JSONata string that evaluates to one ("Arguments"). */
static void ja_object_or_expr(check_ctx *c, const cJSON *v, unsigned flags)
{
    if (!v)
        return;
    if (!cJSON_IsObject(v) && !check_is_jsonata_string(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v,
                 "\"%s\" must be an object or a JSONata expression \"{%% ... %%}\", found %s", name_of(v),
                 cJSON_IsString(v) ? "a string that is not one" : check_type_name(v));
        return;
    }
    check_jsonata_value(c, v, flags);
}

static void ja_assign(check_ctx *c, const cJSON *v, unsigned flags)
{
    if (!v)
        return;
    if (!cJSON_IsObject(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v, "\"Assign\" must be an object of variable names, found %s",
                 check_type_name(v));
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach (m, v) {
        check_var_assign(c, m, false);
        check_jsonata_value(c, m, flags);
    }
}

static void ja_resource(check_ctx *c, const cJSON *st)
{
    const cJSON *res = check_get(st, "Resource");
    if (!res) {
        diag_key(c->u, DIAG_MISSING_FIELD, st, "Task state \"%s\" has no \"Resource\"", st->string);
        return;
    }
    if (!check_string(c, res))
        return;
    /* A URI: scheme ':' something (as check_task.c reads a JSONPath Task's). */
    const char *s = res->valuestring, *q = s;
    bool ok = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z');
    if (ok) {
        for (q++; *q && *q != ':'; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
                  *q == '+' || *q == '-' || *q == '.')) {
                ok = false;
                break;
            }
        ok = ok && q[0] == ':' && q[1] != '\0';
    }
    if (!ok) {
        diag_val(c->u, DIAG_INVALID_RESOURCE, res,
                 "\"Resource\" must be a URI such as \"arn:aws:states:::lambda:invoke\", found \"%s\"", s);
        return;
    }
    int colons = 0;
    for (q = s; *q; q++)
        colons += *q == ':';
    if (strncmp(s, "arn:", 4) != 0 || colons < 5)
        diag_val(c->u, DIAG_RESOURCE_NOT_ARN, res,
                 "\"Resource\" \"%s\" is a URI but not an AWS ARN "
                 "(arn:partition:service:region:account:resource); "
                 "AWS refuses it when the state machine is created",
                 s);
}

/* Retry and Catch of a JSONata state: check_task.c's one checker, with a
 * JSONata catcher's own fields (Output, no ResultPath). */
static void ja_retry_catch(check_ctx *c, check_scope *scope, const cJSON *st)
{
    static const char *const fields[] = {"ErrorEquals", "Next", "Output", "Assign", "Comment", NULL};
    const cJSON *catch_ = check_get(st, "Catch"), *k;
    check_retriers(c, check_get(st, "Retry"));
    if (!catch_ || !check_array(c, catch_))
        return;
    cJSON_ArrayForEach (k, catch_) {
        if (!check_catcher_common(c, scope, k, k->next == NULL))
            continue;
        ja_fields(c, k, fields, "a JSONata catcher");
        check_jsonata_value(c, check_get(k, "Output"), CHECK_JA_ERROR_OUTPUT);
        ja_assign(c, check_get(k, "Assign"), CHECK_JA_ERROR_OUTPUT);
    }
}

static void ja_choice(check_ctx *c, check_scope *scope, const cJSON *st)
{
    const cJSON *choices = check_get(st, "Choices");
    if (!choices) {
        diag_key(c->u, DIAG_MISSING_FIELD, st, "Choice state \"%s\" has no \"Choices\"", st->string);
    } else if (check_array(c, choices)) {
        if (cJSON_GetArraySize(choices) == 0)
            diag_val(c->u, DIAG_INVALID_CHOICE_RULE, choices, "\"Choices\" must hold at least one rule");
        static const char *const fields[] = {"Condition", "Next", "Output", "Assign", "Comment", NULL};
        const cJSON *r;
        cJSON_ArrayForEach (r, choices) {
            if (!cJSON_IsObject(r)) {
                diag_val(c->u, DIAG_INVALID_CHOICE_RULE, r, "a Choice rule must be an object, found %s",
                         check_type_name(r));
                continue;
            }
            const cJSON *m;
            cJSON_ArrayForEach (m, r) {
                if (listed(m->string, fields))
                    continue;
                if (strcmp(m->string, "Variable") == 0 || strcmp(m->string, "And") == 0 ||
                    strcmp(m->string, "Or") == 0 || strcmp(m->string, "Not") == 0 ||
                    check_choice_op(m->string))
                    diag_key(c->u, DIAG_FIELD_NOT_ALLOWED, m,
                             "\"%s\" belongs to JSONPath Choice rules; a JSONata rule tests \"Condition\"",
                             m->string);
                else
                    diag_key(c->u, DIAG_UNKNOWN_FIELD, m, "unknown field \"%s\" in a JSONata Choice rule",
                             m->string);
            }
            const cJSON *cond = check_get(r, "Condition");
            if (!cond)
                diag_val(c->u, DIAG_INVALID_CHOICE_RULE, r, "a JSONata Choice rule needs \"Condition\"");
            else if (check_is_jsonata_string(cond))
                check_jsonata_value(c, cond, 0);
            else if (!cJSON_IsBool(cond))
                diag_val(c->u, DIAG_INVALID_CHOICE_RULE, cond,
                         "\"Condition\" must be a boolean or a JSONata expression \"{%% ... %%}\", found %s",
                         cJSON_IsString(cond) ? "a string that is not one" : check_type_name(cond));
            const cJSON *next = check_get(r, "Next");
            if (next)
                check_target(c, scope, next, "Next");
            else
                diag_val(c->u, DIAG_INVALID_CHOICE_RULE, r, "a top-level Choice rule needs \"Next\"");
            if ((m = check_get(r, "Comment")))
                check_string(c, m);
            check_jsonata_value(c, check_get(r, "Output"), 0);
            ja_assign(c, check_get(r, "Assign"), 0);
        }
    }
    const cJSON *def = check_get(st, "Default");
    if (def)
        check_target(c, scope, def, "Default");
}

static void ja_wait(check_ctx *c, const cJSON *st)
{
    const cJSON *sec = check_get(st, "Seconds"), *ts = check_get(st, "Timestamp");
    if (sec && ts)
        check_exclusive(c, sec, ts);
    else if (!sec && !ts)
        diag_key(c->u, DIAG_MISSING_FIELD, st, "Wait state \"%s\" needs \"Seconds\" or \"Timestamp\"",
                 st->string);
    ja_int(c, sec, 0, 99999999LL, DIAG_INVALID_VALUE);
    if (ts && check_string(c, ts)) {
        if (check_is_jsonata_string(ts)) {
            check_jsonata_value(c, ts, 0);
        } else {
            long long s;
            long ns;
            if (!rt_parse_timestamp(ts->valuestring, &s, &ns))
                diag_val(
                    c->u, DIAG_INVALID_TIMESTAMP, ts,
                    "\"Timestamp\" \"%s\" is not an RFC 3339 timestamp such as 2016-03-14T01:59:00Z; the "
                    "state will fail when it runs",
                    ts->valuestring);
        }
    }
}

static void ja_task(check_ctx *c, const cJSON *st)
{
    ja_resource(c, st);
    ja_object_or_expr(c, check_get(st, "Arguments"), 0);
    const cJSON *to = check_get(st, "TimeoutSeconds"), *hb = check_get(st, "HeartbeatSeconds");
    bool to_ok = ja_int(c, to, 1, 99999999LL, DIAG_INVALID_VALUE);
    bool hb_ok = ja_int(c, hb, 1, 99999999LL, DIAG_INVALID_VALUE);
    if (to_ok && hb_ok && hb->valuedouble >= to->valuedouble)
        diag_val(c->u, DIAG_INVALID_VALUE, hb,
                 "\"HeartbeatSeconds\" (%.0f) must be less than \"TimeoutSeconds\" (%.0f)", hb->valuedouble,
                 to->valuedouble);
    const cJSON *cred = check_get(st, "Credentials");
    if (cred) {
        if (!cJSON_IsObject(cred))
            diag_val(c->u, DIAG_WRONG_TYPE, cred,
                     "\"Credentials\" must be an object such as {\"RoleArn\": \"...\"}, found %s",
                     check_type_name(cred));
        else
            check_jsonata_value(c, cred, 0);
    }
}

static void ja_item_reader(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {"Resource", "Arguments", "ReaderConfig", NULL};
    static const char *const cfg_fields[] = {"InputType", "CSVHeaderLocation", "CSVHeaders",   "CSVDelimiter",
                                             "MaxItems",  "ManifestType",      "ItemsPointer", NULL};
    if (!v || !check_object(c, v))
        return;
    ja_fields(c, v, fields, "a JSONata \"ItemReader\"");
    const cJSON *res = check_get(v, "Resource");
    if (!res)
        diag_key(c->u, DIAG_INVALID_MAP, v, "\"ItemReader\" needs \"Resource\"");
    else
        check_string(c, res);
    ja_object_or_expr(c, check_get(v, "Arguments"), 0);
    const cJSON *cfg = check_get(v, "ReaderConfig");
    if (cfg && check_object(c, cfg)) {
        ja_fields(c, cfg, cfg_fields, "a JSONata \"ReaderConfig\"");
        ja_int(c, check_get(cfg, "MaxItems"), 1, 100000000LL, DIAG_INVALID_MAP);
        const cJSON *e;
        if ((e = check_get(cfg, "CSVHeaders")) && check_array(c, e)) {
            const cJSON *h;
            cJSON_ArrayForEach (h, e)
                check_string(c, h);
        }
        check_reader_config_values(c, cfg);
    }
}

static void ja_result_writer(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {"Resource", "Arguments", "WriterConfig", NULL};
    static const char *const cfg_fields[] = {"OutputType", "Transformation", NULL};
    static const char *const outputs[] = {"JSON", "JSONL", NULL};
    static const char *const transforms[] = {"NONE", "COMPACT", "FLATTEN", NULL};
    if (!v || !check_object(c, v))
        return;
    ja_fields(c, v, fields, "a JSONata \"ResultWriter\"");
    const cJSON *res = check_get(v, "Resource");
    if (!res)
        diag_key(c->u, DIAG_INVALID_MAP, v, "\"ResultWriter\" needs \"Resource\"");
    else
        check_string(c, res);
    ja_object_or_expr(c, check_get(v, "Arguments"), 0);
    const cJSON *cfg = check_get(v, "WriterConfig");
    if (cfg && check_object(c, cfg)) {
        check_fields(c, cfg, cfg_fields, NULL, "\"WriterConfig\"");
        const cJSON *o = check_get(cfg, "OutputType");
        if (!o)
            diag_key(c->u, DIAG_INVALID_MAP, cfg, "\"WriterConfig\" needs \"OutputType\"");
        else
            check_enum(c, o, outputs, DIAG_INVALID_MAP);
        check_enum(c, check_get(cfg, "Transformation"), transforms, DIAG_INVALID_MAP);
    }
}

static void ja_item_batcher(check_ctx *c, const cJSON *v)
{
    static const char *const fields[] = {"MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput", NULL};
    if (!v || !check_object(c, v))
        return;
    ja_fields(c, v, fields, "a JSONata \"ItemBatcher\"");
    const cJSON *items = check_get(v, "MaxItemsPerBatch"), *bytes = check_get(v, "MaxInputBytesPerBatch");
    ja_int(c, items, 1, 9000000000000000000LL, DIAG_INVALID_MAP);
    ja_int(c, bytes, 1, 262144, DIAG_INVALID_MAP);
    check_jsonata_value(c, check_get(v, "BatchInput"), 0);
    if (!items && !bytes)
        diag_key(c->u, DIAG_INVALID_MAP, v,
                 "\"ItemBatcher\" needs \"MaxItemsPerBatch\" or \"MaxInputBytesPerBatch\"");
}

static void ja_map(check_ctx *c, check_scope *scope, const cJSON *st)
{
    const cJSON *it = check_get(st, "Iterator"), *proc = check_get(st, "ItemProcessor");
    if (!it && !proc)
        diag_key(c->u, DIAG_INVALID_MAP, st,
                 "Map state \"%s\" needs \"ItemProcessor\" (or the older \"Iterator\")", st->string);
    check_exclusive(c, it, proc);
    if (it)
        check_machine(c, it, CHECK_ITERATOR, scope, c->top_jsonata);
    if (proc)
        check_machine(c, proc, CHECK_PROCESSOR, scope, c->top_jsonata);
    const cJSON *items = check_get(st, "Items");
    if (items) {
        if (cJSON_IsArray(items) || check_is_jsonata_string(items))
            check_jsonata_value(c, items, 0);
        else
            diag_val(c->u, DIAG_WRONG_TYPE, items,
                     "\"Items\" must be an array or a JSONata expression \"{%% ... %%}\", found %s",
                     cJSON_IsString(items) ? "a string that is not one" : check_type_name(items));
    }
    check_jsonata_value(c, check_get(st, "ItemSelector"), 0);
    ja_int(c, check_get(st, "MaxConcurrency"), 0, 9000000000000000000LL, DIAG_INVALID_MAP);
    ja_int(c, check_get(st, "ToleratedFailureCount"), 0, 9000000000000000000LL, DIAG_INVALID_MAP);
    const cJSON *pct = check_get(st, "ToleratedFailurePercentage");
    if (pct) {
        if (check_is_jsonata_string(pct))
            check_jsonata_value(c, pct, 0);
        else if (!cJSON_IsNumber(pct))
            diag_val(c->u, DIAG_WRONG_TYPE, pct,
                     "\"ToleratedFailurePercentage\" must be a number or a JSONata expression, found %s",
                     check_type_name(pct));
        else if (pct->valuedouble < 0 || pct->valuedouble > 100)
            diag_val(c->u, DIAG_INVALID_MAP, pct,
                     "\"ToleratedFailurePercentage\" must be between 0 and 100, found %g", pct->valuedouble);
    }
    const cJSON *label = check_get(st, "Label");
    if (label)
        check_string(c, label);
    ja_item_reader(c, check_get(st, "ItemReader"));
    ja_result_writer(c, check_get(st, "ResultWriter"));
    ja_item_batcher(c, check_get(st, "ItemBatcher"));
}

void check_jsonata_state(check_ctx *c, check_scope *scope, const cJSON *st, ir_state_kind kind)
{
    /* clang-format off */
    static const char *const pass[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "Output", "Assign", NULL};
    static const char *const task[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "Resource", "Arguments",
        "Output", "Assign", "TimeoutSeconds", "HeartbeatSeconds", "Credentials", "Retry", "Catch", NULL};
    static const char *const choice[] = {"Type", "Comment", "QueryLanguage", "Choices", "Default", "Output",
        "Assign", NULL};
    static const char *const wait[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "Seconds", "Timestamp",
        "Output", "Assign", NULL};
    static const char *const succeed[] = {"Type", "Comment", "QueryLanguage", "Output", NULL};
    static const char *const fail_[] = {"Type", "Comment", "QueryLanguage", "Error", "Cause", NULL};
    static const char *const parallel[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "Branches",
        "Arguments", "Output", "Assign", "Retry", "Catch", NULL};
    static const char *const map[] = {"Type", "Comment", "QueryLanguage", "Next", "End", "ItemProcessor",
        "Iterator", "Items", "ItemSelector", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency",
        "ToleratedFailureCount", "ToleratedFailurePercentage", "Label", "Output", "Assign", "Retry", "Catch", NULL};
    /* clang-format on */
    static const char *const *const fields[IR_NUM_KINDS + 1] = {
        [IR_PASS] = pass,       [IR_TASK] = task,  [IR_CHOICE] = choice,     [IR_WAIT] = wait,
        [IR_SUCCEED] = succeed, [IR_FAIL] = fail_, [IR_PARALLEL] = parallel, [IR_MAP] = map,
    };
    static const char *const where[IR_NUM_KINDS + 1] = {
        [IR_PASS] = "a JSONata Pass state",         [IR_TASK] = "a JSONata Task state",
        [IR_CHOICE] = "a JSONata Choice state",     [IR_WAIT] = "a JSONata Wait state",
        [IR_SUCCEED] = "a JSONata Succeed state",   [IR_FAIL] = "a JSONata Fail state",
        [IR_PARALLEL] = "a JSONata Parallel state", [IR_MAP] = "a JSONata Map state",
    };
    if (kind >= IR_NUM_KINDS || !fields[kind])
        return;
    ja_fields(c, st, fields[kind], where[kind]);
    const cJSON *v;
    if ((v = check_get(st, "Comment")))
        check_string(c, v);
    if (kind != IR_CHOICE && kind != IR_SUCCEED && kind != IR_FAIL)
        check_next_end(c, scope, st);
    bool has_result = kind == IR_TASK || kind == IR_MAP || kind == IR_PARALLEL;
    unsigned out_flags = has_result ? CHECK_JA_RESULT : 0;
    if (kind != IR_FAIL)
        check_jsonata_value(c, check_get(st, "Output"), out_flags);
    if (kind != IR_SUCCEED && kind != IR_FAIL)
        ja_assign(c, check_get(st, "Assign"), out_flags);
    switch (kind) {
    case IR_TASK:
        ja_task(c, st);
        ja_retry_catch(c, scope, st);
        break;
    case IR_CHOICE: ja_choice(c, scope, st); break;
    case IR_WAIT: ja_wait(c, st); break;
    case IR_FAIL:
        ja_string(c, check_get(st, "Error"));
        ja_string(c, check_get(st, "Cause"));
        break;
    case IR_PARALLEL: {
        ja_object_or_expr(c, check_get(st, "Arguments"), 0);
        ja_retry_catch(c, scope, st);
        const cJSON *br = check_get(st, "Branches");
        if (!br) {
            diag_key(c->u, DIAG_INVALID_PARALLEL, st, "Parallel state \"%s\" has no \"Branches\"",
                     st->string);
        } else if (check_array(c, br)) {
            const cJSON *b;
            cJSON_ArrayForEach (b, br)
                check_machine(c, b, CHECK_BRANCH, scope, c->top_jsonata);
        }
        break;
    }
    case IR_MAP:
        ja_map(c, scope, st);
        ja_retry_catch(c, scope, st);
        break;
    default: break;
    }
}
