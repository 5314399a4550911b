/*
 * check_vars.c - state machine variables: the "Assign" field of JSONPath
 * states (JSONata states go through check_jsonata.c, which calls in here
 * for names and references), variable names, and the scope rules.
 *
 * Every state machine object (the definition, each Parallel branch, each
 * Map's processor) is a variable scope. Assign keys are recorded in the
 * scope of the state that holds them; references ("$name..." in JSONPath
 * paths and intrinsic arguments, free "$name" in JSONata) are recorded
 * with their scope and resolved once every state is known. AWS accepts a
 * definition whose references cannot be resolved (the execution fails
 * instead), and one whose inner scope reuses an outer variable's name
 * (the spec says it MUST NOT): both are warnings here.
 *
 * Called by check_states.c / check_choice.c / check_task.c (check_assign),
 * check_payload.c and check_jsonata.c (references), check_machine.c
 * (check_vars_finish).
 */
#include <string.h>

#include "check_internal.h"

enum { MAX_VARIABLE_NAME = 80 };

/* ==== Names ============================================================= */

/* The next code point of a UTF-8 string (the loader has validated it). */
static unsigned next_cp(const unsigned char **s, const unsigned char *end)
{
    const unsigned char *p = *s;
    unsigned c = *p++;
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (more)
        c &= 0x3Fu >> more;
    while (more-- > 0 && p < end)
        c = (c << 6) | (*p++ & 0x3Fu);
    *s = p;
    return c;
}

/* Non-ASCII code points that are not identifier characters (punctuation,
 * symbols, spaces, private use): a compact approximation of Unicode's
 * ID_Start / ID_Continue, which are letters, marks, digits and connector
 * punctuation. [start]: the first character (no marks, no digits). */
static bool unicode_ident(unsigned cp, bool start)
{
    static const unsigned never[][2] = {
        {0x80, 0xA9},     {0xAB, 0xB4},     {0xB6, 0xB6},     {0xB8, 0xB9},       {0xBB, 0xBF},
        {0xD7, 0xD7},     {0xF7, 0xF7},     {0x2000, 0x200B}, {0x200E, 0x203E},   {0x2041, 0x2053},
        {0x2055, 0x206F}, {0x20A0, 0x20CF}, {0x2190, 0x23FF}, {0x2400, 0x24FF},   {0x2500, 0x27BF},
        {0x27C0, 0x2BFF}, {0x2E00, 0x2E7F}, {0x3000, 0x3004}, {0x3008, 0x3020},   {0x3030, 0x3030},
        {0x303D, 0x303D}, {0xD800, 0xF8FF}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE32},   {0xFE35, 0xFE4C},
        {0xFE50, 0xFE6F}, {0xFEFF, 0xFEFF}, {0xFF00, 0xFF0F}, {0xFF1A, 0xFF20},   {0xFF3B, 0xFF3E},
        {0xFF40, 0xFF40}, {0xFF5B, 0xFF65}, {0xFFF0, 0xFFFF}, {0x1F000, 0x1FAFF}, {0xF0000, 0x10FFFF},
    };
    for (size_t k = 0; k < sizeof never / sizeof *never; k++)
        if (cp >= never[k][0] && cp <= never[k][1])
            return false;
    if (start) {
        if ((cp >= 0x300 && cp <= 0x36F) || cp == 0x200C || cp == 0x200D || cp == 0x203F || cp == 0x2040 ||
            cp == 0x2054 || cp == 0xFE33 || cp == 0xFE34 || (cp >= 0xFE4D && cp <= 0xFE4F) || cp == 0xFF3F)
            return false; /* combining marks, joiners, connector punctuation */
    }
    return true;
}

const char *check_variable_name_problem(const char *name, size_t len)
{
    if (len == 0)
        return "a variable name cannot be empty";
    if (len == 6 && memcmp(name, "states", 6) == 0)
        return "\"states\" is reserved: $states is the variable Step Functions provides";
    const unsigned char *s = (const unsigned char *)name, *end = s + len;
    size_t n = 0;
    while (s < end) {
        unsigned cp = next_cp(&s, end);
        bool first = n++ == 0;
        bool ok;
        if (cp < 0x80)
            ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_' ||
                 (!first && cp >= '0' && cp <= '9');
        else
            ok = unicode_ident(cp, first);
        if (!ok)
            return first ? "a variable name must start with a letter or '_'"
                         : "a variable name may hold only letters, digits and '_'";
    }
    if (n > MAX_VARIABLE_NAME)
        return "a variable name may be at most 80 characters long";
    return NULL;
}

/* ==== Assign and references ============================================= */

void check_var_assign(check_ctx *c, const cJSON *key, bool jsonpath)
{
    const char *name = key->string;
    size_t n = strlen(name);
    if (jsonpath && n >= 2 && strcmp(name + n - 2, ".$") == 0)
        n -= 2;
    const char *why = check_variable_name_problem(name, n);
    if (why) {
        diag_key(c->u, DIAG_INVALID_VARIABLE_NAME, key, "\"%.*s\" is not a valid variable name: %s", (int)n,
                 name, why);
        return;
    }
    if (!c->cur)
        return;
    check_var *v = arena_new(&c->u->arena, check_var);
    v->name = arena_strndup(&c->u->arena, name, n);
    v->off = load_key_off(c->u, key);
    v->scope = c->cur;
    v->next = c->cur->vars;
    c->cur->vars = v;
}

void check_var_ref(check_ctx *c, const char *name, size_t len, size_t off)
{
    if (!c->cur || len == 0)
        return;
    check_var *v = arena_new(&c->u->arena, check_var);
    v->name = arena_strndup(&c->u->arena, name, len);
    v->off = off;
    v->scope = c->cur;
    v->next = c->refs;
    c->refs = v;
}

void check_assign(check_ctx *c, const cJSON *v)
{
    if (!v)
        return;
    if (!cJSON_IsObject(v)) {
        diag_val(c->u, DIAG_WRONG_TYPE, v, "\"Assign\" must be an object of variable names, found %s",
                 check_type_name(v));
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach (m, v)
        check_var_assign(c, m, true);
    /* The values are a payload template: ".$" keys hold paths or calls,
     * at any depth. */
    check_template(c, v);
}

/* ==== Scopes ============================================================ */

static const check_var *find_in(const check_scope *s, const char *name)
{
    for (const check_var *v = s->vars; v; v = v->next)
        if (strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

/* The assignment [name] resolves to from [s]: its own scope, then the
 * enclosing ones (a distributed Map's processor sees no outer variable). */
static const check_var *resolve(const check_scope *s, const char *name)
{
    for (; s; s = s->distributed ? NULL : s->parent) {
        const check_var *v = find_in(s, name);
        if (v)
            return v;
    }
    return NULL;
}

void check_vars_finish(check_ctx *c)
{
    /* References, in source order (the list is newest first). */
    int n = 0;
    for (const check_var *r = c->refs; r; r = r->next)
        n++;
    const check_var **refs = n ? arena_array(&c->u->arena, (size_t)n, sizeof *refs) : NULL;
    int k = n;
    for (const check_var *r = c->refs; r; r = r->next)
        refs[--k] = r;
    for (int i = 0; i < n; i++) {
        const check_var *r = refs[i];
        if (resolve(r->scope, r->name))
            continue;
        const check_var *elsewhere = NULL;
        for (int s = 0; s < c->nscopes && !elsewhere; s++)
            elsewhere = find_in(c->scopes[s], r->name);
        if (elsewhere) {
            diag_at(c->u, DIAG_VARIABLE_OUT_OF_SCOPE, r->off,
                    "$%s is assigned only in another scope (%s); it has no value here and the state will "
                    "fail when it runs",
                    r->name,
                    r->scope->distributed
                        ? "a distributed Map cannot read outer variables"
                        : "a Parallel branch or Map iteration keeps its variables to itself");
            diag_note(c->u, elsewhere->off, "$%s is assigned here", r->name);
        } else {
            diag_at(
                c->u, DIAG_UNDEFINED_VARIABLE, r->off,
                "$%s is never assigned: no \"Assign\" in reach defines it, so the state will fail when it "
                "runs",
                r->name);
        }
    }
    /* Inner scopes must not reuse an outer scope's variable name. */
    for (int s = 0; s < c->nscopes; s++) {
        const check_scope *sc = c->scopes[s];
        for (const check_var *v = sc->vars; v; v = v->next) {
            if (find_in(sc, v->name) != v)
                continue; /* report each name once per scope */
            for (const check_scope *o = sc->parent; o; o = o->parent) {
                const check_var *outer = find_in(o, v->name);
                if (outer) {
                    diag_at(c->u, DIAG_SHADOWED_VARIABLE, v->off,
                            "$%s is also a variable of an enclosing scope; an inner scope must not assign an "
                            "outer scope's variable (it gets a separate copy)",
                            v->name);
                    diag_note(c->u, outer->off, "the outer $%s is assigned here", v->name);
                    break;
                }
            }
        }
    }
}
