/*
 * jsonata_builtins_regex.c - the JSONata built-ins that take a matcher:
 * $contains, $match, $replace and $split, as jsonata-js 2.0.6 has them.
 *
 * A matcher is any function value: a regex literal (jsonata_eval_func.c
 * makes it a function returning {match, start, end, groups, next}) or a
 * user's function returning the same shape. Like jsonata-js these
 * functions only ever call it through jn_apply() and follow `next`, so
 * both work. `start`/`end` are JavaScript (UTF-16) indexes; they are
 * turned into byte offsets here.
 *
 * Layer: values
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonata_builtins_text_impl.h"

/* evaluateMatcher: call [matcher] on [str] (NULL: follow a `next`) and
 * check the shape of what comes back. */
static jn_val *run_matcher(jn_ctx *cx, const jn_val *matcher, jn_val *str)
{
    jn_val *r = jn_apply(cx, matcher, &str, str ? 1 : 0);
    if (jn_failed(cx) || !r)
        return NULL;
    jn_val *start = jn_obj_get(cx, r, "start", 5);
    jn_val *groups = jn_obj_get(cx, r, "groups", 6);
    jn_val *next = jn_obj_get(cx, r, "next", 4);
    if (!jn_is_obj(r) || !(jn_is_num(start) || jn_is_array(groups) || jn_is_fn(next)))
        return jn_throw(cx, "T1010", NULL, NULL);
    return r;
}

static jn_val *next_match(jn_ctx *cx, const jn_val *m)
{
    jn_val *next = jn_obj_get(cx, m, "next", 4);
    if (!jn_is_fn(next))
        return NULL;
    return run_matcher(cx, next, NULL);
}

/* A match's start and end as byte offsets into [s]. */
static void match_span(jn_ctx *cx, const jn_val *m, const jn_val *s, size_t *b0, size_t *b1)
{
    jn_val *start = jn_obj_get(cx, m, "start", 5);
    jn_val *match = jn_obj_get(cx, m, "match", 5);
    double u = jn_is_num(start) && start->u.num > 0 ? start->u.num : 0;
    *b0 = jn_utf16_to_byte(s->u.str.s, s->u.str.len, (size_t)u);
    size_t ml = jn_is_str(match) ? match->u.str.len : 0;
    *b1 = *b0 + ml > s->u.str.len ? s->u.str.len : *b0 + ml;
}

static bool limit_reached(const jn_val *limit, long count)
{
    return limit && (double)count >= limit->u.num;
}

static jn_val *bad_limit(jn_ctx *cx, const char *code, const jn_val *limit)
{
    return jn_throw(cx, code, NULL, limit);
}

/* Byte offset of [pat] in [s] from [from], or -1. */
static long find(const jn_val *s, size_t from, const jn_val *pat)
{
    size_t n = s->u.str.len, m = pat->u.str.len;
    if (m == 0)
        return (long)from;
    for (size_t i = from; i + m <= n; i++)
        if (memcmp(s->u.str.s + i, pat->u.str.s, m) == 0)
            return (long)i;
    return -1;
}

/* ---- $contains ---------------------------------------------------------- */
jn_val *jn_fn_contains(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    if (jn_is_str(a[1]))
        return jn_bool(find(a[0], 0, a[1]) >= 0);
    jn_val *m = run_matcher(cx, a[1], a[0]);
    return jn_failed(cx) ? NULL : jn_bool(m != NULL);
}

/* ---- $match -------------------------------------------------------------- */
jn_val *jn_fn_match(jn_ctx *cx, jn_val **a, int n)
{
    jn_val *limit = n > 2 ? a[2] : NULL;
    if (!a[0])
        return NULL;
    if (limit && limit->u.num < 0)
        return bad_limit(cx, "D3040", limit);
    jn_val *r = jn_seq_new(cx, 4);
    if (limit && limit->u.num <= 0)
        return r;
    long count = 0;
    for (jn_val *m = run_matcher(cx, a[1], a[0]); m && !limit_reached(limit, count);
         m = next_match(cx, m), count++) {
        if (!jn_tick(cx))
            return NULL;
        jn_val *o = jn_obj_new(cx, 3);
        jn_val *v = jn_obj_get(cx, m, "match", 5);
        if (v)
            jn_obj_set(cx, o, "match", 5, v);
        if ((v = jn_obj_get(cx, m, "start", 5)))
            jn_obj_set(cx, o, "index", 5, v);
        if ((v = jn_obj_get(cx, m, "groups", 6)))
            jn_obj_set(cx, o, "groups", 6, v);
        jn_arr_push(cx, r, o);
    }
    return jn_failed(cx) ? NULL : r;
}

/* ---- $replace ------------------------------------------------------------ */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void put(jn_ctx *cx, sbuf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 64) + len;
        char *p = jn_alloc(cx, cap);
        if (jn_failed(cx))
            return;
        if (b->n)
            memcpy(p, b->p, b->n);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
}

/* The replacement text with $0, $n and $$ filled in from [m], as
 * jsonata-js reads them (as many digits as the group count has, fewer if
 * that names a group that does not exist). */
static void substitute(jn_ctx *cx, sbuf *out, const jn_val *rep, const jn_val *m)
{
    const char *r = rep->u.str.s;
    size_t len = rep->u.str.len, pos = 0;
    jn_val *groups = jn_obj_get(cx, m, "groups", 6);
    size_t ng = jn_is_array(groups) ? groups->u.arr.n : 0;
    while (pos < len) {
        const char *d = memchr(r + pos, '$', len - pos);
        if (!d)
            break;
        size_t at = (size_t)(d - r);
        put(cx, out, r + pos, at - pos);
        pos = at + 1;
        char c = pos < len ? r[pos] : 0;
        if (c == '$') {
            put(cx, out, "$", 1);
            pos++;
        } else if (c == '0') {
            jn_val *mt = jn_obj_get(cx, m, "match", 5);
            if (jn_is_str(mt))
                put(cx, out, mt->u.str.s, mt->u.str.len);
            pos++;
        } else {
            int maxd = ng == 0 ? 1 : (int)floor(log10((double)ng)) + 1;
            long idx = -1;
            int used = 0;
            for (int k = 0; k < maxd && pos + (size_t)k < len && r[pos + k] >= '0' && r[pos + k] <= '9'; k++) {
                idx = (idx < 0 ? 0 : idx * 10) + (r[pos + k] - '0');
                used = k + 1;
            }
            if (maxd > 1 && idx > (long)ng && used > 1) {
                idx /= 10;
                used--;
            }
            if (idx >= 0) {
                if (ng > 0 && idx >= 1 && (size_t)idx <= ng) {
                    jn_val *g = groups->u.arr.items[idx - 1];
                    if (jn_is_str(g))
                        put(cx, out, g->u.str.s, g->u.str.len);
                }
                /* index.toString().length: leading zeros are not counted */
                char digits[24];
                pos += (size_t)snprintf(digits, sizeof digits, "%ld", idx);
            } else
                put(cx, out, "$", 1);
        }
    }
    if (pos < len)
        put(cx, out, r + pos, len - pos);
}

jn_val *jn_fn_replace(jn_ctx *cx, jn_val **a, int n)
{
    jn_val *str = a[0], *pat = a[1], *rep = a[2], *limit = n > 3 ? a[3] : NULL;
    if (!str)
        return NULL;
    if (jn_is_str(pat) && pat->u.str.len == 0)
        return jn_throw(cx, "D3010", NULL, pat);
    if (limit && limit->u.num < 0)
        return bad_limit(cx, "D3011", limit);
    if (limit && limit->u.num <= 0)
        return str;
    sbuf out = {0};
    size_t pos = 0;
    long count = 0;
    if (jn_is_str(pat)) {
        jn_val *rs = jn_is_str(rep) ? rep : jn_stringify(cx, rep, false);
        for (long at = find(str, 0, pat); at >= 0 && !limit_reached(limit, count);
             at = find(str, pos, pat), count++) {
            put(cx, &out, str->u.str.s + pos, (size_t)at - pos);
            if (rs)
                put(cx, &out, rs->u.str.s, rs->u.str.len);
            pos = (size_t)at + pat->u.str.len;
        }
    } else {
        jn_val *m = run_matcher(cx, pat, str);
        if (!m)
            return jn_failed(cx) ? NULL : str;
        for (; m && !limit_reached(limit, count); m = next_match(cx, m), count++) {
            if (!jn_tick(cx))
                return NULL;
            size_t b0, b1;
            match_span(cx, m, str, &b0, &b1);
            if (b0 < pos)
                b0 = pos;
            put(cx, &out, str->u.str.s + pos, b0 - pos);
            if (jn_is_str(rep))
                substitute(cx, &out, rep, m);
            else {
                jn_val *w = jn_apply(cx, rep, &m, 1);
                if (jn_failed(cx))
                    return NULL;
                if (!jn_is_str(w))
                    return jn_throw(cx, "D3012", NULL, w);
                put(cx, &out, w->u.str.s, w->u.str.len);
            }
            pos = b1 > pos ? b1 : pos;
        }
    }
    if (jn_failed(cx))
        return NULL;
    put(cx, &out, str->u.str.s + pos, str->u.str.len - pos);
    return jn_str(cx, out.p ? out.p : "", out.n);
}

/* ---- $split -------------------------------------------------------------- */
jn_val *jn_fn_split(jn_ctx *cx, jn_val **a, int n)
{
    jn_val *str = a[0], *sep = a[1], *limit = n > 2 ? a[2] : NULL;
    if (!str)
        return NULL;
    if (limit && limit->u.num < 0)
        return bad_limit(cx, "D3020", limit);
    jn_val *r = jn_arr_new(cx, 4);
    if (limit && limit->u.num <= 0)
        return r;
    const char *s = str->u.str.s;
    size_t len = str->u.str.len;
    if (jn_is_str(sep)) {
        /* String.prototype.split with ToUint32(limit) */
        double lim = limit ? floor(limit->u.num) : 4294967295.0;
        size_t m = sep->u.str.len, start = 0;
        if (m == 0) {
            for (size_t i = 0; i < len && (double)r->u.arr.n < lim;) {
                size_t k = i + 1;
                while (k < len && ((unsigned char)s[k] & 0xc0) == 0x80)
                    k++;
                jn_arr_push(cx, r, jn_str(cx, s + i, k - i));
                i = k;
            }
            return r;
        }
        for (long at = find(str, 0, sep); at >= 0 && (double)r->u.arr.n < lim; at = find(str, start, sep)) {
            jn_arr_push(cx, r, jn_str(cx, s + start, (size_t)at - start));
            start = (size_t)at + m;
        }
        if ((double)r->u.arr.n < lim)
            jn_arr_push(cx, r, jn_str(cx, s + start, len - start));
        return r;
    }
    jn_val *m = run_matcher(cx, sep, str);
    if (!m) {
        if (jn_failed(cx))
            return NULL;
        jn_arr_push(cx, r, str);
        return r;
    }
    size_t start = 0;
    long count = 0;
    for (; m && !limit_reached(limit, count); m = next_match(cx, m), count++) {
        if (!jn_tick(cx))
            return NULL;
        size_t b0, b1;
        match_span(cx, m, str, &b0, &b1);
        if (b0 < start)
            b0 = start;
        jn_arr_push(cx, r, jn_str(cx, s + start, b0 - start));
        jn_val *end = jn_obj_get(cx, m, "end", 3);
        start = jn_is_num(end) && end->u.num > 0 ? jn_utf16_to_byte(s, len, (size_t)end->u.num) : b1;
    }
    if (jn_failed(cx))
        return NULL;
    if (!limit_reached(limit, count))
        jn_arr_push(cx, r, jn_str(cx, s + start, start <= len ? len - start : 0));
    return r;
}
