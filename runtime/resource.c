/*
 * resource.c - what a Task state's Resource names: a Lambda function, an
 * activity or a service integration (with its .sync / .waitForTaskToken
 * pattern), and Lambda function names as full ARNs.
 *
 * Layer: values. Pure functions of the text; the strings returned are
 * the caller's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Splits [arn] "arn:PARTITION:SERVICE:REGION:ACCOUNT:REST" into [info]. A
 * resource of another shape is treated as a service integration named by
 * its text, so that it still dispatches through the bindings. */
void rt_resource_classify(const char *arn, rt_resource *info)
{
    memset(info, 0, sizeof *info);
    info->kind = RT_RES_SERVICE;
    snprintf(info->region, sizeof info->region, "%s", RT_REGION);
    const char *part[6] = {0};
    size_t plen[6] = {0};
    const char *p = arn;
    int k = 0;
    for (; k < 5; k++) {
        const char *c = strchr(p, ':');
        if (!c)
            break;
        part[k] = p;
        plen[k] = (size_t)(c - p);
        p = c + 1;
    }
    if (k < 5 || plen[0] != 3 || memcmp(part[0], "arn", 3) != 0) {
        snprintf(info->type, sizeof info->type, "%s", "");
        info->action = arn;
        return;
    }
    const char *rest = p;
    if (plen[3])
        snprintf(info->region, sizeof info->region, "%.*s", (int)plen[3], part[3]);
    bool lambda = plen[2] == 6 && memcmp(part[2], "lambda", 6) == 0;
    bool states = plen[2] == 6 && memcmp(part[2], "states", 6) == 0;
    if (lambda && strncmp(rest, "function:", 9) == 0) {
        info->kind = RT_RES_LAMBDA;
        snprintf(info->type, sizeof info->type, "lambda");
        info->action = arn;
        return;
    }
    if (states && strncmp(rest, "activity:", 9) == 0) {
        info->kind = RT_RES_ACTIVITY;
        snprintf(info->type, sizeof info->type, "activity");
        info->action = arn;
        return;
    }
    if (!states || plen[3] || plen[4]) {
        snprintf(info->type, sizeof info->type, "%.*s", (int)plen[2], part[2]);
        info->action = rest;
        return;
    }
    /* arn:aws:states:::SERVICE:ACTION; aws-sdk names its service too. */
    const char *c = strchr(rest, ':');
    if (!c) {
        snprintf(info->type, sizeof info->type, "%s", rest);
        info->action = "";
        return;
    }
    if ((size_t)(c - rest) == 7 && memcmp(rest, "aws-sdk", 7) == 0 && strchr(c + 1, ':')) {
        const char *c2 = strchr(c + 1, ':');
        snprintf(info->type, sizeof info->type, "%.*s", (int)(c2 - rest), rest);
        info->action = c2 + 1;
    } else {
        snprintf(info->type, sizeof info->type, "%.*s", (int)(c - rest), rest);
        info->action = c + 1;
    }
    info->callback = ends_with(info->action, ".waitForTaskToken");
    info->job = strstr(info->action, ".sync") != NULL;
    info->http_invoke = info->kind == RT_RES_SERVICE && strcmp(info->type, "http") == 0 &&
                        strcmp(info->action, "invoke") == 0;
    info->lambda_invoke = strcmp(info->type, "lambda") == 0 &&
                          strncmp(info->action, "invoke", 6) == 0 &&
                          (info->action[6] == '\0' || info->action[6] == '.');
}

/* A lambda:invoke FunctionName (name, name:alias, partial or full ARN) as
 * the function's full ARN, for the bindings. Fresh string or 0. */
char *rt_function_arn(const char *name)
{
    if (strncmp(name, "arn:", 4) == 0)
        return rt_fmt("%s", name);
    if (strstr(name, ":function:"))
        return rt_fmt("arn:aws:lambda:" RT_REGION ":%s", name);
    return rt_fmt("arn:aws:lambda:" RT_REGION ":" RT_ACCOUNT ":function:%s", name);
}

/* The function name inside a Lambda function ARN (qualifier dropped), for
 * AWS_LAMBDA_FUNCTION_NAME. Fresh string or 0. */
char *rt_function_name_of(const char *arn)
{
    const char *f = strstr(arn, ":function:");
    if (!f)
        return NULL;
    f += 10;
    const char *q = strchr(f, ':');
    return q ? rt_fmt("%.*s", (int)(q - f), f) : rt_fmt("%s", f);
}
