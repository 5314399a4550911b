/*
 * path.c - parses ASL JSONPath text into ir_path (see path.h for the
 * accepted language and why it follows Jayway JsonPath).
 *
 * A hand-written recursive descent over the bytes of the text. Segments
 * are gathered in a malloc'd buffer while parsing and copied into the
 * caller's arena at the end, so a refused path leaves nothing behind but
 * the error. Filters `[?(...)]` (path_filter.c) recurse into the same
 * segment parser with a different set of characters that end a
 * dot-notation name. The number scanner at the end is the one intrinsic.c
 * uses too.
 *
 * Called by check_*.c, lower.c and intrinsic.c.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path_internal.h"


void path_fail(pparser *p, diag_code code, size_t at, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    p->err->code = code;
    p->err->index = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
}

static void warn(pparser *p, size_t at, const char *msg)
{
    if (p->err->has_warning)
        return;
    p->err->has_warning = true;
    p->err->warn_index = at;
    snprintf(p->err->warn, sizeof p->err->warn, "%s", msg);
}

/* A printable description of the byte at [at] for messages. */
const char *path_show(const pparser *p, size_t at, char *buf, size_t n)
{
    if (at >= p->len)
        return "the end of the path";
    unsigned char c = (unsigned char)p->s[at];
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, n, "'%c'", c);
    else
        snprintf(buf, n, "byte 0x%02x", c);
    return buf;
}

/* ==== Segment buffer ==================================================== */

typedef struct segbuf {
    ir_seg *v;
    size_t *at; /* start index of each segment in the text */
    int n, cap;
} segbuf;

static ir_seg *seg_push(segbuf *b, size_t start)
{
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 8;
        ir_seg *v = realloc(b->v, (size_t)cap * sizeof *v);
        size_t *a = realloc(b->at, (size_t)cap * sizeof *a);
        if (!v || !a) {
            fputs("aslc: out of memory\n", stderr);
            exit(2);
        }
        b->v = v;
        b->at = a;
        b->cap = cap;
    }
    memset(&b->v[b->n], 0, sizeof b->v[b->n]);
    b->at[b->n] = start;
    return &b->v[b->n++];
}

static void seg_free(segbuf *b)
{
    free(b->v);
    free(b->at);
}

/* ==== Integers as Jayway reads them (java.lang.Integer.parseInt) ======== */

/* Parse [s, s+n) as a 32-bit integer with an optional sign. */
static bool parse_int32(const char *s, size_t n, long *out)
{
    size_t k = 0;
    bool neg = false;
    if (k < n && (s[k] == '-' || s[k] == '+')) {
        neg = s[k] == '-';
        k++;
    }
    if (k == n)
        return false;
    long long v = 0;
    for (; k < n; k++) {
        if (!is_digit(s[k]))
            return false;
        v = v * 10 + (s[k] - '0');
        if (v > (long long)INT_MAX + 1)
            return false;
    }
    if (neg)
        v = -v;
    if (v > INT_MAX || v < INT_MIN)
        return false;
    *out = (long)v;
    return true;
}

/* ==== Names ============================================================= */

/* A name in dot notation runs to the next '.', '[' or '(' (Jayway). Inside
 * a filter it also stops at a blank, ')' and operator characters. */
static bool name_ends(char c, bool in_filter)
{
    if (c == '.' || c == '[' || c == '(')
        return true;
    if (in_filter)
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ')' || c == '<' || c == '>' ||
               c == '=' || c == '!' || c == '~' || c == '&' || c == '|' || c == ',';
    return false;
}

static const char *read_dot_name(pparser *p, bool in_filter)
{
    size_t start = p->i;
    while (p->i < p->len && !name_ends(p->s[p->i], in_filter)) {
        if (p->s[p->i] == ' ') {
            path_fail(p, DIAG_INVALID_JSONPATH, p->i,
                 "a name after '.' cannot contain a space; write it as ['...']");
            return NULL;
        }
        p->i++;
    }
    if (p->i == start) {
        char b[24];
        path_fail(p, DIAG_INVALID_JSONPATH, start, "expected a name after '.', found %s",
             path_show(p, start, b, sizeof b));
        return NULL;
    }
    if (cur(p) == '(') {
        path_fail(p, DIAG_UNSUPPORTED_FEATURE, start, "JSONPath functions such as '%.*s()' are not supported",
             (int)(p->i - start), p->s + start);
        return NULL;
    }
    return arena_strndup(p->a, p->s + start, p->i - start);
}

/* ==== Brackets ========================================================== */


static bool parse_quoted_names(pparser *p, segbuf *b, size_t open)
{
    char q = cur(p);
    const char **names = NULL;
    int n = 0, cap = 0;
    bool ok = false;
    for (;;) {
        if (cur(p) != q) {
            char buf[24];
            path_fail(p, DIAG_INVALID_JSONPATH, p->i, "expected a name in quotes (%c...%c), found %s", q, q,
                 path_show(p, p->i, buf, sizeof buf));
            goto out;
        }
        size_t start = ++p->i;
        /* A backslash keeps the next character from closing the name; the
         * text itself is kept as written (AWS looks keys up verbatim). */
        while (p->i < p->len && p->s[p->i] != q) {
            if (p->s[p->i] == '\\' && p->i + 1 < p->len)
                p->i++;
            p->i++;
        }
        if (p->i >= p->len) {
            path_fail(p, DIAG_INVALID_JSONPATH, start - 1, "unterminated name: no closing %c", q);
            goto out;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            const char **nn = realloc(names, (size_t)cap * sizeof *nn);
            if (!nn) {
                fputs("aslc: out of memory\n", stderr);
                exit(2);
            }
            names = nn;
        }
        names[n++] = arena_strndup(p->a, p->s + start, p->i - start);
        p->i++;
        skip_blanks(p);
        if (cur(p) == ',') {
            p->i++;
            skip_blanks(p);
            continue;
        }
        if (cur(p) == ']') {
            p->i++;
            break;
        }
        char buf[24];
        path_fail(p, DIAG_INVALID_JSONPATH, p->i, "expected ',' or ']' after the name, found %s",
             path_show(p, p->i, buf, sizeof buf));
        goto out;
    }
    ir_seg *s = seg_push(b, open);
    if (n == 1) {
        s->kind = IR_SEG_FIELD;
        s->name = names[0];
    } else {
        s->kind = IR_SEG_UNION;
        s->nnames = n;
        s->names = arena_array(p->a, (size_t)n, sizeof *s->names);
        memcpy(s->names, names, (size_t)n * sizeof *names);
    }
    ok = true;
out:
    free(names);
    return ok;
}

/* `[1]`, `[-1]`, `[0,2]`, `[1:3]`, `[:2]`, `[-2:]`: Jayway takes the text
 * up to the next ']' and allows only digits, ',', '-', ':' and blanks. */
static bool parse_indexes(pparser *p, segbuf *b, size_t open)
{
    size_t start = p->i, close = start;
    while (close < p->len && p->s[close] != ']')
        close++;
    if (close >= p->len) {
        path_fail(p, DIAG_INVALID_JSONPATH, open, "unterminated '[': no closing ']'");
        return false;
    }
    size_t lo = start, hi = close;
    while (lo < hi && p->s[lo] == ' ')
        lo++;
    while (hi > lo && p->s[hi - 1] == ' ')
        hi--;
    bool slice = false;
    for (size_t k = lo; k < hi; k++) {
        char c = p->s[k];
        if (c == ':')
            slice = true;
        else if (!is_digit(c) && c != ',' && c != '-' && c != ' ') {
            char buf[24];
            path_fail(p, DIAG_INVALID_JSONPATH, k, "unexpected %s in an array index or slice",
                 path_show(p, k, buf, sizeof buf));
            return false;
        }
    }
    if (slice) {
        /* Split on ':' as Java's String.split does: trailing empty parts
         * vanish. Only the first two parts count; Jayway ignores a step. */
        size_t part[8][2];
        int np = 0;
        size_t ps = lo;
        for (size_t k = lo; k <= hi; k++) {
            if (k == hi || p->s[k] == ':') {
                if (np < 8) {
                    part[np][0] = ps;
                    part[np][1] = k;
                }
                np++;
                ps = k + 1;
            }
        }
        if (np > 8)
            np = 8;
        while (np > 0 && part[np - 1][0] == part[np - 1][1])
            np--;
        long v[2] = {0, 0};
        bool has[2] = {false, false};
        for (int k = 0; k < 2 && k < np; k++) {
            size_t a = part[k][0], e = part[k][1];
            if (a == e)
                continue;
            for (size_t m = a; m < e; m++)
                if (p->s[m] == ' ' || p->s[m] == ',') {
                    path_fail(p, DIAG_INVALID_JSONPATH, m, "a slice may hold only numbers and ':'");
                    return false;
                }
            if (!parse_int32(p->s + a, e - a, &v[k])) {
                path_fail(p, DIAG_INVALID_JSONPATH, a, "'%.*s' is not a valid slice bound", (int)(e - a),
                     p->s + a);
                return false;
            }
            has[k] = true;
        }
        if (!has[0] && !has[1]) {
            path_fail(p, DIAG_INVALID_JSONPATH, lo, "a slice needs a start or an end, e.g. [1:] or [:2]");
            return false;
        }
        if (np > 2) {
            long step;
            bool one = np == 3 && parse_int32(p->s + part[2][0], part[2][1] - part[2][0], &step) && step == 1;
            if (!one)
                warn(p, part[2][0],
                     "AWS ignores a slice step (Jayway JsonPath reads only [start:end]); "
                     "this slice takes every element");
        }
        ir_seg *s = seg_push(b, open);
        s->kind = IR_SEG_SLICE;
        s->start = v[0];
        s->end = v[1];
        s->has_start = has[0];
        s->has_end = has[1];
        s->step = 1;
    } else {
        long tmp[64];
        long *idx = tmp;
        int n = 0, cap = 64;
        size_t ps = lo;
        for (size_t k = lo; k <= hi; k++) {
            if (k == hi || p->s[k] == ',') {
                size_t a = ps, e = k;
                while (a < e && p->s[a] == ' ')
                    a++;
                while (e > a && p->s[e - 1] == ' ')
                    e--;
                long val;
                if (!parse_int32(p->s + a, e - a, &val)) {
                    if (a == e)
                        path_fail(p, DIAG_INVALID_JSONPATH, a, "missing array index");
                    else
                        path_fail(p, DIAG_INVALID_JSONPATH, a, "'%.*s' is not a valid array index", (int)(e - a),
                             p->s + a);
                    if (idx != tmp)
                        free(idx);
                    return false;
                }
                if (n == cap) {
                    cap *= 2;
                    long *ni = idx == tmp ? malloc((size_t)cap * sizeof *ni)
                                          : realloc(idx, (size_t)cap * sizeof *ni);
                    if (!ni) {
                        fputs("aslc: out of memory\n", stderr);
                        exit(2);
                    }
                    if (idx == tmp)
                        memcpy(ni, tmp, sizeof tmp);
                    idx = ni;
                }
                idx[n++] = val;
                ps = k + 1;
            }
        }
        ir_seg *s = seg_push(b, open);
        if (n == 1) {
            s->kind = IR_SEG_INDEX;
            s->index = idx[0];
        } else {
            s->kind = IR_SEG_UNION;
            s->nindexes = n;
            s->indexes = arena_array(p->a, (size_t)n, sizeof *s->indexes);
            memcpy(s->indexes, idx, (size_t)n * sizeof *idx);
        }
        if (idx != tmp)
            free(idx);
    }
    p->i = close + 1;
    return true;
}

/* At '[': one bracket segment. */
static bool parse_bracket(pparser *p, segbuf *b)
{
    size_t open = p->i++;
    skip_blanks(p);
    char c = cur(p);
    if (c == '\'' || c == '"')
        return parse_quoted_names(p, b, open);
    if (c == '*') {
        p->i++;
        skip_blanks(p);
        if (cur(p) != ']') {
            path_fail(p, DIAG_INVALID_JSONPATH, p->i, "expected ']' after '[*'");
            return false;
        }
        p->i++;
        seg_push(b, open)->kind = IR_SEG_WILDCARD;
        return true;
    }
    if (c == '?') {
        p->i++;
        skip_blanks(p);
        if (cur(p) != '(') {
            path_fail(p, DIAG_INVALID_JSONPATH, p->i, "expected '(' after '[?': a filter is written [?(...)]");
            return false;
        }
        if (p->depth >= MAX_FILTER_DEPTH) {
            path_fail(p, DIAG_INVALID_JSONPATH, p->i, "filters nested too deeply");
            return false;
        }
        p->i++;
        p->depth++;
        ir_filter *f = path_parse_filter_or(p);
        p->depth--;
        if (!f)
            return false;
        skip_blanks(p);
        if (cur(p) != ')') {
            char buf[24];
            path_fail(p, DIAG_INVALID_JSONPATH, p->i, "expected ')' to close the filter, found %s",
                 path_show(p, p->i, buf, sizeof buf));
            return false;
        }
        p->i++;
        skip_blanks(p);
        if (cur(p) != ']') {
            char buf[24];
            path_fail(p, DIAG_INVALID_JSONPATH, p->i, "expected ']' after the filter, found %s",
                 path_show(p, p->i, buf, sizeof buf));
            return false;
        }
        p->i++;
        ir_seg *s = seg_push(b, open);
        s->kind = IR_SEG_FILTER;
        s->filter = f;
        return true;
    }
    if (is_digit(c) || c == '-' || c == ':')
        return parse_indexes(p, b, open);
    if (c == '(') {
        path_fail(p, DIAG_INVALID_JSONPATH, p->i,
             "script expressions [(...)] are not part of JSONPath as AWS reads it");
        return false;
    }
    if (c == ']') {
        path_fail(p, DIAG_INVALID_JSONPATH, open, "empty brackets []");
        return false;
    }
    char buf[24];
    path_fail(p, DIAG_INVALID_JSONPATH, p->i,
         "expected a quoted name, an index, a slice, '*' or a filter '?(' after '[', found %s",
         path_show(p, p->i, buf, sizeof buf));
    return false;
}

/* ==== Segments and paths ================================================ */

/* After "..": a name, '*', or a bracket holding one name or '*'. */
static bool parse_deep(pparser *p, segbuf *b, size_t start, bool in_filter)
{
    if (p->i >= p->len || (in_filter && name_ends(cur(p), true) && cur(p) != '[')) {
        path_fail(p, DIAG_INVALID_JSONPATH, start, "a path must not end with '..'");
        return false;
    }
    if (cur(p) == '.') {
        path_fail(p, DIAG_INVALID_JSONPATH, p->i, "unexpected '.' after '..'");
        return false;
    }
    if (cur(p) == '*') {
        p->i++;
        ir_seg *s = seg_push(b, start);
        s->kind = IR_SEG_DEEP;
        return true;
    }
    if (cur(p) == '[') {
        segbuf tmp = {0};
        size_t open = p->i;
        bool ok = parse_bracket(p, &tmp);
        if (ok) {
            ir_seg *t = &tmp.v[0];
            if (t->kind == IR_SEG_FIELD || t->kind == IR_SEG_WILDCARD) {
                ir_seg *s = seg_push(b, start);
                s->kind = IR_SEG_DEEP;
                s->name = t->kind == IR_SEG_FIELD ? t->name : NULL;
            } else {
                path_fail(p, DIAG_UNSUPPORTED_FEATURE, open,
                     "a deep scan '..' followed by an index, slice, union or filter is not supported; "
                     "only ..name and ..* are");
                ok = false;
            }
        }
        seg_free(&tmp);
        return ok;
    }
    const char *name = read_dot_name(p, in_filter);
    if (!name)
        return false;
    ir_seg *s = seg_push(b, start);
    s->kind = IR_SEG_DEEP;
    s->name = name;
    return true;
}

/* Segments after the root, up to the end of the text or, in a filter, up
 * to the first character that cannot continue a path. */
static bool parse_segments(pparser *p, segbuf *b, bool in_filter)
{
    while (p->i < p->len && !p->failed) {
        char c = cur(p);
        size_t start = p->i;
        if (c == '.') {
            if (at(p, p->i + 1) == '.') {
                p->i += 2;
                if (!parse_deep(p, b, start, in_filter))
                    return false;
                continue;
            }
            p->i++;
            if (p->i >= p->len || (in_filter && name_ends(cur(p), true) && cur(p) != '[' && cur(p) != '.')) {
                path_fail(p, DIAG_INVALID_JSONPATH, start, "a path must not end with '.'");
                return false;
            }
            if (cur(p) == '.') {
                path_fail(p, DIAG_INVALID_JSONPATH, p->i, "unexpected '.'");
                return false;
            }
            if (cur(p) == '*') {
                p->i++;
                seg_push(b, start)->kind = IR_SEG_WILDCARD;
                continue;
            }
            if (cur(p) == '[') { /* Jayway reads "$.['a']" as "$['a']" */
                if (!parse_bracket(p, b))
                    return false;
                continue;
            }
            const char *name = read_dot_name(p, in_filter);
            if (!name)
                return false;
            ir_seg *s = seg_push(b, start);
            s->kind = IR_SEG_FIELD;
            s->name = name;
            continue;
        }
        if (c == '[') {
            if (!parse_bracket(p, b))
                return false;
            continue;
        }
        if (in_filter)
            break;
        if (c == '*') { /* after "[0]" Jayway reads "*" as a wildcard */
            p->i++;
            seg_push(b, start)->kind = IR_SEG_WILDCARD;
            continue;
        }
        if (c == ' ') {
            path_fail(p, DIAG_INVALID_JSONPATH, p->i, "unexpected space in a path");
            return false;
        }
        /* Jayway reads a name straight after ']' or '*' ("$[0]a" is "$[0].a"). */
        const char *name = read_dot_name(p, false);
        if (!name)
            return false;
        ir_seg *s = seg_push(b, start);
        s->kind = IR_SEG_FIELD;
        s->name = name;
    }
    return !p->failed;
}

static void norm_append(char **buf, size_t *n, size_t *cap, const char *s, size_t len)
{
    if (*n + len + 1 > *cap) {
        size_t c = *cap ? *cap : 64;
        while (*n + len + 1 > c)
            c *= 2;
        char *nb = realloc(*buf, c);
        if (!nb) {
            fputs("aslc: out of memory\n", stderr);
            exit(2);
        }
        *buf = nb;
        *cap = c;
    }
    memcpy(*buf + *n, s, len);
    *n += len;
    (*buf)[*n] = '\0';
}

#define NAPP(str) norm_append(&buf, &n, &cap, (str), strlen(str))

/* The bracket form Jayway prints in "No results for path: ..." causes. */
static const char *normalize(arena *a, ir_root root, const ir_seg *segs, int nsegs)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    char num[64];
    NAPP(root == IR_ROOT_CURRENT ? "@" : "$");
    for (int k = 0; k < nsegs; k++) {
        const ir_seg *s = &segs[k];
        switch (s->kind) {
        case IR_SEG_FIELD:
            NAPP("['");
            NAPP(s->name);
            NAPP("']");
            break;
        case IR_SEG_INDEX:
            snprintf(num, sizeof num, "[%ld]", s->index);
            NAPP(num);
            break;
        case IR_SEG_WILDCARD: NAPP("[*]"); break;
        case IR_SEG_SLICE:
            NAPP("[");
            if (s->has_start) {
                snprintf(num, sizeof num, "%ld", s->start);
                NAPP(num);
            }
            NAPP(":");
            if (s->has_end) {
                snprintf(num, sizeof num, "%ld", s->end);
                NAPP(num);
            }
            NAPP("]");
            break;
        case IR_SEG_UNION:
            NAPP("[");
            for (int m = 0; m < s->nnames; m++) {
                NAPP(m ? ",'" : "'");
                NAPP(s->names[m]);
                NAPP("'");
            }
            for (int m = 0; m < s->nindexes; m++) {
                snprintf(num, sizeof num, m ? ",%ld" : "%ld", s->indexes[m]);
                NAPP(num);
            }
            NAPP("]");
            break;
        case IR_SEG_DEEP:
            NAPP("..");
            if (s->name) {
                NAPP("['");
                NAPP(s->name);
                NAPP("']");
            } else {
                NAPP("[*]");
            }
            break;
        case IR_SEG_FILTER: NAPP("[?]"); break;
        }
    }
    char *out = arena_strdup(a, buf);
    free(buf);
    return out;
}

#undef NAPP

static ir_path *finish_path(pparser *p, ir_root root, size_t start, segbuf *b)
{
    ir_path *path = arena_new(p->a, ir_path);
    path->text = arena_strndup(p->a, p->s + start, p->i - start);
    path->root = root;
    path->nsegs = b->n;
    path->segs = b->n ? arena_array(p->a, (size_t)b->n, sizeof *path->segs) : NULL;
    if (b->n)
        memcpy(path->segs, b->v, (size_t)b->n * sizeof *b->v);
    path->definite = true;
    for (int k = 0; k < b->n; k++)
        if (b->v[k].kind != IR_SEG_FIELD && b->v[k].kind != IR_SEG_INDEX)
            path->definite = false;
    path->normalized = normalize(p->a, root, path->segs, path->nsegs);
    return path;
}

/* A path inside a filter: "@..." or "$...". */
ir_path *path_parse_filter_path(pparser *p)
{
    size_t start = p->i;
    ir_root root = cur(p) == '@' ? IR_ROOT_CURRENT : IR_ROOT_INPUT;
    p->i++;
    if (root == IR_ROOT_INPUT && cur(p) == '$') {
        path_fail(p, DIAG_UNSUPPORTED_FEATURE, start, "the context object '$$' cannot be used inside a filter");
        return NULL;
    }
    segbuf b = {0};
    ir_path *path = NULL;
    if (parse_segments(p, &b, true))
        path = finish_path(p, root, start, &b);
    seg_free(&b);
    return path;
}

/* ==== Numbers (shared with intrinsic.c) ================================ */

path_num path_scan_number(const char *s, size_t len, size_t *i, double *out)
{
    size_t k = *i, start = k;
    if (k < len && s[k] == '-')
        k++;
    size_t d = k;
    while (k < len && is_digit(s[k]))
        k++;
    path_num r = PATH_NUM_OK;
    if (k == d)
        r = PATH_NUM_NO_DIGITS;
    if (r == PATH_NUM_OK && k < len && s[k] == '.') {
        size_t f = ++k;
        while (k < len && is_digit(s[k]))
            k++;
        if (k == f)
            r = PATH_NUM_NO_FRACTION;
    }
    if (r == PATH_NUM_OK && k < len && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < len && (s[k] == '+' || s[k] == '-'))
            k++;
        size_t f = k;
        while (k < len && is_digit(s[k]))
            k++;
        if (k == f)
            r = PATH_NUM_BAD_EXPONENT;
    }
    *i = k;
    if (r != PATH_NUM_OK)
        return r;
    char tmp[64];
    size_t n = k - start;
    if (n >= sizeof tmp)
        return PATH_NUM_TOO_LONG;
    memcpy(tmp, s + start, n);
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    return isfinite(*out) ? PATH_NUM_OK : PATH_NUM_RANGE;
}

/* ==== Entry points ====================================================== */

bool path_is_variable(const char *text) { return text[0] == '$' && is_ident_start(text[1]); }

static const char *seg_kind_text(ir_seg_kind k)
{
    switch (k) {
    case IR_SEG_WILDCARD: return "a wildcard";
    case IR_SEG_SLICE: return "a slice";
    case IR_SEG_UNION: return "a union";
    case IR_SEG_DEEP: return "a deep scan '..'";
    case IR_SEG_FILTER: return "a filter";
    default: return "a segment";
    }
}

ir_path *path_parse(arena *a, const char *text, unsigned flags, path_error *err)
{
    memset(err, 0, sizeof *err);
    err->code = DIAG_INVALID_JSONPATH;
    pparser p = {a, text, strlen(text), 0, flags, err, false, 0};
    char buf[24];
    /* Jayway trims blanks (spaces) at the end of a path: "$$.Execution.Name "
     * is "$$.Execution.Name" (deployed definitions have such paths). */
    while (p.len > 1 && text[p.len - 1] == ' ')
        p.len--;
    if (p.len == 0) {
        path_fail(&p, DIAG_INVALID_JSONPATH, 0, "empty path: a path starts with '$'");
        return NULL;
    }
    if (text[0] != '$') {
        if (text[0] == ' ' || text[0] == '\t' || text[0] == '\n' || text[0] == '\r')
            path_fail(&p, DIAG_INVALID_JSONPATH, 0, "a path must start with '$', not with white space");
        else
            path_fail(&p, DIAG_INVALID_JSONPATH, 0, "a path must start with '$', found %s",
                 path_show(&p, 0, buf, sizeof buf));
        return NULL;
    }
    ir_root root = IR_ROOT_INPUT;
    bool variable = false;
    p.i = 1;
    if (cur(&p) == '$') {
        if (flags & PATH_NO_CONTEXT) {
            path_fail(&p, DIAG_INVALID_REFERENCE_PATH, 0, "the context object '$$' cannot be used here");
            return NULL;
        }
        root = IR_ROOT_CONTEXT;
        p.i = 2;
    } else if (is_ident_start(cur(&p))) {
        if (flags & PATH_NO_VARIABLE) {
            path_fail(&p, DIAG_INVALID_REFERENCE_PATH, 0, "a variable ('$name') cannot be used here");
            return NULL;
        }
        variable = true;
        while (is_ident_char(cur(&p)))
            p.i++;
    }
    if (p.i < p.len && cur(&p) != '.' && cur(&p) != '[') {
        path_fail(&p, DIAG_INVALID_JSONPATH, p.i, "expected '.' or '[' after '%.*s', found %s", (int)p.i, text,
             path_show(&p, p.i, buf, sizeof buf));
        return NULL;
    }
    segbuf b = {0};
    ir_path *path = NULL;
    if (parse_segments(&p, &b, false)) {
        {
            for (int k = 0; k < b.n && (flags & PATH_REFERENCE); k++)
                if (b.v[k].kind != IR_SEG_FIELD && b.v[k].kind != IR_SEG_INDEX) {
                    path_fail(&p, DIAG_INVALID_REFERENCE_PATH, b.at[k],
                         "a Reference Path may use only '.name', ['name'] and [index], found %s",
                         seg_kind_text(b.v[k].kind));
                    break;
                }
            if (!p.failed)
                path = finish_path(&p, variable ? IR_ROOT_VARIABLE : root, 0, &b);
            if (path && variable) {
                /* $name['a'][0]: the name, then the segments' bracket form */
                size_t nlen = 1;
                while (is_ident_char((unsigned char)text[nlen]))
                    nlen++;
                path->var = arena_strndup(a, text + 1, nlen - 1);
                path->normalized = arena_printf(a, "$%s%s", path->var, path->normalized + 1);
            }
        }
    }
    seg_free(&b);
    if (!path)
        err->has_warning = false;
    return path;
}
