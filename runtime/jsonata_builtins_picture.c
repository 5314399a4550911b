/*
 * jsonata_builtins_picture.c - the built-ins over picture strings:
 * $formatNumber, $formatInteger, $parseInteger, $formatBase, $fromMillis,
 * $toMillis and $now. They adapt jn_val arguments to jsonata_format.h,
 * which holds the semantics, and carry its errors onto the evaluation.
 *
 * Layer: values
 */
#include <stdlib.h>
#include <string.h>

#include "jsonata_builtins_text_impl.h"
#include "jsonata_format.h"

/* A jsonata_format.h result: the text (copied into the arena), undefined,
 * or the error recorded on [cx]. */
static jn_val *text_result(jn_ctx *cx, int rc, char *out, const jn_error *err)
{
    if (rc < 0) {
        free(out);
        return jn_throwf(cx, err->code, "%s", err->message);
    }
    if (rc > 0 || !out) {
        free(out);
        return NULL;
    }
    jn_val *r = jn_str_copy(cx, out, strlen(out));
    free(out);
    return r;
}

static jn_val *num_result(jn_ctx *cx, int rc, double d, const jn_error *err)
{
    if (rc < 0)
        return jn_throwf(cx, err->code, "%s", err->message);
    return rc > 0 ? NULL : jn_num(cx, d);
}

/* An option of $formatNumber's third argument, NUL-terminated, or NULL. */
static const char *option(jn_ctx *cx, const jn_val *opts, const char *key)
{
    const jn_val *v = opts ? jn_obj_get(cx, opts, key, strlen(key)) : NULL;
    return jn_is_str(v) ? jn_strndup(cx, v->u.str.s, v->u.str.len) : NULL;
}

/* jsonata-js reads the picture without checking it: an undefined picture
 * is a JavaScript TypeError there, whose message we give. */
static jn_val *no_picture(jn_ctx *cx, const char *method)
{
    return jn_throwf(cx, "TypeError", "Cannot read properties of undefined (reading '%s')", method);
}

jn_val *jn_fn_format_number(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    if (!a[1])
        return no_picture(cx, "split");
    const jn_val *o = n > 2 && jn_is_obj(a[2]) ? a[2] : NULL;
    jn_decimal_format f = {
        option(cx, o, "decimal-separator"), option(cx, o, "grouping-separator"),
        option(cx, o, "exponent-separator"), option(cx, o, "minus-sign"),
        option(cx, o, "infinity"), option(cx, o, "NaN"),
        option(cx, o, "percent"), option(cx, o, "per-mille"),
        option(cx, o, "zero-digit"), option(cx, o, "digit"),
        option(cx, o, "pattern-separator"),
    };
    char *out = NULL;
    jn_error err = {0};
    int rc = jn_format_number(a[0]->u.num, a[1]->u.str.s, a[1]->u.str.len, &f, &out, &err);
    return text_result(cx, rc, out, &err);
}

jn_val *jn_fn_format_integer(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    if (!a[1])
        return no_picture(cx, "lastIndexOf");
    char *out = NULL;
    jn_error err = {0};
    int rc = jn_format_integer(a[0]->u.num, a[1]->u.str.s, a[1]->u.str.len, &out, &err);
    return text_result(cx, rc, out, &err);
}

jn_val *jn_fn_parse_integer(jn_ctx *cx, jn_val **a, int n)
{
    (void)n;
    if (!a[0])
        return NULL;
    if (!a[1])
        return no_picture(cx, "lastIndexOf");
    double d = 0;
    jn_error err = {0};
    int rc = jn_parse_integer(a[0]->u.str.s, a[0]->u.str.len, a[1]->u.str.s, a[1]->u.str.len,
                              &d, &err);
    return num_result(cx, rc, d, &err);
}

jn_val *jn_fn_format_base(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    double radix = n > 1 && a[1] ? a[1]->u.num : 10;
    /* Out-of-range radixes are the callee's D3100; keep them out of int range
     * trouble first. */
    int r = radix >= 2 && radix <= 36 ? (int)radix : (radix < 2 ? 1 : 37);
    char *out = NULL;
    jn_error err = {0};
    int rc = jn_format_base(a[0]->u.num, r, &out, &err);
    return text_result(cx, rc, out, &err);
}

static jn_val *from_millis(jn_ctx *cx, double ms, const jn_val *pic, const jn_val *tz)
{
    char *out = NULL;
    jn_error err = {0};
    int rc = jn_format_datetime(ms, pic ? pic->u.str.s : NULL, pic ? pic->u.str.len : 0,
                                tz ? tz->u.str.s : NULL, tz ? tz->u.str.len : 0, &out, &err);
    return text_result(cx, rc, out, &err);
}

jn_val *jn_fn_from_millis(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    return from_millis(cx, a[0]->u.num, n > 1 ? a[1] : NULL, n > 2 ? a[2] : NULL);
}

jn_val *jn_fn_now(jn_ctx *cx, jn_val **a, int n)
{
    return from_millis(cx, jn_now_ms(cx), n > 0 ? a[0] : NULL, n > 1 ? a[1] : NULL);
}

jn_val *jn_fn_to_millis(jn_ctx *cx, jn_val **a, int n)
{
    if (!a[0])
        return NULL;
    const jn_val *pic = n > 1 ? a[1] : NULL;
    double ms = 0;
    jn_error err = {0};
    int rc = jn_parse_datetime_at(a[0]->u.str.s, a[0]->u.str.len, pic ? pic->u.str.s : NULL,
                                  pic ? pic->u.str.len : 0, jn_now_ms(cx), &ms, &err);
    return num_result(cx, rc, ms, &err);
}
