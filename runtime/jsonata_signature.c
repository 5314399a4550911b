/*
 * jsonata_signature.c - JSONata function signatures ("<s-nn?:s>") as
 * jsonata-js 2.0.6's signature.js reads and checks them.
 *
 * jsonata-js turns a signature into a regular expression over one letter
 * per argument (s n b l o a f, m for undefined) and matches the letters of
 * the arguments given; the groups it captures say which argument fills
 * which parameter, an `a` parameter wraps a lone value into an array, and
 * a `-` parameter left out takes the context value. This file does the
 * same with a small backtracking matcher (a parameter is a set of letters
 * taken once, optionally or one-or-more times, greedily, as the regex
 * would), so the arguments that pass and the argument an error names are
 * jsonata-js's.
 *
 * A signature is parsed once per process: parsed signatures live in a
 * registry keyed by their text (a handful of distinct texts: the built-in
 * table's and the lambdas' of the expressions run), shared by all threads.
 *
 * Layer: values
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonata_eval_impl.h"

enum { SIG_MAX_PARAMS = 24, SIG_SET = 12, SIG_SUB = 24 };

typedef struct sig_param {
    char type;              /* s n b l o a f j x, '(' for a choice */
    char set[SIG_SET];      /* the argument letters it accepts */
    char quant;             /* 0, '?' or '+' */
    bool context;           /* `-`: the context fills it when left out */
    char ctxset[SIG_SET];
    char subtype[SIG_SUB];  /* a<n>: "n" */
} sig_param;

struct jn_sig {
    sig_param p[SIG_MAX_PARAMS];
    int n;
    char err_code[8];       /* a malformed signature: S0401 / S0402 */
    char err_msg[128];
};

/* ==== Parsing ================================================================ */
static size_t closing(const char *s, size_t len, size_t at, char open, char close)
{
    int depth = 1;
    for (size_t i = at + 1; i < len; i++) {
        if (s[i] == open)
            depth++;
        else if (s[i] == close && --depth == 0)
            return i;
    }
    return len;
}

static void parse(jn_sig *sig, const char *s)
{
    size_t len = strlen(s);
    sig_param *prev = NULL;
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (c == ':')
            break;
        sig_param *cur = sig->n < SIG_MAX_PARAMS ? &sig->p[sig->n] : NULL;
        switch (c) {
        case 's': case 'n': case 'b': case 'l': case 'o':
        case 'a': case 'f': case 'j': case 'x':
            if (!cur)
                return;
            cur->type = c;
            snprintf(cur->set, sizeof cur->set, "%s",
                     c == 'a' || c == 'x' ? "asnblfom" : c == 'f' ? "f" : c == 'j' ? "asnblom" : "");
            if (!cur->set[0]) {
                cur->set[0] = c;
                cur->set[1] = 'm';
            }
            prev = cur;
            sig->n++;
            break;
        case '-':
            if (prev) {
                prev->context = true;
                memcpy(prev->ctxset, prev->set, sizeof prev->ctxset);
                prev->quant = '?';
            }
            break;
        case '?':
        case '+':
            if (prev)
                prev->quant = c;
            break;
        case '(': {
            size_t end = closing(s, len, i, '(', ')');
            if (!cur)
                return;
            if (memchr(s + i, '<', end - i)) {
                snprintf(sig->err_code, sizeof sig->err_code, "S0402");
                snprintf(sig->err_msg, sizeof sig->err_msg,
                         "Choice groups containing parameterized types are not supported");
                return;
            }
            cur->type = '(';
            snprintf(cur->set, sizeof cur->set, "%.*sm", (int)(end - i - 1), s + i + 1);
            prev = cur;
            sig->n++;
            i = end;
            break;
        }
        case '<':
            if (prev && (prev->type == 'a' || prev->type == 'f')) {
                size_t end = closing(s, len, i, '<', '>');
                snprintf(prev->subtype, sizeof prev->subtype, "%.*s", (int)(end - i - 1), s + i + 1);
                i = end;
            } else {
                snprintf(sig->err_code, sizeof sig->err_code, "S0401");
                snprintf(sig->err_msg, sizeof sig->err_msg,
                         "Type parameters can only be applied to functions and arrays");
                return;
            }
            break;
        default:
            break;
        }
    }
}

/* ==== The registry ============================================================= */
typedef struct entry {
    struct entry *next;
    char *text;
    jn_sig sig;
} entry;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static entry *registry;

static const jn_sig *registered(const char *text)
{
    pthread_mutex_lock(&registry_lock);
    entry *e;
    for (e = registry; e; e = e->next)
        if (strcmp(e->text, text) == 0)
            break;
    if (!e) {
        e = calloc(1, sizeof *e);
        char *t = e ? strdup(text) : NULL;
        if (!t) {
            free(e);
            pthread_mutex_unlock(&registry_lock);
            return NULL;
        }
        e->text = t;
        parse(&e->sig, text);
        e->next = registry;
        registry = e;
    }
    pthread_mutex_unlock(&registry_lock);
    return &e->sig;
}

/* The per-thread table of recent lookups, made at a thread's first lookup
 * (NULL when out of memory: no cache then). A pthread key rather than
 * _Thread_local: TinyCC cannot link TLS relocations (`--cc libtcc`). */
#define RECENT_N 64
typedef struct {
    const char *text;
    const jn_sig *sig;
} recent_sig;
static pthread_key_t recent_key;
static pthread_once_t recent_once = PTHREAD_ONCE_INIT;

static void recent_key_make(void) { (void)pthread_key_create(&recent_key, free); }

static recent_sig *recent_table(void)
{
    pthread_once(&recent_once, recent_key_make);
    recent_sig *t = pthread_getspecific(recent_key);
    if (!t) {
        t = calloc(RECENT_N, sizeof *t);
        if (t && pthread_setspecific(recent_key, t) != 0) {
            free(t);
            t = NULL;
        }
    }
    return t;
}

const jn_sig *jn_sig_get(jn_ctx *cx, const char *text, void **cache)
{
    void *_Atomic *slot = (void *_Atomic *)cache;
    const jn_sig *s = slot ? atomic_load(slot) : NULL;
    /* The built-ins' signatures have no slot: a per-thread table keyed by
     * the text's address keeps every call from taking the registry lock. */
    recent_sig *recent = !s && !slot && text ? recent_table() : NULL;
    size_t h = ((uintptr_t)text >> 3) & (RECENT_N - 1);
    if (recent && recent[h].text == text)
        s = recent[h].sig;
    if (!s) {
        s = registered(text ? text : "");
        if (s && recent) {
            recent[h].text = text;
            recent[h].sig = s;
        }
        if (!s) {
            jn_throwf(cx, "U1001", "Out of memory");
            return NULL;
        }
        if (slot)
            atomic_store(slot, (void *)s);
    }
    if (s->err_code[0]) {
        jn_throwf(cx, s->err_code, "%s", s->err_msg);
        return NULL;
    }
    return s;
}

int jn_sig_params(const jn_sig *sig) { return sig->n; }

/* ==== Matching ================================================================= */
static char symbol(const jn_val *v)
{
    if (!v)
        return 'm';
    switch ((jn_type)v->type) {
    case JN_FUNCTION: return 'f';
    case JN_STRING: return 's';
    case JN_NUMBER: return 'n';
    case JN_BOOL: return 'b';
    case JN_NULL: return 'l';
    case JN_ARRAY: return 'a';
    case JN_OBJECT: return 'o';
    }
    return 'm';
}

static bool in_set(const char *set, char c) { return c && strchr(set, c) != NULL; }

/* Match params [i, upto) against sup[j..]: lens[] gets each parameter's
 * share. [anchored]: the whole string must be used (the final `$`).
 * Returns the end position, or -1. */
static int match_from(const jn_sig *sig, int i, int upto, const char *sup, int j, int nsup,
                      bool anchored, int *lens)
{
    if (i == upto)
        return !anchored || j == nsup ? j : -1;
    const sig_param *p = &sig->p[i];
    int maxn = 0;
    while (j + maxn < nsup && in_set(p->set, sup[j + maxn]))
        maxn++;
    int hi, lo;
    switch (p->quant) {
    case '?': hi = maxn >= 1 ? 1 : 0; lo = 0; break;
    case '+': hi = maxn; lo = 1; break;
    default: hi = maxn >= 1 ? 1 : 0; lo = 1; break;
    }
    for (int k = hi; k >= lo; k--) {
        lens[i] = k;
        int end = match_from(sig, i + 1, upto, sup, j + k, nsup, anchored, lens);
        if (end >= 0)
            return end;
    }
    return -1;
}

static const char *array_of(const char *sub)
{
    switch (sub[0]) {
    case 'a': return "arrays";
    case 'b': return "booleans";
    case 'f': return "functions";
    case 'n': return "numbers";
    case 'o': return "objects";
    case 's': return "strings";
    }
    return sub;
}

static int fail(jn_ctx *cx, const char *code, int index, const char *fname, const jn_val *value,
                const char *type)
{
    char fn[140];
    snprintf(fn, sizeof fn, "\"%s\"", fname ? fname : "");
    if (strcmp(code, "T0410") == 0)
        jn_throwf(cx, code, "Argument %d of function %s does not match function signature", index, fn);
    else if (strcmp(code, "T0411") == 0)
        jn_throwf(cx, code, "Context value is not a compatible type with argument %d of function %s",
                  index, fn);
    else
        jn_throwf(cx, code, "Argument %d of function %s must be an array of %s", index, fn, type);
    if (fname)
        snprintf(cx->err.token, sizeof cx->err.token, "%s", fname);
    (void)value;
    return -1;
}

int jn_sig_validate(jn_ctx *cx, const jn_sig *sig, jn_val **args, int nargs, jn_val *context,
                    const char *fname, jn_val ***out)
{
    char sup[64];
    if (nargs >= (int)sizeof sup)
        return fail(cx, "T0410", (int)sizeof sup, fname, NULL, NULL);
    for (int i = 0; i < nargs; i++)
        sup[i] = symbol(args[i]);
    sup[nargs] = 0;
    int lens[SIG_MAX_PARAMS] = {0};
    if (match_from(sig, 0, sig->n, sup, 0, nargs, true, lens) < 0) {
        /* throwValidationError: the first parameter whose prefix no
         * longer matches names the argument. */
        int good = 0;
        for (int k = 1; k <= sig->n; k++) {
            int pl[SIG_MAX_PARAMS];
            int end = match_from(sig, 0, k, sup, 0, nargs, false, pl);
            if (end < 0)
                return fail(cx, "T0410", good + 1, fname, good < nargs ? args[good] : NULL, NULL);
            good = end;
        }
        return fail(cx, "T0410", good + 1, fname, good < nargs ? args[good] : NULL, NULL);
    }
    jn_val **v = jn_alloc(cx, (size_t)(sig->n + nargs + 1) * sizeof *v);
    int nv = 0, ai = 0, pos = 0;
    for (int i = 0; i < sig->n; i++) {
        const sig_param *p = &sig->p[i];
        int len = lens[i];
        if (len == 0) {
            if (p->context) {
                if (!in_set(p->ctxset, symbol(context)))
                    return fail(cx, "T0411", ai + 1, fname, context, NULL);
                v[nv++] = context;
            } else {
                /* jsonata-js pushes the next argument without consuming
                 * a letter for it (only ever undefined for the trailing
                 * optional parameters of the built-ins) */
                v[nv++] = ai < nargs ? args[ai] : NULL;
                ai++;
            }
            continue;
        }
        for (int k = 0; k < len; k++) {
            char single = sup[pos + k];
            jn_val *arg = ai < nargs ? args[ai] : NULL;
            if (p->type == 'a') {
                if (single == 'm')
                    arg = NULL;
                else {
                    bool ok = true;
                    if (p->subtype[0]) {
                        if (single != 'a') {
                            /* the whole share must read as the subtype */
                            ok = len == (int)strlen(p->subtype) &&
                                 memcmp(sup + pos, p->subtype, (size_t)len) == 0;
                        } else if (arg->u.arr.n > 0) {
                            char it = symbol(arg->u.arr.items[0]);
                            if (it != p->subtype[0])
                                ok = false;
                            else
                                for (size_t q = 0; q < arg->u.arr.n && ok; q++)
                                    ok = symbol(arg->u.arr.items[q]) == it;
                        }
                    }
                    if (!ok)
                        return fail(cx, "T0412", ai + 1, fname, arg, array_of(p->subtype));
                    if (single != 'a') {
                        jn_val *w = jn_arr_new(cx, 1);
                        jn_arr_push(cx, w, arg);
                        arg = w;
                    }
                }
            }
            v[nv++] = arg;
            ai++;
        }
        pos += len;
    }
    *out = v;
    return nv;
}
