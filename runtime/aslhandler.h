/*
 * aslhandler.h - the interface of a `native` Task handler: a C function in
 * a shared library that a bindings file names as "lib.so:symbol".
 *
 *   #include <cjson/cJSON.h>
 *   #include "aslhandler.h"
 *
 *   int put_item(const cJSON *in, cJSON **out, asl_error *err)
 *   {
 *       if (!cJSON_IsObject(in)) {
 *           asl_error_set(err, "Orders.BadInput", "expected an object");
 *           return 1;
 *       }
 *       *out = cJSON_CreateObject();
 *       return *out ? 0 : asl_error_set(err, "States.TaskFailed", "out of memory");
 *   }
 *
 * The contract:
 * - [in] is the Task's effective input (for arn:aws:states:::lambda:invoke,
 *   its Payload). It is borrowed: read it, do not keep or free it.
 * - Return 0 with a fresh cJSON tree in *out: the result. The runtime takes
 *   ownership and frees it with cJSON_Delete, so build it with this
 *   process's cJSON (link the library against -lcjson, as libaslrt is).
 *   *out == 0 on success means the JSON value null.
 * - Return non-zero for a failure: fill err->error (the ASL error name that
 *   Retry and Catch match; empty means "States.TaskFailed") and err->cause
 *   (may stay empty). Anything put in *out is freed and ignored.
 * - The function runs in the workflow's own process, on the thread that
 *   runs the state (Map and Parallel may call it from several threads at
 *   once), so it must be thread-safe and must not exit(), abort() or leave
 *   signal handlers behind. It cannot be killed: when TimeoutSeconds (or
 *   HeartbeatSeconds, since a native handler sends no heartbeats) runs out
 *   the state fails with States.Timeout at once and the call is abandoned
 *   on its thread; whatever it returns later is discarded.
 *
 * The library is loaded once per run (dlopen, RTLD_NOW | RTLD_LOCAL) when
 * the bindings file is read; a missing library or symbol stops the run
 * before it starts.
 *
 * Layer: effects
 */
#ifndef ASLHANDLER_H
#define ASLHANDLER_H

#include <stdio.h>

typedef struct cJSON cJSON;

/* AWS's limits: an error name is at most 256 characters, a cause at most
 * 32768; longer text is cut there. */
enum { ASL_ERROR_MAX = 256, ASL_CAUSE_MAX = 32768 };

typedef struct asl_error {
    char error[ASL_ERROR_MAX + 1]; /* NUL-terminated; "" = States.TaskFailed */
    char cause[ASL_CAUSE_MAX + 1]; /* NUL-terminated; "" = no cause */
} asl_error;

/* The handler function's type. */
typedef int (*asl_native_fn)(const cJSON *in, cJSON **out, asl_error *err);

/* Fill [err] (either string may be 0) and return 1, so that a handler can
 * `return asl_error_set(err, "X", "why");`. */
static inline int asl_error_set(asl_error *err, const char *error, const char *cause)
{
    snprintf(err->error, sizeof err->error, "%s", error ? error : "");
    snprintf(err->cause, sizeof err->cause, "%s", cause ? cause : "");
    return 1;
}

#endif
