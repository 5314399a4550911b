/*
 * check_payload.c - values that hold paths or intrinsic calls: path
 * fields (InputPath, ResultPath, ItemsPath, SecondsPath, Variable, ...),
 * payload templates (Parameters, ResultSelector, ItemSelector, ...) and
 * their ".$" fields, ErrorPath / CausePath. Variable references in
 * paths and intrinsic arguments are checked here and recorded for
 * check_vars.c; literal strings that read like paths get AWS's NO_DOLLAR
 * warning.
 *
 * Problems inside a string are reported at the offending character: the
 * value's offset plus one plus the index the parser gives, mapped through
 * any JSON escapes by check_str_off().
 */
#include <stdio.h>
#include <string.h>

#include "check_internal.h"
#include "intrinsic.h"
#include "path.h"

static const char *field_name(const cJSON *v) { return v->string ? v->string : "value"; }

static void report_path_error(check_ctx *c, const cJSON *v, const path_error *pe, bool reference)
{
    size_t off = check_str_off(c->u, v, pe->index);
    if (pe->code == DIAG_UNSUPPORTED_FEATURE || pe->code == DIAG_UNREADABLE_FILTER)
        diag_at(c->u, pe->code, off, "in \"%s\": %s", field_name(v), pe->msg);
    else
        diag_at(c->u, pe->code, off, "\"%s\" is not a valid %s: %s", field_name(v),
                reference ? "Reference Path" : "path", pe->msg);
}

static void report_path_warning(check_ctx *c, const cJSON *v, const path_error *pe)
{
    if (pe->has_warning)
        diag_at(c->u, DIAG_IGNORED_SLICE_STEP, check_str_off(c->u, v, pe->warn_index), "in \"%s\": %s",
                field_name(v), pe->warn);
}

static bool is_ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           (unsigned char)ch >= 0x80;
}

/* How many identifier characters [s] starts with. */
static size_t strspn_ident(const char *s)
{
    size_t n = 0;
    while (is_ident_char(s[n]))
        n++;
    return n;
}

/* Parse [s] (the text of the string value [v] from byte [base] on) as a
 * path. path.c refuses a variable reference ("$name...") as unsupported
 * once its syntax is right; here it is checked as the path "$..." that
 * follows the name, with [flags] (so a Reference Path stays one), and
 * recorded for the scope checks. Under for_build a variable is refused
 * as unsupported. Returns false with [pe] filled in (indexes into s). */
static bool parse_any_path(check_ctx *c, const cJSON *v, const char *s, size_t base, unsigned flags,
                           path_error *pe)
{
    if (!path_is_variable(s) || (flags & PATH_NO_VARIABLE))
        return path_parse(&c->u->arena, s, flags, pe) != NULL;
    size_t n = 1;
    while (is_ident_char(s[n]))
        n++;
    /* "$name$..." would read as "$$...", a valid context path the lowering
     * (which sees the whole text) refuses: let path.c word the error. */
    if (s[n] == '$')
        return path_parse(&c->u->arena, s, flags, pe) != NULL;
    size_t rest = strlen(s + n);
    char *text = arena_alloc(&c->u->arena, rest + 2);
    text[0] = '$';
    memcpy(text + 1, s + n, rest + 1);
    if (!path_parse(&c->u->arena, text, flags, pe)) {
        pe->index = pe->index ? pe->index + n - 1 : 0;
        return false;
    }
    if (pe->has_warning)
        pe->warn_index += n - 1;
    check_var_ref(c, s + 1, n - 1, check_str_off(c->u, v, base));
    return true;
}

bool check_path_field(check_ctx *c, const cJSON *v, unsigned flags)
{
    if (!v)
        return true;
    bool reference = (flags & PATH_REFERENCE) != 0;
    if (cJSON_IsNull(v)) {
        if (flags & CHECK_PATH_NULL_OK)
            return true;
        diag_val(c->u, DIAG_WRONG_TYPE, v, "\"%s\" must be a %s string, not null", field_name(v),
                 reference ? "Reference Path" : "path");
        return false;
    }
    if (!cJSON_IsString(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v, "\"%s\" must be a %s string%s, found %s", field_name(v),
                 reference ? "Reference Path" : "path", (flags & CHECK_PATH_NULL_OK) ? " or null" : "",
                 check_type_name(v));
        return false;
    }
    path_error pe;
    if (!parse_any_path(c, v, v->valuestring, 0, flags & 0xffu, &pe)) {
        report_path_error(c, v, &pe, reference);
        return false;
    }
    report_path_warning(c, v, &pe);
    return true;
}

/* An intrinsic call's text with every variable reference outside string
 * literals ("$name" in "$name.a") cut down to "$", so that intrinsic.c
 * (which does not know variables yet) checks the rest; map[i] is the
 * index in [s] of byte i of the result. The references are recorded. */
static char *strip_variables(check_ctx *c, const cJSON *v, const char *s, size_t **map_out, int *nvars)
{
    size_t len = strlen(s);
    char *out = arena_alloc(&c->u->arena, len + 1);
    size_t *map = arena_array(&c->u->arena, len + 1, sizeof *map);
    size_t n = 0;
    bool quoted = false;
    *nvars = 0;
    for (size_t i = 0; i < len;) {
        char ch = s[i];
        if (quoted) {
            if (ch == '\\' && i + 1 < len) {
                map[n] = i;
                out[n++] = s[i++];
            } else if (ch == '\'') {
                quoted = false;
            }
        } else if (ch == '\'') {
            quoted = true;
        } else if (ch == '$' && (i == 0 || s[i - 1] != '$') && path_is_variable(s + i) &&
                   s[i + 1 + strspn_ident(s + i + 1)] != '$') {
            /* "$a$b" is left as it is (the parser refuses it): stripped it
             * would read "$$", which the lowering, seeing "$a$b", refuses. */
            size_t k = i + 1;
            while (is_ident_char(s[k]))
                k++;
            check_var_ref(c, s + i + 1, k - i - 1, check_str_off(c->u, v, i));
            (*nvars)++;
            map[n] = i;
            out[n++] = '$';
            i = k;
            continue;
        }
        map[n] = i;
        out[n++] = s[i++];
    }
    map[n] = len;
    out[n] = '\0';
    *map_out = map;
    return out;
}

void check_dynamic_value(check_ctx *c, const cJSON *v, bool string_only, bool reference)
{
    const char *name = field_name(v);
    size_t nlen = strlen(name);
    bool dollar_key = nlen >= 2 && strcmp(name + nlen - 2, ".$") == 0;
    if (!cJSON_IsString(v)) {
        diag_val(c->u, dollar_key ? DIAG_INVALID_PAYLOAD_TEMPLATE : DIAG_WRONG_TYPE, v,
                 "\"%s\" must be a string holding a path or an intrinsic function call, found %s", name,
                 check_type_name(v));
        return;
    }
    const char *s = v->valuestring;
    if (s[0] == '$') {
        path_error pe;
        if (!parse_any_path(c, v, s, 0, reference ? PATH_REFERENCE : 0, &pe))
            report_path_error(c, v, &pe, reference);
        else
            report_path_warning(c, v, &pe);
        return;
    }
    if (intr_looks_like_call(s)) {
        size_t *map = NULL;
        int nvars = 0;
        const char *text = strchr(s, '$') ? strip_variables(c, v, s, &map, &nvars) : s;
        intr_error ie;
        ir_call *call = intr_parse(&c->u->arena, text, &ie);
        if (!call) {
            size_t at = map ? map[ie.index <= strlen(text) ? ie.index : strlen(text)] : ie.index;
            size_t off = check_str_off(c->u, v, at);
            if (ie.code == DIAG_UNSUPPORTED_FEATURE)
                diag_at(c->u, ie.code, off, "in \"%s\": %s", name, ie.msg);
            else
                diag_at(c->u, ie.code, off, "\"%s\": %s", name, ie.msg);
            return;
        }
        if (string_only && !intr_returns_string(call))
            diag_val(c->u, DIAG_INVALID_INTRINSIC, v,
                     "\"%s\" needs a function that returns a string (States.Format, States.JsonToString, "
                     "States.ArrayGetItem, States.Base64Encode, States.Base64Decode, States.Hash or "
                     "States.UUID), found %s",
                     name, call->name);
        return;
    }
    size_t lead = strspn(s, " \t\r\n");
    if (lead && (s[lead] == '$' || intr_looks_like_call(s + lead)))
        diag_at(c->u, dollar_key ? DIAG_INVALID_PAYLOAD_TEMPLATE : DIAG_INVALID_JSONPATH,
                check_str_off(c->u, v, 0), "\"%s\" must not start with white space", name);
    else
        diag_val(c->u, dollar_key ? DIAG_INVALID_PAYLOAD_TEMPLATE : DIAG_INVALID_JSONPATH, v,
                 "\"%s\" must hold a path ('$.x' or '$$.x') or an intrinsic function call "
                 "('States.Format(...)'), found \"%s\"",
                 name, s);
}

/* A literal string that reads like a path or an intrinsic call: AWS's
 * NO_DOLLAR warning (the key lacks ".$", so the text is passed as is). */
static bool looks_dynamic(const char *s)
{
    if (s[0] == '$')
        return s[1] == '\0' || s[1] == '.' || s[1] == '[' || (s[1] == '$' && (s[2] == '.' || s[2] == '\0')) ||
               path_is_variable(s);
    size_t n = strlen(s);
    return intr_looks_like_call(s) && strchr(s, '(') && n > 0 && s[n - 1] == ')';
}

/* Walk a template's value: objects may hold ".$" keys at any depth,
 * including inside arrays. */
static void template_walk(check_ctx *c, const cJSON *v)
{
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        cJSON_ArrayForEach (e, v)
            template_walk(c, e);
        return;
    }
    if (!cJSON_IsObject(v))
        return;
    const cJSON *m;
    cJSON_ArrayForEach (m, v) {
        size_t n = strlen(m->string);
        if (n >= 2 && strcmp(m->string + n - 2, ".$") == 0) {
            check_dynamic_value(c, m, false, false);
            /* "a" and "a.$" would both produce the field "a". */
            const cJSON *o;
            cJSON_ArrayForEach (o, v) {
                if (o != m && strlen(o->string) == n - 2 && memcmp(o->string, m->string, n - 2) == 0)
                    diag_key(c->u, DIAG_INVALID_PAYLOAD_TEMPLATE, m,
                             "\"%s\" and \"%s\" both produce the field \"%s\"", o->string, m->string,
                             o->string);
            }
        } else if (cJSON_IsString(m) && looks_dynamic(m->valuestring)) {
            diag_val(c->u, DIAG_NO_DOLLAR, m,
                     "\"%s\" holds \"%s\", which reads like %s, but the key does not end in \".$\": the text "
                     "is passed on as it is (name the key \"%s.$\" to evaluate it)",
                     m->string, m->valuestring,
                     m->valuestring[0] == '$' ? "a path" : "an intrinsic function call", m->string);
        } else if (check_is_jsonata_string(m)) {
            diag_val(
                c->u, DIAG_JSONATA_IN_JSONPATH, m,
                "\"%s\" holds a JSONata expression, but this state's query language is JSONPath: the text "
                "is passed on as it is (set \"QueryLanguage\": \"JSONata\" to evaluate it)",
                m->string);
        } else {
            template_walk(c, m);
        }
    }
}

void check_template(check_ctx *c, const cJSON *v)
{
    if (!v)
        return;
    if (!cJSON_IsObject(v)) {
        diag_val(c->u, DIAG_INVALID_PAYLOAD_TEMPLATE, v,
                 "\"%s\" must be a JSON object (a payload template), found %s", field_name(v),
                 check_type_name(v));
        return;
    }
    template_walk(c, v);
}
