/*
 * dispatch.h - internal interface of Task dispatch, shared by task.c (the
 * entry point, asl_task_invoke, and the history events), task_setup.c (the
 * run's dispatcher), bindings.c (the --bindings file), mock.c (the
 * --mock-config file), handler.c (exec processes and native functions) and
 * http.c (http handlers). Nothing outside these files includes it;
 * effects.h declares what the layers above call (rt_tasks_open,
 * rt_tasks_close).
 *
 * Clocks: every deadline here is CLOCK_MONOTONIC nanoseconds (rt_mono_ns),
 * because handlers run in real time whatever --wait says.
 *
 * Layer: effects
 */
#ifndef ASLRT_DISPATCH_H
#define ASLRT_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "aslhandler.h"
#include "aslrt.h"
#include "effects.h"
#include "rt.h"

/* ==== bindings.c ============================================================ */
typedef enum {
    RT_BIND_EXEC,   /* a program: input on stdin, result on stdout */
    RT_BIND_HTTP,   /* POST to a URL */
    RT_BIND_NATIVE, /* a C function in a shared library */
    RT_BIND_AWS     /* {"aws": true}: the real service (aws*.c) */
} rt_bind_kind;

typedef struct rt_binding {
    char *pattern;        /* the ARN or glob as written in the file */
    bool glob;            /* contains * ? or [ */
    int literal;          /* characters outside wildcards: the specificity */
    int order;            /* position in the file, for ties */
    rt_bind_kind kind;
    /* exec */
    char **argv;          /* NULL-terminated; argv[0] made absolute when it
                           * was a relative path with a slash */
    char *cwd;            /* working directory (absolute) */
    char **env;           /* NULL-terminated "NAME=VALUE" additions */
    /* http */
    char *url;
    char **headers;       /* NULL-terminated "Name: value" lines */
    /* native */
    char *lib, *symbol;
    void *dl;             /* dlopen handle */
    asl_native_fn fn;
} rt_binding;

/* A local stand-in for an EventBridge connection (HTTP Tasks): the file's
 * "connections" entry, in CreateConnection's shape. */
typedef struct rt_connection {
    char *pattern;        /* the connection ARN or glob, as written */
    bool glob;
    int literal;
    cJSON *spec;          /* {"AuthorizationType", "AuthParameters"}, checked */
} rt_connection;

typedef struct rt_bindings {
    char *file;           /* as given on the command line */
    int n;
    rt_binding *b;
    int nconn;
    rt_connection *conn;
    bool any_http;
    bool any_aws;
} rt_bindings;

/* Reads and checks a bindings file (see README, "Bindings and mocks"),
 * loading native libraries. Returns 0 with a malloc'd message in *err. */
rt_bindings *rt_bindings_load(const char *path, char **err);
/* The binding for [arn]: an exact match, else the matching glob with the
 * most literal characters (the first in the file on a tie); 0 if none.
 * Borrowed from [bs]. */
const rt_binding *rt_bindings_find(const rt_bindings *bs, const char *arn);
void rt_bindings_free(rt_bindings *bs);
/* The connection for [arn], matched as rt_bindings_find matches resources;
 * 0 if none. Borrowed from [bs]. */
const rt_connection *rt_connection_find(const rt_bindings *bs, const char *arn);

/* ==== mock.c ================================================================ */
typedef struct rt_mocks rt_mocks;

typedef enum {
    RT_MOCK_RETURN, /* value: the task's result */
    RT_MOCK_THROW,  /* error (and cause, maybe 0): the task fails */
    RT_MOCK_NONE    /* the invocation is past the mocked range */
} rt_mock_kind;

typedef struct rt_mock_answer {
    rt_mock_kind kind;
    const cJSON *value;      /* RETURN; borrowed from the configuration */
    const char *error;       /* THROW; 0 when the mock's Error is null */
    const char *cause;       /* THROW; 0 when the mock has no Cause */
    long invocation;         /* 0-based count of this state's invocations */
    const char *response;    /* the mocked response's name */
    long covered;            /* NONE: how many invocations are mocked */
} rt_mock_answer;

/* Reads a Step Functions Local mock configuration and selects test case
 * [test_case] of state machine [machine]. Every mocked response the test
 * case uses is checked now (invocation keys, Return / Throw shapes).
 * [tasks] (may be 0) lists the definition's Task states: a test case that
 * mocks any other state name is rejected, since the typo would silently
 * route that state elsewhere. Returns 0 with a malloc'd message in *err. */
rt_mocks *rt_mocks_load(const char *path, const char *machine, bool machine_given,
                        const char *test_case, const asl_task_ref *tasks, int ntasks,
                        char **err);
/* True when the test case mocks state [state]. */
bool rt_mocks_has(const rt_mocks *m, const char *state);
/* Counts one invocation of [state] (retries and re-entries included) and
 * returns what the mock answers. Thread-safe. */
rt_mock_answer rt_mocks_next(rt_mocks *m, const char *state);
void rt_mocks_free(rt_mocks *m);

/* ==== handler.c ============================================================= */
/* When a handler must be stopped. Deadlines are rt_mono_ns values, 0 for
 * none; rt_cancelled([x]) is polled (x may be 0): the execution was aborted
 * (SIGINT / SIGTERM) or, inside Parallel / Map, a sibling failed. */
typedef struct rt_limits {
    int64_t timeout_at;      /* TimeoutSeconds */
    int64_t heartbeat_ns;    /* HeartbeatSeconds as an interval; 0 = none */
    int64_t run_deadline;    /* the execution's own TimeoutSeconds */
    const asl_exec *x;       /* whose cancellation stops the handler */
} rt_limits;

typedef enum {
    RT_END_DONE,        /* the handler finished (see exited / code / signal) */
    RT_END_TIMEOUT,     /* TimeoutSeconds ran out */
    RT_END_HEARTBEAT,   /* no heartbeat within HeartbeatSeconds */
    RT_END_RUN_TIMEOUT, /* the execution timed out */
    RT_END_ABORTED,     /* the execution was aborted or cancelled */
    RT_END_TOO_BIG,     /* the output passed RT_HANDLER_MAX_OUTPUT */
    RT_END_FAILED       /* could not run it at all (msg says why) */
} rt_end;

/* Output beyond this is not read: far past AWS's 256 KiB result limit. */
enum { RT_HANDLER_MAX_OUTPUT = 16 * 1024 * 1024 };

typedef struct rt_exec_result {
    rt_end end;
    bool exited;             /* DONE: exited normally (else killed by signal) */
    int code;                /* exit status, or the signal number */
    char *out;               /* stdout, NUL-terminated, malloc'd (maybe 0) */
    size_t outlen;
    char msg[512];           /* FAILED: why */
} rt_exec_result;

/* Runs exec binding [b] with [input] on stdin and [env] (NULL-terminated
 * "NAME=VALUE", added to the environment after b->env), in its own process
 * group, until it exits or [lim] stops it (then the whole group is killed
 * with SIGKILL). Fills [r]; the caller frees r->out. */
void rt_exec_run(const rt_binding *b, char *const *env, const char *input, size_t inlen,
                 const rt_limits *lim, rt_exec_result *r);

typedef struct rt_native_result {
    rt_end end;              /* DONE, TIMEOUT, HEARTBEAT, RUN_TIMEOUT, ABORTED */
    int rc;                  /* DONE: the function's return value */
    cJSON *out;              /* DONE and rc == 0: the result (owned) */
    asl_error err;           /* DONE and rc != 0 */
} rt_native_result;

/* Calls native binding [b] on [in] (borrowed). Without a deadline it is a
 * plain call; with one it runs on its own thread and is abandoned when
 * [lim] stops it. The result goes to *r (heap, because asl_error is big);
 * free it with rt_native_result_free. */
rt_native_result *rt_native_run(const rt_binding *b, const cJSON *in, const rt_limits *lim);
void rt_native_result_free(rt_native_result *r);

/* ==== http.c ================================================================ */
typedef struct rt_http_result {
    rt_end end;              /* DONE, TIMEOUT, HEARTBEAT, RUN_TIMEOUT, ABORTED,
                              * TOO_BIG, FAILED (transport error, in msg) */
    long status;             /* HTTP status */
    bool function_error;     /* the reply carried X-Amz-Function-Error */
    char *body;              /* NUL-terminated, malloc'd (maybe 0) */
    size_t bodylen;
    char *headers;           /* rt_http_req.keep_headers: the reply's header
                              * lines, NUL-terminated, malloc'd (maybe 0) */
    size_t headerslen;
    char msg[512];
} rt_http_result;

/* One request of rt_http_send. */
typedef struct rt_http_req {
    const char *method;      /* "GET", "PUT", ...; 0: POST */
    const char *url;
    const char *content_type; /* 0: application/json; "": none */
    char *const *headers;    /* NULL-terminated "Name: value" lines, or 0 */
    const char *sigv4;       /* CURLOPT_AWS_SIGV4 ("aws:amz:REGION:SERVICE"),
                              * or 0 for an unsigned request */
    const char *userpwd;     /* with sigv4: "ACCESS_KEY:SECRET_KEY" */
    bool keep_headers;       /* collect the reply's headers (r->headers) */
} rt_http_req;

/* Once per process, before any thread calls rt_http_post. */
bool rt_http_global_init(void);
/* POSTs [body] as application/json to b->url. Fills [r]; the caller frees
 * r->body. */
void rt_http_post(const rt_binding *b, const char *body, size_t len, const rt_limits *lim,
                  rt_http_result *r);
/* Sends request [q] with [body] (ignored for GET and HEAD), bounded by [lim] as
 * rt_http_post is. Fills [r]; the caller frees r->body and r->headers. */
void rt_http_send(const rt_http_req *q, const char *body, size_t len, const rt_limits *lim,
                  rt_http_result *r);

/* ==== http_task.c =========================================================== */
/* The outcome of an HTTP Task: a result, an error, or a stop. */
typedef struct rt_http_task_out {
    rt_end end;              /* DONE (result or error), or a stop */
    cJSON *result;           /* DONE without error: owned */
    char *error, *cause;     /* DONE with error: malloc'd (cause may be 0) */
} rt_http_task_out;

/* Calls the API an HTTP Task's effective [params] describe, with the
 * connection [bs] holds for its ConnectionArn, bounded by [lim] and by 60
 * seconds. [trace] (may be 0) receives the request and response as
 * TestState's TRACE shows them. */
void rt_http_task(asl_exec *x, const rt_bindings *bs, const cJSON *params, const rt_limits *lim,
                  rt_http_trace *trace, rt_http_task_out *out);

/* ==== task.c, task_setup.c ================================================== */
/* The run's task dispatcher (rt_tasks_open). */
struct rt_tasks {
    rt_bindings *bindings;
    rt_mocks *mocks;
    bool aws;                /* --aws: what nothing else covers goes to AWS */
    rt_binding aws_default;  /* the binding that stands for --aws */
};


/* ==== callback.c: a Task waiting for its token ============================ */
typedef struct rt_cb rt_cb;
/* Registers [token]; for an activity task ([activity_arn] not 0) it is
 * queued for GetActivityTask with [input] (JSON text). 0 when out of
 * memory. Register before the handler runs: an answer may come first. */
rt_cb *rt_cb_open(const char *token, const char *activity_arn, const char *input);
/* An activity task: waits until a worker takes it (RT_END_DONE, *worker its
 * malloc'd workerName) or [lim] stops the wait (TIMEOUT, RUN_TIMEOUT,
 * ABORTED). The heartbeat clock starts when the worker takes it. */
rt_end rt_cb_await_worker(rt_cb *c, const rt_limits *lim, char **worker);
typedef struct rt_cb_result {
    bool failed;
    char *output;        /* success: JSON text */
    char *error, *cause; /* failure: each may be 0 */
} rt_cb_result;
/* Waits for the answer (RT_END_DONE, [r] filled: the caller frees it with
 * rt_cb_result_free) or until [lim] stops the wait: TIMEOUT, HEARTBEAT (no
 * SendTaskHeartbeat within lim->heartbeat_ns), RUN_TIMEOUT, ABORTED (seen
 * within 20 ms). */
rt_end rt_cb_await(rt_cb *c, const rt_limits *lim, rt_cb_result *r);
void rt_cb_result_free(rt_cb_result *r);
/* Unregisters and frees [c]; later answers to its token get TaskTimedOut. */
void rt_cb_close(rt_cb *c);

#endif
