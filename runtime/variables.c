/*
 * variables.c - the workflow variable store: what `Assign` writes and what
 * `$name` reads, one scope per execution of a (sub-)machine.
 *
 * A state's Assign is staged while the state runs (every expression reads
 * the values from the state's entry, so {"a": "$b", "b": "$a"} swaps) and
 * committed by the loop when the state exits. A Map iteration or Parallel
 * branch reads its parent's scope through x->outer and writes only its own.
 *
 * Layer: base. The values are plain documents; history is written by the
 * engine (exec.c) from what rt_vars_commit reports.
 */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* AWS's quotas: 256 KiB for one variable and for one state's Assign,
 * 10 MiB for all the variables of an execution. */
enum { VAR_MAX_BYTES = 256 * 1024, ASSIGN_MAX_BYTES = 256 * 1024 };
#define VARS_MAX_BYTES (10L * 1024 * 1024)

static const cJSON *find(const cJSON *obj, const char *name, size_t len)
{
    if (!obj)
        return NULL;
    for (const cJSON *m = obj->child; m; m = m->next)
        if (m->string && strlen(m->string) == len && memcmp(m->string, name, len) == 0)
            return m;
    return NULL;
}

const cJSON *rt_var_get(const asl_exec *x, const char *name, size_t len)
{
    for (; x; x = x->outer) {
        const cJSON *v = find(x->vars, name, len);
        if (v)
            return v;
    }
    return NULL;
}

/* The length of [v] as compact JSON text (what AWS's quotas count),
 * computed without printing: the quotas are checked on every state exit,
 * and printing every number is what a loop of Assign states would spend
 * its time on. Numbers that are not small integers are printed, as cJSON
 * prints them. */
static long string_size(const char *s)
{
    long n = 2;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
        n += (*p == '"' || *p == '\\' || *p == '\b' || *p == '\f' || *p == '\n' || *p == '\r' || *p == '\t') ? 2
             : *p < 0x20 ? 6 : 1;
    return n;
}

static long printed_size(const cJSON *v)
{
    if (!v)
        return 0;
    switch (v->type & 0xff) {
    case cJSON_NULL:
    case cJSON_True: return 4;
    case cJSON_False: return 5;
    case cJSON_Number: {
        double d = v->valuedouble;
        if (d == (double)(long long)d && d > -1e15 && d < 1e15) {
            long n = d < 0 ? 2 : 1;
            for (long long k = d < 0 ? -(long long)d : (long long)d; k >= 10; k /= 10)
                n++;
            return n;
        }
        char *t = cJSON_PrintUnformatted(v);
        long n = t ? (long)strlen(t) : 24;
        cJSON_free(t);
        return n;
    }
    case cJSON_String:
    case cJSON_Raw: return string_size(v->valuestring);
    case cJSON_Array:
    case cJSON_Object: {
        long n = 2;
        bool obj = (v->type & 0xff) == cJSON_Object;
        for (const cJSON *c = v->child; c; c = c->next) {
            n += printed_size(c) + (c->next ? 1 : 0);
            if (obj)
                n += string_size(c->string) + 1;
        }
        return n;
    }
    default: return 0;
    }
}

static int too_large(asl_exec *x, const char *what)
{
    char cause[256];
    snprintf(cause, sizeof cause, "%s exceeds the maximum number of bytes service limit.", what);
    asl_fail_with(x, "States.DataLimitExceeded", cause);
    return -1;
}

int rt_vars_stage(asl_exec *x, const char *name, size_t len, cJSON *value)
{
    if (!value)
        return asl_fail_with(x, "States.Runtime", "Out of memory while assigning a variable."), -1;
    long n = printed_size(value);
    if (n > VAR_MAX_BYTES) {
        cJSON_Delete(value);
        char what[160];
        snprintf(what, sizeof what, "The variable '%.*s'", (int)(len > 100 ? 100 : len), name);
        return too_large(x, what);
    }
    if (!x->staged && !(x->staged = cJSON_CreateObject())) {
        cJSON_Delete(value);
        return asl_fail_with(x, "States.Runtime", "Out of memory while assigning a variable."), -1;
    }
    char *key = malloc(len + 1);
    if (!key) {
        cJSON_Delete(value);
        return asl_fail_with(x, "States.Runtime", "Out of memory while assigning a variable."), -1;
    }
    memcpy(key, name, len);
    key[len] = '\0';
    cJSON_DeleteItemFromObjectCaseSensitive(x->staged, key);
    bool ok = cJSON_AddItemToObject(x->staged, key, value);
    free(key);
    if (!ok) {
        cJSON_Delete(value);
        return asl_fail_with(x, "States.Runtime", "Out of memory while assigning a variable."), -1;
    }
    return 0;
}

bool rt_vars_pending(const asl_exec *x) { return x->staged && x->staged->child; }

void rt_vars_discard(asl_exec *x)
{
    cJSON_Delete(x->staged);
    x->staged = NULL;
}

int rt_vars_commit(asl_exec *x, cJSON *assigned)
{
    if (!rt_vars_pending(x)) {
        rt_vars_discard(x);
        return 0;
    }
    if (printed_size(x->staged) > ASSIGN_MAX_BYTES) {
        rt_vars_discard(x);
        return too_large(x, "The assigned variables of the state");
    }
    if (!x->vars && !(x->vars = cJSON_CreateObject())) {
        rt_vars_discard(x);
        return asl_fail_with(x, "States.Runtime", "Out of memory while assigning a variable."), -1;
    }
    while (x->staged->child) {
        cJSON *v = cJSON_DetachItemViaPointer(x->staged, x->staged->child);
        const cJSON *old = find(x->vars, v->string, strlen(v->string));
        long member = string_size(v->string) + 1 + 1; /* "key": and a comma */
        if (old)
            x->vars_bytes -= member + printed_size(old);
        x->vars_bytes += member + printed_size(v);
        if (assigned) {
            char *t = rt_json_print(v);
            if (!t || !cJSON_AddStringToObject(assigned, v->string, t)) {
                free(t);
                cJSON_Delete(v);
                rt_vars_discard(x);
                return asl_fail_with(x, "States.Runtime", "Out of memory while assigning a variable."), -1;
            }
            free(t);
        }
        cJSON_DeleteItemFromObjectCaseSensitive(x->vars, v->string);
        cJSON_AddItemToArray(x->vars, v); /* keeps v->string: it is an object member */
    }
    rt_vars_discard(x);
    /* the whole execution's variables: every scope up the chain */
    long total = 0;
    for (const asl_exec *s = x; s; s = s->outer)
        total += s->vars_bytes;
    if (total > VARS_MAX_BYTES)
        return too_large(x, "The total size of the execution's variables");
    return 0;
}
