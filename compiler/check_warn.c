/*
 * check_warn.c - warnings for definitions AWS accepts but that almost
 * certainly do not do what their author meant:
 *
 *   CHOICE_NO_DEFAULT    a Choice without "Default" whose rules do not
 *                        obviously cover every input (AWS then fails the
 *                        execution with States.Runtime, not the
 *                        States.NoChoiceMatched the specification names:
 *                        runtime/choice.c)
 *   INFINITE_LOOP        states from which no end can be reached, and
 *                        loops of Pass / Choice states that change nothing,
 *                        so that once entered they spin until AWS's limits
 *   UNREACHABLE_HANDLER  a retrier or catcher whose every error name is
 *                        handled by an earlier one
 *   UNCATCHABLE_ERROR    "States.Runtime" in ErrorEquals: such errors are
 *                        never retried or caught
 *
 * Runs once, after every rule (check_machine.c), over the scopes the
 * rules built; it reads the JSON only and tolerates malformed parts (the
 * rules have reported them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

static bool type_is(const cJSON *st, const char *t)
{
    const cJSON *v = check_get(st, "Type");
    return cJSON_IsString(v) && strcmp(v->valuestring, t) == 0;
}

static bool is_jsonata(const check_ctx *c, const check_scope *s, const cJSON *st)
{
    const cJSON *ql = check_get(st, "QueryLanguage");
    if (cJSON_IsString(ql))
        return strcmp(ql->valuestring, "JSONata") == 0;
    (void)c;
    return s->jsonata;
}

/* ==== Choice without Default ============================================ */

/* A JSONPath rule's test: its Variable and single comparison member. */
static const cJSON *rule_op(const cJSON *r)
{
    const cJSON *m;
    cJSON_ArrayForEach (m, r)
        if (check_choice_op(m->string))
            return m;
    return NULL;
}

/* Two rules together match every input when they are R and {"Not": R},
 * or the same Is* test on the same Variable with true and false. Each
 * rule gets up to two keys (its test, and for an Is* test the test without
 * its value) with a polarity; a Choice is covered when some key is seen
 * with both polarities. A hash set makes that linear in the rules (the
 * pairwise comparison was quadratic: 15,000 rules took minutes). */
typedef struct rule_key {
    char *text;
    unsigned polarity; /* bit 1: seen positive, bit 2: seen negative */
} rule_key;

typedef struct key_set {
    rule_key *v;
    size_t cap, n;
    bool oom;
} key_set;

static size_t key_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Records [text] (taken) with [pol]; true when it has now both. */
static bool key_add(key_set *ks, char *text, unsigned pol)
{
    if (!text) {
        ks->oom = true;
        return false;
    }
    if (2 * (ks->n + 1) > ks->cap) {
        size_t cap = ks->cap ? 2 * ks->cap : 64;
        rule_key *v = calloc(cap, sizeof *v);
        if (!v) {
            ks->oom = true;
            free(text);
            return false;
        }
        for (size_t k = 0; k < ks->cap; k++)
            if (ks->v[k].text) {
                size_t h = key_hash(ks->v[k].text) & (cap - 1);
                while (v[h].text)
                    h = (h + 1) & (cap - 1);
                v[h] = ks->v[k];
            }
        free(ks->v);
        ks->v = v;
        ks->cap = cap;
    }
    size_t h = key_hash(text) & (ks->cap - 1);
    while (ks->v[h].text && strcmp(ks->v[h].text, text) != 0)
        h = (h + 1) & (ks->cap - 1);
    if (ks->v[h].text) {
        free(text);
    } else {
        ks->v[h].text = text;
        ks->n++;
    }
    ks->v[h].polarity |= pol;
    return ks->v[h].polarity == 3;
}

static void key_free(key_set *ks)
{
    for (size_t k = 0; k < ks->cap; k++)
        free(ks->v[k].text);
    free(ks->v);
}

/* "kind|Variable|op|value" as text; NULL when out of memory. */
static char *key_text(char kind, const cJSON *var, const cJSON *op, bool with_value)
{
    char *v = cJSON_PrintUnformatted(var), *o = with_value ? cJSON_PrintUnformatted(op) : NULL;
    char *t = NULL;
    if (v && (o || !with_value)) {
        size_t n = strlen(v) + strlen(op->string) + (o ? strlen(o) : 0) + 8;
        t = malloc(n);
        if (t)
            snprintf(t, n, "%c|%s|%s|%s", kind, v, op->string, o ? o : "");
    }
    free(v);
    free(o);
    return t;
}

/* Adds rule [r]'s keys; true when the rules so far cover every input. */
static bool rule_covers(key_set *ks, const cJSON *r)
{
    const cJSON *n = check_get(r, "Not");
    if (n) {
        const cJSON *op = cJSON_IsObject(n) ? rule_op(n) : NULL;
        const cJSON *var = op ? check_get(n, "Variable") : NULL;
        return var && key_add(ks, key_text('R', var, op, true), 2);
    }
    const cJSON *op = rule_op(r), *var = check_get(r, "Variable");
    if (!op || !var)
        return false;
    if (key_add(ks, key_text('R', var, op, true), 1))
        return true;
    if (strncmp(op->string, "Is", 2) == 0 && cJSON_IsBool(op))
        return key_add(ks, key_text('I', var, op, false), cJSON_IsTrue(op) ? 1 : 2);
    return false;
}

static void choice_default(check_ctx *c, const check_scope *s, const cJSON *st)
{
    if (!type_is(st, "Choice") || check_get(st, "Default"))
        return;
    const cJSON *choices = check_get(st, "Choices"), *r;
    if (!cJSON_IsArray(choices) || cJSON_GetArraySize(choices) == 0)
        return;
    bool jsonata = is_jsonata(c, s, st);
    key_set ks = {0};
    bool covered = false;
    cJSON_ArrayForEach (r, choices) {
        if (jsonata) {
            const cJSON *cond = check_get(r, "Condition");
            if (cJSON_IsTrue(cond) || (cJSON_IsString(cond) && strcmp(cond->valuestring, "{% true %}") == 0)) {
                covered = true;
                break;
            }
            continue;
        }
        if (rule_covers(&ks, r)) {
            covered = true;
            break;
        }
    }
    bool oom = ks.oom;
    key_free(&ks);
    if (covered || oom) /* out of memory: no warning rather than a wrong one */
        return;
    diag_key(c->u, DIAG_CHOICE_NO_DEFAULT, st,
             "Choice state \"%s\" has no \"Default\": when no rule matches, the execution fails with "
             "States.Runtime (\"Failed to transition out of the state\"), which no Retry or Catch "
             "handles",
             st->string);
}

/* ==== Loops ============================================================= */

typedef struct graph {
    const check_ctx *c;
    const check_scope *s;
    int n;
    const cJSON **st;
    int *succ, *nsucc, *first; /* adjacency: succ[first[i] .. first[i]+nsucc[i]) */
} graph;

static int index_of(const graph *g, const cJSON *v)
{
    if (!cJSON_IsString(v))
        return -1;
    const check_entry *e = check_lookup(g->c, v->valuestring);
    return e && e->scope == g->s ? e->index : -1;
}

static void edges_of(const graph *g, const cJSON *st, int *out, int *n)
{
    int k;
    if ((k = index_of(g, check_get(st, "Next"))) >= 0)
        out[(*n)++] = k;
    if ((k = index_of(g, check_get(st, "Default"))) >= 0)
        out[(*n)++] = k;
    const cJSON *list, *e;
    if (cJSON_IsArray(list = check_get(st, "Choices")))
        cJSON_ArrayForEach (e, list)
            if ((k = index_of(g, check_get(e, "Next"))) >= 0)
                out[(*n)++] = k;
    if (cJSON_IsArray(list = check_get(st, "Catch")))
        cJSON_ArrayForEach (e, list)
            if ((k = index_of(g, check_get(e, "Next"))) >= 0)
                out[(*n)++] = k;
}

static int out_degree(const cJSON *st)
{
    int n = 2;
    const cJSON *list;
    if (cJSON_IsArray(list = check_get(st, "Choices")))
        n += cJSON_GetArraySize(list);
    if (cJSON_IsArray(list = check_get(st, "Catch")))
        n += cJSON_GetArraySize(list);
    return n;
}

/* Can the execution end (or fail by itself) in this state? Terminal
 * states end it; Task, Map and Parallel states, a Choice without Default
 * and a Wait that reads its time from the input can fail. */
static bool may_end(const cJSON *st)
{
    if (cJSON_IsTrue(check_get(st, "End")) || type_is(st, "Succeed") || type_is(st, "Fail"))
        return true;
    if (type_is(st, "Task") || type_is(st, "Map") || type_is(st, "Parallel"))
        return true;
    if (type_is(st, "Choice"))
        return !check_get(st, "Default");
    if (type_is(st, "Wait"))
        return check_get(st, "SecondsPath") || check_get(st, "TimestampPath");
    return !type_is(st, "Pass");
}

/* A Pass or Choice state that changes neither the data nor a variable,
 * and whose rules cannot change outcome by themselves (no context
 * object, no clock, no randomness). */
static bool inert(const cJSON *st)
{
    static const char *const changes[] = {"Parameters", "Result", "ResultPath",     "InputPath", "OutputPath",
                                          "Assign",     "Output", "ResultSelector", NULL};
    if (!type_is(st, "Pass") && !type_is(st, "Choice"))
        return false;
    for (const char *const *f = changes; *f; f++)
        if (check_get(st, *f))
            return false;
    const cJSON *choices = check_get(st, "Choices");
    if (choices) {
        char *text = cJSON_PrintUnformatted(choices);
        if (!text)
            return false;
        bool moving = strstr(text, "$$") || strstr(text, "context") || strstr(text, "$now") ||
                      strstr(text, "$millis") || strstr(text, "$random") || strstr(text, "$uuid") ||
                      strstr(text, "Assign") || strstr(text, "Output");
        cJSON_free(text);
        if (moving)
            return false;
    }
    return true;
}

/* Tarjan's strongly connected components, iteratively. */
typedef struct tarjan {
    int *index, *low, *stack, *comp, *work_i, *work_e;
    unsigned char *on;
    int sp, counter, ncomp;
} tarjan;

static void scc(const graph *g, tarjan *t)
{
    for (int i = 0; i < g->n; i++)
        t->index[i] = -1;
    for (int root = 0; root < g->n; root++) {
        if (t->index[root] >= 0)
            continue;
        int depth = 0;
        t->work_i[0] = root;
        t->work_e[0] = 0;
        t->index[root] = t->low[root] = t->counter++;
        t->stack[t->sp++] = root;
        t->on[root] = 1;
        while (depth >= 0) {
            int v = t->work_i[depth];
            if (t->work_e[depth] < g->nsucc[v]) {
                int w = g->succ[g->first[v] + t->work_e[depth]++];
                if (t->index[w] < 0) {
                    t->index[w] = t->low[w] = t->counter++;
                    t->stack[t->sp++] = w;
                    t->on[w] = 1;
                    depth++;
                    t->work_i[depth] = w;
                    t->work_e[depth] = 0;
                } else if (t->on[w] && t->index[w] < t->low[v]) {
                    t->low[v] = t->index[w];
                }
                continue;
            }
            if (t->low[v] == t->index[v]) {
                int w;
                do {
                    w = t->stack[--t->sp];
                    t->on[w] = 0;
                    t->comp[w] = t->ncomp;
                } while (w != v);
                t->ncomp++;
            }
            depth--;
            if (depth >= 0) {
                int p = t->work_i[depth];
                if (t->low[v] < t->low[p])
                    t->low[p] = t->low[v];
            }
        }
    }
}

static void loops(check_ctx *c, const check_scope *s)
{
    if (!s->states)
        return;
    graph g = {c, s, cJSON_GetArraySize(s->states), NULL, NULL, NULL, NULL};
    if (g.n == 0)
        return;
    int nedges = 0;
    const cJSON *st;
    cJSON_ArrayForEach (st, s->states)
        nedges += out_degree(st);
    size_t n = (size_t)g.n;
    void *mem =
        calloc(1, n * sizeof(const cJSON *) + (size_t)nedges * sizeof(int) + n * 11 * sizeof(int) + n);
    if (!mem)
        return;
    g.st = mem;
    g.succ = (int *)(g.st + n);
    g.nsucc = g.succ + nedges;
    g.first = g.nsucc + n;
    tarjan t = {0};
    t.index = g.first + n;
    t.low = t.index + n;
    t.stack = t.low + n;
    t.comp = t.stack + n;
    t.work_i = t.comp + n;
    t.work_e = t.work_i + n;
    int *reach = t.work_e + n, *queue = reach + n, *ends = queue + n;
    t.on = (unsigned char *)(ends + n);
    int k = 0, e = 0;
    cJSON_ArrayForEach (st, s->states) {
        g.st[k] = st;
        g.first[k] = e;
        edges_of(&g, st, g.succ + e, &g.nsucc[k]);
        e += g.nsucc[k];
        k++;
    }
    /* Which states can reach an end: a search from the ends along the
     * edges reversed (predecessor lists built in place of a second
     * allocation: pfirst / pred reuse the Tarjan work arrays, free until
     * scc() runs below). */
    int *pfirst = t.work_i, *pcount = t.work_e, *pred = malloc((size_t)(e ? e : 1) * sizeof *pred);
    if (!pred) {
        free(mem);
        return;
    }
    for (int v = 0; v < g.n; v++)
        pcount[v] = 0;
    for (int v = 0; v < g.n; v++)
        for (int j = 0; j < g.nsucc[v]; j++)
            pcount[g.succ[g.first[v] + j]]++;
    for (int v = 0, sum = 0; v < g.n; v++) {
        pfirst[v] = sum;
        sum += pcount[v];
        pcount[v] = 0;
    }
    for (int v = 0; v < g.n; v++)
        for (int j = 0; j < g.nsucc[v]; j++) {
            int w = g.succ[g.first[v] + j];
            pred[pfirst[w] + pcount[w]++] = v;
        }
    int nq = 0;
    for (int i = 0; i < g.n; i++)
        if (may_end(g.st[i])) {
            ends[i] = 1;
            queue[nq++] = i;
        }
    for (int q = 0; q < nq; q++) {
        int w = queue[q];
        for (int j = 0; j < pcount[w]; j++) {
            int v = pred[pfirst[w] + j];
            if (!ends[v]) {
                ends[v] = 1;
                queue[nq++] = v;
            }
        }
    }
    free(pred);
    /* Which states the start reaches. */
    int start = s->start_at ? index_of(&g, s->start_at) : -1;
    nq = 0;
    if (start >= 0) {
        reach[start] = 1;
        queue[nq++] = start;
    }
    for (int q = 0; q < nq; q++) {
        int v = queue[q];
        for (int j = 0; j < g.nsucc[v]; j++) {
            int w = g.succ[g.first[v] + j];
            if (!reach[w]) {
                reach[w] = 1;
                queue[nq++] = w;
            }
        }
    }
    bool reported = false;
    for (int i = 0; i < g.n && !reported; i++)
        if (reach[i] && !ends[i]) {
            diag_key(
                c->u, DIAG_INFINITE_LOOP, g.st[i],
                "no end can be reached from state \"%s\": once here, the execution loops until AWS stops it",
                g.st[i]->string);
            reported = true;
        }
    /* Loops that change nothing: once they go round, they go round forever.
     * One pass over the states gathers each component's facts (a pass
     * per component made this quadratic in states), in queue[] (its first
     * state) and ends[] (its flags), both done with by now. */
    scc(&g, &t);
    enum { C_MEMBER = 1, C_NOT_INERT = 2, C_CYCLIC = 4 };
    int *cfirst = queue, *cflags = ends;
    for (int i = 0; i < t.ncomp; i++)
        cfirst[i] = -1, cflags[i] = 0;
    for (int i = 0; i < g.n; i++) {
        int comp = t.comp[i];
        if (cfirst[comp] < 0)
            cfirst[comp] = i;
        cflags[comp] |= C_MEMBER;
        if (!(cflags[comp] & C_NOT_INERT) && !(inert(g.st[i]) && reach[i]))
            cflags[comp] |= C_NOT_INERT;
        for (int j = 0; j < g.nsucc[i]; j++)
            if (t.comp[g.succ[g.first[i] + j]] == comp)
                cflags[comp] |= C_CYCLIC;
    }
    for (int comp = 0; comp < t.ncomp && !reported; comp++)
        if (cflags[comp] == (C_MEMBER | C_CYCLIC)) {
            int first = cfirst[comp];
            diag_key(
                c->u, DIAG_INFINITE_LOOP, g.st[first],
                "the loop through state \"%s\" neither waits, does work nor changes the data: once it goes "
                "round, it goes round forever",
                g.st[first]->string);
            reported = true;
        }
    free(mem);
}

/* ==== Retry and Catch =================================================== */

/* Is error [name] already handled by one of the [n] earlier lists? */
static bool covered(const cJSON *const *earlier, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        const cJSON *e;
        cJSON_ArrayForEach (e, earlier[i]) {
            if (!cJSON_IsString(e))
                continue;
            if (strcmp(e->valuestring, name) == 0 || strcmp(e->valuestring, "States.ALL") == 0)
                return true;
            /* States.TaskFailed matches every error but States.Timeout. */
            if (strcmp(e->valuestring, "States.TaskFailed") == 0 && strncmp(name, "States.", 7) != 0)
                return true;
        }
    }
    return false;
}

static void handlers(check_ctx *c, const cJSON *st, const char *field, const char *what)
{
    const cJSON *list = check_get(st, field), *h;
    if (!cJSON_IsArray(list))
        return;
    int n = cJSON_GetArraySize(list), k = 0;
    const cJSON **seen = calloc((size_t)(n ? n : 1), sizeof *seen);
    if (!seen)
        return;
    cJSON_ArrayForEach (h, list) {
        const cJSON *ee = check_get(h, "ErrorEquals"), *e;
        if (!cJSON_IsArray(ee))
            continue;
        int names = 0, dead = 0;
        cJSON_ArrayForEach (e, ee) {
            if (!cJSON_IsString(e))
                continue;
            names++;
            if (strcmp(e->valuestring, "States.Runtime") == 0)
                diag_val(c->u, DIAG_UNCATCHABLE_ERROR, e,
                         "States.Runtime errors are never retried or caught: this %s never applies to them",
                         what);
            if (covered(seen, k, e->valuestring))
                dead++;
        }
        if (names > 0 && dead == names)
            diag_val(c->u, DIAG_UNREACHABLE_HANDLER, h,
                     "this %s never applies: every error it names is handled by an earlier %s", what, what);
        seen[k++] = ee;
    }
    free(seen);
}

void check_warnings(check_ctx *c)
{
    for (int i = 0; i < c->nscopes; i++) {
        const check_scope *s = c->scopes[i];
        if (!s->states)
            continue;
        const cJSON *st;
        cJSON_ArrayForEach (st, s->states) {
            if (!cJSON_IsObject(st))
                continue;
            choice_default(c, s, st);
            handlers(c, st, "Retry", "retrier");
            handlers(c, st, "Catch", "catcher");
        }
        loops(c, s);
    }
}
