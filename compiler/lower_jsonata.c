/*
 * lower_jsonata.c - JSONata states' field values lowered to IR templates:
 * a "{% %}" string is parsed once here into the asl_jnode tree that
 * codegen writes out as static data, so generated programs never parse.
 */
#include <string.h>

#include "jsonata_parse.h"
#include "lower_jsonata.h"

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The expression between "{%" and "%}", white space trimmed (what AWS
 * quotes in its causes); NULL when [s] is not one. */
static const char *expression(arena *a, const char *s, size_t *len)
{
    size_t n = strlen(s);
    if (n < 4 || memcmp(s, "{%", 2) != 0 || memcmp(s + n - 2, "%}", 2) != 0)
        return NULL;
    size_t b = 2, e = n - 2;
    while (b < e && is_space(s[b]))
        b++;
    while (e > b && is_space(s[e - 1]))
        e--;
    *len = e - b;
    return arena_strndup(a, s + b, e - b);
}

ir_tmpl *lower_jsonata_tmpl(arena *a, const cJSON *v)
{
    if (!v)
        return NULL;
    ir_tmpl *t = arena_new(a, ir_tmpl);
    t->constant = false;
    switch (v->type & 0xff) {
    case cJSON_NULL: t->kind = IR_T_NULL; break;
    case cJSON_True: t->kind = IR_T_TRUE; break;
    case cJSON_False: t->kind = IR_T_FALSE; break;
    case cJSON_Number:
        t->kind = IR_T_NUMBER;
        t->num = v->valuedouble;
        break;
    case cJSON_String: {
        size_t len = 0;
        const char *expr = expression(a, v->valuestring, &len);
        if (!expr) {
            t->kind = IR_T_STRING;
            t->str = arena_strdup(a, v->valuestring);
            break;
        }
        jsonata_syntax_error se;
        t->kind = IR_T_JSONATA;
        t->str = expr;
        t->jn = jsonata_parse(a, expr, len, &se);
        if (!t->jn)
            return NULL;
        break;
    }
    case cJSON_Array: {
        t->kind = IR_T_ARRAY;
        t->n = cJSON_GetArraySize(v);
        t->items = arena_array(a, (size_t)(t->n ? t->n : 1), sizeof *t->items);
        int i = 0;
        for (const cJSON *c = v->child; c; c = c->next)
            if (!(t->items[i++] = lower_jsonata_tmpl(a, c)))
                return NULL;
        break;
    }
    case cJSON_Object: {
        t->kind = IR_T_OBJECT;
        t->n = cJSON_GetArraySize(v);
        t->fields = arena_array(a, (size_t)(t->n ? t->n : 1), sizeof *t->fields);
        int i = 0;
        for (const cJSON *c = v->child; c; c = c->next, i++) {
            t->fields[i].key = arena_strdup(a, c->string ? c->string : "");
            if (!(t->fields[i].value = lower_jsonata_tmpl(a, c)))
                return NULL;
        }
        break;
    }
    default:
        return NULL;
    }
    return t;
}

bool lower_is_jsonata(const cJSON *st, bool inherited)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(st, "QueryLanguage");
    if (cJSON_IsString(q))
        return strcmp(q->valuestring, "JSONata") == 0;
    return inherited;
}
