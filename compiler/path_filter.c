/*
 * path_filter.c - JSONPath filters `[?(...)]`: comparisons (== != < <= >
 * >=) of paths and literals, existence tests (@.x, !@.x), && || and
 * parentheses, as Jayway JsonPath reads them. A path inside a filter is
 * parsed by path.c's segment parser, with the characters that end a
 * dot-notation name of a filter.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path_internal.h"

/* ==== Filters =========================================================== */

static bool word_at(const pparser *p, const char *w)
{
    size_t n = strlen(w);
    if (p->len - p->i < n || memcmp(p->s + p->i, w, n) != 0)
        return false;
    return !is_ident_char(at(p, p->i + n));
}

typedef struct operand {
    bool is_path;
    ir_path *path;
    bool negated; /* "!@.x" */
    ir_lit_kind lit;
    double num;
    const char *str;
    size_t at;
} operand;

/* A quoted string in a filter; escapes are decoded as Jayway's
 * Utils.unescape does. */
static const char *read_filter_string(pparser *p)
{
    char q = cur(p);
    size_t start = p->i++;
    char *out = arena_alloc(p->a, p->len - p->i + 1);
    size_t n = 0;
    while (p->i < p->len && p->s[p->i] != q) {
        char c = p->s[p->i++];
        if (c != '\\' || p->i >= p->len) {
            out[n++] = c;
            continue;
        }
        char e = p->s[p->i++];
        switch (e) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case 'f': out[n++] = '\f'; break;
        case 'b': out[n++] = '\b'; break;
        case 'u': {
            unsigned cp = 0;
            int k;
            for (k = 0; k < 4 && p->i < p->len; k++) {
                char h = p->s[p->i];
                int v = is_digit(h)              ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                 : -1;
                if (v < 0)
                    break;
                cp = cp * 16 + (unsigned)v;
                p->i++;
            }
            if (k < 4 || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                path_fail(p, DIAG_INVALID_JSONPATH, p->i, "invalid \\u escape in a filter string");
                return NULL;
            }
            if (cp < 0x80) {
                out[n++] = (char)cp;
            } else if (cp < 0x800) {
                out[n++] = (char)(0xC0 | (cp >> 6));
                out[n++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[n++] = (char)(0xE0 | (cp >> 12));
                out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: out[n++] = e; break;
        }
    }
    if (p->i >= p->len) {
        path_fail(p, DIAG_INVALID_JSONPATH, start, "unterminated string in a filter: no closing %c", q);
        return NULL;
    }
    p->i++;
    out[n] = '\0';
    return out;
}

static bool parse_operand(pparser *p, operand *o, const char *after)
{
    skip_blanks(p);
    memset(o, 0, sizeof *o);
    o->at = p->i;
    char c = cur(p);
    char buf[24];
    if (c == '!') {
        p->i++;
        skip_blanks(p);
        if (cur(p) != '@' && cur(p) != '$') {
            path_fail(p, DIAG_UNSUPPORTED_FEATURE, o->at,
                 "'!' in a filter can only negate a path, as in [?(!@.x)]");
            return false;
        }
        o->negated = true;
        c = cur(p);
    }
    if (c == '@' || c == '$') {
        o->is_path = true;
        o->path = path_parse_filter_path(p);
        return o->path != NULL;
    }
    if (c == '\'' || c == '"') {
        o->lit = IR_LIT_STRING;
        o->str = read_filter_string(p);
        return o->str != NULL;
    }
    if (word_at(p, "true")) {
        o->lit = IR_LIT_TRUE;
        p->i += 4;
        return true;
    }
    if (word_at(p, "false")) {
        o->lit = IR_LIT_FALSE;
        p->i += 5;
        return true;
    }
    if (word_at(p, "null")) {
        o->lit = IR_LIT_NULL;
        p->i += 4;
        return true;
    }
    if (c == '-' || is_digit(c)) {
        size_t s = p->i;
        switch (path_scan_number(p->s, p->len, &p->i, &o->num)) {
        case PATH_NUM_OK:
            o->lit = IR_LIT_NUMBER;
            return true;
        case PATH_NUM_NO_DIGITS:
            path_fail(p, DIAG_INVALID_JSONPATH, s, "invalid number in a filter");
            return false;
        case PATH_NUM_NO_FRACTION:
            path_fail(p, DIAG_INVALID_JSONPATH, s, "invalid number in a filter: a digit must follow '.'");
            return false;
        case PATH_NUM_BAD_EXPONENT:
            path_fail(p, DIAG_INVALID_JSONPATH, s, "invalid exponent in a filter number");
            return false;
        case PATH_NUM_TOO_LONG:
            path_fail(p, DIAG_INVALID_JSONPATH, s, "number too long in a filter");
            return false;
        case PATH_NUM_RANGE:
            path_fail(p, DIAG_INVALID_JSONPATH, s, "number out of range in a filter: " PATH_NUM_RANGE_WHY);
            return false;
        }
        return false; /* every case returned */
    }
    if (c == '{' || c == '[') {
        path_fail(p, DIAG_UNSUPPORTED_FEATURE, p->i, "JSON literals in filters are not supported");
        return false;
    }
    if (c == '/') {
        path_fail(p, DIAG_UNSUPPORTED_FEATURE, p->i, "regular expressions in filters are not supported");
        return false;
    }
    if (is_ident_start(c)) {
        /* [?(@.Name==Receipt)]: AWS accepts the definition (deployed
         * samples have it), but Jayway's FilterCompiler reads a bare word
         * as a number literal, fails on it, and so the path fails when it
         * is evaluated. check_payload.c makes this a warning for `aslc
         * check` and an error for the commands that run. */
        size_t end = p->i;
        while (end < p->len && is_ident_char(p->s[end]))
            end++;
        int n = (int)(end - p->i);
        path_fail(p, DIAG_UNREADABLE_FILTER, p->i,
                  "Jayway JsonPath (Step Functions' engine) reads the bare word '%.*s' as a number and fails: "
                  "AWS accepts the definition, but the path fails when evaluated; quote it",
                  n, p->s + p->i);
        return false;
    }
    path_fail(p, DIAG_INVALID_JSONPATH, p->i,
         "expected %s (a number, a 'quoted string', true, false, null or a path), found %s", after,
         path_show(p, p->i, buf, sizeof buf));
    return false;
}

static ir_filter *new_filter(pparser *p, ir_filter_op op)
{
    ir_filter *f = arena_new(p->a, ir_filter);
    f->op = op;
    return f;
}

static ir_filter *exists_of(pparser *p, const operand *o)
{
    ir_filter *f = new_filter(p, IR_F_EXISTS);
    f->lhs = o->path;
    if (!o->negated)
        return f;
    ir_filter *n = new_filter(p, IR_F_NOT);
    n->a = f;
    return n;
}

/* One test: "lhs" (existence) or "lhs op rhs". */
static ir_filter *parse_filter_test(pparser *p)
{
    operand l, r;
    if (!parse_operand(p, &l, "a path or a value"))
        return NULL;
    skip_blanks(p);
    size_t opat = p->i;
    ir_filter_op op;
    const char *opname;
    char c = cur(p), d = at(p, p->i + 1);
    if (c == '=' && d == '=') {
        op = IR_F_EQ, opname = "==";
        p->i += 2;
        if (cur(p) == '=') {
            path_fail(p, DIAG_UNSUPPORTED_FEATURE, opat, "the filter operator '===' is not supported; use '=='");
            return NULL;
        }
    } else if (c == '!' && d == '=') {
        op = IR_F_NE, opname = "!=";
        p->i += 2;
        if (cur(p) == '=') {
            path_fail(p, DIAG_UNSUPPORTED_FEATURE, opat, "the filter operator '!==' is not supported; use '!='");
            return NULL;
        }
    } else if (c == '<' && d == '=') {
        op = IR_F_LE, opname = "<=";
        p->i += 2;
    } else if (c == '>' && d == '=') {
        op = IR_F_GE, opname = ">=";
        p->i += 2;
    } else if (c == '<') {
        op = IR_F_LT, opname = "<";
        p->i++;
    } else if (c == '>') {
        op = IR_F_GT, opname = ">";
        p->i++;
    } else if (c == '=' && d == '~') {
        path_fail(p, DIAG_UNSUPPORTED_FEATURE, opat,
             "the filter operator '=~' (regular expression) is not supported");
        return NULL;
    } else if (c == '=') {
        path_fail(p, DIAG_INVALID_JSONPATH, opat, "'=' is not a filter operator; use '=='");
        return NULL;
    } else {
        static const char *const words[] = {"in",     "nin",  "subsetof", "anyof",
                                            "noneof", "size", "empty",    "contains"};
        for (size_t k = 0; k < sizeof words / sizeof *words; k++)
            if (word_at(p, words[k])) {
                path_fail(p, DIAG_UNSUPPORTED_FEATURE, opat, "the filter operator '%s' is not supported",
                     words[k]);
                return NULL;
            }
        /* No operator: an existence test. */
        if (!l.is_path) {
            path_fail(p, DIAG_INVALID_JSONPATH, l.at,
                 "a filter test needs a path, as in [?(@.x)] or [?(@.x > 1)]");
            return NULL;
        }
        return exists_of(p, &l);
    }
    if (l.negated) {
        path_fail(p, DIAG_UNSUPPORTED_FEATURE, l.at,
             "'!' in a filter can only negate a path on its own, as in [?(!@.x)]");
        return NULL;
    }
    char what[40];
    snprintf(what, sizeof what, "a value after '%s'", opname);
    if (!parse_operand(p, &r, what))
        return NULL;
    if (r.negated) {
        path_fail(p, DIAG_UNSUPPORTED_FEATURE, r.at,
             "'!' in a filter can only negate a path on its own, as in [?(!@.x)]");
        return NULL;
    }
    if (!l.is_path && !r.is_path) {
        path_fail(p, DIAG_UNSUPPORTED_FEATURE, l.at, "a filter comparison of two constants is not supported");
        return NULL;
    }
    if (!l.is_path) { /* "5 < @.x" is "@.x > 5" */
        operand t = l;
        l = r;
        r = t;
        switch (op) {
        case IR_F_LT: op = IR_F_GT; break;
        case IR_F_GT: op = IR_F_LT; break;
        case IR_F_LE: op = IR_F_GE; break;
        case IR_F_GE: op = IR_F_LE; break;
        default: break;
        }
    }
    ir_filter *f = new_filter(p, op);
    f->lhs = l.path;
    if (r.is_path) {
        f->rhs_path = r.path;
    } else {
        f->lit = r.lit;
        f->num = r.num;
        f->str = r.str;
    }
    return f;
}

static ir_filter *parse_filter_unary(pparser *p)
{
    skip_blanks(p);
    if (cur(p) == '(') {
        if (p->depth >= MAX_FILTER_DEPTH) {
            path_fail(p, DIAG_INVALID_JSONPATH, p->i, "filter nested too deeply");
            return NULL;
        }
        size_t open = p->i++;
        p->depth++;
        ir_filter *f = path_parse_filter_or(p);
        p->depth--;
        if (!f)
            return NULL;
        skip_blanks(p);
        if (cur(p) != ')') {
            path_fail(p, DIAG_INVALID_JSONPATH, open, "unbalanced '(' in a filter");
            return NULL;
        }
        p->i++;
        return f;
    }
    return parse_filter_test(p);
}

static ir_filter *parse_filter_and(pparser *p)
{
    ir_filter *l = parse_filter_unary(p);
    for (;;) {
        if (!l)
            return NULL;
        skip_blanks(p);
        if (!(cur(p) == '&' && at(p, p->i + 1) == '&'))
            return l;
        p->i += 2;
        ir_filter *r = parse_filter_unary(p);
        if (!r)
            return NULL;
        ir_filter *f = new_filter(p, IR_F_AND);
        f->a = l;
        f->b = r;
        l = f;
    }
}

ir_filter *path_parse_filter_or(pparser *p)
{
    ir_filter *l = parse_filter_and(p);
    for (;;) {
        if (!l)
            return NULL;
        skip_blanks(p);
        if (!(cur(p) == '|' && at(p, p->i + 1) == '|'))
            return l;
        p->i += 2;
        ir_filter *r = parse_filter_and(p);
        if (!r)
            return NULL;
        ir_filter *f = new_filter(p, IR_F_OR);
        f->a = l;
        f->b = r;
        l = f;
    }
}
