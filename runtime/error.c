/*
 * error.c - errors as values, and the per-state scratch list.
 *
 * Owns: the error strings stored on an asl_exec (x->error, x->cause) and
 * the scratch list of temporaries (x->scratch). A failing runtime call sets
 * the error here and returns a status; nothing exits or jumps. Called by
 * generated code (asl_fail_*, asl_unsupported) and by every runtime module
 * (rt_scratch_keep for temporaries that must outlive a selection).
 * exec.c resets the scratch list after each state and frees the error at
 * the end of a run.
 *
 * Layer: base
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The first error wins: once a state failed, later calls on the way out
 * (cleanup paths that also report) must not overwrite what AWS would show. */
int asl_fail_with(asl_exec *x, const char *error, const char *cause)
{
    if (x->failed)
        return ASL_NEXT_ERROR;
    x->failed = true;
    x->status = RT_FAILED;
    free(x->error);
    free(x->cause);
    /* Both end up in JSON (the status line, the history): valid UTF-8 */
    x->error = rt_utf8_valid_take(dup_or_null(error));
    x->cause = rt_utf8_valid_take(dup_or_null(cause));
    return ASL_NEXT_ERROR;
}

int asl_fail_runtime(asl_exec *x, const char *fmt, ...)
{
    const char *name = "";
    if (x->machine && x->state >= 0 && x->state < x->machine->nstates)
        name = x->machine->states[x->state].name;

    va_list ap;
    va_start(ap, fmt);
    int restlen = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (restlen < 0)
        restlen = 0;

    static const char head[] =
        "An error occurred while executing the state '%s' (entered at the event id #%ld). ";
    int headlen = snprintf(NULL, 0, head, name, x->entered_event_id);
    if (headlen < 0)
        headlen = 0;
    size_t total = (size_t)headlen + (size_t)restlen + 1;
    char *cause = malloc(total);
    if (!cause)
        return asl_fail_with(x, "States.Runtime", NULL);
    snprintf(cause, total, head, name, x->entered_event_id);
    va_start(ap, fmt);
    vsnprintf(cause + headlen, total - (size_t)headlen, fmt, ap);
    va_end(ap);
    asl_fail_with(x, "States.Runtime", cause);
    free(cause);
    return ASL_NEXT_ERROR;
}

int asl_failed(const asl_exec *x)
{
    return x->failed;
}

int asl_unsupported(asl_exec *x, const char *what)
{
    return asl_fail_runtime(x, "%s states are not supported by this runtime yet",
                            what ? what : "These");
}
