/*
 * choice.c - the comparison primitives that Choice rules compile into.
 *
 * aslc turns each Choice rule into a C expression over these functions
 * (And / Or / Not become && / || / !), so each one answers a single
 * comparison: 1 for true, 0 for false or for an error, which the generated
 * code checks with asl_failed() once the whole rule has been evaluated.
 *
 * Semantics, from the recorded AWS cases (conformance/cases/choice):
 *  - a Variable of another type than the operator's compares false (e.g.
 *    NumericEquals on "1", BooleanEquals on 0, StringEquals on null); the
 *    same holds for the value a *Path operand selects;
 *  - numbers compare by value (0 equals 0.0);
 *  - strings compare as Java's String.compareTo does (AWS runs on the JVM):
 *    by UTF-16 code unit, which equals code point order except that
 *    characters above U+FFFF sort before U+E000..U+FFFF;
 *  - timestamps compare instants, whatever their offsets or fractions; a
 *    string that is not a timestamp compares false;
 *  - a missing Variable (or *Path operand) is States.Runtime with AWS's
 *    cause "Invalid path '<path>': The choice state's condition path
 *    references an invalid value."; IsPresent never fails.
 *
 * Two forms: asl_test_* select their Variable on every call (any path);
 * asl_ch_* take the value already selected. aslc resolves a Choice state's
 * plain paths ($ followed by names and indexes) once on entry with
 * asl_ch_fields / asl_ch_index, one pass per object for all the names
 * read under it, and passes the values; the walk is pure, so resolving
 * early is invisible, and the missing-Variable error is still raised by
 * the test that reads it, in the rules' order.
 *
 * Owns nothing: selections are borrowed from the state's document.
 *
 * Layer: values
 */
#include <string.h>

#include "values.h"

/* Select [p] or set AWS's Choice error when nothing is there. */
static const cJSON *operand(asl_exec *x, const asl_path *p, const cJSON *in)
{
    const cJSON *v = asl_select_quiet(x, p, in);
    if (!v && !asl_failed(x))
        asl_fail_runtime(x,
                         "Invalid path '%s': The choice state's condition path references an "
                         "invalid value.",
                         p->text ? p->text : "");
    return v;
}

/* A missing pre-selected operand [p]: AWS's Choice error, unless an error
 * is already set (the first one stands). Returns 0 for the test. */
static int missing(asl_exec *x, const asl_path *p)
{
    if (!asl_failed(x))
        asl_fail_runtime(x,
                         "Invalid path '%s': The choice state's condition path references an "
                         "invalid value.",
                         p->text ? p->text : "");
    return 0;
}

/* cJSON's type tests without a call into the library: these run for
 * every comparison. */
static bool is_type(const cJSON *v, int type)
{
    return (v->type & 0xFF) == type;
}

static int apply_cmp(int cmp, int order)
{
    switch (cmp) {
    case ASL_CMP_EQ: return order == 0;
    case ASL_CMP_LT: return order < 0;
    case ASL_CMP_GT: return order > 0;
    case ASL_CMP_LE: return order <= 0;
    case ASL_CMP_GE: return order >= 0;
    }
    return 0;
}

/* ==== Numbers ============================================================ */

static int num_cmp(int cmp, double a, double b)
{
    /* NaN cannot come from JSON; no order means false for every operator. */
    if (a < b) return apply_cmp(cmp, -1);
    if (a > b) return apply_cmp(cmp, 1);
    if (a == b) return apply_cmp(cmp, 0);
    return 0;
}

int asl_test_num(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, double rhs)
{
    const cJSON *v = operand(x, var, in);
    if (!v || !cJSON_IsNumber(v))
        return 0;
    return num_cmp(cmp, v->valuedouble, rhs);
}

int asl_test_num_path(asl_exec *x, const cJSON *in, const asl_path *var, int cmp,
                      const asl_path *rhs)
{
    const cJSON *v = operand(x, var, in);
    if (!v)
        return 0;
    const cJSON *r = operand(x, rhs, in);
    if (!r || !cJSON_IsNumber(v) || !cJSON_IsNumber(r))
        return 0;
    return num_cmp(cmp, v->valuedouble, r->valuedouble);
}

/* ==== Strings ============================================================ */

/* Next UTF-16 code unit of a UTF-8 string, for Java's String ordering.
 * [*pending] holds a low surrogate still to be returned. A byte that is not
 * valid UTF-8 stands for itself, so comparison stays total. Returns -1 at
 * the end. */
static long next_unit(const unsigned char **s, long *pending)
{
    if (*pending >= 0) {
        long u = *pending;
        *pending = -1;
        return u;
    }
    const unsigned char *p = *s;
    if (!*p)
        return -1;
    unsigned c = p[0];
    unsigned long cp;
    int n;
    if (c < 0x80) { cp = c; n = 1; }
    else if ((c & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
        cp = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu); n = 2;
    } else if ((c & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        cp = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu); n = 3;
    } else if ((c & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
               (p[3] & 0xC0) == 0x80) {
        cp = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
             (p[3] & 0x3Fu);
        n = 4;
    } else { cp = c; n = 1; }
    *s = p + n;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *pending = (long)(0xDC00 + (cp & 0x3FF));
        return (long)(0xD800 + (cp >> 10));
    }
    return (long)cp;
}

/* <0, 0, >0 as Java's a.compareTo(b). */
static int str_order(const char *a, const char *b)
{
    const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
    long qa = -1, qb = -1;
    for (;;) {
        long ua = next_unit(&pa, &qa), ub = next_unit(&pb, &qb);
        if (ua != ub)
            return ua < ub ? -1 : 1; /* the shorter string (-1) sorts first */
        if (ua < 0)
            return 0;
    }
}

static int str_cmp(int cmp, const char *a, const char *b)
{
    if (cmp == ASL_CMP_EQ)
        return strcmp(a, b) == 0;
    return apply_cmp(cmp, str_order(a, b));
}

int asl_test_str(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, const char *rhs)
{
    const cJSON *v = operand(x, var, in);
    if (!v || !cJSON_IsString(v) || !v->valuestring)
        return 0;
    return str_cmp(cmp, v->valuestring, rhs);
}

int asl_test_str_path(asl_exec *x, const cJSON *in, const asl_path *var, int cmp,
                      const asl_path *rhs)
{
    const cJSON *v = operand(x, var, in);
    if (!v)
        return 0;
    const cJSON *r = operand(x, rhs, in);
    if (!r || !cJSON_IsString(v) || !cJSON_IsString(r) || !v->valuestring || !r->valuestring)
        return 0;
    return str_cmp(cmp, v->valuestring, r->valuestring);
}

/* ==== Booleans =========================================================== */

int asl_test_bool(asl_exec *x, const cJSON *in, const asl_path *var, int rhs)
{
    const cJSON *v = operand(x, var, in);
    if (!v || !cJSON_IsBool(v))
        return 0;
    return cJSON_IsTrue(v) == (rhs != 0);
}

int asl_test_bool_path(asl_exec *x, const cJSON *in, const asl_path *var, const asl_path *rhs)
{
    const cJSON *v = operand(x, var, in);
    if (!v)
        return 0;
    const cJSON *r = operand(x, rhs, in);
    if (!r || !cJSON_IsBool(v) || !cJSON_IsBool(r))
        return 0;
    return cJSON_IsTrue(v) == cJSON_IsTrue(r);
}

/* ==== Timestamps ========================================================= */

static bool value_timestamp(const cJSON *v, long long *sec, long *nsec)
{
    return cJSON_IsString(v) && v->valuestring && rt_parse_timestamp(v->valuestring, sec, nsec);
}

static int ts_cmp(int cmp, long long as, long an, long long bs, long bn)
{
    int order = as < bs ? -1 : as > bs ? 1 : an < bn ? -1 : an > bn ? 1 : 0;
    return apply_cmp(cmp, order);
}

int asl_test_ts(asl_exec *x, const cJSON *in, const asl_path *var, int cmp, long long sec,
                long nsec)
{
    const cJSON *v = operand(x, var, in);
    long long vs;
    long vn;
    if (!v || !value_timestamp(v, &vs, &vn))
        return 0;
    return ts_cmp(cmp, vs, vn, sec, nsec);
}

int asl_test_ts_path(asl_exec *x, const cJSON *in, const asl_path *var, int cmp,
                     const asl_path *rhs)
{
    const cJSON *v = operand(x, var, in);
    if (!v)
        return 0;
    const cJSON *r = operand(x, rhs, in);
    long long vs, rs;
    long vn, rn;
    if (!r || !value_timestamp(v, &vs, &vn) || !value_timestamp(r, &rs, &rn))
        return 0;
    return ts_cmp(cmp, vs, vn, rs, rn);
}

/* ==== StringMatches ====================================================== */

/* Reads one pattern element at *p: sets *lit to the literal byte and returns
 * 1, or returns 0 for an unescaped '*'. A backslash makes the next byte
 * literal ("\*" is a star, "\\" a backslash); a trailing one stands for
 * itself. */
static int pattern_elem(const char **p, char *lit)
{
    char c = *(*p)++;
    if (c == '*')
        return 0;
    if (c == '\\' && **p) {
        *lit = *(*p)++;
        return 1;
    }
    *lit = c;
    return 1;
}

/* Glob match with '*' only: greedy, backtracking to the last star, so it
 * runs in O(len(s) * len(pattern)) at worst and never recurses. */
static bool glob_match(const char *s, const char *pat)
{
    const char *star_p = NULL, *star_s = NULL;
    const char *p = pat;
    while (*s) {
        if (*p) {
            const char *q = p;
            char lit;
            if (!pattern_elem(&q, &lit)) {
                star_p = q; /* resume after the star */
                star_s = s;
                p = q;
                continue;
            }
            if (lit == *s) {
                p = q;
                s++;
                continue;
            }
        }
        if (!star_p)
            return false;
        p = star_p;
        s = ++star_s;
    }
    /* Only stars may remain. */
    while (*p == '*')
        p++;
    return *p == '\0';
}

int asl_test_matches(asl_exec *x, const cJSON *in, const asl_path *var, const char *pattern)
{
    const cJSON *v = operand(x, var, in);
    if (!v || !cJSON_IsString(v) || !v->valuestring)
        return 0;
    return glob_match(v->valuestring, pattern);
}

/* ==== Type tests ========================================================= */

int asl_test_is(asl_exec *x, const cJSON *in, const asl_path *var, int which, int expect)
{
    const cJSON *v;
    if (which == ASL_IS_PRESENT) {
        v = asl_select_quiet(x, var, in);
        return (v != NULL) == (expect != 0);
    }
    v = operand(x, var, in);
    if (!v)
        return 0;
    bool is;
    long long s;
    long ns;
    switch (which) {
    case ASL_IS_NULL: is = cJSON_IsNull(v); break;
    case ASL_IS_NUMERIC: is = cJSON_IsNumber(v); break;
    case ASL_IS_STRING: is = cJSON_IsString(v); break;
    case ASL_IS_BOOLEAN: is = cJSON_IsBool(v); break;
    case ASL_IS_TIMESTAMP: is = value_timestamp(v, &s, &ns); break;
    default: return 0;
    }
    return is == (expect != 0);
}

/* ==== Pre-selected operands ============================================== */

/* JSONPath's definite walk, one object at a time: out[i] is the first
 * member of [obj] named keys[i] (NULL when [obj] is missing, not an object
 * or has no such member), as Jayway's name step reads it. One pass over
 * the members serves every name; [keys] are distinct. */
void asl_ch_fields(const cJSON *obj, const char *const *keys, int n, const cJSON **out)
{
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (!obj || !is_type(obj, cJSON_Object))
        return;
    int left = n;
    for (const cJSON *c = obj->child; c && left > 0; c = c->next) {
        const char *k = c->string;
        if (!k)
            continue;
        for (int i = 0; i < n; i++) {
            /* the first byte decides most mismatches; names are short, so
             * the rest is compared here rather than by a call to strcmp */
            const char *q = keys[i];
            if (q[0] != k[0])
                continue;
            const char *r = k;
            while (*q && *q == *r)
                q++, r++;
            if (*q != *r)
                continue;
            /* the names are distinct, so no other one matches; a later
             * duplicate member leaves the first in place */
            if (!out[i]) {
                out[i] = c;
                left--;
            }
            break;
        }
    }
}

/* The index step: negative counts from the end, out of range is nothing. */
const cJSON *asl_ch_index(const cJSON *arr, long index)
{
    if (!arr || !is_type(arr, cJSON_Array))
        return NULL;
    return rt_arr_get(arr, index);
}

int asl_ch_num(asl_exec *x, const cJSON *v, const asl_path *p, int cmp, double rhs)
{
    if (!v)
        return missing(x, p);
    return is_type(v, cJSON_Number) && num_cmp(cmp, v->valuedouble, rhs);
}

int asl_ch_num2(asl_exec *x, const cJSON *v, const asl_path *p, int cmp, const cJSON *r,
                const asl_path *rp)
{
    if (!v)
        return missing(x, p);
    if (!r)
        return missing(x, rp);
    return is_type(v, cJSON_Number) && is_type(r, cJSON_Number) &&
           num_cmp(cmp, v->valuedouble, r->valuedouble);
}

int asl_ch_str(asl_exec *x, const cJSON *v, const asl_path *p, int cmp, const char *rhs)
{
    if (!v)
        return missing(x, p);
    return is_type(v, cJSON_String) && v->valuestring && str_cmp(cmp, v->valuestring, rhs);
}

int asl_ch_str2(asl_exec *x, const cJSON *v, const asl_path *p, int cmp, const cJSON *r,
                const asl_path *rp)
{
    if (!v)
        return missing(x, p);
    if (!r)
        return missing(x, rp);
    return is_type(v, cJSON_String) && is_type(r, cJSON_String) && v->valuestring &&
           r->valuestring && str_cmp(cmp, v->valuestring, r->valuestring);
}

int asl_ch_bool(asl_exec *x, const cJSON *v, const asl_path *p, int rhs)
{
    if (!v)
        return missing(x, p);
    return (is_type(v, cJSON_True) && rhs) || (is_type(v, cJSON_False) && !rhs);
}

int asl_ch_bool2(asl_exec *x, const cJSON *v, const asl_path *p, const cJSON *r,
                 const asl_path *rp)
{
    if (!v)
        return missing(x, p);
    if (!r)
        return missing(x, rp);
    return cJSON_IsBool(v) && cJSON_IsBool(r) && cJSON_IsTrue(v) == cJSON_IsTrue(r);
}

/* [v] as a timestamp, parsed once per state through [m] (m->state set to
 * 0 by the caller): the same Variable is often compared several times. */
static bool memo_timestamp(const cJSON *v, asl_ts_memo *m, long long *sec, long *nsec)
{
    if (!m->state)
        m->state = value_timestamp(v, &m->sec, &m->nsec) ? 1 : 2;
    *sec = m->sec;
    *nsec = m->nsec;
    return m->state == 1;
}

int asl_ch_ts(asl_exec *x, const cJSON *v, const asl_path *p, asl_ts_memo *m, int cmp,
              long long sec, long nsec)
{
    if (!v)
        return missing(x, p);
    long long vs;
    long vn;
    if (!memo_timestamp(v, m, &vs, &vn))
        return 0;
    return ts_cmp(cmp, vs, vn, sec, nsec);
}

int asl_ch_ts2(asl_exec *x, const cJSON *v, const asl_path *p, asl_ts_memo *m, int cmp,
               const cJSON *r, const asl_path *rp, asl_ts_memo *rm)
{
    if (!v)
        return missing(x, p);
    if (!r)
        return missing(x, rp);
    long long vs, rs;
    long vn, rn;
    if (!memo_timestamp(v, m, &vs, &vn) || !memo_timestamp(r, rm, &rs, &rn))
        return 0;
    return ts_cmp(cmp, vs, vn, rs, rn);
}

int asl_ch_matches(asl_exec *x, const cJSON *v, const asl_path *p, const char *pattern)
{
    if (!v)
        return missing(x, p);
    return is_type(v, cJSON_String) && v->valuestring && glob_match(v->valuestring, pattern);
}

int asl_ch_is(asl_exec *x, const cJSON *v, const asl_path *p, asl_ts_memo *m, int which,
              int expect)
{
    if (which == ASL_IS_PRESENT)
        return (v != NULL) == (expect != 0);
    if (!v)
        return missing(x, p);
    bool is;
    long long s;
    long ns;
    switch (which) {
    case ASL_IS_NULL: is = is_type(v, cJSON_NULL); break;
    case ASL_IS_NUMERIC: is = is_type(v, cJSON_Number); break;
    case ASL_IS_STRING: is = is_type(v, cJSON_String); break;
    case ASL_IS_BOOLEAN: is = cJSON_IsBool(v); break;
    case ASL_IS_TIMESTAMP:
        is = m ? memo_timestamp(v, m, &s, &ns) : value_timestamp(v, &s, &ns);
        break;
    default: return 0;
    }
    return is == (expect != 0);
}

/* ==== No match ========================================================== */

/* The ASL specification and AWS's guide name States.NoChoiceMatched for a
 * Choice state with no matching rule and no Default, but AWS itself fails
 * the transition: States.Runtime with the cause below. Not in the recorded
 * cases; several independent emulators record this wording, one as verified
 * against AWS. Being States.Runtime, no Catch or Retry sees it. */
int asl_no_choice_matched(asl_exec *x)
{
    return asl_fail_runtime(x, "Failed to transition out of the state. The state does not "
                               "point to a next state.");
}
