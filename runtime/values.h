/*
 * values.h - the values layer's internal interface: what the context
 * object, resources and timestamps give the layers above. The layer's
 * public functions (asl_select*, asl_apply_*, asl_build, asl_test_*,
 * asl_call_intrinsic) are declared in aslrt.h, the intrinsics' shared
 * helpers in intrinsics_impl.h, the JSONata engine's in jsonata_*.h.
 *
 * Values are pure functions of documents and the execution context: no
 * threads, no I/O, no history events.
 *
 * Layer: values
 */
#ifndef ASLRT_VALUES_H
#define ASLRT_VALUES_H

#include <stdbool.h>

#include "rt.h"
#include "timestamp.h"

/* The default region and account of generated ARNs (AWS's documentation
 * account), as in exec.c's execution ARNs. */
#define RT_REGION "us-east-1"
#define RT_ACCOUNT "123456789012"

/* ==== Array steps, as JSONPath and Choice take them ======================= */
/* Inline: the definite path walk (jsonpath_impl.h) and Choice's resolved
 * paths (choice.c) run them for every index step. */
static inline long rt_arr_len(const cJSON *a)
{
    long n = 0;
    for (const cJSON *c = a->child; c; c = c->next)
        n++;
    return n;
}

/* Jayway's index rule: negative counts from the end; out of range is
 * simply no element. */
static inline const cJSON *rt_arr_get(const cJSON *a, long index)
{
    if (index < 0) {
        index += rt_arr_len(a);
        if (index < 0)
            return NULL;
    }
    const cJSON *c = a->child;
    for (; c && index > 0; index--)
        c = c->next;
    return c;
}

/* ==== context_object.c: $$ ================================================= */
/* The context object ($$) for the current state; borrowed. */
const cJSON *rt_context(asl_exec *x);
/* The document path [p] starts from: [in] for $, the context object for
 * $$, the variable's value for $name (0 when it has none). */
const cJSON *rt_path_root(asl_exec *x, const asl_path *p, const cJSON *in);
/* The token of the current .waitForTaskToken attempt ($$.Task.Token), made
 * on first use: 56 random URL-safe base64 characters. */
const char *rt_task_token(asl_exec *x);

/* ==== resource.c: what a Task's Resource names ============================ */
typedef enum {
    RT_RES_LAMBDA,   /* arn:aws:lambda:REGION:ACCOUNT:function:NAME: LambdaFunction* events */
    RT_RES_ACTIVITY, /* arn:aws:states:REGION:ACCOUNT:activity:NAME: Activity* events */
    RT_RES_SERVICE   /* arn:aws:states:::SERVICE:ACTION[.sync|.waitForTaskToken]: Task* events */
} rt_res_kind;

typedef struct rt_resource {
    rt_res_kind kind;
    char type[96];         /* resourceType: "lambda", "aws-sdk:s3", "sqs", ... */
    const char *action;    /* resource: "invoke", "sendMessage.waitForTaskToken" */
    char region[48];
    bool lambda_invoke;    /* arn:aws:states:::lambda:invoke (any pattern) */
    bool http_invoke;      /* arn:aws:states:::http:invoke, the HTTP Task */
    bool callback;         /* .waitForTaskToken */
    bool job;              /* .sync / .sync:2 */
} rt_resource;

/* Splits [arn] "arn:PARTITION:SERVICE:REGION:ACCOUNT:REST" into [info]. A
 * resource of another shape is treated as a service integration named by
 * its text, so that it still dispatches through the bindings. */
void rt_resource_classify(const char *arn, rt_resource *info);
/* A lambda:invoke FunctionName (name, name:alias, partial or full ARN) as
 * the function's full ARN, for the bindings. Fresh string or 0. */
char *rt_function_arn(const char *name);
/* The function name inside a Lambda function ARN (qualifier dropped), for
 * AWS_LAMBDA_FUNCTION_NAME. Fresh string or 0. */
char *rt_function_name_of(const char *arn);

#endif
