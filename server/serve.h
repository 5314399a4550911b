/*
 * serve.h - `aslc serve`: a local endpoint speaking the AWS JSON 1.0
 * protocol of Step Functions (POST /, X-Amz-Target: AWSStepFunctions.X).
 *
 * http.c is the libmicrohttpd glue (bodies, limits, signals); actions.c
 * decodes requests, answers the state machine actions and dispatches the
 * others (executions.c, history_api.c; srv_internal.h). The command
 * line lives in cli/serve_cmd.c, which fills srv_opts and calls
 * srv_main. Names exported from server/ start with srv_.
 */
#ifndef ASLC_SERVER_SERVE_H
#define ASLC_SERVER_SERVE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct srv_opts {
    const char *host;    /* address to bind; "127.0.0.1" by default */
    int port;            /* 8083 by default; 0 picks a free one */
    const char *region;  /* ARNs' region */
    const char *account; /* ARNs' account id */
    const char *port_file; /* when set, the bound port is written there */
    const char *bindings;    /* --bindings: Task resource bindings, as aslc run */
    const char *mock_config; /* --mock-config, else $SFN_MOCK_CONFIG */
    const char *wait;        /* --wait real|skip|scale=X (checked by serve_cmd.c) */
    const char *state_dir;   /* --state-dir: the SQLite store; NULL = memory only */
    bool aws;                /* --aws: Tasks nothing else covers call AWS */
} srv_opts;

/* Serve until SIGINT / SIGTERM. Returns 0 after a clean stop, 2 when the
 * endpoint could not be started (the reason on stderr). */
int srv_main(const srv_opts *o);

/* ---- actions.c (called by http.c) ---- */
/* The answer to one request: an HTTP status and a malloc'd JSON body. */
typedef struct srv_reply {
    int status;
    char *body;
} srv_reply;

void srv_actions_init(const srv_opts *o);
void srv_actions_close(void);
/* Answer action [action] (the part after "AWSStepFunctions.", or NULL when
 * the target header was missing or not Step Functions') with request body
 * [body] of [len] bytes. Never fails to produce a reply. Thread-safe. */
srv_reply srv_dispatch(const char *action, const char *body, size_t len);
struct cJSON;
/* The TestState action (teststate.c): srv_test_state on [req]. */
srv_reply srv_test_state_action(const struct cJSON *req);
struct unit;
/* The error diagnostics of [u] as one message ("MSG at line L, column C
 * [CODE]; ..."), as InvalidDefinition answers carry them. */
void srv_diag_summary(const struct unit *u, char *buf, size_t cap);
/* An AWS-shaped error reply: {"__type": type, "message": msg}. */
srv_reply srv_error(int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
