/*
 * task_setup.c - the run's task dispatcher: rt_tasks_open, called by
 * asl_main before the run starts, reads the bindings and mock files and
 * refuses to start a machine whose Task resources are neither bound nor
 * mocked (asl_machine.tasks) - with --aws every resource is covered, by
 * the real service, whose credentials must then be found; rt_tasks_close
 * frees it.
 *
 * Layer: effects. Owns the rt_tasks of a run (bindings, mocks).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "dispatch.h"
#include "dynlib.h"
#include "effects.h"
#include "values.h"

/* True when some binding could serve a lambda:invoke whose FunctionName is
 * only known at run time: a pattern whose literal prefix fits a Lambda
 * function ARN. */
static bool may_bind_functions(const rt_bindings *bs)
{
    static const char prefix[] = "arn:aws:lambda:";
    for (int i = 0; bs && i < bs->n; i++) {
        const char *p = bs->b[i].pattern;
        size_t lit = strcspn(p, "*?[\\");
        size_t n = lit < sizeof prefix - 1 ? lit : sizeof prefix - 1;
        if (strncmp(p, prefix, n) == 0 && (lit < sizeof prefix - 1 ? bs->b[i].glob : true))
            return true;
    }
    return false;
}

/* The binding of [ref] by resource (0 when none or mocked). */
static const rt_binding *ref_binding(const rt_tasks *t, const asl_task_ref *ref)
{
    if (!ref->resource || (t->mocks && rt_mocks_has(t->mocks, ref->state)))
        return NULL;
    return rt_bindings_find(t->bindings, ref->resource);
}

static bool ref_bound(const rt_tasks *t, const asl_task_ref *ref)
{
    if (t->mocks && rt_mocks_has(t->mocks, ref->state))
        return true;
    if (t->aws)
        return true;
    if (!ref->resource)
        return false;
    rt_resource ri;
    rt_resource_classify(ref->resource, &ri);
    if (ri.lambda_invoke) {
        if (ref->function_name) {
            char *arn = rt_function_arn(ref->function_name);
            bool ok = arn && rt_bindings_find(t->bindings, arn);
            free(arn);
            if (ok)
                return true;
        } else if (may_bind_functions(t->bindings)) {
            return true;
        }
    }
    return rt_bindings_find(t->bindings, ref->resource) != NULL;
}

/* A Task that aslc serve runs as a child execution (rt_options.start_execution). */
static bool starts_execution(const asl_task_ref *ref)
{
    if (!ref->resource)
        return false;
    rt_resource ri;
    rt_resource_classify(ref->resource, &ri);
    return strcmp(ri.type, "states") == 0 && strncmp(ri.action, "startExecution", 14) == 0 &&
           (ri.action[14] == '\0' || strcmp(ri.action + 14, ".sync") == 0 ||
            strcmp(ri.action + 14, ".sync:2") == 0);
}

/* A Task that needs no binding: with rt_options.callbacks a
 * .waitForTaskToken Task just waits for its token, with .activities an
 * activity Task waits for a worker. */
static bool waits_unbound(const rt_options *opt, const asl_task_ref *ref)
{
    if (!ref->resource)
        return false;
    rt_resource ri;
    rt_resource_classify(ref->resource, &ri);
    return (opt->callbacks && ri.callback) || (opt->activities && ri.kind == RT_RES_ACTIVITY);
}

/* An HTTP Task: with no binding aslc makes the call itself (http_task.c). */
static bool http_task(const asl_task_ref *ref)
{
    if (!ref->resource)
        return false;
    rt_resource ri;
    rt_resource_classify(ref->resource, &ri);
    return ri.http_invoke;
}

/* Appends [line] to the malloc'd string *s. */
static void append(char **s, const char *line)
{
    char *n = rt_fmt("%s%s", *s ? *s : "", line ? line : "");
    free(*s);
    *s = n;
}

rt_tasks *rt_tasks_open(const rt_options *opt, const asl_machine *m, char **err)
{
    *err = NULL;
    if (opt->mock_config && !opt->test_case) {
        *err = rt_fmt("--mock-config needs --test-case NAME (the test case to run)");
        return NULL;
    }
    if (opt->test_case && !opt->mock_config) {
        *err = rt_fmt("--test-case needs --mock-config FILE");
        return NULL;
    }
    if (opt->state_machine && !opt->mock_config) {
        *err = rt_fmt("--state-machine needs --mock-config FILE");
        return NULL;
    }
    rt_tasks *t = calloc(1, sizeof *t);
    if (!t) {
        *err = rt_fmt("out of memory");
        return NULL;
    }
    if (opt->bindings_file && !(t->bindings = rt_bindings_load(opt->bindings_file, err)))
        goto fail;
    if (t->bindings && t->bindings->any_http && !rt_http_global_init()) {
        *err = rt_curl() ? rt_fmt("cannot initialise libcurl for the http bindings")
                         : rt_fmt("the http bindings need libcurl: %s", rt_dynlib_error());
        goto fail;
    }
    if (opt->mock_config) {
        const char *machine = opt->state_machine ? opt->state_machine : m ? m->name : NULL;
        t->mocks = rt_mocks_load(opt->mock_config, machine, opt->state_machine != NULL,
                                 opt->test_case, m ? m->tasks : NULL, m ? m->ntasks : 0, err);
        if (!t->mocks)
            goto fail;
    }
    /* With --aws or an {"aws": true} binding, the credentials and region
     * must be there before the run starts. */
    t->aws = opt->aws;
    t->aws_default.kind = RT_BIND_AWS;
    bool need_aws = t->bindings && t->bindings->any_aws;
    for (int i = 0; t->aws && !need_aws && m && i < m->ntasks; i++) {
        const rt_binding *b = ref_binding(t, &m->tasks[i]);
        need_aws = !(t->mocks && rt_mocks_has(t->mocks, m->tasks[i].state)) &&
                   !(!b && opt->start_execution && starts_execution(&m->tasks[i])) &&
                   (!b || b->kind == RT_BIND_AWS);
    }
    if (need_aws) {
        rt_aws_creds c;
        char *why = rt_aws_resolve(&c);
        rt_aws_creds_clear(&c);
        if (why) {
            *err = rt_fmt("--aws: %s", why);
            free(why);
            goto fail;
        }
        if (!rt_http_global_init()) {
            *err = rt_curl() ? rt_fmt("cannot initialise libcurl for the AWS calls")
                             : rt_fmt("the AWS calls need libcurl: %s", rt_dynlib_error());
            goto fail;
        }
    }
    /* Every Task resource must be bound or mocked before anything runs;
     * HTTP Tasks call their API, through libcurl. */
    int unbound = 0;
    char *lines = NULL;
    for (int i = 0; m && i < m->ntasks; i++) {
        const asl_task_ref *ref = &m->tasks[i];
        if (ref_bound(t, ref) || (opt->start_execution && starts_execution(ref)) ||
            waits_unbound(opt, ref))
            continue;
        if (http_task(ref)) {
            if (!rt_http_global_init()) {
                *err = rt_curl() ? rt_fmt("cannot initialise libcurl for the HTTP Tasks")
                                 : rt_fmt("the HTTP Tasks need libcurl: %s", rt_dynlib_error());
                free(lines);
                goto fail;
            }
            continue;
        }
        unbound++;
        char *line;
        if (ref->function_name)
            line = rt_fmt("  state '%s': %s (FunctionName %s)\n", ref->state ? ref->state : "",
                          ref->resource ? ref->resource : "", ref->function_name);
        else
            line = rt_fmt("  state '%s': %s\n", ref->state ? ref->state : "",
                          ref->resource ? ref->resource : "");
        append(&lines, line);
        free(line);
    }
    if (unbound) {
        *err = rt_fmt("cannot start: %d Task resource%s neither bound nor mocked:\n%s"
                      "Bind %s in a bindings file (--bindings FILE) or mock %s "
                      "(--mock-config FILE --test-case NAME).",
                      unbound, unbound == 1 ? " is" : "s are", lines ? lines : "",
                      unbound == 1 ? "it" : "them", unbound == 1 ? "its state" : "their states");
        free(lines);
        goto fail;
    }
    return t;
fail:
    if (!*err)
        *err = rt_fmt("out of memory");
    rt_tasks_close(t);
    return NULL;
}

void rt_tasks_close(rt_tasks *t)
{
    if (!t)
        return;
    rt_bindings_free(t->bindings);
    rt_mocks_free(t->mocks);
    free(t);
}
