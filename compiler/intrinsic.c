/*
 * intrinsic.c - parses intrinsic-function expressions into ir_call (see
 * intrinsic.h for the language and the string-literal rules).
 *
 * Recursive descent over the bytes; path arguments are cut out of the text
 * (up to a ',' or ')' outside brackets and quotes) and handed to
 * path_parse. Each function's argument types are listed once below, in the
 * order of IR_INTRINSICS.
 *
 * Besides types, a few literal arguments are checked for values that make
 * the call fail on every run (check_literal_values): AWS accepts such a
 * definition and fails each execution with States.Runtime, so reporting
 * them here only moves a certain failure to build time. Anything that can
 * succeed on AWS (a number that AWS truncates, a non-boolean deep-merge
 * flag, States.Hash of a number) is left to the runtime.
 *
 * Called by check_*.c and lower.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intrinsic.h"
#include "path.h"

/* Calls nest; the depth is capped so hostile input cannot exhaust the stack. */
enum { MAX_CALL_DEPTH = 32 };

/* What an argument must be, or what a call returns. */
typedef enum {
    T_ANY,
    T_STR,
    T_NUM,
    T_BOOL,
    T_ARR, /* only a path or a call can give one */
    T_OBJ, /* likewise */
} vtype;

typedef struct fninfo {
    const char *name;
    int min, max;
    vtype ret;
    vtype args[3]; /* types of the first arguments */
    vtype rest;    /* type of every further argument */
} fninfo;

static const fninfo FNS[] = {
#define IR_X_INFO(e, name, lo, hi) {name, lo, hi, T_ANY, {T_ANY, T_ANY, T_ANY}, T_ANY},
    IR_INTRINSICS(IR_X_INFO)
#undef IR_X_INFO
};

/* Argument and result types per function. Kept beside the table rather
 * than in ir.h: only the checker needs them. */
static fninfo fn_info(ir_fn fn)
{
    fninfo f = FNS[fn];
    switch (fn) {
    case IR_FN_FORMAT: f.ret = T_STR, f.args[0] = T_STR; break;
    case IR_FN_STRING_TO_JSON: f.args[0] = T_STR; break;
    case IR_FN_JSON_TO_STRING: f.ret = T_STR; break;
    case IR_FN_ARRAY: f.ret = T_ARR; break;
    case IR_FN_ARRAY_PARTITION: f.ret = T_ARR, f.args[0] = T_ARR, f.args[1] = T_NUM; break;
    case IR_FN_ARRAY_CONTAINS: f.ret = T_BOOL, f.args[0] = T_ARR; break;
    case IR_FN_ARRAY_RANGE: f.ret = T_ARR, f.args[0] = f.args[1] = f.args[2] = T_NUM; break;
    case IR_FN_ARRAY_GET_ITEM: f.args[0] = T_ARR, f.args[1] = T_NUM; break;
    case IR_FN_ARRAY_LENGTH: f.ret = T_NUM, f.args[0] = T_ARR; break;
    case IR_FN_ARRAY_UNIQUE: f.ret = T_ARR, f.args[0] = T_ARR; break;
    case IR_FN_BASE64_ENCODE: f.ret = T_STR, f.args[0] = T_STR; break;
    case IR_FN_BASE64_DECODE: f.ret = T_STR, f.args[0] = T_STR; break;
    /* AWS hashes a non-string value by its text, so the data is any value */
    case IR_FN_HASH: f.ret = T_STR, f.args[1] = T_STR; break;
    /* AWS reads a non-boolean merge flag as "shallow": only `true` is
     * refused (check_literal_values) */
    case IR_FN_JSON_MERGE: f.ret = T_OBJ, f.args[0] = f.args[1] = T_OBJ; break;
    case IR_FN_MATH_RANDOM: f.ret = T_NUM, f.args[0] = f.args[1] = f.args[2] = T_NUM; break;
    case IR_FN_MATH_ADD: f.ret = T_NUM, f.args[0] = f.args[1] = T_NUM; break;
    case IR_FN_STRING_SPLIT: f.ret = T_ARR, f.args[0] = f.args[1] = T_STR; break;
    case IR_FN_UUID: f.ret = T_STR; break;
    case IR_NUM_FNS: break;
    }
    return f;
}

static const char *vtype_name(vtype t)
{
    switch (t) {
    case T_STR: return "a string";
    case T_NUM: return "a number";
    case T_BOOL: return "a boolean";
    case T_ARR: return "an array";
    case T_OBJ: return "an object";
    default: return "a value";
    }
}

typedef struct iparser {
    arena *a;
    const char *s;
    size_t len, i;
    intr_error *err;
    bool failed;
    int depth;
} iparser;

static void fail(iparser *p, diag_code code, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(iparser *p, diag_code code, size_t at, const char *fmt, ...)
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

static char cur(const iparser *p) { return p->i < p->len ? p->s[p->i] : '\0'; }

static const char *show(const iparser *p, size_t at, char *buf, size_t n)
{
    if (at >= p->len)
        return "the end of the expression";
    unsigned char c = (unsigned char)p->s[at];
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, n, "'%c'", c);
    else
        snprintf(buf, n, "byte 0x%02x", c);
    return buf;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void skip_blanks(iparser *p)
{
    while (p->i < p->len && is_blank(p->s[p->i]))
        p->i++;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

static ir_call *parse_call(iparser *p);

/* A 'string literal'. [raw_braces]: keep \{ \} \\ as written (Format's
 * template). */
static const char *parse_string(iparser *p, bool raw_braces)
{
    size_t start = p->i++;
    char *out = arena_alloc(p->a, p->len - p->i + 1);
    size_t n = 0;
    for (;;) {
        if (p->i >= p->len) {
            fail(p, DIAG_INVALID_INTRINSIC, start, "unterminated string: no closing '");
            return NULL;
        }
        char c = p->s[p->i++];
        if (c == '\'')
            break;
        if (c != '\\') {
            out[n++] = c;
            continue;
        }
        if (p->i >= p->len) {
            fail(p, DIAG_INVALID_INTRINSIC, p->i - 1, "a backslash at the end of a string escapes nothing");
            return NULL;
        }
        char e = p->s[p->i++];
        if (e == '\'') {
            out[n++] = '\'';
        } else if (e == '{' || e == '}' || e == '\\') {
            if (raw_braces) /* kept for Format's runtime scanner */
                out[n++] = '\\';
            out[n++] = e;
        } else {
            /* AWS refuses the definition for any other escape (\n, \"):
             * a newline is written as itself inside the JSON string. */
            char buf[24];
            fail(p, DIAG_INVALID_INTRINSIC, p->i - 2,
                 "%s cannot be escaped in an intrinsic string; the escapes are \\' \\{ \\} and \\\\",
                 show(p, p->i - 1, buf, sizeof buf));
            return NULL;
        }
    }
    out[n] = '\0';
    return out;
}

/* A path argument: up to ',' or ')' outside brackets and quotes. */
static ir_tmpl *parse_path_arg(iparser *p)
{
    size_t start = p->i;
    int depth = 0;
    char quote = 0;
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (quote) {
            if (c == '\\')
                p->i++;
            else if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            if (depth > 0)
                quote = c;
        } else if (c == '[') {
            depth++;
        } else if (c == ']') {
            if (depth > 0)
                depth--;
        } else if (depth == 0 && (c == ',' || c == ')' || is_blank(c))) {
            break;
        }
        p->i++;
    }
    if (p->i > p->len)
        p->i = p->len;
    char *text = arena_strndup(p->a, p->s + start, p->i - start);
    path_error pe;
    ir_path *path = path_parse(p->a, text, 0, &pe);
    if (!path)
        path = pe.failing; /* valid on AWS; fails when evaluated */
    if (!path) {
        fail(p, pe.code, start + pe.index, "%s", pe.msg);
        return NULL;
    }
    ir_tmpl *t = arena_new(p->a, ir_tmpl);
    t->kind = IR_T_PATH;
    t->path = path;
    return t;
}

static ir_tmpl *parse_number(iparser *p)
{
    size_t s = p->i;
    double v = 0;
    path_num r = path_scan_number(p->s, p->len, &p->i, &v);
    const char *why = r == PATH_NUM_NO_DIGITS     ? "invalid number"
                      : r == PATH_NUM_NO_FRACTION  ? "invalid number: a digit must follow '.'"
                      : r == PATH_NUM_BAD_EXPONENT ? "invalid number: bad exponent"
                      : is_word_char(cur(p))       ? "invalid number"
                      : r == PATH_NUM_TOO_LONG     ? "number too long"
                      : r == PATH_NUM_RANGE        ? "number out of range: " PATH_NUM_RANGE_WHY
                                                   : NULL;
    if (why) {
        fail(p, DIAG_INVALID_INTRINSIC, s, "%s", why);
        return NULL;
    }
    ir_tmpl *t = arena_new(p->a, ir_tmpl);
    t->kind = IR_T_NUMBER;
    t->num = v;
    t->constant = true;
    return t;
}

static bool word_is(const iparser *p, const char *w)
{
    size_t n = strlen(w);
    return p->len - p->i >= n && memcmp(p->s + p->i, w, n) == 0 &&
           (p->i + n >= p->len || !is_word_char(p->s[p->i + n]));
}

static ir_tmpl *parse_arg(iparser *p, bool raw_braces)
{
    char c = cur(p);
    char buf[24];
    ir_tmpl *t = NULL;
    if (c == '\'') {
        const char *s = parse_string(p, raw_braces);
        if (!s)
            return NULL;
        t = arena_new(p->a, ir_tmpl);
        t->kind = IR_T_STRING;
        t->str = s;
        t->constant = true;
        return t;
    }
    if (c == '$')
        return parse_path_arg(p);
    if (c == '-' || is_digit(c))
        return parse_number(p);
    if (word_is(p, "true") || word_is(p, "false") || word_is(p, "null")) {
        t = arena_new(p->a, ir_tmpl);
        t->kind = c == 't' ? IR_T_TRUE : c == 'f' ? IR_T_FALSE : IR_T_NULL;
        t->constant = true;
        p->i += c == 'f' ? 5 : 4;
        return t;
    }
    if (p->len - p->i >= 7 && memcmp(p->s + p->i, "States.", 7) == 0) {
        ir_call *call = parse_call(p);
        if (!call)
            return NULL;
        t = arena_new(p->a, ir_tmpl);
        t->kind = IR_T_CALL;
        t->call = call;
        return t;
    }
    if (c == '"') {
        fail(p, DIAG_INVALID_INTRINSIC, p->i, "string arguments are written in single quotes: 'text'");
        return NULL;
    }
    fail(p, DIAG_INVALID_INTRINSIC, p->i,
         "expected an argument ('string', number, true, false, null, a path or States.Fn(...)), found %s",
         show(p, p->i, buf, sizeof buf));
    return NULL;
}

/* The type a literal or call has, or T_ANY for a path (known at run time). */
static vtype arg_type(const ir_tmpl *t)
{
    switch (t->kind) {
    case IR_T_STRING: return T_STR;
    case IR_T_NUMBER: return T_NUM;
    case IR_T_TRUE:
    case IR_T_FALSE: return T_BOOL;
    case IR_T_CALL: return fn_info(t->call->fn).ret;
    default: return T_ANY;
    }
}

/* ==== Literal values that fail on every run ============================= */

/* How many UTF-16 units Java counts in UTF-8 text [s]: AWS's 10,000
 * character limits are measured that way. */
static size_t utf16_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if ((*q & 0xC0) == 0x80)
            continue;
        n += *q >= 0xF0 ? 2 : 1;
    }
    return n;
}

/* AWS reads most integer arguments as Java's (int) cast does: towards
 * zero. Beyond Java's int range there is no such integer. */
static bool java_int(double d, long long *out)
{
    double t = trunc(d);
    if (!(t >= -2147483648.0 && t <= 2147483647.0))
        return false;
    *out = (long long)t;
    return true;
}

/* The number in argument [k] when it is a literal. */
static bool lit_num(ir_tmpl **args, int n, int k, double *d)
{
    if (k >= n || args[k]->kind != IR_T_NUMBER)
        return false;
    *d = args[k]->num;
    return true;
}

/* States.Format's template, as the runtime reads it: \{ \} \\ stand for
 * themselves, "{}" is a placeholder, any other brace is an error. Returns
 * the number of placeholders, or -1 with [why] set. */
static int format_placeholders(const char *t, const char **why)
{
    int count = 0;
    for (const char *q = t; *q; q++) {
        if (*q == '\\' && (q[1] == '{' || q[1] == '}' || q[1] == '\\')) {
            q++;
        } else if (*q == '{') {
            if (q[1] != '}') {
                *why = "an opening '{' is not followed by '}' (write \\{ for a brace)";
                return -1;
            }
            count++;
            q++;
        } else if (*q == '}') {
            *why = "a '}' has no opening '{' (write \\} for a brace)";
            return -1;
        }
    }
    return count;
}

/* The checks promised in the header comment. [args] are the [n] arguments
 * of a call to [fn] whose types are already right; [at] their offsets. */
static void check_literal_values(iparser *p, ir_fn fn, const char *name, ir_tmpl **args, const size_t *at, int n)
{
    double d, e;
    long long a, b, step;
    switch (fn) {
    case IR_FN_FORMAT:
        if (args[0]->kind == IR_T_STRING) {
            const char *why = NULL;
            int want = format_placeholders(args[0]->str, &why);
            if (want < 0)
                fail(p, DIAG_INVALID_INTRINSIC, at[0], "invalid template for %s: %s", name, why);
            else if (want != n - 1)
                fail(p, DIAG_INVALID_INTRINSIC, at[0],
                     "the template of %s has %d placeholder%s '{}' but %d argument%s follow%s it", name, want,
                     want == 1 ? "" : "s", n - 1, n - 1 == 1 ? "" : "s", n - 1 == 1 ? "s" : "");
        }
        break;
    case IR_FN_MATH_ADD:
        for (int k = 0; k < n; k++)
            if (lit_num(args, n, k, &d) && !(floor(d + 0.5) >= -2147483648.0 && floor(d + 0.5) <= 2147483647.0))
                fail(p, DIAG_INVALID_INTRINSIC, at[k],
                     "argument %d of %s must be an integer between -2147483648 and 2147483647", k + 1, name);
        if (lit_num(args, n, 0, &d) && lit_num(args, n, 1, &e) &&
            !(floor(d + 0.5) + floor(e + 0.5) >= -2147483648.0 && floor(d + 0.5) + floor(e + 0.5) <= 2147483647.0))
            fail(p, DIAG_INVALID_INTRINSIC, at[0],
                 "the sum of %s is outside the integer range -2147483648 to 2147483647", name);
        break;
    case IR_FN_ARRAY_RANGE:
        for (int k = 0; k < n; k++)
            if (lit_num(args, n, k, &d) && !java_int(d, &a))
                fail(p, DIAG_INVALID_INTRINSIC, at[k],
                     "argument %d of %s must be an integer between -2147483648 and 2147483647", k + 1, name);
        if (lit_num(args, n, 2, &d) && java_int(d, &step) && step == 0)
            fail(p, DIAG_INVALID_INTRINSIC, at[2],
                 "the step of %s must not be 0 (AWS cuts it to an integer first)", name);
        if (lit_num(args, n, 0, &d) && lit_num(args, n, 1, &e) && java_int(d, &a) && java_int(e, &b) &&
            lit_num(args, n, 2, &d) && java_int(d, &step) && step != 0) {
            long long count = b == a || (b > a) == (step > 0) ? (b - a) / step + 1 : 0;
            if (count > 1000)
                fail(p, DIAG_INVALID_INTRINSIC, at[0],
                     "%s would make %lld elements; AWS allows at most 1000", name, count);
        }
        break;
    case IR_FN_ARRAY_PARTITION:
        if (lit_num(args, n, 1, &d) && (!java_int(d, &a) || a < 1))
            fail(p, DIAG_INVALID_INTRINSIC, at[1],
                 "the chunk size of %s must be an integer from 1 to 2147483647 (AWS cuts it to an integer first)",
                 name);
        break;
    case IR_FN_ARRAY_GET_ITEM:
        if (lit_num(args, n, 1, &d) && !java_int(d, &a))
            fail(p, DIAG_INVALID_INTRINSIC, at[1], "the index of %s must be an integer below 2147483648", name);
        break;
    case IR_FN_MATH_RANDOM:
        for (int k = 0; k < 2; k++)
            if (lit_num(args, n, k, &d) && !java_int(d, &a))
                fail(p, DIAG_INVALID_INTRINSIC, at[k],
                     "argument %d of %s must be an integer between -2147483648 and 2147483647", k + 1, name);
        if (lit_num(args, n, 0, &d) && lit_num(args, n, 1, &e) && java_int(d, &a) && java_int(e, &b) && a >= b)
            fail(p, DIAG_INVALID_INTRINSIC, at[0],
                 "the start of %s must be below its end, which is excluded (AWS cuts both to integers first)",
                 name);
        break;
    case IR_FN_HASH:
        if (args[1]->kind == IR_T_STRING) {
            static const char *const algs[] = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"};
            bool known = false;
            for (size_t k = 0; k < sizeof algs / sizeof algs[0]; k++)
                known = known || strcmp(args[1]->str, algs[k]) == 0;
            if (!known)
                fail(p, DIAG_INVALID_INTRINSIC, at[1],
                     "'%s' is not a hash algorithm of %s (MD5, SHA-1, SHA-256, SHA-384 or SHA-512)",
                     args[1]->str, name);
        }
        break;
    case IR_FN_BASE64_ENCODE:
    case IR_FN_BASE64_DECODE:
        if (args[0]->kind == IR_T_STRING && utf16_len(args[0]->str) > 10000)
            fail(p, DIAG_INVALID_INTRINSIC, at[0], "the input of %s is limited to 10000 characters, found %zu",
                 name, utf16_len(args[0]->str));
        break;
    case IR_FN_JSON_MERGE:
        if (args[2]->kind == IR_T_TRUE)
            fail(p, DIAG_INVALID_INTRINSIC, at[2],
                 "%s merges shallowly only: its third argument must be false", name);
        break;
    default:
        break;
    }
}

static ir_call *parse_call(iparser *p)
{
    size_t start = p->i;
    char buf[24];
    if (p->depth >= MAX_CALL_DEPTH) {
        fail(p, DIAG_INVALID_INTRINSIC, start, "intrinsic calls nested too deeply");
        return NULL;
    }
    if (p->len - p->i < 7 || memcmp(p->s + p->i, "States.", 7) != 0) {
        fail(p, DIAG_INVALID_INTRINSIC, p->i, "an intrinsic function call starts with 'States.'");
        return NULL;
    }
    p->i += 7;
    size_t name_start = p->i;
    while (is_word_char(cur(p)))
        p->i++;
    size_t name_end = p->i;
    if (name_end == name_start) {
        fail(p, DIAG_INVALID_INTRINSIC, name_start, "expected a function name after 'States.', found %s",
             show(p, name_start, buf, sizeof buf));
        return NULL;
    }
    int fn = -1;
    for (int k = 0; k < IR_NUM_FNS; k++) {
        const char *nm = FNS[k].name;
        if (strlen(nm) == name_end - start && memcmp(nm, p->s + start, name_end - start) == 0)
            fn = k;
    }
    if (fn < 0) {
        fail(p, DIAG_INVALID_INTRINSIC, start, "unknown intrinsic function '%.*s'", (int)(name_end - start),
             p->s + start);
        return NULL;
    }
    if (cur(p) != '(') {
        fail(p, DIAG_INVALID_INTRINSIC, p->i, "expected '(' after '%s', found %s", FNS[fn].name,
             show(p, p->i, buf, sizeof buf));
        return NULL;
    }
    p->i++;
    fninfo info = fn_info((ir_fn)fn);
    ir_tmpl *tmp[16];
    ir_tmpl **args = tmp;
    size_t *arg_at = NULL;
    size_t at_tmp[16];
    arg_at = at_tmp;
    int n = 0, cap = 16;
    ir_call *call = NULL;
    p->depth++;
    skip_blanks(p);
    if (cur(p) != ')') {
        for (;;) {
            skip_blanks(p);
            size_t aat = p->i;
            ir_tmpl *t = parse_arg(p, fn == IR_FN_FORMAT && n == 0);
            if (!t)
                goto out;
            if (n == cap) {
                cap *= 2;
                ir_tmpl **na =
                    args == tmp ? malloc((size_t)cap * sizeof *na) : realloc(args, (size_t)cap * sizeof *na);
                size_t *nt = arg_at == at_tmp ? malloc((size_t)cap * sizeof *nt)
                                              : realloc(arg_at, (size_t)cap * sizeof *nt);
                if (!na || !nt) {
                    fputs("aslc: out of memory\n", stderr);
                    exit(2);
                }
                if (args == tmp)
                    memcpy(na, tmp, sizeof tmp);
                if (arg_at == at_tmp)
                    memcpy(nt, at_tmp, sizeof at_tmp);
                args = na;
                arg_at = nt;
            }
            args[n] = t;
            arg_at[n] = aat;
            n++;
            skip_blanks(p);
            if (cur(p) == ',') {
                p->i++;
                continue;
            }
            if (cur(p) == ')')
                break;
            fail(p, DIAG_INVALID_INTRINSIC, p->i, "expected ',' or ')' after an argument of %s, found %s",
                 FNS[fn].name, show(p, p->i, buf, sizeof buf));
            goto out;
        }
    }
    p->i++; /* ')' */
    if (n < info.min || (info.max >= 0 && n > info.max)) {
        if (info.min == info.max)
            fail(p, DIAG_INVALID_INTRINSIC, start, "%s takes %d argument%s, found %d", info.name, info.min,
                 info.min == 1 ? "" : "s", n);
        else if (info.max < 0)
            fail(p, DIAG_INVALID_INTRINSIC, start, "%s takes at least %d argument%s, found %d", info.name,
                 info.min, info.min == 1 ? "" : "s", n);
        else
            fail(p, DIAG_INVALID_INTRINSIC, start, "%s takes %d to %d arguments, found %d", info.name,
                 info.min, info.max, n);
        goto out;
    }
    for (int k = 0; k < n; k++) {
        vtype want = k < 3 ? info.args[k] : info.rest;
        vtype got = arg_type(args[k]);
        bool ok = want == T_ANY || got == T_ANY || got == want;
        if (args[k]->kind == IR_T_NULL && want != T_ANY)
            ok = false;
        if (!ok) {
            fail(p, DIAG_INVALID_INTRINSIC, arg_at[k], "argument %d of %s must be %s, found %s", k + 1,
                 info.name, vtype_name(want),
                 args[k]->kind == IR_T_NULL   ? "null"
                 : args[k]->kind == IR_T_CALL ? "a call returning something else"
                                              : vtype_name(got));
            goto out;
        }
    }
    check_literal_values(p, (ir_fn)fn, info.name, args, arg_at, n);
    if (p->failed)
        goto out;
    call = arena_new(p->a, ir_call);
    call->fn = (ir_fn)fn;
    call->name = FNS[fn].name;
    call->text = arena_strndup(p->a, p->s + start, p->i - start);
    call->nargs = n;
    call->args = n ? arena_array(p->a, (size_t)n, sizeof *call->args) : NULL;
    if (n)
        memcpy(call->args, args, (size_t)n * sizeof *args);
out:
    p->depth--;
    if (args != tmp)
        free(args);
    if (arg_at != at_tmp)
        free(arg_at);
    return call;
}

ir_call *intr_parse(arena *a, const char *text, intr_error *err)
{
    memset(err, 0, sizeof *err);
    err->code = DIAG_INVALID_INTRINSIC;
    iparser p = {a, text, strlen(text), 0, err, false, 0};
    if (p.len > 0 && is_blank(text[0])) {
        fail(&p, DIAG_INVALID_INTRINSIC, 0, "an intrinsic function call must not start with white space");
        return NULL;
    }
    ir_call *call = parse_call(&p);
    if (!call)
        return NULL;
    skip_blanks(&p); /* AWS accepts blanks after the call, not before it */
    if (p.i < p.len) {
        char buf[24];
        fail(&p, DIAG_INVALID_INTRINSIC, p.i, "unexpected %s after the call", show(&p, p.i, buf, sizeof buf));
        return NULL;
    }
    return call;
}

bool intr_looks_like_call(const char *text) { return strncmp(text, "States.", 7) == 0; }

bool intr_returns_string(const ir_call *call)
{
    return fn_info(call->fn).ret == T_STR || call->fn == IR_FN_ARRAY_GET_ITEM;
}
