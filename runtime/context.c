/*
 * context.c - the execution context (asl_exec) beyond its errors: the
 * scratch list of a state's temporaries, cancellation, the root run of a
 * distributed Map's child, the current state's name, and the release of
 * what an execution holds after a run.
 *
 * Cancellation: each fan-out attempt (pool.c) has an rt_scope whose parent
 * is the scope of the execution that runs the state. rt_cancelled walks the
 * chain, so cancelling a Parallel stops the Maps inside its branches too.
 * Waits poll it (exec.c sleeps in slices inside a scope); handlers too.
 *
 * Layer: base. Owns the scratch list (x->scratch); rt_exec_dispose frees
 * it with the error strings and the context object.
 */
#include <stdlib.h>

#include "rt.h"

/* Takes ownership of [v]; freed by the next rt_scratch_reset. If the list
 * cannot grow, [v] is leaked on purpose: the caller is about to use it, so
 * freeing it here would leave a dangling pointer (out of memory only). */
void rt_scratch_keep(asl_exec *x, cJSON *v)
{
    if (!v)
        return;
    if (x->nscratch == x->cap_scratch) {
        int cap = x->cap_scratch ? x->cap_scratch * 2 : 8;
        cJSON **s = realloc(x->scratch, (size_t)cap * sizeof *s);
        if (!s)
            return;
        x->scratch = s;
        x->cap_scratch = cap;
    }
    x->scratch[x->nscratch++] = v;
}

void rt_scratch_reset(asl_exec *x)
{
    for (int i = 0; i < x->nscratch; i++)
        cJSON_Delete(x->scratch[i]);
    x->nscratch = 0;
}

void rt_exec_dispose(asl_exec *x)
{
    rt_scratch_reset(x);
    free(x->scratch);
    x->scratch = NULL;
    x->cap_scratch = 0;
    cJSON_Delete(x->context);
    x->context = NULL;
    cJSON_Delete(x->vars);
    x->vars = NULL;
    x->vars_bytes = 0;
    cJSON_Delete(x->staged);
    x->staged = NULL;
    free(x->error);
    free(x->cause);
    x->error = x->cause = NULL;
}

rt_run *rt_root_run(rt_run *run)
{
    while (run && run->parent)
        run = run->parent;
    return run;
}

int rt_cancelled(const asl_exec *x)
{
    if (!x || !x->run)
        return 0;
    for (const rt_run *r = x->run; r; r = r->parent)
        if (r->aborted || r->history_full)
            return 1;
    for (const rt_scope *s = x->scope; s; s = s->parent)
        if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
            return 1;
    return 0;
}

const char *rt_state_name(const asl_exec *x)
{
    if (x->machine && x->state >= 0 && x->state < x->machine->nstates)
        return x->machine->states[x->state].name;
    return "";
}

/* The 256 KiB check's growth count (rt.h): the path functions of the
 * values layer add to it, the engine's loop reads it. */
void rt_add_growth(asl_exec *x, size_t n)
{
    if (x->doc_growth == RT_GROWTH_UNKNOWN)
        return;
    x->doc_growth = n >= RT_GROWTH_UNKNOWN - x->doc_growth ? RT_GROWTH_UNKNOWN : x->doc_growth + n;
}
