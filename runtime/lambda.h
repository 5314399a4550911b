/*
 * lambda.h - the executable as an AWS Lambda custom runtime (lambda.c):
 * the Runtime API loop asl_main hands over to when AWS_LAMBDA_RUNTIME_API
 * is set or --lambda is given.
 *
 * Layer: entry
 */
#ifndef ASLRT_LAMBDA_H
#define ASLRT_LAMBDA_H

#include "rt.h"

/* Serves invocations from the Runtime API at [api] ("host:port") until
 * the API stops handing out events (a failed or non-200 `next`): each
 * event is one execution of [m] with the options [opt] (its
 * execution_name and deadline_ns are set per invocation), its output or
 * error posted back. [history_file], when not 0, receives every
 * execution's history. Returns an asl_main exit code: ASL_EXIT_USAGE when
 * start-up failed (reported to init/error), ASL_EXIT_FAILED when the loop
 * ended because `next` failed. */
int rt_lambda_main(const char *prog, const char *api, rt_options *opt, const asl_machine *m,
                   const char *history_file);

#endif
