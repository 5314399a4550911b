/*
 * check_machine.c - the entry point of the checks (check_and_lower), state
 * machine objects (the definition, Parallel branches, Map iterators and
 * item processors), state names, and the rules over the transition graph:
 * every Next / Default / StartAt / Catch Next names a state of the same
 * machine, every state is reachable, and each machine can end.
 *
 * Names are unique across the whole definition, nested machines included,
 * so one table maps a name to its state and the machine (scope) holding
 * it. Transitions are recorded while states are checked and resolved at
 * the end, when every name is known: a target in another machine is
 * TRANSITION_OUT_OF_SCOPE, an unknown one MISSING_TRANSITION_TARGET.
 *
 * Called by the driver (check.h): check_definition() for `aslc check`,
 * check_and_lower() for the commands that build (which also refuse what
 * cannot run yet, and call lower_program() when no error was reported).
 * Calls check_state() per state, then the variable and warning passes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

/* AWS limits: names up to 80 characters; TimeoutSeconds below 99999999. */
enum { MAX_STATE_NAME = 80 };
#define MAX_TIMEOUT_SECONDS 99999998LL

/* ==== The name table ==================================================== */

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

const check_entry *check_lookup(const check_ctx *c, const char *name)
{
    if (!c->nbuckets)
        return NULL;
    for (const check_entry *e = c->buckets[hash_str(name) & (c->nbuckets - 1)]; e; e = e->next)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

static void grow_names(check_ctx *c)
{
    size_t n = c->nbuckets ? c->nbuckets * 2 : 256;
    check_entry **b = arena_array(&c->u->arena, n, sizeof *b);
    for (size_t i = 0; i < c->nbuckets; i++) {
        check_entry *e = c->buckets[i];
        while (e) {
            check_entry *next = e->next;
            size_t h = hash_str(e->name) & (n - 1);
            e->next = b[h];
            b[h] = e;
            e = next;
        }
    }
    c->buckets = b;
    c->nbuckets = n;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static void register_name(check_ctx *c, check_scope *scope, const cJSON *state, int index)
{
    const char *name = state->string;
    size_t len = utf8_chars(name);
    if (len == 0)
        diag_key(c->u, DIAG_INVALID_STATE_NAME, state, "a state name must not be empty");
    else if (len > MAX_STATE_NAME)
        diag_key(c->u, DIAG_INVALID_STATE_NAME, state, "state name is %zu characters long; the limit is %d",
                 len, MAX_STATE_NAME);
    const check_entry *old = check_lookup(c, name);
    if (old) {
        /* Twice in one States object is a duplicate JSON key: the loader
         * has said so already. */
        if (old->scope != scope) {
            diag_key(c->u, DIAG_DUPLICATE_STATE_NAME, state,
                     "state name \"%s\" is used twice; names must be unique in the whole state machine, "
                     "branches and iterators included",
                     name);
            diag_note(c->u, load_key_off(c->u, old->state), "first defined here");
            /* Remember it, so that transitions inside its own scope are
             * not also reported as leaving that scope. */
            check_entry *d = arena_new(&c->u->arena, check_entry);
            d->name = name;
            d->state = state;
            d->scope = scope;
            d->index = index;
            d->next = c->dups;
            c->dups = d;
        }
        return;
    }
    if ((c->nnames + 1) * 2 > c->nbuckets)
        grow_names(c);
    check_entry *e = arena_new(&c->u->arena, check_entry);
    e->name = name;
    e->state = state;
    e->scope = scope;
    e->index = index;
    size_t h = hash_str(name) & (c->nbuckets - 1);
    e->next = c->buckets[h];
    c->buckets[h] = e;
    c->nnames++;
}

/* ==== Machines ========================================================== */

void check_target(check_ctx *c, check_scope *scope, const cJSON *v, const char *field)
{
    if (!v || !check_string(c, v))
        return;
    check_pending *t = arena_new(&c->u->arena, check_pending);
    t->node = v;
    t->scope = scope;
    t->field = field;
    if (c->targets_tail)
        c->targets_tail->next = t;
    else
        c->targets = t;
    c->targets_tail = t;
}

bool check_query_language(check_ctx *c, const cJSON *v, bool inherited)
{
    if (!v || !check_string(c, v))
        return inherited;
    if (strcmp(v->valuestring, "JSONata") == 0)
        return true;
    if (strcmp(v->valuestring, "JSONPath") == 0) {
        /* AWS: a top-level state cannot go back to JSONPath in a JSONata
         * machine (states in branches and processors may). */
        if (c->top_jsonata && c->cur && c->cur->kind == CHECK_TOP &&
            v != check_get(c->u->def_root ? c->u->def_root : c->u->root, "QueryLanguage"))
            diag_val(c->u, DIAG_INVALID_VALUE, v,
                     "\"QueryLanguage\" cannot be \"JSONPath\" in a state machine whose \"QueryLanguage\" is "
                     "\"JSONata\"");
        return false;
    }
    diag_val(c->u, DIAG_INVALID_VALUE, v,
             "\"QueryLanguage\" must be \"JSONPath\" or \"JSONata\", found \"%s\"", v->valuestring);
    return inherited;
}

static void check_processor_config(check_ctx *c, check_scope *s, const cJSON *v)
{
    if (!v || !check_object(c, v))
        return;
    const cJSON *mode = check_get(v, "Mode");
    s->distributed = cJSON_IsString(mode) && strcmp(mode->valuestring, "DISTRIBUTED") == 0;
    static const char *const fields[] = {"Mode", "ExecutionType", NULL};
    static const char *const modes[] = {"INLINE", "DISTRIBUTED", NULL};
    static const char *const types[] = {"STANDARD", "EXPRESS", NULL};
    check_fields(c, v, fields, NULL, "\"ProcessorConfig\"");
    check_enum(c, check_get(v, "Mode"), modes, DIAG_INVALID_MAP);
    check_enum(c, check_get(v, "ExecutionType"), types, DIAG_INVALID_MAP);
    /* AWS: a distributed Map runs child workflows of a declared type. */
    if (s->distributed && !check_get(v, "ExecutionType"))
        diag_key(c->u, DIAG_INVALID_MAP, check_get(v, "Mode"),
                 "a distributed Map needs \"ExecutionType\" (\"STANDARD\" or \"EXPRESS\") in its "
                 "\"ProcessorConfig\"");
}

static void add_scope(check_ctx *c, check_scope *s)
{
    if (c->nscopes == c->capscopes) {
        int cap = c->capscopes ? c->capscopes * 2 : 16;
        check_scope **n = arena_array(&c->u->arena, (size_t)cap, sizeof *n);
        if (c->nscopes)
            memcpy(n, c->scopes, (size_t)c->nscopes * sizeof *n);
        c->scopes = n;
        c->capscopes = cap;
    }
    s->id = c->nscopes;
    c->scopes[c->nscopes++] = s;
}

check_scope *check_machine(check_ctx *c, const cJSON *obj, check_machine_kind kind, check_scope *parent,
                           bool jsonata)
{
    static const char *const top[] = {"Comment",        "StartAt",       "States", "Version",
                                      "TimeoutSeconds", "QueryLanguage", NULL};
    static const char *const branch[] = {"Comment", "StartAt", "States", NULL};
    static const char *const proc[] = {"Comment", "StartAt", "States", "ProcessorConfig", NULL};
    static const char *const elsewhere[] = {"Version", "TimeoutSeconds", "QueryLanguage", "ProcessorConfig",
                                            NULL};
    const char *where = kind == CHECK_TOP        ? "the state machine"
                        : kind == CHECK_BRANCH   ? "a Parallel branch"
                        : kind == CHECK_ITERATOR ? "a Map's \"Iterator\""
                                                 : "a Map's \"ItemProcessor\"";
    if (!cJSON_IsObject(obj)) {
        if (kind == CHECK_TOP)
            diag_val(c->u, DIAG_NOT_AN_OBJECT, obj,
                     "a state machine definition must be a JSON object, found %s", check_type_name(obj));
        else
            diag_val(c->u, DIAG_NOT_AN_OBJECT, obj,
                     "%s must be an object with \"StartAt\" and \"States\", found %s", where,
                     check_type_name(obj));
        return NULL;
    }
    check_scope *s = arena_new(&c->u->arena, check_scope);
    s->kind = kind;
    s->obj = obj;
    s->parent = parent;
    add_scope(c, s);
    check_scope *saved = c->cur; /* the enclosing state's scope, restored below */
    c->cur = s;

    check_fields(c, obj, kind == CHECK_TOP ? top : kind == CHECK_BRANCH ? branch : proc, elsewhere, where);
    const cJSON *v;
    if ((v = check_get(obj, "Comment")))
        check_string(c, v);
    if (kind == CHECK_TOP) {
        jsonata = check_query_language(c, check_get(obj, "QueryLanguage"), false);
        c->top_jsonata = jsonata;
        if ((v = check_get(obj, "Version")))
            check_string(c, v);
        if ((v = check_get(obj, "TimeoutSeconds")))
            check_int_range(c, v, 1, MAX_TIMEOUT_SECONDS, DIAG_INVALID_VALUE);
    } else if (kind != CHECK_BRANCH) {
        check_processor_config(c, s, check_get(obj, "ProcessorConfig"));
    }
    s->jsonata = jsonata;

    const cJSON *start = check_get(obj, "StartAt");
    if (!start)
        diag_val(c->u, DIAG_MISSING_FIELD, obj, "%s has no \"StartAt\"", where);
    else if (check_string(c, start)) {
        s->start_at = start;
        check_target(c, s, start, "StartAt");
    }
    const cJSON *states = check_get(obj, "States");
    if (!states) {
        diag_val(c->u, DIAG_MISSING_FIELD, obj, "%s has no \"States\"", where);
    } else if (check_object(c, states)) {
        s->states = states;
        const cJSON *st;
        int index = 0;
        cJSON_ArrayForEach (st, states)
            register_name(c, s, st, index++);
        cJSON_ArrayForEach (st, states)
            check_state(c, s, st);
    }
    c->cur = saved;
    return s;
}

/* ==== The transition graph ============================================== */

static bool defined_again_in(const check_ctx *c, const char *name, const check_scope *scope)
{
    for (const check_entry *d = c->dups; d; d = d->next)
        if (d->scope == scope && strcmp(d->name, name) == 0)
            return true;
    return false;
}

static void resolve_targets(check_ctx *c)
{
    for (const check_pending *t = c->targets; t; t = t->next) {
        const char *name = t->node->valuestring;
        const check_entry *e = check_lookup(c, name);
        if (!e) {
            diag_val(c->u, DIAG_MISSING_TRANSITION_TARGET, t->node,
                     "\"%s\" names \"%s\", which is not a state", t->field, name);
        } else if (e->scope != t->scope && !defined_again_in(c, name, t->scope)) {
            diag_val(c->u, DIAG_TRANSITION_OUT_OF_SCOPE, t->node,
                     "\"%s\" names \"%s\", which is in another %s; a transition cannot leave or enter a "
                     "Parallel branch or a Map's states",
                     t->field, name, e->scope->kind == CHECK_TOP ? "scope (the top level)" : "scope");
            diag_note(c->u, load_key_off(c->u, e->state), "\"%s\" is defined here", name);
        }
    }
}

/* The index of the state [v] names in [s], or -1. */
static int local_index(const check_ctx *c, const check_scope *s, const cJSON *v)
{
    if (!cJSON_IsString(v))
        return -1;
    const check_entry *e = check_lookup(c, v->valuestring);
    return e && e->scope == s ? e->index : -1;
}

typedef struct walk {
    const check_ctx *c;
    const check_scope *s;
    unsigned char *seen;
    int *queue;
    int nq;
} walk;

static void visit(walk *w, const cJSON *v)
{
    int k = local_index(w->c, w->s, v);
    if (k >= 0 && !w->seen[k]) {
        w->seen[k] = 1;
        w->queue[w->nq++] = k;
    }
}

/* Every transition out of [st]: Next, Default, each Choice rule's Next and
 * each Catcher's Next. */
static void visit_successors(walk *w, const cJSON *st)
{
    visit(w, check_get(st, "Next"));
    visit(w, check_get(st, "Default"));
    const cJSON *list = check_get(st, "Choices"), *e;
    if (cJSON_IsArray(list))
        cJSON_ArrayForEach (e, list)
            visit(w, check_get(e, "Next"));
    list = check_get(st, "Catch");
    if (cJSON_IsArray(list))
        cJSON_ArrayForEach (e, list)
            visit(w, check_get(e, "Next"));
}

static bool is_terminal(const cJSON *st)
{
    const cJSON *type = check_get(st, "Type"), *end = check_get(st, "End");
    if (cJSON_IsTrue(end))
        return true;
    return cJSON_IsString(type) &&
           (strcmp(type->valuestring, "Succeed") == 0 || strcmp(type->valuestring, "Fail") == 0);
}

static void check_graph(check_ctx *c, const check_scope *s)
{
    if (!s->states)
        return;
    int n = cJSON_GetArraySize(s->states);
    if (n == 0) {
        diag_key(c->u, DIAG_MISSING_END_STATE, s->states,
                 "\"States\" is empty: a state machine needs at least one state");
        return;
    }
    /* A state without a usable Type might have been the terminal one:
     * say nothing more about ending until it is fixed. */
    bool terminal = false, unsure = false;
    const cJSON *st;
    cJSON_ArrayForEach (st, s->states) {
        terminal |= is_terminal(st);
        unsure |= !cJSON_IsString(check_get(st, "Type"));
    }
    if (!terminal && !unsure)
        diag_key(
            c->u, DIAG_MISSING_END_STATE, s->states,
            "no state can end this state machine: give one \"End\": true, or add a Succeed or Fail state");

    int start = s->start_at ? local_index(c, s, s->start_at) : -1;
    if (start < 0)
        return; /* already reported: no reachability without a start */
    walk w = {c, s, calloc((size_t)n, 1), malloc((size_t)n * sizeof(int)), 0};
    if (!w.seen || !w.queue) {
        fputs("aslc: out of memory\n", stderr);
        exit(2);
    }
    const cJSON **byindex = malloc((size_t)n * sizeof *byindex);
    if (!byindex) {
        fputs("aslc: out of memory\n", stderr);
        exit(2);
    }
    int k = 0;
    cJSON_ArrayForEach (st, s->states)
        byindex[k++] = st;
    w.seen[start] = 1;
    w.queue[w.nq++] = start;
    for (int q = 0; q < w.nq; q++)
        visit_successors(&w, byindex[w.queue[q]]);
    for (k = 0; k < n; k++) {
        const check_entry *e = check_lookup(c, byindex[k]->string);
        if (!w.seen[k] && e && e->state == byindex[k])
            diag_key(c->u, DIAG_UNREACHABLE_STATE, byindex[k],
                     "state \"%s\" is never reached: no transition leads to it", byindex[k]->string);
    }
    free(byindex);
    free(w.seen);
    free(w.queue);
}

/* Every rule over the definition; [for_build] also refuses what cannot
 * run yet. */
static void check_all(unit *u, bool for_build)
{
    const cJSON *root = u->def_root ? u->def_root : u->root;
    if (!root)
        return;
    check_ctx c = {0};
    c.u = u;
    c.for_build = for_build;
    int errors_before = u->nerrors;
    grow_names(&c);
    check_machine(&c, root, CHECK_TOP, NULL, false);
    resolve_targets(&c);
    for (int i = 0; i < c.nscopes; i++)
        check_graph(&c, c.scopes[i]);
    check_vars_finish(&c);
    check_service_limits(&c, root);
    /* The graph warnings would mostly repeat what an error already says
     * (a missing Next makes a state a dead end): only for sound machines. */
    if (u->nerrors == errors_before)
        check_warnings(&c);
}

bool check_definition(unit *u)
{
    int before = u->nerrors;
    check_all(u, false);
    return u->nerrors == before;
}

ir_program *check_and_lower(unit *u)
{
    if (!u->root)
        return NULL;
    check_all(u, true);
    if (u->nerrors > 0)
        return NULL;
    u->ir = lower_program(u);
    return u->ir;
}
