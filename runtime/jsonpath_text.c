/*
 * jsonpath_text.c - the texts of JSONPath failures, as Jayway JsonPath
 * (which AWS Step Functions uses) words them: "Invalid path '<text>' :
 * <message>", with paths, values and Java class names printed the way
 * Jayway's model prints them.
 *
 * Layer: values. Owns the message buffers it grows (freed by
 * rt_path_fail).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpath_impl.h"

/* ==== Message text ====================================================== */


/* Shortest text that reads back as [d]. */
void rt_shortest(char *out, size_t len, double d)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, len, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

/* A number as Java prints it: json-smart holds integers as Integer / Long
 * and the rest as Double (Double.toString: "1.5", "100.0", "1.0E7"). */
static void java_number(rt_sbuf *b, double d)
{
    if (d == floor(d) && fabs(d) < 9.2e18) {
        rt_sb_fmt(b, "%lld", (long long)d);
        return;
    }
    char t[40];
    double a = fabs(d);
    if (!isfinite(d)) {
        rt_sb_str(b, isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (a >= 1e-3 && a < 1e7) {
        rt_shortest(t, sizeof t, d);
        rt_sb_str(b, t);
        if (!strchr(t, '.'))
            rt_sb_str(b, ".0");
        return;
    }
    /* scientific: mantissa with at least one decimal, then E and exponent */
    rt_shortest(t, sizeof t, d);
    char *e = strchr(t, 'e');
    int exp10 = e ? atoi(e + 1) : 0;
    if (e)
        *e = 0;
    rt_sb_str(b, t);
    if (!strchr(t, '.'))
        rt_sb_str(b, ".0");
    rt_sb_fmt(b, "E%d", exp10);
}

/* Java class of a value as Jayway's default provider (json-smart) holds it. */
static const char *java_class(const cJSON *v)
{
    if (!v)
        return "null";
    switch (v->type & 0xFF) {
    case cJSON_NULL:
        return "null";
    case cJSON_True:
    case cJSON_False:
        return "java.lang.Boolean";
    case cJSON_String:
        return "java.lang.String";
    case cJSON_Array:
        return "net.minidev.json.JSONArray";
    case cJSON_Object:
        return "net.minidev.json.JSONObject";
    case cJSON_Number: {
        double d = v->valuedouble;
        if (d != floor(d) || !isfinite(d))
            return "java.lang.Double";
        if (d >= -2147483648.0 && d <= 2147483647.0)
            return "java.lang.Integer";
        return "java.lang.Long";
    }
    default:
        return "java.lang.Object";
    }
}

/* A value as Java's toString shows it (containers as compact JSON). */
void rt_java_string(rt_sbuf *b, const cJSON *v)
{
    if (!v || cJSON_IsNull(v)) {
        rt_sb_str(b, "null");
    } else if (cJSON_IsString(v)) {
        rt_sb_str(b, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsNumber(v)) {
        java_number(b, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        rt_sb_str(b, cJSON_IsTrue(v) ? "true" : "false");
    } else {
        char *t = rt_json_print(v);
        rt_sb_str(b, t ? t : "?");
        free(t);
    }
}

/* Jayway's path fragment for one segment. */
void rt_path_fragment(rt_sbuf *b, const asl_seg *s)
{
    switch (s->kind) {
    case ASL_SEG_FIELD:
        rt_sb_str(b, "['");
        rt_sb_str(b, s->name);
        rt_sb_str(b, "']");
        break;
    case ASL_SEG_INDEX:
        rt_sb_fmt(b, "[%ld]", s->index);
        break;
    case ASL_SEG_WILDCARD:
        rt_sb_str(b, "[*]");
        break;
    case ASL_SEG_SLICE:
        rt_sb_str(b, "[");
        if (s->slice_flags & ASL_SLICE_HAS_START)
            rt_sb_fmt(b, "%ld", s->start);
        rt_sb_str(b, ":");
        if (s->slice_flags & ASL_SLICE_HAS_END)
            rt_sb_fmt(b, "%ld", s->end);
        rt_sb_str(b, "]");
        break;
    case ASL_SEG_UNION:
        rt_sb_str(b, "[");
        for (int k = 0; k < s->nnames; k++) {
            rt_sb_str(b, k ? ", '" : "'");
            rt_sb_str(b, s->names[k]);
            rt_sb_str(b, "'");
        }
        for (int k = 0; k < s->nindexes; k++)
            rt_sb_fmt(b, k ? ",%ld" : "%ld", s->indexes[k]);
        rt_sb_str(b, "]");
        break;
    case ASL_SEG_DEEP:
        rt_sb_str(b, "..");
        if (s->name) {
            rt_sb_str(b, "['");
            rt_sb_str(b, s->name);
            rt_sb_str(b, "']");
        } else {
            rt_sb_str(b, "[*]");
        }
        break;
    case ASL_SEG_FILTER:
        rt_sb_str(b, "[?]");
        break;
    }
}

/* "$" and the fragments of segments [from, to). */
void rt_path_frags(rt_sbuf *b, const asl_path *p, int from, int to, bool root)
{
    if (root)
        rt_sb_str(b, "$");
    for (int i = from; i < to; i++)
        rt_path_fragment(b, &p->segs[i]);
}

/* Fail the state with AWS's "Invalid path" cause; [b]'s text is the
 * reason. Frees [b]. */
void rt_path_fail(asl_exec *x, const asl_path *p, rt_sbuf *b)
{
    if (b->oom || !b->p)
        asl_fail_with(x, "States.Runtime", "out of memory");
    else
        asl_fail_runtime(x, "Invalid path '%s' : %s", p->text ? p->text : "", b->p);
    free(b->p);
}

void rt_path_report_stop(asl_exec *x, const asl_path *p, const rt_path_stop *s)
{
    rt_sbuf b = {0};
    const asl_seg *g = s->at < p->nsegs ? &p->segs[s->at] : NULL;
    switch (s->why) {
    case RT_STOP_NO_RESULT:
        rt_sb_str(&b, "No results for path: ");
        if (p->normalized)
            rt_sb_str(&b, p->normalized);
        else
            rt_path_frags(&b, p, 0, p->nsegs, true);
        break;
    case RT_STOP_MISSING:
        rt_sb_str(&b, "Missing property in path ");
        rt_path_frags(&b, p, 0, s->at + 1, true);
        break;
    case RT_STOP_NOT_OBJECT:
        rt_sb_str(&b, "Expected to find an object with property ");
        if (g)
            rt_path_fragment(&b, g);
        rt_sb_str(&b, " in path ");
        rt_path_frags(&b, p, 0, s->at, true);
        rt_sb_str(&b, " but found '");
        rt_sb_str(&b, java_class(s->model));
        rt_sb_str(&b, "'. This is not a json object according to the JsonProvider: "
                   "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.");
        break;
    case RT_STOP_NULL:
        rt_sb_str(&b, "The path ");
        rt_path_frags(&b, p, 0, s->at, true);
        rt_sb_str(&b, " is null");
        break;
    default:
        rt_sb_str(&b, "Filter: ");
        rt_path_frags(&b, p, s->at, p->nsegs, false);
        rt_sb_str(&b, " can only be applied to arrays. Current context is: ");
        rt_java_string(&b, s->model);
        break;
    }
    rt_path_fail(x, p, &b);
}
